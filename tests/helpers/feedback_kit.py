"""A Business Unit and an agency on real workspaces, keys and files, up to the feedback file: the partnership
publishes its pack, the agency joins it, signs and exports its 2026/27 return to it, the Business Unit imports
it, moderates (Green said, Amber moderated), requires an action and exports the signed feedback."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from helpers.answers import complete_answers
from oscb_desktop.forms import FormRegistry
from oscb_desktop.services import (
    feedback,
    identities,
    imports,
    partnership_admin,
    partnerships,
    returns,
    review,
    signoff,
)
from oscb_desktop.services.agencies import create_agency, list_agencies
from oscb_desktop.services.workspace import Workspace

PASSPHRASE = "correct horse battery"
AGENCY = "Example Community Health Trust"
SHIPPED_S11 = Path(__file__).resolve().parents[2] / "forms" / "section11" / "2026-27.yaml"


def next_year_form(folder: Path) -> Path:
    text = SHIPPED_S11.read_text(encoding="utf-8")
    text = text.replace('version: "2026.1"', 'version: "2027.1"').replace('period: "2026/27"', 'period: "2027/28"')
    text = text.replace('deadline: "2027-03-31"', 'deadline: "2028-03-31"')
    path = folder / "section11-2027-28.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def open_ws(folder: Path, forms: FormRegistry) -> Workspace:
    ws = Workspace.open(folder, forms=forms)
    ws.bind()
    return ws


def business_unit(
    folder: Path,
    forms: FormRegistry,
    *,
    name: str,
    short: str,
    form_dir: Path | None = None,
    opener: Callable[[Path, FormRegistry], Workspace] | None = None,
) -> Workspace:
    """``opener``: how to open a new workspace (helpers.engines: on PostgreSQL too); a SQLite folder by default."""
    ws = (opener or open_ws)(folder, forms)
    ws.bind()
    ws.set_setting("user_name", "Bea Unit")
    partnership_admin.init(ws, name=name, short_name=short, passphrase=PASSPHRASE, members=[(AGENCY, "health")],
                           contact_name="Jo Bloggs", contact_email="jo.bloggs@bscp.example")  # fmt: skip
    if form_dir is not None:
        partnership_admin.add_form(ws, next_year_form(form_dir), period="2027/28", deadline=date(2028, 4, 30))
    return ws


@dataclass
class Scenario:
    bu: Workspace
    agency: Workspace
    partnership_id: str
    submission_id: str
    received_id: int
    feedback_file: Path
    tmp: Path


def agency_id(ws: Workspace) -> int:
    return list_agencies(ws)[0].id


def build(
    tmp: Path,
    forms: FormRegistry,
    agency_ws: Workspace,
    opener: Callable[[Path, FormRegistry], Workspace] | None = None,
) -> Scenario:
    """Everything up to the feedback file (the agency has not imported it yet)."""
    bu = business_unit(tmp / "bu", forms, name="Buckinghamshire Safeguarding Children Partnership", short="BSCP",
                       form_dir=tmp, opener=opener)  # fmt: skip
    pack = tmp / "bscp.oscbpack"
    partnership_admin.publish(bu, pack, passphrase=PASSPHRASE)
    ws = agency_ws
    create_agency(ws, AGENCY, sector="health", lead_name="Sam Lead", lead_email="sam.lead@example.org")
    info = partnerships.join(ws, pack, trust=partnership_admin.current_identity(bu).fingerprint).partnership
    sub = returns.start_return(ws, agency_id(ws), "section11", "2026/27", partnership_id=info.id)
    returns.save_answers(ws, sub.id, complete_answers(returns.form_of(ws, sub)))
    identities.create(ws, agency_id(ws), person_name="Jo Director", role="Director", email=None, passphrase=PASSPHRASE)
    signoff.sign_off(ws, sub.id, signatory_name="Jo Director", signatory_role="Director", passphrase=PASSPHRASE)
    sent = signoff.export(ws, sub.id, tmp / "return.oscb", passphrase=PASSPHRASE).path  # encrypted for the BU
    key = partnership_admin.unlock(partnership_admin.current_identity(bu), PASSPHRASE)
    [imported] = imports.import_paths(bu, [sent], trust_new=True, key=key)
    assert imported.outcome == "imported", imported.reason
    [row] = review.list_received(bu)
    review.set_status(bu, row.id, "has_issues", "The evidence for standard 3 is thin.")
    review.set_moderation(bu, row.agency_id, "section11", "2026/27", "s3", level="amber", note="Rotas not shown.")
    review.set_moderation(bu, row.agency_id, "section11", "2026/27", "s3.2", level="red", note="No charts at all.")
    review.set_moderation(bu, row.agency_id, "section11", "2026/27", "", level=None, note="A frank discussion.")
    feedback.add_required_action(bu, row.id, "Publish the on-call rota to all staff", due=date(2027, 9, 30),
                                 target="s3")  # fmt: skip
    feedback.add_required_action(bu, row.id, "Send the training plan", target="")
    [written] = feedback.export_feedback(bu, "2026/27", tmp / "feedback", PASSPHRASE)
    return Scenario(bu, ws, info.id, sub.id, row.id, written.path, tmp)


def stored(ws: Workspace) -> dict[str, list[Any]]:
    """What a refused feedback file must leave as it was."""
    with sqlite3.connect(ws.folder / "workspace.db") as db:
        return {t: db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in ("received_feedback", "answer")}

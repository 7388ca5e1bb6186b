"""Partnerships for tests: two Business Units (BSCP with a form the app does not ship, MKSCP), the first's pack,
and an agency workspace with one profile; plus the helpers the partnership and encryption tests share."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from helpers.engines import open_bu
from oscb_desktop.forms import FormRegistry
from oscb_desktop.services import identities, partnership_admin, signoff
from oscb_desktop.services.agencies import create_agency, list_agencies
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.signing import UnlockedKey

PASSPHRASE = "correct horse battery"
AGENCY = "Example Community Health Trust"
SHIPPED_S11 = Path(__file__).resolve().parents[2] / "forms" / "section11" / "2026-27.yaml"


def next_year_form(folder: Path) -> Path:
    """Next year's Section 11 form, as a Business Unit would write it: not shipped with the app."""
    text = SHIPPED_S11.read_text(encoding="utf-8")
    text = text.replace('version: "2026.1"', 'version: "2027.1"').replace('period: "2026/27"', 'period: "2027/28"')
    text = text.replace('deadline: "2027-03-31"', 'deadline: "2028-03-31"')
    assert 'version: "2027.1"' in text and 'period: "2027/28"' in text
    path = folder / "section11-2027-28.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def open_ws(folder: Path, forms: FormRegistry) -> Workspace:
    ws = Workspace.open(folder, forms=forms)
    ws.bind()
    return ws


@pytest.fixture
def bu_a(
    request: pytest.FixtureRequest, engine: str, tmp_path: Path, shipped_forms: FormRegistry
) -> Iterator[Workspace]:
    """The BSCP's Business Unit, on each engine in turn (``helpers.engines``)."""
    ws = open_bu(request, engine, tmp_path / "bu-a", shipped_forms)
    ws.bind()
    partnership_admin.init(
        ws,
        name="Buckinghamshire Safeguarding Children Partnership",
        short_name="BSCP",
        passphrase=PASSPHRASE,
        members=[(AGENCY, "health"), ("Thames Valley Police", "police")],
        contact_name="Jo Bloggs",
        contact_email="jo.bloggs@bscp.example",
    )
    partnership_admin.add_form(ws, next_year_form(tmp_path), period="2027/28", deadline=date(2028, 4, 30))
    yield ws
    ws.close()


@pytest.fixture
def bu_b(
    request: pytest.FixtureRequest, engine: str, tmp_path: Path, shipped_forms: FormRegistry
) -> Iterator[Workspace]:
    """The MKSCP's Business Unit, on the same engine as ``bu_a``."""
    ws = open_bu(request, engine, tmp_path / "bu-b", shipped_forms)
    ws.bind()
    partnership_admin.init(
        ws,
        name="Milton Keynes Safeguarding Children Partnership",
        short_name="MKSCP",
        passphrase=PASSPHRASE,
        members=[(AGENCY, "health")],
    )
    yield ws
    ws.close()


def publish(ws: Workspace, path: Path) -> Path:
    partnership_admin.publish(ws, path, passphrase=PASSPHRASE)
    return path


def fingerprint(ws: Workspace) -> str:
    return partnership_admin.current_identity(ws).fingerprint


@pytest.fixture
def pack_a(bu_a: Workspace, tmp_path: Path) -> Path:
    return publish(bu_a, tmp_path / "bscp.oscbpack")


@pytest.fixture
def agency_ws(workspace: Workspace) -> Workspace:
    create_agency(workspace, AGENCY, sector="health", lead_name="Sam Lead", lead_email="sam.lead@example.org")
    return workspace


def agency_id(ws: Workspace) -> int:
    return list_agencies(ws)[0].id


def tables(ws: Workspace) -> dict[str, list[Any]]:
    """What a refused pack must leave as it was (read with the engine's own client where it can be)."""
    names = ("partnership", "partnership_form", "submission")
    if ws.engine == "postgresql":
        return {t: [tuple(r) for r in ws.db.execute_sql(f"SELECT * FROM {t} ORDER BY 1").fetchall()] for t in names}
    with sqlite3.connect(ws.folder / "workspace.db") as db:
        return {t: db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in names}


def bu_key(ws: Workspace) -> UnlockedKey:
    """The Business Unit's key, unlocked (it opens the encrypted bundles sent to it)."""
    return partnership_admin.unlock(partnership_admin.current_identity(ws), PASSPHRASE)


def sign_and_export(ws: Workspace, sub_id: str, out: Path, *, encrypt: bool = True) -> Path:
    """Sign the return off and export it; the path written (``….oscb.p7m`` when encrypted for its partnership)."""
    if identities.current(ws, agency_id(ws)) is None:
        identities.create(ws, agency_id(ws), person_name="Jo Director", role="Director", email=None,
                          passphrase=PASSPHRASE)  # fmt: skip
    signoff.sign_off(ws, sub_id, signatory_name="Jo Director", signatory_role="Director", passphrase=PASSPHRASE)
    return signoff.export(ws, sub_id, out, passphrase=PASSPHRASE, encrypt=encrypt).path

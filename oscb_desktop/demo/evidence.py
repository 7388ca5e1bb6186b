"""Evidence files on the demo's Section 11 statements: a one-page policy PDF, board minutes, a training figures
spreadsheet (CSV), and one near-empty note. The prose is in ``resources/demo/evidence.yaml``.

Every third agency attaches its policy and minutes to last year's return; half of those keep last year's policy
this year as it was (so the Business Unit sees the "same file as last year" hint), the others attach a new
version. Every third agency from the second attaches training figures each year; the second agency also attaches
a note that only says the audit report will follow (the "near-empty" hint). Files are made deterministically
(the same agency and period give the same bytes), so the same seed gives the same demo.
"""

from __future__ import annotations

import functools
import random
import tempfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from oscb_desktop.demo import data
from oscb_desktop.demo.people import DemoAgency, Period, fill
from oscb_desktop.forms import FormDefinition
from oscb_desktop.forms import files as ef
from oscb_desktop.services import evidence, returns
from oscb_desktop.services.workspace import Workspace

FILE = "evidence.yaml"
POLICY, MINUTES, TRAINING, NEAR_EMPTY = "policy", "minutes", "training", "near_empty"


@dataclass(frozen=True)
class FileTemplate:
    statement: str
    name: str
    #: A text file's contents, or None for a PDF.
    text: str | None
    pdf_title: str = ""
    pdf_paragraphs: tuple[str, ...] = ()
    #: For a table of figures (``{rows}``): its teams and courses.
    teams: tuple[str, ...] = ()
    courses: tuple[str, ...] = ()


@functools.cache
def load() -> dict[str, FileTemplate]:
    """``evidence.yaml``, read and checked once."""
    top = data.read(FILE)
    out = {}
    for key, node in top["files"].entries():
        pdf = node.get("pdf")
        out[key] = FileTemplate(
            statement=node["statement"].text(),
            name=node["name"].text(),
            text=node["text"].text() if pdf is None else None,
            pdf_title=pdf["title"].text() if pdf is not None else "",
            pdf_paragraphs=pdf["paragraphs"].texts() if pdf is not None else (),
            teams=node["teams"].texts() if node.get("teams") is not None else (),
            courses=node["courses"].texts() if node.get("courses") is not None else (),
        )
    for key in (POLICY, MINUTES, TRAINING, NEAR_EMPTY):
        top["files"][key]
    return out


@dataclass(frozen=True)
class EvidencePlan:
    #: Files attached to last year's return.
    history: tuple[str, ...] = ()
    #: Of those, the ones kept as they are this year (carried forward).
    keep: tuple[str, ...] = ()
    #: Files attached to this year's return (a new version replaces a carried one on the same statement).
    current: tuple[str, ...] = ()


def plan(ag: DemoAgency) -> EvidencePlan:
    i = ag.index
    if i % 3 == 0:
        keep = (POLICY,) if i % 2 == 0 else ()
        return EvidencePlan((POLICY, MINUTES), keep, (MINUTES,) if keep else (POLICY, MINUTES))
    if i % 3 == 1:
        return EvidencePlan((TRAINING,), (), (TRAINING, NEAR_EMPTY) if i == 1 else (TRAINING,))
    return EvidencePlan()


def keep_carried(form: FormDefinition, ag: DemoAgency, item_id: str, carried: Any, wanted: Any) -> Any:
    """This year's planned answer to a statement, with last year's files if the agency keeps them."""
    item = form.item(item_id)
    files = ef.files_of(item, carried)
    keys = [k for k in plan(ag).keep if load()[k].statement == item_id]
    if not files or not keys or not isinstance(wanted, dict):
        return wanted
    return ef.with_files(item, wanted, files)


def attach(ws: Workspace, sub_id: str, form: FormDefinition, ag: DemoAgency, period: Period, *, history: bool) -> None:
    """Attach the agency's planned files for ``period`` to the statements it has rated (not those it marked not
    applicable), through the services, as someone dragging them into the editor would."""
    chosen = plan(ag).history if history else plan(ag).current
    if not chosen:
        return
    templates = load()
    with tempfile.TemporaryDirectory(prefix="oscb-demo-evidence-") as tmp:
        for n, key in enumerate(chosen):
            t = templates[key]
            if not form.has_item(t.statement):
                continue
            item = form.item(t.statement)
            value = returns.load_answers(ws, sub_id).get(item.id)
            if not isinstance(value, dict) or value.get("level") in (None, "", "na"):
                continue
            fields = _fields(ag, period, t)
            path = Path(tmp) / _file_name(t, fields)
            path.write_bytes(_contents(t, fields))
            kept = [f for f in ef.files_of(item, value) if not f.get("carried")]  # a new version replaces last year's
            stored = evidence.store_file(ws, sub_id, item.id, path, current=kept)
            entry = {**stored.as_entry(), "added": _added(ag, period, n, history=history)}
            returns.save_answers(ws, sub_id, {item.id: ef.with_files(item, value, [*kept, entry])}, action="add-file")


def _file_name(t: FileTemplate, fields: dict[str, Any]) -> str:
    return fill(t.name, fields).replace("/", "-").replace("\\", "-")


def _fields(ag: DemoAgency, period: Period, t: FileTemplate) -> dict[str, Any]:
    rng = random.Random(f"{ag.name} {period.period}")
    f: dict[str, Any] = dict(ag.words)
    f.update(
        name=ag.name,
        period=period.period,
        period_file=period.period.replace("/", "-"),
        year=period.year,
        a=rng.randint(2, 6),
        b=rng.randint(30, 180),
    )
    f["c_pct"] = f"{rng.uniform(78, 97):.0f}%"
    rows = []
    for team in t.teams:
        for course in t.courses:
            total = rng.randint(8, 120)
            done = round(total * rng.uniform(0.72, 1.0))
            rows.append(f"{team},{course},{total},{done},{100 * done / total:.0f}%")
    f["rows"] = "\n".join(rows)
    return f


def _contents(t: FileTemplate, fields: dict[str, Any]) -> bytes:
    if t.text is not None:
        return t.text.format_map(fields).encode("utf-8")
    buffer = BytesIO()
    styles = getSampleStyleSheet()
    title = fill(t.pdf_title, fields)
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        title=title,
        author=str(fields["name"]),
        invariant=True,  # the same bytes every time: the same seed gives the same demo
    )
    story: list[Any] = [Paragraph(title, styles["Title"]), Spacer(1, 4 * mm)]
    story += [Paragraph(fill(p, fields), styles["BodyText"]) for p in t.pdf_paragraphs]
    doc.build(story)
    return buffer.getvalue()


def _added(ag: DemoAgency, period: Period, n: int, *, history: bool) -> str:
    """When the file was attached: in the run-up to last year's deadline, or this autumn."""
    day = 3 + (ag.index * 3 + n * 5) % 24
    year, month = (period.year + 1, 2) if history else (period.year, 10)
    return f"{year}-{month:02d}-{day:02d}T{9 + n:02d}:{(ag.index * 7) % 60:02d}:00.000Z"

"""The board report's outputs, read back as their readers would: the PDF with poppler, the spreadsheet with openpyxl.

The realistic case collates signed bundles made by the demo generator; small hand-made inputs cover
an empty period and agencies' text that could break a layout or turn into a spreadsheet formula.
``pdftotext``, ``pdfinfo`` and ``pdffonts`` come from poppler-utils (installed in CI).
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from helpers.collation import read_bundles
from helpers.pdf import run, squash
from openpyxl import load_workbook

from oscb_desktop import demo
from oscb_desktop.collate import Collation, CollationInput, RegisteredAgency, ReturnRecord, collate
from oscb_desktop.forms import FormRegistry
from oscb_desktop.report.board import render_collation_pdf
from oscb_desktop.report.collation_xlsx import IMPACT_HEADER, RATINGS_HEADER, SHEETS, write_collation_xlsx
from oscb_desktop.services.workspace import Workspace, partnership

PERIOD = "2026/27"
AS_OF = date(2026, 12, 1)
AGENCIES = 10


def _pages(path: Path) -> list[str]:
    """The text of each page, whitespace squashed (names wrap inside table cells)."""
    return [squash(page) for page in run("pdftotext", "-enc", "UTF-8", str(path), "-").split("\f")[:-1]]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("collation-outputs")


@pytest.fixture(scope="module")
def collation(folder: Path, shipped_forms: FormRegistry) -> Collation:
    ws = Workspace.open(folder / "ws", forms=shipped_forms)
    ws.bind()
    try:
        summary = demo.generate(ws, agencies=AGENCIES, sign_all=True)
        demo.export_signed(ws, folder / "bundles")
    finally:
        ws.close()
    records = read_bundles(folder / "bundles")
    sectors = {r.agency: r.sector for r in records}
    # One statement moderated differently, so the matrix shows a moderated cell.
    first = next(r for r in records if r.form_id == "section11" and r.period == PERIOD)
    records = [dataclasses.replace(r, moderated={"s1": "red"}) if r is first else r for r in records]
    p = partnership()
    inp = CollationInput(
        period=PERIOD,
        forms=shipped_forms,
        returns=records,
        agencies=[RegisteredAgency(name, sectors[name]) for name in summary.agency_names],
        sector_labels=p.sectors,
        partnership=p.name,
    )
    return collate(inp, as_of=AS_OF)


@pytest.fixture(scope="module")
def pdf_path(folder: Path, collation: Collation) -> Path:
    path = folder / "report.pdf"
    path.write_bytes(render_collation_pdf(collation))
    return path


@pytest.fixture(scope="module")
def xlsx_path(folder: Path, collation: Collation) -> Path:
    path = folder / "report.xlsx"
    write_collation_xlsx(collation, path)
    return path


# --- PDF ------------------------------------------------------------------------------------------


def test_pdf_has_the_headline_top_pressures_and_many_pages(pdf_path: Path, collation: Collation) -> None:
    pages = _pages(pdf_path)
    assert len(pages) > 3
    assert pdf_path.read_bytes().startswith(b"%PDF-")
    text = " ".join(pages)
    pressures, enablers = collation.impact.pressures, collation.impact.enablers
    assert pressures is not None and enablers is not None
    assert f"Top three pressures: {'; '.join(t.label for t in pressures.top())}." in text
    assert enablers.top()[0].label in text
    assert "Headline figures" in text and "How the figures are worked out" in text
    for st in collation.standards:
        assert f"{st.code} {st.title}" in text
    for n, page in enumerate(pages[1:], start=2):  # every page but the cover is numbered
        assert f"Page {n} of {len(pages)}" in page
        assert collation.partnership in page and PERIOD in page


def test_pdf_matrix_names_every_agency(pdf_path: Path, collation: Collation) -> None:
    pages = _pages(pdf_path)
    start = next(n for n, p in enumerate(pages) if "Each agency's level for each standard" in p)
    end = next(n for n in range(start, len(pages)) if "Levels:" in pages[n])
    matrix = " ".join(pages[start : end + 1])
    for row in collation.matrix:
        assert row.agency in matrix
    assert re.search(r"(^| )[BGAR][▲▼]?/R( |$)", matrix)  # the moderated cell, in letters
    assert "S11" in matrix and "Levels: B Blue (100%); G Green (75%)" in matrix


def test_pdf_quotes_agencies_and_lists_overdue_actions(pdf_path: Path, collation: Collation) -> None:
    text = " ".join(_pages(pdf_path))
    pressures = collation.impact.pressures
    assert pressures is not None
    quote = pressures.top()[0].quotes[0]
    assert squash(quote.text) in text and quote.agency in text
    overdue = collation.overdue_actions
    assert overdue
    assert squash(overdue[0].action) in text
    assert text.count("Overdue") >= len(overdue)


def test_pdf_fonts_are_embedded_and_metadata_is_set(pdf_path: Path) -> None:
    fonts = run("pdffonts", str(pdf_path)).splitlines()[2:]
    assert fonts and all("DejaVuSans" in line and " yes " in line for line in fonts), fonts
    info = run("pdfinfo", "-enc", "UTF-8", str(pdf_path))
    assert f"Title:           Safeguarding assurance report {PERIOD}" in info
    assert "Page size:       595.276 x 841.89 pts (A4)" in info
    assert "Author:          Oxfordshire Safeguarding Children Board" in info


# --- XLSX -----------------------------------------------------------------------------------------


def test_xlsx_sheets_headers_and_rows(xlsx_path: Path, collation: Collation, shipped_forms: FormRegistry) -> None:
    wb = load_workbook(xlsx_path)
    assert wb.sheetnames == list(SHEETS) == ["Summary", "Ratings", "Actions", "Impact", "Matrix"]
    statements = sum(1 for i in shipped_forms.get("section11", "2026.1").items() if i.type == "rating")
    ratings = wb["Ratings"]
    assert [c.value for c in ratings[1]] == list(RATINGS_HEADER)
    assert ratings.max_row - 1 == AGENCIES * statements
    assert [c.value for c in wb["Impact"][1]] == list(IMPACT_HEADER)
    assert wb["Impact"].max_row - 1 == len(collation.impact.answers)
    assert wb["Actions"].max_row - 1 == len(collation.actions)
    for ws in wb:
        assert all(c.font.bold for c in ws[1] if c.value is not None), ws.title
        assert ws.freeze_panes in ("A2", "B2"), ws.title
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), ws.title
    assert wb["Ratings"].column_dimensions["H"].width >= 40  # statements are readable


def test_xlsx_values_agree_with_the_collation(xlsx_path: Path, collation: Collation) -> None:
    wb = load_workbook(xlsx_path)
    rows = list(wb["Ratings"].iter_rows(min_row=2, values_only=True))
    first = collation.ratings[0]
    assert rows[0][0] == first.agency and rows[0][6] == first.statement_id
    assert rows[0][8] == (first.self_level.label if first.self_level else None)
    levels = {r[8] for r in rows}
    assert levels <= {"Blue", "Green", "Amber", "Red", "Not applicable", None}
    moderated = [r for r in rows if r[10]]
    assert {r[10] for r in moderated} == {"Red"} and {r[5] for r in moderated} == {collation.standard("s1").title}
    matrix = {r[0]: r for r in wb["Matrix"].iter_rows(min_row=2, max_row=len(collation.matrix) + 1, values_only=True)}
    assert set(matrix) == {row.agency for row in collation.matrix}
    assert any(" / Red" in str(v) for r in matrix.values() for v in r[4:])
    summary = {r[0]: r[1] for r in wb["Summary"].iter_rows(min_row=2, values_only=True) if r[0]}
    pressures = collation.impact.pressures
    assert pressures is not None
    assert summary["Top pressure 1"] == pressures.top()[0].label
    assert summary["Actions overdue"] == len(collation.overdue_actions)
    assert summary["Agencies on the register"] == AGENCIES
    overdue = [r for r in wb["Actions"].iter_rows(min_row=2, values_only=True) if r[8] == "Yes"]
    assert len(overdue) == len(collation.overdue_actions)


def test_xlsx_replaces_a_file_whole(folder: Path, collation: Collation) -> None:
    path = folder / "again.xlsx"
    path.write_bytes(b"an older report")
    write_collation_xlsx(collation, path)
    assert load_workbook(path).sheetnames == list(SHEETS)
    assert [p.name for p in folder.iterdir() if p.name.startswith(".again.xlsx")] == []  # no temporary left


# --- Hand-made inputs -------------------------------------------------------------------------------


def _input(forms: FormRegistry, returns: list[ReturnRecord], agencies: list[str]) -> CollationInput:
    return CollationInput(
        period=PERIOD,
        forms=forms,
        returns=returns,
        agencies=[RegisteredAgency(n, "voluntary") for n in agencies],
        sector_labels={"voluntary": "Voluntary and community sector"},
        partnership="Test Partnership",
    )


def test_an_empty_period_still_makes_both_documents(tmp_path: Path, shipped_forms: FormRegistry) -> None:
    c = collate(_input(shipped_forms, [], ["Nobody Yet Trust"]), as_of=AS_OF)
    pdf = tmp_path / "empty.pdf"
    pdf.write_bytes(render_collation_pdf(c))
    text = " ".join(_pages(pdf))
    assert "No Section 11 return received" in text and "Nobody Yet Trust" in text
    assert "No impact assessments were received for this period." in text
    write_collation_xlsx(c, tmp_path / "empty.xlsx")
    wb = load_workbook(tmp_path / "empty.xlsx")
    assert wb.sheetnames == list(SHEETS) and wb["Ratings"].max_row == 1


def test_agencies_text_is_printed_as_written_and_never_a_formula(tmp_path: Path, shipped_forms: FormRegistry) -> None:
    form = shipped_forms.get("section11", "2026.1")
    name = "Smith & Jones <Care> Trust – Łódź"
    answers: dict[str, Any] = {i.id: {"level": "amber", "evidence": "e"} for i in form.items() if i.type == "rating"}
    answers["s1.actions"] = [
        {"action": '=HYPERLINK("http://example.com")\x07 ' + "very long action " * 60, "due": "2026-01-01"},
    ]
    impact = {
        "impact.pressures": [{"category": "other", "text": "@SUM(A1) <b>not bold</b>\n\nSecond paragraph."}],
        "impact.escalate": True,
        "impact.risks": [{"risk": "+risk", "likelihood": "high"}],
    }
    records = [
        ReturnRecord(name, "voluntary", "section11", "2026.1", PERIOD, 1, "s", answers),
        ReturnRecord(name, "voluntary", "impact", "2026.1", PERIOD, 1, "i", impact),
    ]
    c = collate(_input(shipped_forms, records, [name]), as_of=AS_OF)
    pdf = tmp_path / "odd.pdf"
    pdf.write_bytes(render_collation_pdf(c))
    text = " ".join(_pages(pdf))
    assert name in text and "<b>not bold</b>" in text and "=HYPERLINK" in text
    path = tmp_path / "odd.xlsx"
    write_collation_xlsx(c, path)
    wb = load_workbook(path)
    action = wb["Actions"]["D2"]
    assert action.data_type == "s" and action.value.startswith('=HYPERLINK("http://example.com") very long')
    assert wb["Impact"]["E2"].value.startswith("@SUM(A1)") and wb["Impact"]["E2"].data_type == "s"
    assert wb["Matrix"]["A2"].value == name


def test_every_rating_bar_has_its_counts_written_beside_it(pdf_path: Path, collation: Collation) -> None:
    """Colour is never the only carrier: a one-rating Red segment is too narrow for a label inside it, so the
    counts of every level are written out beside each bar."""
    page = next(p for p in _pages(pdf_path) if "How the agencies rated the statements of each standard" in p)
    abbr = {"blue": "B", "green": "G", "amber": "A", "red": "R", "na": "N/A"}
    assert collation.scale is not None
    order = [level.id for level in collation.scale.choices]
    for st in collation.standards:
        written = " · ".join(f"{abbr[level]} {st.counts[level]}" for level in order if st.counts.get(level))
        assert written in page, f"{st.code}: {written!r} is not beside its bar"

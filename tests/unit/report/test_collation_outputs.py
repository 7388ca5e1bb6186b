"""The board report's outputs, read back as their readers would: the PDF with poppler, the spreadsheet with openpyxl.

The realistic case collates signed bundles made by the demo generator; small hand-made inputs cover
an empty period and agencies' text that could break a layout or turn into a spreadsheet formula.
``pdftotext``, ``pdfinfo`` and ``pdffonts`` come from poppler-utils (installed in CI).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from helpers.pdf import run, squash
from openpyxl import load_workbook

from oscb_desktop.collate import Collation, CollationInput, RegisteredAgency, ReturnRecord, collate
from oscb_desktop.forms import FormRegistry
from oscb_desktop.report.board import render_collation_pdf
from oscb_desktop.report.collation_xlsx import IMPACT_HEADER, RATINGS_HEADER, SHEETS, write_collation_xlsx

#: As in conftest.py, which makes the collation.
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
    assert wb.sheetnames == list(SHEETS)
    assert wb.sheetnames == [
        "Summary",
        "Standards",
        "Ratings",
        "Actions",
        "Pressures and enablers",
        "Impact",
        "Matrix",
        "Not received",
        "Practitioners",
        "Practitioners by sector",
        "Divergences",
    ]
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
        assert ws.print_title_rows == "$1:$1", ws.title
        widths = [d.width for d in ws.column_dimensions.values() if d.width]
        assert widths and all(8 <= w <= 90 for w in widths), ws.title
    assert wb["Ratings"].column_dimensions["J"].width >= 40  # statements are readable
    assert wb["Summary"].max_row - 1 < 40  # the standards are on their own sheet now, not below the figures


def _columns(ws: Any) -> dict[str, int]:
    return {c.value: n for n, c in enumerate(ws[1]) if c.value is not None}


def test_xlsx_values_agree_with_the_collation(xlsx_path: Path, collation: Collation) -> None:
    wb = load_workbook(xlsx_path)
    col = _columns(wb["Ratings"])
    rows = list(wb["Ratings"].iter_rows(min_row=2, values_only=True))
    for row, r in zip(rows, collation.ratings, strict=True):
        assert (row[col["Agency"]], row[col["Statement id"]]) == (r.agency, r.statement_id)
        assert (row[col["Standard code"]], row[col["Statement code"]]) == (r.standard_code, r.statement_code)
        assert row[col["Self rating"]] == (r.self_level.label if r.self_level else None)
    assert rows[0][col["Standard code"]] == "S1" and rows[0][col["Statement code"]] == "S1.1"
    levels = {r[col["Self rating"]] for r in rows}
    assert levels <= {"Blue", "Green", "Amber", "Red", "Not applicable", None}
    moderated = [r for r in rows if r[col["Moderated rating"]]]
    assert {r[col["Moderated rating"]] for r in moderated} == {"Red"}
    assert {r[col["Standard"]] for r in moderated} == {collation.standard("s1").title}
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


def test_xlsx_standards_sheet_matches_the_collation(xlsx_path: Path, collation: Collation) -> None:
    ws = load_workbook(xlsx_path)["Standards"]
    col = _columns(ws)
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(collation.standards)
    assert collation.scale is not None
    good = collation.standards[0].good_label
    for row, st in zip(rows, collation.standards, strict=True):
        assert row[col["Standard"]] == f"{st.code} {st.title}"
        for level in collation.scale.choices:
            assert row[col[level.label]] == st.counts.get(level.id, 0), (st.code, level.id)
        assert row[col["Mean %"]] == pytest.approx(st.mean, abs=0.05)
        assert row[col[f"Share {good}"]] == pytest.approx(st.good_share)
        assert (row[col["Rated"]], row[col[good]], row[col["Not rated"]]) == (st.rated, st.good, st.unanswered)
        y = st.year_on_year
        assert (row[col["Improved"]], row[col["Same"]], row[col["Declined"]]) == (y.improved, y.same, y.declined)
        assert (row[col["Actions"]], row[col["Overdue actions"]]) == (st.actions, st.overdue_actions)
    assert ws.cell(2, col[f"Share {good}"] + 1).number_format == "0%"


def _ref_rows(ref: str) -> int:
    """How many rows a chart reference such as 'Standards'!$A$2:$A$12 spans."""
    first, last = (int(re.sub(r"\D", "", part.split("$")[-1])) for part in ref.split("!")[1].split(":"))
    return last - first + 1


def test_xlsx_charts_are_native_with_a_series_per_level(xlsx_path: Path, collation: Collation) -> None:
    wb = load_workbook(xlsx_path)
    assert collation.scale is not None
    (chart,) = wb["Standards"]._charts
    assert chart.tagname == "barChart" and chart.grouping == "percentStacked" and chart.type == "bar"
    levels = list(collation.scale.choices)
    unrated = any(st.unanswered for st in collation.standards)
    assert len(chart.series) == len(levels) + unrated
    for series, level in zip(chart.series, levels, strict=False):
        assert series.tx.strRef.f.startswith("'Standards'!")
        assert series.graphicalProperties.solidFill.srgbClr == level.colour.lstrip("#").upper()
        assert _ref_rows(series.cat.strRef.f) == len(collation.standards)
        assert series.dLbls.showVal  # counts written on the segments, colour is not the only carrier
    named = [wb["Standards"][s.tx.strRef.f.split("!")[1].replace("$", "")].value for s in chart.series]
    assert named[: len(levels)] == [lv.label for lv in levels]

    sheet = wb["Pressures and enablers"]
    charts = sheet._charts
    ranked = [q for q in collation.impact.ranked if q.themes]
    assert len(charts) == len(ranked) == 2
    for chart, q in zip(charts, ranked, strict=True):
        (series,) = chart.series
        assert _ref_rows(series.cat.strRef.f) == len(q.themes)
        assert _ref_rows(series.val.numRef.f) == len(q.themes)
        assert len(series.dPt) == 3  # the top three in the darker colour
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    pressures = collation.impact.pressures
    assert pressures is not None
    mine = [r for r in rows if r[0] == "Pressures"]
    assert [(r[2], r[3], r[4]) for r in mine] == [(t.label, t.points, t.agencies) for t in pressures.themes]
    assert [r[6] for r in mine[:4]] == ["Yes", "Yes", "Yes", "No"]


def test_xlsx_not_received_lists_the_agencies_to_chase(xlsx_path: Path, collation: Collation) -> None:
    ws = load_workbook(xlsx_path)["Not received"]
    missing = {a for f in collation.headline.forms for a in f.not_received}
    listed = [r[0] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert sorted(listed) == sorted(missing)


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
    assert wb["Standards"]._charts == [] and wb["Pressures and enablers"]._charts == []  # no empty charts
    assert [r[0] for r in wb["Not received"].iter_rows(min_row=2, values_only=True)] == ["Nobody Yet Trust"]


def test_not_received_names_each_missing_form(tmp_path: Path, shipped_forms: FormRegistry) -> None:
    form = shipped_forms.get("section11", "2026.1")
    answers: dict[str, Any] = {i.id: {"level": "green", "evidence": "e"} for i in form.items() if i.type == "rating"}
    records = [
        ReturnRecord("Both Forms Trust", "voluntary", "section11", "2026.1", PERIOD, 1, "a", answers),
        ReturnRecord("Both Forms Trust", "voluntary", "impact", "2026.1", PERIOD, 1, "b", {}),
        ReturnRecord("Half Done Trust", "voluntary", "section11", "2026.1", PERIOD, 1, "c", answers),
    ]
    c = collate(_input(shipped_forms, records, ["Both Forms Trust", "Half Done Trust", "=Silent Trust"]), as_of=AS_OF)
    path = tmp_path / "chase.xlsx"
    write_collation_xlsx(c, path)
    ws = load_workbook(path)["Not received"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    s11, impact = (f.title for f in c.headline.forms)
    assert rows == [  # in the matrix's order: by sector, then by name
        ("=Silent Trust", "Voluntary and community sector", f"{s11}; {impact}", "Yes"),
        ("Half Done Trust", "Voluntary and community sector", impact, "No"),
    ]
    assert ws["A2"].data_type == "s"  # a name that starts with "=" is text, not a formula


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

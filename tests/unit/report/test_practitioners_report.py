"""The board report's "What practitioners said" in PDF, Word and spreadsheet: the collation's figures, and no
count of a small group in any of them."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from docx import Document
from helpers.pdf import run, squash
from helpers.survey_kit import survey_collation
from openpyxl import load_workbook

from oscb_desktop.collate import Collation
from oscb_desktop.forms import FormRegistry
from oscb_desktop.report.board import render_collation_pdf
from oscb_desktop.report.board_docx import render_board_docx
from oscb_desktop.report.collation_xlsx import write_collation_xlsx

#: "Label: 3" — an answer's count under the threshold shown as a number.
SMALL = re.compile(
    r"(?<![0-9])(Yes|No|Not sure|agree|disagree|Agree|Disagree|adults|do|role|volunteer): [0-4](?![0-9])"
)


@pytest.fixture(scope="module")
def collation(shipped_forms: FormRegistry) -> Collation:
    return survey_collation(shipped_forms)[0]


def _chapter(text: str) -> str:
    start = text.rindex("What practitioners said")
    return text[start:]


def test_pdf_chapter(collation: Collation, tmp_path: Path) -> None:
    pdf = tmp_path / "board.pdf"
    pdf.write_bytes(render_collation_pdf(collation))
    text = squash(run("pdftotext", str(pdf), "-"))
    chapter = _chapter(text)
    p = collation.practitioners
    assert p is not None
    assert f"{p.respondents} practitioners in all (1 agency had fewer than 5 respondents" in chapter
    trained = next(q for q in p.questions if q.id == "learning.trained")
    assert f"Yes: {trained.answers[0][1].words}" in chapter
    assert "at least" in chapter and "By sector" in chapter and "too few answers to show" in chapter
    assert "Where ratings and practitioners diverge" in chapter and "Southbank Council" in chapter
    assert not SMALL.search(chapter), SMALL.search(chapter)


def test_docx_chapter(collation: Collation) -> None:
    doc = Document(io.BytesIO(render_board_docx(collation)))
    headings = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "Heading 1"]
    assert "What practitioners said" in headings
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    text = " ".join(cells)
    assert "Southbank Council" in text and "at least" in text
    assert not SMALL.search(text)


def test_xlsx_sheets(collation: Collation, tmp_path: Path) -> None:
    path = tmp_path / "c.xlsx"
    write_collation_xlsx(collation, path)
    wb = load_workbook(path)
    ws = wb["Practitioners"]
    header = [c.value for c in ws[1]]
    assert header[:5] == ["Question code", "Question", "Bears on", "Answer", "Practitioners"]
    values = [row[4] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert values
    for v in values:
        assert (isinstance(v, int) and v >= 5) or (isinstance(v, str) and v.startswith(("at least", "fewer than")))
    # the tiny charity's counts are all hidden, so every partnership count is a lower bound, never under 5
    for v in values:
        if isinstance(v, str) and v.startswith("at least"):
            assert int(v.split()[-1]) >= 5
    agencies = [row[0] for row in wb["Divergences"].iter_rows(min_row=2, values_only=True)]
    assert set(agencies) == {"Southbank Council"}
    assert wb["Practitioners by sector"]["A1"].value == "Question code"


def test_year_on_year_in_pdf_and_docx(shipped_forms: FormRegistry, tmp_path: Path) -> None:
    c = survey_collation(shipped_forms, earlier=True)[0]
    pdf = tmp_path / "board.pdf"
    pdf.write_bytes(render_collation_pdf(c))
    chapter = _chapter(squash(run("pdftotext", str(pdf), "-")))
    assert "Year on year" in chapter and "2025/26" in chapter and "This year" in chapter
    doc = Document(io.BytesIO(render_board_docx(c)))
    assert "Year on year" in [p.text for p in doc.paragraphs]

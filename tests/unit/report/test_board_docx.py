"""The board report as a Word document, read back with python-docx as Word would read it: real headings in the PDF's
order, tables with header rows, pictures with alternative text, and the collation's figures.

The realistic case collates the demo's signed bundles (conftest.py); a hand-made input covers agencies' text that
could turn into markup or break the XML.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader

from oscb_desktop.collate import Collation, CollationInput, RegisteredAgency, ReturnRecord, collate
from oscb_desktop.forms import FormRegistry
from oscb_desktop.report.board import render_collation_pdf
from oscb_desktop.report.board_docx import CHAPTERS, render_board_docx, write_board_docx
from oscb_desktop.report.words import mean, share

PERIOD = "2026/27"
AS_OF = date(2026, 12, 1)


@pytest.fixture(scope="module")
def docx_bytes(collation: Collation) -> bytes:
    return render_board_docx(collation)


@pytest.fixture
def doc(docx_bytes: bytes) -> DocxDocument:
    return Document(io.BytesIO(docx_bytes))


def headings(doc: DocxDocument) -> list[tuple[int, str]]:
    """(level, text) of every heading paragraph, in order."""
    out = []
    for p in doc.paragraphs:
        name = p.style.name if p.style is not None else ""
        if name.startswith("Heading "):
            out.append((int(name.split()[1]), p.text))
    return out


def pdf_outline(pdf: bytes) -> list[tuple[str, list[str]]]:
    """The PDF's bookmarks: each chapter with the sections under it."""
    reader = PdfFileReader(io.BytesIO(pdf))

    def titles(node: Any) -> list[tuple[str, Any]]:
        out = []
        while node is not None:
            node = node.get_object()
            out.append((str(node["/Title"]), node.get("/First")))
            node = node.get("/Next")
        return out

    return [(title, [t for t, _ in titles(first)]) for title, first in titles(reader.root["/Outlines"]["/First"])]


def table_rows(table: Any) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def doc_text(doc: DocxDocument) -> str:
    return "".join(doc.element.body.itertext())


def test_opens_with_its_properties(doc: DocxDocument, collation: Collation) -> None:
    props = doc.core_properties
    assert props.title == f"Safeguarding assurance report {PERIOD} — {collation.partnership}"
    assert props.subject == collation.partnership
    assert props.author == "OSCB Desktop"
    assert props.language == "en-GB"
    assert doc.paragraphs[0].style is not None and doc.paragraphs[0].style.name == "Title"
    section = doc.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297  # A4


def test_headings_are_real_and_in_the_pdfs_order(doc: DocxDocument, collation: Collation) -> None:
    found = headings(doc)
    chapters = [text for level, text in found if level == 1]
    outline = pdf_outline(render_collation_pdf(collation))
    assert chapters == [title for title, _ in outline] == list(CHAPTERS)
    # Each chapter's sections in the PDF's bookmarks are Heading 2s under the same chapter, in the same order.
    under: dict[str, list[str]] = {}
    chapter = ""
    for level, text in found:
        if level == 1:
            chapter = text
        elif level == 2:
            under.setdefault(chapter, []).append(text)
    for title, sections in outline:
        mine = iter(under.get(title, []))
        assert all(any(s == t for t in mine) for s in sections), (title, sections, under.get(title))
    # The contents field lists the chapters.
    assert all(title in doc_text(doc) for title in chapters)
    assert 'TOC \\o "1-1"' in doc_text(doc)


def test_every_table_has_a_header_row(doc: DocxDocument) -> None:
    assert len(doc.tables) > 15
    for table in doc.tables:
        rows = table._tbl.tr_lst
        assert rows[0].trPr is not None and rows[0].trPr.find(qn("w:tblHeader")) is not None
        assert all(r.trPr is None or r.trPr.find(qn("w:tblHeader")) is None for r in rows[1:])
        runs = [run for cell in table.rows[0].cells for p in cell.paragraphs for run in p.runs if run.text.strip()]
        assert runs and all(run.bold for run in runs)


def test_every_picture_has_alternative_text(doc: DocxDocument, collation: Collation) -> None:
    pictures = doc.inline_shapes
    ranked = [q for q in collation.impact.ranked if q.themes]
    assert len(pictures) == 1 + len(ranked) + bool(collation.impact.improvement_themes)
    for shape in pictures:
        doc_pr = shape._inline.docPr
        assert len(doc_pr.get("descr", "")) > 40 and doc_pr.get("title")
        blob = doc.part.related_parts[shape._inline.graphic.graphicData.pic.blipFill.blip.embed].blob
        image = Image.open(io.BytesIO(blob))
        assert image.format == "PNG" and image.width > 1000  # sharp enough to print
        assert shape.width.mm == pytest.approx(170, abs=0.5)
    distribution = pictures[0]._inline.docPr.get("descr")
    st = collation.standards[0]
    assert f"{st.code} {st.title}: Blue {st.counts['blue']}, Green {st.counts['green']}" in distribution
    pressures = collation.impact.pressures
    assert pressures is not None
    assert f"1. {pressures.themes[0].label}: {pressures.themes[0].points} pts" in pictures[1]._inline.docPr.get("descr")


def test_figures_agree_with_the_collation(doc: DocxDocument, collation: Collation) -> None:
    tables = [table_rows(t) for t in doc.tables]
    returns = next(t for t in tables if t[0][:3] == ["Form", "Deadline", "Received"])
    for row, f in zip(returns[1:], collation.headline.forms, strict=True):
        assert row[0] == f.title and row[2] == f"{len(f.returned)} of {collation.headline.registered}"
        assert row[3] == (str(len(f.on_time)) if f.on_time else "–")
    assert collation.scale is not None
    levels = list(collation.scale.choices)
    by_standard = next(t for t in tables if t[0][0] == "Standard" and "Mean" in t[0])
    assert len(by_standard) - 1 == len(collation.standards)
    for row, st in zip(by_standard[1:], collation.standards, strict=True):
        assert row[0] == f"{st.code} {st.title}"
        assert row[1 : 1 + len(levels)] == [str(st.counts.get(lv.id, 0) or "–") for lv in levels]
        assert row[1 + len(levels)] == share(st.good_share) and row[2 + len(levels)] == mean(st.mean)
    found = headings(doc)
    for question in (collation.impact.pressures, collation.impact.enablers):
        assert question is not None
        top = [f"{n}. {t.label}" for n, t in enumerate(question.top(), start=1)]
        assert all((3, text) in found for text in top)
    text = doc_text(doc)
    pressures = collation.impact.pressures
    assert pressures is not None
    assert f"Top three pressures: {'; '.join(t.label for t in pressures.top())}." in text
    quote = pressures.top()[0].quotes[0]
    assert f"“{quote.text}”" in text
    matrix = next(t for t in tables if t[0][0] == "Agency" and t[0][1] == collation.standards[0].code)
    names = {row[0].rstrip(" *") for row in matrix[1:]}
    assert {row.agency for row in collation.matrix} <= names


def test_written_whole_and_atomically(tmp_path: Path, collation: Collation) -> None:
    path = tmp_path / "board.docx"
    path.write_bytes(b"an older report")
    write_board_docx(collation, path)
    assert Document(str(path)).core_properties.author == "OSCB Desktop"
    assert [p.name for p in tmp_path.iterdir()] == ["board.docx"]  # no temporary left


def _input(forms: FormRegistry, returns: list[ReturnRecord], agencies: list[str]) -> CollationInput:
    return CollationInput(
        period=PERIOD,
        forms=forms,
        returns=returns,
        agencies=[RegisteredAgency(n, "voluntary") for n in agencies],
        sector_labels={"voluntary": "Voluntary and community sector"},
        partnership="Test & <Partnership>",
    )


def test_agencies_text_is_kept_as_text(shipped_forms: FormRegistry) -> None:
    form = shipped_forms.get("section11", "2026.1")
    name = "Smith & Jones <Care> Trust – Łódź"
    answers: dict[str, Any] = {i.id: {"level": "amber", "evidence": "e"} for i in form.items() if i.type == "rating"}
    answers["s1.actions"] = [{"action": '=HYPERLINK("http://example.com")\x07 <i>act</i>', "due": "2026-01-01"}]
    impact = {
        "impact.pressures": [{"category": "other", "text": "@SUM(A1) <b>not bold</b>\x0c &amp; more\n\nNext."}],
        "impact.escalate": True,
        "impact.risks": [{"risk": "+risk <font color='red'>", "likelihood": "high"}],
    }
    records = [
        ReturnRecord(name, "voluntary", "section11", "2026.1", PERIOD, 1, "s", answers),
        ReturnRecord(name, "voluntary", "impact", "2026.1", PERIOD, 1, "i", impact),
    ]
    c = collate(_input(shipped_forms, records, [name]), as_of=AS_OF)
    doc = Document(io.BytesIO(render_board_docx(c)))
    text = doc_text(doc)
    assert name in text
    assert '=HYPERLINK("http://example.com") <i>act</i>' in text  # the control character dropped, tags kept
    assert "@SUM(A1) <b>not bold</b> &amp; more" in text
    assert "+risk <font color='red'>" in text
    assert doc.core_properties.subject == "Test & <Partnership>"
    bold = [run.text for p in doc.paragraphs for run in p.runs if run.bold]
    assert "not bold" not in bold


def test_an_empty_period_has_the_pdfs_chapters(shipped_forms: FormRegistry) -> None:
    c = collate(_input(shipped_forms, [], ["Nobody Yet Trust"]), as_of=AS_OF)
    doc = Document(io.BytesIO(render_board_docx(c)))
    chapters = [text for level, text in headings(doc) if level == 1]
    assert chapters == [title for title, _ in pdf_outline(render_collation_pdf(c))]
    assert chapters == [CHAPTERS[0], CHAPTERS[2], CHAPTERS[3], CHAPTERS[-1]]  # no ratings: no charts or findings
    text = doc_text(doc)
    assert "No Section 11 return received" in text and "Nobody Yet Trust" in text
    assert "No impact assessments were received for this period." in text
    assert len(doc.inline_shapes) == 0

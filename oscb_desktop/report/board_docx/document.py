"""The pieces the Word board report is built of: real headings, paragraphs from the PDF's markup, tables whose
first row repeats as a header on every page, and pictures with alternative text.

Text reaches Word as text: python-docx escapes it for XML, and control characters that XML cannot hold are
removed first (:func:`oscb_desktop.report.house.text.clean`). Paragraph text shared with the PDF arrives as
the PDF's small markup (``<b>``, ``<i>``, ``<br/>``, ``<font color>``, with the user's text escaped): it is
split at those tags only, then unescaped, so an agency's "<b>" stays the four characters it typed.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.sax.saxutils import escape, unescape

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from oscb_desktop.report.house.text import clean

#: The house colours (:mod:`oscb_desktop.report.house.palette`) as Word wants them.
ACCENT = "1E3A5F"
INK = "1F2937"
MUTED = "4B5563"
HEAD_FILL = "E8EDF3"
STRIPE = "F6F8FA"
WARN = "B91C1C"

#: The document's font: Word's default.
FONT = "Calibri"

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN = Mm(20)
#: Left and right padding of table cells, in twentieths of a point (1.2 mm).
CELL_MARGIN = 68
#: The width of the text on the page, in millimetres.
BODY_MM = 170

_TAG = re.compile(r"(<b>|</b>|<i>|</i>|<br\s*/>|<font[^>]*>|</font>)")
_COLOUR = re.compile(r"color=['\"]#?([0-9a-fA-F]{6})['\"]")


def plain(text: object) -> str:
    """User text as markup (escaped), for the paragraph helpers."""
    return escape(clean(text)).replace("\n", "<br/>")


def add_markup(paragraph: Paragraph, markup: str, *, bold: bool = False, colour: str | None = None) -> None:
    """Runs for ``markup`` (the PDF's paragraph markup) at the end of ``paragraph``."""
    state = {"b": bold, "i": False}
    colours: list[str | None] = [colour]
    for token in _TAG.split(markup):
        if not token:
            continue
        if token in ("<b>", "</b>", "<i>", "</i>"):
            state[token.strip("</>")] = not token.startswith("</")
        elif token.startswith("<br"):
            paragraph.add_run().add_break()
        elif token.startswith("<font"):
            found = _COLOUR.search(token)
            colours.append(found.group(1).upper() if found else colours[-1])
        elif token == "</font>":
            if len(colours) > 1:
                colours.pop()
        else:
            run = paragraph.add_run(clean(unescape(token)))
            run.bold = state["b"] or None
            run.italic = state["i"] or None
            if colours[-1]:
                run.font.color.rgb = RGBColor.from_string(colours[-1])


@dataclass(frozen=True)
class Cell:
    """A table cell: markup, and how it looks."""

    markup: str
    fill: str | None = None
    centre: bool = False
    bold: bool = False
    colour: str | None = None


def _shade(cell: _Cell, fill: str) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


def _flag(row: object, tag: str) -> None:
    """A row property Word reads as on when present: ``<w:tblHeader/>``, ``<w:cantSplit/>``."""
    element = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    element.append(OxmlElement(tag))


def _field_start(p: Paragraph, instruction: str) -> None:
    """The start of a Word field (PAGE, NUMPAGES, TOC...): its result follows, then :func:`_field_end`."""
    for kind in ("begin", "instr", "separate"):
        run = p.add_run()
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {instruction} "
            run._r.append(instr)
        else:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)


def _field_end(p: Paragraph) -> None:
    fld = OxmlElement("w:fldChar")
    fld.set(qn("w:fldCharType"), "end")
    p.add_run()._r.append(fld)


def _margins(table: Table, twips: int) -> None:
    """Narrow left and right cell margins, so that counts and short words fit narrow columns unbroken."""
    tbl_pr = table._tbl.tblPr
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        m = OxmlElement(f"w:{side}")
        m.set(qn("w:w"), str(twips))
        m.set(qn("w:type"), "dxa")
        margins.append(m)
    tbl_pr.insert_element_before(margins, "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange")


class BoardDocument:
    """A Word document in the house style, with the helpers the chapters use."""

    def __init__(self) -> None:
        self.doc: DocxDocument = Document()
        self._page()
        self._styles()
        self.figures = 0

    # Set-up ---------------------------------------------------------------------------------------

    def _page(self) -> None:
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
        section.left_margin = section.right_margin = MARGIN
        section.top_margin = section.bottom_margin = MARGIN

    def _styles(self) -> None:
        styles = self.doc.styles
        normal = styles["Normal"]
        # Word's own sans-serif for body and headings (the template's body font is Cambria, a serif): DejaVu
        # Sans, the PDF's font, is not on a Windows office machine, and this document is for editing there.
        normal.font.name = FONT
        normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:cs"), FONT)
        normal.font.size = Pt(10)
        normal.paragraph_format.space_after = Pt(4)
        normal.paragraph_format.line_spacing = 1.1
        normal.font.color.rgb = RGBColor.from_string(INK)
        # British English for the spelling checker and for screen readers.
        rpr = normal.element.get_or_add_rPr()
        lang = OxmlElement("w:lang")
        lang.set(qn("w:val"), "en-GB")
        rpr.append(lang)
        for name, size in (("Heading 1", 17), ("Heading 2", 13), ("Heading 3", 11), ("Title", 26)):
            styles[name].font.size = Pt(size)
            styles[name].font.name = FONT
            styles[name].font.color.rgb = RGBColor.from_string(ACCENT)
        styles["Heading 1"].paragraph_format.page_break_before = True

    def properties(self, *, title: str, subject: str, keywords: str) -> None:
        props = self.doc.core_properties
        now = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
        props.title = clean(title)
        props.subject = clean(subject)
        props.author = props.last_modified_by = "OSCB Desktop"
        props.keywords = clean(keywords)
        props.language = "en-GB"
        props.created = props.modified = now
        props.revision = 1

    def running(self, header: str, footer: str) -> None:
        """The running header, and the footer with "Page N of M"."""
        section = self.doc.sections[0]
        p = section.header.paragraphs[0]
        add_markup(p, plain(header), colour=MUTED)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        for run in p.runs:
            run.font.size = Pt(8)
        p = section.footer.paragraphs[0]
        add_markup(p, plain(footer) + "<br/>", colour=MUTED)
        for part in ("Page ", "PAGE", " of ", "NUMPAGES"):
            if part.isupper():
                self._field(p, part)
            else:
                p.add_run(part)
        for run in p.runs:
            run.font.size = Pt(8)

    @staticmethod
    def _field(p: Paragraph, instruction: str) -> None:
        _field_start(p, instruction)
        p.add_run("1")
        _field_end(p)

    # Text -----------------------------------------------------------------------------------------

    def heading(self, text: str, level: int) -> Paragraph:
        return self.doc.add_heading(clean(text), level)

    def para(
        self,
        markup: str,
        *,
        style: str | None = None,
        size: float | None = None,
        colour: str | None = None,
        keep: bool = False,
    ) -> Paragraph:
        """A paragraph; ``keep``: on the same page as the next one (a chart's or a table's lead-in)."""
        p = self.doc.add_paragraph(style=style)
        add_markup(p, markup, colour=colour)
        if size is not None:
            for run in p.runs:
                run.font.size = Pt(size)
        if keep:
            p.paragraph_format.keep_with_next = True
        return p

    def small(self, markup: str, *, keep: bool = False) -> Paragraph:
        return self.para(markup, size=9, colour=MUTED, keep=keep)

    def bullet(self, markup: str) -> Paragraph:
        return self.para(markup, style="List Bullet")

    def contents(self, before: Paragraph, titles: Sequence[str]) -> None:
        """A table of contents field, put before ``before``: Word fills in the page numbers when it is updated
        (F9); until then it lists the chapters, which the navigation pane shows from the headings anyway."""
        head = before.insert_paragraph_before("Contents", style="TOC Heading")
        head.paragraph_format.page_break_before = True
        entries = [before.insert_paragraph_before() for _ in titles]
        for n, (p, title) in enumerate(zip(entries, titles, strict=True)):
            if n == 0:
                _field_start(p, 'TOC \\o "1-1" \\h \\z \\u')
            p.add_run(clean(title))
            if n == len(titles) - 1:
                _field_end(p)

    # Tables and pictures --------------------------------------------------------------------------

    def table(
        self,
        header: Sequence[str | Cell],
        rows: Sequence[Sequence[str | Cell]],
        widths_mm: Sequence[float],
        *,
        size: float = 9,
        head_size: float | None = None,
        spans: Sequence[tuple[int, int, int]] = (),
    ) -> Table:
        """A ruled table whose first row is its header (repeated on every page, and read as the header by a
        screen reader). ``spans``: (row, first column, last column) to merge, rows counted from the header."""
        table = self.doc.add_table(rows=0, cols=len(widths_mm))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        table.autofit = False
        _margins(table, CELL_MARGIN)
        for n, values in enumerate([header, *rows]):
            row = table.add_row()
            _flag(row, "w:cantSplit")  # before tblHeader: Word wants the schema's order
            if n == 0:
                _flag(row, "w:tblHeader")
            for cell, value, width in zip(row.cells, values, widths_mm, strict=True):
                spec = value if isinstance(value, Cell) else Cell(value)
                cell.width = Mm(width)
                p = cell.paragraphs[0]
                add_markup(p, spec.markup, bold=spec.bold or n == 0, colour=spec.colour)
                if spec.centre:
                    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                for run in p.runs:
                    run.font.size = Pt(head_size if n == 0 and head_size else size)
                fill = spec.fill or (HEAD_FILL if n == 0 else None)
                if fill:
                    _shade(cell, fill)
        for col, width in zip(table.columns, widths_mm, strict=True):
            col.width = Mm(width)
        for r, first, last in spans:
            merged = table.cell(r, first).merge(table.cell(r, last))
            for extra in merged.paragraphs[1:]:  # the merged cells' empty paragraphs
                if not extra.text:
                    extra._p.getparent().remove(extra._p)
        self.doc.add_paragraph()  # room below, and two tables never run together
        return table

    def picture(self, png: bytes, *, width_mm: float, alt: str, title: str) -> None:
        """A chart as a picture, with its alternative text (``descr``) and title for screen readers."""
        self.figures += 1
        self.doc.add_paragraph().add_run().add_picture(io.BytesIO(png), width=Mm(min(width_mm, BODY_MM)))
        shape = self.doc.inline_shapes[-1]
        doc_pr = shape._inline.docPr
        doc_pr.set("descr", clean(alt))
        doc_pr.set("title", clean(title))
        doc_pr.set("name", f"Chart {self.figures}")

    def save(self) -> bytes:
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()

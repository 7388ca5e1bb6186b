"""The submission PDF: the human-readable return that the senior officer signs and anyone can print.

Rendered with reportlab's platypus from a :class:`ReturnDocument` (the form definition and the
answers), generically by item type, so any form definition renders (DESIGN.md §2, §5). The
document has a cover, contents, a summary of the ratings, every section with its answers, and a
sign-off page that reserves an empty box where :func:`oscb_desktop.signing.sign_pdf` draws the
visible signature.

Rules a reader relies on:

- colour never carries a rating alone: every chip shows the word and the percentage;
- text is real, extractable text in reading order, in an embedded Unicode font; the draft mark is
  drawn as shapes, with the word "DRAFT" in the running header for search and screen readers;
- user text is escaped for reportlab's mini-markup and may be long: paragraphs split across pages
  and table rows split inside themselves, so no answer can make the layout fail.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    Indenter,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
)
from reportlab.platypus.doctemplate import FrameBreak
from reportlab.platypus.tableofcontents import TableOfContents

from oscb_desktop.forms.model import NOT_APPLICABLE, Column, FormDefinition, Item, Level, Scale, Section
from oscb_desktop.report import fonts
from oscb_desktop.report.style import (
    ACCENT,
    BOLD,
    FAINT,
    FONT,
    HEAD_FILL,
    INK,
    ITALIC,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    MUTED,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    RULE,
    STRIPE,
    numbered_canvas_class,
)
from oscb_desktop.report.style import clean as _clean
from oscb_desktop.report.style import fit as _fit
from oscb_desktop.report.style import format_date as _format_date
from oscb_desktop.report.style import format_time as _format_time
from oscb_desktop.report.style import level_colour as _level_colour
from oscb_desktop.report.style import markup as _markup
from oscb_desktop.report.style import paragraphs as _paragraphs
from oscb_desktop.report.style import table_style as _table_style
from oscb_desktop.report.style import text_colour_on as _text_colour_on

__all__ = ["RenderedPdf", "ReturnDocument", "render_submission_pdf"]


@dataclass(frozen=True)
class ReturnDocument:
    """Everything the PDF shows; built by the services layer from the store."""

    form: FormDefinition
    answers: Mapping[str, Any]
    agency_name: str
    agency_sector: str
    period: str
    version: int
    submission_id: str
    status: str  # "draft" | "signed" | ...
    signatory_name: str | None = None
    signatory_role: str | None = None
    signed_at: str | None = None  # ISO time
    certificate_fingerprint: str | None = None  # display form "3F2A 9C01 ..."
    generated_at: str = ""  # ISO time, shown in the footer/cover


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    #: 0-based index of the sign-off page.
    signature_page: int
    #: Where ``sign_pdf`` should draw the visible signature: (x1, y1, x2, y2) in PDF points, origin bottom-left.
    signature_box: tuple[float, float, float, float]
    page_count: int = 0


def render_submission_pdf(doc: ReturnDocument, *, draft: bool) -> RenderedPdf:
    """Render the return as an A4 PDF. ``draft`` marks every page as a draft preview."""
    fonts.register_fonts()
    styles = _Styles(_number_indent(doc.form))
    template = _SubmissionTemplate(doc, draft=draft, styles=styles)
    story = _Story(doc, draft=draft, styles=styles, template=template).build()
    template.multiBuild(story, canvasmaker=numbered_canvas_class(first_numbered=2, on_total=template.set_page_count))
    if template.signature_box is None or template.signature_page is None:  # pragma: no cover - the story always has one
        raise RuntimeError("The sign-off page was not laid out")
    return RenderedPdf(
        data=template.output.getvalue(),
        signature_page=template.signature_page,
        signature_box=template.signature_box,
        page_count=template.page_count,
    )


def _number_indent(form: FormDefinition) -> float:
    """How far answers sit right of their statement numbers: room for the widest number ("12.10")."""
    numbers = [f"{n}.{len(section.items)}" for n, section in enumerate(form.sections, start=1)]
    widest = max((stringWidth(number, fonts.BOLD, 10) for number in numbers), default=0)
    return max(MIN_INDENT, widest + 3 * mm)


# --- Look ---------------------------------------------------------------------------------------

BODY_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
MIN_INDENT = 9 * mm  # answers sit under their statement, right of its number
DRAFT_RED = colors.HexColor("#b91c1c")


class _Styles:
    def __init__(self, indent: float) -> None:
        self.indent = indent
        base = ParagraphStyle(
            "body", fontName=FONT, bulletFontName=FONT, fontSize=9.5, leading=13.5, textColor=INK, spaceAfter=4
        )
        self.body = base
        self.answer = ParagraphStyle("answer", parent=base, leftIndent=indent)
        self.missing = ParagraphStyle("missing", parent=self.answer, fontName=ITALIC, textColor=FAINT)
        self.part_label = ParagraphStyle(
            "part",
            parent=base,
            fontName=BOLD,
            fontSize=8,
            leading=11,
            textColor=MUTED,
            leftIndent=indent,
            spaceBefore=3,
            spaceAfter=1,
            keepWithNext=1,
        )
        self.statement = ParagraphStyle(
            "statement",
            parent=base,
            fontName=BOLD,
            fontSize=10,
            leading=14,
            leftIndent=indent,
            bulletIndent=0,
            bulletFontName=BOLD,
            bulletFontSize=10,
            spaceBefore=10,
            spaceAfter=4,
        )
        self.h1 = ParagraphStyle(
            "h1", parent=base, fontName=BOLD, fontSize=16, leading=21, textColor=ACCENT, spaceAfter=6, keepWithNext=1
        )
        self.h2 = ParagraphStyle(
            "h2",
            parent=base,
            fontName=BOLD,
            fontSize=11.5,
            leading=15,
            textColor=ACCENT,
            spaceBefore=10,
            spaceAfter=4,
            keepWithNext=1,
        )
        self.guidance = ParagraphStyle("guidance", parent=base, fontSize=8.5, leading=12, textColor=MUTED)
        self.small = ParagraphStyle("small", parent=base, fontSize=8.5, leading=11.5, textColor=MUTED)
        self.cell = ParagraphStyle("cell", parent=base, fontSize=8.5, leading=11.5, spaceAfter=0)
        self.cell_missing = ParagraphStyle("cellmissing", parent=self.cell, fontName=ITALIC, textColor=FAINT)
        self.cell_right = ParagraphStyle("cellright", parent=self.cell, alignment=TA_RIGHT)
        self.cell_centre = ParagraphStyle("cellcentre", parent=self.cell, alignment=TA_CENTER)
        self.cell_zero = ParagraphStyle("cellzero", parent=self.cell_centre, textColor=FAINT)
        self.cell_head = ParagraphStyle("cellhead", parent=self.cell, fontName=BOLD, textColor=INK)
        self.cell_head_right = ParagraphStyle("cellheadr", parent=self.cell_head, alignment=TA_RIGHT)
        self.cell_head_centre = ParagraphStyle("cellheadc", parent=self.cell_head, alignment=TA_CENTER)
        self.ranked = ParagraphStyle(
            "ranked",
            parent=base,
            leftIndent=indent + 6 * mm,
            bulletIndent=indent,
            bulletFontName=BOLD,
            spaceAfter=5,
        )
        self.ranked_more = ParagraphStyle("rankedmore", parent=self.ranked)
        self.bullet = ParagraphStyle(
            "bullet", parent=base, leftIndent=indent + 5 * mm, bulletIndent=indent + 1 * mm, spaceAfter=2
        )
        self.cover_title = ParagraphStyle(
            "covertitle", parent=base, fontName=BOLD, fontSize=26, leading=32, textColor=ACCENT, spaceAfter=4
        )
        self.cover_sub = ParagraphStyle("coversub", parent=base, fontSize=13, leading=18, textColor=MUTED)
        self.cover_agency = ParagraphStyle(
            "coveragency", parent=base, fontName=BOLD, fontSize=19, leading=24, textColor=INK, spaceAfter=2
        )
        self.toc_levels = [
            ParagraphStyle("toc0", parent=base, fontSize=10.5, leading=17, leftIndent=0, firstLineIndent=0),
            ParagraphStyle("toc1", parent=base, fontSize=9.5, leading=14, leftIndent=8 * mm, firstLineIndent=0),
        ]


# --- Text helpers -------------------------------------------------------------------------------


def _format_number(value: Any, unit: str = "") -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return _clean(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        text = f"{int(value):,}" if value.is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")
    else:
        text = f"{value:,}"
    return f"{text} {unit}".strip()


def _format_size(size: Any) -> str:
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        return ""
    if size < 1024:
        return f"{size:,} bytes"
    scaled = float(size)
    for unit in ("KB", "MB", "GB", "TB"):
        scaled /= 1024
        if scaled < 1024 or unit == "TB":
            break
    return f"{scaled:.1f} {unit}"


def _status_label(status: str) -> str:
    return _clean(status).replace("_", " ").strip().capitalize() or "Unknown"


def _is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, dict, tuple)):
        return len(value) == 0
    return False


def _rating_text(level: Level) -> str:
    """The chip's words: 'Green · 75%', 'Not applicable'."""
    return f"{level.label} · {level.percentage}%" if level.percentage is not None else level.label


# --- Flowables ----------------------------------------------------------------------------------


class _Chip(Flowable):
    """A rating as a coloured, rounded label with its word and percentage in text."""

    def __init__(self, text: str, fill: colors.Color, *, size: float = 9, indent: float = 0) -> None:
        super().__init__()
        self.text = text
        self.fill = fill
        self.size = size
        self.indent = indent
        self.pad_x = 2.6 * mm
        self.height = size + 6

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        room = max(availWidth - self.indent - 2 * self.pad_x, 20)
        while stringWidth(self.text, BOLD, self.size) > room and self.size > 6:
            self.size -= 0.5
        self.width = self.indent + min(stringWidth(self.text, BOLD, self.size), room) + 2 * self.pad_x
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        w = self.width - self.indent
        c.saveState()
        c.setFillColor(self.fill)
        c.setStrokeColor(self.fill)
        c.roundRect(self.indent, 0, w, self.height, 3, stroke=0, fill=1)
        c.setFillColor(_text_colour_on(self.fill))
        c.setFont(BOLD, self.size)
        c.drawString(self.indent + self.pad_x, (self.height - self.size) / 2 + 0.22 * self.size, self.text)
        c.restoreState()


class _Heading(Paragraph):
    """A section heading: an entry in the contents and in the PDF's outline (bookmarks)."""

    def __init__(self, text: str, style: ParagraphStyle, *, key: str, level: int = 0, outline: str = "") -> None:
        super().__init__(text, style)
        self.toc_key = key
        self.toc_level = level
        self.toc_text = text
        self.outline_title = outline

    def draw(self) -> None:
        self.canv.bookmarkHorizontal(self.toc_key, 0, self.height + self.style.fontSize)
        self.canv.addOutlineEntry(self.outline_title, self.toc_key, level=self.toc_level, closed=False)
        super().draw()


class _SignatureBox(Flowable):
    """An empty framed box, labelled, whose absolute position is recorded for the signer."""

    def __init__(self, width: float, height: float, caption: str, on_place: Callable[[int, tuple], None]) -> None:
        super().__init__()
        self.box_width = width
        self.box_height = height
        self.caption = caption
        self.on_place = on_place
        self.label_height = 16
        self.caption_height = 14

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = min(self.box_width, availWidth)
        self.height = self.label_height + self.box_height + self.caption_height
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        box_bottom = self.caption_height
        c.saveState()
        c.setFont(BOLD, 10)
        c.setFillColor(ACCENT)
        c.drawString(0, box_bottom + self.box_height + 5, "Digital signature")
        c.setStrokeColor(ACCENT)
        c.setLineWidth(0.8)
        c.setDash(3, 2)
        c.rect(0, box_bottom, self.width, self.box_height, stroke=1, fill=0)
        c.setDash()
        c.setFont(FONT, 7.5)
        c.setFillColor(MUTED)
        c.drawString(0, 3, self.caption)
        c.restoreState()
        x1, y1 = c.absolutePosition(0, box_bottom)
        x2, y2 = c.absolutePosition(self.width, box_bottom + self.box_height)
        self.on_place(c.getPageNumber() - 1, (round(x1, 2), round(y1, 2), round(x2, 2), round(y2, 2)))


# --- Page furniture -----------------------------------------------------------------------------


class _SubmissionTemplate(BaseDocTemplate):
    def __init__(self, doc: ReturnDocument, *, draft: bool, styles: _Styles) -> None:
        self.output = io.BytesIO()
        self.doc = doc
        self.draft = draft
        self.styles = styles
        self.signature_page: int | None = None
        self.signature_box: tuple[float, float, float, float] | None = None
        self.page_count = 0
        form = doc.form
        super().__init__(
            self.output,
            pagesize=A4,
            leftMargin=MARGIN_X,
            rightMargin=MARGIN_X,
            topMargin=MARGIN_TOP,
            bottomMargin=MARGIN_BOTTOM,
            title=f"{_clean(form.title)} {_clean(doc.period)} — {_clean(doc.agency_name)}",
            author=_clean(doc.agency_name),
            subject=f"{_clean(form.title)} return, version {doc.version}",
            creator="OSCB Desktop",
            producer="OSCB Desktop (reportlab)",
            keywords=[_clean(form.short_title), _clean(doc.period), f"version {doc.version}"],
            lang="en-GB",
            displayDocTitle=True,
            initialFontName=FONT,
            initialFontSize=10,
        )
        body = Frame(
            MARGIN_X,
            MARGIN_BOTTOM,
            BODY_WIDTH,
            PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM,
            id="body",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        cover = Frame(
            MARGIN_X,
            MARGIN_BOTTOM,
            BODY_WIDTH,
            PAGE_HEIGHT - MARGIN_BOTTOM - 42 * mm,
            id="cover",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        self.addPageTemplates(
            [
                PageTemplate("cover", [cover], onPage=self._cover_page, onPageEnd=self._watermark),
                PageTemplate("body", [body], onPage=self._body_page, onPageEnd=self._watermark),
            ]
        )

    def build(self, flowables: list[Flowable], **kw: Any) -> None:
        # multiBuild lays the story out several times; each pass must start an empty file.
        self.output.seek(0)
        self.output.truncate()
        self.filename = self.output
        super().build(flowables, **kw)

    def afterFlowable(self, flowable: Flowable) -> None:
        if isinstance(flowable, _Heading):
            self.notify("TOCEntry", (flowable.toc_level, flowable.toc_text, self.page, flowable.toc_key))

    def set_page_count(self, total: int) -> None:
        self.page_count = total

    def place_signature(self, page: int, box: tuple[float, float, float, float]) -> None:
        self.signature_page = page
        self.signature_box = box

    # Running header and footer ---------------------------------------------------------------

    def _header_right(self) -> str:
        d = self.doc
        return f"{_clean(d.form.short_title)} · {_clean(d.period)} · version {d.version}"

    def _cover_page(self, canvas: Canvas, _doc: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setFillColor(ACCENT)
        canvas.rect(0, PAGE_HEIGHT - 14 * mm, PAGE_WIDTH, 14 * mm, stroke=0, fill=1)
        canvas.setFillColor(colors.HexColor("#c7d2e0"))
        canvas.rect(0, PAGE_HEIGHT - 15.2 * mm, PAGE_WIDTH, 1.2 * mm, stroke=0, fill=1)
        canvas.restoreState()

    def _body_page(self, canvas: Canvas, _doc: BaseDocTemplate) -> None:
        d = self.doc
        canvas.saveState()
        top = PAGE_HEIGHT - 13 * mm
        right = self._header_right()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(MUTED)
        right_width = stringWidth(right, FONT, 8)
        canvas.drawRightString(PAGE_WIDTH - MARGIN_X, top, right)
        if self.draft:
            canvas.setFont(BOLD, 8)
            canvas.setFillColor(DRAFT_RED)
            label = "DRAFT · "
            canvas.drawRightString(PAGE_WIDTH - MARGIN_X - right_width, top, label)
            right_width += stringWidth(label, BOLD, 8)
        canvas.setFont(BOLD, 8)
        canvas.setFillColor(INK)
        agency = _fit(_clean(d.agency_name), BOLD, 8, BODY_WIDTH - right_width - 6 * mm)
        canvas.drawString(MARGIN_X, top, agency)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        canvas.line(MARGIN_X, top - 2.6 * mm, PAGE_WIDTH - MARGIN_X, top - 2.6 * mm)

        bottom = 12 * mm
        canvas.line(MARGIN_X, bottom + 4 * mm, PAGE_WIDTH - MARGIN_X, bottom + 4 * mm)
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(MUTED)
        footer = f"{_clean(d.form.title)} {_clean(d.period)} · version {d.version} · {_status_label(d.status)}"
        if d.generated_at:
            footer += f" · generated {_format_time(d.generated_at)}"
        canvas.drawString(MARGIN_X, bottom, _fit(footer, FONT, 7.5, BODY_WIDTH - 30 * mm))
        canvas.restoreState()

    def _watermark(self, canvas: Canvas, _doc: BaseDocTemplate) -> None:
        if self.draft:
            _draw_draft_mark(canvas)


def _key_value_table(s: Any, rows: list[tuple[str, str]], *, label_width: float) -> Table:
    """Label / value pairs between hairlines: the cover's and the sign-off page's facts."""
    label = ParagraphStyle("kvlabel", parent=s.body, textColor=MUTED, spaceAfter=0)
    value = ParagraphStyle("kvvalue", parent=s.body, spaceAfter=0)
    return Table(
        [[Paragraph(k, label), Paragraph(v, value)] for k, v in rows],
        colWidths=[label_width, BODY_WIDTH - label_width],
        hAlign="LEFT",
        style=_table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE),
                ("LINEABOVE", (0, 0), (-1, 0), 0.5, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        ),
    )


def _draw_draft_mark(canvas: Canvas) -> None:
    """A large, light, diagonal DRAFT across the page, drawn as shapes (see :mod:`.fonts`)."""
    word = "DRAFT"
    size = 130
    canvas.saveState()
    canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
    canvas.rotate(math.degrees(math.atan2(PAGE_HEIGHT, PAGE_WIDTH)) - 8)
    canvas.setFillColor(DRAFT_RED)
    canvas.setFillAlpha(0.09)
    try:
        units, per_em = fonts.text_width_units(BOLD, word)
        width = units * size / per_em
        fonts.draw_text_outline(canvas, BOLD, word, -width / 2, -size * 0.36, size)
    except fonts.FontError:  # pragma: no cover - only if reportlab's font internals change
        canvas.setFont(BOLD, size)
        canvas.drawCentredString(0, -size * 0.36, word)
    canvas.restoreState()


# --- The story ----------------------------------------------------------------------------------


@dataclass
class _Tally:
    """Ratings of a group of statements on one scale."""

    scale: Scale
    counts: dict[str, int] = field(default_factory=dict)
    unanswered: int = 0
    percentages: list[int] = field(default_factory=list)

    def add(self, value: Any) -> None:
        level_id = value.get("level") if isinstance(value, dict) else None
        level = self.scale.level(str(level_id)) if level_id else None
        if level is None:
            self.unanswered += 1
            return
        self.counts[level.id] = self.counts.get(level.id, 0) + 1
        if level.id != NOT_APPLICABLE and level.percentage is not None:
            self.percentages.append(level.percentage)

    def merge(self, other: _Tally) -> None:
        for k, v in other.counts.items():
            self.counts[k] = self.counts.get(k, 0) + v
        self.unanswered += other.unanswered
        self.percentages += other.percentages

    @property
    def mean(self) -> str:
        if not self.percentages:
            return "—"
        return f"{round(sum(self.percentages) / len(self.percentages))}%"


class _Story:
    def __init__(self, doc: ReturnDocument, *, draft: bool, styles: _Styles, template: _SubmissionTemplate) -> None:
        self.doc = doc
        self.form = doc.form
        self.answers = doc.answers
        self.draft = draft
        self.s = styles
        self.template = template
        self.signed = bool(doc.signatory_name) and not draft
        self.has_summary = any(item.type == "rating" for item in self.form.items())

    def build(self) -> list[Flowable]:
        story: list[Flowable] = [NextPageTemplate("body")]
        story += self._cover()
        story += [PageBreak()]
        story += self._contents()
        story += [PageBreak()]
        if self.has_summary:
            story += self._summary()
        first = True
        for n, section in enumerate(self.form.sections, start=1):
            story += self._section(n, section, first=first)
            first = False
        story += [PageBreak()]
        story += self._sign_off()
        return story

    # Cover and contents ------------------------------------------------------------------------

    def _cover(self) -> list[Flowable]:
        d, s, form = self.doc, self.s, self.form
        out: list[Flowable] = [
            Paragraph(_markup(form.title), s.cover_title),
            Paragraph(f"Reporting period {_markup(d.period)}", s.cover_sub),
            Spacer(1, 16 * mm),
            Paragraph(_markup(d.agency_name), s.cover_agency),
        ]
        if d.agency_sector:
            out.append(Paragraph(_markup(d.agency_sector), s.cover_sub))
        out.append(Spacer(1, 10 * mm))
        if self.draft:
            banner = Table(
                [
                    [
                        Paragraph(
                            "<b>DRAFT</b> — not signed. This is a preview of the return for checking; the signed PDF "
                            "is made when a senior officer signs the return off.",
                            ParagraphStyle("banner", parent=s.body, textColor=DRAFT_RED, spaceAfter=0),
                        )
                    ]
                ],
                colWidths=[BODY_WIDTH],
                style=_table_style(
                    [
                        ("BOX", (0, 0), (-1, -1), 1.2, DRAFT_RED),
                        ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#fef2f2")),
                        ("LEFTPADDING", (0, 0), (-1, -1), 8),
                        ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                        ("TOPPADDING", (0, 0), (-1, -1), 6),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
                    ]
                ),
            )
            out += [banner, Spacer(1, 8 * mm)]
        if self.signed:
            signed_by = _markup(d.signatory_name)
            if d.signatory_role:
                signed_by += f", {_markup(d.signatory_role)}"
            signed_on = _markup(_format_time(d.signed_at)) or "—"
        else:
            signed_by = signed_on = "<i>Not signed yet</i>"
        rows = [
            ("Form", f"{_markup(form.title)} (definition {_markup(form.version)})"),
            ("Reporting period", _markup(d.period)),
            ("Return version", str(d.version)),
            ("Status", _markup(_status_label(d.status)) + (" — preview, not signed" if self.draft else "")),
            ("Signed off by", signed_by),
            ("Signed on", signed_on),
        ]
        if form.deadline:
            rows.append(("Deadline", _format_date(form.deadline)))
        rows.append(("Submission id", _markup(d.submission_id)))
        if d.generated_at:
            rows.append(("Generated", _markup(_format_time(d.generated_at))))
        out.append(_key_value_table(s, rows, label_width=42 * mm))
        if form.description:
            out += [Spacer(1, 10 * mm), Paragraph(_markup(form.description), s.guidance)]
        return out

    def _contents(self) -> list[Flowable]:
        toc = TableOfContents(
            dotsMinLevel=0,
            tableStyle=_table_style(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ]
            ),
        )
        toc.levelStyles = self.s.toc_levels
        return [Paragraph("Contents", self.s.h1), Spacer(1, 4 * mm), toc]

    def _heading(self, text: str, key: str, *, style: ParagraphStyle | None = None) -> _Heading:
        return _Heading(_markup(text), style or self.s.h1, key=key, outline=_clean(text))

    # Summary -----------------------------------------------------------------------------------

    def _tallies(self, section: Section) -> dict[str, _Tally]:
        out: dict[str, _Tally] = {}
        for item in section.items:
            if item.type == "rating" and item.scale is not None:
                tally = out.setdefault(item.scale.id, _Tally(item.scale))
                tally.add(self.answers.get(item.id))
        return out

    def _summary(self) -> list[Flowable]:
        s = self.s
        out: list[Flowable] = [self._heading("Summary of ratings", "summary")]
        out.append(
            Paragraph(
                "How the agency rated each statement, by standard. The mean is the average percentage of the "
                "rated statements; statements that do not apply (N/A), or are not answered, are left out of it.",
                s.small,
            )
        )
        scales: dict[str, Scale] = {}
        for item in self.form.items():
            if item.type == "rating" and item.scale is not None:
                scales.setdefault(item.scale.id, item.scale)
        for scale in scales.values():
            if len(scales) > 1:
                out.append(Paragraph(f"{_markup(scale.name)} scale", s.h2))
            out.append(Spacer(1, 2 * mm))
            out.append(self._summary_table(scale))
            out.append(Spacer(1, 6 * mm))
            out.append(self._scale_legend(scale))
        return out

    def _summary_table(self, scale: Scale) -> Table:
        s = self.s
        rows_data: list[tuple[str, _Tally]] = []
        total = _Tally(scale)
        for n, section in enumerate(self.form.sections, start=1):
            tally = self._tallies(section).get(scale.id)
            if tally is None:
                continue
            rows_data.append((f"{n}. {section.title}", tally))
            total.merge(tally)
        levels = list(scale.choices)
        show_unanswered = total.unanswered > 0
        heads: list[tuple[str, Level | None]] = [("N/A" if lv.id == NOT_APPLICABLE else lv.label, lv) for lv in levels]
        if show_unanswered:
            heads.append(("Not answered", None))

        def column_width(text: str) -> float:
            widest_word = max((stringWidth(w, BOLD, 8) for w in text.split()), default=0)
            return max(13 * mm, widest_word + 12)

        widths = [column_width(text) for text, _ in heads]
        mean_w = 15 * mm
        first_w = BODY_WIDTH - sum(widths) - mean_w
        if first_w < 55 * mm:  # many levels: narrow the count columns rather than the standards
            factor = (BODY_WIDTH - 55 * mm - mean_w) / sum(widths)
            widths = [w * factor for w in widths]
            first_w = 55 * mm
        header: list[Any] = [Paragraph("Standard", s.cell_head)]
        style_cmds: list[tuple[Any, ...]] = []
        for col, (text, level) in enumerate(heads, start=1):
            fill = _level_colour(level) if level is not None else HEAD_FILL
            head_style = ParagraphStyle(
                f"lv{col}", parent=s.cell_head_centre, textColor=_text_colour_on(fill), fontSize=8, leading=10
            )
            label = _markup(text)
            if level is not None and level.percentage is not None:
                label += f"<br/>{level.percentage}%"
            header.append(Paragraph(label, head_style))
            style_cmds.append(("BACKGROUND", (col, 0), (col, 0), fill))
        header.append(Paragraph("Mean", s.cell_head_centre))
        data: list[list[Any]] = [header]
        for title, tally in [*rows_data, ("All standards", total)]:
            row: list[Any] = [Paragraph(_markup(title), s.cell)]
            for level in levels:
                count = tally.counts.get(level.id, 0)
                row.append(Paragraph(str(count), s.cell_centre) if count else Paragraph("–", s.cell_zero))
            if show_unanswered:
                n = tally.unanswered
                row.append(Paragraph(str(n), s.cell_centre) if n else Paragraph("–", s.cell_zero))
            row.append(Paragraph(f"<b>{tally.mean}</b>", s.cell_centre))
            data.append(row)
        last = len(data) - 1
        style_cmds += [
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("BACKGROUND", (0, 0), (0, 0), HEAD_FILL),
            ("BACKGROUND", (-1, 0), (-1, 0), HEAD_FILL),
            ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
            ("LINEABOVE", (0, last), (-1, last), 1, INK),
            ("BACKGROUND", (0, last), (-1, last), STRIPE),
            ("BOX", (0, 0), (-1, -1), 0.6, RULE),
            ("TOPPADDING", (0, 0), (-1, -1), 4),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
        ]
        return Table(
            data, colWidths=[first_w, *widths, mean_w], repeatRows=1, style=_table_style(style_cmds), hAlign="LEFT"
        )

    def _scale_legend(self, scale: Scale) -> Flowable:
        s = self.s
        rows = []
        for level in scale.choices:
            rows.append(
                [
                    _Chip(_rating_text(level), _level_colour(level), size=8),
                    Paragraph(_markup(level.description), s.cell),
                ]
            )
        table = Table(
            rows,
            colWidths=[38 * mm, BODY_WIDTH - 38 * mm],
            hAlign="LEFT",
            style=_table_style(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (0, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ]
            ),
        )
        return KeepTogether([Paragraph("The rating scale", s.h2), table])

    # Sections ----------------------------------------------------------------------------------

    def _section(self, n: int, section: Section, *, first: bool) -> list[Flowable]:
        s = self.s
        has_ratings = any(item.type == "rating" for item in section.items)
        out: list[Flowable] = []
        if first:
            if self.has_summary:  # the summary has its own page; the first section starts a new one
                out.append(PageBreak())
        elif has_ratings:  # each standard starts on a new page
            out.append(PageBreak())
        else:
            out += [CondPageBreak(50 * mm), Spacer(1, 4 * mm)]
        out.append(self._heading(f"{n}. {section.title}", f"section-{n}"))
        if section.guidance:
            out.append(Paragraph(_markup(section.guidance), s.guidance))
        for tally in self._tallies(section).values():
            out.append(self._section_tally(tally))
        for m, item in enumerate(section.items, start=1):
            out += self._item(f"{n}.{m}", item)
        return out

    def _section_tally(self, tally: _Tally) -> Flowable:
        parts = [f"{_markup(lv.label)} {tally.counts[lv.id]}" for lv in tally.scale.choices if tally.counts.get(lv.id)]
        if tally.unanswered:
            parts.append(f"not answered {tally.unanswered}")
        text = "<b>Ratings in this section:</b> " + " · ".join(parts)
        if tally.percentages:
            text += f" — mean <b>{tally.mean}</b>"
        return Paragraph(text, ParagraphStyle("tally", parent=self.s.small, spaceBefore=2, spaceAfter=4))

    def _item(self, number: str, item: Item) -> list[Flowable]:
        s = self.s
        value = self.answers.get(item.id)
        head = Paragraph(_markup(item.label), s.statement, bulletText=number)
        try:
            body = self._answer(item, value)
        except Exception:  # a malformed stored value must not stop the return printing
            body = [Paragraph(f"This answer cannot be shown as stored: {_markup(repr(value)[:500])}", s.missing)]
        block = [head, *body]
        if _height(block) <= 80 * mm:
            return [KeepTogether(block)]  # a short item never splits
        # Keep the statement with the start of its answer; the rest then flows on across pages.
        first, rest = _split_head(body)
        return [CondPageBreak(35 * mm), KeepTogether([head, *first]), *rest]

    def _answer(self, item: Item, value: Any) -> list[Flowable]:
        renderers: dict[str, Callable[[Item, Any], list[Flowable]]] = {
            "rating": self._rating,
            "short_text": self._text,
            "long_text": self._text,
            "choice": self._choice,
            "multi_choice": self._multi_choice,
            "ranked": self._ranked,
            "number": self._number,
            "date": self._date,
            "yes_no": self._yes_no,
            "table": self._table,
            "attachments": self._attachments,
        }
        renderer = renderers.get(item.type)
        if renderer is None:
            return [Paragraph(_markup(value) if not _is_blank(value) else "Not answered", self.s.answer)]
        return renderer(item, value)

    def _not_answered(self, item: Item | None = None, *, none_text: str = "None") -> list[Flowable]:
        text = "Not answered" if item is None or item.required else none_text
        return [Paragraph(text, self.s.missing)]

    def _rating(self, item: Item, value: Any) -> list[Flowable]:
        s = self.s
        level_id = value.get("level") if isinstance(value, dict) else None
        if not level_id or item.scale is None:
            return self._not_answered()
        level = item.scale.level(str(level_id))
        out: list[Flowable] = []
        if level is None:
            out.append(_Chip(f"Unknown rating “{_clean(level_id)}”", FAINT, indent=s.indent))
        else:
            out.append(_Chip(_rating_text(level), _level_colour(level), indent=s.indent))
        out.append(Spacer(1, 2))
        parts = [
            ("reason", "Why it does not apply"),
            ("evidence", "Evidence"),
            ("example", "Best-practice example to share"),
        ]
        requires = level.requires if level is not None else ()
        for part, label in parts:
            text = value.get(part)
            if _is_blank(text):
                if part in requires:
                    out += [Paragraph(label, s.part_label), Paragraph(f"No {label.lower()} given", s.missing)]
                continue
            out.append(Paragraph(label, s.part_label))
            out += _paragraphs(text, s.answer)
        return out

    def _text(self, item: Item, value: Any) -> list[Flowable]:
        if _is_blank(value):
            return self._not_answered()
        return _paragraphs(value, self.s.answer)

    def _choice(self, item: Item, value: Any) -> list[Flowable]:
        if _is_blank(value):
            return self._not_answered()
        return [Paragraph(_markup(item.option_label(str(value))), self.s.answer)]

    def _multi_choice(self, item: Item, value: Any) -> list[Flowable]:
        if _is_blank(value):
            return self._not_answered(item)
        values = value if isinstance(value, list) else [value]
        return [Paragraph(_markup(item.option_label(str(v))), self.s.bullet, bulletText="•") for v in values]

    def _ranked(self, item: Item, value: Any) -> list[Flowable]:
        s = self.s
        ranks = [r for r in value if isinstance(r, dict)] if isinstance(value, list) else []
        ranks = [r for r in ranks if not (_is_blank(r.get("category")) and _is_blank(r.get("text")))]
        if not ranks:
            return self._not_answered()
        out: list[Flowable] = []
        for n, rank in enumerate(ranks, start=1):
            category = rank.get("category")
            label = _markup(item.option_label(str(category))) if not _is_blank(category) else "No category chosen"
            blocks = [b for b in re.split(r"\n[ \t]*\n", _clean(rank.get("text") or "")) if b.strip()]
            first = escape(blocks[0].strip("\n")).replace("\n", "<br/>") if blocks else ""
            text = f"<b>{label}</b>" + (f" — {first}" if first else "")
            out.append(Paragraph(text, s.ranked, bulletText=f"{n}."))
            out += [Paragraph(escape(b.strip("\n")).replace("\n", "<br/>"), s.ranked_more) for b in blocks[1:]]
        return out

    def _number(self, item: Item, value: Any) -> list[Flowable]:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return self._not_answered() if _is_blank(value) else [Paragraph(_markup(value), self.s.answer)]
        return [Paragraph(_markup(_format_number(value, item.unit)), self.s.answer)]

    def _date(self, item: Item, value: Any) -> list[Flowable]:
        if _is_blank(value):
            return self._not_answered()
        return [Paragraph(_markup(_format_date(value)), self.s.answer)]

    def _yes_no(self, item: Item, value: Any) -> list[Flowable]:
        if not isinstance(value, bool):
            return self._not_answered()
        return [Paragraph("Yes" if value else "No", self.s.answer)]

    def _table(self, item: Item, value: Any) -> list[Flowable]:
        rows = [r for r in value if isinstance(r, dict)] if isinstance(value, list) else []
        if not rows:
            return self._not_answered(item, none_text="None recorded")
        return [Spacer(1, 2), *_indented(_grid(self.s, item.columns, rows), self.s.indent)]

    def _attachments(self, item: Item, value: Any) -> list[Flowable]:
        s = self.s
        files = [f for f in value if isinstance(f, dict)] if isinstance(value, list) else []
        if not files:
            return self._not_answered(item, none_text="No files attached")
        data: list[list[Any]] = [
            [
                Paragraph("File", s.cell_head),
                Paragraph("Size", s.cell_head_right),
                Paragraph("SHA-256 (first 16)", s.cell_head),
            ]
        ]
        for f in files:
            data.append(
                [
                    Paragraph(_markup(f.get("name") or "(no name)"), s.cell),
                    Paragraph(_format_size(f.get("size")), s.cell_right),
                    Paragraph(_markup(str(f.get("sha256") or "")[:16]), s.cell),
                ]
            )
        widths = [BODY_WIDTH - s.indent - 24 * mm - 40 * mm, 24 * mm, 40 * mm]
        return [Spacer(1, 2), *_indented(_grid_table(data, widths), s.indent)]

    # Sign-off ----------------------------------------------------------------------------------

    def _sign_off(self) -> list[Flowable]:
        d, s = self.doc, self.s
        agency = _markup(d.agency_name)
        period = _markup(d.period)
        form = _markup(self.form.title)
        meaning = [
            f"By signing this return the signatory confirms, on behalf of {agency}, that this {form} for "
            f"{period} (version {d.version}) gives an accurate and honest account of the agency's "
            "safeguarding arrangements, that the evidence described exists and can be shown on request, "
            "and that the agency will carry out the actions in its action plans.",
            "The signature is made with the agency's own key. It covers every page of this document: any "
            "change after signing shows the signature as broken in any PDF reader. The same key signs the "
            "return's data file, so the printed return and the data are the same return.",
            "The partnership's Business Unit may moderate the ratings after the return is submitted. "
            "Moderation is recorded separately and never changes this signed return.",
        ]
        out: list[Flowable] = [self._heading("Sign-off", "sign-off")]
        out += [Paragraph(p, s.body) for p in meaning]
        out.append(Spacer(1, 4 * mm))
        if self.signed:
            rows = [
                ("Signed off by", _markup(d.signatory_name)),
                ("Role", _markup(d.signatory_role or "—")),
                ("Date", _markup(_format_time(d.signed_at)) or "—"),
                ("Certificate fingerprint (SHA-256)", _fingerprint_markup(d.certificate_fingerprint)),
            ]
        else:
            pending = "<i>Not signed yet — this is a draft preview</i>" if self.draft else "<i>Not signed</i>"
            rows = [
                ("Signed off by", pending),
                ("Role", _markup(d.signatory_role) if d.signatory_role else "—"),
                ("Date", "—"),
                ("Certificate fingerprint (SHA-256)", "—"),
            ]
        rows += [("Return version", str(d.version)), ("Submission id", _markup(d.submission_id))]
        out.append(_key_value_table(s, rows, label_width=52 * mm))
        out.append(Spacer(1, 10 * mm))
        caption = (
            "Added by OSCB Desktop when the return is signed; a PDF reader's signature panel shows who signed."
            if self.signed
            else "The digital signature will appear in this box when the return is signed."
        )
        out.append(_SignatureBox(95 * mm, 32 * mm, caption, self.template.place_signature))
        return [KeepTogether(out)]


def _fingerprint_markup(fingerprint: str | None) -> str:
    """A long fingerprint in two even lines, so that it breaks between groups people compare."""
    if not fingerprint:
        return "—"
    groups = _clean(fingerprint).split()
    if len(groups) <= 8:
        return escape(" ".join(groups))
    half = (len(groups) + 1) // 2
    return escape(" ".join(groups[:half])) + "<br/>" + escape(" ".join(groups[half:]))


def _split_head(body: list[Flowable]) -> tuple[list[Flowable], list[Flowable]]:
    """The start of an answer to keep with its statement: small pieces up to the first text.

    Tables and long paragraphs are left out: they split across pages themselves, and keeping
    them whole would leave a gap of up to a page.
    """
    first: list[Flowable] = []
    for i, f in enumerate(body):
        if isinstance(f, (Table, Indenter)) or (isinstance(f, Paragraph) and len(f.text) > 600):
            return first, body[i:]
        first.append(f)
        if not isinstance(f, (_Chip, Spacer)) and not getattr(f.style, "keepWithNext", 0):
            return first, body[i + 1 :]
    return first, []


def _indented(table: Table, indent: float) -> list[Flowable]:
    """A table under its statement, right of the number.

    An Indenter rather than hAlign: the parts of a table split across pages are centred whatever
    the original's alignment, so the frame itself is narrowed to the table's width.
    """
    return [Indenter(left=indent), table, Indenter(left=-indent)]


def _height(flowables: list[Flowable]) -> float:
    """Height of flowables laid out in the body frame (spacing included, approximately)."""
    total = 0.0
    for f in flowables:
        _, h = f.wrap(BODY_WIDTH, PAGE_HEIGHT)
        total += h + f.getSpaceBefore() + f.getSpaceAfter()
    return total


def _column_width_hint(col: Column) -> tuple[float, float]:
    """(fixed width, weight): fixed for short values, weights share the rest."""
    fixed = {"date": 24 * mm, "yes_no": 14 * mm, "number": 20 * mm}
    if col.type in fixed:
        return fixed[col.type], 0
    if col.type == "choice":
        longest = max((stringWidth(o.label, FONT, 8.5) for o in col.options), default=40)
        return min(max(longest, stringWidth(col.label, BOLD, 8.5)) + 12, 45 * mm), 0
    return 0, 3 if col.type == "long_text" else 1.4


def _grid(styles: _Styles, columns: Sequence[Column], rows: list[dict[str, Any]]) -> Table:
    s = styles
    width = BODY_WIDTH - s.indent
    hints = [_column_width_hint(c) for c in columns]
    fixed = sum(h[0] for h in hints)
    weights = sum(h[1] for h in hints)
    if weights == 0 or fixed > width * 0.7:
        # only fixed-width columns, or too many of them: share the width by the same proportions
        total = sum(h[0] or 30 * mm for h in hints)
        widths = [(h[0] or 30 * mm) * width / total for h in hints]
    else:
        widths = [h[0] if h[0] else (width - fixed) * h[1] / weights for h in hints]
    data: list[list[Any]] = [[Paragraph(_markup(c.label), s.cell_head) for c in columns]]
    for row in rows:
        cells: list[Any] = []
        for col in columns:
            cells.append(_cell(s, col, row.get(col.id)))
        data.append(cells)
    return _grid_table(data, widths)


class _GridTable(Table):
    """A table whose rows may split across pages, and whose continuation always starts a new page.

    reportlab first splits between rows and then offers the rest to the same frame, which with
    ``splitInRow`` splits the next row there too and repeats the header mid-page.
    """

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        parts = super().split(availWidth, availHeight)
        return [parts[0], FrameBreak(), *parts[1:]] if len(parts) > 1 else parts


def _grid_table(data: list[list[Any]], widths: list[float]) -> Table:
    table = _GridTable(
        data,
        colWidths=widths,
        repeatRows=1,
        splitByRow=1,
        splitInRow=1,
        hAlign="LEFT",
        style=_table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), HEAD_FILL),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, MUTED),
                ("LINEBELOW", (0, 1), (-1, -1), 0.4, RULE),
                ("BOX", (0, 0), (-1, -1), 0.6, RULE),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, STRIPE]),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ("LEFTPADDING", (0, 0), (-1, -1), 5),
                ("RIGHTPADDING", (0, 0), (-1, -1), 5),
            ]
        ),
    )
    return table


def _cell(s: _Styles, col: Column, value: Any) -> Any:
    if col.type == "yes_no":
        return Paragraph("Yes" if value is True else "No" if value is False else "—", s.cell)
    if _is_blank(value):
        return Paragraph("—", s.cell_missing)
    if col.type == "date":
        return Paragraph(_markup(_format_date(value)), s.cell)
    if col.type == "choice":
        label = next((o.label for o in col.options if o.id == value), str(value))
        return Paragraph(_markup(label), s.cell)
    if col.type == "number":
        return Paragraph(_markup(_format_number(value)), s.cell_right)
    blocks = [b for b in re.split(r"\n[ \t]*\n", _clean(value)) if b.strip()]
    paras = [Paragraph(escape(b.strip("\n")).replace("\n", "<br/>"), s.cell) for b in blocks]
    if len(paras) == 1:
        return paras[0]
    for p in paras[:-1]:
        p.style = ParagraphStyle("cellpara", parent=s.cell, spaceAfter=4)
    return paras

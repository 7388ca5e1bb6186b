"""The look of the submission PDF: its paragraph styles, its page furniture, the draft mark, and where the
signature goes."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from oscb_desktop.forms.model import FormDefinition
from oscb_desktop.report import fonts
from oscb_desktop.report.house.palette import (
    BOLD,
    FAINT,
    INK,
    ITALIC,
    MARGIN_X,
    MUTED,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    WARN,
)
from oscb_desktop.report.house.styles import Styles
from oscb_desktop.report.house.template import HouseTemplate
from oscb_desktop.report.house.text import clean, format_time

if TYPE_CHECKING:
    from oscb_desktop.report.submission import ReturnDocument

BODY_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
MIN_INDENT = 9 * mm  # answers sit under their statement, right of its number
DRAFT_RED = WARN


class SubmissionStyles(Styles):
    """Answers sit ``indent`` right of their statement's number ("12.10")."""

    def __init__(self, indent: float) -> None:
        super().__init__(h2_size=11.5, h2_leading=15, toc=((10.5, 17, 0), (9.5, 14, 8 * mm)))
        self.indent = indent
        base = self.body
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
        self.guidance = ParagraphStyle("guidance", parent=base, fontSize=8.5, leading=12, textColor=MUTED)
        self.details = ParagraphStyle("details", parent=base, fontSize=7.5, leading=10, textColor=MUTED)
        self.none_line = ParagraphStyle("noneline", parent=base, fontSize=9, leading=12, textColor=MUTED, spaceBefore=8)
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
        self.cover_agency = ParagraphStyle(
            "coveragency", parent=base, fontName=BOLD, fontSize=19, leading=24, textColor=INK, spaceAfter=2
        )


def number_indent(form: FormDefinition) -> float:
    """How far answers sit right of their statement numbers: room for the widest number ("12.10")."""
    numbers = [form.item_code(section.items[-1].id) for section in form.sections]
    widest = max((stringWidth(number, fonts.BOLD, 10) for number in numbers), default=0)
    return max(MIN_INDENT, widest + 3 * mm)


def status_label(status: str) -> str:
    return clean(status).replace("_", " ").strip().capitalize() or "Unknown"


class SubmissionTemplate(HouseTemplate):
    """The house template, marked DRAFT on every page of a draft, and recording where the signature goes."""

    def __init__(self, doc: ReturnDocument, *, draft: bool) -> None:
        form = doc.form
        footer = f"{clean(form.title)} {clean(doc.period)} · version {doc.version} · {status_label(doc.status)}"
        if doc.generated_at:
            footer += f" · generated {format_time(doc.generated_at)}"
        super().__init__(
            title=f"{clean(form.title)} {clean(doc.period)} — {clean(doc.agency_name)}",
            author=clean(doc.agency_name),
            subject=f"{clean(form.title)} return, version {doc.version}",
            keywords=[clean(form.short_title), clean(doc.period), f"version {doc.version}"],
            header_left=clean(doc.agency_name),
            header_right=f"{clean(form.short_title)} · {clean(doc.period)} · version {doc.version}",
            header_mark="DRAFT · " if draft else "",
            footer=footer,
            first_top=42 * mm,
            band=28 * mm if doc.partnership else 14 * mm,
            band_title=clean(doc.partnership),
            band_subtitle="Return to the partnership" if doc.partnership else "",
        )
        self.draft = draft
        self.signature_page: int | None = None
        self.signature_box: tuple[float, float, float, float] | None = None

    def place_signature(self, page: int, box: tuple[float, float, float, float]) -> None:
        self.signature_page = page
        self.signature_box = box

    def decorate(self, canvas: Canvas) -> None:
        if self.draft:
            draw_draft_mark(canvas)


def draw_draft_mark(canvas: Canvas) -> None:
    """A large, light, diagonal DRAFT across the page, drawn as shapes (see :mod:`oscb_desktop.report.fonts`)."""
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

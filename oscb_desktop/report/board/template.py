"""The look of the board report: its page furniture, its paragraph styles and the small pieces every chapter
uses (count cells, level abbreviations, headings)."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph

from oscb_desktop.collate.result import Collation, StandardSummary
from oscb_desktop.forms.model import NOT_APPLICABLE, Scale
from oscb_desktop.report.house.palette import ACCENT, BOLD, INK, MUTED, PAGE_WIDTH
from oscb_desktop.report.house.styles import Styles
from oscb_desktop.report.house.template import HouseTemplate
from oscb_desktop.report.house.text import clean, format_date, markup

#: The board report has slightly narrower margins than the other documents, for the matrix's columns.
MARGIN_X = 18 * mm
BODY_WIDTH = PAGE_WIDTH - 2 * MARGIN_X

REPORT_TITLE = "Safeguarding assurance report"
REPORT_SUBTITLE = "Section 11 self-assessments and annual impact assessments"


def board_template(c: Collation) -> HouseTemplate:
    partnership = clean(c.partnership) or "Safeguarding partnership"
    period = clean(c.period)
    return HouseTemplate(
        title=f"{REPORT_TITLE} {period} — {partnership}",
        author=partnership,
        subject=f"{REPORT_SUBTITLE}, {period}: the board's assurance report",
        keywords=["Section 11", "impact assessment", "assurance", period],
        header_left=partnership,
        header_right=f"{REPORT_TITLE} · {period}",
        footer=f"{REPORT_SUBTITLE} {period} · figures as of {format_date(c.as_of)}",
        margin_x=MARGIN_X,
        first_top=40 * mm,
    )


class BoardStyles(Styles):
    def __init__(self) -> None:
        super().__init__(cell_size=8, cell_leading=10.5)
        base = self.body
        self.h3 = ParagraphStyle(
            "h3", parent=base, fontName=BOLD, fontSize=10, leading=14, spaceBefore=8, spaceAfter=3, keepWithNext=1
        )
        self.cell_group = ParagraphStyle("cellgroup", parent=self.cell_head, textColor=ACCENT)
        self.theme = ParagraphStyle(
            "theme",
            parent=base,
            fontName=BOLD,
            fontSize=10.5,
            leading=14,
            leftIndent=7 * mm,
            bulletIndent=0,
            bulletFontName=BOLD,
            bulletFontSize=10.5,
            spaceBefore=8,
            spaceAfter=1,
            keepWithNext=1,
        )
        self.theme_facts = ParagraphStyle(
            "themefacts", parent=self.small, leftIndent=7 * mm, spaceAfter=4, keepWithNext=1
        )
        self.quote = ParagraphStyle(
            "quote", parent=base, fontSize=9, leading=12.5, leftIndent=11 * mm, spaceAfter=1, textColor=INK
        )
        self.quote_by = ParagraphStyle(
            "quoteby", parent=self.small, fontSize=8, leading=10.5, leftIndent=11 * mm, spaceAfter=6
        )
        self.tile_number = ParagraphStyle(
            "tilenumber", parent=base, fontName=BOLD, fontSize=22, leading=26, textColor=ACCENT, alignment=TA_CENTER
        )
        self.tile_caption = ParagraphStyle(
            "tilecaption", parent=base, fontSize=8, leading=10, textColor=INK, alignment=TA_CENTER, spaceAfter=0
        )
        self.tile_detail = ParagraphStyle("tiledetail", parent=self.tile_caption, textColor=MUTED, fontSize=7.5)
        self.cover_name = ParagraphStyle(
            "covername", parent=base, fontName=BOLD, fontSize=17, leading=22, textColor=INK, spaceAfter=2
        )


#: Short names of a scale's levels (level id -> "B", "G", "A", "R", "N/A") for tight cells.
Abbreviations = dict[str, str]


def abbreviations(scale: Scale | None) -> Abbreviations:
    """Short names of a scale's levels for tight cells: first letters, longer where two would clash."""
    if scale is None:
        return {}
    out: dict[str, str] = {}
    levels = list(scale.levels)
    for n in range(1, 4):
        out = {lv.id: lv.label[:n].strip() or lv.id[:n] for lv in levels}
        if len(set(out.values())) == len(out):
            break
    else:
        out = {lv.id: lv.label for lv in levels}
    if scale.not_applicable is not None:
        out[NOT_APPLICABLE] = "N/A"
    return out


def count(s: Styles, n: int) -> Paragraph:
    """A count in a table cell; a faint dash for none."""
    return Paragraph(str(n), s.cell_centre) if n else Paragraph("–", s.cell_zero)


def standard_name(st: StandardSummary) -> str:
    return f"{st.code} {markup(st.title)}"


def names(agencies: Sequence[str]) -> str:
    """'A, B and C'."""
    cleaned = [markup(n) for n in agencies]
    if len(cleaned) <= 1:
        return "".join(cleaned)
    return ", ".join(cleaned[:-1]) + " and " + cleaned[-1]

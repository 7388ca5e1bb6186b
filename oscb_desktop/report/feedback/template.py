"""The look of a feedback letter: a letterhead on the first page, quieter headings than the reports', and
the Business Unit's notes in shaded boxes."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm

from oscb_desktop.collate.result import Collation
from oscb_desktop.report.house.palette import ACCENT, BOLD, MARGIN_X, MUTED, PAGE_WIDTH, WARN
from oscb_desktop.report.house.styles import Styles
from oscb_desktop.report.house.template import HouseTemplate
from oscb_desktop.report.house.text import clean, format_date, markup

BODY_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
LETTERHEAD = 30 * mm
NOTE_FILL = colors.HexColor("#f3f6fa")

TITLE = "Feedback on your safeguarding returns"


def sign_off(c: Collation) -> str:
    """Who the letter is from: '<partnership> Business Unit'."""
    return f"{clean(c.partnership) or 'The partnership'} Business Unit"


def signature(c: Collation) -> str:
    """The letter's last lines (markup): the reviewing officer's name, for the Business Unit."""
    unit = markup(sign_off(c))
    return f"{markup(c.officer)}<br/>for the {unit}" if c.officer.strip() else unit


def whom_to_contact(c: Collation) -> str:
    """``Alex Morgan at the Business Unit (email, phone)`` from the partnership's profile (markup), or ``the
    Business Unit`` when the profile names nobody."""
    name, email, phone = (clean(part) for part in c.contact)
    ways = ", ".join(markup(p) for p in (email, phone) if p)
    if not name:
        return f"the Business Unit ({ways})" if ways else "the Business Unit"
    return f"{markup(name)} at the Business Unit" + (f" ({ways})" if ways else "")


def letter_template(c: Collation, agency: str) -> HouseTemplate:
    partnership = clean(c.partnership) or "Safeguarding partnership"
    period = clean(c.period)
    return HouseTemplate(
        title=f"Feedback to {clean(agency)} on its returns for {period} — {partnership}",
        author=sign_off(c),
        subject=f"{TITLE}, {period}: moderated ratings, the Business Unit's notes, open actions",
        keywords=["Section 11", "feedback", "moderation", period, clean(agency)],
        header_left=partnership,
        header_right=f"Feedback to {clean(agency)} · {period}",
        header_right_room=BODY_WIDTH * 0.6,
        footer=f"Feedback from the Business Unit on the returns for {period} · as of {format_date(c.as_of)}",
        first_top=LETTERHEAD + 8 * mm,
        band=LETTERHEAD,
        band_title=partnership,
        band_subtitle="Business Unit",
        footer_on_first=True,
        number_from=1,
    )


class LetterStyles(Styles):
    def __init__(self) -> None:
        super().__init__(space_after=5)
        base = self.body
        self.title = ParagraphStyle(
            "title", parent=base, fontName=BOLD, fontSize=19, leading=24, textColor=ACCENT, spaceAfter=2
        )
        self.subtitle = ParagraphStyle("subtitle", parent=base, fontSize=11.5, leading=16, textColor=MUTED)
        self.h1 = ParagraphStyle(
            "h1",
            parent=base,
            fontName=BOLD,
            fontSize=13,
            leading=17,
            textColor=ACCENT,
            spaceBefore=12,
            spaceAfter=5,
            keepWithNext=1,
        )
        self.h2 = ParagraphStyle(
            "h2", parent=base, fontName=BOLD, fontSize=10.5, leading=14, spaceBefore=9, spaceAfter=3, keepWithNext=1
        )
        self.note = ParagraphStyle("note", parent=base, fontSize=9.5, leading=13.5, spaceAfter=3)
        self.note_by = ParagraphStyle(
            "noteby", parent=base, fontName=BOLD, fontSize=8.5, leading=11.5, textColor=MUTED, spaceAfter=1
        )
        self.cell_warn = ParagraphStyle("cellwarn", parent=self.cell, fontName=BOLD, textColor=WARN)
        self.closing = ParagraphStyle("closing", parent=base, spaceBefore=10)

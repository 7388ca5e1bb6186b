"""The page, the colours and the fonts every printed document shares."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from oscb_desktop.forms.model import Level
from oscb_desktop.report import fonts

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 20 * mm
MARGIN_TOP = 24 * mm
MARGIN_BOTTOM = 22 * mm

INK = colors.HexColor("#1f2937")
MUTED = colors.HexColor("#4b5563")
FAINT = colors.HexColor("#6b7280")
RULE = colors.HexColor("#d1d5db")
ACCENT = colors.HexColor("#1e3a5f")
#: The light line under the band across the top of a cover or a letter's first page.
BAND_EDGE = colors.HexColor("#c7d2e0")
HEAD_FILL = colors.HexColor("#e8edf3")
STRIPE = colors.HexColor("#f6f8fa")
#: Overdue actions, challenged agencies, issues raised, the draft mark.
WARN = colors.HexColor("#b91c1c")
#: A standard or statement nobody rated.
UNRATED = colors.HexColor("#e5e7eb")

FONT = fonts.REGULAR
BOLD = fonts.BOLD
ITALIC = fonts.ITALIC


def text_colour_on(fill: colors.Color) -> colors.Color:
    """Black or white, whichever reads better on ``fill`` (WCAG relative luminance)."""

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    lum = 0.2126 * channel(fill.red) + 0.7152 * channel(fill.green) + 0.0722 * channel(fill.blue)
    return colors.white if (1.05 / (lum + 0.05)) >= ((lum + 0.05) / 0.05) else colors.black


def level_colour(level: Level) -> colors.Color:
    try:
        return colors.HexColor(level.colour)
    except (ValueError, TypeError):
        return FAINT

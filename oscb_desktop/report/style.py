"""The house style every printed document shares: page, palette, fonts, text helpers, tables, page numbers.

The submission PDF, the board's assurance report and the feedback letters all draw with these, so they look
like one family and a fix to, say, how user text is cleaned reaches all three.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

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
HEAD_FILL = colors.HexColor("#e8edf3")
STRIPE = colors.HexColor("#f6f8fa")

FONT = fonts.REGULAR
BOLD = fonts.BOLD
ITALIC = fonts.ITALIC

# --- Text -----------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def clean(text: Any) -> str:
    """User text as plain, printable text: no control characters or lone surrogates."""
    s = text if isinstance(text, str) else str(text)
    s = s.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    s = _SURROGATE.sub("\ufffd", s)
    return unicodedata.normalize("NFC", _CONTROL.sub("", s))


def markup(text: Any) -> str:
    """User text escaped for a Paragraph, line breaks kept."""
    return escape(clean(text)).replace("\n", "<br/>")


def paragraphs(text: Any, style: ParagraphStyle) -> list[Flowable]:
    """Long user text as one Paragraph per paragraph, so it splits across pages line by line."""
    blocks = [b.strip("\n") for b in re.split(r"\n[ \t]*\n", clean(text))]
    return [Paragraph(escape(b).replace("\n", "<br/>"), style) for b in blocks if b.strip()]


def format_date(value: Any) -> str:
    try:
        d = value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        return clean(value)
    return f"{d.day} {d:%b %Y}"


def format_time(value: str | None) -> str:
    if not value:
        return ""
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        return clean(value)
    text = f"{t.day} {t:%b %Y}, {t:%H:%M}"
    offset = t.utcoffset()
    if offset is not None:
        zone = t.strftime("%z")
        text += " UTC" if not offset else f" (UTC{zone[:3]}:{zone[3:5]})"
    return text


def fit(text: str, font: str, size: float, width: float) -> str:
    """``text`` cut short with an ellipsis so it fits ``width`` points."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


# --- Colour ---------------------------------------------------------------------------------------


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


# --- Tables ---------------------------------------------------------------------------------------


def table_style(commands: list[tuple[Any, ...]]) -> TableStyle:
    """A TableStyle in our font: a cell's own default is Helvetica, which is neither embedded nor Unicode."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT), *commands])


def grid(
    data: list[list[Any]],
    widths: list[float],
    extra: Sequence[tuple[Any, ...]] = (),
    *,
    repeat: int = 1,
    stripes: bool = True,
) -> Table:
    """A ruled table with ``repeat`` shaded header rows repeated on every page, striped body rows."""
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, repeat - 1), HEAD_FILL),
        ("LINEBELOW", (0, repeat - 1), (-1, repeat - 1), 0.8, MUTED),
        ("LINEBELOW", (0, repeat), (-1, -1), 0.4, RULE),
        ("BOX", (0, 0), (-1, -1), 0.6, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    if stripes:
        commands.append(("ROWBACKGROUNDS", (0, repeat), (-1, -1), [colors.white, STRIPE]))
    return Table(
        data,
        colWidths=widths,
        repeatRows=repeat,
        splitByRow=1,
        hAlign="LEFT",
        style=table_style([*commands, *extra]),
    )


# --- Page numbers ---------------------------------------------------------------------------------


def numbered_canvas_class(
    *, margin_x: float = MARGIN_X, first_numbered: int = 1, on_total: Callable[[int], None] | None = None
) -> type[Canvas]:
    """A canvas that writes "Page N of M" at the foot of each page from ``first_numbered`` once it knows M.

    ``on_total`` hears M (the submission PDF records its page count that way).
    """

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._saved_pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._saved_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._saved_pages)
            if on_total is not None:
                on_total(total)
            for state in self._saved_pages:
                self.__dict__.update(state)
                number = self.getPageNumber()
                if number >= first_numbered:
                    self.saveState()
                    self.setFont(FONT, 7.5)
                    self.setFillColor(MUTED)
                    self.drawRightString(PAGE_WIDTH - margin_x, 12 * mm, f"Page {number} of {total}")
                    self.restoreState()
                super().showPage()
            super().save()

    return NumberedCanvas

"""The submission PDF's own flowables: rating chips, the signature box, and tables under their statement that
split across pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Indenter, Table
from reportlab.platypus.doctemplate import FrameBreak

from oscb_desktop.forms.model import Level
from oscb_desktop.report.house.palette import ACCENT, BAND_EDGE, BOLD, FONT, MUTED, text_colour_on
from oscb_desktop.report.house.tables import grid


def rating_text(level: Level) -> str:
    """The chip's words: 'Green · 75%', 'Not applicable'."""
    return f"{level.label} · {level.percentage}%" if level.percentage is not None else level.label


class Chip(Flowable):
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
        c.setFillColor(text_colour_on(self.fill))
        c.setFont(BOLD, self.size)
        c.drawString(self.indent + self.pad_x, (self.height - self.size) / 2 + 0.22 * self.size, self.text)
        c.restoreState()


class SignatureBox(Flowable):
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
        # A thin solid frame: the signature drawn into it at signing has none of its own.
        c.setStrokeColor(BAND_EDGE)
        c.setLineWidth(0.8)
        c.rect(0, box_bottom, self.width, self.box_height, stroke=1, fill=0)
        c.setFont(FONT, 7.5)
        c.setFillColor(MUTED)
        c.drawString(0, 3, self.caption)
        c.restoreState()
        x1, y1 = c.absolutePosition(0, box_bottom)
        x2, y2 = c.absolutePosition(self.width, box_bottom + self.box_height)
        self.on_place(c.getPageNumber() - 1, (round(x1, 2), round(y1, 2), round(x2, 2), round(y2, 2)))


class GridTable(Table):
    """A table whose rows may split across pages, and whose continuation always starts a new page.

    reportlab first splits between rows and then offers the rest to the same frame, which with
    ``splitInRow`` splits the next row there too and repeats the header mid-page.
    """

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        parts = super().split(availWidth, availHeight)
        return [parts[0], FrameBreak(), *parts[1:]] if len(parts) > 1 else parts


def grid_table(data: list[list[Any]], widths: list[float]) -> Table:
    """An answer's table: a shaded header repeated on every page, striped rows that split inside themselves."""
    return grid(data, widths, padding=(4, 5, 5), split_in_row=True, cls=GridTable)


def indented(table: Table, indent: float) -> list[Flowable]:
    """A table under its statement, right of the number.

    An Indenter rather than hAlign: the parts of a table split across pages are centred whatever
    the original's alignment, so the frame itself is narrowed to the table's width.
    """
    return [Indenter(left=indent), table, Indenter(left=-indent)]

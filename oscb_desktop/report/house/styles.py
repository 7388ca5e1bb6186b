"""The paragraph styles the documents share, their headings (contents and bookmarks) and the contents page."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer
from reportlab.platypus.tableofcontents import TableOfContents

from oscb_desktop.report.house.palette import ACCENT, BOLD, FAINT, FONT, INK, ITALIC, MUTED
from oscb_desktop.report.house.tables import table_style
from oscb_desktop.report.house.text import clean, markup

#: Contents levels: (font size, leading, left indent) of level 0, then level 1.
TocLevels = Sequence[tuple[float, float, float]]


class Styles:
    """The body, headings, notes, table cells and cover of every document.

    A document subclasses it for its own styles. What differs between the documents, and what other
    styles derive from, is a parameter: a style copies its parent's values when it is made, so changing
    ``body`` or ``cell`` afterwards would not reach the styles made from them.
    """

    def __init__(
        self,
        *,
        space_after: float = 4,
        cell_size: float = 8.5,
        cell_leading: float = 11.5,
        h2_size: float = 12,
        h2_leading: float = 16,
        toc: TocLevels = ((10, 15, 0), (9, 12.5, 6 * mm)),
    ) -> None:
        base = ParagraphStyle(
            "body",
            fontName=FONT,
            bulletFontName=FONT,
            fontSize=9.5,
            leading=13.5,
            textColor=INK,
            spaceAfter=space_after,
        )
        self.body = base
        self.h1 = ParagraphStyle(
            "h1", parent=base, fontName=BOLD, fontSize=16, leading=21, textColor=ACCENT, spaceAfter=6, keepWithNext=1
        )
        self.h2 = ParagraphStyle(
            "h2",
            parent=base,
            fontName=BOLD,
            fontSize=h2_size,
            leading=h2_leading,
            textColor=ACCENT,
            spaceBefore=10,
            spaceAfter=4,
            keepWithNext=1,
        )
        self.small = ParagraphStyle("small", parent=base, fontSize=8.5, leading=11.5, textColor=MUTED)
        self.bullet = ParagraphStyle("bullet", parent=base, leftIndent=5 * mm, bulletIndent=1 * mm, spaceAfter=3)
        self.cell = ParagraphStyle("cell", parent=base, fontSize=cell_size, leading=cell_leading, spaceAfter=0)
        self.cell_muted = ParagraphStyle("cellmuted", parent=self.cell, textColor=MUTED)
        self.cell_italic = ParagraphStyle("cellitalic", parent=self.cell, fontName=ITALIC, textColor=FAINT)
        self.cell_right = ParagraphStyle("cellright", parent=self.cell, alignment=TA_RIGHT)
        self.cell_centre = ParagraphStyle("cellcentre", parent=self.cell, alignment=TA_CENTER)
        self.cell_zero = ParagraphStyle("cellzero", parent=self.cell_centre, textColor=FAINT)
        self.cell_head = ParagraphStyle("cellhead", parent=self.cell, fontName=BOLD)
        self.cell_head_centre = ParagraphStyle("cellheadc", parent=self.cell_head, alignment=TA_CENTER)
        self.cell_head_right = ParagraphStyle("cellheadr", parent=self.cell_head, alignment=TA_RIGHT)
        self.cover_title = ParagraphStyle(
            "covertitle", parent=base, fontName=BOLD, fontSize=26, leading=32, textColor=ACCENT, spaceAfter=4
        )
        self.cover_sub = ParagraphStyle("coversub", parent=base, fontSize=13, leading=18, textColor=MUTED)
        self.toc_levels = [
            ParagraphStyle(f"toc{n}", parent=base, fontSize=size, leading=leading, leftIndent=indent, firstLineIndent=0)
            for n, (size, leading, indent) in enumerate(toc)
        ]

    def heading(self, text: str, key: str, *, level: int = 0) -> TocHeading:
        """A chapter (level 0, in ``h1``) or a part of one (level 1, in ``h2``), listed in the contents."""
        return TocHeading(text, self.h1 if level == 0 else self.h2, key=key, level=level)


class TocHeading(Paragraph):
    """A heading: an entry in the contents and in the PDF's outline (bookmarks); ``text`` is user text.

    :class:`~oscb_desktop.report.house.template.HouseTemplate` passes it on to the contents when it is laid out.
    """

    def __init__(self, text: str, style: ParagraphStyle, *, key: str, level: int = 0) -> None:
        super().__init__(markup(text), style)
        self.toc_key = key
        self.toc_level = level
        self.toc_text = markup(text)
        self.outline_title = clean(text)

    def draw(self) -> None:
        self.canv.bookmarkHorizontal(self.toc_key, 0, self.height + self.style.fontSize)
        self.canv.addOutlineEntry(self.outline_title, self.toc_key, level=self.toc_level, closed=self.toc_level > 0)
        super().draw()


def contents(s: Styles, *, gap: float) -> list[Flowable]:
    """The contents page: a heading, ``gap`` of space, and every :class:`TocHeading` with its page number."""
    toc = TableOfContents(
        dotsMinLevel=0,
        tableStyle=table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        ),
    )
    toc.levelStyles = s.toc_levels
    return [Paragraph("Contents", s.h1), Spacer(1, gap), toc]

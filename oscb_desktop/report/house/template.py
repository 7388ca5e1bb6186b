"""The page furniture every document shares: metadata, a first page under a band, body pages with a running
header and footer, the contents filled in, and "Page N of M" at the foot."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from oscb_desktop.report.house.palette import (
    ACCENT,
    BAND_EDGE,
    BOLD,
    FONT,
    INK,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    MUTED,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    RULE,
    WARN,
)
from oscb_desktop.report.house.styles import TocHeading
from oscb_desktop.report.house.text import fit

#: Baselines of the running header and footer, from the top and the bottom of the page.
HEADER_FROM_TOP = 13 * mm
FOOTER_FROM_BOTTOM = 12 * mm


class HouseTemplate(BaseDocTemplate):
    """An A4 document in the house style. Its story starts on the first page ("first") and must switch to
    the body pages with ``NextPageTemplate("body")``.

    The first page has a band of ``band`` across its top (with a letterhead's ``band_title`` and
    ``band_subtitle`` on it, when given), the footer only if ``footer_on_first``, and its text starts
    ``first_top`` below the top of the page. Body pages have ``header_left`` (bold, cut short to fit) and
    ``header_right`` (cut short to ``header_right_room`` points, when given) above a rule, with
    ``header_mark`` (say "DRAFT · ") in red before the right-hand part, and ``footer`` below a rule.
    Pages from ``number_from`` on say "Page N of M". :class:`TocHeading` flowables fill the contents.
    The pages' left and right margins are ``margin_x``.
    """

    def __init__(
        self,
        *,
        title: str,
        author: str,
        subject: str,
        keywords: Sequence[str],
        header_left: str,
        header_right: str,
        footer: str,
        margin_x: float = MARGIN_X,
        first_top: float,
        band: float = 14 * mm,
        band_title: str = "",
        band_subtitle: str = "",
        footer_on_first: bool = False,
        number_from: int = 2,
        header_mark: str = "",
        header_right_room: float | None = None,
    ) -> None:
        self.output = io.BytesIO()
        self.margin_x = margin_x
        self.body_width = PAGE_WIDTH - 2 * margin_x
        self.header_left = header_left
        self.header_right = header_right
        self.header_mark = header_mark
        self.header_right_room = header_right_room
        self.footer = footer
        self.band = band
        self.band_title = band_title
        self.band_subtitle = band_subtitle
        self.footer_on_first = footer_on_first
        self.number_from = number_from
        self.page_count = 0
        super().__init__(
            self.output,
            pagesize=A4,
            leftMargin=margin_x,
            rightMargin=margin_x,
            topMargin=MARGIN_TOP,
            bottomMargin=MARGIN_BOTTOM,
            title=title,
            author=author,
            subject=subject,
            creator="OSCB Desktop",
            producer="OSCB Desktop (reportlab)",
            keywords=list(keywords),
            lang="en-GB",
            displayDocTitle=True,
            initialFontName=FONT,
            initialFontSize=10,
        )
        frame = {"leftPadding": 0, "rightPadding": 0, "topPadding": 0, "bottomPadding": 0}
        width = self.body_width
        body = Frame(margin_x, MARGIN_BOTTOM, width, PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM, id="body", **frame)
        first = Frame(margin_x, MARGIN_BOTTOM, width, PAGE_HEIGHT - MARGIN_BOTTOM - first_top, id="first", **frame)
        self.addPageTemplates(
            [
                PageTemplate("first", [first], onPage=self._first_page, onPageEnd=self._page_end),
                PageTemplate("body", [body], onPage=self._body_page, onPageEnd=self._page_end),
            ]
        )

    def render(self, story: list[Flowable]) -> bytes:
        """Lay ``story`` out (as often as the contents need to settle) and give the PDF's bytes."""
        self.multiBuild(
            story,
            canvasmaker=numbered_canvas_class(
                margin_x=self.margin_x, first_numbered=self.number_from, on_total=self._set_page_count
            ),
        )
        return self.output.getvalue()

    def build(self, flowables: list[Flowable], **kw: Any) -> None:
        # multiBuild lays the story out several times; each pass must start an empty file.
        self.output.seek(0)
        self.output.truncate()
        self.filename = self.output
        super().build(flowables, **kw)

    def afterFlowable(self, flowable: Flowable) -> None:
        if isinstance(flowable, TocHeading):
            self.notify("TOCEntry", (flowable.toc_level, flowable.toc_text, self.page, flowable.toc_key))

    def decorate(self, canvas: Canvas) -> None:
        """Drawn over every page once its content is laid out (the submission's draft mark); nothing here."""

    def _set_page_count(self, total: int) -> None:
        self.page_count = total

    def _page_end(self, canvas: Canvas, _doc: BaseDocTemplate) -> None:
        self.decorate(canvas)

    def _first_page(self, canvas: Canvas, _doc: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setFillColor(ACCENT)
        canvas.rect(0, PAGE_HEIGHT - self.band, PAGE_WIDTH, self.band, stroke=0, fill=1)
        canvas.setFillColor(BAND_EDGE)
        canvas.rect(0, PAGE_HEIGHT - self.band - 1.2 * mm, PAGE_WIDTH, 1.2 * mm, stroke=0, fill=1)
        canvas.restoreState()
        if self.band_title or self.band_subtitle:
            canvas.saveState()
            canvas.setFillColor(colors.white)
            canvas.setFont(BOLD, 14)
            canvas.drawString(self.margin_x, PAGE_HEIGHT - 14 * mm, fit(self.band_title, BOLD, 14, self.body_width))
            canvas.setFont(FONT, 10)
            canvas.drawString(self.margin_x, PAGE_HEIGHT - 20.5 * mm, self.band_subtitle)
            canvas.restoreState()
        if self.footer_on_first:
            self._footer(canvas)

    def _body_page(self, canvas: Canvas, _doc: BaseDocTemplate) -> None:
        left, right = self.margin_x, PAGE_WIDTH - self.margin_x
        top = PAGE_HEIGHT - HEADER_FROM_TOP
        canvas.saveState()
        text = self.header_right
        if self.header_right_room is not None:
            text = fit(text, FONT, 8, self.header_right_room)
        canvas.setFont(FONT, 8)
        canvas.setFillColor(MUTED)
        canvas.drawRightString(right, top, text)
        taken = stringWidth(text, FONT, 8)
        if self.header_mark:
            canvas.setFont(BOLD, 8)
            canvas.setFillColor(WARN)
            canvas.drawRightString(right - taken, top, self.header_mark)
            taken += stringWidth(self.header_mark, BOLD, 8)
        canvas.setFont(BOLD, 8)
        canvas.setFillColor(INK)
        canvas.drawString(left, top, fit(self.header_left, BOLD, 8, self.body_width - taken - 6 * mm))
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        canvas.line(left, top - 2.6 * mm, right, top - 2.6 * mm)
        canvas.restoreState()
        self._footer(canvas)

    def _footer(self, canvas: Canvas) -> None:
        bottom = FOOTER_FROM_BOTTOM
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        canvas.line(self.margin_x, bottom + 4 * mm, PAGE_WIDTH - self.margin_x, bottom + 4 * mm)
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(self.margin_x, bottom, fit(self.footer, FONT, 7.5, self.body_width - 30 * mm))
        canvas.restoreState()


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
                    self.drawRightString(PAGE_WIDTH - margin_x, FOOTER_FROM_BOTTOM, f"Page {number} of {total}")
                    self.restoreState()
                super().showPage()
            super().save()

    return NumberedCanvas

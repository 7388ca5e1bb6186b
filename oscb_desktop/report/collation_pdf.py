"""The board's assurance report: the collated returns of every agency for one period, as an A4 PDF.

Made from a :class:`~oscb_desktop.collate.Collation` and nothing else, so that it says exactly what
the spreadsheet and the app say. In the house style of the submission PDF (:mod:`.submission_pdf`):
embedded DejaVu fonts, a running header and footer, "Page N of M", ratings always in words or
letters as well as colour, and real text that a reader can copy and a screen reader can speak.

Contents: cover with contents; headline figures and key messages; ratings by standard (chart and
table); the matrix of agencies against standards; the impact assessment (top three pressures and
enablers with the agencies' own words, areas for improvement, service changes, risks to escalate);
findings by standard; actions; how the figures are worked out.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
)
from reportlab.platypus.tableofcontents import TableOfContents

from oscb_desktop.collate.result import (
    DECLINED,
    IMPROVED,
    RULES,
    SAME,
    ActionRow,
    Collation,
    MatrixCell,
    Quote,
    RankedQuestion,
    StandardSummary,
)
from oscb_desktop.forms.model import NOT_APPLICABLE, Level, Scale
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
from oscb_desktop.report.style import grid as _grid
from oscb_desktop.report.style import level_colour as _level_colour
from oscb_desktop.report.style import markup as _markup
from oscb_desktop.report.style import table_style as _table_style
from oscb_desktop.report.style import text_colour_on as _text_colour_on

__all__ = ["render_collation_pdf"]

MARGIN_X = 18 * mm
BODY_WIDTH = PAGE_WIDTH - 2 * MARGIN_X


UNRATED = colors.HexColor("#e5e7eb")
WARN = colors.HexColor("#b91c1c")
BAR = colors.HexColor("#3b5b85")
BAR_TOP = ACCENT
BAR_REST = colors.HexColor("#9fb3cc")

ARROWS = {IMPROVED: "▲", DECLINED: "▼", SAME: ""}
MINUS = "\u2212"
REPORT_TITLE = "Safeguarding assurance report"
REPORT_SUBTITLE = "Section 11 self-assessments and annual impact assessments"


def render_collation_pdf(c: Collation) -> bytes:
    """The board's assurance report for ``c`` as A4 PDF bytes."""
    fonts.register_fonts()
    styles = _Styles()
    template = _Template(c)
    story = _Story(c, styles).build()
    template.multiBuild(story, canvasmaker=numbered_canvas_class(margin_x=MARGIN_X, first_numbered=2))
    return template.output.getvalue()


# --- Look ---------------------------------------------------------------------------------------


class _Styles:
    def __init__(self) -> None:
        base = ParagraphStyle(
            "body", fontName=FONT, bulletFontName=FONT, fontSize=9.5, leading=13.5, textColor=INK, spaceAfter=4
        )
        self.body = base
        self.h1 = ParagraphStyle(
            "h1", parent=base, fontName=BOLD, fontSize=16, leading=21, textColor=ACCENT, spaceAfter=6, keepWithNext=1
        )
        self.h2 = ParagraphStyle(
            "h2",
            parent=base,
            fontName=BOLD,
            fontSize=12,
            leading=16,
            textColor=ACCENT,
            spaceBefore=10,
            spaceAfter=4,
            keepWithNext=1,
        )
        self.h3 = ParagraphStyle(
            "h3", parent=base, fontName=BOLD, fontSize=10, leading=14, spaceBefore=8, spaceAfter=3, keepWithNext=1
        )
        self.small = ParagraphStyle("small", parent=base, fontSize=8.5, leading=11.5, textColor=MUTED)
        self.bullet = ParagraphStyle("bullet", parent=base, leftIndent=5 * mm, bulletIndent=1 * mm, spaceAfter=3)
        self.cell = ParagraphStyle("cell", parent=base, fontSize=8, leading=10.5, spaceAfter=0)
        self.cell_muted = ParagraphStyle("cellmuted", parent=self.cell, textColor=MUTED)
        self.cell_italic = ParagraphStyle("cellitalic", parent=self.cell, fontName=ITALIC, textColor=FAINT)
        self.cell_right = ParagraphStyle("cellright", parent=self.cell, alignment=TA_RIGHT)
        self.cell_centre = ParagraphStyle("cellcentre", parent=self.cell, alignment=TA_CENTER)
        self.cell_zero = ParagraphStyle("cellzero", parent=self.cell_centre, textColor=FAINT)
        self.cell_head = ParagraphStyle("cellhead", parent=self.cell, fontName=BOLD)
        self.cell_head_centre = ParagraphStyle("cellheadc", parent=self.cell_head, alignment=TA_CENTER)
        self.cell_head_right = ParagraphStyle("cellheadr", parent=self.cell_head, alignment=TA_RIGHT)
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
        self.cover_title = ParagraphStyle(
            "covertitle", parent=base, fontName=BOLD, fontSize=26, leading=32, textColor=ACCENT, spaceAfter=4
        )
        self.cover_sub = ParagraphStyle("coversub", parent=base, fontSize=13, leading=18, textColor=MUTED)
        self.cover_name = ParagraphStyle(
            "covername", parent=base, fontName=BOLD, fontSize=17, leading=22, textColor=INK, spaceAfter=2
        )
        self.toc_levels = [
            ParagraphStyle("toc0", parent=base, fontSize=10, leading=15, leftIndent=0, firstLineIndent=0),
            ParagraphStyle("toc1", parent=base, fontSize=9, leading=12.5, leftIndent=6 * mm, firstLineIndent=0),
        ]


def _pct(share: float | None) -> str:
    return "—" if share is None else f"{round(share * 100)}%"


def _mean(value: float | None) -> str:
    return "—" if value is None else f"{round(value)}%"


def _points(value: float | None) -> str:
    """A difference of percentages, with a real minus sign: '+8 points', '−3 points'."""
    if value is None:
        return "—"
    n = round(value)
    if n == 0:
        return "0 points"
    sign = "+" if n > 0 else MINUS
    return f"{sign}{abs(n)} point{'s' if abs(n) != 1 else ''}"


def _signed(value: float | None) -> str:
    """A difference in points without the word: '+8', '−3', '0'."""
    if value is None:
        return "—"
    n = round(value)
    return f"+{n}" if n > 0 else f"{MINUS}{abs(n)}" if n < 0 else "0"


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _names(names: Sequence[str]) -> str:
    cleaned = [_markup(n) for n in names]
    if len(cleaned) <= 1:
        return "".join(cleaned)
    return ", ".join(cleaned[:-1]) + " and " + cleaned[-1]


def abbreviations(scale: Scale | None) -> dict[str, str]:
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


# --- Flowables ----------------------------------------------------------------------------------


class _Heading(Paragraph):
    """A heading: an entry in the contents and in the PDF's outline (bookmarks)."""

    def __init__(self, text: str, style: ParagraphStyle, *, key: str, level: int = 0) -> None:
        super().__init__(_markup(text), style)
        self.toc_key = key
        self.toc_level = level
        self.toc_text = _markup(text)
        self.outline_title = _clean(text)

    def draw(self) -> None:
        self.canv.bookmarkHorizontal(self.toc_key, 0, self.height + self.style.fontSize)
        self.canv.addOutlineEntry(self.outline_title, self.toc_key, level=self.toc_level, closed=self.toc_level > 0)
        super().draw()


# --- Page furniture -----------------------------------------------------------------------------


class _Template(BaseDocTemplate):
    def __init__(self, c: Collation) -> None:
        self.output = io.BytesIO()
        self.c = c
        partnership = _clean(c.partnership) or "Safeguarding partnership"
        super().__init__(
            self.output,
            pagesize=A4,
            leftMargin=MARGIN_X,
            rightMargin=MARGIN_X,
            topMargin=MARGIN_TOP,
            bottomMargin=MARGIN_BOTTOM,
            title=f"{REPORT_TITLE} {_clean(c.period)} — {partnership}",
            author=partnership,
            subject=f"{REPORT_SUBTITLE}, {_clean(c.period)}: the board's assurance report",
            creator="OSCB Desktop",
            producer="OSCB Desktop (reportlab)",
            keywords=["Section 11", "impact assessment", "assurance", _clean(c.period)],
            lang="en-GB",
            displayDocTitle=True,
            initialFontName=FONT,
            initialFontSize=10,
        )
        frame = {"leftPadding": 0, "rightPadding": 0, "topPadding": 0, "bottomPadding": 0}
        body = Frame(MARGIN_X, MARGIN_BOTTOM, BODY_WIDTH, PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM, id="body", **frame)
        cover = Frame(MARGIN_X, MARGIN_BOTTOM, BODY_WIDTH, PAGE_HEIGHT - MARGIN_BOTTOM - 40 * mm, id="cover", **frame)
        self.addPageTemplates(
            [
                PageTemplate("cover", [cover], onPage=self._cover_page),
                PageTemplate("body", [body], onPage=self._body_page),
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

    def _cover_page(self, canvas: Canvas, _doc: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setFillColor(ACCENT)
        canvas.rect(0, PAGE_HEIGHT - 14 * mm, PAGE_WIDTH, 14 * mm, stroke=0, fill=1)
        canvas.setFillColor(colors.HexColor("#c7d2e0"))
        canvas.rect(0, PAGE_HEIGHT - 15.2 * mm, PAGE_WIDTH, 1.2 * mm, stroke=0, fill=1)
        canvas.restoreState()

    def _body_page(self, canvas: Canvas, _doc: BaseDocTemplate) -> None:
        c = self.c
        canvas.saveState()
        top = PAGE_HEIGHT - 13 * mm
        right = f"{REPORT_TITLE} · {_clean(c.period)}"
        canvas.setFont(FONT, 8)
        canvas.setFillColor(MUTED)
        canvas.drawRightString(PAGE_WIDTH - MARGIN_X, top, right)
        canvas.setFont(BOLD, 8)
        canvas.setFillColor(INK)
        room = BODY_WIDTH - stringWidth(right, FONT, 8) - 6 * mm
        canvas.drawString(MARGIN_X, top, _fit(_clean(c.partnership) or "Safeguarding partnership", BOLD, 8, room))
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        canvas.line(MARGIN_X, top - 2.6 * mm, PAGE_WIDTH - MARGIN_X, top - 2.6 * mm)
        bottom = 12 * mm
        canvas.line(MARGIN_X, bottom + 4 * mm, PAGE_WIDTH - MARGIN_X, bottom + 4 * mm)
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(MUTED)
        footer = f"{REPORT_SUBTITLE} {_clean(c.period)} · figures as of {_format_date(c.as_of)}"
        canvas.drawString(MARGIN_X, bottom, _fit(footer, FONT, 7.5, BODY_WIDTH - 30 * mm))
        canvas.restoreState()


# --- Tables -------------------------------------------------------------------------------------


def _group_style(s: _Styles) -> ParagraphStyle:
    return ParagraphStyle("mgroup", parent=s.cell_group, fontSize=7.5, leading=9)


def _quotes(quotes: Sequence[Quote], s: _Styles) -> list[Flowable]:
    """Agencies' own words, each under its agencies; the same words from several agencies are quoted once."""
    groups: dict[str, tuple[str, list[Quote]]] = {}
    for q in quotes:
        groups.setdefault(" ".join(q.text.split()).casefold(), (q.text, []))[1].append(q)
    out: list[Flowable] = []
    for text, group in groups.values():
        by = "; ".join(_markup(q.agency) + (f" (rank {q.rank})" if q.rank else "") for q in group)
        out.append(KeepTogether([Paragraph(f"“{_markup(text)}”", s.quote), Paragraph(f"— {by}", s.quote_by)]))
    return out


def _count(s: _Styles, n: int) -> Paragraph:
    return Paragraph(str(n), s.cell_centre) if n else Paragraph("–", s.cell_zero)


# --- Charts -------------------------------------------------------------------------------------


def _wrap_label(text: str, font: str, size: float, width: float, lines: int = 2) -> list[str]:
    parts = simpleSplit(text, font, size, width)
    if len(parts) <= lines:
        return parts
    return [*parts[: lines - 1], _fit(" ".join(parts[lines - 1 :]), font, size, width)]


def _add_label(d: Drawing, text: str, x: float, centre: float, width: float, *, font: str = FONT) -> None:
    """A label of up to two lines, vertically centred on ``centre``."""
    size, leading = 7.5, 8.6
    lines = _wrap_label(text, font, size, width)
    first = centre - 0.35 * size + (len(lines) - 1) * leading / 2
    for k, line in enumerate(lines):
        d.add(String(x, first - k * leading, line, fontName=font, fontSize=size, fillColor=INK))


def _distribution_chart(c: Collation, abbr: dict[str, str]) -> Drawing:
    """One 100% stacked bar per standard: how many statement ratings were at each level."""
    scale = c.scale
    assert scale is not None
    levels = list(scale.choices)
    show_unrated = any(st.unanswered for st in c.standards)
    label_w = 62 * mm
    bar_w = BODY_WIDTH - label_w - 2 * mm
    row_h = 6.8 * mm
    bar_h = 5 * mm
    legend_h = 8 * mm
    axis_h = 6 * mm
    height = legend_h + row_h * len(c.standards) + axis_h
    d = Drawing(BODY_WIDTH, height, initialFontName=FONT, initialFontSize=7.5)
    # Key, in the order the bars are stacked.
    entries: list[tuple[str, colors.Color]] = [
        (f"{lv.display}" if lv.id != NOT_APPLICABLE else "Not applicable", _level_colour(lv)) for lv in levels
    ]
    if show_unrated:
        entries.append(("Not rated", UNRATED))
    legend_w = sum(8.6 * mm + stringWidth(text, FONT, 7.5) for text, _ in entries) - 4 * mm
    x = max(0, min(label_w, BODY_WIDTH - legend_w))
    for text, fill in entries:
        d.add(Rect(x, height - 5 * mm, 3.4 * mm, 3.4 * mm, fillColor=fill, strokeColor=None))
        d.add(String(x + 4.6 * mm, height - 4.6 * mm, text, fontName=FONT, fontSize=7.5, fillColor=INK))
        x += 4.6 * mm + stringWidth(text, FONT, 7.5) + 4 * mm
    for n, st in enumerate(c.standards):
        y = height - legend_h - (n + 1) * row_h + (row_h - bar_h) / 2
        _add_label(d, f"{st.code}  {_clean(st.title)}", 0, y + bar_h / 2, label_w - 3 * mm)
        segments = [(lv, st.counts.get(lv.id, 0)) for lv in levels]
        total = sum(n for _, n in segments) + (st.unanswered if show_unrated else 0)
        x = label_w
        if total == 0:
            d.add(Rect(x, y, bar_w, bar_h, fillColor=UNRATED, strokeColor=None))
            d.add(String(x + 2 * mm, y + 1.7 * mm, "No ratings", fontName=ITALIC, fontSize=7, fillColor=MUTED))
            continue
        pieces: list[tuple[str, int, colors.Color]] = [
            (abbr.get(lv.id, ""), k, _level_colour(lv)) for lv, k in segments
        ]
        if show_unrated:
            pieces.append(("", st.unanswered, UNRATED))
        for short, k, fill in pieces:
            if not k:
                continue
            w = bar_w * k / total
            d.add(Rect(x, y, w, bar_h, fillColor=fill, strokeColor=colors.white, strokeWidth=0.6))
            ink = _text_colour_on(fill)
            for text in (f"{short} {k}".strip(), str(k)):
                if stringWidth(text, BOLD, 7) + 2 * mm <= w:
                    d.add(
                        String(
                            x + w / 2, y + 1.9 * mm, text, fontName=BOLD, fontSize=7, fillColor=ink, textAnchor="middle"
                        )
                    )
                    break
            x += w
    # Axis: 0, 50 and 100 per cent of each agency's statements.
    base = axis_h - 1.5 * mm
    d.add(Line(label_w, base + 1.5 * mm, label_w + bar_w, base + 1.5 * mm, strokeColor=RULE, strokeWidth=0.5))
    for frac in (0, 0.25, 0.5, 0.75, 1):
        xx = label_w + bar_w * frac
        d.add(Line(xx, base + 0.5 * mm, xx, base + 1.5 * mm, strokeColor=MUTED, strokeWidth=0.5))
        anchor = "start" if frac == 0 else "end" if frac == 1 else "middle"
        d.add(
            String(
                xx,
                base - 2 * mm,
                f"{round(frac * 100)}%",
                fontName=FONT,
                fontSize=6.5,
                fillColor=MUTED,
                textAnchor=anchor,
            )
        )
    return d


def _bar_chart(rows: Sequence[tuple[str, float, str]], *, highlight: int = 3, label_w: float = 70 * mm) -> Drawing:
    """Horizontal bars: (label, value, text beside the bar), the first ``highlight`` in the darker colour."""
    row_h = 8.5 * mm
    bar_h = 5 * mm
    value_w = 34 * mm
    bar_room = BODY_WIDTH - label_w - value_w
    top = max((v for _, v, _ in rows), default=0) or 1
    height = row_h * len(rows) + 2 * mm
    d = Drawing(BODY_WIDTH, height, initialFontName=FONT, initialFontSize=7.5)
    for n, (label, value, note) in enumerate(rows):
        y = height - (n + 1) * row_h + (row_h - bar_h) / 2
        _add_label(d, f"{n + 1}. {label}", 0, y + bar_h / 2, label_w - 3 * mm, font=BOLD if n < highlight else FONT)
        w = max(bar_room * value / top, 0.8)
        d.add(Rect(label_w, y, w, bar_h, fillColor=BAR_TOP if n < highlight else BAR_REST, strokeColor=None))
        d.add(String(label_w + w + 1.5 * mm, y + 1.6 * mm, note, fontName=FONT, fontSize=7.5, fillColor=INK))
    d.add(Line(label_w, 0, label_w, height, strokeColor=MUTED, strokeWidth=0.5))
    return d


# --- The story ----------------------------------------------------------------------------------


class _Story:
    def __init__(self, c: Collation, styles: _Styles) -> None:
        self.c = c
        self.s = styles
        self.abbr = abbreviations(c.scale)
        self.s11 = c.headline.form("section11")
        self.impact_form = c.headline.form("impact")

    def build(self) -> list[Flowable]:
        story: list[Flowable] = [NextPageTemplate("body")]
        story += self._cover()
        story += [PageBreak(), *self._headline()]
        # With no ratings yet, pages of empty charts and zeros would only hide the matrix's "not received".
        rated = any(st.agencies_rated for st in self.c.standards)
        if rated:
            story += [PageBreak(), *self._ratings()]
        if self.c.standards:
            story += [PageBreak(), *self._matrix()]
        story += [PageBreak(), *self._impact()]
        if rated:
            story += [PageBreak(), *self._findings()]
            story += [PageBreak(), *self._actions()]
        story += [PageBreak(), *self._method()]
        return story

    def heading(self, text: str, key: str, *, level: int = 0) -> _Heading:
        return _Heading(text, self.s.h1 if level == 0 else self.s.h2, key=key, level=level)

    # Cover -------------------------------------------------------------------------------------

    def _cover(self) -> list[Flowable]:
        c, s = self.c, self.s
        out: list[Flowable] = [
            Paragraph(REPORT_TITLE, s.cover_title),
            Paragraph(REPORT_SUBTITLE, s.cover_sub),
            Spacer(1, 12 * mm),
            Paragraph(_markup(c.partnership or "Safeguarding partnership"), s.cover_name),
            Paragraph(f"Reporting period {_markup(c.period)}", s.cover_sub),
            Spacer(1, 10 * mm),
        ]
        rows = [
            ("Reporting period", _markup(c.period)),
            ("Agencies on the register", str(c.headline.registered)),
        ]
        for f in c.headline.forms:
            deadline = f" (deadline {_format_date(f.deadline)})" if f.deadline else ""
            rows.append((f"{_markup(f.title)} returns", f"{len(f.returned)} received{deadline}"))
        rows += [
            ("Figures as of", _format_date(self.c.as_of)),
            ("Generated", _markup(_format_time(c.generated_at)) or "—"),
        ]
        if c.section11_form:
            rows.append(("Section 11 form", f"version {_markup(c.section11_form[1])}"))
        if c.compared_with:
            rows.append(("Compared with", ", ".join(_markup(p) for p in c.compared_with)))
        label = ParagraphStyle("kvlabel", parent=s.body, textColor=MUTED, spaceAfter=0)
        value = ParagraphStyle("kvvalue", parent=s.body, spaceAfter=0)
        out.append(
            Table(
                [[Paragraph(k, label), Paragraph(v, value)] for k, v in rows],
                colWidths=[48 * mm, BODY_WIDTH - 48 * mm],
                hAlign="LEFT",
                style=_table_style(
                    [
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE),
                        ("LINEABOVE", (0, 0), (-1, 0), 0.5, RULE),
                        ("LEFTPADDING", (0, 0), (-1, -1), 0),
                        ("TOPPADDING", (0, 0), (-1, -1), 4),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                    ]
                ),
            )
        )
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
        toc.levelStyles = s.toc_levels
        out += [PageBreak(), Paragraph("Contents", s.h1), Spacer(1, 3 * mm), toc]
        return out

    # Headline -----------------------------------------------------------------------------------

    def _tile(self, number: str, caption: str, detail: str = "") -> list[Flowable]:
        s = self.s
        out: list[Flowable] = [Paragraph(number, s.tile_number), Paragraph(caption, s.tile_caption)]
        if detail:
            out.append(Paragraph(detail, s.tile_detail))
        return out

    def _headline(self) -> list[Flowable]:
        c, s = self.c, self.s
        h = c.headline
        out: list[Flowable] = [self.heading("Headline figures", "headline")]
        tiles = [self._tile(str(h.registered), "agencies on the register")]
        for f in h.forms:
            tiles.append(
                self._tile(
                    str(len(f.returned)),
                    f"{_markup(f.title)} returns received",
                    f"{len(f.on_time)} on time" + (f", {len(f.late)} late" if f.late else ""),
                )
            )
        tiles.append(self._tile(str(len(h.challenged)), "agencies challenged", "issues or moderation"))
        tiles.append(self._tile(str(len(h.not_received)), "agencies with no return", "of any form"))
        width = BODY_WIDTH / len(tiles)
        out.append(
            Table(
                [tiles],
                colWidths=[width] * len(tiles),
                hAlign="LEFT",
                style=_table_style(
                    [
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("BACKGROUND", (0, 0), (-1, -1), HEAD_FILL),
                        ("LINEAFTER", (0, 0), (-2, -1), 2, colors.white),
                        ("TOPPADDING", (0, 0), (-1, -1), 6),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
                    ]
                ),
            )
        )
        out += [Spacer(1, 4 * mm), Paragraph("Key messages", s.h2)]
        messages = self._key_messages() or ["No returns have been received for this period yet."]
        out += [Paragraph(text, s.bullet, bulletText="•") for text in messages]

        out.append(Paragraph("Returns received", s.h2))
        data: list[list[Any]] = [
            [
                Paragraph(t, s.cell_head if n == 0 else s.cell_head_centre)
                for n, t in enumerate(["Form", "Deadline", "Received", "On time", "Late", "Not received"])
            ]
        ]
        for f in h.forms:
            data.append(
                [
                    Paragraph(_markup(f.title), s.cell),
                    Paragraph(_format_date(f.deadline) if f.deadline else "—", s.cell_centre),
                    Paragraph(f"{len(f.returned)} of {h.registered}", s.cell_centre),
                    _count(s, len(f.on_time)),
                    _count(s, len(f.late)),
                    _count(s, len(f.not_received)),
                ]
            )
        out.append(_grid(data, [50 * mm, 30 * mm, 24 * mm, 22 * mm, 20 * mm, BODY_WIDTH - 146 * mm]))
        for f in h.forms:
            if f.not_received:
                out.append(Paragraph(f"<b>{_markup(f.title)} not received from</b> {_names(f.not_received)}.", s.small))
            if f.late:
                out.append(Paragraph(f"<b>{_markup(f.title)} received late from</b> {_names(f.late)}.", s.small))
            if f.time_unknown:
                out.append(
                    Paragraph(
                        f"<b>{_markup(f.title)} received without a signing time from</b> {_names(f.time_unknown)}.",
                        s.small,
                    )
                )
        if h.challenged:
            out.append(Paragraph("Agencies challenged", s.h2))
            data = [[Paragraph("Agency", s.cell_head), Paragraph("Why", s.cell_head)]]
            for ch in h.challenged:
                data.append(
                    [
                        Paragraph(_markup(ch.agency), s.cell),
                        Paragraph("; ".join(_markup(r) for r in ch.reasons), s.cell),
                    ]
                )
            out.append(_grid(data, [70 * mm, BODY_WIDTH - 70 * mm]))
        return out

    def _key_messages(self) -> list[str]:
        c = self.c
        out: list[str] = []
        if c.standards:
            rated = sum(st.rated for st in c.standards)
            good = sum(st.good for st in c.standards)
            scores = [st.mean * st.rated for st in c.standards if st.mean is not None]
            label = c.standards[0].good_label
            if rated:
                out.append(
                    f"Across {_plural(len(c.standards), 'standard')}, <b>{_pct(good / rated)}</b> of the "
                    f"{rated} rated statements were {_markup(label)}; the mean score was "
                    f"<b>{_mean(sum(scores) / rated)}</b>."
                )
                ranked = sorted(
                    (st for st in c.standards if st.good_share is not None), key=lambda st: st.good_share or 0.0
                )
                if len(ranked) >= 2 and ranked[0].good_share != ranked[-1].good_share:
                    low, high = ranked[0], ranked[-1]
                    out.append(
                        f"Strongest standard: <b>{_standard_name(high)}</b> ({_pct(high.good_share)} "
                        f"{_markup(label)}). Weakest: <b>{_standard_name(low)}</b> ({_pct(low.good_share)})."
                    )
            moderated = [st for st in c.standards if st.moderated_agencies]
            if moderated:
                widest = max(moderated, key=lambda st: abs(st.gap or 0))
                agencies = len({row.agency for row in c.matrix if any(cell.moderated_level for cell in row.cells)})
                out.append(
                    f"Ratings of {_plural(agencies, 'agency', 'agencies')} were moderated; the widest gap between "
                    f"self and moderated ratings was in <b>{_standard_name(widest)}</b> ({_points(widest.gap)}, "
                    f"{_plural(widest.moderated_agencies, 'agency', 'agencies')})."
                )
            yoy = [st.year_on_year for st in c.standards]
            compared = sum(y.improved + y.same + y.declined for y in yoy)
            if compared and c.compared_with:
                periods = ", ".join(_markup(p) for p in c.compared_with)
                out.append(
                    f"Compared with {periods}, of {compared} agency ratings of a standard, "
                    f"<b>{sum(y.improved for y in yoy)} improved</b>, "
                    f"<b>{sum(y.declined for y in yoy)} declined</b> and {sum(y.same for y in yoy)} stayed the same."
                )
        pressures, enablers = c.impact.pressures, c.impact.enablers
        if pressures and pressures.themes:
            out.append(f"Top three pressures: <b>{'; '.join(_markup(t.label) for t in pressures.top())}</b>.")
        if enablers and enablers.themes:
            out.append(
                "Top three things that would make it easier: "
                f"<b>{'; '.join(_markup(t.label) for t in enablers.top())}</b>."
            )
        if c.actions:
            out.append(
                f"{_plural(len(c.actions), 'action')} in the agencies' action plans: "
                f"<b>{len(c.open_actions)} open</b>, of which <b>{len(c.overdue_actions)} overdue</b> "
                f"at {_format_date(c.as_of)}."
            )
        if c.impact.escalating:
            out.append(
                f"<b>{_plural(len(c.impact.escalating), 'agency', 'agencies')}</b> asked for "
                f"{_plural(len(c.impact.risks), 'risk')} to be escalated to the board."
            )
        return out

    # Ratings by standard -------------------------------------------------------------------------

    def _ratings(self) -> list[Flowable]:
        c, s = self.c, self.s
        scale = c.scale
        assert scale is not None
        out: list[Flowable] = [self.heading("Ratings by standard", "ratings")]
        out.append(
            Paragraph(
                "How the agencies rated the statements of each standard. Each bar shows every agency's "
                "statement ratings for the standard; the letters and numbers are the level and how many "
                "ratings were given at it.",
                s.small,
            )
        )
        out += [Spacer(1, 2 * mm), _distribution_chart(c, self.abbr), Spacer(1, 5 * mm)]
        levels = list(scale.choices)
        good_label = c.standards[0].good_label
        head = [Paragraph("Standard", s.cell_head)]
        head += [Paragraph(self._level_head(lv), self._on_level(lv, s.cell_head_centre, 7.5)) for lv in levels]
        head += [
            Paragraph(f"{_markup(good_label)}", s.cell_head_centre),
            Paragraph("Mean", s.cell_head_centre),
            Paragraph("Gap", s.cell_head_centre),
            Paragraph(f"{ARROWS[IMPROVED]} / = / {ARROWS[DECLINED]}", s.cell_head_centre),
        ]
        data: list[list[Any]] = [head]
        for st in c.standards:
            row: list[Any] = [Paragraph(f"<b>{st.code}</b> {_markup(st.title)}", s.cell)]
            row += [_count(s, st.counts.get(lv.id, 0)) for lv in levels]
            y = st.year_on_year
            row += [
                Paragraph(f"<b>{_pct(st.good_share)}</b>", s.cell_centre),
                Paragraph(_mean(st.mean), s.cell_centre),
                Paragraph(_signed(st.gap), s.cell_centre if st.moderated_agencies else s.cell_zero),
                Paragraph(
                    f"{y.improved} / {y.same} / {y.declined}" if y.improved + y.same + y.declined else "—",
                    s.cell_centre,
                ),
            ]
            data.append(row)
        count_w = max(9 * mm, max(stringWidth(lv.label, BOLD, 7.5) for lv in scale.levels) + 9)
        widths = [0.0, *[9 * mm if lv.id == NOT_APPLICABLE else count_w for lv in levels], 15 * mm, 12 * mm]
        widths += [14 * mm, 16 * mm]
        widths[0] = BODY_WIDTH - sum(widths)
        extra = [("VALIGN", (1, 0), (-1, -1), "MIDDLE")]
        extra += [("BACKGROUND", (col, 0), (col, 0), _level_colour(lv)) for col, lv in enumerate(levels, start=1)]
        out.append(_grid(data, widths, extra))
        out.append(
            Paragraph(
                f"Counts are statement ratings. {_markup(good_label)} and the mean leave out Not applicable. "
                "Gap: how many percentage points the agencies' own ratings were above (+) or below (−) the moderated "
                "ones, over the agencies whose standard was moderated (— where none was). "
                f"{ARROWS[IMPROVED]} / = / {ARROWS[DECLINED]}: agencies whose mean for the standard improved, "
                "stayed the same or declined since their previous return.",
                ParagraphStyle("note", parent=s.small, spaceBefore=4),
            )
        )
        return out

    @staticmethod
    def _on_level(lv: Level, parent: ParagraphStyle, size: float | None = None) -> ParagraphStyle:
        """A style whose text reads on the level's colour."""
        size = size or parent.fontSize
        return ParagraphStyle(
            f"on-{lv.id}-{parent.name}-{size}",
            parent=parent,
            textColor=_text_colour_on(_level_colour(lv)),
            fontSize=size,
            leading=size + 2,
        )

    def _level_head(self, lv: Level) -> str:
        if lv.id == NOT_APPLICABLE:
            return "N/A"
        return f"{_markup(lv.label)}<br/>{lv.percentage}%" if lv.percentage is not None else _markup(lv.label)

    # Matrix ---------------------------------------------------------------------------------------

    def _matrix(self) -> list[Flowable]:
        c, s = self.c, self.s
        out: list[Flowable] = [self.heading("Agencies and standards", "matrix")]
        out.append(
            Paragraph(
                "Each agency's level for each standard: the mean of its statement ratings mapped to the nearest "
                "level. A second letter after a slash is the moderated level. "
                f"{ARROWS[IMPROVED]} improved and {ARROWS[DECLINED]} declined since the agency's previous return. "
                "The key to the standards and levels is below the table.",
                s.small,
            )
        )
        out.append(Spacer(1, 2 * mm))
        n = len(c.standards)
        cell_w = min(11 * mm, (BODY_WIDTH - 62 * mm) / n)
        first_w = BODY_WIDTH - n * cell_w
        cell_style = ParagraphStyle("mcell", parent=s.cell, fontName=BOLD, fontSize=7.5, leading=9, alignment=TA_CENTER)
        name_style = ParagraphStyle("mname", parent=s.cell, fontSize=7.5, leading=9)
        frames: list[tuple[Any, ...]] = []
        head_style = ParagraphStyle("mhead", parent=s.cell_head_centre, fontSize=7.5)
        data: list[list[Any]] = [
            [Paragraph("Agency", s.cell_head)] + [Paragraph(st.code, head_style) for st in c.standards]
        ]
        commands: list[tuple[Any, ...]] = [
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("ALIGN", (1, 0), (-1, -1), "CENTER"),
        ]
        sector = None
        for row in c.matrix:
            r = len(data)
            if row.sector_label != sector:
                sector = row.sector_label
                data.append([Paragraph(_markup(sector), _group_style(s))] + [""] * n)
                commands += [("SPAN", (0, r), (-1, r)), ("BACKGROUND", (0, r), (-1, r), STRIPE)]
                r += 1
            name = _markup(row.agency) + (" <font color='#b91c1c'>*</font>" if row.challenged else "")
            if not row.returned:
                data.append(
                    [Paragraph(name, name_style), Paragraph("No Section 11 return received", s.cell_italic)]
                    + [""] * (n - 1)
                )
                commands.append(("SPAN", (1, r), (-1, r)))
                continue
            cells: list[Any] = [Paragraph(name, name_style)]
            for col, cell in enumerate(row.cells, start=1):
                text, fill = self._cell_text(cell)
                style = ParagraphStyle(f"m{r}_{col}", parent=cell_style, textColor=_text_colour_on(fill))
                cells.append(Paragraph(text, style))
                commands.append(("BACKGROUND", (col, r), (col, r), fill))
                if cell.moderated_differs:
                    frames.append(("BOX", (col, r), (col, r), 1.8, INK))
            data.append(cells)
        commands += [
            ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
            ("INNERGRID", (1, 1), (-1, -1), 0.8, colors.white),
            ("BOX", (0, 0), (-1, -1), 0.6, RULE),
            ("BACKGROUND", (0, 0), (-1, 0), HEAD_FILL),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, MUTED),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
            ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
            *frames,  # last, so that the white grid does not cover them
        ]
        out.append(
            Table(data, colWidths=[first_w] + [cell_w] * n, repeatRows=1, hAlign="LEFT", style=_table_style(commands))
        )
        out += [Spacer(1, 3 * mm), KeepTogether(self._matrix_key())]
        return out

    def _cell_text(self, cell: MatrixCell) -> tuple[str, colors.Color]:
        level = cell.self_level
        if level is None:
            return "—", UNRATED
        text = escape(self.abbr.get(level.id, level.label))
        if cell.change in (IMPROVED, DECLINED):
            text += ARROWS[cell.change]
        if cell.moderated_level is not None:
            text += "/" + escape(self.abbr.get(cell.moderated_level.id, cell.moderated_level.label))
        return text, _level_colour(level)

    def _matrix_key(self) -> list[Flowable]:
        c, s = self.c, self.s
        scale = c.scale
        assert scale is not None
        levels = "; ".join(
            f"<b>{escape(self.abbr.get(lv.id, lv.label))}</b> {_markup(lv.display)}" for lv in scale.choices
        )
        standards = "; ".join(f"<b>{st.code}</b> {_markup(st.title)}" for st in c.standards)
        notes = [
            f"<b>Levels:</b> {levels}; <b>—</b> not rated.",
            f"<b>Standards:</b> {standards}.",
            f"<b>{ARROWS[IMPROVED]}</b> improved, <b>{ARROWS[DECLINED]}</b> declined since the previous return "
            "(no arrow: the same, or not compared). <b>A/B</b>: self-rated A, moderated B; a dark frame marks a "
            "moderated level that differs from the agency's own. <font color='#b91c1c'>*</font> challenged "
            "agency (see Headline figures).",
        ]
        return [Paragraph(text, s.small) for text in notes]

    # Impact assessment -------------------------------------------------------------------------

    def _impact(self) -> list[Flowable]:
        c, s = self.c, self.s
        imp = c.impact
        out: list[Flowable] = [self.heading("Impact assessment", "impact")]
        if not imp.returned:
            out.append(Paragraph("No impact assessments were received for this period.", s.body))
            return out
        out.append(
            Paragraph(
                f"{_plural(imp.returned, 'agency', 'agencies')} returned the annual impact assessment. Each ranked "
                "its top three pressures and the three things that would most help, chose a category for each "
                "and explained it in its own words. Categories score 3 points for a first place, 2 for a second "
                "and 1 for a third.",
                s.body,
            )
        )
        titles = {
            "impact.pressures": ("Top three pressures", "pressures"),
            "impact.enablers": ("Top three things that would make it easier", "enablers"),
        }
        for q in imp.ranked:
            title, key = titles.get(q.item_id, (_clean(q.label), q.item_id))
            out += self._ranked(q, title, key)
        out += self._improvement()
        out += self._changes()
        out += self._risks()
        return out

    def _ranked(self, q: RankedQuestion, title: str, key: str) -> list[Flowable]:
        s = self.s
        out: list[Flowable] = [CondPageBreak(90 * mm), self.heading(title, key, level=1)]
        out.append(
            Paragraph(
                f"“{_markup(q.label)}” — answered by {_plural(q.respondents, 'agency', 'agencies')}. "
                "Every category named, by points:",
                s.small,
            )
        )
        if not q.themes:
            out.append(Paragraph("No answers.", s.body))
            return out
        rows = [
            (t.label, float(t.points), f"{_plural(t.points, 'pt')} · {_plural(t.agencies, 'agency', 'agencies')}")
            for t in q.themes
        ]
        out += [Spacer(1, 1 * mm), _bar_chart(rows), Spacer(1, 2 * mm)]
        for n, t in enumerate(q.top(), start=1):
            head: list[Flowable] = [
                Paragraph(_markup(t.label), s.theme, bulletText=f"{n}."),
                Paragraph(
                    f"{_plural(t.points, 'point')} · named by {_plural(t.agencies, 'agency', 'agencies')}, "
                    f"{t.first} as their first",
                    s.theme_facts,
                ),
            ]
            quotes = _quotes(t.quotes, s)
            out += [KeepTogether(head + quotes[:1]), *quotes[1:]]  # never a theme without its first quote
        return out

    def _improvement(self) -> list[Flowable]:
        imp, s = self.c.impact, self.s
        if not imp.improvement_areas and not imp.improvement_themes:
            return []
        out: list[Flowable] = [CondPageBreak(70 * mm), self.heading("Areas for improvement", "improvement", level=1)]
        if imp.improvement_themes:
            out.append(
                Paragraph("The themes the agencies' improvements relate to (agencies could tick several):", s.small)
            )
            rows = [(t.label, float(t.count), _plural(t.count, "agency", "agencies")) for t in imp.improvement_themes]
            out += [Spacer(1, 1 * mm), _bar_chart(rows, highlight=0), Spacer(1, 3 * mm)]
        if imp.improvement_areas:
            out.append(Paragraph("In the agencies' own words", s.h3))
            out += _quotes(imp.improvement_areas, s)
        return out

    def _changes(self) -> list[Flowable]:
        imp, s = self.c.impact, self.s
        if not imp.service_changes:
            return []
        out: list[Flowable] = [
            CondPageBreak(60 * mm),
            self.heading("Service changes and their impact", "changes", level=1),
        ]
        data: list[list[Any]] = [
            [
                Paragraph(t, s.cell_head)
                for t in ("Agency", "What changed", "When", "Impact on children, adults or families")
            ]
        ]
        for ch in imp.service_changes:
            when = _format_date(ch.when) if ch.when else "—"
            affects = f" <font color='#4b5563'>({_markup(ch.affects)})</font>" if ch.affects else ""
            data.append(
                [
                    Paragraph(_markup(ch.agency), s.cell),
                    Paragraph(_markup(ch.change), s.cell),
                    Paragraph(when, s.cell),
                    Paragraph(_markup(ch.impact) + affects, s.cell),
                ]
            )
        out.append(_grid(data, [40 * mm, 52 * mm, 20 * mm, BODY_WIDTH - 112 * mm]))
        return out

    def _risks(self) -> list[Flowable]:
        imp, s = self.c.impact, self.s
        out: list[Flowable] = [CondPageBreak(60 * mm), self.heading("Risks to escalate to the board", "risks", level=1)]
        if not imp.risks:
            out.append(Paragraph("No agency asked for a risk to be escalated to the board.", s.body))
            return out
        out.append(
            Paragraph(
                f"{_plural(len(imp.escalating), 'agency', 'agencies')} asked for risks to be escalated; the "
                "Business Unit follows up each one.",
                s.small,
            )
        )
        data: list[list[Any]] = [
            [Paragraph(t, s.cell_head) for t in ("Agency", "Risk", "Likelihood", "What the agency is doing about it")]
        ]
        for r in imp.risks:
            data.append(
                [
                    Paragraph(_markup(r.agency), s.cell),
                    Paragraph(_markup(r.risk), s.cell),
                    Paragraph(_markup(r.likelihood) or "—", s.cell),
                    Paragraph(_markup(r.mitigation) or "—", s.cell),
                ]
            )
        out.append(_grid(data, [40 * mm, 60 * mm, 22 * mm, BODY_WIDTH - 122 * mm]))
        return out

    # Findings by standard ----------------------------------------------------------------------------

    def _findings(self) -> list[Flowable]:
        out: list[Flowable] = [self.heading("Findings by standard", "findings")]
        out.append(
            Paragraph(
                "For each standard: how its statements were rated, the moderation, the change since the "
                "agencies' previous returns and the actions they recorded.",
                self.s.small,
            )
        )
        for st in self.c.standards:
            out += self._standard(st)
        return out

    def _standard(self, st: StandardSummary) -> list[Flowable]:
        s = self.s
        c = self.c
        y = st.year_on_year
        facts = [
            f"<b>{_pct(st.good_share)}</b> {_markup(st.good_label)}",
            f"mean <b>{_mean(st.mean)}</b>",
            f"rated by {_plural(st.agencies_rated, 'agency', 'agencies')}",
        ]
        if st.na:
            facts.append(f"{st.na} Not applicable")
        if st.unanswered:
            facts.append(f"{st.unanswered} not rated")
        lines = [" · ".join(facts)]
        if st.moderated_agencies:
            lines.append(
                f"Moderated for {_plural(st.moderated_agencies, 'agency', 'agencies')}: self-rated mean "
                f"{_mean(st.self_mean_moderated)}, moderated mean {_mean(st.moderated_mean)}, gap "
                f"<b>{_points(st.gap)}</b>."
            )
        else:
            lines.append("Not moderated.")
        if y.improved + y.same + y.declined:
            lines.append(
                f"Since the previous return: {y.improved} improved, {y.same} the same, {y.declined} declined"
                + (f"; {y.not_compared} not compared" if y.not_compared else "")
                + "."
            )
        elif st.agencies_rated:
            lines.append("New standard or no earlier ratings: no year-on-year comparison.")
        if st.actions:
            lines.append(
                f"Actions: {st.actions} recorded, {st.open_actions} open, "
                f"<b>{st.overdue_actions} overdue</b> at {_format_date(c.as_of)}."
            )
        head: list[Flowable] = [
            CondPageBreak(60 * mm),
            _Heading(f"{st.code} {st.title}", s.h2, key=f"standard-{st.id}", level=1),
            *[Paragraph(text, ParagraphStyle("facts", parent=s.small, spaceAfter=1)) for text in lines],
            Spacer(1, 2 * mm),
        ]
        levels = list(st.scale.choices)
        header: list[Any] = [Paragraph("Statement", s.cell_head)]
        header += [
            Paragraph(escape(self.abbr.get(lv.id, lv.label)), self._on_level(lv, s.cell_head_centre)) for lv in levels
        ]
        header.append(Paragraph("Mean", s.cell_head_centre))
        data: list[list[Any]] = [header]
        for stmt in st.statements:
            row: list[Any] = [Paragraph(f"<b>{_markup(stmt.id)}</b> {_markup(stmt.label)}", s.cell)]
            row += [_count(s, stmt.counts.get(lv.id, 0)) for lv in levels]
            row.append(Paragraph(_mean(stmt.mean), s.cell_centre))
            data.append(row)
        widths = [0.0, *[9 * mm] * len(levels), 13 * mm]
        widths[0] = BODY_WIDTH - sum(widths)
        extra: list[tuple[Any, ...]] = [("VALIGN", (1, 0), (-1, -1), "MIDDLE")]
        extra += [("BACKGROUND", (col, 0), (col, 0), _level_colour(lv)) for col, lv in enumerate(levels, start=1)]
        return [head[0], KeepTogether([*head[1:], _grid(data, widths, extra)])]

    # Actions --------------------------------------------------------------------------------------

    def _actions(self) -> list[Flowable]:
        c, s = self.c, self.s
        out: list[Flowable] = [self.heading("Actions", "actions")]
        out.append(
            Paragraph(
                f"Actions from the agencies' Section 11 action plans. An action is open until it is complete, "
                f"and overdue when it is open and its due date is before {_format_date(c.as_of)}.",
                s.small,
            )
        )
        data: list[list[Any]] = [
            [Paragraph("Standard", s.cell_head)]
            + [Paragraph(t, s.cell_head_centre) for t in ("Actions", "Open", "Overdue", "Agencies with overdue")]
        ]
        for st in c.standards:
            overdue_agencies = len({a.agency for a in c.actions if a.standard_id == st.id and a.overdue})
            data.append(
                [
                    Paragraph(f"<b>{st.code}</b> {_markup(st.title)}", s.cell),
                    _count(s, st.actions),
                    _count(s, st.open_actions),
                    Paragraph(f"<b>{st.overdue_actions}</b>", s.cell_centre) if st.overdue_actions else _count(s, 0),
                    _count(s, overdue_agencies),
                ]
            )
        data.append(
            [
                Paragraph("<b>All standards</b>", s.cell),
                _count(s, len(c.actions)),
                _count(s, len(c.open_actions)),
                Paragraph(f"<b>{len(c.overdue_actions)}</b>", s.cell_centre),
                _count(s, len({a.agency for a in c.overdue_actions})),
            ]
        )
        last = len(data) - 1
        out.append(
            _grid(
                data,
                [BODY_WIDTH - 86 * mm, 18 * mm, 18 * mm, 20 * mm, 30 * mm],
                [("LINEABOVE", (0, last), (-1, last), 1, INK), ("VALIGN", (1, 0), (-1, -1), "MIDDLE")],
            )
        )
        open_actions = c.open_actions
        out.append(Spacer(1, 4 * mm))
        out.append(self.heading("Open actions", "open-actions", level=1))
        if not open_actions:
            out.append(Paragraph("No open actions.", s.body))
            return out
        out.append(
            Paragraph(
                "Every open action, by standard; overdue actions first, then by due date.",
                s.small,
            )
        )
        for st in c.standards:
            mine = sorted(
                (a for a in open_actions if a.standard_id == st.id),
                key=lambda a: (not a.overdue, a.due or date.max, a.agency.casefold()),
            )
            if mine:
                out += self._action_group(f"{st.code} {st.title}", mine)
        others = [a for a in open_actions if a.standard_id not in {st.id for st in c.standards}]
        if others:
            out += self._action_group("Other sections", others)
        return out

    def _action_group(self, title: str, actions: Sequence[ActionRow]) -> list[Flowable]:
        # A long table splits across pages under its repeated header; only the title must not be left alone.
        title_style = ParagraphStyle("actionsh3", parent=self.s.h3, keepWithNext=0)
        return [CondPageBreak(35 * mm), Paragraph(_markup(title), title_style), self._action_table(actions)]

    def _action_table(self, actions: Sequence[ActionRow]) -> Table:
        s = self.s
        data: list[list[Any]] = [[Paragraph(t, s.cell_head) for t in ("Agency", "Action", "Lead", "Due", "Status")]]
        extra: list[tuple[Any, ...]] = []
        overdue_style = ParagraphStyle("overdue", parent=s.cell, textColor=WARN, fontName=BOLD)
        for a in actions:
            due = _format_date(a.due) if a.due else (_markup(a.due_text) or "—")
            status = _markup(a.status_label)
            data.append(
                [
                    Paragraph(_markup(a.agency), s.cell),
                    Paragraph(_markup(a.action) or "—", s.cell),
                    Paragraph(_markup(a.lead) or "—", s.cell),
                    Paragraph(due, overdue_style if a.overdue else s.cell),
                    Paragraph(
                        f"{status}<br/><b>Overdue</b>" if a.overdue else status, overdue_style if a.overdue else s.cell
                    ),
                ]
            )
        widths = [36 * mm, 0.0, 30 * mm, 21 * mm, 24 * mm]
        widths[1] = BODY_WIDTH - sum(widths)
        return _grid(data, widths, extra)

    # Method --------------------------------------------------------------------------------------

    def _method(self) -> list[Flowable]:
        c, s = self.c, self.s
        out: list[Flowable] = [self.heading("How the figures are worked out", "method")]
        for title, text in RULES:
            out += [Paragraph(_markup(title), s.h3), Paragraph(_markup(text), s.body)]
        if c.notes:
            out.append(Paragraph("Notes on the data", s.h2))
            out += [Paragraph(_markup(n), s.bullet, bulletText="•") for n in c.notes]
        return out


def _standard_name(st: StandardSummary) -> str:
    return f"{st.code} {_markup(st.title)}"

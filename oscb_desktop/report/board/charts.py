"""The board report's charts, drawn as vector shapes with real text: the ratings of each standard as stacked
bars, and ranked categories as horizontal bars."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth

from oscb_desktop.collate.result import Collation
from oscb_desktop.forms.model import NOT_APPLICABLE
from oscb_desktop.report.board.template import BODY_WIDTH, Abbreviations
from oscb_desktop.report.house.palette import (
    ACCENT,
    BOLD,
    FONT,
    INK,
    ITALIC,
    MUTED,
    RULE,
    UNRATED,
    level_colour,
    text_colour_on,
)
from oscb_desktop.report.house.text import clean, fit

BAR_TOP = ACCENT
BAR_REST = colors.HexColor("#9fb3cc")


def _wrap_label(text: str, font: str, size: float, width: float, lines: int = 2) -> list[str]:
    parts = simpleSplit(text, font, size, width)
    if len(parts) <= lines:
        return parts
    return [*parts[: lines - 1], fit(" ".join(parts[lines - 1 :]), font, size, width)]


def _add_label(d: Drawing, text: str, x: float, centre: float, width: float, *, font: str = FONT) -> None:
    """A label of up to two lines, vertically centred on ``centre``."""
    size, leading = 7.5, 8.6
    lines = _wrap_label(text, font, size, width)
    first = centre - 0.35 * size + (len(lines) - 1) * leading / 2
    for k, line in enumerate(lines):
        d.add(String(x, first - k * leading, line, fontName=font, fontSize=size, fillColor=INK))


def distribution_chart(c: Collation, abbr: Abbreviations) -> Drawing:
    """One 100% stacked bar per standard: how many statement ratings were at each level.

    Colour never carries a count alone: each segment is labelled where it is wide enough, and every bar has
    its counts written out beside it ("B 3 · G 12 · A 4 · R 1"), so a narrow Red segment is still read.
    """
    scale = c.scale
    assert scale is not None
    levels = list(scale.choices)
    show_unrated = any(st.unanswered for st in c.standards)
    label_w = 56 * mm
    counts_w = 36 * mm
    bar_w = BODY_WIDTH - label_w - counts_w - 2 * mm
    row_h = 6.8 * mm
    bar_h = 5 * mm
    legend_h = 8 * mm
    axis_h = 6 * mm
    height = legend_h + row_h * len(c.standards) + axis_h
    d = Drawing(BODY_WIDTH, height, initialFontName=FONT, initialFontSize=7.5)
    # Key, in the order the bars are stacked.
    entries: list[tuple[str, colors.Color]] = [
        (f"{lv.display}" if lv.id != NOT_APPLICABLE else "Not applicable", level_colour(lv)) for lv in levels
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
        _add_label(d, f"{st.code}  {clean(st.title)}", 0, y + bar_h / 2, label_w - 3 * mm)
        segments = [(lv, st.counts.get(lv.id, 0)) for lv in levels]
        total = sum(n for _, n in segments) + (st.unanswered if show_unrated else 0)
        x = label_w
        if total == 0:
            d.add(Rect(x, y, bar_w, bar_h, fillColor=UNRATED, strokeColor=None))
            d.add(String(x + 2 * mm, y + 1.7 * mm, "No ratings", fontName=ITALIC, fontSize=7, fillColor=MUTED))
            continue
        pieces: list[tuple[str, int, colors.Color]] = [(abbr.get(lv.id, ""), k, level_colour(lv)) for lv, k in segments]
        if show_unrated:
            pieces.append(("", st.unanswered, UNRATED))
        written = " · ".join(f"{short or '?'} {k}" for short, k, _fill in pieces[: len(segments)] if k) + (
            f" · not rated {st.unanswered}" if show_unrated and st.unanswered else ""
        )
        _add_label(d, written, label_w + bar_w + 2 * mm, y + bar_h / 2, counts_w)
        for short, k, fill in pieces:
            if not k:
                continue
            w = bar_w * k / total
            d.add(Rect(x, y, w, bar_h, fillColor=fill, strokeColor=colors.white, strokeWidth=0.6))
            ink = text_colour_on(fill)
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


def bar_chart(rows: Sequence[tuple[str, float, str]], *, highlight: int = 3, label_w: float = 70 * mm) -> Drawing:
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

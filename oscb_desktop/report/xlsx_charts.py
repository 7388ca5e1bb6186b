"""The spreadsheet's native Excel charts: drawn by Excel (or LibreOffice) from the cells beside them, so an
officer can restyle them, and paste them into the annual report as charts rather than pictures.

Two kinds, the same as the board report's PDF draws (:mod:`oscb_desktop.report.board.charts`): the ratings of
each standard as 100% stacked bars, one series per level in the level's colour from the form, and ranked
categories as bars of points, the first three in the darker colour. Counts are written on the segments as well
(colour is never the only carrier), zero counts left blank.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from openpyxl.chart import BarChart, Reference, Series
from openpyxl.chart.data_source import AxDataSource, NumFmt, StrRef
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.layout import Layout, ManualLayout
from openpyxl.chart.legend import Legend
from openpyxl.chart.marker import DataPoint
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.chart.text import RichText
from openpyxl.descriptors import Typed
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties
from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["distribution_chart", "points_chart"]

#: The first three categories (as in the PDF), the rest, and a standard's unrated statements.
TOP_FILL = "1E3A5F"
REST_FILL = "9FB3CC"
UNRATED_FILL = "E5E7EB"
#: A number format that shows a count and leaves a zero blank (a zero-wide segment has no room for a "0").
COUNT_FORMAT = "0;-0;;@"
#: Centimetres per bar, and the room for the title, the legend and the axis.
ROW_CM = 1.0
FRAME_CM = 4.0


def _hex(colour: str) -> str | None:
    value = colour.lstrip("#")
    return value.upper() if re.fullmatch(r"[0-9a-fA-F]{6}", value) else None


def ink_on(fill: str) -> str:
    """Black or white, whichever reads better on ``fill`` (WCAG relative luminance), as in the PDF."""
    r, g, b = (int(fill[i : i + 2], 16) / 255 for i in (0, 2, 4))

    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    lum = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return "FFFFFF" if (1.05 / (lum + 0.05)) >= ((lum + 0.05) / 0.05) else "000000"


def _text(size: int, colour: str | None = None, bold: bool = False) -> RichText:
    props = CharacterProperties(sz=size * 100, b=bold, solidFill=colour)
    return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=props), endParaRPr=props)])


class _Labels(DataLabelList):  # type: ignore[misc]  # openpyxl is untyped
    """Data labels whose number format is their own (``sourceLinked="0"``): openpyxl writes only the format
    code, and LibreOffice then keeps the cells' format, zeros and all."""

    numFmt = Typed(expected_type=NumFmt, allow_none=True)
    __elements__ = DataLabelList.__elements__
    __nested__ = tuple(name for name in DataLabelList.__nested__ if name != "numFmt")
    __attrs__ = DataLabelList.__attrs__


def _labels(colour: str | None) -> DataLabelList:
    labels = _Labels(numFmt=NumFmt(formatCode=COUNT_FORMAT, sourceLinked=False), showVal=True)
    labels.showSerName = labels.showCatName = labels.showLegendKey = labels.showPercent = False
    labels.txPr = _text(9, colour, bold=True)
    return labels


def _categories(ws: Worksheet, col: int, first: int, last: int) -> AxDataSource:
    """Text categories as a string reference (openpyxl's own helper makes a numeric one)."""
    ref = Reference(ws, min_col=col, min_row=first, max_row=last)
    return AxDataSource(strRef=StrRef(f=str(ref)))


def _bars(title: str, rows: int) -> BarChart:
    """Horizontal bars, first category at the top, both axes shown (newer Excel hides them unless told)."""
    chart = BarChart()
    chart.type = "bar"
    chart.title = title
    chart.style = 10
    chart.x_axis.scaling.orientation = "maxMin"  # the first row of the table is the top bar
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.y_axis.crosses = "max"  # with the categories reversed, keeps the value axis at the bottom
    chart.y_axis.majorGridlines = None
    chart.x_axis.txPr = _text(9)
    chart.y_axis.txPr = _text(9)
    chart.height = FRAME_CM + ROW_CM * max(rows, 1)
    return chart


def distribution_chart(
    ws: Worksheet,
    *,
    category_col: int,
    series: Sequence[tuple[int, str]],
    first_row: int,
    last_row: int,
    header_row: int,
) -> BarChart:
    """One 100% stacked bar per standard (rows ``first_row``..``last_row``), one series per column of
    ``series`` (column, colour as ``#rrggbb`` or "" for the unrated grey), each named by its header cell."""
    chart = _bars("Statement ratings by standard", last_row - first_row + 1)
    chart.grouping = "percentStacked"
    chart.overlap = 100
    chart.gapWidth = 40
    chart.width = 26
    chart.y_axis.number_format = "0%"
    chart.y_axis.title = "Share of statement ratings"
    for col, colour in series:
        data = Reference(ws, min_col=col, min_row=header_row, max_row=last_row)
        s = Series(data, title_from_data=True)
        s.cat = _categories(ws, category_col, first_row, last_row)
        fill = _hex(colour) if colour else UNRATED_FILL
        fill = fill or UNRATED_FILL
        s.graphicalProperties = GraphicalProperties(solidFill=fill)
        s.graphicalProperties.line.solidFill = "FFFFFF"
        s.dLbls = _labels(ink_on(fill))
        chart.series.append(s)
    chart.legend = Legend(legendPos="t")
    chart.layout = Layout(manualLayout=ManualLayout(x=0.0, y=0.12, w=1.0, h=0.8))
    return chart


def points_chart(
    ws: Worksheet, *, title: str, category_col: int, value_col: int, first_row: int, last_row: int, top: int = 3
) -> BarChart:
    """Bars of points, one per category (rows ``first_row``..``last_row``), the first ``top`` darker."""
    chart = _bars(title, last_row - first_row + 1)
    chart.width = 20
    chart.gapWidth = 50
    chart.legend = None
    chart.y_axis.title = "Points"
    chart.y_axis.number_format = "0"
    s = Series(Reference(ws, min_col=value_col, min_row=first_row, max_row=last_row), title="Points")
    s.cat = _categories(ws, category_col, first_row, last_row)
    s.graphicalProperties = GraphicalProperties(solidFill=REST_FILL)
    for idx in range(min(top, last_row - first_row + 1)):
        s.dPt.append(DataPoint(idx=idx, spPr=GraphicalProperties(solidFill=TOP_FILL)))
    s.dLbls = _labels("000000")
    s.dLbls.dLblPos = "outEnd"
    chart.series.append(s)
    return chart

"""Tables in the house style: ruled grids with a shaded header, and label / value pairs between hairlines."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, Table, TableStyle

from oscb_desktop.report.house.palette import FONT, HEAD_FILL, MUTED, RULE, STRIPE

if TYPE_CHECKING:
    from oscb_desktop.report.house.styles import Styles


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
    padding: tuple[float, float, float] = (3, 4, 4),
    split_in_row: bool = False,
    cls: type[Table] = Table,
) -> Table:
    """A ruled table with ``repeat`` shaded header rows repeated on every page, striped body rows.

    ``padding`` is the cells' (top, bottom, sides) padding; ``split_in_row`` lets a long row split across
    pages; ``cls`` is the table class (one that splits differently, say).
    """
    top, bottom, sides = padding
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, repeat - 1), HEAD_FILL),
        ("LINEBELOW", (0, repeat - 1), (-1, repeat - 1), 0.8, MUTED),
        ("LINEBELOW", (0, repeat), (-1, -1), 0.4, RULE),
        ("BOX", (0, 0), (-1, -1), 0.6, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), top),
        ("BOTTOMPADDING", (0, 0), (-1, -1), bottom),
        ("LEFTPADDING", (0, 0), (-1, -1), sides),
        ("RIGHTPADDING", (0, 0), (-1, -1), sides),
    ]
    if stripes:
        commands.append(("ROWBACKGROUNDS", (0, repeat), (-1, -1), [colors.white, STRIPE]))
    return cls(
        data,
        colWidths=widths,
        repeatRows=repeat,
        splitByRow=1,
        splitInRow=int(split_in_row),
        hAlign="LEFT",
        style=table_style([*commands, *extra]),
    )


def key_value_table(
    s: Styles, rows: Sequence[tuple[str, str]], *, width: float, label_width: float, padding: tuple[float, float]
) -> Table:
    """Label / value pairs (both markup) between hairlines: a cover's, a sign-off's or a letter's facts.

    ``padding`` is the space above and below each pair.
    """
    label = ParagraphStyle("kvlabel", parent=s.body, textColor=MUTED, spaceAfter=0)
    value = ParagraphStyle("kvvalue", parent=s.body, spaceAfter=0)
    above, below = padding
    return Table(
        [[Paragraph(k, label), Paragraph(v, value)] for k, v in rows],
        colWidths=[label_width, width - label_width],
        hAlign="LEFT",
        style=table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE),
                ("LINEABOVE", (0, 0), (-1, 0), 0.5, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), above),
                ("BOTTOMPADDING", (0, 0), (-1, -1), below),
            ]
        ),
    )

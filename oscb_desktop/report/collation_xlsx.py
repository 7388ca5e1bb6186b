"""The board report's figures as a spreadsheet, for the Business Unit to sort, filter and paste into the annual
report.

Sheets, in this order:

- ``Summary``: the headline figures and the top three pressures and enablers;
- ``Standards``: every standard, one row each (counts per level, means, moderation, year on year, actions),
  with a native chart of the ratings of each standard (100% stacked bars in the levels' colours);
- ``Ratings``: one row per agency and statement, with the form's codes (``S3``, ``S3.2``);
- ``Actions``: every action-plan row;
- ``Pressures and enablers``: every category of each ranked question by points, with a bar chart each;
- ``Impact``: one row per ranked answer;
- ``Matrix``: agencies against standards, the same cells as the PDF;
- ``Not received``: one row per registered agency that has not sent every form, with the forms it has not sent.

Every sheet's header row is bold and frozen, with a filter; columns are as wide as their text (within limits).
Charts are Excel's own (:mod:`oscb_desktop.report.xlsx_charts`), drawn from the cells, so they can be restyled.

Made from a :class:`~oscb_desktop.collate.Collation` only, so it agrees with the PDF and the app.
Agencies' text is written as text, never as a formula, whatever it starts with.
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from oscb_desktop.collate.result import DECLINED, IMPROVED, Collation, MatrixCell, RankedQuestion
from oscb_desktop.forms.known import ENABLERS, PRESSURES
from oscb_desktop.forms.model import Level
from oscb_desktop.fsutil import atomic_write
from oscb_desktop.report import xlsx_charts
from oscb_desktop.report.board.impact import RANKED_TITLES
from oscb_desktop.report.survey import xlsx as survey_xlsx
from oscb_desktop.report.words import ARROWS, arrow

__all__ = ["SHEETS", "write_collation_xlsx"]

SHEETS = (
    "Summary",
    "Standards",
    "Ratings",
    "Actions",
    "Pressures and enablers",
    "Impact",
    "Matrix",
    "Not received",
    *survey_xlsx.SHEETS,
)

RATINGS_HEADER = (
    "Agency",
    "Sector",
    "Period",
    "Form id",
    "Form version",
    "Standard code",
    "Standard",
    "Statement code",
    "Statement id",
    "Statement",
    "Self rating",
    "Percentage",
    "Moderated rating",
)
ACTIONS_HEADER = ("Agency", "Sector", "Standard", "Action", "Lead", "Due", "Status", "Open", "Overdue")
IMPACT_HEADER = ("Agency", "Question", "Rank", "Category", "Text")
RANKED_HEADER = ("Question", "Place", "Category", "Points", "Agencies naming it", "As their first", "Top three")
NOT_RECEIVED_HEADER = ("Agency", "Sector", "Forms not received", "No return of any form")
#: What the Pressures and enablers sheet calls the ranked questions it knows by their role; others by their label.
RANKED_NAMES = {PRESSURES: "Pressures", ENABLERS: "What would make it easier"}

BOLD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="E8EDF3")
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
#: Characters a spreadsheet cell cannot hold (XML 1.0 control characters).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
MAX_WIDTH = 60
#: Points per line of 11-point text, and the tallest row Excel allows.
LINE_HEIGHT = 15
MAX_ROW_HEIGHT = 409


def write_collation_xlsx(c: Collation, path: str | Path) -> None:
    """Write the spreadsheet to ``path``, replacing it only once the whole file is written."""
    wb = Workbook()
    wb.remove(wb.active)
    for name in SHEETS:
        wb.create_sheet(name)
    _summary(wb["Summary"], c)
    _standards(wb["Standards"], c)
    _ratings(wb["Ratings"], c)
    _actions(wb["Actions"], c)
    _ranked(wb["Pressures and enablers"], c)
    _impact(wb["Impact"], c)
    _matrix(wb["Matrix"], c)
    _not_received(wb["Not received"], c)
    survey_xlsx.fill([wb[name] for name in survey_xlsx.SHEETS], c, _table, _freeze_and_filter, _widths)
    wb.properties.title = f"Safeguarding assurance report {c.period}"
    wb.properties.creator = "OSCB Desktop"
    wb.properties.subject = c.partnership
    buffer = io.BytesIO()
    wb.save(buffer)
    atomic_write(path, buffer.getvalue())


# --- Cells ----------------------------------------------------------------------------------------


def _value(value: Any) -> Any:
    if isinstance(value, str):
        return _ILLEGAL.sub("", value.replace("\r\n", "\n"))
    return value


def _put(ws: Worksheet, row: int, col: int, value: Any) -> Cell:
    cell = ws.cell(row=row, column=col, value=_value(value))
    if isinstance(cell.value, str):
        cell.data_type = "s"  # text that starts with "=" stays text, never a formula
    return cell


def _table(
    ws: Worksheet,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    wrap: Sequence[str] = (),
    formats: dict[str, str] | None = None,
    start: int = 1,
) -> None:
    """A header row (bold, filled) and rows below it from row ``start``."""
    for col, text in enumerate(header, start=1):
        cell = _put(ws, start, col, text)
        cell.font = BOLD
        cell.fill = HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    formats = formats or {}
    for r, values in enumerate(rows, start=start + 1):
        for col, value in enumerate(values, start=1):
            cell = _put(ws, r, col, value)
            name = header[col - 1]
            cell.alignment = WRAP if name in wrap else TOP
            if name in formats and value is not None:
                cell.number_format = formats[name]


def _freeze_and_filter(ws: Worksheet, header_row: int, columns: int, last_row: int) -> None:
    """Header row frozen, with a filter; printed landscape, as wide as the page, the header on every page."""
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(columns)}{max(last_row, header_row)}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0


def _widths(ws: Worksheet, *, fixed: dict[int, float] | None = None, minimum: float = 8) -> None:
    """Columns as wide as their longest line (within limits), or as given."""
    fixed = fixed or {}
    widest: dict[int, int] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            text = cell.value.strftime("%d %b %Y") if isinstance(cell.value, date) else str(cell.value)
            longest = max((len(line) for line in text.split("\n")), default=0)
            widest[cell.column] = max(widest.get(cell.column, 0), longest)
    for col, n in widest.items():
        width = fixed.get(col, min(max(n + 2, minimum), MAX_WIDTH))
        ws.column_dimensions[get_column_letter(col)].width = width
    _fit_rows(ws)


def _fit_rows(ws: Worksheet) -> None:
    """Rows tall enough for their wrapped text: LibreOffice does not fit them itself, and pasted tables keep
    the heights. The lines are counted by wrapping at the column's width in characters (a little generous)."""
    for row in ws.iter_rows():
        lines = 1
        for cell in row:
            if cell.value is None or not cell.alignment.wrap_text:
                continue
            chars = max(int((ws.column_dimensions[cell.column_letter].width or 8.43) * 1.1) - 1, 4)
            lines = max(lines, sum(len(textwrap.wrap(part, chars)) or 1 for part in str(cell.value).split("\n")))
        if lines > 1:
            ws.row_dimensions[row[0].row].height = min(LINE_HEIGHT * lines + 2, MAX_ROW_HEIGHT)


def _label(level: Level | None) -> str:
    return level.label if level is not None else ""


def _fill(level: Level) -> tuple[PatternFill, Font] | None:
    colour = level.colour.lstrip("#")
    if not re.fullmatch(r"[0-9a-fA-F]{6}", colour):
        return None
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4))

    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    lum = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    white = (1.05 / (lum + 0.05)) >= ((lum + 0.05) / 0.05)
    return PatternFill("solid", fgColor=colour.upper()), Font(bold=True, color="FFFFFF" if white else "000000")


def matrix_cell_text(cell: MatrixCell) -> str:
    """'Green', 'Green ▲', 'Green / Amber' (self / moderated): the words of the PDF's letters."""
    if cell.self_level is None:
        return ""
    text = cell.self_level.label
    if mark := arrow(cell.change):
        text += f" {mark}"
    if cell.moderated_level is not None:
        text += f" / {cell.moderated_level.label}"
    return text


# --- Sheets ---------------------------------------------------------------------------------------


def _summary(ws: Worksheet, c: Collation) -> None:
    h = c.headline
    rows: list[tuple[Any, Any, str]] = [
        ("Partnership", c.partnership, ""),
        ("Reporting period", c.period, ""),
        ("Figures as of", c.as_of, "open actions are overdue when due before this date"),
        ("Compared with", ", ".join(c.compared_with), "earlier period(s) used for year on year"),
        ("Agencies on the register", h.registered, ""),
    ]
    for f in h.forms:
        deadline = f"deadline {f.deadline:%d %b %Y}" if f.deadline else "no deadline"
        rows += [
            (f"{f.title} returns received", len(f.returned), deadline),
            (f"{f.title} returns on time", len(f.on_time), ""),
            (f"{f.title} returns late", len(f.late), "; ".join(f.late)),
            (f"{f.title} returns not received", len(f.not_received), "; ".join(f.not_received)),
        ]
    rows += [
        (
            "Agencies challenged",
            len(h.challenged),
            "; ".join(f"{ch.agency}: {', '.join(ch.reasons)}" for ch in h.challenged),
        ),
        ("Agencies with no return of any form", len(h.not_received), "; ".join(h.not_received)),
        ("Actions recorded", len(c.actions), ""),
        ("Actions open", len(c.open_actions), ""),
        ("Actions overdue", len(c.overdue_actions), ""),
        ("Agencies escalating risks to the board", len(c.impact.escalating), "; ".join(c.impact.escalating)),
    ]
    for question in (c.impact.pressures, c.impact.enablers):
        if question is None:
            continue
        name = "Top pressure" if question is c.impact.pressures else "Top thing that would make it easier"
        for n, theme in enumerate(question.top(), start=1):
            rows.append((f"{name} {n}", theme.label, f"{theme.points} points; named by {theme.agencies} agencies"))
    _table(ws, ("Figure", "Value", "Detail"), rows, wrap=("Detail",), formats={"Value": "General"})
    for r in range(2, len(rows) + 2):
        if isinstance(ws.cell(r, 2).value, date):
            ws.cell(r, 2).number_format = "d mmm yyyy"
        ws.cell(r, 2).alignment = Alignment(horizontal="left", vertical="top")
    _freeze_and_filter(ws, 1, 3, len(rows) + 1)
    _widths(ws, fixed={1: 46, 3: 70})


def standards_header(c: Collation) -> list[str]:
    """The Standards sheet's columns: the level columns are named by the form's scale."""
    levels = list(c.scale.choices) if c.scale else []
    good = c.standards[0].good_label if c.standards else "Green or better"
    return [
        "Standard",
        f"Share {good}",
        "Mean %",
        *[lv.label for lv in levels],
        "Not rated",
        "Rated",
        good,
        "Agencies rated",
        "Moderated agencies",
        "Self mean % (moderated agencies)",
        "Moderated mean %",
        "Gap (points)",
        "Improved",
        "Same",
        "Declined",
        "Not compared",
        "Actions",
        "Open actions",
        "Overdue actions",
    ]


def _standards(ws: Worksheet, c: Collation) -> None:
    """Every standard, one row each, with the distribution chart below drawn from the level columns."""
    levels = list(c.scale.choices) if c.scale else []
    header = standards_header(c)
    data = []
    for st in c.standards:
        y = st.year_on_year
        data.append(
            [
                f"{st.code} {st.title}",
                st.good_share,
                _round(st.mean),
                *[st.counts.get(lv.id, 0) for lv in levels],
                st.unanswered,
                st.rated,
                st.good,
                st.agencies_rated,
                st.moderated_agencies,
                _round(st.self_mean_moderated),
                _round(st.moderated_mean),
                _round(st.gap),
                y.improved,
                y.same,
                y.declined,
                y.not_compared,
                st.actions,
                st.open_actions,
                st.overdue_actions,
            ]
        )
    _table(ws, header, data, wrap=("Standard",), formats={header[1]: "0%"})
    _freeze_and_filter(ws, 1, len(header), len(data) + 1)
    ws.freeze_panes = "B2"
    _widths(ws, fixed={1: 50, **{col: 13 for col in range(2, len(header) + 1)}})
    if not data or not any(st.agencies_rated for st in c.standards):
        return
    series = [(col, lv.colour) for col, lv in enumerate(levels, start=4)]
    if any(st.unanswered for st in c.standards):
        series.append((4 + len(levels), ""))
    chart = xlsx_charts.distribution_chart(
        ws, category_col=1, series=series, first_row=2, last_row=len(data) + 1, header_row=1
    )
    ws.add_chart(chart, f"A{len(data) + 3}")


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _ratings(ws: Worksheet, c: Collation) -> None:
    rows = [
        (
            r.agency,
            r.sector_label,
            r.period,
            r.form_id,
            r.form_version,
            r.standard_code,
            r.standard_title,
            r.statement_code,
            r.statement_id,
            r.statement,
            _label(r.self_level),
            r.self_level.percentage if r.self_level is not None else None,
            _label(r.moderated_level),
        )
        for r in c.ratings
    ]
    _table(ws, RATINGS_HEADER, rows, wrap=("Statement", "Standard"))
    _freeze_and_filter(ws, 1, len(RATINGS_HEADER), len(rows) + 1)
    _widths(ws, fixed={7: 40, 10: 70})


def _actions(ws: Worksheet, c: Collation) -> None:
    rows = [
        (
            a.agency,
            a.sector_label,
            f"{a.standard_code} {a.standard_title}".strip(),
            a.action,
            a.lead,
            a.due if a.due else (a.due_text or None),
            a.status_label,
            "Yes" if a.open else "No",
            "Yes" if a.overdue else "No",
        )
        for a in c.actions
    ]
    _table(ws, ACTIONS_HEADER, rows, wrap=("Action", "Standard"), formats={"Due": "d mmm yyyy"})
    _freeze_and_filter(ws, 1, len(ACTIONS_HEADER), len(rows) + 1)
    _widths(ws, fixed={3: 40, 4: 70, 6: 13})


def ranked_name(q: RankedQuestion) -> str:
    return RANKED_NAMES.get(q.role or "", q.label)


def _ranked(ws: Worksheet, c: Collation) -> None:
    """Every category of each ranked question by points, and a bar chart of each beside the table."""
    rows: list[tuple[Any, ...]] = []
    spans: list[tuple[RankedQuestion, int, int]] = []
    for q in c.impact.ranked:
        first = len(rows) + 2
        for n, t in enumerate(q.themes, start=1):
            rows.append((ranked_name(q), n, t.label, t.points, t.agencies, t.first, "Yes" if n <= 3 else "No"))
        if q.themes:
            spans.append((q, first, len(rows) + 1))
    _table(ws, RANKED_HEADER, rows, wrap=("Category",))
    _freeze_and_filter(ws, 1, len(RANKED_HEADER), len(rows) + 1)
    _widths(ws, fixed={3: 56})
    anchor = 1
    chart_col = get_column_letter(len(RANKED_HEADER) + 2)
    for q, first, last in spans:
        title = f"{RANKED_TITLES.get(q.role or '', (q.label, ''))[0]}: points"
        chart = xlsx_charts.points_chart(ws, title=title, category_col=3, value_col=4, first_row=first, last_row=last)
        ws.add_chart(chart, f"{chart_col}{anchor}")
        anchor += int(chart.height / 0.5) + 2  # rows of the default height (15 pt, about 0.53 cm)


def _impact(ws: Worksheet, c: Collation) -> None:
    rows = [(a.agency, a.question, a.rank, a.category_label, a.text) for a in c.impact.answers]
    _table(ws, IMPACT_HEADER, rows, wrap=("Text", "Question"))
    _freeze_and_filter(ws, 1, len(IMPACT_HEADER), len(rows) + 1)
    _widths(ws, fixed={2: 40, 5: 90})


def _matrix(ws: Worksheet, c: Collation) -> None:
    header = ["Agency", "Sector", "Section 11 return", "Challenged"]
    header += [f"{st.code} {st.title}" for st in c.standards]
    _table(ws, header, [])
    for r, row in enumerate(c.matrix, start=2):
        values: list[Any] = [
            row.agency,
            row.sector_label,
            "Received" if row.returned else "Not received",
            "Yes" if row.challenged else "No",
        ]
        for col, value in enumerate(values, start=1):
            _put(ws, r, col, value).alignment = TOP
        for col, cell in enumerate(row.cells, start=len(values) + 1):
            target = _put(ws, r, col, matrix_cell_text(cell) or None)
            target.alignment = Alignment(horizontal="center", vertical="top")
            style = _fill(cell.self_level) if cell.self_level is not None else None
            if style:
                target.fill, target.font = style
    _freeze_and_filter(ws, 1, len(header), len(c.matrix) + 1)
    ws.freeze_panes = "B2"  # agency names stay in view when scrolling across the standards
    _widths(ws, fixed={1: 48, 2: 28, **{col: 16 for col in range(5, len(header) + 1)}})
    ws.row_dimensions[1].height = 64
    _put(
        ws,
        len(c.matrix) + 3,
        1,
        "Each cell: the agency's level for the standard (the mean of its statement ratings mapped to the nearest "
        f"level); {ARROWS[IMPROVED]} improved or {ARROWS[DECLINED]} declined since its previous return; after a "
        "slash, the moderated level.",
    )


def _not_received(ws: Worksheet, c: Collation) -> None:
    """One row per registered agency that has not sent every form of the period, to chase."""
    forms = c.headline.forms
    missing: dict[str, list[str]] = {}
    for f in forms:
        for agency in f.not_received:
            missing.setdefault(agency, []).append(f.title)
    nothing = set(c.headline.not_received)
    rows = [
        (row.agency, row.sector_label, "; ".join(missing[row.agency]), "Yes" if row.agency in nothing else "No")
        for row in c.matrix
        if row.agency in missing
    ]
    _table(ws, NOT_RECEIVED_HEADER, rows)
    _freeze_and_filter(ws, 1, len(NOT_RECEIVED_HEADER), len(rows) + 1)
    _widths(ws, minimum=14)

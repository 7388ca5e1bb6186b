"""The Word board report's chapters from the Section 11 self-assessments: ratings by standard, the matrix of
agencies against standards, findings by standard and the actions; the same figures and words as the PDF's
(:mod:`oscb_desktop.report.board.section11`)."""

from __future__ import annotations

from datetime import date
from xml.sax.saxutils import escape

from reportlab.lib import colors

from oscb_desktop.collate.result import DECLINED, IMPROVED, ActionRow, Collation, MatrixCell, StandardSummary
from oscb_desktop.forms.model import NOT_APPLICABLE, Level
from oscb_desktop.report.board.charts import distribution_chart
from oscb_desktop.report.board.section11 import standard_facts
from oscb_desktop.report.board.template import Abbreviations
from oscb_desktop.report.board_docx.document import BODY_MM, STRIPE, WARN, BoardDocument, Cell
from oscb_desktop.report.board_docx.png import drawing_to_png
from oscb_desktop.report.house.palette import UNRATED, level_colour, text_colour_on
from oscb_desktop.report.house.text import clean, format_date, markup
from oscb_desktop.report.words import ARROWS, arrow, mean, share, signed


def _hex(colour: colors.Color) -> str:
    return colour.hexval()[2:].upper()


def level_cell(level: Level, text: str) -> Cell:
    """A cell in the level's colour, its text in black or white, whichever reads."""
    fill = level_colour(level)
    return Cell(text, fill=_hex(fill), centre=True, bold=True, colour=_hex(text_colour_on(fill)))


def count(n: int) -> Cell:
    return Cell(str(n) if n else "–", centre=True, colour=None if n else "9CA3AF")


def distribution_alt(c: Collation) -> str:
    """The distribution chart in words, for a reader who cannot see it."""
    assert c.scale is not None
    parts = []
    for st in c.standards:
        counts = ", ".join(f"{lv.label} {st.counts.get(lv.id, 0)}" for lv in c.scale.choices)
        unrated = f", not rated {st.unanswered}" if st.unanswered else ""
        parts.append(f"{st.code} {clean(st.title)}: {counts}{unrated}")
    return "Stacked bar chart of the statement ratings of each standard, by level. " + "; ".join(parts) + "."


def _level_head(lv: Level) -> str:
    if lv.id == NOT_APPLICABLE:
        return "N/A"
    return f"{markup(lv.label)}<br/>{lv.percentage}%" if lv.percentage is not None else markup(lv.label)


# Ratings by standard -------------------------------------------------------------------------------


def ratings(d: BoardDocument, c: Collation, abbr: Abbreviations) -> None:
    scale = c.scale
    assert scale is not None
    d.heading("Ratings by standard", 1)
    d.small(
        "How the agencies rated the statements of each standard. Each bar shows every agency's "
        "statement ratings for the standard; the letters and numbers are the level and how many "
        "ratings were given at it.",
        keep=True,
    )
    d.picture(
        drawing_to_png(distribution_chart(c, abbr)),
        width_mm=BODY_MM,
        alt=distribution_alt(c),
        title="Statement ratings by standard",
    )
    levels = list(scale.choices)
    good_label = c.standards[0].good_label
    header: list[str | Cell] = ["Standard"]
    header += [level_cell(lv, _level_head(lv)) for lv in levels]
    header += [markup(good_label), "Mean", "Gap", f"{ARROWS[IMPROVED]} / = / {ARROWS[DECLINED]}"]
    rows: list[list[str | Cell]] = []
    for st in c.standards:
        y = st.year_on_year
        changes = f"{y.improved} / {y.same} / {y.declined}" if y.improved + y.same + y.declined else "—"
        rows.append(
            [
                f"<b>{st.code}</b> {markup(st.title)}",
                *[count(st.counts.get(lv.id, 0)) for lv in levels],
                Cell(f"<b>{share(st.good_share)}</b>", centre=True),
                Cell(mean(st.mean), centre=True),
                Cell(signed(st.gap), centre=True),
                Cell(changes, centre=True),
            ]
        )
    count_w = 13.0
    widths = [BODY_MM - count_w * len(levels) - 15 - 12 - 11 - 19, *[count_w] * len(levels), 15, 12, 11, 19]
    d.table(header, rows, widths, size=8.5, head_size=7.5)
    d.small(
        f"Counts are statement ratings. {markup(good_label)} and the mean leave out Not applicable. "
        "Gap: how many percentage points the agencies' own ratings were above (+) or below (−) the moderated "
        "ones, over the agencies whose standard was moderated (— where none was). "
        f"{ARROWS[IMPROVED]} / = / {ARROWS[DECLINED]}: agencies whose level for the standard rose, "
        "stayed the same or fell since their previous return (a move of the mean within a level is the same)."
    )


# Matrix --------------------------------------------------------------------------------------------


def _matrix_cell(cell: MatrixCell, abbr: Abbreviations) -> Cell:
    level = cell.self_level
    if level is None:
        return Cell("—", fill=_hex(UNRATED), centre=True)
    text = escape(abbr.get(level.id, level.label)) + arrow(cell.change)
    if cell.moderated_level is not None:
        text += "/" + escape(abbr.get(cell.moderated_level.id, cell.moderated_level.label))
    return level_cell(level, text)


def matrix(d: BoardDocument, c: Collation, abbr: Abbreviations) -> None:
    d.heading("Agencies and standards", 1)
    d.small(
        "Each agency's level for each standard: the mean of its statement ratings mapped to the nearest "
        "level. A second letter after a slash is the moderated level. "
        f"{ARROWS[IMPROVED]} a higher and {ARROWS[DECLINED]} a lower level than in the agency's previous return. "
        "The key to the standards and levels is below the table.",
        keep=True,
    )
    n = len(c.standards)
    cell_w = min(11.0, (BODY_MM - 60) / n)
    header: list[str | Cell] = ["Agency", *[Cell(st.code, centre=True) for st in c.standards]]
    rows: list[list[str | Cell]] = []
    spans: list[tuple[int, int, int]] = []
    sector = None
    for row in c.matrix:
        if row.sector_label != sector:
            sector = row.sector_label
            rows.append([Cell(f"<b>{markup(sector)}</b>", fill=STRIPE), *[Cell("", fill=STRIPE)] * n])
            spans.append((len(rows), 0, n))
        name = markup(row.agency) + (f" <font color='#{WARN}'>*</font>" if row.challenged else "")
        if not row.returned:
            rows.append([name, "<i>No Section 11 return received</i>", *[""] * (n - 1)])
            if n > 1:
                spans.append((len(rows), 1, n))
            continue
        rows.append([name, *[_matrix_cell(cell, abbr) for cell in row.cells]])
    d.table(header, rows, [BODY_MM - n * cell_w, *[cell_w] * n], size=8, spans=spans)
    scale = c.scale
    assert scale is not None
    levels = "; ".join(f"<b>{escape(abbr.get(lv.id, lv.label))}</b> {markup(lv.display)}" for lv in scale.choices)
    standards = "; ".join(f"<b>{st.code}</b> {markup(st.title)}" for st in c.standards)
    d.small(f"<b>Levels:</b> {levels}; <b>—</b> not rated.")
    d.small(f"<b>Standards:</b> {standards}.")
    d.small(
        f"<b>{ARROWS[IMPROVED]}</b> a higher, <b>{ARROWS[DECLINED]}</b> a lower level than in the previous return "
        "(no arrow: the same, or not compared). <b>A/B</b>: self-rated A, moderated B. "
        f"<font color='#{WARN}'>*</font> challenged agency (see Headline figures)."
    )


# Findings by standard ------------------------------------------------------------------------------


def findings(d: BoardDocument, c: Collation, abbr: Abbreviations) -> None:
    d.heading("Findings by standard", 1)
    d.small(
        "For each standard: how its statements were rated, the moderation, the change since the "
        "agencies' previous returns and the actions they recorded."
    )
    for st in c.standards:
        _standard(d, c, abbr, st)


def _standard(d: BoardDocument, c: Collation, abbr: Abbreviations, st: StandardSummary) -> None:
    d.heading(f"{st.code} {st.title}", 2)
    for line in standard_facts(c, st):
        d.small(line, keep=True)
    levels = list(st.scale.choices)
    header: list[str | Cell] = ["Statement", *[level_cell(lv, escape(abbr.get(lv.id, lv.label))) for lv in levels]]
    header.append(Cell("Mean", centre=True))
    rows: list[list[str | Cell]] = [
        [
            f"<b>{markup(stmt.id)}</b> {markup(stmt.label)}",
            *[count(stmt.counts.get(lv.id, 0)) for lv in levels],
            Cell(mean(stmt.mean), centre=True),
        ]
        for stmt in st.statements
    ]
    d.table(header, rows, [BODY_MM - 10 * len(levels) - 14, *[10.0] * len(levels), 14], size=8.5)


# Actions -------------------------------------------------------------------------------------------


def actions(d: BoardDocument, c: Collation, abbr: Abbreviations) -> None:
    d.heading("Actions", 1)
    d.small(
        f"Actions from the agencies' Section 11 action plans. An action is open until it is complete, "
        f"and overdue when it is open and its due date is before {format_date(c.as_of)}.",
        keep=True,
    )
    header: list[str | Cell] = ["Standard", *[Cell(t, centre=True) for t in ("Actions", "Open", "Overdue")]]
    header.append(Cell("Agencies with overdue", centre=True))
    rows: list[list[str | Cell]] = []
    for st in c.standards:
        overdue_agencies = len({a.agency for a in c.actions if a.standard_id == st.id and a.overdue})
        rows.append(
            [
                f"<b>{st.code}</b> {markup(st.title)}",
                count(st.actions),
                count(st.open_actions),
                Cell(f"<b>{st.overdue_actions}</b>", centre=True) if st.overdue_actions else count(0),
                count(overdue_agencies),
            ]
        )
    rows.append(
        [
            "<b>All standards</b>",
            count(len(c.actions)),
            count(len(c.open_actions)),
            Cell(f"<b>{len(c.overdue_actions)}</b>", centre=True),
            count(len({a.agency for a in c.overdue_actions})),
        ]
    )
    d.table(header, rows, [BODY_MM - 86, 18, 18, 20, 30])
    d.heading("Open actions", 2)
    open_actions = c.open_actions
    if not open_actions:
        d.para("No open actions.")
        return
    d.small("Every open action, by standard; overdue actions first, then by due date.", keep=True)
    for st in c.standards:
        mine = sorted(
            (a for a in open_actions if a.standard_id == st.id),
            key=lambda a: (not a.overdue, a.due or date.max, a.agency.casefold()),
        )
        if mine:
            _action_group(d, f"{st.code} {st.title}", mine)
    others = [a for a in open_actions if a.standard_id not in {st.id for st in c.standards}]
    if others:
        _action_group(d, "Other sections", others)


def _action_group(d: BoardDocument, title: str, group: list[ActionRow]) -> None:
    d.heading(title, 3)
    rows: list[list[str | Cell]] = []
    for a in group:
        due = format_date(a.due) if a.due else (markup(a.due_text) or "—")
        status = markup(a.status_label)
        warn = WARN if a.overdue else None
        rows.append(
            [
                markup(a.agency),
                markup(a.action) or "—",
                markup(a.lead) or "—",
                Cell(due, colour=warn, bold=a.overdue),
                Cell(f"{status}<br/><b>Overdue</b>" if a.overdue else status, colour=warn),
            ]
        )
    d.table(["Agency", "Action", "Lead", "Due", "Status"], rows, [36, BODY_MM - 111, 30, 21, 24])

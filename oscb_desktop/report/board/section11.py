"""The board report's Section 11 chapters: ratings by standard, the matrix of agencies against standards,
findings standard by standard, and the agencies' actions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Paragraph, Spacer, Table

from oscb_desktop.collate.result import DECLINED, IMPROVED, ActionRow, Collation, MatrixCell, StandardSummary
from oscb_desktop.forms.model import NOT_APPLICABLE, Level
from oscb_desktop.report.board.charts import distribution_chart
from oscb_desktop.report.board.template import BODY_WIDTH, Abbreviations, BoardStyles, count
from oscb_desktop.report.house.palette import (
    BOLD,
    HEAD_FILL,
    INK,
    MUTED,
    RULE,
    STRIPE,
    UNRATED,
    WARN,
    level_colour,
    text_colour_on,
)
from oscb_desktop.report.house.tables import grid, table_style
from oscb_desktop.report.house.text import format_date, markup
from oscb_desktop.report.words import ARROWS, arrow, mean, plural, points, share, signed

# Ratings by standard -------------------------------------------------------------------------------


def ratings(c: Collation, s: BoardStyles, abbr: Abbreviations) -> list[Flowable]:
    """How the statements of each standard were rated: a chart, then a table of counts, means and changes."""
    scale = c.scale
    assert scale is not None
    out: list[Flowable] = [s.heading("Ratings by standard", "ratings")]
    out.append(
        Paragraph(
            "How the agencies rated the statements of each standard. Each bar shows every agency's "
            "statement ratings for the standard; the letters and numbers are the level and how many "
            "ratings were given at it.",
            s.small,
        )
    )
    out += [Spacer(1, 2 * mm), distribution_chart(c, abbr), Spacer(1, 5 * mm)]
    levels = list(scale.choices)
    good_label = c.standards[0].good_label
    head = [Paragraph("Standard", s.cell_head)]
    head += [Paragraph(_level_head(lv), _on_level(lv, s.cell_head_centre, 7.5)) for lv in levels]
    head += [
        Paragraph(f"{markup(good_label)}", s.cell_head_centre),
        Paragraph("Mean", s.cell_head_centre),
        Paragraph("Gap", s.cell_head_centre),
        Paragraph(f"{ARROWS[IMPROVED]} / = / {ARROWS[DECLINED]}", s.cell_head_centre),
    ]
    data: list[list[Any]] = [head]
    for st in c.standards:
        row: list[Any] = [Paragraph(f"<b>{st.code}</b> {markup(st.title)}", s.cell)]
        row += [count(s, st.counts.get(lv.id, 0)) for lv in levels]
        y = st.year_on_year
        row += [
            Paragraph(f"<b>{share(st.good_share)}</b>", s.cell_centre),
            Paragraph(mean(st.mean), s.cell_centre),
            Paragraph(signed(st.gap), s.cell_centre if st.moderated_agencies else s.cell_zero),
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
    extra += [("BACKGROUND", (col, 0), (col, 0), level_colour(lv)) for col, lv in enumerate(levels, start=1)]
    out.append(grid(data, widths, extra))
    out.append(
        Paragraph(
            f"Counts are statement ratings. {markup(good_label)} and the mean leave out Not applicable. "
            "Gap: how many percentage points the agencies' own ratings were above (+) or below (−) the moderated "
            "ones, over the agencies whose standard was moderated (— where none was). "
            f"{ARROWS[IMPROVED]} / = / {ARROWS[DECLINED]}: agencies whose level for the standard rose, "
            "stayed the same or fell since their previous return (a move of the mean within a level is the same).",
            ParagraphStyle("note", parent=s.small, spaceBefore=4),
        )
    )
    return out


def _on_level(lv: Level, parent: ParagraphStyle, size: float | None = None) -> ParagraphStyle:
    """A style whose text reads on the level's colour."""
    size = size or parent.fontSize
    return ParagraphStyle(
        f"on-{lv.id}-{parent.name}-{size}",
        parent=parent,
        textColor=text_colour_on(level_colour(lv)),
        fontSize=size,
        leading=size + 2,
    )


def _level_head(lv: Level) -> str:
    if lv.id == NOT_APPLICABLE:
        return "N/A"
    return f"{markup(lv.label)}<br/>{lv.percentage}%" if lv.percentage is not None else markup(lv.label)


# Matrix --------------------------------------------------------------------------------------------


def matrix(c: Collation, s: BoardStyles, abbr: Abbreviations) -> list[Flowable]:
    """Every agency against every standard, grouped by sector, with its key."""
    out: list[Flowable] = [s.heading("Agencies and standards", "matrix")]
    out.append(
        Paragraph(
            "Each agency's level for each standard: the mean of its statement ratings mapped to the nearest "
            "level. A second letter after a slash is the moderated level. "
            f"{ARROWS[IMPROVED]} a higher and {ARROWS[DECLINED]} a lower level than in the agency's previous return. "
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
    group_style = ParagraphStyle("mgroup", parent=s.cell_group, fontSize=7.5, leading=9)
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
            data.append([Paragraph(markup(sector), group_style)] + [""] * n)
            commands += [("SPAN", (0, r), (-1, r)), ("BACKGROUND", (0, r), (-1, r), STRIPE)]
            r += 1
        name = markup(row.agency) + (" <font color='#a01c3b'>*</font>" if row.challenged else "")
        if not row.returned:
            data.append(
                [Paragraph(name, name_style), Paragraph("No Section 11 return received", s.cell_italic)]
                + [""] * (n - 1)
            )
            commands.append(("SPAN", (1, r), (-1, r)))
            continue
        cells: list[Any] = [Paragraph(name, name_style)]
        for col, cell in enumerate(row.cells, start=1):
            text, fill = _cell_text(cell, abbr)
            style = ParagraphStyle(f"m{r}_{col}", parent=cell_style, textColor=text_colour_on(fill))
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
        Table(data, colWidths=[first_w] + [cell_w] * n, repeatRows=1, hAlign="LEFT", style=table_style(commands))
    )
    out += [Spacer(1, 3 * mm), KeepTogether(_matrix_key(c, s, abbr))]
    return out


def _cell_text(cell: MatrixCell, abbr: Abbreviations) -> tuple[str, colors.Color]:
    level = cell.self_level
    if level is None:
        return "—", UNRATED
    text = escape(abbr.get(level.id, level.label)) + arrow(cell.change)
    if cell.moderated_level is not None:
        text += "/" + escape(abbr.get(cell.moderated_level.id, cell.moderated_level.label))
    return text, level_colour(level)


def _matrix_key(c: Collation, s: BoardStyles, abbr: Abbreviations) -> list[Flowable]:
    scale = c.scale
    assert scale is not None
    levels = "; ".join(f"<b>{escape(abbr.get(lv.id, lv.label))}</b> {markup(lv.display)}" for lv in scale.choices)
    standards = "; ".join(f"<b>{st.code}</b> {markup(st.title)}" for st in c.standards)
    notes = [
        f"<b>Levels:</b> {levels}; <b>—</b> not rated.",
        f"<b>Standards:</b> {standards}.",
        f"<b>{ARROWS[IMPROVED]}</b> a higher, <b>{ARROWS[DECLINED]}</b> a lower level than in the previous return "
        "(no arrow: the same, or not compared). <b>A/B</b>: self-rated A, moderated B; a dark frame marks a "
        "moderated level that differs from the agency's own. <font color='#a01c3b'>*</font> challenged "
        "agency (see Headline figures).",
    ]
    return [Paragraph(text, s.small) for text in notes]


# Findings by standard ------------------------------------------------------------------------------


def findings(c: Collation, s: BoardStyles, abbr: Abbreviations) -> list[Flowable]:
    """Each standard's facts and the counts of each of its statements."""
    out: list[Flowable] = [s.heading("Findings by standard", "findings")]
    out.append(
        Paragraph(
            "For each standard: how its statements were rated, the moderation, the change since the "
            "agencies' previous returns and the actions they recorded.",
            s.small,
        )
    )
    for st in c.standards:
        out += _standard(c, s, abbr, st)
    return out


def standard_facts(c: Collation, st: StandardSummary) -> list[str]:
    """The lines under a standard's heading (markup): the PDF prints them, and so does the Word report."""
    y = st.year_on_year
    facts = [
        f"<b>{share(st.good_share)}</b> {markup(st.good_label)}",
        f"mean <b>{mean(st.mean)}</b>",
        f"rated by {plural(st.agencies_rated, 'agency', 'agencies')}",
    ]
    if st.na:
        facts.append(f"{st.na} Not applicable")
    if st.unanswered:
        facts.append(f"{st.unanswered} not rated")
    lines = [" · ".join(facts)]
    if st.moderated_agencies:
        lines.append(
            f"Moderated for {plural(st.moderated_agencies, 'agency', 'agencies')}: self-rated mean "
            f"{mean(st.self_mean_moderated)}, moderated mean {mean(st.moderated_mean)}, gap "
            f"<b>{points(st.gap)}</b>."
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
            f"<b>{st.overdue_actions} overdue</b> at {format_date(c.as_of)}."
        )
    return lines


def _standard(c: Collation, s: BoardStyles, abbr: Abbreviations, st: StandardSummary) -> list[Flowable]:
    lines = standard_facts(c, st)
    head: list[Flowable] = [
        CondPageBreak(60 * mm),
        s.heading(f"{st.code} {st.title}", f"standard-{st.id}", level=1),
        *[Paragraph(text, ParagraphStyle("facts", parent=s.small, spaceAfter=1)) for text in lines],
        Spacer(1, 2 * mm),
    ]
    levels = list(st.scale.choices)
    header: list[Any] = [Paragraph("Statement", s.cell_head)]
    header += [Paragraph(escape(abbr.get(lv.id, lv.label)), _on_level(lv, s.cell_head_centre)) for lv in levels]
    header.append(Paragraph("Mean", s.cell_head_centre))
    data: list[list[Any]] = [header]
    for stmt in st.statements:
        row: list[Any] = [Paragraph(f"<b>{markup(stmt.id)}</b> {markup(stmt.label)}", s.cell)]
        row += [count(s, stmt.counts.get(lv.id, 0)) for lv in levels]
        row.append(Paragraph(mean(stmt.mean), s.cell_centre))
        data.append(row)
    widths = [0.0, *[9 * mm] * len(levels), 13 * mm]
    widths[0] = BODY_WIDTH - sum(widths)
    extra: list[tuple[Any, ...]] = [("VALIGN", (1, 0), (-1, -1), "MIDDLE")]
    extra += [("BACKGROUND", (col, 0), (col, 0), level_colour(lv)) for col, lv in enumerate(levels, start=1)]
    return [head[0], KeepTogether([*head[1:], grid(data, widths, extra)])]


# Actions -------------------------------------------------------------------------------------------


def actions(c: Collation, s: BoardStyles, abbr: Abbreviations) -> list[Flowable]:
    """Actions counted by standard, then every open action, overdue ones first."""
    out: list[Flowable] = [s.heading("Actions", "actions")]
    out.append(
        Paragraph(
            f"Actions from the agencies' Section 11 action plans. An action is open until it is complete, "
            f"and overdue when it is open and its due date is before {format_date(c.as_of)}.",
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
                Paragraph(f"<b>{st.code}</b> {markup(st.title)}", s.cell),
                count(s, st.actions),
                count(s, st.open_actions),
                Paragraph(f"<b>{st.overdue_actions}</b>", s.cell_centre) if st.overdue_actions else count(s, 0),
                count(s, overdue_agencies),
            ]
        )
    data.append(
        [
            Paragraph("<b>All standards</b>", s.cell),
            count(s, len(c.actions)),
            count(s, len(c.open_actions)),
            Paragraph(f"<b>{len(c.overdue_actions)}</b>", s.cell_centre),
            count(s, len({a.agency for a in c.overdue_actions})),
        ]
    )
    last = len(data) - 1
    out.append(
        grid(
            data,
            [BODY_WIDTH - 86 * mm, 18 * mm, 18 * mm, 20 * mm, 30 * mm],
            [("LINEABOVE", (0, last), (-1, last), 1, INK), ("VALIGN", (1, 0), (-1, -1), "MIDDLE")],
        )
    )
    open_actions = c.open_actions
    out.append(Spacer(1, 4 * mm))
    out.append(s.heading("Open actions", "open-actions", level=1))
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
            out += _action_group(s, f"{st.code} {st.title}", mine)
    others = [a for a in open_actions if a.standard_id not in {st.id for st in c.standards}]
    if others:
        out += _action_group(s, "Other sections", others)
    return out


def _action_group(s: BoardStyles, title: str, group: Sequence[ActionRow]) -> list[Flowable]:
    # A long table splits across pages under its repeated header; only the title must not be left alone.
    title_style = ParagraphStyle("actionsh3", parent=s.h3, keepWithNext=0)
    return [CondPageBreak(35 * mm), Paragraph(markup(title), title_style), _action_table(s, group)]


def _action_table(s: BoardStyles, group: Sequence[ActionRow]) -> Table:
    data: list[list[Any]] = [[Paragraph(t, s.cell_head) for t in ("Agency", "Action", "Lead", "Due", "Status")]]
    overdue_style = ParagraphStyle("overdue", parent=s.cell, textColor=WARN, fontName=BOLD)
    for a in group:
        due = format_date(a.due) if a.due else (markup(a.due_text) or "—")
        status = markup(a.status_label)
        data.append(
            [
                Paragraph(markup(a.agency), s.cell),
                Paragraph(markup(a.action) or "—", s.cell),
                Paragraph(markup(a.lead) or "—", s.cell),
                Paragraph(due, overdue_style if a.overdue else s.cell),
                Paragraph(
                    f"{status}<br/><b>Overdue</b>" if a.overdue else status, overdue_style if a.overdue else s.cell
                ),
            ]
        )
    widths = [36 * mm, 0.0, 30 * mm, 21 * mm, 24 * mm]
    widths[1] = BODY_WIDTH - sum(widths)
    return grid(data, widths)

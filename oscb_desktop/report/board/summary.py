"""The board report's opening and closing chapters: the cover with the contents, the headline figures with the
key messages, and how the figures are worked out."""

from __future__ import annotations

from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Paragraph, Spacer, Table

from oscb_desktop.collate.result import RULES, Collation
from oscb_desktop.report.board.template import (
    BODY_WIDTH,
    REPORT_SUBTITLE,
    REPORT_TITLE,
    Abbreviations,
    BoardStyles,
    count,
    names,
    standard_name,
)
from oscb_desktop.report.house.palette import HEAD_FILL
from oscb_desktop.report.house.styles import contents
from oscb_desktop.report.house.tables import grid, key_value_table, table_style
from oscb_desktop.report.house.text import format_date, format_time, markup
from oscb_desktop.report.words import mean, plural, points, share


def cover(c: Collation, s: BoardStyles, abbr: Abbreviations) -> list[Flowable]:
    """The cover (title, partnership, period, the facts of the collation) and the contents page."""
    out: list[Flowable] = [
        Paragraph(REPORT_TITLE, s.cover_title),
        Paragraph(REPORT_SUBTITLE, s.cover_sub),
        Spacer(1, 12 * mm),
        Paragraph(markup(c.partnership or "Safeguarding partnership"), s.cover_name),
        Paragraph(f"Reporting period {markup(c.period)}", s.cover_sub),
        Spacer(1, 10 * mm),
    ]
    rows = [
        ("Reporting period", markup(c.period)),
        ("Agencies on the register", str(c.headline.registered)),
    ]
    for f in c.headline.forms:
        deadline = f" (deadline {format_date(f.deadline)})" if f.deadline else ""
        rows.append((f"{markup(f.title)} returns", f"{len(f.returned)} received{deadline}"))
    rows += [
        ("Figures as of", format_date(c.as_of)),
        ("Generated", markup(format_time(c.generated_at)) or "—"),
    ]
    if c.section11_form:
        rows.append(("Section 11 form", f"version {markup(c.section11_form[1])}"))
    if c.compared_with:
        rows.append(("Compared with", ", ".join(markup(p) for p in c.compared_with)))
    out.append(key_value_table(s, rows, width=BODY_WIDTH, label_width=48 * mm, padding=(4, 5)))
    return [*out, PageBreak(), *contents(s, gap=3 * mm)]


def _tile(s: BoardStyles, number: str, caption: str, detail: str = "") -> list[Flowable]:
    out: list[Flowable] = [Paragraph(number, s.tile_number), Paragraph(caption, s.tile_caption)]
    if detail:
        out.append(Paragraph(detail, s.tile_detail))
    return out


def headline(c: Collation, s: BoardStyles, abbr: Abbreviations) -> list[Flowable]:
    """Headline figures as tiles, the key messages, the returns received and the agencies challenged."""
    h = c.headline
    out: list[Flowable] = [s.heading("Headline figures", "headline")]
    tiles = [_tile(s, str(h.registered), "agencies on the register")]
    for f in h.forms:
        tiles.append(
            _tile(
                s,
                str(len(f.returned)),
                f"{markup(f.title)} returns received",
                f"{len(f.on_time)} on time" + (f", {len(f.late)} late" if f.late else ""),
            )
        )
    tiles.append(_tile(s, str(len(h.challenged)), "agencies challenged", "issues or moderation"))
    tiles.append(_tile(s, str(len(h.not_received)), "agencies with no return", "of any form"))
    width = BODY_WIDTH / len(tiles)
    out.append(
        Table(
            [tiles],
            colWidths=[width] * len(tiles),
            hAlign="LEFT",
            style=table_style(
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
    messages = key_messages(c) or ["No returns have been received for this period yet."]
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
                Paragraph(markup(f.title), s.cell),
                Paragraph(format_date(f.deadline) if f.deadline else "—", s.cell_centre),
                Paragraph(f"{len(f.returned)} of {h.registered}", s.cell_centre),
                count(s, len(f.on_time)),
                count(s, len(f.late)),
                count(s, len(f.not_received)),
            ]
        )
    out.append(grid(data, [50 * mm, 30 * mm, 24 * mm, 22 * mm, 20 * mm, BODY_WIDTH - 146 * mm]))
    for f in h.forms:
        if f.not_received:
            out.append(Paragraph(f"<b>{markup(f.title)} not received from</b> {names(f.not_received)}.", s.small))
        if f.late:
            out.append(Paragraph(f"<b>{markup(f.title)} received late from</b> {names(f.late)}.", s.small))
        if f.time_unknown:
            out.append(
                Paragraph(
                    f"<b>{markup(f.title)} received without a signing time from</b> {names(f.time_unknown)}.",
                    s.small,
                )
            )
    if h.challenged:
        out.append(Paragraph("Agencies challenged", s.h2))
        data = [[Paragraph("Agency", s.cell_head), Paragraph("Why", s.cell_head)]]
        for ch in h.challenged:
            data.append(
                [
                    Paragraph(markup(ch.agency), s.cell),
                    Paragraph("; ".join(markup(r) for r in ch.reasons), s.cell),
                ]
            )
        out.append(grid(data, [70 * mm, BODY_WIDTH - 70 * mm]))
    return out


def key_messages(c: Collation) -> list[str]:
    """The few sentences a board member reads first (markup)."""
    out: list[str] = []
    if c.standards:
        rated = sum(st.rated for st in c.standards)
        good = sum(st.good for st in c.standards)
        scores = [st.mean * st.rated for st in c.standards if st.mean is not None]
        label = c.standards[0].good_label
        if rated:
            out.append(
                f"Across {plural(len(c.standards), 'standard')}, <b>{share(good / rated)}</b> of the "
                f"{rated} rated statements were {markup(label)}; the mean score was "
                f"<b>{mean(sum(scores) / rated)}</b>."
            )
            ranked = sorted(
                (st for st in c.standards if st.good_share is not None), key=lambda st: st.good_share or 0.0
            )
            if len(ranked) >= 2 and ranked[0].good_share != ranked[-1].good_share:
                low, high = ranked[0], ranked[-1]
                out.append(
                    f"Strongest standard: <b>{standard_name(high)}</b> ({share(high.good_share)} "
                    f"{markup(label)}). Weakest: <b>{standard_name(low)}</b> ({share(low.good_share)})."
                )
        moderated = [st for st in c.standards if st.moderated_agencies]
        if moderated:
            widest = max(moderated, key=lambda st: abs(st.gap or 0))
            agencies = len({row.agency for row in c.matrix if any(cell.moderated_level for cell in row.cells)})
            out.append(
                f"Ratings of {plural(agencies, 'agency', 'agencies')} were moderated; the widest gap between "
                f"self and moderated ratings was in <b>{standard_name(widest)}</b> ({points(widest.gap)}, "
                f"{plural(widest.moderated_agencies, 'agency', 'agencies')})."
            )
        yoy = [st.year_on_year for st in c.standards]
        compared = sum(y.improved + y.same + y.declined for y in yoy)
        if compared and c.compared_with:
            periods = ", ".join(markup(p) for p in c.compared_with)
            out.append(
                f"Compared with {periods}, of {compared} agency ratings of a standard, "
                f"<b>{sum(y.improved for y in yoy)} improved</b>, "
                f"<b>{sum(y.declined for y in yoy)} declined</b> and {sum(y.same for y in yoy)} stayed the same."
            )
    pressures, enablers = c.impact.pressures, c.impact.enablers
    if pressures and pressures.themes:
        out.append(f"Top three pressures: <b>{'; '.join(markup(t.label) for t in pressures.top())}</b>.")
    if enablers and enablers.themes:
        out.append(
            f"Top three things that would make it easier: <b>{'; '.join(markup(t.label) for t in enablers.top())}</b>."
        )
    if c.actions:
        out.append(
            f"{plural(len(c.actions), 'action')} in the agencies' action plans: "
            f"<b>{len(c.open_actions)} open</b>, of which <b>{len(c.overdue_actions)} overdue</b> "
            f"at {format_date(c.as_of)}."
        )
    if c.impact.escalating:
        out.append(
            f"<b>{plural(len(c.impact.escalating), 'agency', 'agencies')}</b> asked for "
            f"{plural(len(c.impact.risks), 'risk')} to be escalated to the board."
        )
    return out


def method(c: Collation, s: BoardStyles, abbr: Abbreviations) -> list[Flowable]:
    """How the figures are worked out, and the notes on the data."""
    out: list[Flowable] = [s.heading("How the figures are worked out", "method")]
    for title, text in RULES:
        out += [Paragraph(markup(title), s.h3), Paragraph(markup(text), s.body)]
    if c.notes:
        out.append(Paragraph("Notes on the data", s.h2))
        out += [Paragraph(markup(n), s.bullet, bulletText="•") for n in c.notes]
    return out

"""The board report's impact assessment chapter: the top three pressures and enablers with the agencies' own
words, areas for improvement, service changes, and risks to escalate to the board."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Paragraph, Spacer

from oscb_desktop.collate.result import Collation, Quote, RankedQuestion
from oscb_desktop.forms.known import ENABLERS, PRESSURES
from oscb_desktop.report.board.charts import bar_chart
from oscb_desktop.report.board.template import BODY_WIDTH, Abbreviations, BoardStyles
from oscb_desktop.report.house.tables import grid
from oscb_desktop.report.house.text import clean, format_date, markup
from oscb_desktop.report.words import plural

#: Titles and contents keys of the ranked questions the report names itself (by their role in the form);
#: others go by their label.
RANKED_TITLES = {
    PRESSURES: ("Top three pressures", "pressures"),
    ENABLERS: ("Top three things that would make it easier", "enablers"),
}


def impact(c: Collation, s: BoardStyles, abbr: Abbreviations) -> list[Flowable]:
    imp = c.impact
    out: list[Flowable] = [s.heading("Impact assessment", "impact")]
    if not imp.returned:
        out.append(Paragraph("No impact assessments were received for this period.", s.body))
        return out
    out.append(
        Paragraph(
            f"{plural(imp.returned, 'agency', 'agencies')} returned the annual impact assessment. Each ranked "
            "its top three pressures and the three things that would most help, chose a category for each "
            "and explained it in its own words. Categories score 3 points for a first place, 2 for a second "
            "and 1 for a third.",
            s.body,
        )
    )
    for q in imp.ranked:
        title, key = RANKED_TITLES.get(q.role or "", (clean(q.label), q.item_id))
        out += _ranked(s, q, title, key)
    out += _improvement(c, s)
    out += _changes(c, s)
    out += _risks(c, s)
    return out


def _quotes(quotes: Sequence[Quote], s: BoardStyles) -> list[Flowable]:
    """Agencies' own words, each under its agencies; the same words from several agencies are quoted once."""
    groups: dict[str, tuple[str, list[Quote]]] = {}
    for q in quotes:
        groups.setdefault(" ".join(q.text.split()).casefold(), (q.text, []))[1].append(q)
    out: list[Flowable] = []
    for text, group in groups.values():
        by = "; ".join(markup(q.agency) + (f" (rank {q.rank})" if q.rank else "") for q in group)
        out.append(KeepTogether([Paragraph(f"“{markup(text)}”", s.quote), Paragraph(f"— {by}", s.quote_by)]))
    return out


def _ranked(s: BoardStyles, q: RankedQuestion, title: str, key: str) -> list[Flowable]:
    out: list[Flowable] = [CondPageBreak(90 * mm), s.heading(title, key, level=1)]
    out.append(
        Paragraph(
            f"“{markup(q.label)}” — answered by {plural(q.respondents, 'agency', 'agencies')}. "
            "Every category named, by points:",
            s.small,
        )
    )
    if not q.themes:
        out.append(Paragraph("No answers.", s.body))
        return out
    rows = [
        (t.label, float(t.points), f"{plural(t.points, 'pt')} · {plural(t.agencies, 'agency', 'agencies')}")
        for t in q.themes
    ]
    out += [Spacer(1, 1 * mm), bar_chart(rows), Spacer(1, 2 * mm)]
    for n, t in enumerate(q.top(), start=1):
        head: list[Flowable] = [
            Paragraph(markup(t.label), s.theme, bulletText=f"{n}."),
            Paragraph(
                f"{plural(t.points, 'point')} · named by {plural(t.agencies, 'agency', 'agencies')}, "
                f"{t.first} as their first",
                s.theme_facts,
            ),
        ]
        quotes = _quotes(t.quotes, s)
        out += [KeepTogether(head + quotes[:1]), *quotes[1:]]  # never a theme without its first quote
    return out


def _improvement(c: Collation, s: BoardStyles) -> list[Flowable]:
    imp = c.impact
    if not imp.improvement_areas and not imp.improvement_themes:
        return []
    out: list[Flowable] = [CondPageBreak(70 * mm), s.heading("Areas for improvement", "improvement", level=1)]
    if imp.improvement_themes:
        out.append(Paragraph("The themes the agencies' improvements relate to (agencies could tick several):", s.small))
        rows = [(t.label, float(t.count), plural(t.count, "agency", "agencies")) for t in imp.improvement_themes]
        out += [Spacer(1, 1 * mm), bar_chart(rows, highlight=0), Spacer(1, 3 * mm)]
    if imp.improvement_areas:
        out.append(Paragraph("In the agencies' own words", s.h3))
        out += _quotes(imp.improvement_areas, s)
    return out


def _changes(c: Collation, s: BoardStyles) -> list[Flowable]:
    imp = c.impact
    if not imp.service_changes:
        return []
    out: list[Flowable] = [
        CondPageBreak(60 * mm),
        s.heading("Service changes and their impact", "changes", level=1),
    ]
    data: list[list[Any]] = [
        [
            Paragraph(t, s.cell_head)
            for t in ("Agency", "What changed", "When", "Impact on children, adults or families")
        ]
    ]
    for ch in imp.service_changes:
        when = format_date(ch.when) if ch.when else "—"
        affects = f" <font color='#4b5563'>({markup(ch.affects)})</font>" if ch.affects else ""
        data.append(
            [
                Paragraph(markup(ch.agency), s.cell),
                Paragraph(markup(ch.change), s.cell),
                Paragraph(when, s.cell),
                Paragraph(markup(ch.impact) + affects, s.cell),
            ]
        )
    out.append(grid(data, [40 * mm, 52 * mm, 20 * mm, BODY_WIDTH - 112 * mm]))
    return out


def _risks(c: Collation, s: BoardStyles) -> list[Flowable]:
    imp = c.impact
    out: list[Flowable] = [CondPageBreak(60 * mm), s.heading("Risks to escalate to the board", "risks", level=1)]
    if not imp.risks:
        out.append(Paragraph("No agency asked for a risk to be escalated to the board.", s.body))
        return out
    out.append(
        Paragraph(
            f"{plural(len(imp.escalating), 'agency', 'agencies')} asked for risks to be escalated; the "
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
                Paragraph(markup(r.agency), s.cell),
                Paragraph(markup(r.risk), s.cell),
                Paragraph(markup(r.likelihood) or "—", s.cell),
                Paragraph(markup(r.mitigation) or "—", s.cell),
            ]
        )
    out.append(grid(data, [40 * mm, 60 * mm, 22 * mm, BODY_WIDTH - 122 * mm]))
    return out

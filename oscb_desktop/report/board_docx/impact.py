"""The Word board report's impact assessment chapter: the top three pressures and enablers with their charts and
the agencies' own words, areas for improvement, service changes and risks to escalate; the same figures and
words as the PDF's (:mod:`oscb_desktop.report.board.impact`)."""

from __future__ import annotations

from collections.abc import Sequence

from oscb_desktop.collate.result import Collation, Quote, RankedQuestion
from oscb_desktop.report.board.charts import bar_chart
from oscb_desktop.report.board.impact import RANKED_TITLES
from oscb_desktop.report.board.template import Abbreviations
from oscb_desktop.report.board_docx.document import BODY_MM, MUTED, BoardDocument
from oscb_desktop.report.board_docx.png import drawing_to_png
from oscb_desktop.report.house.text import clean, format_date, markup
from oscb_desktop.report.words import plural


def impact(d: BoardDocument, c: Collation, abbr: Abbreviations) -> None:
    imp = c.impact
    d.heading("Impact assessment", 1)
    if not imp.returned:
        d.para("No impact assessments were received for this period.")
        return
    d.para(
        f"{plural(imp.returned, 'agency', 'agencies')} returned the annual impact assessment. Each ranked "
        "its top three pressures and the three things that would most help, chose a category for each "
        "and explained it in its own words. Categories score 3 points for a first place, 2 for a second "
        "and 1 for a third."
    )
    for q in imp.ranked:
        title, _key = RANKED_TITLES.get(q.role or "", (clean(q.label), q.item_id))
        _ranked(d, q, title)
    _improvement(d, c)
    _changes(d, c)
    _risks(d, c)


def _quotes(d: BoardDocument, quotes: Sequence[Quote]) -> None:
    """Agencies' own words, each with its agencies; the same words from several agencies are quoted once."""
    groups: dict[str, tuple[str, list[Quote]]] = {}
    for q in quotes:
        groups.setdefault(" ".join(q.text.split()).casefold(), (q.text, []))[1].append(q)
    for text, group in groups.values():
        by = "; ".join(markup(q.agency) + (f" (rank {q.rank})" if q.rank else "") for q in group)
        d.para(f"“{markup(text)}”", style="Quote", keep=True)
        d.para(f"— {by}", size=8.5, colour=MUTED)


def ranked_alt(title: str, rows: Sequence[tuple[str, float, str]]) -> str:
    parts = "; ".join(f"{n}. {clean(label)}: {note}" for n, (label, _value, note) in enumerate(rows, start=1))
    return f"Bar chart, {title}, every category named by points, the first three darker: {parts}."


def _ranked(d: BoardDocument, q: RankedQuestion, title: str) -> None:
    d.heading(title, 2)
    d.small(
        f"“{markup(q.label)}” — answered by {plural(q.respondents, 'agency', 'agencies')}. "
        "Every category named, by points:",
        keep=True,
    )
    if not q.themes:
        d.para("No answers.")
        return
    rows = [
        (t.label, float(t.points), f"{plural(t.points, 'pt')} · {plural(t.agencies, 'agency', 'agencies')}")
        for t in q.themes
    ]
    d.picture(drawing_to_png(bar_chart(rows)), width_mm=BODY_MM, alt=ranked_alt(title.lower(), rows), title=title)
    for n, t in enumerate(q.top(), start=1):
        d.heading(f"{n}. {t.label}", 3)
        d.small(
            f"{plural(t.points, 'point')} · named by {plural(t.agencies, 'agency', 'agencies')}, "
            f"{t.first} as their first",
            keep=True,
        )
        _quotes(d, t.quotes)


def _improvement(d: BoardDocument, c: Collation) -> None:
    imp = c.impact
    if not imp.improvement_areas and not imp.improvement_themes:
        return
    d.heading("Areas for improvement", 2)
    if imp.improvement_themes:
        d.small("The themes the agencies' improvements relate to (agencies could tick several):", keep=True)
        rows = [(t.label, float(t.count), plural(t.count, "agency", "agencies")) for t in imp.improvement_themes]
        parts = "; ".join(f"{clean(label)}: {note}" for label, _value, note in rows)
        d.picture(
            drawing_to_png(bar_chart(rows, highlight=0)),
            width_mm=BODY_MM,
            alt=f"Bar chart of the themes of the areas for improvement, by how many agencies named them: {parts}.",
            title="Areas for improvement",
        )
    if imp.improvement_areas:
        d.heading("In the agencies' own words", 3)
        _quotes(d, imp.improvement_areas)


def _changes(d: BoardDocument, c: Collation) -> None:
    imp = c.impact
    if not imp.service_changes:
        return
    d.heading("Service changes and their impact", 2)
    rows = []
    for ch in imp.service_changes:
        affects = f" <font color='#{MUTED}'>({markup(ch.affects)})</font>" if ch.affects else ""
        rows.append(
            [
                markup(ch.agency),
                markup(ch.change),
                format_date(ch.when) if ch.when else "—",
                markup(ch.impact) + affects,
            ]
        )
    header = ["Agency", "What changed", "When", "Impact on children, adults or families"]
    d.table(header, rows, [40, 50, 22, BODY_MM - 112])


def _risks(d: BoardDocument, c: Collation) -> None:
    imp = c.impact
    d.heading("Risks to escalate to the board", 2)
    if not imp.risks:
        d.para("No agency asked for a risk to be escalated to the board.")
        return
    d.small(
        f"{plural(len(imp.escalating), 'agency', 'agencies')} asked for risks to be escalated; the "
        "Business Unit follows up each one.",
        keep=True,
    )
    rows = [
        [markup(r.agency), markup(r.risk), markup(r.likelihood) or "—", markup(r.mitigation) or "—"] for r in imp.risks
    ]
    d.table(["Agency", "Risk", "Likelihood", "What the agency is doing about it"], rows, [40, 58, 22, BODY_MM - 120])

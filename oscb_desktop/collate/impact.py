"""The annual impact assessment, counted across agencies: ranked pressures and enablers, improvement areas
and their themes, service changes, and the risks agencies asked to escalate.

Items are found by their ``role`` in the form definition (:mod:`oscb_desktop.forms.known`), never by id, so a
partnership's own impact form is counted as long as it marks its items. The answer is read under the id the
return's own form version gives the item; labels and options come from the newest form of the period when it
has the item, else from the return's own form.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from oscb_desktop.collate.model import ReturnRecord
from oscb_desktop.collate.records import answer_text
from oscb_desktop.collate.result import (
    ImpactSummary,
    Quote,
    RankedAnswer,
    RankedQuestion,
    RankedTheme,
    Risk,
    ServiceChange,
    ThemeCount,
)
from oscb_desktop.forms.known import ESCALATE, IMPROVEMENT_AREAS, IMPROVEMENT_THEMES, RISKS, SERVICE_CHANGES
from oscb_desktop.forms.model import FormDefinition, Item

#: How a ranked question is matched across form versions: by its role when it has one, else by its item id.
_QuestionKey = tuple[str, str]


@dataclass(frozen=True)
class ImpactContext:
    """What the impact chapter needs from the collation around it."""

    #: The period's impact assessments (the version that counts of each), in the report's order of agencies.
    records: Sequence[ReturnRecord]
    #: The newest impact form of the period, whose labels and options the report shows.
    newest: FormDefinition | None
    #: The form version a return was made on.
    form_of: Callable[[ReturnRecord], FormDefinition]
    #: A sector id in words.
    sector_label: Callable[[str], str]

    def item(self, r: ReturnRecord, key: _QuestionKey) -> Item | None:
        """The item for ``key`` as the report shows it: from the newest form, else from the return's own form."""
        for form in (self.newest, self.form_of(r)):
            found = _find(form, key) if form is not None else None
            if found is not None:
                return found
        return None

    def answer(self, r: ReturnRecord, key: _QuestionKey) -> Any:
        """The return's answer to the item for ``key``, under the id its own form version gives it."""
        own = _find(self.form_of(r), key) or self.item(r, key)
        return r.answers.get(own.id) if own is not None else None


def _find(form: FormDefinition, key: _QuestionKey) -> Item | None:
    how, name = key
    if how == "role":
        return form.item_with_role(name)
    return form.item(name) if form.has_item(name) else None


def _role(role: str) -> _QuestionKey:
    return ("role", role)


def impact_summary(ctx: ImpactContext) -> ImpactSummary:
    records = ctx.records
    if not records:
        return ImpactSummary()
    questions, answers = [], []
    for key in _ranked_keys(ctx):
        q, a = _ranked(ctx, key)
        questions.append(q)
        answers += a

    areas = []
    themes: dict[str, list[str]] = defaultdict(list)
    changes, risks, escalating = [], [], []
    for r in records:
        label = ctx.sector_label(r.sector)
        text = answer_text(ctx.answer(r, _role(IMPROVEMENT_AREAS)))
        if text:
            areas.append(Quote(r.agency, text, sector_label=label))
        chosen = ctx.answer(r, _role(IMPROVEMENT_THEMES))
        for option in dict.fromkeys(chosen if isinstance(chosen, list) else []):
            themes[str(option)].append(r.agency)
        change_item = ctx.item(r, _role(SERVICE_CHANGES))
        for row in _rows(ctx.answer(r, _role(SERVICE_CHANGES))):
            if not (answer_text(row.get("change")) or answer_text(row.get("impact"))):
                continue
            changes.append(
                ServiceChange(
                    agency=r.agency,
                    change=answer_text(row.get("change")),
                    when=answer_text(row.get("date")),
                    impact=answer_text(row.get("impact")),
                    affects=_column_label(change_item, "affects", row.get("affects")),
                )
            )
        if ctx.answer(r, _role(ESCALATE)) is True:
            escalating.append(r.agency)
            risk_item = ctx.item(r, _role(RISKS))
            for row in _rows(ctx.answer(r, _role(RISKS))):
                if not answer_text(row.get("risk")):
                    continue
                risks.append(
                    Risk(
                        agency=r.agency,
                        risk=answer_text(row.get("risk")),
                        likelihood=_column_label(risk_item, "likelihood", row.get("likelihood")),
                        mitigation=answer_text(row.get("mitigation")),
                    )
                )
    theme_item = ctx.newest.item_with_role(IMPROVEMENT_THEMES) if ctx.newest else None
    option_order = {o.id: n for n, o in enumerate(theme_item.options)} if theme_item else {}
    theme_counts = sorted(
        (
            ThemeCount(option, theme_item.option_label(option) if theme_item else option, tuple(names))
            for option, names in themes.items()
        ),
        key=lambda t: (-t.count, option_order.get(t.id, len(option_order)), t.label),
    )
    return ImpactSummary(
        returned=len(records),
        ranked=tuple(questions),
        answers=tuple(answers),
        improvement_areas=tuple(areas),
        improvement_themes=tuple(theme_counts),
        service_changes=tuple(changes),
        risks=tuple(risks),
        escalating=tuple(escalating),
    )


def _ranked_keys(ctx: ImpactContext) -> list[_QuestionKey]:
    """Every ranked question of the newest form, then any only older form versions of the returns ask."""
    keys: list[_QuestionKey] = []
    for form in [ctx.newest, *(ctx.form_of(r) for r in ctx.records)]:
        if form is None:
            continue
        for item in form.items():
            key = _role(item.role) if item.role else ("id", item.id)
            if item.type == "ranked" and key not in keys:
                keys.append(key)
    return keys


def _ranked(ctx: ImpactContext, key: _QuestionKey) -> tuple[RankedQuestion, list[RankedAnswer]]:
    """One ranked question: points per category (rank 1 of n scores n), and every answer as a row."""
    points: dict[str, int] = defaultdict(int)
    named: dict[str, set[str]] = defaultdict(set)
    first: dict[str, int] = defaultdict(int)
    quotes: dict[str, list[Quote]] = defaultdict(list)
    labels: dict[str, str] = {}
    answers = []
    respondents = 0
    question: Item | None = None
    for r in ctx.records:
        item = ctx.item(r, key)
        if item is None:
            continue
        question = question or item
        value = ctx.answer(r, key)
        entries = [e for e in value if isinstance(e, Mapping)] if isinstance(value, list) else []
        ranks = item.ranks or len(entries)
        answered = False
        for rank, entry in enumerate(entries[:ranks], start=1):
            category = answer_text(entry.get("category"))
            text = answer_text(entry.get("text"))
            if not category:
                continue
            answered = True
            label = item.option_label(category)
            labels.setdefault(category, label)
            points[category] += ranks - rank + 1
            named[category].add(r.agency)
            if rank == 1:
                first[category] += 1
            if text:
                quotes[category].append(Quote(r.agency, text, rank, ctx.sector_label(r.sector)))
            answers.append(
                RankedAnswer(
                    agency=r.agency,
                    sector_label=ctx.sector_label(r.sector),
                    item_id=question.id,
                    question=item.label,
                    rank=rank,
                    category=category,
                    category_label=label,
                    text=text,
                )
            )
        respondents += answered
    themes = sorted(
        (
            RankedTheme(
                category=c,
                label=labels[c],
                points=points[c],
                agencies=len(named[c]),
                first=first[c],
                quotes=tuple(sorted(quotes[c], key=lambda q: q.rank or 0)),
            )
            for c in points
        ),
        key=lambda t: (-t.points, -t.agencies, -t.first, t.label.casefold()),
    )
    return (
        RankedQuestion(
            item_id=question.id if question else key[1],
            label=question.label if question else key[1],
            ranks=question.ranks if question else 0,
            respondents=respondents,
            themes=tuple(themes),
            role=key[1] if key[0] == "role" else None,
        ),
        answers,
    )


def _rows(value: Any) -> list[Mapping[str, Any]]:
    return [row for row in value if isinstance(row, Mapping)] if isinstance(value, list) else []


def _column_label(item: Item | None, column_id: str, value: Any) -> str:
    """A table cell in words: the label of the option it names, when the column is a choice."""
    text = answer_text(value)
    if item is None or not text:
        return text
    column = next((c for c in item.columns if c.id == column_id), None)
    if column is None:
        return text
    return next((o.label for o in column.options if o.id == text), text)

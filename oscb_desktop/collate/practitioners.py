"""What practitioners said, across the partnership: the survey counts the agencies' Section 11 returns carried,
added up per question (partnership-wide, by sector, year on year), and the statements where an agency's rating
and its practitioners' answers diverge by the survey's own rule.

Agencies' counts arrive suppressed, so a partnership figure adds the counts that were shown; an answer some
agency suppressed reads "at least N", and a percentage is the share of favourable answers known for certain
(a range where suppressed counts could add to it). A total under the threshold is suppressed again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from oscb_desktop.collate.model import ReturnRecord
from oscb_desktop.collate.records import period_key
from oscb_desktop.forms import FormRegistry
from oscb_desktop.forms.model import FormDefinition
from oscb_desktop.survey.compare import beside_ratings, rule_words
from oscb_desktop.survey.counts import SurveyCounts, favourable_words


@dataclass(frozen=True)
class Tally:
    """Counts added over agencies: ``known`` is certain; ``hidden`` agencies' counts of it were suppressed."""

    known: int
    hidden: int
    threshold: int

    @property
    def words(self) -> str:
        """``412``; ``at least 412`` where some agency's count was suppressed; ``fewer than 5 per agency``."""
        if self.hidden == 0:
            return f"fewer than {self.threshold}" if 0 < self.known < self.threshold else str(self.known)
        if self.known == 0:
            return f"fewer than {self.threshold} per agency"
        return f"at least {self.known}"


@dataclass(frozen=True)
class Favourable:
    """The favourable share of a group (partnership, sector, period): certain and at most, over who answered."""

    answered: int
    low: int
    high: int
    threshold: int

    @property
    def percent(self) -> float | None:
        return 100 * self.low / self.answered if self.answered >= self.threshold else None

    @property
    def words(self) -> str:
        if self.answered < self.threshold:
            return "too few answers to show"
        low = round(100 * self.low / self.answered)
        high = round(100 * self.high / self.answered)
        return f"{low} %" if low == high else f"{low}–{high} %"


@dataclass(frozen=True)
class PractitionerQuestion:
    id: str
    code: str
    text: str
    #: The favourable answers in words (``Strongly agree or Agree``), "" for a question without.
    favourable_label: str
    #: (option label, tally) in the survey's order.
    answers: tuple[tuple[str, Tally], ...]
    answered: Tally
    favourable: Favourable | None
    #: Sector label -> favourable share.
    by_sector: tuple[tuple[str, Favourable], ...]
    #: Earlier period -> favourable share (the same question id in that period's survey).
    earlier: tuple[tuple[str, Favourable], ...]
    #: The Section 11 statements it bears on (codes).
    bears_on: tuple[str, ...] = ()


@dataclass(frozen=True)
class Divergence:
    agency: str
    sector: str
    statement_code: str
    standard: str
    level: str
    question_code: str
    question: str
    #: "52 %" of "48" practitioners gave "Yes".
    share: str
    answered: str
    favourable_label: str


@dataclass(frozen=True)
class Practitioners:
    """The partnership's survey for the period."""

    survey_title: str
    threshold: int
    #: Agencies whose return carried survey counts, and their respondents added (``respondents_hidden``
    #: agencies had fewer than the threshold, not added).
    agencies: tuple[str, ...]
    respondents: int
    respondents_hidden: int
    questions: tuple[PractitionerQuestion, ...]
    divergences: tuple[Divergence, ...]
    rule: str
    compared_with: tuple[str, ...] = ()


def _counts(r: ReturnRecord) -> SurveyCounts | None:
    return SurveyCounts.from_json(r.survey) if r.survey else None


def _favourable(parts: Iterable[tuple[SurveyCounts, FormDefinition]], qid: str, threshold: int) -> Favourable | None:
    answered = low = high = 0
    any_part = False
    for counts, form in parts:
        q = counts.question(qid)
        if q is None or not form.has_item(qid) or not form.item(qid).favourable:
            continue
        if q.answered is None:  # too few answered in that agency: counted as no one
            any_part = True
            continue
        share = q.share(form.item(qid).favourable)
        answered, low, high, any_part = answered + q.answered, low + share.low, high + share.high, True
    return Favourable(answered, low, high, threshold) if any_part else None


def practitioners(
    forms: FormRegistry,
    period: str,
    s11: Mapping[str, ReturnRecord],
    records: Sequence[ReturnRecord],
    s11_form: FormDefinition | None,
    sector_label: Callable[[str], str],
    order: Sequence[str],
) -> Practitioners | None:
    """The survey summary for ``period`` from the counted Section 11 returns (``s11``: agency -> record), or
    None when none carried survey counts."""
    carried: list[tuple[ReturnRecord, SurveyCounts, FormDefinition]] = []
    rank = {a: n for n, a in enumerate(order)}
    for agency in sorted(s11, key=lambda a: rank.get(a, len(rank))):
        r = s11[agency]
        counts = _counts(r)
        if counts is None:
            continue
        try:
            carried.append((r, counts, forms.get(counts.form_id, counts.form_version)))
        except KeyError:
            continue
    if not carried:
        return None
    form = max((f for _, _, f in carried), key=lambda f: period_key(f.version))
    threshold = max(c.threshold for _, c, _ in carried)
    parts = [(c, f) for _, c, f in carried]
    earlier_periods = sorted(
        {r.period for r in records if r.survey and period_key(r.period) < period_key(period)}, key=period_key
    )
    earlier_parts: dict[str, list[tuple[SurveyCounts, FormDefinition]]] = {}
    for r in records:
        if r.period in earlier_periods and r.survey and r.form_id == (s11_form.id if s11_form else r.form_id):
            c = _counts(r)
            if c is not None:
                try:
                    earlier_parts.setdefault(r.period, []).append((c, forms.get(c.form_id, c.form_version)))
                except KeyError:
                    continue
    questions = []
    for item in form.items():
        asked = [(c, f) for c, f in parts if c.question(item.id) is not None]
        if not asked:
            continue
        answers = []
        for option in item.options:
            known = hidden = 0
            for c, _f in asked:
                q = c.question(item.id)
                assert q is not None
                n = q.counts.get(option.id)
                if n is None:
                    hidden += 1
                else:
                    known += n
            answers.append((option.label, Tally(known, hidden, threshold)))
        answered = [q.answered for c, _ in asked if (q := c.question(item.id)) is not None]
        answered_known = sum(n for n in answered if n is not None)
        answered_hidden = sum(1 for n in answered if n is None)
        sectors: dict[str, list[tuple[SurveyCounts, FormDefinition]]] = {}
        for r, c, f in carried:
            if c.question(item.id) is not None:
                sectors.setdefault(sector_label(r.sector), []).append((c, f))
        by_sector = tuple(
            (label, fav) for label, group in sectors.items() if (fav := _favourable(group, item.id, threshold))
        )
        earlier = tuple(
            (p, fav) for p in earlier_periods if (fav := _favourable(earlier_parts.get(p, []), item.id, threshold))
        )
        questions.append(
            PractitionerQuestion(
                id=item.id,
                code=form.item_code(item.id),
                text=" ".join(item.label.split()),
                favourable_label=favourable_words(item),
                answers=tuple(answers),
                answered=Tally(answered_known, answered_hidden, threshold),
                favourable=_favourable(asked, item.id, threshold),
                by_sector=by_sector,
                earlier=earlier,
                bears_on=tuple(s11_form.item_code(s) for s in item.bears_on if s11_form and s11_form.has_item(s)),
            )
        )
    divergences = []
    for r, c, f in carried:
        try:
            assessment = forms.get(r.form_id, r.form_version)
        except KeyError:
            continue
        for p in beside_ratings(f, c, assessment, r.answers):
            if p.diverges:
                divergences.append(
                    Divergence(
                        agency=r.agency,
                        sector=sector_label(r.sector),
                        statement_code=p.statement_code,
                        standard=p.standard,
                        level=p.level_label,
                        question_code=p.question_code,
                        question=" ".join(p.question.split()),
                        share=p.share.percent_words(),
                        answered=str(p.share.answered),
                        favourable_label=p.favourable,
                    )
                )
    return Practitioners(
        survey_title=form.title,
        threshold=threshold,
        agencies=tuple(r.agency for r, _, _ in carried),
        respondents=sum(c.respondents or 0 for _, c, _ in carried),
        respondents_hidden=sum(1 for _, c, _ in carried if c.respondents is None),
        questions=tuple(questions),
        divergences=tuple(divergences),
        rule=rule_words(form),
        compared_with=tuple(earlier_periods),
    )

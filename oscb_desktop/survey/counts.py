"""A survey's answers as counts per question and answer, with small counts suppressed.

Suppression happens once, when the counts are made (:func:`suppress`), so a small count never reaches the store,
a screen, a bundle or a report. Any count under the survey's threshold (0 included) becomes ``None`` (written
``"<5"`` in JSON, "fewer than 5" in words). When exactly one count of a question is suppressed, the smallest
other count is suppressed too, since the answered total less the counts shown would give it away. When fewer
practitioners than the threshold answered a question, or the survey, nothing of it is shown but that.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from oscb_desktop.forms.model import FormDefinition, Item

#: A suppressed count, as JSON writes it: ``"<5"`` for a threshold of 5.
SUPPRESSED_PREFIX = "<"


def suppressed_text(threshold: int) -> str:
    return f"{SUPPRESSED_PREFIX}{threshold}"


def in_words(count: int | None, threshold: int) -> str:
    """``48``, or ``fewer than 5``."""
    return f"fewer than {threshold}" if count is None else str(count)


def suppress(raw: Mapping[str, int], threshold: int) -> tuple[dict[str, int | None], int | None]:
    """The counts per option as they may be shown (None: suppressed), and the answered total (None: under the
    threshold, when every count is suppressed with it)."""
    answered = sum(raw.values())
    if answered < threshold:
        return {option: None for option in raw}, None if answered else 0
    shown: dict[str, int | None] = {o: (None if n < threshold else n) for o, n in raw.items()}
    hidden = [o for o, n in shown.items() if n is None]
    if len(hidden) == 1:
        others = sorted((n, place, o) for place, (o, n) in enumerate(raw.items()) if shown[o] is not None)
        if others:
            shown[others[0][2]] = None
    return shown, answered


@dataclass(frozen=True)
class Share:
    """The part of a question's answerers who gave a favourable answer, as a range where suppression hides it."""

    answered: int | None
    #: Favourable answers certainly given, and at most (equal unless a favourable count is suppressed).
    low: int
    high: int
    options: tuple[str, ...]

    @property
    def known(self) -> bool:
        return self.answered is not None and self.answered > 0

    @property
    def low_percent(self) -> float | None:
        return 100 * self.low / self.answered if self.answered else None

    @property
    def high_percent(self) -> float | None:
        return 100 * self.high / self.answered if self.answered else None

    @property
    def exact(self) -> bool:
        return self.low == self.high

    def percent_words(self) -> str:
        """``62 %``, or ``at least 55 %`` where part of it is suppressed, or "" when too few answered."""
        if not self.known:
            return ""
        low = round(self.low_percent or 0)
        return f"{low} %" if self.exact else f"at least {low} %"


@dataclass(frozen=True)
class QuestionCounts:
    question: str
    #: Option id -> count, None where suppressed; every option of the question, in the form's order.
    counts: Mapping[str, int | None]
    #: How many answered the question (None: fewer than the threshold).
    answered: int | None

    def share(self, favourable: Sequence[str]) -> Share:
        """How many gave one of ``favourable``: exact, or bounded by what the suppressed counts can hold."""
        shown = sum(n for n in self.counts.values() if n is not None)
        hidden_total = (self.answered or 0) - shown
        low = sum(self.counts.get(o) or 0 for o in favourable)
        hides_favourable = any(o in self.counts and self.counts[o] is None for o in favourable)
        high = low + (hidden_total if hides_favourable else 0)
        return Share(answered=self.answered, low=low, high=high, options=tuple(favourable))


@dataclass(frozen=True)
class SurveyCounts:
    """One agency's survey for one period: how many responded and the counts per question, all suppressed."""

    form_id: str
    form_version: str
    period: str
    threshold: int
    #: Rows of the responses file (None: fewer than the threshold).
    respondents: int | None
    questions: tuple[QuestionCounts, ...]

    def question(self, question_id: str) -> QuestionCounts | None:
        return next((q for q in self.questions if q.question == question_id), None)

    def in_order(self, form: FormDefinition, question_id: str) -> list[tuple[str, str, int | None]]:
        """(option id, label, count) of a question in the order the survey offers its answers (stored JSON sorts
        them by id); options the counts do not know come last."""
        q = self.question(question_id)
        if q is None:
            return []
        item = form.item(question_id) if form.has_item(question_id) else None
        order = [o.id for o in item.options] if item else []
        ids = sorted(q.counts, key=lambda o: (order.index(o) if o in order else len(order), o))
        return [(o, item.option_label(o) if item else o, q.counts[o]) for o in ids]

    @classmethod
    def from_raw(cls, form: FormDefinition, respondents: int, raw: Mapping[str, Mapping[str, int]]) -> SurveyCounts:
        """Suppress exact counts (question id -> option id -> count) by the survey's threshold. Questions missing
        from ``raw`` were not asked and are left out."""
        threshold = form.survey.threshold if form.survey else 5
        questions = []
        few = respondents < threshold
        for item in form.items():
            if item.id not in raw:
                continue
            exact = {o.id: int(raw[item.id].get(o.id, 0)) for o in item.options}
            counts, answered = suppress(exact, threshold)
            if few:
                counts, answered = {o: None for o in counts}, None
            questions.append(QuestionCounts(item.id, counts, answered))
        return cls(
            form_id=form.id,
            form_version=form.version,
            period=form.period,
            threshold=threshold,
            respondents=None if few else respondents,
            questions=tuple(questions),
        )

    def to_json(self) -> dict[str, Any]:
        """The shape stored, sent in ``submission.json`` (``survey``) and printed by ``oscb survey show --json``."""
        hidden = suppressed_text(self.threshold)

        def count(n: int | None) -> int | str:
            return hidden if n is None else n

        return {
            "form": {"id": self.form_id, "version": self.form_version},
            "period": self.period,
            "threshold": self.threshold,
            "respondents": count(self.respondents),
            "questions": {
                q.question: {"answered": count(q.answered), "counts": {o: count(n) for o, n in q.counts.items()}}
                for q in self.questions
            },
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SurveyCounts:
        """From :meth:`to_json`'s shape (already checked against the schema where it came from outside)."""

        def count(value: Any) -> int | None:
            return None if isinstance(value, str) else int(value)

        return cls(
            form_id=data["form"]["id"],
            form_version=data["form"]["version"],
            period=data["period"],
            threshold=int(data["threshold"]),
            respondents=count(data["respondents"]),
            questions=tuple(
                QuestionCounts(qid, {o: count(n) for o, n in q["counts"].items()}, count(q["answered"]))
                for qid, q in data["questions"].items()
            ),
        )

    def problems(self) -> list[str]:
        """What makes these counts unsafe to keep or believe: a shown count under the threshold, counts that do
        not add up. Checked when counts arrive from outside (a bundle), since they are never recomputed."""
        found = []
        for q in self.questions:
            shown = [n for n in q.counts.values() if n is not None]
            if any(n < self.threshold for n in shown):
                found.append(f"{q.question}: a count under {self.threshold} is shown")
            if q.answered is not None and sum(shown) > q.answered:
                found.append(f"{q.question}: the counts add up to more than answered")
            if q.answered is not None and len(shown) == len(q.counts) and sum(shown) != q.answered:
                found.append(f"{q.question}: the counts do not add up to the number who answered")
            if q.answered is not None and self.respondents is not None and q.answered > self.respondents:
                found.append(f"{q.question}: more answered than responded")
        return found


def favourable_words(item: Item) -> str:
    """``Yes`` or ``Strongly agree or Agree``: the favourable answers, as the question offers them."""
    return " or ".join(item.option_label(o) for o in item.favourable)

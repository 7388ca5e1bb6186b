"""The survey beside the agency's own ratings: for each statement a question bears on, what the agency rated it
and what share of its practitioners gave a favourable answer, and whether the two diverge by the survey's rule."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from oscb_desktop.forms.model import NOT_APPLICABLE, FormDefinition
from oscb_desktop.survey.counts import Share, SurveyCounts, favourable_words, in_words


@dataclass(frozen=True)
class Beside:
    """One question's answers beside one statement's rating."""

    statement_id: str
    #: ``S5.3``, and the standard's title (``Training``).
    statement_code: str
    standard: str
    question_id: str
    question_code: str
    question: str
    #: The agency's level id and label (None / "" when not rated yet).
    level_id: str | None
    level_label: str
    share: Share
    favourable: str
    threshold: int
    diverges: bool

    @property
    def text(self) -> str:
        """``You rated Training (S5.3) Green — 62 % of 48 practitioners answered Yes to “Have you had…?”``."""
        rated = (
            f"You rated {self.standard} ({self.statement_code}) {self.level_label}"
            if self.level_label
            else f"{self.standard} ({self.statement_code}) is not rated yet"
        )
        question = f"“{' '.join(self.question.split())}”"
        if not self.share.known:
            if self.share.answered == 0:
                return f"{rated} — no practitioner answered {question}"
            return f"{rated} — fewer than {self.threshold} practitioners answered {question}"
        answered = in_words(self.share.answered, self.threshold)
        if self.share.high == 0 or (self.share.low == 0 and not self.share.exact and self.share.high < self.threshold):
            part = f"fewer than {self.threshold}"
        else:
            part = self.share.percent_words()
        return f"{rated} — {part} of {answered} practitioners answered {self.favourable} to {question}"


def beside_ratings(
    survey: FormDefinition, counts: SurveyCounts, assessment: FormDefinition, answers: Mapping[str, Any]
) -> list[Beside]:
    """Every (statement, question) pair the survey names that the self-assessment has, in the survey's order."""
    rules = survey.survey
    out = []
    for item in survey.items():
        q = counts.question(item.id)
        if q is None or not item.bears_on:
            continue
        share = q.share(item.favourable)
        for statement_id in item.bears_on:
            if not assessment.has_item(statement_id):
                continue
            statement = assessment.item(statement_id)
            value = answers.get(statement_id)
            level_id = value.get("level") if isinstance(value, dict) else None
            level = statement.scale.level(level_id) if statement.scale and level_id else None
            diverges = bool(
                rules
                and rules.divergence_below_percent is not None
                and level_id not in (None, NOT_APPLICABLE)
                and level_id in rules.divergence_ratings
                and share.known
                and (share.high_percent or 0) < rules.divergence_below_percent
            )
            out.append(
                Beside(
                    statement_id=statement_id,
                    statement_code=assessment.item_code(statement_id),
                    standard=assessment.section_of(statement_id).title,
                    question_id=item.id,
                    question_code=survey.item_code(item.id),
                    question=item.label,
                    level_id=level_id,
                    level_label=level.label if level else "",
                    share=share,
                    favourable=favourable_words(item),
                    threshold=counts.threshold,
                    diverges=diverges,
                )
            )
    return out


def rule_words(survey: FormDefinition) -> str:
    """The survey's divergence rule in words, for the screens and reports that list divergences."""
    rules = survey.survey
    if rules is None or rules.divergence_below_percent is None:
        return "The survey sets no rule for when practitioners' answers diverge from a rating."
    levels = " or ".join(level.capitalize() for level in rules.divergence_ratings)
    return (
        f"A statement diverges when it is rated {levels} and fewer than {rules.divergence_below_percent:g} % of the "
        "practitioners who answered a question bearing on it gave a favourable answer."
    )


@dataclass(frozen=True)
class SurveyView:
    """A survey's counts with what is needed to print them: its definition, and the pairs beside the ratings."""

    form: FormDefinition
    counts: SurveyCounts
    pairs: tuple[Beside, ...] = ()
    #: The survey's divergence rule in words (:func:`rule_words`).
    rule: str = ""

    @property
    def divergent(self) -> tuple[Beside, ...]:
        return tuple(p for p in self.pairs if p.diverges)

"""What the survey services return: plain frozen values, never live rows (values.py is full)."""

from __future__ import annotations

from dataclasses import dataclass

from oscb_desktop.forms.model import FormDefinition
from oscb_desktop.survey.compare import Beside
from oscb_desktop.survey.counts import SurveyCounts
from oscb_desktop.survey.responses import ColumnMapping


@dataclass(frozen=True)
class SurveyPreview:
    """What an import understood, before anything is stored: the counts (already suppressed), which column is
    which question, and what was ignored or missing. :func:`oscb_desktop.services.survey.store` keeps it."""

    agency_id: int
    agency: str
    form: FormDefinition
    counts: SurveyCounts
    file_name: str
    columns: dict[str, str]
    ignored: tuple[str, ...]
    missing: tuple[str, ...]
    mapping: ColumnMapping


@dataclass(frozen=True)
class SurveyInfo:
    """An agency's stored survey counts for a period."""

    agency_id: int
    agency: str
    form: FormDefinition
    counts: SurveyCounts
    file_name: str
    imported_at: str
    imported_by: str


@dataclass(frozen=True)
class SurveyBeside:
    """A return's statements beside its practitioners' answers (empty when there is no survey to set beside)."""

    survey: SurveyInfo | None
    pairs: tuple[Beside, ...]
    rule: str

    @property
    def divergent(self) -> tuple[Beside, ...]:
        return tuple(p for p in self.pairs if p.diverges)

    def for_statement(self, statement_id: str) -> tuple[Beside, ...]:
        return tuple(p for p in self.pairs if p.statement_id == statement_id)

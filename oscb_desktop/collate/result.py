"""What collation gives: the figures of the Business Unit's board report, as frozen plain data.

The PDF (:mod:`oscb_desktop.report.collation_pdf`), the spreadsheet
(:mod:`oscb_desktop.report.collation_xlsx`) and the GUI all show these values and work nothing out
themselves, so the three always agree. How each figure is worked out is in :data:`RULES`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from oscb_desktop.collate.practitioners import Practitioners
from oscb_desktop.forms.known import ENABLERS, PRESSURES
from oscb_desktop.forms.model import NOT_APPLICABLE, Level, Scale

#: A standard's change against the agency's previous return.
IMPROVED, SAME, DECLINED = "improved", "same", "declined"

#: How the figures are worked out, in the words the report prints (title, rule).
RULES: tuple[tuple[str, str], ...] = (
    (
        "Which returns count",
        "The newest version of each agency's return of each form for the period. Earlier versions, "
        "superseded by a reopened and re-signed return, are left out. Of two returns with the same version "
        "number, the one made on the newer version of the form counts; on the same form version, the one "
        "received last. The Cycle tab applies the same rule.",
    ),
    (
        "On time",
        "A return is on time when it was signed off on or before the deadline of the form version it was "
        "made on (the date of the signature, which the agency's key vouches for); a form version without a "
        "deadline takes that of the period's newest version of the form. A return without a signing time "
        "counts by the date the Business Unit received it. The Cycle tab marks a return overdue by the "
        "same rule.",
    ),
    (
        "Challenged",
        "An agency is challenged when the Business Unit marked one of its returns as having issues, or "
        "when a moderated rating (of a standard or of a statement) differs from the agency's own.",
    ),
    (
        "Mean score",
        "The average of the percentages of the levels given (Blue 100%, Green 75%, Amber 50%, Red 25% on "
        "the Oxfordshire scale). Statements rated Not applicable, and statements left unrated, are left out.",
    ),
    (
        "Green or better",
        "The share of rated statements (Not applicable left out) at a level whose percentage is at least "
        "that of Green.",
    ),
    (
        "An agency's level for a standard",
        "The mean of the agency's statement percentages in the standard, mapped to the nearest level of "
        "the scale; exactly half way between two levels gives the lower one. A standard whose statements "
        "are all Not applicable shows N/A. The matrix, the spreadsheet and the app all use this rule.",
    ),
    (
        "Moderated level",
        "A moderated rating given to a standard applies to each of its statements, unless a statement "
        "has a moderated rating of its own, which then wins. The moderated level of the standard is the "
        "mean of those statement percentages, mapped to the nearest level as above.",
    ),
    (
        "Gap between self and moderated",
        "Over the agencies whose standard was moderated: their mean self-rated percentage minus their "
        "mean moderated percentage, each agency counting once. A positive gap means agencies rated "
        "themselves higher than the moderators did.",
    ),
    (
        "Year on year",
        "An agency's level for a standard compared with its level in its latest earlier return (standards "
        "are matched by their id across form versions). A higher level is improved, a lower one declined; "
        "the same level is the same, even if its mean percentage moved within the level (the change of the "
        "mean is shown beside it in points). A standard not rated in both years is not compared.",
    ),
    (
        "Pressures and what would make it easier",
        "Each ranked answer scores points for its category: with three ranks, rank 1 scores 3, rank 2 "
        "scores 2 and rank 3 scores 1. Categories are ordered by points, then by how many agencies named "
        "them.",
    ),
    (
        "Open and overdue actions",
        "An action is open unless its status is Complete; an open action is overdue when its due date "
        "is before the date of this report.",
    ),
)


@dataclass(frozen=True)
class FormReturns:
    """How many agencies returned one form for the period, and when."""

    form_id: str
    title: str
    deadline: date | None
    returned: tuple[str, ...]
    on_time: tuple[str, ...]
    late: tuple[str, ...]
    #: Returned, but neither signed nor received at a known time.
    time_unknown: tuple[str, ...]
    #: Registered agencies without a return of this form.
    not_received: tuple[str, ...]
    #: What the form is (:data:`oscb_desktop.forms.known.KINDS`), or None for a form the report does not count.
    kind: str | None = None


@dataclass(frozen=True)
class Challenge:
    agency: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Headline:
    registered: int
    forms: tuple[FormReturns, ...]
    challenged: tuple[Challenge, ...]
    #: Registered agencies with no return of any form for the period.
    not_received: tuple[str, ...]

    def form(self, form_id: str) -> FormReturns | None:
        return next((f for f in self.forms if f.form_id == form_id), None)

    def form_of_kind(self, kind: str) -> FormReturns | None:
        """The first form of a kind (``self_assessment``...): what to show without knowing the form's id."""
        return next((f for f in self.forms if f.kind == kind), None)


@dataclass(frozen=True)
class YearOnYear:
    improved: int = 0
    same: int = 0
    declined: int = 0
    #: Agencies with a return this period whose standard could not be compared (no earlier rating).
    not_compared: int = 0


@dataclass(frozen=True)
class StatementSummary:
    id: str
    label: str
    #: Level id (``na`` included) -> number of agencies giving it.
    counts: Mapping[str, int]
    unanswered: int
    mean: float | None


@dataclass(frozen=True)
class StandardSummary:
    """One standard (a Section 11 section with rated statements) across all agencies."""

    id: str
    #: "S1", "S2"...: the standard's place among the rated sections of the form.
    code: str
    title: str
    scale: Scale
    statements: tuple[StatementSummary, ...]
    #: Level id (``na`` included) -> number of statement ratings at that level, over all agencies.
    counts: Mapping[str, int]
    unanswered: int
    #: Ratings other than Not applicable.
    rated: int
    #: Of those, at a level at least as good as Green (see :attr:`good_label`).
    good: int
    good_label: str
    #: Mean percentage over rated statements.
    mean: float | None
    #: Agencies that rated at least one statement of this standard.
    agencies_rated: int
    moderated_agencies: int
    #: Over the moderated agencies: mean self percentage, mean moderated percentage, and self minus moderated.
    self_mean_moderated: float | None
    moderated_mean: float | None
    gap: float | None
    year_on_year: YearOnYear
    actions: int = 0
    open_actions: int = 0
    overdue_actions: int = 0

    @property
    def good_share(self) -> float | None:
        return self.good / self.rated if self.rated else None

    @property
    def na(self) -> int:
        return self.counts.get(NOT_APPLICABLE, 0)


@dataclass(frozen=True)
class MatrixCell:
    standard_id: str
    #: The agency's level for the standard (see :data:`RULES`); the scale's N/A level if all N/A; None if unrated.
    self_level: Level | None
    self_mean: float | None
    moderated_level: Level | None = None
    moderated_mean: float | None = None
    #: improved / same / declined against :attr:`previous_period`, or None when not compared.
    change: str | None = None
    previous_mean: float | None = None
    previous_period: str | None = None

    @property
    def points_change(self) -> float | None:
        """The change of the mean percentage since :attr:`previous_period`, in points (None when not compared)."""
        if self.self_mean is None or self.previous_mean is None:
            return None
        return self.self_mean - self.previous_mean

    @property
    def moderated_differs(self) -> bool:
        return self.moderated_level is not None and (
            self.self_level is None or self.moderated_level.id != self.self_level.id
        )


@dataclass(frozen=True)
class MatrixRow:
    agency: str
    sector: str
    sector_label: str
    #: False: no Section 11 return for the period (every cell is empty).
    returned: bool
    cells: tuple[MatrixCell, ...]
    challenged: bool = False

    def cell(self, standard_id: str) -> MatrixCell | None:
        return next((c for c in self.cells if c.standard_id == standard_id), None)


@dataclass(frozen=True)
class StatementRating:
    """One agency's rating of one statement: a row of the spreadsheet's Ratings sheet."""

    agency: str
    sector: str
    sector_label: str
    period: str
    form_id: str
    form_version: str
    standard_id: str
    standard_title: str
    statement_id: str
    statement: str
    self_level: Level | None
    moderated_level: Level | None
    #: The codes the agency's form gives the standard and the statement ("S3", "S3.2"), as its editor and its
    #: signed PDF print them.
    standard_code: str = ""
    statement_code: str = ""


@dataclass(frozen=True)
class ActionRow:
    agency: str
    sector_label: str
    standard_id: str
    standard_code: str
    standard_title: str
    item_id: str
    action: str
    lead: str
    due: date | None
    #: The due date as the agency typed it, when it is not a real date.
    due_text: str
    status: str
    status_label: str
    open: bool
    overdue: bool


@dataclass(frozen=True)
class Quote:
    agency: str
    text: str
    rank: int | None = None
    sector_label: str = ""


@dataclass(frozen=True)
class RankedTheme:
    category: str
    label: str
    #: Rank-weighted: rank 1 of n scores n points, rank n scores 1.
    points: int
    #: How many agencies named this category (at any rank).
    agencies: int
    #: How many named it as their rank 1.
    first: int
    quotes: tuple[Quote, ...]


@dataclass(frozen=True)
class RankedQuestion:
    item_id: str
    label: str
    ranks: int
    #: Agencies that answered the question.
    respondents: int
    #: Every category named, most points first.
    themes: tuple[RankedTheme, ...]
    #: The item's role in the form (``pressures``, ``enablers``), or None for a ranked question without one.
    role: str | None = None

    def top(self, n: int = 3) -> tuple[RankedTheme, ...]:
        return self.themes[:n]


@dataclass(frozen=True)
class RankedAnswer:
    """One ranked answer: a row of the spreadsheet's Impact sheet."""

    agency: str
    sector_label: str
    item_id: str
    question: str
    rank: int
    category: str
    category_label: str
    text: str


@dataclass(frozen=True)
class ThemeCount:
    id: str
    label: str
    agencies: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.agencies)


@dataclass(frozen=True)
class ServiceChange:
    agency: str
    change: str
    when: str
    impact: str
    affects: str


@dataclass(frozen=True)
class Risk:
    agency: str
    risk: str
    likelihood: str
    mitigation: str


@dataclass(frozen=True)
class ImpactSummary:
    returned: int = 0
    ranked: tuple[RankedQuestion, ...] = ()
    answers: tuple[RankedAnswer, ...] = ()
    improvement_areas: tuple[Quote, ...] = ()
    improvement_themes: tuple[ThemeCount, ...] = ()
    service_changes: tuple[ServiceChange, ...] = ()
    #: Risks of agencies that asked for escalation to the board.
    risks: tuple[Risk, ...] = ()
    #: Agencies that asked for risks to be escalated.
    escalating: tuple[str, ...] = ()

    def question(self, item_id: str) -> RankedQuestion | None:
        return next((q for q in self.ranked if q.item_id == item_id), None)

    def with_role(self, role: str) -> RankedQuestion | None:
        return next((q for q in self.ranked if q.role == role), None)

    @property
    def pressures(self) -> RankedQuestion | None:
        return self.with_role(PRESSURES)

    @property
    def enablers(self) -> RankedQuestion | None:
        return self.with_role(ENABLERS)


@dataclass(frozen=True)
class ReviewNote:
    """A challenge-event note of the Business Unit's on a return: on the whole return, a section or a statement."""

    #: "" for the return as a whole, else the id of the section or item the note is about.
    target: str
    #: The section the note belongs under: the target itself, the statement's section, or "" for the whole return.
    section_id: str
    #: What the note is about, in words: "The return as a whole", "S1 Senior management...", "s1.2 The agency...".
    label: str
    text: str


@dataclass(frozen=True)
class ReturnReceived:
    """The newest received version of one agency's return of one form for the period, with the review."""

    agency: str
    form_id: str
    form_title: str
    form_version: str
    version: int
    submission_id: str
    signed_at: str | None
    received_at: str | None
    #: Signed (or received) by the form's deadline: True, False, or None when the time is not known.
    on_time: bool | None
    #: received | has_issues | accepted
    review_status: str
    review_notes: str
    #: Whole-return note first, then in the order of the form.
    challenge_notes: tuple[ReviewNote, ...] = ()
    #: The moderated ratings as the Business Unit gave them: section or item id -> level id.
    moderated: Mapping[str, str] = field(default_factory=dict)
    #: What the form is (:data:`oscb_desktop.forms.known.KINDS`), or None.
    form_kind: str | None = None


@dataclass(frozen=True)
class Collation:
    period: str
    partnership: str
    #: The date actions are judged overdue against.
    as_of: date
    #: ISO time (UTC) the collation was made.
    generated_at: str
    headline: Headline
    standards: tuple[StandardSummary, ...]
    matrix: tuple[MatrixRow, ...]
    ratings: tuple[StatementRating, ...]
    actions: tuple[ActionRow, ...]
    impact: ImpactSummary
    #: The scale of the first standard, for keys and legends (None when there are no standards).
    scale: Scale | None = None
    #: Form (id, version) the standards come from: the newest self-assessment of the period.
    section11_form: tuple[str, str] | None = None
    #: Earlier periods the year-on-year comparison used.
    compared_with: tuple[str, ...] = ()
    #: Things the Business Unit should know about the data (an unknown form version, an unknown level...).
    notes: tuple[str, ...] = field(default=())
    #: Every return received for the period (newest versions), by agency then form, with the review.
    returns: tuple[ReturnReceived, ...] = ()
    #: The Business Unit officer agencies contact (name, email, phone), from the partnership's profile.
    contact: tuple[str, str, str] = ("", "", "")
    #: The name of the Business Unit officer who made this collation (signs the feedback letters).
    officer: str = ""
    #: What practitioners said: the survey counts the Section 11 returns carried (None: none carried any).
    practitioners: Practitioners | None = None

    def standard(self, standard_id: str) -> StandardSummary:
        return next(s for s in self.standards if s.id == standard_id)

    def returns_of(self, agency: str) -> tuple[ReturnReceived, ...]:
        return tuple(r for r in self.returns if r.agency == agency)

    @property
    def open_actions(self) -> tuple[ActionRow, ...]:
        return tuple(a for a in self.actions if a.open)

    @property
    def overdue_actions(self) -> tuple[ActionRow, ...]:
        return tuple(a for a in self.actions if a.overdue)

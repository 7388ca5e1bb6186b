"""Collation: the returns the Business Unit has received, counted for the board's assurance report.

Plain Python over plain data (no store, no Qt): :func:`collate` turns a :class:`CollationInput` into a
:class:`Collation`, which :mod:`oscb_desktop.report.collation_pdf`, :mod:`oscb_desktop.report.collation_xlsx`
and the GUI present without working anything out again.

The modules: :mod:`.model` (what goes in), :mod:`.result` (what comes out), :mod:`.compute` (the Section 11
self-assessment and the headline), :mod:`.impact` (the impact assessment), :mod:`.levels` (ratings on a
scale) and :mod:`.records` (which version of a return counts and whether it was on time: the rules the
Business Unit's Cycle tab shares).
"""

from oscb_desktop.collate.compute import collate
from oscb_desktop.collate.levels import good_levels, nearest_level
from oscb_desktop.collate.model import CollationInput, RegisteredAgency, ReturnRecord
from oscb_desktop.collate.result import (
    DECLINED,
    IMPROVED,
    RULES,
    SAME,
    ActionRow,
    Challenge,
    Collation,
    FormReturns,
    Headline,
    ImpactSummary,
    MatrixCell,
    MatrixRow,
    Quote,
    RankedAnswer,
    RankedQuestion,
    RankedTheme,
    Risk,
    ServiceChange,
    StandardSummary,
    StatementRating,
    StatementSummary,
    ThemeCount,
    YearOnYear,
)

__all__ = [
    "DECLINED",
    "IMPROVED",
    "RULES",
    "SAME",
    "ActionRow",
    "Challenge",
    "Collation",
    "CollationInput",
    "FormReturns",
    "Headline",
    "ImpactSummary",
    "MatrixCell",
    "MatrixRow",
    "Quote",
    "RankedAnswer",
    "RankedQuestion",
    "RankedTheme",
    "RegisteredAgency",
    "ReturnRecord",
    "Risk",
    "ServiceChange",
    "StandardSummary",
    "StatementRating",
    "StatementSummary",
    "ThemeCount",
    "YearOnYear",
    "collate",
    "good_levels",
    "nearest_level",
]

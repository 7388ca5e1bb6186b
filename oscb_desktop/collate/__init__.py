"""Collation: the returns the Business Unit has received, counted for the board's assurance report.

Plain Python over plain data (no store, no Qt): :func:`collate` turns a :class:`CollationInput` into a
:class:`Collation`, which :mod:`oscb_desktop.report.collation_pdf`, :mod:`oscb_desktop.report.collation_xlsx`
and the GUI present without working anything out again.
"""

from oscb_desktop.collate.compute import collate, good_levels, nearest_level
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

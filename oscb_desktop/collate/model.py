"""What collation works on: the returns the Business Unit has received, as plain data (no store, no Qt).

:func:`oscb_desktop.services.review.collation_input` builds a :class:`CollationInput` from a Business Unit
workspace; tests build one straight from bundles' ``submission.json``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from oscb_desktop.forms import FormRegistry


@dataclass(frozen=True)
class ReturnRecord:
    """One received version of an agency's return of one form for one period (:func:`collate` counts the newest:
    see :mod:`oscb_desktop.collate.records`)."""

    agency: str
    #: Sector id (``local_authority``, ``health``...); labels are in :attr:`CollationInput.sector_labels`.
    sector: str
    form_id: str
    form_version: str
    period: str
    version: int
    submission_id: str
    #: ``submission.json`` answers, keyed by the form's item ids.
    answers: Mapping[str, Any]
    signed_at: str | None = None
    #: When the Business Unit imported it (ISO time, UTC).
    received_at: str | None = None
    #: received | has_issues | accepted
    review_status: str = "received"
    review_notes: str = ""
    #: The Business Unit's moderated ratings: section id (a standard) or item id (a statement) -> level id.
    moderated: Mapping[str, str] = field(default_factory=dict)
    #: Challenge-event notes per section id ("" for the return as a whole).
    challenge_notes: Mapping[str, str] = field(default_factory=dict)
    #: The practitioner survey counts the return carried (``submission.json``'s ``survey``), if any.
    survey: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class RegisteredAgency:
    name: str
    sector: str
    contact: str = ""


@dataclass(frozen=True)
class CollationInput:
    #: The period being reported on, e.g. ``2026/27``.
    period: str
    forms: FormRegistry
    #: Every received return of every period (earlier periods give the year-on-year comparison).
    returns: Sequence[ReturnRecord]
    #: Every agency on the register (those without a return show as "not received").
    agencies: Sequence[RegisteredAgency]
    sector_labels: Mapping[str, str] = field(default_factory=dict)
    partnership: str = ""
    #: The Business Unit officer agencies contact (name, email, phone).
    contact: tuple[str, str, str] = ("", "", "")
    #: Who makes the collation (their name, not their login): signs the feedback letters.
    officer: str = ""

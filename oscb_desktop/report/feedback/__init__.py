"""Feedback to one agency on its returns for a period: a short A4 letter from the partnership's Business Unit.

Made from a :class:`~oscb_desktop.collate.Collation` (and nothing else but, optionally, the signatories, which
the collation does not carry), so that it says exactly what the board report and the spreadsheet say about
the agency: the returns received and their review, the agency's own rating of each standard beside the
moderated one (:mod:`.ratings`), the statements the Business Unit rated differently, the challenge-event
notes, and the agency's open actions with the overdue ones marked (:mod:`.letter`). In the house style
(:mod:`oscb_desktop.report.house`): embedded DejaVu fonts, a running header and footer, "Page N of M", and
every rating in words as well as colour.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import date

from reportlab.platypus import Flowable, NextPageTemplate

from oscb_desktop.collate.result import Collation
from oscb_desktop.fsutil import safe_stem
from oscb_desktop.report import fonts
from oscb_desktop.report.feedback.letter import (
    Letter,
    actions,
    closing,
    notes,
    nothing_received,
    opening,
    required,
    returns,
    summary,
)
from oscb_desktop.report.feedback.ratings import ratings
from oscb_desktop.report.feedback.template import LetterStyles, letter_template
from oscb_desktop.report.house.text import clean

__all__ = ["feedback_file_name", "render_feedback_pdf"]


def feedback_file_name(agency: str, period: str) -> str:
    """``Feedback_<agency>_<period>.pdf``, with only letters, digits and hyphens in the parts."""
    return f"Feedback_{safe_stem(agency) or 'agency'}_{safe_stem(period) or 'period'}.pdf"


def render_feedback_pdf(
    c: Collation,
    agency: str,
    *,
    signatories: Mapping[str, tuple[str, str]] | None = None,
    required_actions: Sequence[tuple[str, str, date | None]] = (),
) -> bytes:
    """The Business Unit's feedback to ``agency`` on its returns for ``c.period``, as A4 PDF bytes.

    ``signatories`` maps a form id to the (name, role) that signed the agency's return of it; the
    collation does not carry them, so they are shown only when given. An agency with no return for
    the period gets a one-page letter saying so. A name that is neither on the register nor on a
    return raises :class:`ValueError`.
    """
    known = {row.agency for row in c.matrix} | {r.agency for r in c.returns}
    if agency not in known:
        raise ValueError(
            f"There is no agency called “{clean(agency)}” on the register, and no return from it for "
            f"{clean(c.period)}. Check the name's spelling against the register."
        )
    fonts.register_fonts()
    x = dataclasses.replace(Letter.of(c, agency, LetterStyles(), signatories or {}), required=tuple(required_actions))
    story: list[Flowable] = [NextPageTemplate("body"), *opening(x)]
    if not x.returns:
        story += nothing_received(x)
    else:
        for part in (returns, summary, notes, ratings, required, actions, closing):
            story += part(x)
    return letter_template(c, agency).render(story)

"""The rules about received returns that the board report and the Business Unit's Cycle tab share.

* Which received version of an agency's return of a form for a period counts (:func:`newest_by`,
  :func:`newest_records`): the highest version; between equal versions the one on the newer form version
  (:func:`~oscb_desktop.forms.versions.version_key`); then the one received last.
* Whether a return was on time (:func:`on_time`): made (signed, else received; as a UTC date) on or before the
  deadline of the return's own form version (:func:`deadline_for`).

Both live here, in plain Python over plain values, so that ``services.review.cycle`` and :func:`collate` cannot
disagree about the same return. No store, no Qt.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from oscb_desktop.collate.model import ReturnRecord
from oscb_desktop.forms.model import FormDefinition
from oscb_desktop.forms.versions import VersionKey, version_key

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)

#: Reporting periods sort like versions: "2025/26" before "2026/27".
period_key = version_key

_NEVER = datetime.min.replace(tzinfo=UTC)


def moment(stamp: str | None) -> datetime | None:
    """An ISO time as an aware UTC datetime (a time without an offset is taken as UTC); None if not a time."""
    if not stamp:
        return None
    try:
        when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.astimezone(UTC) if when.tzinfo is not None else when.replace(tzinfo=UTC)


# Which version counts -----------------------------------------------------------------------------------


def version_rank(version: int, form_version: str, received_at: str | None) -> tuple[int, VersionKey, datetime]:
    """Orders the received versions of one return, the one that counts last: the return's version, then its
    form version, then when it was received (unknown counts as earliest)."""
    return version, version_key(form_version), moment(received_at) or _NEVER


def newest_by(items: Iterable[T], group: Callable[[T], K], rank: Callable[[T], Any]) -> dict[K, T]:
    """The item of highest ``rank`` in each ``group``, groups in the order first met; on a tie the first wins."""
    best: dict[K, T] = {}
    for item in items:
        key = group(item)
        old = best.get(key)
        if old is None or rank(item) > rank(old):
            best[key] = item
    return best


def newest_records(records: Iterable[ReturnRecord]) -> list[ReturnRecord]:
    """Only the version that counts of each (agency, form, period): see :func:`version_rank`."""
    return list(
        newest_by(
            records,
            lambda r: (r.agency, r.form_id, r.period),
            lambda r: version_rank(r.version, r.form_version, r.received_at),
        ).values()
    )


# On time or late ----------------------------------------------------------------------------------------


def made_on(signed_at: str | None, received_at: str | None) -> date | None:
    """When a return was made: the UTC date of its signing, else of its receipt; None when neither is known."""
    for stamp in (signed_at, received_at):
        when = moment(stamp)
        if when is not None:
            return when.date()
    return None


def deadline_for(own: FormDefinition | None, period_form: FormDefinition | None) -> date | None:
    """The deadline a return is held to: that of the form version it was made on.

    A form version without a deadline holds its returns to the deadline of ``period_form``, the newest version
    of the same form for the period (the date the Business Unit set for the cycle); when neither has one there
    is no deadline and the return is on time whenever it came.
    """
    if own is not None and own.deadline is not None:
        return own.deadline
    return period_form.deadline if period_form is not None else None


def on_time(signed_at: str | None, received_at: str | None, deadline: date | None) -> bool | None:
    """True when made on or before ``deadline`` (or there is none), False when after, None when not known when."""
    made = made_on(signed_at, received_at)
    if made is None:
        return None
    return deadline is None or made <= deadline


# Answer values --------------------------------------------------------------------------------------------


def answer_text(value: Any) -> str:
    """An answer (or a table cell) as trimmed text; nothing is ""."""
    if value is None:
        return ""
    return (value if isinstance(value, str) else str(value)).strip()


def answer_date(value: Any) -> date | None:
    """A date answer (``YYYY-MM-DD``, anything after the tenth character ignored), or None if not a real date."""
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None

"""Dates and times as people read them, in one place for every screen and document.

Times are stored as UTC ISO text (``2026-11-22T14:18:03.120Z``); dates as ISO dates (``2027-03-31``). These
helpers never raise on bad text: something that is not a date is shown as it was written.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any


def parse_moment(value: str | datetime | None) -> datetime | None:
    """An aware datetime from stored text (a time without a zone is taken as UTC), or None."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_day(value: Any) -> date | None:
    """A date from a date, a datetime or ISO text (only its first ten characters count), or None."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def day_long(value: Any) -> str:
    """``22 November 2026``; empty for nothing, the text itself if it is not a date."""
    d = parse_day(value)
    return f"{d.day} {d:%B %Y}" if d else ("" if not value else str(value))


def day_short(value: Any) -> str:
    """``14 Mar 2027``; empty for nothing, the text itself if it is not a date."""
    d = parse_day(value)
    return f"{d.day} {d:%b %Y}" if d else ("" if not value else str(value))


def zone_name(moment: datetime) -> str:
    """The zone of a local time as people say it (``GMT``, ``BST``); ``UTC+01:00`` where it has no name."""
    name = moment.tzname() or ""
    if name and not name.startswith(("+", "-")):
        return name
    offset = moment.strftime("%z")
    return "UTC" if offset in ("", "+0000") else f"UTC{offset[:3]}:{offset[3:5]}"


def local_moment(value: str | datetime | None) -> str:
    """``22 November 2026 at 14:18 GMT`` in this computer's local time, with its zone; the text itself if it is
    not a time. (Times are stored in UTC; people read them in their own time.)"""
    moment = parse_moment(value)
    if moment is None:
        return "" if not value else str(value)
    local = moment.astimezone()
    return f"{local.day} {local:%B %Y} at {local:%H:%M} {zone_name(local)}"


def local_day(value: str | datetime | None) -> str:
    """``22 November 2026``: the local day of a stored time."""
    moment = parse_moment(value)
    if moment is None:
        return day_long(value)
    local = moment.astimezone()
    return f"{local.day} {local:%B %Y}"


def moment_with_zone(value: str | None) -> str:
    """``14 Feb 2027, 10:29 GMT``: a stored time in this computer's local time with its zone, as documents
    print it (the document is made where the person who reads it first is)."""
    if not value:
        return ""
    moment = parse_moment(value)
    if moment is None:
        return str(value)
    local = moment.astimezone()
    return f"{local.day} {local:%b %Y}, {local:%H:%M} {zone_name(local)}"

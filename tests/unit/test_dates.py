"""Times are stored in UTC and read in the local time of the computer, with the zone named."""

from __future__ import annotations

import os
import time

import pytest

from oscb_desktop import dates


@pytest.fixture
def london(monkeypatch: pytest.MonkeyPatch):
    if not hasattr(time, "tzset"):
        pytest.skip("time zones can only be switched on POSIX")
    monkeypatch.setenv("TZ", "Europe/London")
    time.tzset()
    yield
    monkeypatch.delenv("TZ")
    time.tzset()


def test_a_summer_time_is_shown_in_british_summer_time(london) -> None:
    assert dates.local_moment("2026-07-01T12:30:00.000Z") == "1 July 2026 at 13:30 BST"
    assert dates.moment_with_zone("2026-07-01T12:30:00Z") == "1 Jul 2026, 13:30 BST"


def test_a_winter_time_is_shown_in_gmt(london) -> None:
    assert dates.local_moment("2026-12-01T09:05:00.000Z") == "1 December 2026 at 09:05 GMT"
    assert dates.local_day("2026-12-31T23:30:00Z") == "31 December 2026"


def test_text_that_is_not_a_time_is_shown_as_written() -> None:
    assert dates.local_moment("sometime") == "sometime"
    assert dates.moment_with_zone("") == "" and dates.day_short(None) == ""
    assert dates.day_short("2027-03-31") == "31 Mar 2027" and dates.day_long("2027-03-31") == "31 March 2027"


def test_a_zone_without_a_name_is_shown_as_an_offset(monkeypatch: pytest.MonkeyPatch) -> None:
    if not hasattr(time, "tzset"):
        pytest.skip("time zones can only be switched on POSIX")
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    try:
        text = dates.moment_with_zone("2026-07-01T12:00:00Z")
        assert text.startswith("1 Jul 2026, 17:30 ") and text.split()[-1] in ("IST", "UTC+05:30")
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert os.environ.get("TZ") is None

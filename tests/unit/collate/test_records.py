"""The rules the board report and the Cycle tab share: which received version counts, and on time or late."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from oscb_desktop.collate import CollationInput, RegisteredAgency, ReturnRecord, collate
from oscb_desktop.collate.records import deadline_for, made_on, newest_records, on_time, version_rank
from oscb_desktop.forms import FormDefinition, FormRegistry
from oscb_desktop.forms.loader import load_data

PERIOD = "2026/27"


def section11_version(shipped: FormRegistry, version: str, deadline: str | None) -> FormDefinition:
    """The shipped Section 11 2026/27 form as another version of the same period, with its own deadline."""
    source = shipped.get("section11", "2026.1").source
    data = yaml.safe_load(Path(source).read_text(encoding="utf-8"))
    data["version"] = version
    data.pop("deadline")
    if deadline is not None:
        data["deadline"] = deadline
    return load_data(data, f"{source} as {version}")


@pytest.fixture(scope="module")
def forms(shipped_forms: FormRegistry) -> FormRegistry:
    """Section 11 for 2026/27 in three versions: 2026.1 due 31 March, 2026.2 without a deadline, and 2026.3
    (the newest) due 31 January."""
    extra = [section11_version(shipped_forms, "2026.2", None), section11_version(shipped_forms, "2026.3", "2027-01-31")]
    return FormRegistry(forms={**shipped_forms.forms, **{f.key: f for f in extra}})


def record(agency: str, **kw: Any) -> ReturnRecord:
    values: dict[str, Any] = {
        "sector": "health",
        "form_id": "section11",
        "form_version": "2026.1",
        "period": PERIOD,
        "version": 1,
        "submission_id": agency,
        "answers": {},
        "signed_at": "2027-02-14T10:00:00Z",
    }
    values.update(kw)
    return ReturnRecord(agency=agency, **values)


# --- Which version counts ----------------------------------------------------------------------------


def test_the_highest_version_counts_whatever_its_form_version() -> None:
    old = record("A", version=1, form_version="2026.3", submission_id="v1")
    new = record("A", version=2, form_version="2026.1", submission_id="v2")
    assert newest_records([old, new]) == [new]
    assert newest_records([new, old]) == [new]


def test_equal_versions_go_by_form_version_then_by_time_received() -> None:
    on_old_form = record("A", form_version="2026.1", submission_id="a", received_at="2027-03-01T09:00:00Z")
    on_new_form = record("A", form_version="2026.10", submission_id="b", received_at="2027-02-01T09:00:00Z")
    assert newest_records([on_new_form, on_old_form]) == [on_new_form]
    assert newest_records([on_old_form, on_new_form]) == [on_new_form]  # 2026.10 is newer than 2026.1
    first = record("A", submission_id="c", received_at="2027-02-01T09:00:00Z")
    later = record("A", submission_id="d", received_at="2027-02-01T10:00:00+00:00")
    unknown = record("A", submission_id="e", received_at=None)
    assert newest_records([later, first, unknown]) == [later]
    assert newest_records([unknown, first]) == [first]


def test_each_return_counts_once_per_agency_form_and_period() -> None:
    rows = [
        record("A"),
        record("A", period="2025/26", form_version="2025.1"),
        record("A", form_id="impact"),
        record("B"),
        record("A", version=2, submission_id="A2"),
    ]
    assert [(r.agency, r.form_id, r.period, r.version) for r in newest_records(rows)] == [
        ("A", "section11", PERIOD, 2),
        ("A", "section11", "2025/26", 1),
        ("A", "impact", PERIOD, 1),
        ("B", "section11", PERIOD, 1),
    ]


def test_version_rank_orders_any_form_version_text() -> None:
    assert version_rank(1, "2026.1", None) < version_rank(1, "2026.1a", None) < version_rank(1, "2026.2", None)
    assert version_rank(1, "not a version", "not a time") < version_rank(2, "", None)


# --- On time or late ---------------------------------------------------------------------------------


def test_made_on_is_the_utc_date_of_signing_else_of_receipt() -> None:
    assert made_on("2027-03-31T23:30:00-01:00", None) == date(2027, 4, 1)
    assert made_on("2027-04-01T00:30:00+01:00", None) == date(2027, 3, 31)
    assert made_on("2027-03-31T12:00:00", None) == date(2027, 3, 31)  # no offset: taken as UTC
    assert made_on(None, "2027-02-01T09:00:00Z") == date(2027, 2, 1)
    assert made_on("garbled", "2027-02-01T09:00:00Z") == date(2027, 2, 1)
    assert made_on(None, None) is None and made_on("", "garbled") is None


def test_a_return_is_held_to_its_own_form_versions_deadline(forms: FormRegistry) -> None:
    v1, v2, v3 = (forms.get("section11", v) for v in ("2026.1", "2026.2", "2026.3"))
    assert deadline_for(v1, v3) == date(2027, 3, 31)
    assert deadline_for(v2, v3) == date(2027, 1, 31), "a version without a deadline takes the period's"
    assert deadline_for(v2, v2) is None and deadline_for(None, None) is None
    assert deadline_for(None, v3) == date(2027, 1, 31)
    assert on_time("2027-03-31T23:59:59Z", None, date(2027, 3, 31)) is True
    assert on_time("2027-04-01T00:00:00Z", None, date(2027, 3, 31)) is False
    assert on_time("2030-01-01T00:00:00Z", None, None) is True, "no deadline: never late"
    assert on_time(None, None, date(2027, 3, 31)) is None


def test_collation_uses_the_deadline_of_each_returns_form_version(forms: FormRegistry) -> None:
    returns = [
        record("A", form_version="2026.1"),  # 14 Feb, due 31 March: on time
        record("B", form_version="2026.2"),  # 14 Feb, no deadline of its own, the period's is 31 Jan: late
        record("C", form_version="2026.3"),  # 14 Feb, due 31 January: late
        record("D", form_version="2026.3", signed_at="2027-01-31T18:00:00Z"),
    ]
    inp = CollationInput(PERIOD, forms, returns, [RegisteredAgency(n, "health") for n in "ABCD"])
    c = collate(inp, as_of=date(2027, 5, 1))
    f = c.headline.form("section11")
    assert f is not None and f.deadline == date(2027, 1, 31) and f.kind == "self_assessment"
    assert (f.on_time, f.late, f.time_unknown) == (("A", "D"), ("B", "C"), ())
    assert {r.agency: r.on_time for r in c.returns} == {"A": True, "B": False, "C": False, "D": True}
    assert c.section11_form == ("section11", "2026.3")

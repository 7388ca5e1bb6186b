"""Counts under the threshold are never shown, and cannot be worked out from those that are."""

from __future__ import annotations

import itertools

import pytest

from oscb_desktop.forms.loader import FormRegistry
from oscb_desktop.survey.counts import QuestionCounts, SurveyCounts, suppress


def test_small_counts_are_suppressed_and_the_next_smallest_with_a_lone_one() -> None:
    shown, answered = suppress({"yes": 40, "no": 3, "not_sure": 7}, 5)
    assert answered == 50
    assert shown == {"yes": 40, "no": None, "not_sure": None}
    shown, _ = suppress({"yes": 40, "no": 2, "not_sure": 1}, 5)
    assert shown == {"yes": 40, "no": None, "not_sure": None}
    shown, _ = suppress({"yes": 30, "no": 12, "not_sure": 6}, 5)
    assert shown == {"yes": 30, "no": 12, "not_sure": 6}


def test_a_zero_is_under_the_threshold_too() -> None:
    shown, answered = suppress({"yes": 20, "no": 0, "not_sure": 9}, 5)
    assert shown == {"yes": 20, "no": None, "not_sure": None} and answered == 29


def test_too_few_answering_hides_everything() -> None:
    assert suppress({"yes": 3, "no": 1}, 5) == ({"yes": None, "no": None}, None)
    assert suppress({"yes": 0, "no": 0}, 5) == ({"yes": None, "no": None}, 0)


@pytest.mark.parametrize("threshold", [3, 5, 10])
def test_no_suppressed_count_can_be_worked_out_from_the_total(threshold: int) -> None:
    for raw in itertools.product(range(0, 14, 3), repeat=3):
        counts = dict(zip(("a", "b", "c"), raw, strict=True))
        shown, answered = suppress(counts, threshold)
        hidden = [o for o, n in shown.items() if n is None]
        assert all(n is None or n >= threshold for n in shown.values())
        assert len(hidden) != 1, (counts, shown)
        if answered is None:
            assert all(n is None for n in shown.values())


def test_the_favourable_share_is_a_range_when_part_of_it_is_hidden() -> None:
    q = QuestionCounts("q", {"yes": 30, "no": None, "not_sure": None}, 40)
    share = q.share(["yes"])
    assert (share.low, share.high) == (30, 30) and share.percent_words() == "75 %"
    q = QuestionCounts("q", {"sa": None, "a": 20, "d": None}, 29)
    share = q.share(["sa", "a"])
    assert (share.low, share.high) == (20, 29)
    assert share.percent_words() == "at least 69 %"


def test_counts_round_trip_as_json_with_suppressed_written_as_less_than(shipped_forms: FormRegistry) -> None:
    form = shipped_forms.survey_for("2026/27")
    assert form is not None
    raw = {"learning.trained": {"yes": 37, "no": 3, "not_sure": 4, "x": 1}, "about.role": {"frontline": 48}}
    counts = SurveyCounts.from_raw(form, 48, raw)
    data = counts.to_json()
    assert data["respondents"] == 48
    # counts of options the question does not have are not counted; "no" and "not_sure" hide together
    assert data["questions"]["learning.trained"] == {
        "answered": 44,
        "counts": {"yes": 37, "no": "<5", "not_sure": "<5"},
    }
    # about.role: one option of four counted, three zeros: all of them are under 5, so hidden
    assert data["questions"]["about.role"]["counts"]["manager"] == "<5"
    assert "practice.voice" not in data["questions"]
    assert SurveyCounts.from_json(data) == counts
    assert counts.problems() == []


def test_a_survey_of_too_few_respondents_shows_nothing_but_that(shipped_forms: FormRegistry) -> None:
    form = shipped_forms.survey_for("2026/27")
    assert form is not None
    counts = SurveyCounts.from_raw(form, 4, {"learning.trained": {"yes": 4}})
    data = counts.to_json()
    assert data["respondents"] == "<5"
    assert data["questions"]["learning.trained"] == {
        "answered": "<5",
        "counts": {"yes": "<5", "no": "<5", "not_sure": "<5"},
    }


def test_counts_that_expose_a_small_group_are_found() -> None:
    bad = SurveyCounts("s", "1", "2026/27", 5, 20, (QuestionCounts("q", {"yes": 17, "no": 3}, 20),))
    assert "a count under 5 is shown" in bad.problems()[0]
    bad = SurveyCounts("s", "1", "2026/27", 5, 20, (QuestionCounts("q", {"yes": 17, "no": 6}, 20),))
    assert bad.problems()

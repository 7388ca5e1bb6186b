"""Figures in words: the same wording in the board report, the letters, the spreadsheet and the windows."""

from __future__ import annotations

import pytest

from oscb_desktop.collate.result import DECLINED, IMPROVED, SAME
from oscb_desktop.report.words import arrow, change_words, mean, plural, points, share, signed


def test_plural() -> None:
    assert plural(1, "agency", "agencies") == "1 agency"
    assert plural(0, "agency", "agencies") == "0 agencies"
    assert plural(3, "action") == "3 actions"
    assert plural(2, "thing needs", "things need") == "2 things need"


@pytest.mark.parametrize(
    ("value", "expected"), [(None, "—"), (0.0, "0%"), (75.0, "75%"), (75.4, "75%"), (75.6, "76%"), (100, "100%")]
)
def test_mean(value: float | None, expected: str) -> None:
    assert mean(value) == expected


def test_mean_says_what_a_missing_mean_means_where_asked() -> None:
    assert mean(None, missing="no scored statements") == "no scored statements"
    assert mean(62.5, missing="no scored statements") == "62%"  # rounded half to even, like the tables


def test_share() -> None:
    assert share(None) == "—"
    assert share(0.844) == "84%"
    assert share(1) == "100%"


@pytest.mark.parametrize(
    ("value", "as_points", "as_signed"),
    [
        (None, "—", "—"),
        (8.2, "+8 points", "+8"),
        (1.0, "+1 point", "+1"),
        (-1.2, "\u22121 point", "\u22121"),
        (-3.0, "\u22123 points", "\u22123"),
        (0.3, "0 points", "0"),
    ],
)
def test_differences_use_a_real_minus_sign(value: float | None, as_points: str, as_signed: str) -> None:
    assert points(value) == as_points
    assert signed(value) == as_signed


def test_change_arrows_and_words() -> None:
    assert (arrow(IMPROVED), arrow(DECLINED), arrow(SAME), arrow(None)) == ("▲", "▼", "", "")
    assert change_words(IMPROVED) == "▲ Improved"
    assert change_words(DECLINED) == "▼ Declined"
    assert change_words(SAME) == "Same"

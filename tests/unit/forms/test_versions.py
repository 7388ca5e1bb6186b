"""One order for form versions and periods, total on any string: the registry, collation and the Cycle tab use it."""

from __future__ import annotations

import itertools
import random

import pytest

from oscb_desktop.forms.versions import version_key


@pytest.mark.parametrize(
    ("older", "newer"),
    [
        ("2026.1", "2026.2"),
        ("2026.9", "2026.10"),  # numbers, not text
        ("2025.10", "2026.1"),
        ("2026", "2026.1"),  # a shorter prefix first
        ("2026.1", "2026.1a"),  # a letter after the number: a later revision
        ("2026.1a", "2026.1b"),
        ("2026.1b", "2026.2"),
        ("2026.1", "2026.a"),  # a number before a word in the same place
        ("2025/26", "2026/27"),  # periods sort the same way
        ("1.0", "1.00"),  # same numbers: the text breaks the tie
        ("01", "1"),
        ("", "0"),
    ],
)
def test_older_sorts_before_newer(older: str, newer: str) -> None:
    assert version_key(older) < version_key(newer)
    assert version_key(newer) > version_key(older)


def test_separators_only_separate() -> None:
    assert version_key("2026/27")[0] == version_key("2026.27")[0] == version_key("2026-27")[0]


def test_case_does_not_order_but_still_tells_apart() -> None:
    assert version_key("2026.1A")[0] == version_key("2026.1a")[0]
    assert version_key("2026.1A") != version_key("2026.1a")


STRANGE = [
    "",
    ".",
    "2026.1",
    "2026.1a",
    "v2",
    "V2",
    "x.y.z",
    "1..2",
    "2026.01",
    "٣.1",  # a digit that is not 0-9 is text
    "1" * 5000,  # longer than int() accepts: still a number
    "1" * 4999 + "2",
    "ünïcode",
    "1_2",
    " 2026.1 ",
]


def test_any_strings_are_totally_ordered() -> None:
    keys = [version_key(s) for s in STRANGE]
    assert len(set(keys)) == len(STRANGE), "two different strings never share a key"
    for a, b, c in itertools.permutations(keys, 3):
        if a < b and b < c:
            assert a < c
    shuffled = STRANGE[:]
    random.Random(8).shuffle(shuffled)
    assert sorted(shuffled, key=version_key) == sorted(STRANGE, key=version_key)


def test_long_numbers_compare_by_value() -> None:
    assert version_key("9" * 5000) < version_key("1" + "0" * 5000)
    assert version_key("0009") < version_key("10")

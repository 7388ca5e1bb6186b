"""Text from outside shown safely: every character that could drive a terminal or reorder a line is escaped."""

from __future__ import annotations

import json

import pytest

from oscb_desktop.textsafe import json_text, shown

HOSTILE = [
    ("\x1b[2J", "\\x1b[2J"),  # ESC: clear the screen
    ("a\nIMPORTED", "a\\nIMPORTED"),  # a line of its own
    ("a\rIMPORTED", "a\\rIMPORTED"),  # back to the start of the line
    ("\x07\x00\t", "\\x07\\x00\\t"),  # C0
    ("\x7f", "\\x7f"),  # DEL
    ("\x9b2J", "\\x9b2J"),  # C1: the 8-bit CSI
    ("report\u202efdp.exe", "report\\u202efdp.exe"),  # right-to-left override
    ("\u2066x\u2069", "\\u2066x\\u2069"),  # bidi isolates
    ("\u202a\u202b\u202c\u202d", "\\u202a\\u202b\\u202c\\u202d"),  # embeddings, pop, left-to-right override
    ("a\u2028b", "a\\u2028b"),  # line separator
    ("name\udc9b.oscb", "name\\udc9b.oscb"),  # an undecodable byte of a POSIX file name
]


@pytest.mark.parametrize(("text", "expected"), HOSTILE)
def test_unsafe_characters_are_shown_as_escapes(text: str, expected: str) -> None:
    assert shown(text) == expected


def test_printable_text_is_left_alone_and_long_text_cut() -> None:
    text = "Zoë's Trust (Łódź) — “final” 2026/27 ✓ 日本"
    assert shown(text) == text
    assert shown("x" * 50, limit=10) == "x" * 9 + "…"


def test_json_keeps_the_data_and_escapes_what_a_terminal_would_act_on() -> None:
    value = {"file": "évil\x1b[2J\x9b\u202e\U000e0001\udc9b.oscb", "n": [1, 2]}
    text = json_text(value)
    assert all(c.isprintable() or c == "\n" for c in text)
    assert "évil" in text, "accents stay readable"
    assert json.loads(text) == value, "a JSON reader gets every character back"

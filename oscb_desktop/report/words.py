"""Figures in words, the same in every place that shows them: the board report, the feedback letters, the
spreadsheet, the submission PDF and the Business Unit's windows.

Plain text, no markup and no Qt, so a PDF paragraph, a spreadsheet cell and a Qt tooltip can all use it.
"""

from __future__ import annotations

from oscb_desktop.collate.result import DECLINED, IMPROVED, SAME

#: The arrow that marks a standard's change against the agency's previous return ("" for the same).
ARROWS = {IMPROVED: "▲", DECLINED: "▼", SAME: ""}

#: A real minus sign, not a hyphen, for negative differences.
MINUS = "\u2212"

#: What a figure that cannot be worked out (no rated statements) shows.
NONE = "—"


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 agency', '3 agencies': ``many`` is the plural when it is not ``word`` + 's'."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


def mean(value: float | None, *, missing: str = NONE) -> str:
    """A mean percentage, rounded: '76%'; ``missing`` when there is none."""
    return missing if value is None else f"{round(value)}%"


def share(value: float | None) -> str:
    """A share (0 to 1) as a rounded percentage: '84%'."""
    return NONE if value is None else f"{round(value * 100)}%"


def points(value: float | None) -> str:
    """A difference of percentages, with a real minus sign: '+8 points', '−3 points', '0 points'."""
    if value is None:
        return NONE
    n = round(value)
    if n == 0:
        return "0 points"
    sign = "+" if n > 0 else MINUS
    return f"{sign}{plural(abs(n), 'point')}"


def signed(value: float | None) -> str:
    """A difference in points without the word: '+8', '−3', '0'."""
    if value is None:
        return NONE
    n = round(value)
    return f"+{n}" if n > 0 else f"{MINUS}{abs(n)}" if n < 0 else "0"


def arrow(change: str | None) -> str:
    """'▲' for improved, '▼' for declined, '' otherwise (the same, or not compared)."""
    return ARROWS.get(change or "", "")


def change_words(change: str) -> str:
    """A change in words with its arrow: '▲ Improved', '▼ Declined', 'Same'."""
    mark = arrow(change)
    return f"{mark} {change.capitalize()}" if mark else change.capitalize()

"""One order for form versions (``2026.1`` before ``2026.2`` before ``2026.10``) and reporting periods.

The registry (which version of a form is the newest), collation (which form a return counts against) and the
Business Unit's cycle all sort versions with :func:`version_key`, so they never disagree about which is newer.
The form schema only allows dotted numbers today, but bundles and partnership packs carry versions written
elsewhere: the key is a total order on any string and never raises.
"""

from __future__ import annotations

import re

#: A run of the digits 0-9 (compared as a number) or of other letters and digits (compared as text); anything
#: else separates.
_TOKEN = re.compile(r"([0-9]+)|([^\W0-9_]+)")

#: Token by token (a number as (0, its length, its digits), a word as (1, 0, the word folded)), then the text
#: as written, which breaks the last ties ("1.0" and "1.00").
VersionKey = tuple[tuple[tuple[int, int, str], ...], str]


def version_key(text: str) -> VersionKey:
    """Sort key for a form version or a reporting period.

    Numbers compare as numbers (``2026.10`` after ``2026.9``); a number sorts before a word in the same place
    (``2026.1`` < ``2026.1a`` < ``2026.2``, and ``2026.1`` < ``2026.a``); separators (``.``, ``/``, ``-``...)
    only separate, so ``2026/27`` sorts like ``2026.27``. Two different strings never have the same key.
    """
    return tuple(_token(number, word) for number, word in _TOKEN.findall(text)), text


def _token(number: str, word: str) -> tuple[int, int, str]:
    if number:
        # By length, then digit by digit: a number's value without int(), which refuses very long numbers.
        digits = number.lstrip("0") or "0"
        return 0, len(digits), digits
    return 1, 0, word.casefold()

"""Text from outside (a file's name, a bundle's manifest, a YAML file) made safe to show.

A file name may hold an escape sequence that clears the terminal and prints a fake "IMPORTED" line, a line break
that starts a line of its own, or a bidirectional override that shows ``exe.pdf`` as ``fdp.exe``. Every such
character — C0 and C1 controls, DEL, the Unicode format characters (bidi embeddings, overrides and isolates among
them), line and paragraph separators, unpaired surrogates from undecodable file names — is shown as a visible
escape (``\\x1b``, ``\\n``, ``\\u202e``) instead. Printable text, accents and all, is left alone.

One rule for the command line and the window: :func:`shown` for a line of text, :func:`json_text` for JSON.
"""

from __future__ import annotations

import json
from typing import Any


def _escape(char: str) -> str:
    return char.encode("unicode_escape", "backslashreplace").decode("ascii")


def shown(text: str, limit: int | None = None) -> str:
    """``text`` with every character that is not plainly printable escaped; cut to ``limit`` characters
    (ending in "…") when given."""
    safe = "".join(c if c.isprintable() else _escape(c) for c in text)
    if limit is not None and len(safe) > limit:
        return safe[: limit - 1] + "…"
    return safe


def _json_escape(char: str) -> str:
    code = ord(char)
    if code > 0xFFFF:  # outside the BMP: a UTF-16 surrogate pair, as JSON spells it
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def json_text(value: Any, *, indent: int | None = 2) -> str:
    """``value`` as JSON that is safe to print: the same data (a JSON reader gets every character back), with
    accents kept readable but every unsafe character written as a ``\\uXXXX`` escape.

    Outside strings JSON holds only printable ASCII, spaces and the line breaks of ``indent``, so escaping every
    other unsafe character is escaping it inside a string, where ``\\uXXXX`` is always allowed.
    """
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    return "".join(c if c.isprintable() or c == "\n" else _json_escape(c) for c in text)

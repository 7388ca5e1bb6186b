"""User text made safe to print, and dates and times in words.

A fix to, say, how user text is cleaned reaches all three documents at once.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def clean(text: Any) -> str:
    """User text as plain, printable text: no control characters or lone surrogates."""
    s = text if isinstance(text, str) else str(text)
    s = s.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    s = _SURROGATE.sub("\ufffd", s)
    return unicodedata.normalize("NFC", _CONTROL.sub("", s))


def markup(text: Any) -> str:
    """User text escaped for a Paragraph, line breaks kept."""
    return escape(clean(text)).replace("\n", "<br/>")


def blocks(text: Any) -> list[str]:
    """User text split at its blank lines into paragraphs, each escaped for a Paragraph, line breaks kept."""
    parts = [b.strip("\n") for b in _BLANK_LINE.split(clean(text))]
    return [escape(b).replace("\n", "<br/>") for b in parts if b.strip()]


def paragraphs(text: Any, style: ParagraphStyle) -> list[Flowable]:
    """Long user text as one Paragraph per paragraph, so it splits across pages line by line."""
    return [Paragraph(b, style) for b in blocks(text)]


def format_date(value: Any) -> str:
    try:
        d = value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        return clean(value)
    return f"{d.day} {d:%b %Y}"


def format_time(value: str | None) -> str:
    if not value:
        return ""
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        return clean(value)
    text = f"{t.day} {t:%b %Y}, {t:%H:%M}"
    offset = t.utcoffset()
    if offset is not None:
        zone = t.strftime("%z")
        text += " UTC" if not offset else f" (UTC{zone[:3]}:{zone[3:5]})"
    return text


def fit(text: str, font: str, size: float, width: float) -> str:
    """``text`` cut short with an ellipsis so it fits ``width`` points."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"

"""User text made safe to print, and dates and times in words.

A fix to, say, how user text is cleaned reaches all three documents at once.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph

from oscb_desktop import dates

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
    """``14 Mar 2027``; text that is not a date as it was written."""
    return clean(dates.day_short(value))


def format_time(value: str | None) -> str:
    """``14 Feb 2027, 10:29 UTC``: a stored time with its zone."""
    return clean(dates.moment_with_zone(value))


def fit(text: str, font: str, size: float, width: float) -> str:
    """``text`` cut short with an ellipsis so it fits ``width`` points."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"

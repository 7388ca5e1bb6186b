"""Answers as flowables, one function per item type, generic over any form definition.

Each takes the item, its stored value and the styles. A value of the wrong shape reads as not answered
(or, for an unknown item type, as its text); :func:`answer` is the one entry point.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph, Spacer, Table

from oscb_desktop.forms import files as evidence_files
from oscb_desktop.forms.model import Column, Item
from oscb_desktop.forms.rules import is_blank
from oscb_desktop.report import fonts
from oscb_desktop.report.house.palette import BOLD, FAINT, FONT, level_colour
from oscb_desktop.report.house.text import blocks, clean, format_date, markup, paragraphs
from oscb_desktop.report.submission.flowables import Chip, grid_table, indented, rating_text
from oscb_desktop.report.submission.template import BODY_WIDTH, SubmissionStyles

Renderer = Callable[[Item, Any, SubmissionStyles], list[Flowable]]


def answer(item: Item, value: Any, s: SubmissionStyles) -> list[Flowable]:
    """The answer to ``item`` as it prints under its statement."""
    renderer = RENDERERS.get(item.type)
    if renderer is None:
        return [Paragraph(markup(value) if not is_blank(value) else "Not answered", s.answer)]
    return renderer(item, value, s)


def not_answered(s: SubmissionStyles, item: Item | None = None, *, none_text: str = "None") -> list[Flowable]:
    """'Not answered', or ``none_text`` for an optional item that may rightly have nothing."""
    text = "Not answered" if item is None or item.required else none_text
    return [Paragraph(text, s.missing)]


def format_number(value: Any, unit: str = "") -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return clean(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        text = f"{int(value):,}" if value.is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")
    else:
        text = f"{value:,}"
    return f"{text} {unit}".strip()


def format_size(size: Any) -> str:
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        return ""
    return evidence_files.size_text(size)


# --- One function per item type ------------------------------------------------------------------


def rating(item: Item, value: Any, s: SubmissionStyles) -> list[Flowable]:
    level_id = value.get("level") if isinstance(value, dict) else None
    if not level_id or item.scale is None:
        return not_answered(s)
    level = item.scale.level(str(level_id))
    out: list[Flowable] = []
    if level is None:
        out.append(Chip(f"Unknown rating “{clean(level_id)}”", FAINT, indent=s.indent))
    else:
        out.append(Chip(rating_text(level), level_colour(level), indent=s.indent))
    out.append(Spacer(1, 2))
    parts = [
        ("reason", "Why it does not apply"),
        ("evidence", "Evidence"),
        ("example", "Best-practice example to share"),
    ]
    requires = level.requires if level is not None else ()
    files = evidence_files.files_of(item, value)
    for part, label in parts:
        given = value.get(part)
        if is_blank(given):
            if part in requires and not evidence_files.counts_as(item, value, part):
                out += [Paragraph(label, s.part_label), Paragraph(f"No {label.lower()} given", s.missing)]
            continue
        out.append(Paragraph(label, s.part_label))
        out += paragraphs(given, s.answer)
    if files:
        out += [Paragraph(f"Evidence files ({len(files)})", s.part_label), *files_table(files, s)]
    return out


def text(item: Item, value: Any, s: SubmissionStyles) -> list[Flowable]:
    if is_blank(value):
        return not_answered(s)
    return paragraphs(value, s.answer)


def choice(item: Item, value: Any, s: SubmissionStyles) -> list[Flowable]:
    if is_blank(value):
        return not_answered(s)
    return [Paragraph(markup(item.option_label(str(value))), s.answer)]


def multi_choice(item: Item, value: Any, s: SubmissionStyles) -> list[Flowable]:
    if is_blank(value):
        return not_answered(s, item)
    values = value if isinstance(value, list) else [value]
    return [Paragraph(markup(item.option_label(str(v))), s.bullet, bulletText="•") for v in values]


def ranked(item: Item, value: Any, s: SubmissionStyles) -> list[Flowable]:
    ranks = [r for r in value if isinstance(r, dict)] if isinstance(value, list) else []
    ranks = [r for r in ranks if not (is_blank(r.get("category")) and is_blank(r.get("text")))]
    if not ranks:
        return not_answered(s)
    out: list[Flowable] = []
    for n, rank in enumerate(ranks, start=1):
        category = rank.get("category")
        label = markup(item.option_label(str(category))) if not is_blank(category) else "No category chosen"
        parts = blocks(rank.get("text") or "")
        first = f" — {parts[0]}" if parts else ""
        out.append(Paragraph(f"<b>{label}</b>{first}", s.ranked, bulletText=f"{n}."))
        out += [Paragraph(b, s.ranked_more) for b in parts[1:]]
    return out


def number(item: Item, value: Any, s: SubmissionStyles) -> list[Flowable]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return not_answered(s) if is_blank(value) else [Paragraph(markup(value), s.answer)]
    return [Paragraph(markup(format_number(value, item.unit)), s.answer)]


def date(item: Item, value: Any, s: SubmissionStyles) -> list[Flowable]:
    if is_blank(value):
        return not_answered(s)
    return [Paragraph(markup(format_date(value)), s.answer)]


def yes_no(item: Item, value: Any, s: SubmissionStyles) -> list[Flowable]:
    if not isinstance(value, bool):
        return not_answered(s)
    return [Paragraph("Yes" if value else "No", s.answer)]


def table(item: Item, value: Any, s: SubmissionStyles) -> list[Flowable]:
    rows = [r for r in value if isinstance(r, dict)] if isinstance(value, list) else []
    if not rows:
        return not_answered(s, item, none_text="None recorded")
    return [Spacer(1, 2), *indented(_rows_table(s, item.columns, rows), s.indent)]


def attachments(item: Item, value: Any, s: SubmissionStyles) -> list[Flowable]:
    files = evidence_files.files_of(item, value)
    if not files:
        return not_answered(s, item, none_text="No files attached")
    return [Spacer(1, 2), *files_table(files, s)]


#: The SHA-256 in two lines of 32 hex digits, in DejaVu Sans Mono at this size.
HASH_SIZE = 6.5
_SIZE_WIDTH = 20 * mm


def _hash_width() -> float:
    fonts.register_fonts()
    return stringWidth("0" * 32, fonts.MONO, HASH_SIZE) + 2 * 5 + 1  # the cell padding of grid_table


def files_table(files: Sequence[dict[str, Any]], s: SubmissionStyles) -> list[Flowable]:
    """The evidence files of an item, one row each: name (with when it was added, and whether it was carried
    forward), size, and the full SHA-256 in a small monospace font, split into two even lines so anyone can
    check a file against the printed return with ``sha256sum``."""
    hash_style = ParagraphStyle("hash", parent=s.cell, fontName=fonts.MONO, fontSize=HASH_SIZE, leading=8.5)
    note_style = ParagraphStyle("filenote", parent=s.cell_muted, fontSize=7, leading=9)
    data: list[list[Any]] = [
        [Paragraph("File", s.cell_head), Paragraph("Size", s.cell_head_right), Paragraph("SHA-256", s.cell_head)]
    ]
    for f in files:
        sha = str(f.get("sha256") or "")
        notes = []
        if f.get("added"):
            notes.append(f"added {format_date(str(f['added'])[:10])}")
        if f.get("carried") is True:
            notes.append("carried forward from the previous return")
        name = [Paragraph(markup(f.get("name") or "(no name)"), s.cell)]
        if notes:
            text = "; ".join(notes)
            name.append(Paragraph(markup(text[0].upper() + text[1:]), note_style))
        data.append(
            [
                name,
                Paragraph(markup(format_size(f.get("size"))), s.cell_right),
                Paragraph(f"{markup(sha[:32])}<br/>{markup(sha[32:])}", hash_style),
            ]
        )
    hash_width = _hash_width()
    widths = [BODY_WIDTH - s.indent - _SIZE_WIDTH - hash_width, _SIZE_WIDTH, hash_width]
    return indented(grid_table(data, widths), s.indent)


RENDERERS: dict[str, Renderer] = {
    "rating": rating,
    "short_text": text,
    "long_text": text,
    "choice": choice,
    "multi_choice": multi_choice,
    "ranked": ranked,
    "number": number,
    "date": date,
    "yes_no": yes_no,
    "table": table,
    "attachments": attachments,
}


# --- Table answers -------------------------------------------------------------------------------


def _column_width_hint(col: Column) -> tuple[float, float]:
    """(fixed width, weight): fixed for short values, weights share the rest."""
    fixed = {"date": 24 * mm, "yes_no": 14 * mm, "number": 20 * mm}
    if col.type in fixed:
        return fixed[col.type], 0
    if col.type == "choice":
        longest = max((stringWidth(o.label, FONT, 8.5) for o in col.options), default=40)
        return min(max(longest, stringWidth(col.label, BOLD, 8.5)) + 12, 45 * mm), 0
    return 0, 3 if col.type == "long_text" else 1.4


def _rows_table(s: SubmissionStyles, columns: Sequence[Column], rows: list[dict[str, Any]]) -> Table:
    width = BODY_WIDTH - s.indent
    hints = [_column_width_hint(c) for c in columns]
    fixed = sum(h[0] for h in hints)
    weights = sum(h[1] for h in hints)
    if weights == 0 or fixed > width * 0.7:
        # only fixed-width columns, or too many of them: share the width by the same proportions
        total = sum(h[0] or 30 * mm for h in hints)
        widths = [(h[0] or 30 * mm) * width / total for h in hints]
    else:
        widths = [h[0] if h[0] else (width - fixed) * h[1] / weights for h in hints]
    data: list[list[Any]] = [[Paragraph(markup(c.label), s.cell_head) for c in columns]]
    for row in rows:
        data.append([cell(s, col, row.get(col.id)) for col in columns])
    return grid_table(data, widths)


def cell(s: SubmissionStyles, col: Column, value: Any) -> Any:
    """One value of a table answer in its cell: a Paragraph, or a list of them for several paragraphs."""
    if col.type == "yes_no":
        return Paragraph("Yes" if value is True else "No" if value is False else "—", s.cell)
    if is_blank(value):
        return Paragraph("—", s.cell_italic)
    if col.type == "date":
        return Paragraph(markup(format_date(value)), s.cell)
    if col.type == "choice":
        label = next((o.label for o in col.options if o.id == value), str(value))
        return Paragraph(markup(label), s.cell)
    if col.type == "number":
        return Paragraph(markup(format_number(value)), s.cell_right)
    paras = [Paragraph(b, s.cell) for b in blocks(value)]
    if len(paras) == 1:
        return paras[0]
    for p in paras[:-1]:
        p.style = ParagraphStyle("cellpara", parent=s.cell, spaceAfter=4)
    return paras

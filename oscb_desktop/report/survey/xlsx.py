"""The spreadsheet's practitioner survey sheets: one row per question and answer across the partnership, the
favourable share by sector, and the divergences. Small groups are never shown: a count some agency suppressed
reads "at least N" (text, so nobody sums it as if it were exact), a count with nothing suppressed is a number."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from openpyxl.worksheet.worksheet import Worksheet

from oscb_desktop.collate.result import Collation

SHEETS = ("Practitioners", "Practitioners by sector", "Divergences")
PRACTITIONERS_HEADER = ("Question code", "Question", "Bears on", "Answer", "Practitioners", "Favourable share")
DIVERGENCES_HEADER = ("Agency", "Sector", "Statement", "Standard", "Rated", "Question", "Practitioners said")

Table = Callable[..., None]
Freeze = Callable[[Worksheet, int, int, int], None]
Widths = Callable[..., None]


def _count(known: int, hidden: int, words: str) -> Any:
    """An exact count as a number; anything suppressed as its words."""
    return known if hidden == 0 and words == str(known) else words


def fill(sheets: Sequence[Worksheet], c: Collation, table: Table, freeze: Freeze, widths: Widths) -> None:
    """Fill the three sheets (``table``, ``freeze`` and ``widths`` are the spreadsheet's own helpers)."""
    _fill(sheets, c, table, freeze)
    for ws in sheets:
        widths(ws, fixed={2: 60} if ws.title == SHEETS[0] else None)


def _fill(sheets: Sequence[Worksheet], c: Collation, table: Table, freeze: Freeze) -> None:
    answers, by_sector, divergences = sheets
    p = c.practitioners
    if p is None:
        for ws in sheets:
            table(ws, ("Note",), [("No return for this period carried a practitioner survey.",)])
            freeze(ws, 1, 1, 2)
        return
    rows = []
    for q in p.questions:
        fav = f"{q.favourable.words} {q.favourable_label}" if q.favourable else ""
        for label, tally in q.answers:
            rows.append((q.code, q.text, ", ".join(q.bears_on), label, _count(tally.known, tally.hidden, tally.words),
                         fav))  # fmt: skip
    table(answers, PRACTITIONERS_HEADER, rows, wrap=("Question",))
    freeze(answers, 1, len(PRACTITIONERS_HEADER), len(rows) + 1)
    sectors = list(dict.fromkeys(label for q in p.questions for label, _ in q.by_sector))
    header = ("Question code", "Favourable answers", *sectors)
    srows = []
    for q in p.questions:
        if q.favourable is None:
            continue
        shares = dict(q.by_sector)
        srows.append((q.code, q.favourable_label, *(shares[x].words if x in shares else "" for x in sectors)))
    table(by_sector, header, srows)
    freeze(by_sector, 1, len(header), len(srows) + 1)
    drows = [
        (d.agency, d.sector, d.statement_code, d.standard, d.level, f"{d.question_code} {d.question}",
         f"{d.share} of {d.answered} answered {d.favourable_label}")
        for d in p.divergences
    ]  # fmt: skip
    table(divergences, DIVERGENCES_HEADER, drows, wrap=("Question",))
    freeze(divergences, 1, len(DIVERGENCES_HEADER), len(drows) + 1)

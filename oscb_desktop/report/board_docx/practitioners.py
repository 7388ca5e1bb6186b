"""The Word board report's "What practitioners said" chapter: the same figures and words as the PDF's
(:mod:`oscb_desktop.report.board.practitioners`), small groups never shown."""

from __future__ import annotations

from oscb_desktop.collate.result import Collation
from oscb_desktop.report.board.practitioners import divergence_table, earlier_table, intro, sector_table
from oscb_desktop.report.board.template import Abbreviations
from oscb_desktop.report.board_docx.document import BODY_MM, BoardDocument
from oscb_desktop.report.house.text import markup


def practitioners(d: BoardDocument, c: Collation, abbr: Abbreviations) -> None:
    p = c.practitioners
    d.heading("What practitioners said", 1)
    if p is None:
        d.para("No return for this period carried a practitioner survey.")
        return
    d.para(markup(intro(p)))
    d.heading("Partnership-wide", 2)
    rows = []
    for q in p.questions:
        answers = " · ".join(f"{label}: {tally.words}" for label, tally in q.answers)
        fav = f"{q.favourable.words} {q.favourable_label}" if q.favourable else ""
        bears = f" (bears on {', '.join(q.bears_on)})" if q.bears_on else ""
        rows.append([markup(q.code), markup(q.text + bears), markup(answers), markup(fav)])
    d.table(["", "Question", "Answers", "Favourable"], rows, [12, 62, BODY_MM - 12 - 62 - 34, 34], size=8.5)
    table = sector_table(p)
    if table is not None:
        d.heading("By sector", 2)
        n = len(table.head) - 2
        d.table(table.head, table.rows, [12, 34, *([(BODY_MM - 12 - 34) / n] * n)], size=8.5)
    if p.compared_with:
        d.heading("Year on year", 2)
        table = earlier_table(p)
        n = len(p.compared_with) + 1
        d.table(table.head, table.rows, [12, BODY_MM - 12 - 22 * n, *([22] * n)])
    d.heading("Where ratings and practitioners diverge", 2)
    d.small(markup(p.rule))
    if not p.divergences:
        d.para("No agency's ratings diverge from its practitioners' answers by this rule.")
        return
    table = divergence_table(p)
    d.table(table.head, table.rows, [40, 45, 16, BODY_MM - 101], size=8.5)

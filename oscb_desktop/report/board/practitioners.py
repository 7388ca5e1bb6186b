"""The board report's "What practitioners said" chapter: the practitioner survey the agencies' returns carried,
per question across the partnership, by sector and year on year, and the statements where an agency's rating and
its practitioners' answers diverge. Small groups are never shown: the collation's figures are already suppressed."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Spacer

from oscb_desktop.collate.practitioners import Divergence, Practitioners
from oscb_desktop.collate.result import Collation
from oscb_desktop.report.board.template import BODY_WIDTH, Abbreviations, BoardStyles
from oscb_desktop.report.house.tables import grid
from oscb_desktop.report.house.text import markup
from oscb_desktop.report.words import plural


def practitioners(c: Collation, s: BoardStyles, abbr: Abbreviations) -> list[Flowable]:
    p = c.practitioners
    out: list[Flowable] = [s.heading("What practitioners said", "practitioners")]
    if p is None:
        out.append(Paragraph("No return for this period carried a practitioner survey.", s.body))
        return out
    out.append(Paragraph(markup(intro(p)), s.body))
    out += _questions(p, s)
    out += _sectors(p, s)
    if p.compared_with:
        out += _earlier(p, s)
    out += _divergences(p, s)
    return out


def intro(p: Practitioners) -> str:
    hidden = (
        f" ({plural(p.respondents_hidden, 'agency', 'agencies')} had fewer than {p.threshold} respondents, "
        "so their answers are not shown)"
        if p.respondents_hidden
        else ""
    )
    return (
        f"{plural(len(p.agencies), 'agency', 'agencies')} sent the answers of their practitioners to the "
        f"{p.survey_title.lower()} with their Section 11 return: {p.respondents} practitioners in all{hidden}. "
        f"Only the number giving each answer travels; any number under {p.threshold} is never shown, so a total "
        "that includes such a number reads “at least”. The favourable share is of those who answered."
    )


def _questions(p: Practitioners, s: BoardStyles) -> list[Flowable]:
    rows: list[list[object]] = [[Paragraph(h, s.cell_head) for h in ("", "Question", "Answers", "Favourable")]]
    for q in p.questions:
        answers = " · ".join(f"{label}: {tally.words}" for label, tally in q.answers)
        fav = f"{q.favourable.words} {q.favourable_label}" if q.favourable else ""
        bears = f"<br/><font size=7>Bears on {', '.join(q.bears_on)}</font>" if q.bears_on else ""
        rows.append(
            [
                Paragraph(markup(q.code), s.cell_muted),
                Paragraph(markup(q.text) + bears, s.cell),
                Paragraph(markup(answers), s.cell),
                Paragraph(markup(fav), s.cell),
            ]
        )
    widths = [10 * mm, BODY_WIDTH * 0.4, 0, 32 * mm]
    widths[2] = BODY_WIDTH - sum(widths)
    # A heading kept with a table longer than the page would push the table off the page: a plain line instead.
    return [Paragraph("<b>Partnership-wide</b>", s.body), grid(rows, widths), Spacer(1, 3 * mm)]


@dataclass(frozen=True)
class TextTable:
    """A table of the chapter as text (escaped for markup), the same in the PDF and in Word."""

    head: list[str]
    rows: list[list[str]]


def sector_table(p: Practitioners) -> TextTable | None:
    """The favourable share of each question by sector (None: no sector to show)."""
    sectors = list(dict.fromkeys(label for q in p.questions for label, _ in q.by_sector))
    if not sectors:
        return None
    rows = []
    for q in p.questions:
        if q.favourable is None:
            continue
        shares = dict(q.by_sector)
        cells = [markup(shares[x].words) if x in shares else "" for x in sectors]
        rows.append([markup(q.code), markup(q.favourable_label), *cells])
    return TextTable(["", "Favourable answers", *sectors], rows)


def earlier_table(p: Practitioners) -> TextTable:
    """The favourable share of each question in the years compared with, and this year."""
    rows = []
    for q in p.questions:
        if q.favourable is None:
            continue
        earlier = dict(q.earlier)
        cells = [markup(earlier[x].words) if x in earlier else "" for x in p.compared_with]
        rows.append([markup(q.code), markup(q.text), *cells, markup(q.favourable.words)])
    return TextTable(["", "Question", *p.compared_with, "This year"], rows)


def divergence_table(p: Practitioners) -> TextTable:
    rows = [
        [markup(d.agency), markup(f"{d.statement_code} {d.standard}"), markup(d.level), markup(said(d))]
        for d in p.divergences
    ]
    return TextTable(["Agency", "Statement", "Rated", "Practitioners"], rows)


def _grid_rows(table: TextTable, s: BoardStyles, *, first: int = 0) -> list[list[object]]:
    """The table's cells as paragraphs: the first ``first`` columns as text, the code column muted, the rest
    (figures) right-aligned; ``first`` 0: every column as text."""
    rows: list[list[object]] = [[Paragraph(h, s.cell_head) for h in table.head]]
    for row in table.rows:
        styles = [s.cell] * len(row) if not first else [s.cell_muted, *[s.cell] * (first - 1)]
        styles += [s.cell_right] * (len(row) - len(styles))
        rows.append([Paragraph(cell, style) for cell, style in zip(row, styles, strict=True)])
    return rows


def _sectors(p: Practitioners, s: BoardStyles) -> list[Flowable]:
    table = sector_table(p)
    if table is None:
        return []
    n = len(table.head) - 2
    rest = BODY_WIDTH - 10 * mm - 34 * mm
    widths = [10 * mm, 34 * mm, *([rest / n] * n)]
    return [CondPageBreak(40 * mm), Paragraph("By sector", s.h2), grid(_grid_rows(table, s, first=2), widths),
            Spacer(1, 3 * mm)]  # fmt: skip


def _earlier(p: Practitioners, s: BoardStyles) -> list[Flowable]:
    table = earlier_table(p)
    n = len(p.compared_with) + 1
    widths = [10 * mm, BODY_WIDTH - 10 * mm - n * 22 * mm, *([22 * mm] * n)]
    return [CondPageBreak(40 * mm), Paragraph("Year on year", s.h2), grid(_grid_rows(table, s, first=2), widths),
            Spacer(1, 3 * mm)]  # fmt: skip


def _divergences(p: Practitioners, s: BoardStyles) -> list[Flowable]:
    out: list[Flowable] = [CondPageBreak(40 * mm), Paragraph("Where ratings and practitioners diverge", s.h2)]
    out.append(Paragraph(markup(p.rule), s.small))
    if not p.divergences:
        out.append(Paragraph("No agency's ratings diverge from its practitioners' answers by this rule.", s.body))
        return out
    widths = [40 * mm, 45 * mm, 16 * mm, 0]
    widths[3] = BODY_WIDTH - sum(widths)
    out.append(grid(_grid_rows(divergence_table(p), s), widths))
    return out


def said(d: Divergence) -> str:
    """``52 % of 48 answered Yes to B.1 “Have you had…?”``."""
    return f"{d.share} of {d.answered} answered {d.favourable_label} to {d.question_code} “{d.question}”"

"""A feedback letter's ratings: the agency's own rating of each standard beside the moderated one, then,
standard by standard, the statements the Business Unit rated differently and its notes."""

from __future__ import annotations

from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Spacer

from oscb_desktop.collate.result import MatrixCell, ReviewNote, StandardSummary, StatementRating
from oscb_desktop.forms.model import NOT_APPLICABLE, Level
from oscb_desktop.report.feedback.letter import Letter, note_box
from oscb_desktop.report.feedback.template import BODY_WIDTH, LetterStyles
from oscb_desktop.report.house.palette import INK, level_colour, text_colour_on
from oscb_desktop.report.house.tables import grid
from oscb_desktop.report.house.text import clean, markup
from oscb_desktop.report.words import mean, plural


def ratings(x: Letter) -> list[Flowable]:
    c, s = x.c, x.s
    if x.s11 is None or x.row is None or not c.standards:
        return []
    out: list[Flowable] = [
        CondPageBreak(80 * mm),
        Paragraph("Your ratings and the moderated ratings", s.h1),
        Paragraph(
            "Your rating of each standard is the mean of your statement ratings, mapped to the nearest level "
            "(exactly half way between two levels gives the lower one). Where the Business Unit moderated a "
            "standard, its rating is beside yours.",
            s.small,
        ),
        Spacer(1, 1.5 * mm),
    ]
    cells = [x.row.cell(st.id) or MatrixCell(st.id, None, None) for st in c.standards]
    moderated = any(cell.moderated_level is not None for cell in cells)
    heads = ["Standard", "Your rating", "Moderated rating"] + (["Outcome"] if moderated else [])
    data: list[list[Any]] = [[Paragraph(t, s.cell_head) for t in heads]]
    extra: list[tuple[Any, ...]] = [("VALIGN", (1, 1), (-1, -1), "MIDDLE")]
    for st, cell in zip(c.standards, cells, strict=True):
        r = len(data)
        own, own_fill = _rating_cell(
            s, cell.self_level, _detail(cell.self_level, cell.self_mean), r, 1, empty="Not rated"
        )
        mod, mod_fill = _rating_cell(
            s,
            cell.moderated_level,
            _detail(cell.moderated_level, cell.moderated_mean),
            r,
            2,
            empty="Not moderated",
        )
        row: list[Any] = [Paragraph(f"<b>{st.code}</b> {markup(st.title)}", s.cell), own, mod]
        if moderated:
            outcome = _outcome(cell, len(x.differing(st)))
            row.append(Paragraph(f"<b>{outcome}</b>" if cell.moderated_differs else outcome, s.cell))
        data.append(row)
        extra += own_fill + mod_fill
        if cell.moderated_differs:
            extra.append(("BOX", (2, r), (2, r), 1.6, INK))
    widths = [0.0, 30 * mm, 30 * mm] + ([34 * mm] if moderated else [])
    widths[0] = BODY_WIDTH - sum(widths)
    out.append(grid(data, widths, extra))
    key = ""
    if c.scale is not None:
        key = "<b>Levels:</b> " + "; ".join(markup(lv.display) for lv in c.scale.choices) + ". "
    key += "Not applicable statements are left out of the means."
    if moderated:
        key += (
            " A standard the Business Unit moderated as a whole takes that rating for each of its statements, "
            "unless a statement was moderated on its own; the moderated rating of the standard is the mean of "
            "those, mapped to the nearest level in the same way. A dark frame marks a moderated rating that "
            "differs from yours."
        )
    else:
        key += " None of your ratings were moderated, so your own ratings stand."
    out.append(Paragraph(key, ParagraphStyle("key", parent=s.small, spaceBefore=4)))
    out += _details(x)
    return out


def _level_words(level: Level) -> str:
    """'Green (75%)', 'Not applicable'."""
    if level.id == NOT_APPLICABLE or level.percentage is None:
        return markup(level.label)
    return f"{markup(level.label)} ({level.percentage}%)"


def _percentage(level: Level | None) -> str:
    return f"{level.percentage}%" if level is not None and level.percentage is not None else ""


def _detail(level: Level | None, value: float | None) -> str:
    if level is None or level.id == NOT_APPLICABLE or value is None:
        return ""
    return f"mean {mean(value)}"


def _rating_cell(
    s: LetterStyles, level: Level | None, detail: str, row: int, col: int, *, empty: str
) -> tuple[Paragraph, list[tuple[Any, ...]]]:
    """A rating as its word (and a detail line) on its level's colour; ``empty`` in grey italics when None."""
    if level is None:
        return Paragraph(empty, s.cell_italic), []
    fill = level_colour(level)
    style = ParagraphStyle(f"lv{row}_{col}", parent=s.cell, textColor=text_colour_on(fill))
    text = f"<b>{markup(level.label)}</b>" + (f"<br/>{detail}" if detail else "")
    return Paragraph(text, style), [("BACKGROUND", (col, row), (col, row), fill)]


def _outcome(cell: MatrixCell, statements: int) -> str:
    """How the moderated level compares with the agency's own, in words; ``statements`` rated differently."""
    mod, own = cell.moderated_level, cell.self_level
    if mod is None:
        return ""
    if not cell.moderated_differs:
        if statements:
            return f"Same level; {plural(statements, 'statement')} rated differently"
        return "Agreed"
    if own is not None and mod.percentage is not None and own.percentage is not None:
        return "Moderated lower" if mod.percentage < own.percentage else "Moderated higher"
    return "Moderated differently"


def _standard_notes(x: Letter, standard_id: str) -> list[ReviewNote]:
    if x.s11 is None:
        return []
    return [n for n in x.s11.challenge_notes if n.section_id == standard_id]


def _details(x: Letter) -> list[Flowable]:
    c, s = x.c, x.s
    assert x.s11 is not None
    heading = Paragraph("Standard by standard", s.h1)
    blocks = []
    for st in c.standards:
        differing = x.differing(st)
        notes = _standard_notes(x, st.id)
        if differing or notes:
            blocks.append(_standard(x, st, differing, notes))
    if not blocks and not x.s11.moderated:
        return []  # the table and its key already say that nothing was moderated
    if not blocks:
        return [
            CondPageBreak(30 * mm),
            heading,
            Paragraph(
                "The Business Unit rated none of your statements differently and added no notes on particular "
                "standards.",
                s.body,
            ),
        ]
    intro = Paragraph(
        "The standards where the Business Unit rated statements differently from you or added notes. "
        "Standards not listed here were not moderated, or the Business Unit agreed with your ratings.",
        s.small,
    )
    # Tables split across pages under their repeated header; the room asked for keeps a heading, its
    # facts and the first rows of a table together, so a heading never ends a page alone.
    out: list[Flowable] = [CondPageBreak(70 * mm), heading, intro]
    for n, block in enumerate(blocks):
        out += [CondPageBreak(45 * mm)] if n else []
        out += block
    return out


def _standard(
    x: Letter, st: StandardSummary, differing: list[StatementRating], notes: list[ReviewNote]
) -> list[Flowable]:
    s = x.s
    assert x.s11 is not None and x.row is not None
    cell = x.row.cell(st.id)
    head: list[Flowable] = [Paragraph(f"{st.code} {markup(st.title)}", s.h2)]
    facts = []
    if cell is not None:
        own = _level_words(cell.self_level) if cell.self_level else "not rated"
        facts.append(f"Your rating: <b>{own}</b>")
        if cell.moderated_level is not None:
            facts.append(f"moderated rating: <b>{_level_words(cell.moderated_level)}</b>")
    whole = x.s11.moderated.get(st.id)
    whole_level = st.scale.level(whole) if whole else None
    lines = ["; ".join(facts) + "." if facts else ""]
    if whole_level is not None:
        lines.append(
            f"The Business Unit moderated the standard as a whole as <b>{_level_words(whole_level)}</b>; "
            "this applies to each statement that has no moderated rating of its own."
        )
    head += [Paragraph(line, ParagraphStyle("facts", parent=s.body, spaceAfter=2)) for line in lines if line]
    body: list[Flowable] = []
    if differing:
        data: list[list[Any]] = [[Paragraph(t, s.cell_head) for t in ("Statement", "Your rating", "Moderated rating")]]
        extra: list[tuple[Any, ...]] = [("VALIGN", (1, 1), (-1, -1), "MIDDLE")]
        for r in differing:
            row = len(data)
            own_cell, own_fill = _rating_cell(s, r.self_level, _percentage(r.self_level), row, 1, empty="Not rated")
            mod_cell, mod_fill = _rating_cell(s, r.moderated_level, _percentage(r.moderated_level), row, 2, empty="—")
            own_words = " (rated on its own)" if r.statement_id in x.s11.moderated else ""
            data.append(
                [
                    Paragraph(
                        f"<b>{markup(r.statement_id)}</b> {markup(r.statement)}"
                        + (f"<br/><font color='#4b5563'>{own_words.strip()}</font>" if own_words else ""),
                        s.cell,
                    ),
                    own_cell,
                    mod_cell,
                ]
            )
            extra += own_fill + mod_fill
        widths = [0.0, 30 * mm, 30 * mm]
        widths[0] = BODY_WIDTH - sum(widths)
        body.append(Spacer(1, 1 * mm))
        body.append(grid(data, widths, extra))
        body.append(Spacer(1, 2.5 * mm))
    for n in notes:
        about = "this standard" if n.target == st.id else f"statement {clean(n.label)}"
        body.append(note_box(s, f"From the challenge event, on {about}", n.text))
    return head + body

"""Feedback to one agency on its returns for a period: a short A4 letter from the partnership's Business Unit.

Made from a :class:`~oscb_desktop.collate.Collation` (and nothing else but, optionally, the signatories, which
the collation does not carry), so that it says exactly what the board report and the spreadsheet say about
the agency: the returns received and their review, the agency's own rating of each standard beside the
moderated one, the statements the Business Unit rated differently, the challenge-event notes, and the
agency's open actions with the overdue ones marked. House style of the other documents (:mod:`.submission_pdf`,
:mod:`.collation_pdf`): embedded DejaVu fonts, a running header and footer, "Page N of M", and every rating
in words as well as colour.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
)

from oscb_desktop.collate.result import (
    ActionRow,
    Collation,
    MatrixCell,
    MatrixRow,
    ReviewNote,
    StandardSummary,
    StatementRating,
)
from oscb_desktop.forms.model import NOT_APPLICABLE, Level
from oscb_desktop.report import fonts
from oscb_desktop.report.style import (
    ACCENT,
    BOLD,
    FAINT,
    FONT,
    INK,
    ITALIC,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    MUTED,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    RULE,
    numbered_canvas_class,
)
from oscb_desktop.report.style import clean as _clean
from oscb_desktop.report.style import fit as _fit
from oscb_desktop.report.style import format_date as _format_date
from oscb_desktop.report.style import grid as _grid
from oscb_desktop.report.style import level_colour as _level_colour
from oscb_desktop.report.style import markup as _markup
from oscb_desktop.report.style import paragraphs as _paragraphs
from oscb_desktop.report.style import table_style as _table_style
from oscb_desktop.report.style import text_colour_on as _text_colour_on

__all__ = ["feedback_file_name", "render_feedback_pdf"]

BODY_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
LETTERHEAD = 30 * mm


UNRATED = colors.HexColor("#e5e7eb")
WARN = colors.HexColor("#b91c1c")
NOTE_FILL = colors.HexColor("#f3f6fa")

TITLE = "Feedback on your safeguarding returns"
SECTION11 = "section11"

#: How a review status reads in a letter to the agency.
REVIEW_WORDS = {
    "received": "Received, not yet reviewed",
    "has_issues": "Issues raised",
    "accepted": "Accepted",
}


def feedback_file_name(agency: str, period: str) -> str:
    """``Feedback_<agency>_<period>.pdf``, with only letters, digits and hyphens in the parts."""

    def slug(text: str, fallback: str) -> str:
        return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:60].strip("-") or fallback

    return f"Feedback_{slug(agency, 'agency')}_{slug(period, 'period')}.pdf"


def render_feedback_pdf(
    c: Collation, agency: str, *, signatories: Mapping[str, tuple[str, str]] | None = None
) -> bytes:
    """The Business Unit's feedback to ``agency`` on its returns for ``c.period``, as A4 PDF bytes.

    ``signatories`` maps a form id to the (name, role) that signed the agency's return of it; the
    collation does not carry them, so they are shown only when given. An agency with no return for
    the period gets a one-page letter saying so. A name that is neither on the register nor on a
    return raises :class:`ValueError`.
    """
    known = {row.agency for row in c.matrix} | {r.agency for r in c.returns}
    if agency not in known:
        raise ValueError(
            f"There is no agency called “{_clean(agency)}” on the register, and no return from it for "
            f"{_clean(c.period)}. Check the name's spelling against the register."
        )
    fonts.register_fonts()
    template = _Template(c, agency)
    story = _Letter(c, agency, _Styles(), signatories or {}).build()
    template.build(story, canvasmaker=numbered_canvas_class(margin_x=MARGIN_X, first_numbered=1))
    return template.output.getvalue()


# --- Look ---------------------------------------------------------------------------------------


class _Styles:
    def __init__(self) -> None:
        base = ParagraphStyle(
            "body", fontName=FONT, bulletFontName=FONT, fontSize=9.5, leading=13.5, textColor=INK, spaceAfter=5
        )
        self.body = base
        self.title = ParagraphStyle(
            "title", parent=base, fontName=BOLD, fontSize=19, leading=24, textColor=ACCENT, spaceAfter=2
        )
        self.subtitle = ParagraphStyle("subtitle", parent=base, fontSize=11.5, leading=16, textColor=MUTED)
        self.h1 = ParagraphStyle(
            "h1",
            parent=base,
            fontName=BOLD,
            fontSize=13,
            leading=17,
            textColor=ACCENT,
            spaceBefore=12,
            spaceAfter=5,
            keepWithNext=1,
        )
        self.h2 = ParagraphStyle(
            "h2", parent=base, fontName=BOLD, fontSize=10.5, leading=14, spaceBefore=9, spaceAfter=3, keepWithNext=1
        )
        self.small = ParagraphStyle("small", parent=base, fontSize=8.5, leading=11.5, textColor=MUTED)
        self.bullet = ParagraphStyle("bullet", parent=base, leftIndent=5 * mm, bulletIndent=1 * mm, spaceAfter=3)
        self.note = ParagraphStyle("note", parent=base, fontSize=9.5, leading=13.5, spaceAfter=3)
        self.note_by = ParagraphStyle(
            "noteby", parent=base, fontName=BOLD, fontSize=8.5, leading=11.5, textColor=MUTED, spaceAfter=1
        )
        self.cell = ParagraphStyle("cell", parent=base, fontSize=8.5, leading=11.5, spaceAfter=0)
        self.cell_muted = ParagraphStyle("cellmuted", parent=self.cell, textColor=MUTED)
        self.cell_italic = ParagraphStyle("cellitalic", parent=self.cell, fontName=ITALIC, textColor=FAINT)
        self.cell_head = ParagraphStyle("cellhead", parent=self.cell, fontName=BOLD)
        self.cell_warn = ParagraphStyle("cellwarn", parent=self.cell, fontName=BOLD, textColor=WARN)
        self.label = ParagraphStyle("label", parent=base, textColor=MUTED, spaceAfter=0)
        self.value = ParagraphStyle("value", parent=base, spaceAfter=0)
        self.closing = ParagraphStyle("closing", parent=base, spaceBefore=10)


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _mean(value: float | None) -> str:
    return "—" if value is None else f"{round(value)}%"


def _when(value: str | None) -> str:
    return _format_date(value[:10]) if value else ""


def _sign_off(c: Collation) -> str:
    return f"{_clean(c.partnership) or 'The partnership'} Business Unit"


# --- Page furniture -----------------------------------------------------------------------------


class _Template(BaseDocTemplate):
    def __init__(self, c: Collation, agency: str) -> None:
        self.output = io.BytesIO()
        self.c = c
        self.agency = agency
        partnership = _clean(c.partnership) or "Safeguarding partnership"
        super().__init__(
            self.output,
            pagesize=A4,
            leftMargin=MARGIN_X,
            rightMargin=MARGIN_X,
            topMargin=MARGIN_TOP,
            bottomMargin=MARGIN_BOTTOM,
            title=f"Feedback to {_clean(agency)} on its returns for {_clean(c.period)} — {partnership}",
            author=_sign_off(c),
            subject=f"{TITLE}, {_clean(c.period)}: moderated ratings, the Business Unit's notes, open actions",
            creator="OSCB Desktop",
            producer="OSCB Desktop (reportlab)",
            keywords=["Section 11", "feedback", "moderation", _clean(c.period), _clean(agency)],
            lang="en-GB",
            displayDocTitle=True,
            initialFontName=FONT,
            initialFontSize=10,
        )
        frame = {"leftPadding": 0, "rightPadding": 0, "topPadding": 0, "bottomPadding": 0}
        body = Frame(MARGIN_X, MARGIN_BOTTOM, BODY_WIDTH, PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM, id="body", **frame)
        first = Frame(
            MARGIN_X, MARGIN_BOTTOM, BODY_WIDTH, PAGE_HEIGHT - MARGIN_BOTTOM - LETTERHEAD - 8 * mm, id="first", **frame
        )
        self.addPageTemplates(
            [
                PageTemplate("first", [first], onPage=self._first_page),
                PageTemplate("body", [body], onPage=self._body_page),
            ]
        )

    def _first_page(self, canvas: Canvas, _doc: BaseDocTemplate) -> None:
        """A letterhead: the partnership and its Business Unit on a band across the top."""
        c = self.c
        canvas.saveState()
        canvas.setFillColor(ACCENT)
        canvas.rect(0, PAGE_HEIGHT - LETTERHEAD, PAGE_WIDTH, LETTERHEAD, stroke=0, fill=1)
        canvas.setFillColor(colors.HexColor("#c7d2e0"))
        canvas.rect(0, PAGE_HEIGHT - LETTERHEAD - 1.2 * mm, PAGE_WIDTH, 1.2 * mm, stroke=0, fill=1)
        canvas.setFillColor(colors.white)
        canvas.setFont(BOLD, 14)
        name = _fit(_clean(c.partnership) or "Safeguarding partnership", BOLD, 14, BODY_WIDTH)
        canvas.drawString(MARGIN_X, PAGE_HEIGHT - 14 * mm, name)
        canvas.setFont(FONT, 10)
        canvas.drawString(MARGIN_X, PAGE_HEIGHT - 20.5 * mm, "Business Unit")
        canvas.restoreState()
        self._footer(canvas)

    def _body_page(self, canvas: Canvas, _doc: BaseDocTemplate) -> None:
        c = self.c
        canvas.saveState()
        top = PAGE_HEIGHT - 13 * mm
        right = f"Feedback to {_clean(self.agency)} · {_clean(c.period)}"
        canvas.setFont(FONT, 8)
        right = _fit(right, FONT, 8, BODY_WIDTH * 0.6)
        canvas.setFillColor(MUTED)
        canvas.drawRightString(PAGE_WIDTH - MARGIN_X, top, right)
        canvas.setFont(BOLD, 8)
        canvas.setFillColor(INK)
        room = BODY_WIDTH - stringWidth(right, FONT, 8) - 6 * mm
        canvas.drawString(MARGIN_X, top, _fit(_clean(c.partnership) or "Safeguarding partnership", BOLD, 8, room))
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        canvas.line(MARGIN_X, top - 2.6 * mm, PAGE_WIDTH - MARGIN_X, top - 2.6 * mm)
        canvas.restoreState()
        self._footer(canvas)

    def _footer(self, canvas: Canvas) -> None:
        c = self.c
        canvas.saveState()
        bottom = 12 * mm
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        canvas.line(MARGIN_X, bottom + 4 * mm, PAGE_WIDTH - MARGIN_X, bottom + 4 * mm)
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(MUTED)
        footer = (
            f"Feedback from the Business Unit on the returns for {_clean(c.period)} · as of {_format_date(c.as_of)}"
        )
        canvas.drawString(MARGIN_X, bottom, _fit(footer, FONT, 7.5, BODY_WIDTH - 30 * mm))
        canvas.restoreState()


# --- Tables -------------------------------------------------------------------------------------


def _key_values(s: _Styles, rows: list[tuple[str, str]], label_width: float = 38 * mm) -> Table:
    return Table(
        [[Paragraph(k, s.label), Paragraph(v, s.value)] for k, v in rows],
        colWidths=[label_width, BODY_WIDTH - label_width],
        hAlign="LEFT",
        style=_table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE),
                ("LINEABOVE", (0, 0), (-1, 0), 0.5, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        ),
    )


def _level_words(level: Level) -> str:
    """'Green (75%)', 'Not applicable'."""
    if level.id == NOT_APPLICABLE or level.percentage is None:
        return _markup(level.label)
    return f"{_markup(level.label)} ({level.percentage}%)"


def _rating_cell(
    s: _Styles, level: Level | None, detail: str, row: int, col: int, *, empty: str
) -> tuple[Paragraph, list[tuple[Any, ...]]]:
    """A rating as its word (and a detail line) on its level's colour; ``empty`` in grey italics when None."""
    if level is None:
        return Paragraph(empty, s.cell_italic), []
    fill = _level_colour(level)
    style = ParagraphStyle(f"lv{row}_{col}", parent=s.cell, textColor=_text_colour_on(fill))
    text = f"<b>{_markup(level.label)}</b>" + (f"<br/>{detail}" if detail else "")
    return Paragraph(text, style), [("BACKGROUND", (col, row), (col, row), fill)]


def _outcome(cell: MatrixCell, statements: int) -> str:
    """How the moderated level compares with the agency's own, in words; ``statements`` rated differently."""
    mod, own = cell.moderated_level, cell.self_level
    if mod is None:
        return ""
    if not cell.moderated_differs:
        if statements:
            return f"Same level; {_plural(statements, 'statement')} rated differently"
        return "Agreed"
    if own is not None and mod.percentage is not None and own.percentage is not None:
        return "Moderated lower" if mod.percentage < own.percentage else "Moderated higher"
    return "Moderated differently"


# --- The letter ---------------------------------------------------------------------------------


class _Letter:
    def __init__(self, c: Collation, agency: str, styles: _Styles, signatories: Mapping[str, tuple[str, str]]):
        self.c = c
        self.agency = agency
        self.s = styles
        self.signatories = signatories
        self.returns = c.returns_of(agency)
        self.s11 = next((r for r in self.returns if r.form_id == SECTION11), None)
        self.row: MatrixRow | None = next((row for row in c.matrix if row.agency == agency), None)
        order = {st.id: n for n, st in enumerate(c.standards)}
        self.actions = sorted(
            (a for a in c.actions if a.agency == agency and a.open),
            key=lambda a: (not a.overdue, order.get(a.standard_id, len(order)), a.due or date.max),
        )
        self.ratings: dict[str, list[StatementRating]] = {}
        for r in c.ratings:
            if r.agency == agency:
                self.ratings.setdefault(r.standard_id, []).append(r)

    def build(self) -> list[Flowable]:
        story: list[Flowable] = [NextPageTemplate("body"), *self._opening()]
        if not self.returns:
            story += self._nothing_received()
            return story
        story += self._returns()
        story += self._summary()
        story += self._notes()
        story += self._ratings()
        story += self._actions()
        story += self._closing()
        return story

    # Opening -------------------------------------------------------------------------------------

    def _opening(self) -> list[Flowable]:
        c, s = self.c, self.s
        return [
            Paragraph(TITLE, s.title),
            Paragraph(f"Reporting period {_markup(c.period)}", s.subtitle),
            Spacer(1, 6 * mm),
            _key_values(
                s,
                [
                    ("To", f"<b>{_markup(self.agency)}</b>"),
                    ("From", _markup(_sign_off(c))),
                    ("Date", _format_date(c.as_of)),
                    ("Reporting period", _markup(c.period)),
                ],
            ),
            Spacer(1, 5 * mm),
        ]

    def _nothing_received(self) -> list[Flowable]:
        c, s = self.c, self.s
        out: list[Flowable] = [
            Paragraph(
                f"We have not received any returns from {_markup(self.agency)} for {_markup(c.period)}, so there "
                "are no ratings, notes or actions to feed back yet.",
                s.body,
            )
        ]
        due = list(c.headline.forms)
        if due:
            out.append(Paragraph("The returns we are waiting for:", s.body))
            for f in due:
                deadline = f" (deadline {_format_date(f.deadline)})" if f.deadline else ""
                out.append(Paragraph(f"{_markup(f.title)}{deadline}", s.bullet, bulletText="•"))
        out.append(
            Paragraph(
                "If you have already sent a return, please contact the Business Unit so that we can check it "
                "arrived. Once we have your returns, we will send you feedback on them.",
                s.closing,
            )
        )
        out.append(Paragraph(_markup(_sign_off(c)), s.body))
        return out

    # Returns received ----------------------------------------------------------------------------

    def _returns(self) -> list[Flowable]:
        c, s = self.c, self.s
        out: list[Flowable] = [
            Paragraph(
                f"Thank you for your returns for {_markup(c.period)}. This letter gives you the Business Unit's "
                "view of them after review and the challenge event: your own rating of each standard beside the "
                "moderated rating, the statements we rated differently, our notes, and the actions from your "
                "action plan that are still open. Moderation never changes your signed return; it is recorded "
                "beside it.",
                s.body,
            ),
            Paragraph("The returns we received", s.h1),
        ]
        data: list[list[Any]] = [
            [Paragraph(t, s.cell_head) for t in ("Return", "Version", "Signed off", "Received", "Review")]
        ]
        for r in self.returns:
            signed = _when(r.signed_at) or "—"
            who = self.signatories.get(r.form_id)
            if who and any(who):
                signed += "<br/>by " + _markup(", ".join(part for part in who if part))
            if r.on_time is True:
                signed += "<br/><font color='#4b5563'>on time</font>"
            elif r.on_time is False:
                signed += "<br/><b>after the deadline</b>"
            status = REVIEW_WORDS.get(r.review_status, _clean(r.review_status).replace("_", " ").capitalize())
            data.append(
                [
                    Paragraph(f"<b>{_markup(r.form_title)}</b>", s.cell),
                    Paragraph(f"{r.version}<br/><font color='#4b5563'>form {_markup(r.form_version)}</font>", s.cell),
                    Paragraph(signed, s.cell),
                    Paragraph(_when(r.received_at) or "—", s.cell),
                    Paragraph(f"<b>{_markup(status)}</b>", s.cell_warn if r.review_status == "has_issues" else s.cell),
                ]
            )
        widths = [0.0, 22 * mm, 48 * mm, 26 * mm, 34 * mm]
        widths[0] = BODY_WIDTH - sum(widths)
        out.append(_grid(data, widths))
        missing = [f for f in c.headline.forms if self.agency not in f.returned]
        for f in missing:
            deadline = f" (the deadline is {_format_date(f.deadline)})" if f.deadline else ""
            out.append(
                Paragraph(
                    f"We have not received your {_markup(f.title)} return for {_markup(c.period)}{deadline}.",
                    ParagraphStyle("missing", parent=s.body, spaceBefore=4),
                )
            )
        return out

    # Summary -------------------------------------------------------------------------------------

    def _summary(self) -> list[Flowable]:
        c, s = self.c, self.s
        points: list[str] = []
        for r in self.returns:
            status = {
                "accepted": "was accepted by the Business Unit",
                "has_issues": "has issues the Business Unit has raised with you (see our notes below)",
                "received": "has been received and is waiting for review",
            }.get(r.review_status, f"has the review status “{_markup(r.review_status)}”")
            points.append(f"Your {_markup(r.form_title)} {status}.")
        if self.s11 is not None and self.row is not None and self.row.returned:
            cells = [(st, self.row.cell(st.id)) for st in c.standards]
            moderated = [(st, cell) for st, cell in cells if cell is not None and cell.moderated_level is not None]
            differs = [st for st, cell in moderated if cell.moderated_differs]
            if not moderated:
                points.append("None of your ratings were moderated: your own ratings stand.")
            else:
                text = f"The Business Unit moderated {len(moderated)} of your {_plural(len(c.standards), 'standard')}"
                codes = ", ".join(st.code for st in differs)
                agreed = len(moderated) - len(differs)
                if differs and agreed:
                    text += (
                        f": it agreed with your rating for {agreed} and rated "
                        f"<b>{_plural(len(differs), 'standard')} differently ({codes})</b>."
                    )
                elif differs:
                    text += f" and <b>rated {'it' if len(differs) == 1 else 'each'} differently from you ({codes})</b>."
                else:
                    text += f" and agreed with your rating for {'it' if agreed == 1 else 'each'}."
                points.append(text)
            statements = sum(len(self._differing(st)) for st in c.standards)
            if statements:
                points.append(
                    f"Across your return, {_plural(statements, 'statement')} "
                    f"{'has' if statements == 1 else 'have'} a moderated rating different from yours."
                )
            overdue = sum(1 for a in self.actions if a.overdue)
            if self.actions:
                points.append(
                    f"You have <b>{_plural(len(self.actions), 'open action')}</b> in your action plan"
                    + (
                        f", <b>{overdue} of them overdue</b> (due before {_format_date(c.as_of)})."
                        if overdue
                        else ", none of them overdue."
                    )
                )
            else:
                points.append("Your action plan has no open actions.")
        elif self.s11 is None:
            points.append(
                f"We have not received your Section 11 self-assessment for {_markup(c.period)}, so this letter "
                "has no ratings or actions to feed back."
            )
        out: list[Flowable] = [Paragraph("In short", s.h1)]
        out += [Paragraph(p, s.bullet, bulletText="•") for p in points]
        return out

    # Notes ---------------------------------------------------------------------------------------

    def _notes(self) -> list[Flowable]:
        s = self.s
        out: list[Flowable] = [Paragraph("The Business Unit's notes", s.h1)]
        any_notes = False
        has_standard_notes = False
        for r in self.returns:
            whole = [n for n in r.challenge_notes if not n.section_id]
            parts = [n for n in r.challenge_notes if n.section_id]
            if r.form_id == SECTION11:
                has_standard_notes = has_standard_notes or bool(parts)
            if not (r.review_notes or whole or (parts and r.form_id != SECTION11)):
                continue
            any_notes = True
            status = REVIEW_WORDS.get(r.review_status, _clean(r.review_status))
            out.append(Paragraph(f"{_markup(r.form_title)} — {_markup(status)}", s.h2))
            if r.review_notes:
                out.append(self._note_box("From the review of your return", r.review_notes))
            for n in whole:
                out.append(self._note_box("From the challenge event, on the return as a whole", n.text))
            if r.form_id != SECTION11:  # no standards to put them under
                for n in parts:
                    out.append(self._note_box(f"From the challenge event, on {_clean(n.label)}", n.text))
        if not any_notes:
            out.append(
                Paragraph(
                    "The Business Unit has added no notes on your returns as a whole."
                    + (
                        " Its notes on particular standards are with those standards below."
                        if has_standard_notes
                        else ""
                    ),
                    s.body,
                )
            )
        elif has_standard_notes:
            out.append(Paragraph("Notes on particular standards are with those standards below.", s.small))
        return out

    def _note_box(self, heading: str, text: str) -> Flowable:
        s = self.s
        inner: list[Flowable] = [Paragraph(_markup(heading), s.note_by), *_paragraphs(text, s.note)]
        return KeepTogether(
            [
                Table(
                    [[inner]],
                    colWidths=[BODY_WIDTH],
                    hAlign="LEFT",
                    style=_table_style(
                        [
                            ("BACKGROUND", (0, 0), (-1, -1), NOTE_FILL),
                            ("LINEBEFORE", (0, 0), (0, -1), 2.4, ACCENT),
                            ("LEFTPADDING", (0, 0), (-1, -1), 8),
                            ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                            ("TOPPADDING", (0, 0), (-1, -1), 5),
                            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                        ]
                    ),
                ),
                Spacer(1, 3 * mm),
            ]
        )

    # Ratings -------------------------------------------------------------------------------------

    def _differing(self, st: StandardSummary) -> list[StatementRating]:
        return [
            r
            for r in self.ratings.get(st.id, [])
            if r.moderated_level is not None and (r.self_level is None or r.moderated_level.id != r.self_level.id)
        ]

    def _standard_notes(self, standard_id: str) -> list[ReviewNote]:
        if self.s11 is None:
            return []
        return [n for n in self.s11.challenge_notes if n.section_id == standard_id]

    def _ratings(self) -> list[Flowable]:
        c, s = self.c, self.s
        if self.s11 is None or self.row is None or not c.standards:
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
        cells = [self.row.cell(st.id) or MatrixCell(st.id, None, None) for st in c.standards]
        moderated = any(cell.moderated_level is not None for cell in cells)
        heads = ["Standard", "Your rating", "Moderated rating"] + (["Outcome"] if moderated else [])
        data: list[list[Any]] = [[Paragraph(t, s.cell_head) for t in heads]]
        extra: list[tuple[Any, ...]] = [("VALIGN", (1, 1), (-1, -1), "MIDDLE")]
        for st, cell in zip(c.standards, cells, strict=True):
            r = len(data)
            own, own_fill = _rating_cell(
                s, cell.self_level, self._detail(cell.self_level, cell.self_mean), r, 1, empty="Not rated"
            )
            mod, mod_fill = _rating_cell(
                s,
                cell.moderated_level,
                self._detail(cell.moderated_level, cell.moderated_mean),
                r,
                2,
                empty="Not moderated",
            )
            row: list[Any] = [Paragraph(f"<b>{st.code}</b> {_markup(st.title)}", s.cell), own, mod]
            if moderated:
                outcome = _outcome(cell, len(self._differing(st)))
                row.append(Paragraph(f"<b>{outcome}</b>" if cell.moderated_differs else outcome, s.cell))
            data.append(row)
            extra += own_fill + mod_fill
            if cell.moderated_differs:
                extra.append(("BOX", (2, r), (2, r), 1.6, INK))
        widths = [0.0, 30 * mm, 30 * mm] + ([34 * mm] if moderated else [])
        widths[0] = BODY_WIDTH - sum(widths)
        out.append(_grid(data, widths, extra))
        key = ""
        if c.scale is not None:
            key = "<b>Levels:</b> " + "; ".join(_markup(lv.display) for lv in c.scale.choices) + ". "
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
        out += self._details()
        return out

    @staticmethod
    def _detail(level: Level | None, mean: float | None) -> str:
        if level is None or level.id == NOT_APPLICABLE or mean is None:
            return ""
        return f"mean {_mean(mean)}"

    def _details(self) -> list[Flowable]:
        c, s = self.c, self.s
        assert self.s11 is not None
        heading = Paragraph("Standard by standard", s.h1)
        blocks = []
        for st in c.standards:
            differing = self._differing(st)
            notes = self._standard_notes(st.id)
            if differing or notes:
                blocks.append(self._standard(st, differing, notes))
        if not blocks and not self.s11.moderated:
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
        self, st: StandardSummary, differing: list[StatementRating], notes: list[ReviewNote]
    ) -> list[Flowable]:
        s = self.s
        assert self.s11 is not None and self.row is not None
        cell = self.row.cell(st.id)
        head: list[Flowable] = [Paragraph(f"{st.code} {_markup(st.title)}", s.h2)]
        facts = []
        if cell is not None:
            own = _level_words(cell.self_level) if cell.self_level else "not rated"
            facts.append(f"Your rating: <b>{own}</b>")
            if cell.moderated_level is not None:
                facts.append(f"moderated rating: <b>{_level_words(cell.moderated_level)}</b>")
        whole = self.s11.moderated.get(st.id)
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
            data: list[list[Any]] = [
                [Paragraph(t, s.cell_head) for t in ("Statement", "Your rating", "Moderated rating")]
            ]
            extra: list[tuple[Any, ...]] = [("VALIGN", (1, 1), (-1, -1), "MIDDLE")]
            for r in differing:
                row = len(data)
                own, own_fill = _rating_cell(s, r.self_level, self._pct(r.self_level), row, 1, empty="Not rated")
                mod, mod_fill = _rating_cell(s, r.moderated_level, self._pct(r.moderated_level), row, 2, empty="—")
                own_words = " (rated on its own)" if r.statement_id in self.s11.moderated else ""
                data.append(
                    [
                        Paragraph(
                            f"<b>{_markup(r.statement_id)}</b> {_markup(r.statement)}"
                            + (f"<br/><font color='#4b5563'>{own_words.strip()}</font>" if own_words else ""),
                            s.cell,
                        ),
                        own,
                        mod,
                    ]
                )
                extra += own_fill + mod_fill
            widths = [0.0, 30 * mm, 30 * mm]
            widths[0] = BODY_WIDTH - sum(widths)
            body.append(Spacer(1, 1 * mm))
            body.append(_grid(data, widths, extra))
            body.append(Spacer(1, 2.5 * mm))
        for n in notes:
            about = "this standard" if n.target == st.id else f"statement {_clean(n.label)}"
            body.append(self._note_box(f"From the challenge event, on {about}", n.text))
        return head + body

    @staticmethod
    def _pct(level: Level | None) -> str:
        return f"{level.percentage}%" if level is not None and level.percentage is not None else ""

    # Actions -------------------------------------------------------------------------------------

    def _actions(self) -> list[Flowable]:
        c, s = self.c, self.s
        if self.s11 is None:
            return []
        out: list[Flowable] = [CondPageBreak(50 * mm), Paragraph("Your open actions", s.h1)]
        if not self.actions:
            out.append(Paragraph("Your Section 11 action plan has no open actions: every action is complete.", s.body))
            return out
        overdue = sum(1 for a in self.actions if a.overdue)
        out.append(
            Paragraph(
                f"The actions from the action plan in your Section 11 self-assessment that are not yet complete: "
                f"{_plural(len(self.actions), 'open action')}"
                + (f", of which <b>{overdue} overdue</b>" if overdue else "")
                + f". An action is overdue when its due date is before {_format_date(c.as_of)}. Overdue actions "
                "come first. Open actions carry into next year's return; please update them there.",
                s.small,
            )
        )
        out.append(Spacer(1, 1.5 * mm))
        out.append(self._action_table(self.actions))
        return out

    def _action_table(self, actions: Sequence[ActionRow]) -> Table:
        s = self.s
        data: list[list[Any]] = [[Paragraph(t, s.cell_head) for t in ("Standard", "Action", "Lead", "Due", "Status")]]
        for a in actions:
            due = _format_date(a.due) if a.due else (_markup(a.due_text) or "—")
            status = _markup(a.status_label)
            style = s.cell_warn if a.overdue else s.cell
            data.append(
                [
                    Paragraph(
                        f"<b>{_markup(a.standard_code)}</b>" if a.standard_code else _markup(a.standard_title), s.cell
                    ),
                    Paragraph(_markup(a.action) or "—", s.cell),
                    Paragraph(_markup(a.lead) or "—", s.cell),
                    Paragraph(due, style),
                    Paragraph(f"{status}<br/><b>Overdue</b>" if a.overdue else status, style),
                ]
            )
        widths = [19 * mm, 0.0, 32 * mm, 22 * mm, 24 * mm]
        widths[1] = BODY_WIDTH - sum(widths)
        return _grid(data, widths)

    # Closing -------------------------------------------------------------------------------------

    def _closing(self) -> list[Flowable]:
        c, s = self.c, self.s
        out: list[Flowable] = []
        mine = [n for n in c.notes if n.startswith(f"{self.agency}:")]
        if mine:
            out.append(Paragraph("Notes on your data", s.h2))
            out += [Paragraph(_markup(n), s.bullet, bulletText="•") for n in mine]
        out += [
            Paragraph(
                "If anything in this letter is unclear, or you think a moderated rating is wrong, please contact "
                "the Business Unit: we are glad to talk it through. Thank you for the work behind your returns, "
                "and for everything your agency does to keep children and adults safe.",
                s.closing,
            ),
            Paragraph(_markup(_sign_off(c)), s.body),
        ]
        return [KeepTogether(out)]

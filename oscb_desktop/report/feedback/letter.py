"""A feedback letter's parts other than the ratings: the opening, the returns received, the summary, the
Business Unit's notes, the open actions and the closing; and :class:`Letter`, what every part draws on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Paragraph, Spacer, Table

from oscb_desktop.collate.result import (
    ActionRow,
    Collation,
    MatrixRow,
    ReturnReceived,
    StandardSummary,
    StatementRating,
)
from oscb_desktop.forms.known import SELF_ASSESSMENT
from oscb_desktop.report.feedback.template import (
    BODY_WIDTH,
    NOTE_FILL,
    TITLE,
    LetterStyles,
    sign_off,
    signature,
    whom_to_contact,
)
from oscb_desktop.report.house.palette import ACCENT
from oscb_desktop.report.house.tables import grid, key_value_table, table_style
from oscb_desktop.report.house.text import clean, format_date, markup, paragraphs
from oscb_desktop.report.words import plural

#: How a review status reads in a letter to the agency.
REVIEW_WORDS = {
    "received": "Received, not yet reviewed",
    "has_issues": "Issues raised",
    "accepted": "Accepted",
}


@dataclass(frozen=True)
class Letter:
    """One agency's letter: the collation, and what in it concerns the agency."""

    c: Collation
    agency: str
    s: LetterStyles
    #: Form id -> (name, role) of whoever signed the agency's return of it.
    signatories: Mapping[str, tuple[str, str]]
    returns: Sequence[ReturnReceived]
    #: The agency's Section 11 return, if it sent one.
    s11: ReturnReceived | None
    row: MatrixRow | None
    #: Its open actions, overdue first, then in the order of the standards and by due date.
    actions: Sequence[ActionRow]
    #: Its statement ratings by standard id.
    ratings: Mapping[str, Sequence[StatementRating]]
    #: What the partnership requires of the agency after the challenge event: (where, what, due).
    required: Sequence[tuple[str, str, date | None]] = ()

    @classmethod
    def of(cls, c: Collation, agency: str, s: LetterStyles, signatories: Mapping[str, tuple[str, str]]) -> Letter:
        returns = c.returns_of(agency)
        order = {st.id: n for n, st in enumerate(c.standards)}
        ratings: dict[str, list[StatementRating]] = {}
        for r in c.ratings:
            if r.agency == agency:
                ratings.setdefault(r.standard_id, []).append(r)
        return cls(
            c=c,
            agency=agency,
            s=s,
            signatories=signatories,
            returns=returns,
            s11=next((r for r in returns if r.form_kind == SELF_ASSESSMENT), None),
            row=next((row for row in c.matrix if row.agency == agency), None),
            actions=sorted(
                (a for a in c.actions if a.agency == agency and a.open),
                key=lambda a: (not a.overdue, order.get(a.standard_id, len(order)), a.due or date.max),
            ),
            ratings=ratings,
        )

    def differing(self, st: StandardSummary) -> list[StatementRating]:
        """The statements of ``st`` the Business Unit rated differently from the agency."""
        return [
            r
            for r in self.ratings.get(st.id, [])
            if r.moderated_level is not None and (r.self_level is None or r.moderated_level.id != r.self_level.id)
        ]


def _when(value: str | None) -> str:
    return format_date(value[:10]) if value else ""


def note_box(s: LetterStyles, heading: str, text: str) -> Flowable:
    """A note of the Business Unit's, under a heading that says where it comes from, in a shaded box."""
    inner: list[Flowable] = [Paragraph(markup(heading), s.note_by), *paragraphs(text, s.note)]
    return KeepTogether(
        [
            Table(
                [[inner]],
                colWidths=[BODY_WIDTH],
                hAlign="LEFT",
                style=table_style(
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


# Opening -----------------------------------------------------------------------------------------


def opening(x: Letter) -> list[Flowable]:
    c, s = x.c, x.s
    facts = [
        ("To", f"<b>{markup(x.agency)}</b>"),
        ("From", markup(sign_off(c))),
        ("Date", format_date(c.as_of)),
        ("Reporting period", markup(c.period)),
    ]
    return [
        Paragraph(TITLE, s.title),
        Paragraph(f"Reporting period {markup(c.period)}", s.subtitle),
        Spacer(1, 6 * mm),
        key_value_table(s, facts, width=BODY_WIDTH, label_width=38 * mm, padding=(3, 4)),
        Spacer(1, 5 * mm),
    ]


def nothing_received(x: Letter) -> list[Flowable]:
    """The whole letter to an agency that sent no return for the period."""
    c, s = x.c, x.s
    out: list[Flowable] = [
        Paragraph(
            f"We have not received any returns from {markup(x.agency)} for {markup(c.period)}, so there "
            "are no ratings, notes or actions to feed back yet.",
            s.body,
        )
    ]
    due = list(c.headline.forms)
    if due:
        out.append(Paragraph("The returns we are waiting for:", s.body))
        for f in due:
            deadline = f" (deadline {format_date(f.deadline)})" if f.deadline else ""
            out.append(Paragraph(f"{markup(f.title)}{deadline}", s.bullet, bulletText="•"))
    out.append(
        Paragraph(
            f"If you have already sent a return, please contact {whom_to_contact(c)} so that we can check it "
            "arrived. Once we have your returns, we will send you feedback on them.",
            s.closing,
        )
    )
    out.append(Paragraph(signature(c), s.body))
    return out


# Returns received --------------------------------------------------------------------------------


def returns(x: Letter) -> list[Flowable]:
    c, s = x.c, x.s
    out: list[Flowable] = [
        Paragraph(
            f"Thank you for your returns for {markup(c.period)}. This letter gives you the Business Unit's "
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
    for r in x.returns:
        signed = _when(r.signed_at) or "—"
        who = x.signatories.get(r.form_id)
        if who and any(who):
            signed += "<br/>by " + markup(", ".join(part for part in who if part))
        if r.on_time is True:
            signed += "<br/><font color='#4b5563'>on time</font>"
        elif r.on_time is False:
            signed += "<br/><b>after the deadline</b>"
        status = REVIEW_WORDS.get(r.review_status, clean(r.review_status).replace("_", " ").capitalize())
        data.append(
            [
                Paragraph(f"<b>{markup(r.form_title)}</b>", s.cell),
                Paragraph(f"{r.version}<br/><font color='#4b5563'>form {markup(r.form_version)}</font>", s.cell),
                Paragraph(signed, s.cell),
                Paragraph(_when(r.received_at) or "—", s.cell),
                Paragraph(f"<b>{markup(status)}</b>", s.cell_warn if r.review_status == "has_issues" else s.cell),
            ]
        )
    widths = [0.0, 22 * mm, 48 * mm, 26 * mm, 34 * mm]
    widths[0] = BODY_WIDTH - sum(widths)
    out.append(grid(data, widths))
    missing = [f for f in c.headline.forms if x.agency not in f.returned]
    for f in missing:
        deadline = f" (the deadline is {format_date(f.deadline)})" if f.deadline else ""
        out.append(
            Paragraph(
                f"We have not received your {markup(f.title)} return for {markup(c.period)}{deadline}.",
                ParagraphStyle("missing", parent=s.body, spaceBefore=4),
            )
        )
    return out


# Summary -----------------------------------------------------------------------------------------


def summary(x: Letter) -> list[Flowable]:
    """'In short': each return's review, the moderation, and the open actions, in a few sentences."""
    c, s = x.c, x.s
    points: list[str] = []
    for r in x.returns:
        status = {
            "accepted": "was accepted by the Business Unit",
            "has_issues": "has issues the Business Unit has raised with you (see our notes below)",
            "received": "has been received and is waiting for review",
        }.get(r.review_status, f"has the review status “{markup(r.review_status)}”")
        points.append(f"Your {markup(r.form_title)} {status}.")
    if x.s11 is not None and x.row is not None and x.row.returned:
        cells = [(st, x.row.cell(st.id)) for st in c.standards]
        moderated = [(st, cell) for st, cell in cells if cell is not None and cell.moderated_level is not None]
        differs = [st for st, cell in moderated if cell.moderated_differs]
        if not moderated:
            points.append("None of your ratings were moderated: your own ratings stand.")
        else:
            text = f"The Business Unit moderated {len(moderated)} of your {plural(len(c.standards), 'standard')}"
            codes = ", ".join(st.code for st in differs)
            agreed = len(moderated) - len(differs)
            if differs and agreed:
                text += (
                    f": it agreed with your rating for {agreed} and rated "
                    f"<b>{plural(len(differs), 'standard')} differently ({codes})</b>."
                )
            elif differs:
                text += f" and <b>rated {'it' if len(differs) == 1 else 'each'} differently from you ({codes})</b>."
            else:
                text += f" and agreed with your rating for {'it' if agreed == 1 else 'each'}."
            points.append(text)
        statements = sum(len(x.differing(st)) for st in c.standards)
        if statements:
            points.append(
                f"Across your return, {plural(statements, 'statement')} "
                f"{'has' if statements == 1 else 'have'} a moderated rating different from yours."
            )
        overdue = sum(1 for a in x.actions if a.overdue)
        if x.actions:
            points.append(
                f"You have <b>{plural(len(x.actions), 'open action')}</b> in your action plan"
                + (
                    f", <b>{overdue} of them overdue</b> (due before {format_date(c.as_of)})."
                    if overdue
                    else ", none of them overdue."
                )
            )
        else:
            points.append("Your action plan has no open actions.")
    elif x.s11 is None:
        points.append(
            f"We have not received your Section 11 self-assessment for {markup(c.period)}, so this letter "
            "has no ratings or actions to feed back."
        )
    out: list[Flowable] = [Paragraph("In short", s.h1)]
    out += [Paragraph(p, s.bullet, bulletText="•") for p in points]
    return out


# Notes -------------------------------------------------------------------------------------------


def notes(x: Letter) -> list[Flowable]:
    """The Business Unit's notes on each return as a whole (those on a standard go with the standard)."""
    s = x.s
    out: list[Flowable] = [Paragraph("The Business Unit's notes", s.h1)]
    any_notes = False
    has_standard_notes = False
    for r in x.returns:
        whole = [n for n in r.challenge_notes if not n.section_id]
        parts = [n for n in r.challenge_notes if n.section_id]
        if r.form_kind == SELF_ASSESSMENT:
            has_standard_notes = has_standard_notes or bool(parts)
        if not (r.review_notes or whole or (parts and r.form_kind != SELF_ASSESSMENT)):
            continue
        any_notes = True
        status = REVIEW_WORDS.get(r.review_status, clean(r.review_status))
        out.append(Paragraph(f"{markup(r.form_title)} — {markup(status)}", s.h2))
        if r.review_notes:
            out.append(note_box(s, "From the review of your return", r.review_notes))
        for n in whole:
            out.append(note_box(s, "From the challenge event, on the return as a whole", n.text))
        if r.form_kind != SELF_ASSESSMENT:  # no standards to put them under
            for n in parts:
                out.append(note_box(s, f"From the challenge event, on {clean(n.label)}", n.text))
    if not any_notes:
        out.append(
            Paragraph(
                "The Business Unit has added no notes on your returns as a whole."
                + (" Its notes on particular standards are with those standards below." if has_standard_notes else ""),
                s.body,
            )
        )
    elif has_standard_notes:
        out.append(Paragraph("Notes on particular standards are with those standards below.", s.small))
    return out


# Actions -----------------------------------------------------------------------------------------


def required(x: Letter) -> list[Flowable]:
    """The actions the partnership requires, each with where and by when (they also travel in the signed
    feedback file, and start next year's action plan)."""
    s = x.s
    if not x.required:
        return []
    out: list[Flowable] = [
        CondPageBreak(40 * mm),
        Paragraph("What the partnership requires", s.h1),
        Paragraph(
            f"After the challenge event the partnership asks you to take {plural(len(x.required), 'action')}. "
            "They will appear in next year's action plan, marked as required by the partnership.",
            s.small,
        ),
        Spacer(1, 1.5 * mm),
    ]
    data: list[list[Any]] = [[Paragraph(t, s.cell_head) for t in ("Where", "Action", "Due")]]
    for where, what, due in x.required:
        data.append(
            [
                Paragraph(markup(where) or "The return as a whole", s.cell),
                Paragraph(markup(what), s.cell),
                Paragraph(format_date(due) if due else "—", s.cell),
            ]
        )
    widths = [45 * mm, 0.0, 24 * mm]
    widths[1] = BODY_WIDTH - sum(widths)
    out.append(grid(data, widths))
    return out


def actions(x: Letter) -> list[Flowable]:
    c, s = x.c, x.s
    if x.s11 is None:
        return []
    out: list[Flowable] = [CondPageBreak(50 * mm), Paragraph("Your open actions", s.h1)]
    if not x.actions:
        out.append(Paragraph("Your Section 11 action plan has no open actions: every action is complete.", s.body))
        return out
    overdue = sum(1 for a in x.actions if a.overdue)
    out.append(
        Paragraph(
            f"The actions from the action plan in your Section 11 self-assessment that are not yet complete: "
            f"{plural(len(x.actions), 'open action')}"
            + (f", of which <b>{overdue} overdue</b>" if overdue else "")
            + f". An action is overdue when its due date is before {format_date(c.as_of)}. Overdue actions "
            "come first. Open actions carry into next year's return; please update them there.",
            s.small,
        )
    )
    out.append(Spacer(1, 1.5 * mm))
    out.append(_action_table(s, x.actions))
    return out


def _action_table(s: LetterStyles, rows: Sequence[ActionRow]) -> Table:
    data: list[list[Any]] = [[Paragraph(t, s.cell_head) for t in ("Standard", "Action", "Lead", "Due", "Status")]]
    for a in rows:
        due = format_date(a.due) if a.due else (markup(a.due_text) or "—")
        status = markup(a.status_label)
        style = s.cell_warn if a.overdue else s.cell
        data.append(
            [
                Paragraph(f"<b>{markup(a.standard_code)}</b>" if a.standard_code else markup(a.standard_title), s.cell),
                Paragraph(markup(a.action) or "—", s.cell),
                Paragraph(markup(a.lead) or "—", s.cell),
                Paragraph(due, style),
                Paragraph(f"{status}<br/><b>Overdue</b>" if a.overdue else status, style),
            ]
        )
    widths = [19 * mm, 0.0, 32 * mm, 22 * mm, 24 * mm]
    widths[1] = BODY_WIDTH - sum(widths)
    return grid(data, widths)


# Closing -----------------------------------------------------------------------------------------


def closing(x: Letter) -> list[Flowable]:
    c, s = x.c, x.s
    out: list[Flowable] = []
    mine = [n for n in c.notes if n.startswith(f"{x.agency}:")]
    if mine:
        out.append(Paragraph("Notes on your data", s.h2))
        out += [Paragraph(markup(n), s.bullet, bulletText="•") for n in mine]
    out += [
        Paragraph(
            "If anything in this letter is unclear, or you think a moderated rating is wrong, please contact "
            f"{whom_to_contact(c)}: we are glad to talk it through. Thank you for the work behind your returns, "
            "and for everything your agency does to keep children and adults safe.",
            s.closing,
        ),
        Paragraph(signature(c), s.body),
    ]
    return [KeepTogether(out)]

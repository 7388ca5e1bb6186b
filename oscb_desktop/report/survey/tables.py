"""The practitioner survey's counts as printed tables, shared by the submission PDF and the board report: every
count under the threshold reads "fewer than N", and no percentage is printed that a suppressed count would give."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer

from oscb_desktop.forms.model import FormDefinition
from oscb_desktop.report.house.palette import WARN
from oscb_desktop.report.house.styles import Styles
from oscb_desktop.report.house.tables import grid
from oscb_desktop.report.house.text import markup
from oscb_desktop.survey.compare import Beside, SurveyView
from oscb_desktop.survey.counts import SurveyCounts, favourable_words, in_words


def answers_text(form: FormDefinition, counts: SurveyCounts, question_id: str) -> str:
    """``Yes 40 · No fewer than 5 · Not sure fewer than 5`` (plain text)."""
    found = counts.in_order(form, question_id)
    if not found:
        return "not asked"
    return " · ".join(f"{label}: {in_words(n, counts.threshold)}" for _, label, n in found)


def favourable_text(form: FormDefinition, counts: SurveyCounts, question_id: str) -> str:
    """``75 % Yes``, ``at least 60 % Strongly agree or Agree``, or "" (no favourable answer, or too few)."""
    q = counts.question(question_id)
    if q is None or not form.has_item(question_id) or not form.item(question_id).favourable:
        return ""
    item = form.item(question_id)
    share = q.share(item.favourable)
    if not share.known:
        return ""
    if share.high < counts.threshold:
        return f"fewer than {counts.threshold} {favourable_words(item)}"
    return f"{share.percent_words()} {favourable_words(item)}"


def counts_table(view: SurveyView, s: Styles, width: float) -> Flowable:
    """One row per question: its code and text, how many answered, each answer's count, the favourable share."""
    form, counts = view.form, view.counts
    rows: list[list[object]] = [
        [Paragraph(h, s.cell_head) for h in ("", "Question", "Answered", "Answers", "Favourable")]
    ]
    for item in form.items():
        q = counts.question(item.id)
        if q is None:
            continue
        rows.append(
            [
                Paragraph(markup(form.item_code(item.id)), s.cell_muted),
                Paragraph(markup(" ".join(item.label.split())), s.cell),
                Paragraph(in_words(q.answered, counts.threshold), s.cell_right),
                Paragraph(markup(answers_text(form, counts, item.id)), s.cell),
                Paragraph(markup(favourable_text(form, counts, item.id)), s.cell),
            ]
        )
    widths = [10 * mm, width * 0.36, 21 * mm, 0, 30 * mm]
    widths[3] = width - sum(widths)
    return grid(rows, widths)


def divergence_lines(pairs: tuple[Beside, ...], s: Styles) -> list[Flowable]:
    """Each pair as a line, divergent ones marked."""
    out: list[Flowable] = []
    for p in pairs:
        mark = f'<font color="#{WARN.hexval()[2:]}"><b>Diverges:</b></font> ' if p.diverges else ""
        out.append(Paragraph(mark + markup(p.text), s.bullet, bulletText="•"))
    return out


def survey_section(view: SurveyView, s: Styles, width: float) -> list[Flowable]:
    """The survey's part of a document (without its heading): who responded, the table, beside the ratings."""
    c = view.counts
    out: list[Flowable] = [
        Paragraph(
            f"{in_words(c.respondents, c.threshold).capitalize()} practitioners answered the agency's "
            f"{markup(view.form.title.lower())} for {markup(c.period)}. Only the number giving each answer is kept; "
            f"any number under {c.threshold} is shown as “fewer than {c.threshold}”.",
            s.body,
        ),
        counts_table(view, s, width),
        Spacer(1, 3 * mm),
    ]
    if view.pairs:
        out.append(Paragraph("<b>Beside the agency's ratings</b>", s.body))
        if view.rule:
            out.append(Paragraph(markup(view.rule), s.small))
        out += divergence_lines(view.pairs, s)
    return out

"""The survey as a printable questionnaire, in the house style: an introduction that says it is anonymous and
reported only as totals, then each question with a tick box per answer."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, NextPageTemplate, Paragraph, Spacer, Table

from oscb_desktop.forms.model import FormDefinition
from oscb_desktop.report import fonts
from oscb_desktop.report.house.palette import MARGIN_X, PAGE_WIDTH, RULE
from oscb_desktop.report.house.styles import Styles
from oscb_desktop.report.house.tables import table_style
from oscb_desktop.report.house.template import HouseTemplate
from oscb_desktop.report.house.text import clean, markup, paragraphs

BODY_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
BOX = "\u2610"  # ☐


def render_questionnaire_pdf(form: FormDefinition, partnership: str = "") -> bytes:
    """The PDF's bytes; ``partnership`` names who asks (on the band and in the header)."""
    fonts.register_fonts()
    s = Styles()
    who = clean(partnership) or "Safeguarding partnership"
    doc = HouseTemplate(
        title=f"{clean(form.title)} {clean(form.period)} — {who}",
        author=who,
        subject=f"{clean(form.title)}, {clean(form.period)}: questionnaire for practitioners",
        keywords=["practitioner survey", "Section 11", clean(form.period)],
        header_left=who,
        header_right=f"{clean(form.title)} · {clean(form.period)}",
        footer="Anonymous: only totals are reported, and any total under "
        f"{form.survey.threshold if form.survey else 5} is never shown",
        first_top=30 * mm,
        band=22 * mm,
        band_title=who,
        band_subtitle=clean(form.title),
        footer_on_first=True,
        number_from=1,
    )
    story: list = [
        NextPageTemplate("body"),
        Paragraph(markup(form.title), s.h1),
        Paragraph(f"Reporting period {markup(form.period)}", s.small),
        Spacer(1, 3 * mm),
        *paragraphs(form.description, s.body),
        Paragraph("Tick one answer for each question. Please do not write your name on this form.", s.body),
    ]
    for section in form.sections:
        story.append(Paragraph(markup(form.section_label(section)), s.h2))
        if section.guidance.strip():
            story.append(Paragraph(markup(" ".join(section.guidance.split())), s.small))
        for item in section.items:
            boxes = [[Paragraph(f"{BOX}&nbsp;&nbsp;{markup(o.label)}", s.cell)] for o in item.options]
            code, label = markup(form.item_code(item.id)), markup(" ".join(item.label.split()))
            block = [Paragraph(f"<b>{code}</b>&nbsp;&nbsp;{label}", s.body)]
            if item.guidance.strip():
                block.append(Paragraph(markup(" ".join(item.guidance.split())), s.small))
            block.append(
                Table(
                    boxes,
                    colWidths=[BODY_WIDTH - 8 * mm],
                    hAlign="RIGHT",
                    style=table_style([("BOTTOMPADDING", (0, 0), (-1, -1), 2), ("TOPPADDING", (0, 0), (-1, -1), 2)]),
                )
            )
            block.append(Spacer(1, 2 * mm))
            block.append(Table([[""]], colWidths=[BODY_WIDTH], style=[("LINEABOVE", (0, 0), (-1, 0), 0.4, RULE)]))
            story.append(KeepTogether(block))
    story.append(Spacer(1, 4 * mm))
    story.append(Paragraph("Thank you. Return the form as your agency asks you to.", s.body))
    return doc.render(story)

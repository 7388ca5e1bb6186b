"""The submission PDF's story: cover, contents, the summary of ratings, every section with its answers, and
the sign-off page with the box for the signature."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Indenter,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
)

from oscb_desktop.forms.model import NOT_APPLICABLE, Item, Level, Scale, Section
from oscb_desktop.report.house.palette import (
    BOLD,
    HEAD_FILL,
    INK,
    PAGE_HEIGHT,
    RULE,
    STRIPE,
    level_colour,
    text_colour_on,
)
from oscb_desktop.report.house.styles import contents
from oscb_desktop.report.house.tables import key_value_table, table_style
from oscb_desktop.report.house.text import clean, format_date, format_time, markup
from oscb_desktop.report.submission.answers import answer
from oscb_desktop.report.submission.flowables import Chip, SignatureBox, rating_text
from oscb_desktop.report.submission.template import BODY_WIDTH, DRAFT_RED, SubmissionStyles, status_label
from oscb_desktop.report.survey.tables import survey_section
from oscb_desktop.report.words import mean

if TYPE_CHECKING:
    from oscb_desktop.report.submission import ReturnDocument

#: Where the sign-off page's signature box is: (0-based page, (x1, y1, x2, y2) in points).
OnPlace = Callable[[int, tuple[float, float, float, float]], None]


def build_story(doc: ReturnDocument, s: SubmissionStyles, *, draft: bool, on_place: OnPlace) -> list[Flowable]:
    """The whole return; ``on_place`` hears where the signature box was laid out."""
    has_summary = any(item.type == "rating" for item in doc.form.items())
    story: list[Flowable] = [NextPageTemplate("body"), *_cover(doc, s, draft=draft), PageBreak()]
    story += [*contents(s, gap=4 * mm), PageBreak()]
    if has_summary:
        story += _summary(doc, s)
    for n, section in enumerate(doc.form.sections, start=1):
        story += _section(doc, s, n, section, first=n == 1, has_summary=has_summary)
    if doc.survey is not None:
        story += [CondPageBreak(60 * mm), s.heading("What practitioners said", "survey")]
        story += survey_section(doc.survey, s, BODY_WIDTH)
    story += [PageBreak(), *_sign_off(doc, s, draft=draft, on_place=on_place)]
    return story


def _signed(doc: ReturnDocument, draft: bool) -> bool:
    return bool(doc.signatory_name) and not draft


# --- Cover ---------------------------------------------------------------------------------------


def _cover(d: ReturnDocument, s: SubmissionStyles, *, draft: bool) -> list[Flowable]:
    form = d.form
    out: list[Flowable] = [
        Paragraph(markup(form.title), s.cover_title),
        Paragraph(f"Reporting period {markup(d.period)}", s.cover_sub),
        Spacer(1, 16 * mm),
        Paragraph(markup(d.agency_name), s.cover_agency),
    ]
    if d.agency_sector:
        out.append(Paragraph(markup(d.agency_sector), s.cover_sub))
    out.append(Spacer(1, 10 * mm))
    if draft:
        banner = Table(
            [
                [
                    Paragraph(
                        "<b>DRAFT</b> — not signed. This is a preview of the return for checking; the signed PDF "
                        "is made when a senior officer signs the return off.",
                        ParagraphStyle("banner", parent=s.body, textColor=DRAFT_RED, spaceAfter=0),
                    )
                ]
            ],
            colWidths=[BODY_WIDTH],
            style=table_style(
                [
                    ("BOX", (0, 0), (-1, -1), 1.2, DRAFT_RED),
                    ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#fef2f2")),
                    ("LEFTPADDING", (0, 0), (-1, -1), 8),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                    ("TOPPADDING", (0, 0), (-1, -1), 6),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
                ]
            ),
        )
        out += [banner, Spacer(1, 8 * mm)]
    if _signed(d, draft):
        signed_by = markup(d.signatory_name)
        if d.signatory_role:
            signed_by += f", {markup(d.signatory_role)}"
        signed_on = markup(format_time(d.signed_at)) or "—"
    else:
        signed_by = signed_on = "<i>Not signed yet</i>"
    # What a reader needs; the form's version and the submission id are at the end ("Document details").
    rows = [
        ("Reporting period", markup(d.period)),
        ("Version of this return", str(d.version)),
        ("Status", markup(status_label(d.status)) + (" — preview, not signed" if draft else "")),
        ("Signed off by", signed_by),
        ("Signed on", signed_on),
    ]
    if form.deadline:
        rows.append(("Deadline", format_date(form.deadline)))
    out.append(key_value_table(s, rows, width=BODY_WIDTH, label_width=42 * mm, padding=(5, 6)))
    if form.description:
        out += [Spacer(1, 10 * mm), Paragraph(markup(form.description), s.guidance)]
    return out


# --- Summary -------------------------------------------------------------------------------------


@dataclass
class Tally:
    """Ratings of a group of statements on one scale."""

    scale: Scale
    counts: dict[str, int] = field(default_factory=dict)
    unanswered: int = 0
    percentages: list[int] = field(default_factory=list)

    def add(self, value: Any) -> None:
        level_id = value.get("level") if isinstance(value, dict) else None
        level = self.scale.level(str(level_id)) if level_id else None
        if level is None:
            self.unanswered += 1
            return
        self.counts[level.id] = self.counts.get(level.id, 0) + 1
        if level.id != NOT_APPLICABLE and level.percentage is not None:
            self.percentages.append(level.percentage)

    def merge(self, other: Tally) -> None:
        for k, v in other.counts.items():
            self.counts[k] = self.counts.get(k, 0) + v
        self.unanswered += other.unanswered
        self.percentages += other.percentages

    @property
    def mean(self) -> str:
        return mean(sum(self.percentages) / len(self.percentages) if self.percentages else None)


def _tallies(doc: ReturnDocument, section: Section) -> dict[str, Tally]:
    out: dict[str, Tally] = {}
    for item in section.items:
        if item.type == "rating" and item.scale is not None:
            tally = out.setdefault(item.scale.id, Tally(item.scale))
            tally.add(doc.answers.get(item.id))
    return out


def _summary(doc: ReturnDocument, s: SubmissionStyles) -> list[Flowable]:
    out: list[Flowable] = [s.heading("Summary of ratings", "summary")]
    out.append(
        Paragraph(
            "How the agency rated each statement, by standard. The mean is the average percentage of the "
            "rated statements; statements that do not apply (N/A), or are not answered, are left out of it.",
            s.small,
        )
    )
    scales: dict[str, Scale] = {}
    for item in doc.form.items():
        if item.type == "rating" and item.scale is not None:
            scales.setdefault(item.scale.id, item.scale)
    for scale in scales.values():
        if len(scales) > 1:
            out.append(Paragraph(f"{markup(scale.name)} scale", s.h2))
        out.append(Spacer(1, 2 * mm))
        out.append(_summary_table(doc, s, scale))
        out.append(Spacer(1, 6 * mm))
        out.append(_scale_legend(s, scale))
    return out


def _summary_table(doc: ReturnDocument, s: SubmissionStyles, scale: Scale) -> Table:
    rows_data: list[tuple[str, Tally]] = []
    total = Tally(scale)
    for section in doc.form.sections:
        tally = _tallies(doc, section).get(scale.id)
        if tally is None:
            continue
        rows_data.append((doc.form.section_label(section), tally))
        total.merge(tally)
    levels = list(scale.choices)
    show_unanswered = total.unanswered > 0
    heads: list[tuple[str, Level | None]] = [("N/A" if lv.id == NOT_APPLICABLE else lv.label, lv) for lv in levels]
    if show_unanswered:
        heads.append(("Not answered", None))

    def column_width(text: str) -> float:
        widest_word = max((stringWidth(w, BOLD, 8) for w in text.split()), default=0)
        return max(13 * mm, widest_word + 12)

    widths = [column_width(text) for text, _ in heads]
    mean_w = 15 * mm
    first_w = BODY_WIDTH - sum(widths) - mean_w
    if first_w < 55 * mm:  # many levels: narrow the count columns rather than the standards
        factor = (BODY_WIDTH - 55 * mm - mean_w) / sum(widths)
        widths = [w * factor for w in widths]
        first_w = 55 * mm
    header: list[Any] = [Paragraph("Standard", s.cell_head)]
    style_cmds: list[tuple[Any, ...]] = []
    for col, (text, level) in enumerate(heads, start=1):
        fill = level_colour(level) if level is not None else HEAD_FILL
        head_style = ParagraphStyle(
            f"lv{col}", parent=s.cell_head_centre, textColor=text_colour_on(fill), fontSize=8, leading=10
        )
        label = markup(text)
        if level is not None and level.percentage is not None:
            label += f"<br/>{level.percentage}%"
        header.append(Paragraph(label, head_style))
        style_cmds.append(("BACKGROUND", (col, 0), (col, 0), fill))
    header.append(Paragraph("Mean", s.cell_head_centre))
    data: list[list[Any]] = [header]
    for title, tally in [*rows_data, ("All standards", total)]:
        row: list[Any] = [Paragraph(markup(title), s.cell)]
        counts = [tally.counts.get(level.id, 0) for level in levels]
        if show_unanswered:
            counts.append(tally.unanswered)
        row += [Paragraph(str(k), s.cell_centre) if k else Paragraph("–", s.cell_zero) for k in counts]
        row.append(Paragraph(f"<b>{tally.mean}</b>", s.cell_centre))
        data.append(row)
    last = len(data) - 1
    style_cmds += [
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (0, 0), HEAD_FILL),
        ("BACKGROUND", (-1, 0), (-1, 0), HEAD_FILL),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("LINEABOVE", (0, last), (-1, last), 1, INK),
        ("BACKGROUND", (0, last), (-1, last), STRIPE),
        ("BOX", (0, 0), (-1, -1), 0.6, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
    ]
    return Table(data, colWidths=[first_w, *widths, mean_w], repeatRows=1, style=table_style(style_cmds), hAlign="LEFT")


def _scale_legend(s: SubmissionStyles, scale: Scale) -> Flowable:
    rows = [
        [Chip(rating_text(level), level_colour(level), size=8), Paragraph(markup(level.description), s.cell)]
        for level in scale.choices
    ]
    table = Table(
        rows,
        colWidths=[38 * mm, BODY_WIDTH - 38 * mm],
        hAlign="LEFT",
        style=table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (0, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        ),
    )
    return KeepTogether([Paragraph("The rating scale", s.h2), table])


# --- Sections ------------------------------------------------------------------------------------


def _section(
    doc: ReturnDocument, s: SubmissionStyles, n: int, section: Section, *, first: bool, has_summary: bool
) -> list[Flowable]:
    has_ratings = any(item.type == "rating" for item in section.items)
    out: list[Flowable] = []
    if first:
        if has_summary:  # the summary has its own page; the first section starts a new one
            out.append(PageBreak())
    elif has_ratings:  # each standard starts on a new page
        out.append(PageBreak())
    else:
        out += [CondPageBreak(50 * mm), Spacer(1, 4 * mm)]
    out.append(s.heading(doc.form.section_label(section), f"section-{n}"))
    if section.guidance:
        out.append(Paragraph(markup(section.guidance), s.guidance))
    for tally in _tallies(doc, section).values():
        out.append(_section_tally(s, tally))
    for item in section.items:
        number, value = doc.form.item_code(item.id), doc.answers.get(item.id)
        if item.type == "table" and not item.required and not _rows(value):
            # An empty action plan is one line under the statement before it, never a page of its own.
            line = Paragraph(f"<b>{number}</b>&nbsp; {markup(item.label)}: none recorded.", s.none_line)
            if out and isinstance(out[-1], KeepTogether):
                out[-1] = KeepTogether([*out[-1]._content, line])
            else:
                out.append(line)
            continue
        out += _item(s, number, item, value)
    return out


def _rows(value: Any) -> list[Any]:
    return [r for r in value if isinstance(r, dict)] if isinstance(value, list) else []


def _section_tally(s: SubmissionStyles, tally: Tally) -> Flowable:
    parts = [f"{markup(lv.label)} {tally.counts[lv.id]}" for lv in tally.scale.choices if tally.counts.get(lv.id)]
    if tally.unanswered:
        parts.append(f"not answered {tally.unanswered}")
    text = "<b>Ratings in this section:</b> " + " · ".join(parts)
    if tally.percentages:
        text += f" — mean <b>{tally.mean}</b>"
    return Paragraph(text, ParagraphStyle("tally", parent=s.small, spaceBefore=2, spaceAfter=4))


def _item(s: SubmissionStyles, number: str, item: Item, value: Any) -> list[Flowable]:
    head = Paragraph(markup(item.label), s.statement, bulletText=number)
    try:
        body = answer(item, value, s)
    except Exception:  # a malformed stored value must not stop the return printing
        body = [Paragraph(f"This answer cannot be shown as stored: {markup(repr(value)[:500])}", s.missing)]
    block = [head, *body]
    if _height(block) <= 80 * mm:
        return [KeepTogether(block)]  # a short item never splits
    # Keep the statement with the start of its answer; the rest then flows on across pages.
    first, rest = _split_head(body)
    return [CondPageBreak(35 * mm), KeepTogether([head, *first]), *rest]


def _split_head(body: list[Flowable]) -> tuple[list[Flowable], list[Flowable]]:
    """The start of an answer to keep with its statement: small pieces up to the first text.

    Tables and long paragraphs are left out: they split across pages themselves, and keeping
    them whole would leave a gap of up to a page.
    """
    first: list[Flowable] = []
    for i, f in enumerate(body):
        if isinstance(f, (Table, Indenter)) or (isinstance(f, Paragraph) and len(f.text) > 600):
            return first, body[i:]
        first.append(f)
        if not isinstance(f, (Chip, Spacer)) and not getattr(f.style, "keepWithNext", 0):
            return first, body[i + 1 :]
    return first, []


def _height(flowables: list[Flowable]) -> float:
    """Height of flowables laid out in the body frame (spacing included, approximately)."""
    total = 0.0
    for f in flowables:
        _, h = f.wrap(BODY_WIDTH, PAGE_HEIGHT)
        total += h + f.getSpaceBefore() + f.getSpaceAfter()
    return total


# --- Sign-off ------------------------------------------------------------------------------------


def _sign_off(d: ReturnDocument, s: SubmissionStyles, *, draft: bool, on_place: OnPlace) -> list[Flowable]:
    agency = markup(d.agency_name)
    period = markup(d.period)
    form = markup(d.form.title)
    meaning = [
        f"By signing this return the signatory confirms, on behalf of {agency}, that this {form} for "
        f"{period} (version {d.version}) gives an accurate and honest account of the agency's "
        "safeguarding arrangements, that the evidence described exists and can be shown on request, "
        "and that the agency will carry out the actions in its action plans.",
        "The signature is made with the agency's own key. It covers every page of this document: any "
        "change after signing shows the signature as broken in any PDF reader. The same key signs the "
        "return's data file, so the printed return and the data are the same return.",
        "The partnership's Business Unit may moderate the ratings after the return is submitted. "
        "Moderation is recorded separately and never changes this signed return.",
    ]
    out: list[Flowable] = [s.heading("Sign-off", "sign-off")]
    out += [Paragraph(p, s.body) for p in meaning]
    out.append(Spacer(1, 4 * mm))
    signed = _signed(d, draft)
    if signed:
        rows = [
            ("Signed off by", markup(d.signatory_name)),
            ("Role", markup(d.signatory_role or "—")),
            ("Date", markup(format_time(d.signed_at)) or "—"),
            ("Certificate fingerprint (SHA-256)", _fingerprint_markup(d.certificate_fingerprint)),
        ]
    else:
        pending = "<i>Not signed yet — this is a draft preview</i>" if draft else "<i>Not signed</i>"
        rows = [
            ("Signed off by", pending),
            ("Role", markup(d.signatory_role) if d.signatory_role else "—"),
            ("Date", "—"),
            ("Certificate fingerprint (SHA-256)", "—"),
        ]
    rows.append(("Version of this return", str(d.version)))
    out.append(key_value_table(s, rows, width=BODY_WIDTH, label_width=52 * mm, padding=(5, 6)))
    out.append(Spacer(1, 10 * mm))
    caption = (
        "Added by OSCB Desktop when the return is signed; a PDF reader's signature panel shows who signed."
        if signed
        else "The digital signature will appear in this box when the return is signed."
    )
    out.append(SignatureBox(95 * mm, 32 * mm, caption, on_place))
    return [KeepTogether(out), Spacer(1, 10 * mm), *_details(d, s)]


def _details(d: ReturnDocument, s: SubmissionStyles) -> list[Flowable]:
    """Small print for whoever checks the file: the form definition, the return's id, when it was made."""
    form = d.form
    parts = [
        f"Form: {markup(form.title)}, definition {markup(form.id)} {markup(form.version)}",
        f"submission id {markup(d.submission_id)}",
    ]
    if d.generated_at:
        parts.append(f"PDF made {markup(format_time(d.generated_at))}")
    return [
        Paragraph("<b>Document details</b>", s.details),
        Paragraph(" · ".join(parts) + ".", s.details),
    ]


def _fingerprint_markup(fingerprint: str | None) -> str:
    """A long fingerprint in two even lines, so that it breaks between groups people compare."""
    if not fingerprint:
        return "—"
    groups = clean(fingerprint).split()
    if len(groups) <= 8:
        return escape(" ".join(groups))
    half = (len(groups) + 1) // 2
    return escape(" ".join(groups[:half])) + "<br/>" + escape(" ".join(groups[half:]))

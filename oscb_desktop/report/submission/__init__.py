"""The submission PDF: the human-readable return that the senior officer signs and anyone can print.

Rendered with reportlab's platypus from a :class:`ReturnDocument` (the form definition and the
answers), generically by item type, so any form definition renders (DESIGN.md §2, §5). The
document has a cover, contents, a summary of the ratings, every section with its answers, and a
sign-off page that reserves an empty box where :func:`oscb_desktop.signing.sign_pdf` draws the
visible signature (:mod:`.story`; the answers, one function per item type, are in :mod:`.answers`).

Rules a reader relies on:

- colour never carries a rating alone: every chip shows the word and the percentage;
- text is real, extractable text in reading order, in an embedded Unicode font; the draft mark is
  drawn as shapes, with the word "DRAFT" in the running header for search and screen readers;
- user text is escaped for reportlab's mini-markup and may be long: paragraphs split across pages
  and table rows split inside themselves, so no answer can make the layout fail.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from oscb_desktop.forms.model import FormDefinition
from oscb_desktop.report import fonts
from oscb_desktop.report.submission.story import build_story
from oscb_desktop.report.submission.template import SubmissionStyles, SubmissionTemplate, number_indent
from oscb_desktop.survey.compare import SurveyView

__all__ = ["RenderedPdf", "ReturnDocument", "render_submission_pdf"]


@dataclass(frozen=True)
class ReturnDocument:
    """Everything the PDF shows; built by the services layer from the store."""

    form: FormDefinition
    answers: Mapping[str, Any]
    agency_name: str
    agency_sector: str
    period: str
    version: int
    submission_id: str
    status: str  # "draft" | "signed" | ...
    signatory_name: str | None = None
    signatory_role: str | None = None
    signed_at: str | None = None  # ISO time
    certificate_fingerprint: str | None = None  # display form "3F2A 9C01 ..."
    generated_at: str = ""  # ISO time, shown in the footer/cover
    #: The partnership the return is for, named on the cover's band.
    partnership: str = ""
    #: The practitioner survey counts the return carries, printed before the sign-off (None: it carries none).
    survey: SurveyView | None = None


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    #: 0-based index of the sign-off page.
    signature_page: int
    #: Where ``sign_pdf`` should draw the visible signature: (x1, y1, x2, y2) in PDF points, origin bottom-left.
    signature_box: tuple[float, float, float, float]
    page_count: int = 0


def render_submission_pdf(doc: ReturnDocument, *, draft: bool) -> RenderedPdf:
    """Render the return as an A4 PDF. ``draft`` marks every page as a draft preview."""
    fonts.register_fonts()
    styles = SubmissionStyles(number_indent(doc.form))
    template = SubmissionTemplate(doc, draft=draft)
    data = template.render(build_story(doc, styles, draft=draft, on_place=template.place_signature))
    if template.signature_box is None or template.signature_page is None:  # pragma: no cover - the story always has one
        raise RuntimeError("The sign-off page was not laid out")
    return RenderedPdf(
        data=data,
        signature_page=template.signature_page,
        signature_box=template.signature_box,
        page_count=template.page_count,
    )

"""The board's assurance report as a Word document, for the Business Unit to edit into the annual report and
publish as an accessible document.

The same chapters, in the same order, with the same figures and words as the PDF
(:mod:`oscb_desktop.report.board`), from a :class:`~oscb_desktop.collate.Collation` and nothing else:
the cover with the contents, headline figures and key messages (:mod:`.summary`); ratings by standard,
agencies and standards, findings by standard and actions (:mod:`.section11`); the impact assessment
(:mod:`.impact`); how the figures are worked out (:mod:`.summary`).

What makes it accessible and editable: chapters and sections are real Heading 1/2/3 paragraphs (Word's
navigation pane, its contents field and an accessible PDF export all read them); every table's first row is
marked as its header row (repeated on each page, announced by screen readers); the charts are PNG pictures
(:mod:`.png`) with alternative text that gives their figures in words; the document's language is British
English and its properties name the report, the partnership and the program. Word's own fonts are kept.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from oscb_desktop.collate.result import Collation
from oscb_desktop.fsutil import atomic_write
from oscb_desktop.report import fonts
from oscb_desktop.report.board.template import REPORT_SUBTITLE, REPORT_TITLE, Abbreviations, abbreviations
from oscb_desktop.report.board_docx.document import BoardDocument
from oscb_desktop.report.board_docx.impact import impact
from oscb_desktop.report.board_docx.practitioners import practitioners
from oscb_desktop.report.board_docx.section11 import actions, findings, matrix, ratings
from oscb_desktop.report.board_docx.summary import cover, headline, method
from oscb_desktop.report.house.text import clean, format_date

__all__ = ["CHAPTERS", "render_board_docx", "write_board_docx"]

Chapter = Callable[[BoardDocument, Collation, Abbreviations], None]

#: Every chapter's Heading 1, in the order of the PDF.
CHAPTERS = (
    "Headline figures",
    "Ratings by standard",
    "Agencies and standards",
    "Impact assessment",
    "What practitioners said",
    "Findings by standard",
    "Actions",
    "How the figures are worked out",
)


def chapters(c: Collation) -> list[Chapter]:
    """The chapters ``c`` has, as the PDF chooses them (:func:`oscb_desktop.report.board.render_collation_pdf`)."""
    out: list[Chapter] = [headline]
    # With no ratings yet, pages of empty charts and zeros would only hide the matrix's "not received".
    rated = any(st.agencies_rated for st in c.standards)
    if rated:
        out.append(ratings)
    if c.standards:
        out.append(matrix)
    out.append(impact)
    if c.practitioners is not None:
        out.append(practitioners)
    if rated:
        out += [findings, actions]
    out.append(method)
    return out


def render_board_docx(c: Collation) -> bytes:
    """The board's assurance report for ``c`` as the bytes of a .docx file."""
    fonts.register_fonts()  # the charts measure their text with the house fonts
    d = BoardDocument()
    partnership = clean(c.partnership) or "Safeguarding partnership"
    period = clean(c.period)
    d.properties(
        title=f"{REPORT_TITLE} {period} — {partnership}",
        subject=partnership,
        keywords=f"Section 11; impact assessment; assurance; {period}",
    )
    d.running(
        header=f"{partnership} · {REPORT_TITLE} · {period}",
        footer=f"{REPORT_SUBTITLE} {period} · figures as of {format_date(c.as_of)}",
    )
    abbr = abbreviations(c.scale)
    contents_at = cover(d, c, abbr)
    for chapter in chapters(c):
        chapter(d, c, abbr)
    titles = [p.text for p in d.doc.paragraphs if p.style is not None and p.style.name == "Heading 1"]
    d.contents(contents_at, titles)
    return d.save()


def write_board_docx(c: Collation, path: str | Path) -> None:
    """Write the Word report to ``path``, replacing it only once the whole file is written."""
    atomic_write(path, render_board_docx(c))

"""The board's assurance report: the collated returns of every agency for one period, as an A4 PDF.

Made from a :class:`~oscb_desktop.collate.Collation` and nothing else, so that it says exactly what
the spreadsheet and the app say. In the house style (:mod:`oscb_desktop.report.house`): embedded
DejaVu fonts, a running header and footer, "Page N of M", ratings always in words or letters as well
as colour, and real text that a reader can copy and a screen reader can speak.

Contents, one module per group of chapters, each chapter a function of the collation, the styles and
the level abbreviations: cover with contents, headline figures and key messages (:mod:`.summary`);
ratings by standard (chart and table), the matrix of agencies against standards (:mod:`.section11`);
the impact assessment: top three pressures and enablers with the agencies' own words, areas for
improvement, service changes, risks to escalate (:mod:`.impact`); findings by standard and actions
(:mod:`.section11`); how the figures are worked out (:mod:`.summary`).
"""

from __future__ import annotations

from reportlab.platypus import Flowable, NextPageTemplate, PageBreak

from oscb_desktop.collate.result import Collation
from oscb_desktop.report import fonts
from oscb_desktop.report.board.impact import impact
from oscb_desktop.report.board.practitioners import practitioners
from oscb_desktop.report.board.section11 import actions, findings, matrix, ratings
from oscb_desktop.report.board.summary import cover, headline, method
from oscb_desktop.report.board.template import BoardStyles, abbreviations, board_template

__all__ = ["render_collation_pdf"]


def render_collation_pdf(c: Collation) -> bytes:
    """The board's assurance report for ``c`` as A4 PDF bytes."""
    fonts.register_fonts()
    s = BoardStyles()
    abbr = abbreviations(c.scale)
    story: list[Flowable] = [NextPageTemplate("body"), *cover(c, s, abbr)]
    chapters = [headline]
    # With no ratings yet, pages of empty charts and zeros would only hide the matrix's "not received".
    rated = any(st.agencies_rated for st in c.standards)
    if rated:
        chapters.append(ratings)
    if c.standards:
        chapters.append(matrix)
    chapters.append(impact)
    if c.practitioners is not None:
        chapters.append(practitioners)
    if rated:
        chapters += [findings, actions]
    chapters.append(method)
    for chapter in chapters:
        story += [PageBreak(), *chapter(c, s, abbr)]
    return board_template(c).render(story)

"""Documents made from returns, in plain Python (no Qt): reportlab PDFs and an openpyxl spreadsheet.

- :mod:`.submission`: the submission PDF that is signed and printed (its API is re-exported here);
- :mod:`.board`: the board's assurance report; :mod:`.collation_xlsx`: its figures as a spreadsheet;
- :mod:`.feedback`: the Business Unit's feedback letter to an agency;
- :mod:`.house`: the house style the three PDFs share; :mod:`.words`: figures in words; :mod:`.fonts`.
"""

from typing import TYPE_CHECKING

from oscb_desktop.lazy import lazy_getattr

if TYPE_CHECKING:
    from oscb_desktop.report.fonts import FontError, register_fonts
    from oscb_desktop.report.submission import RenderedPdf, ReturnDocument, render_submission_pdf

#: Loaded on first use (reportlab and fontTools): ``report.words`` alone stays light for the window.
__getattr__ = lazy_getattr(
    __name__,
    {
        "FontError": "fonts",
        "register_fonts": "fonts",
        "RenderedPdf": "submission",
        "ReturnDocument": "submission",
        "render_submission_pdf": "submission",
    },
)

__all__ = ["FontError", "RenderedPdf", "ReturnDocument", "register_fonts", "render_submission_pdf"]

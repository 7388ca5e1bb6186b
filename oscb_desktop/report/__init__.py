"""Documents made from returns: the submission PDF (reportlab). Plain Python, no Qt."""

from oscb_desktop.report.fonts import FontError, register_fonts
from oscb_desktop.report.submission_pdf import RenderedPdf, ReturnDocument, render_submission_pdf

__all__ = ["FontError", "RenderedPdf", "ReturnDocument", "register_fonts", "render_submission_pdf"]

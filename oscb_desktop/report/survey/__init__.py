"""The practitioner survey in print: the questionnaire (:mod:`.questionnaire`) and the counts as tables that the
submission PDF, the board report and the spreadsheet share (:mod:`.tables`)."""

from oscb_desktop.report.survey.questionnaire import render_questionnaire_pdf

__all__ = ["render_questionnaire_pdf"]

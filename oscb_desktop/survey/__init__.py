"""The practitioner survey, apart from the app's screens and store: what the agency's staff answered, as counts.

Practitioners do not use the app. The agency prints the questions or copies them into its own survey tool
(:mod:`.layout`), then imports the tool's responses export (:mod:`.responses`: CSV or XLSX shaped like Microsoft
Forms, Google Forms or SurveyMonkey exports, mapped column by column to the survey's questions). Only counts per
question and answer are kept (:mod:`.counts`), and every count under the survey's threshold is suppressed before
it is stored, shown or sent. :mod:`.compare` sets them beside the agency's own ratings. Plain Python, no Qt.
"""

from oscb_desktop.survey.counts import QuestionCounts, Share, SurveyCounts, suppress
from oscb_desktop.survey.responses import SurveyFileError, UnmappableResponsesError

__all__ = [
    "QuestionCounts",
    "Share",
    "SurveyCounts",
    "SurveyFileError",
    "UnmappableResponsesError",
    "suppress",
]

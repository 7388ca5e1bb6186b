"""Feedback files (``.oscbfeedback``): the partnership's signed verdict on an agency's returns for a period, sent
by its Business Unit back to the agency (docs/feedback-format.md). Same signed zip as return bundles and
partnership packs (:mod:`oscb_desktop.bundle.signed_zip`). Plain Python, no Qt.

Modules: ``model`` (the typed JSON members, the limits), ``writer``, ``verify``.
"""

from oscb_desktop.feedback.model import (
    FEEDBACK_SUFFIX,
    FeedbackDocument,
    FeedbackManifest,
    LevelRef,
    Note,
    Rated,
    RequiredAction,
    ReturnFeedback,
)
from oscb_desktop.feedback.verify import FeedbackCheck, check_feedback
from oscb_desktop.feedback.writer import FeedbackError, build_feedback

__all__ = [
    "FEEDBACK_SUFFIX",
    "FeedbackCheck",
    "FeedbackDocument",
    "FeedbackError",
    "FeedbackManifest",
    "LevelRef",
    "Note",
    "Rated",
    "RequiredAction",
    "ReturnFeedback",
    "build_feedback",
    "check_feedback",
]

"""Feedback files (``.oscbfeedback``): the partnership's signed verdict on an agency's returns for a period, sent
by its Business Unit back to the agency (docs/feedback-format.md). Same signed zip as return bundles and
partnership packs (:mod:`oscb_desktop.bundle.signed_zip`). Plain Python, no Qt.

Modules: ``model`` (the typed JSON members, the limits), ``writer``, ``verify``.
"""

from typing import TYPE_CHECKING

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
from oscb_desktop.lazy import lazy_getattr

if TYPE_CHECKING:
    from oscb_desktop.feedback.verify import FeedbackCheck, check_feedback
    from oscb_desktop.feedback.writer import FeedbackError, build_feedback

#: Loaded on first use: checking a letter brings pyHanko (see oscb_desktop.lazy).
__getattr__ = lazy_getattr(
    __name__,
    {
        "FeedbackCheck": "verify",
        "check_feedback": "verify",
        "FeedbackError": "writer",
        "build_feedback": "writer",
    },
)

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

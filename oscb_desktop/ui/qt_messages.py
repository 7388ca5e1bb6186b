"""Qt's own messages (``qWarning`` from a platform plugin, a font lookup, a style sheet) go to the app's log file
like every other library's records, never to the terminal: the user sees our messages, the log keeps the rest."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

log = logging.getLogger("qt")

_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _to_log(kind: QtMsgType, context: QMessageLogContext, text: str) -> None:
    where = f" ({context.file}:{context.line})" if context.file else ""
    log.log(_LEVELS.get(kind, logging.WARNING), "%s%s", text, where)


def install() -> Callable[..., Any] | None:
    """Send Qt's messages to the log from now on; returns the handler that was installed before."""
    return qInstallMessageHandler(_to_log)

"""An unhandled exception in the GUI: logged with its traceback, and a plain dialog that says what happened,
that saved work is safe, and where the log is.

Qt calls Python slots from its event loop; an exception escaping one would otherwise be printed to a stderr
that a windowed app on Windows does not have, and the user would see nothing at all.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMessageBox

from oscb_desktop import logs
from oscb_desktop.ui.common import keep_until_closed

log = logging.getLogger("oscb.crash")

Hook = Callable[[type[BaseException], BaseException, TracebackType | None], object]

_shown = 0
#: After this many dialogs in one run, further errors are only logged (a repeating error must not bury the app).
MAX_DIALOGS = 3


def handle(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
    """``sys.excepthook``: log, then show the dialog once control is back in the event loop."""
    if issubclass(kind, KeyboardInterrupt):
        QApplication.quit()
        return
    log.error("unhandled exception", exc_info=(kind, error, tb))
    if QApplication.instance() is not None:
        QTimer.singleShot(0, lambda: show_dialog(error))


def show_dialog(error: BaseException) -> QMessageBox | None:
    global _shown
    if _shown >= MAX_DIALOGS:
        return None
    _shown += 1
    box = QMessageBox(QMessageBox.Icon.Critical, "Something went wrong", "", QMessageBox.StandardButton.Ok)
    box.setText("OSCB Desktop ran into a problem it did not expect, and what you just asked for may not have happened.")
    box.setInformativeText(
        "Everything marked “Saved” is safe in your workspace. If this happens again, send the log file to "
        f"whoever supports OSCB Desktop for you.\n\n{type(error).__name__}: {error}\n\n{logs.where()}"
    )
    open_folder = box.addButton("Open log folder", QMessageBox.ButtonRole.ActionRole)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def clicked(button: object) -> None:
        if button is open_folder:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str((logs.current_file() or logs.log_file()).parent)))

    box.buttonClicked.connect(clicked)
    keep_until_closed(box)
    box.open()
    return box


class installed:
    """``with installed():`` — the GUI's exception hooks for the duration of the app, then the previous ones."""

    def __enter__(self) -> None:
        self._previous: Hook = sys.excepthook
        self._previous_thread = threading.excepthook
        sys.excepthook = handle
        threading.excepthook = lambda args: handle(args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback)

    def __exit__(self, *_exc: object) -> None:
        sys.excepthook = self._previous
        threading.excepthook = self._previous_thread

"""An unhandled exception in the GUI: logged with its traceback, and a plain dialog that names the log file."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QApplication, QMessageBox

from oscb_desktop import logs
from oscb_desktop.ui import crash


def test_an_unhandled_exception_is_logged_and_shown_in_plain_words(qtbot, caplog) -> None:
    logs.configure("test")
    try:
        raise RuntimeError("the widget fell over")
    except RuntimeError as exc:
        error = exc
    with caplog.at_level(logging.ERROR, logger="oscb.crash"):
        crash.handle(RuntimeError, error, error.__traceback__)
    assert "unhandled exception" in caplog.text and "the widget fell over" in caplog.text
    assert "Traceback" in caplog.text

    def shown() -> list[QMessageBox]:
        return [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]

    qtbot.waitUntil(lambda: bool(shown()))
    box = shown()[0]
    assert box.windowTitle() == "Something went wrong"
    assert "Everything marked “Saved” is safe" in box.informativeText()
    assert "RuntimeError: the widget fell over" in box.informativeText()
    assert "log file" in box.informativeText()
    box.close()


def test_library_log_records_go_to_the_log_file_not_the_terminal(tmp_path, capfd) -> None:
    logs.configure("test")
    logging.getLogger("pyhanko.sign.validation").warning("Encountered signature with unsupported SubFilter")
    out, err = capfd.readouterr()
    assert "SubFilter" not in out + err
    for handler in logging.getLogger().handlers:
        handler.flush()
    written = logs.current_file()
    assert written is not None
    assert "unsupported SubFilter" in written.read_text(encoding="utf-8")

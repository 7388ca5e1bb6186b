"""The app's log: one rotating file in the user's log folder, for whoever has to find out what went wrong.

Nothing is configured at import time; the two entry points (``oscb`` and ``oscb-desktop``) call
:func:`configure` once. Every record — ours and the libraries' (pyHanko logs tracebacks of damaged
signatures, for instance) — goes to the file and never to the terminal or a dialog: the user sees our
one-line reasons, the log keeps the detail. If the log folder cannot be written (a read-only profile), the
records are dropped rather than printed.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from oscb_desktop import __version__, paths

LOG_FILE_NAME = "oscb-desktop.log"
#: Five files of 1 MB: weeks of normal use, bounded on a small laptop disk.
MAX_BYTES = 1_000_000
BACKUPS = 4

_FORMAT = "%(asctime)s %(process)d %(threadName)s %(levelname)s %(name)s: %(message)s"

_configured: Path | None = None


def log_file() -> Path:
    """Where the log is written (whether or not it exists yet)."""
    return paths.log_dir() / LOG_FILE_NAME


def hold() -> None:
    """Until :func:`configure` runs, drop records rather than let Python print them in the terminal (the GUI
    configures the log file on a worker once its window is on screen)."""
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.NullHandler())


def configure(program: str) -> Path | None:
    """Send every log record to the rotating log file; returns its path, or None if it cannot be written.

    Safe to call more than once (the later calls change nothing).
    """
    global _configured
    root = logging.getLogger()
    if _configured is not None:
        return _configured
    from logging.handlers import RotatingFileHandler

    target = log_file()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = RotatingFileHandler(
            target, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True
        )
    except OSError:
        handler = logging.NullHandler()  # never fall back to stderr: the user sees our messages, not records
        target = None  # type: ignore[assignment]
    handler.setFormatter(logging.Formatter(_FORMAT))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.captureWarnings(True)
    _configured = target
    logging.getLogger("oscb").info(
        "%s %s started (Python %s, %s)", program, __version__, sys.version.split()[0], sys.platform
    )
    return target


def current_file() -> Path | None:
    """The file records go to in this process, once :func:`configure` has run (None if it could not be opened)."""
    return _configured


def where() -> str:
    """A sentence for messages: where the details are."""
    return f"The details are in the log file {_configured}." if _configured else "No log file could be written."

"""Choosing files and folders: one remembered folder for the session, names that are safe on every system,
the suffix added when the user left it off, and a question before a file the dialog did not name is replaced.

Every "Save as…", "Open…" and "Choose folder…" of the app goes through here, so they all start in the same
place: the folder last used in this session, else the user's Documents folder.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

#: Characters Windows, macOS or Linux refuse in a file name (and control characters).
_NOT_IN_FILE_NAMES = re.compile(r'[\x00-\x1f<>:"/\\|?*]+')

#: The folder of the last file chosen in this session (the app keeps no settings file for this).
_last_folder: Path | None = None


def documents_folder() -> Path:
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(location) if location else Path.home()


def start_folder() -> Path:
    """Where the next dialog opens: the folder last used in this session, else Documents."""
    return _last_folder if _last_folder is not None and _last_folder.is_dir() else documents_folder()


def remember(path: Path) -> None:
    """The folder of ``path`` (or ``path`` itself, if it is a folder) is where the next dialog opens."""
    global _last_folder
    _last_folder = path if path.is_dir() else path.parent


def forget() -> None:
    """Start from Documents again (tests)."""
    global _last_folder
    _last_folder = None


def clean_file_name(name: str, fallback: str = "file") -> str:
    """``Section 11: Health/Trust`` → ``Section 11- Health-Trust``: a name every file system accepts."""
    return _NOT_IN_FILE_NAMES.sub("-", name).strip(" .") or fallback


def ask_save_path(
    parent: QWidget | None, title: str, suggested_name: str, suffix: str, file_filter: str
) -> Path | None:
    """Ask where to save; the path with ``suffix`` (e.g. ``.pdf``), or None if the user cancelled.

    If the user typed a name without the suffix and the name with it exists, they are asked before it is
    replaced (the dialog itself only asked about the name they typed).
    """
    name = clean_file_name(suggested_name)
    if not name.lower().endswith(suffix.lower()):
        name += suffix
    chosen, _filter = QFileDialog.getSaveFileName(parent, title, str(start_folder() / name), file_filter)
    if not chosen:
        return None
    path = Path(chosen)
    if path.suffix.lower() != suffix.lower():
        path = path.with_name(path.name + suffix)
        if path.exists() and not confirm_replace(parent, path):
            return None
    remember(path)
    return path


def confirm_replace(parent: QWidget | None, path: Path) -> bool:
    answer = QMessageBox.question(
        parent,
        "Replace file?",
        f"{path.name} already exists in {path.parent}. Do you want to replace it?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def ask_open_file(parent: QWidget | None, title: str, file_filter: str = "All files (*)") -> Path | None:
    chosen, _filter = QFileDialog.getOpenFileName(parent, title, str(start_folder()), file_filter)
    if not chosen:
        return None
    path = Path(chosen)
    remember(path)
    return path


def ask_open_files(parent: QWidget | None, title: str, file_filter: str = "All files (*)") -> list[Path]:
    chosen, _filter = QFileDialog.getOpenFileNames(parent, title, str(start_folder()), file_filter)
    paths = [Path(c) for c in chosen]
    if paths:
        remember(paths[0])
    return paths


def ask_folder(parent: QWidget | None, title: str) -> Path | None:
    chosen = QFileDialog.getExistingDirectory(parent, title, str(start_folder()))
    if not chosen:
        return None
    path = Path(chosen)
    remember(path)
    return path

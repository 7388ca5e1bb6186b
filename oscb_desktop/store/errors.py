"""Why a workspace cannot be used as asked, in words for the user (one line each: the CLI prints it as it is,
the GUI shows it in a dialog with its ways out)."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

from peewee import DatabaseError as PeeweeDatabaseError

#: What opening or querying a database may raise: SQLite's errors, and peewee's wrappers of them.
SQLITE_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, PeeweeDatabaseError)


class WorkspaceError(Exception):
    """A workspace cannot be opened or changed as asked; the message says what happened and what to do."""


class WorkspaceUnavailableError(WorkspaceError):
    """The workspace's folder cannot be used: not allowed to write there, a full disk, no such folder."""

    def __init__(self, folder: Path, text: str, *, kind: str = "other") -> None:
        super().__init__(text)
        self.folder = folder
        #: "full", "not-allowed" or "other"
        self.kind = kind


class WorkspaceReadOnlyError(WorkspaceError):
    """A change was asked of a workspace opened read-only."""

    def __init__(self) -> None:
        super().__init__(
            "This workspace is open read-only because it is open somewhere else, so nothing can be changed or "
            "saved here. Close it there, then open it again here to make changes."
        )


def _error_name(exc: BaseException) -> str:
    """The SQLite result code name (``SQLITE_FULL``...) of an error, also through peewee's wrapper."""
    for candidate in (exc, *(exc.args[:1] if exc.args else ()), exc.__cause__, exc.__context__):
        name = getattr(candidate, "sqlite_errorname", None)
        if isinstance(name, str):
            return name
    return ""


def is_corruption(exc: BaseException) -> bool:
    return _error_name(exc).startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))


def unavailable(folder: Path, exc: BaseException) -> WorkspaceUnavailableError:
    """The plain words for an OSError or SQLite error met while opening the workspace in ``folder``."""
    name = _error_name(exc)
    code = exc.errno if isinstance(exc, OSError) else None
    if name == "SQLITE_FULL" or code in (errno.ENOSPC, errno.EDQUOT):
        return WorkspaceUnavailableError(
            folder,
            f"The disk holding {folder} is full, so the workspace cannot be opened. Free some space (empty the "
            "recycle bin, move large files away) and try again; nothing was changed.",
            kind="full",
        )
    if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH")) or code in (
        errno.EACCES,
        errno.EPERM,
        errno.EROFS,
    ):
        return WorkspaceUnavailableError(
            folder,
            f"OSCB Desktop is not allowed to write to {folder} (the folder or its disk is read-only, or it belongs "
            "to someone else), so the workspace cannot be opened. Choose another folder with --data-dir, or ask "
            "your IT support for write access; nothing was changed.",
            kind="not-allowed",
        )
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return WorkspaceUnavailableError(
        folder, f"The workspace in {folder} cannot be opened ({reason}); nothing was changed.", kind="other"
    )

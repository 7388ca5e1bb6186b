"""Why the workspace could not be written, in words: a full disk, a folder the app may not write to, a database
another program holds, or some other failure of the disk.

A write can fail in SQLite (``database or disk is full``), in a file write (``OSError`` with ``ENOSPC``) or in
:func:`oscb_desktop.fsutil.atomic_write` (a ``WriteError`` raised from the ``OSError``). SQLite rolls a transaction
back by itself when the disk is full, so the error that reaches the caller of ``db.atomic()`` is often the later
"cannot rollback - no transaction is active"; the real cause is found by following the chain of exceptions.
"""

from __future__ import annotations

import errno
import logging
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import peewee

from oscb_desktop.fsutil import WriteError
from oscb_desktop.services.workspace import Workspace

log = logging.getLogger(__name__)

#: What a workspace write can fail with (anything else is a bug, and is left to propagate).
WRITE_ERRORS: tuple[type[BaseException], ...] = (OSError, WriteError, peewee.DatabaseError, sqlite3.Error)

_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_DENIED_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS}


@dataclass(frozen=True)
class WriteFailure:
    """``full``: nothing more can be written until space is freed. ``detail``: what happened, one sentence."""

    full: bool
    detail: str


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _sqlite_code(exc: BaseException) -> int | None:
    """SQLite's result code of a sqlite3 error, also when peewee wrapped it (its first argument)."""
    for candidate in (exc, *(a for a in getattr(exc, "args", ()) if isinstance(a, BaseException))):
        code = getattr(candidate, "sqlite_errorcode", None)
        if isinstance(code, int):
            return code & 0xFF  # the primary code; extended codes keep it in the low byte
    return None


def explain(exc: BaseException, folder: Path) -> WriteFailure:
    """What went wrong writing to the workspace in ``folder``, found anywhere in the chain of ``exc``."""
    chain = list(_chain(exc))
    for item in chain:
        code = _sqlite_code(item)
        text = str(item).lower()
        if code == sqlite3.SQLITE_FULL or "database or disk is full" in text:
            return WriteFailure(True, "the disk is full")
        if isinstance(item, OSError) and item.errno in _FULL_ERRNOS:
            return WriteFailure(True, "the disk is full")
    for item in chain:
        code = _sqlite_code(item)
        text = str(item).lower()
        if isinstance(item, OSError) and item.errno in _DENIED_ERRNOS:
            return WriteFailure(False, f"OSCB Desktop is not allowed to write to the workspace folder {folder}")
        if code == sqlite3.SQLITE_READONLY or "readonly database" in text:
            return WriteFailure(False, f"OSCB Desktop is not allowed to write to the workspace folder {folder}")
        if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or "database is locked" in text:
            return WriteFailure(False, "another program is writing to the workspace; close it and try again")
        if isinstance(item, OSError):
            return WriteFailure(False, f"the workspace folder could not be written ({item.strerror or item})")
    return WriteFailure(False, f"the workspace could not be written ({chain[-1]})")


def close_quietly(ws: Workspace) -> None:
    """Close the workspace even when the disk is full.

    Closing folds the WAL back into the database file, which needs space; when that fails every commit is still
    safe in the WAL (SQLite folds it back at the next open), so the failure is logged, not raised over the
    results the user is waiting for.
    """
    try:
        ws.close()
    except WRITE_ERRORS as exc:
        log.warning("the workspace was closed without folding its WAL back (%s)", explain(exc, ws.folder).detail)
        ws.db.close()

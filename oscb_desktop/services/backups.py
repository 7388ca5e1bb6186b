"""Backups of a workspace's database, and putting one back: what the GUI's File ▸ Restore from backup… and
``oscb workspace backup|backups|restore|keep-current`` do.

Backups are made at the first open of a day (see :meth:`Workspace.open`), before every sign-off and every
import run (:func:`before`), and on request (:func:`backup_now`). Listing and restoring work on a folder, not
an open workspace, because they are what a damaged workspace needs.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from oscb_desktop.fsutil import fsync_dir, make_private
from oscb_desktop.services.workspace import Workspace, login_name
from oscb_desktop.store import DB_FILENAME, WalMissingError, health
from oscb_desktop.store import backup as store
from oscb_desktop.store.backup import BACKUP_DIR, BackupError, BackupInfo, RestoreResult
from oscb_desktop.store.lock import WorkspaceLock

__all__ = [
    "BackupError",
    "BackupInfo",
    "KeptCurrent",
    "RestoreResult",
    "backup_now",
    "backups_folder",
    "before",
    "find",
    "keep_current",
    "list_backups",
    "newest_good",
    "restore",
]

log = logging.getLogger(__name__)


def backups_folder(folder: Path) -> Path:
    return Path(folder) / BACKUP_DIR


def list_backups(folder: Path) -> list[BackupInfo]:
    """The kept backups of the workspace in ``folder``, newest first, each with its check's result."""
    return store.list_backups(backups_folder(folder))


def newest_good(folder: Path) -> BackupInfo | None:
    return store.newest_good(backups_folder(folder))


def backup_now(ws: Workspace, *, to: Path | None = None, reason: str = "manual") -> BackupInfo:
    """Back the workspace's database up now, into ``to`` or its ``backups/`` folder (then pruned).

    Works on a read-only workspace too (it only reads). Raises :class:`BackupError` (a full disk...).
    """
    if ws.engine != "sqlite":
        raise BackupError(
            f"The workspace is on a PostgreSQL server ({ws.where}): its backups are the server's, made by its "
            "administrator (pg_dump)."
        )
    folder = Path(to) if to is not None else backups_folder(ws.folder)
    made = store.make_backup(ws.db.connection(), folder, reason)
    if to is None and not ws.read_only:
        store.prune(folder)
    return made


def before(ws: Workspace, what: str) -> BackupInfo | None:
    """A backup before ``what`` ("sign-off", "import") changes the workspace. Never stops the work: a backup
    that fails is logged (the work itself then meets the same full disk and says so)."""
    if ws.read_only or ws.engine != "sqlite":  # a server's backups are its administrator's
        return None
    try:
        return backup_now(ws, reason=what)
    except BackupError:
        log.warning("no backup before %s in %s", what, ws.folder, exc_info=True)
        return None


def find(folder: Path, name: str | Path) -> Path:
    """The backup a user named: a path, or a file name in the workspace's ``backups/`` folder."""
    path = Path(name)
    if not path.exists() and not path.is_absolute() and (backups_folder(folder) / path).exists():
        return backups_folder(folder) / path
    return path


def restore(folder: Path, backup: str | Path) -> RestoreResult:
    """Put ``backup`` in the place of the workspace's database (damaged or not), setting the database in use
    aside (renamed, never deleted). The workspace must not be open anywhere: this takes its lock.

    Raises :class:`~oscb_desktop.store.WorkspaceInUseError` or :class:`BackupError`, having changed nothing.
    """
    folder = Path(folder)
    path = find(folder, backup)
    lock = WorkspaceLock.acquire(folder, user=login_name())
    try:
        if not lock.first:
            raise BackupError(f"The workspace in {folder} is still open in this program; close it first.")
        result = store.restore(folder / DB_FILENAME, path.resolve() if path.exists() else path)
        make_private(folder)
    finally:
        lock.release()
    log.warning("restored %s from %s; set aside: %s", folder, path, result.set_aside)
    return result


@dataclass(frozen=True)
class KeptCurrent:
    #: the shared-memory file that said the WAL held saves, renamed
    set_aside: Path
    frames: int


def keep_current(folder: Path) -> KeptCurrent:
    """After a lost WAL (:class:`~oscb_desktop.store.WalMissingError`): carry on with what the database file
    holds. The stale ``-shm`` file is set aside (renamed, not deleted), then the database is checked.

    Raises :class:`BackupError` if the WAL is not missing, and ``WorkspaceDamagedError`` if what is left fails
    its check (then restore a backup).
    """
    folder = Path(folder)
    db = folder / DB_FILENAME
    lock = WorkspaceLock.acquire(folder, user=login_name())
    try:
        try:
            health.check_file(db)
        except WalMissingError as exc:
            frames = exc.frames
        else:
            raise BackupError(f"The journal of {db} is not missing; there is nothing to keep or set aside.")
        shm = db.with_name(db.name + "-shm")
        aside = store.aside_name(shm, datetime.now(UTC).astimezone().strftime("%Y%m%d-%H%M%S"))
        try:
            os.replace(shm, aside)
            fsync_dir(folder)
        except OSError as exc:
            raise BackupError(f"{shm} could not be set aside ({exc.strerror}); nothing was changed.") from exc
        health.quick_check(db)
    finally:
        lock.release()
    log.warning("kept %s without its lost WAL (%d pages lost); set aside %s", db, frames, aside)
    return KeptCurrent(set_aside=aside, frames=frames)

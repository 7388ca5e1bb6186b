"""Opening a workspace database: checks first, then pragmas, migrations, binding the models.

Every transaction begins ``IMMEDIATE``: it takes SQLite's write lock when it starts, so a second writer
(another thread, or a process beneath the workspace lock) waits up to the busy timeout for the first to
finish. A ``DEFERRED`` transaction instead reads first and fails at once with "database is locked" when it
tries to write after someone else did, losing the save.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from peewee import OperationalError, SqliteDatabase

from oscb_desktop.fsutil import fsync_dir, make_folder
from oscb_desktop.store import health
from oscb_desktop.store.errors import (
    SQLITE_ERRORS,
    WorkspaceReadOnlyError,
    WorkspaceUnavailableError,
    is_corruption,
    unavailable,
)
from oscb_desktop.store.migrations import CURRENT_VERSION, DatabaseTooNewError, migrate, schema_version
from oscb_desktop.store.models import database_proxy

DB_FILENAME = "workspace.db"

PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    # FULL: a commit is on disk when it returns, so an autosave acknowledged is an autosave kept.
    "synchronous": "full",
    "busy_timeout": 5000,
}


class WorkspaceSqlite(SqliteDatabase):
    """The database of one workspace: immediate transactions; a read-only one refuses to change anything."""

    engine = "sqlite"

    def __init__(self, path: str | Path, *, read_only: bool = False, pragmas: dict[str, Any] | None = None) -> None:
        pragmas = dict(PRAGMAS if pragmas is None else pragmas)
        if read_only:
            pragmas["query_only"] = 1  # also stops a write outside a transaction
        super().__init__(str(path), pragmas=pragmas, check_same_thread=False, lock_type="IMMEDIATE")
        self.read_only = read_only

    def begin(self, lock_type: str | None = None) -> None:
        if self.read_only:  # an IMMEDIATE begin would take the write lock from the workspace's writer
            raise WorkspaceReadOnlyError()
        super().begin(lock_type)

    def execute_sql(self, sql: str, params: Any = None) -> Any:
        try:
            return super().execute_sql(sql, params)
        except OperationalError as exc:
            if self.read_only and "readonly" in str(exc):
                raise WorkspaceReadOnlyError() from exc
            raise


def open_database(path: str | Path, *, bind: bool = False, read_only: bool = False) -> WorkspaceSqlite:
    """Open (creating if there is none) and migrate the SQLite file at ``path``.

    A file that exists is checked first and never taken for a new one. Raises
    :class:`~oscb_desktop.store.health.WorkspaceDamagedError` (or its :class:`WalMissingError`),
    :class:`~oscb_desktop.store.migrations.DatabaseTooNewError`, or
    :class:`~oscb_desktop.store.errors.WorkspaceUnavailableError` (a read-only folder, a full disk), each with
    the words for the user; in every case the file is as it was.
    """
    path = Path(path)
    try:
        exists = health.check_file(path)
        if exists:
            found = _peek_version(path)
            if found > CURRENT_VERSION:
                raise DatabaseTooNewError(path, found, CURRENT_VERSION)
            health.quick_check(path)
        elif read_only:
            raise WorkspaceUnavailableError(path.parent, f"There is no workspace in {path.parent} yet.")
        else:
            _create(path)
    except OSError as exc:
        raise unavailable(path.parent, exc) from exc
    except SQLITE_ERRORS as exc:
        raise unavailable(path.parent, exc) from exc
    db = WorkspaceSqlite(path, read_only=read_only)
    try:
        db.connect()
        if not read_only:
            migrate(db, path)
        elif schema_version(db) != CURRENT_VERSION:
            raise WorkspaceUnavailableError(
                path.parent,
                f"The workspace in {path.parent} needs updating for this version of OSCB Desktop, which cannot be "
                "done while it is open read-only. Open it when nobody else has it open.",
            )
    except SQLITE_ERRORS as exc:
        db.close()
        if is_corruption(exc):
            raise health.WorkspaceDamagedError(path, f"is damaged ({exc})") from exc
        raise unavailable(path.parent, exc) from exc
    except BaseException:
        db.close()
        raise
    if bind:  # as the process's default database (see store.models)
        database_proxy.initialize(db)
    return db


def _create(path: Path) -> None:
    """Make a new, migrated database at ``path``, built beside it and renamed into place when complete, so a
    crash or a full disk never leaves a half-made (or empty) ``workspace.db`` to be refused next time."""
    make_folder(path.parent, private=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)  # 0600
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        db = SqliteDatabase(tmp_name, pragmas={"journal_mode": "delete", "foreign_keys": 1, "synchronous": "full"})
        db.connect()
        try:
            migrate(db)
        finally:
            db.close()
        os.replace(tmp, path)
        fsync_dir(path.parent)
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + "-journal")):
            leftover.unlink(missing_ok=True)


def _peek_version(path: Path) -> int:
    """The schema version, read without changing a byte of the file (read-only, no pragmas)."""
    immutable = "" if path.with_name(path.name + "-wal").exists() else "&immutable=1"
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro{immutable}", uri=True)
    try:
        row = con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").fetchone()
        if row is None:
            return 0
        version = con.execute("SELECT version FROM schema_version").fetchone()
        return int(version[0]) if version else 0
    except sqlite3.DatabaseError:
        return 0  # not our database or damaged: the checks that follow give the real error
    finally:
        con.close()

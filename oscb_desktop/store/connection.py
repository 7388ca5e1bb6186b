"""Opening a workspace database: pragmas, migrations, binding the models."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from peewee import SqliteDatabase

from oscb_desktop.store.migrations import CURRENT_VERSION, DatabaseTooNewError, migrate
from oscb_desktop.store.models import database_proxy

DB_FILENAME = "workspace.db"

PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    # FULL: a commit is on disk when it returns, so an autosave acknowledged is an autosave kept.
    "synchronous": "full",
    "busy_timeout": 5000,
}


def open_database(path: str | Path, *, bind: bool = False) -> SqliteDatabase:
    """Open (creating if needed) and migrate the SQLite file at ``path``.

    Raises :class:`~oscb_desktop.store.migrations.DatabaseTooNewError` for a database made by a newer app.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    found = _peek_version(path)
    if found > CURRENT_VERSION:
        raise DatabaseTooNewError(path, found, CURRENT_VERSION)
    db = SqliteDatabase(str(path), pragmas=PRAGMAS, check_same_thread=False)
    db.connect()
    try:
        migrate(db, path)
    except Exception:
        db.close()
        raise
    if bind:  # as the process's default database (see store.models)
        database_proxy.initialize(db)
    return db


def _peek_version(path: Path) -> int:
    """The schema version, read without changing a byte of the file (no pragmas, read-only)."""
    if not path.exists():
        return 0
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        row = con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").fetchone()
        if row is None:
            return 0
        version = con.execute("SELECT version FROM schema_version").fetchone()
        return int(version[0]) if version else 0
    except sqlite3.DatabaseError:
        return 0  # not our database or damaged: opening it properly gives the real error
    finally:
        con.close()

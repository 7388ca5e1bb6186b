"""Opening a workspace database: pragmas, migrations, binding the models."""

from __future__ import annotations

from pathlib import Path

from peewee import SqliteDatabase

from oscb_desktop.store.migrations import migrate
from oscb_desktop.store.models import database_proxy

DB_FILENAME = "workspace.db"

PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    # FULL: a commit is on disk when it returns, so an autosave acknowledged is an autosave kept.
    "synchronous": "full",
    "busy_timeout": 5000,
}


def open_database(path: str | Path, *, bind: bool = True) -> SqliteDatabase:
    """Open (creating if needed) and migrate the SQLite file at ``path``.

    Raises :class:`~oscb_desktop.store.migrations.DatabaseTooNewError` for a database made by a newer app.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = SqliteDatabase(str(path), pragmas=PRAGMAS, check_same_thread=False)
    db.connect()
    try:
        migrate(db, path)
    except Exception:
        db.close()
        raise
    if bind:
        database_proxy.initialize(db)
    return db

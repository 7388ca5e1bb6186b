"""A workspace: one folder holding the database, evidence files and (later) keys and imports.

The GUI and the CLI both open a :class:`Workspace` and hand it to the service functions.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from peewee import SqliteDatabase

from oscb_desktop import paths
from oscb_desktop.forms import FormRegistry
from oscb_desktop.store import DB_FILENAME, Setting, open_database
from oscb_desktop.store.blobs import BlobStore
from oscb_desktop.store.models import database_proxy


def now_iso() -> str:
    """UTC time to the millisecond, as stored everywhere (sorts as text)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Partnership:
    name: str
    short_name: str
    sectors: dict[str, str]
    agencies: list[tuple[str, str]]

    def sector_label(self, sector_id: str) -> str:
        return self.sectors.get(sector_id, sector_id)


@cache
def partnership() -> Partnership:
    with open(paths.resource("partnership", "oxfordshire.yaml"), encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    return Partnership(
        name=data["partnership"],
        short_name=data["short_name"],
        sectors={s["id"]: s["label"] for s in data["sectors"]},
        agencies=[(a["name"], a["sector"]) for a in data["agencies"]],
    )


def release_thread_connection() -> None:
    """Close the calling thread's connection to the open workspace's database, if it has one.

    peewee keeps one connection per thread; a worker thread that queried the database calls this when its
    work ends, so no connection (and no read snapshot of the WAL) outlives the thread.
    """
    db = database_proxy.obj
    if db is not None and not db.is_closed():
        db.close()


class Workspace:
    """An open workspace. Close it (or use it as a context manager) to release the database."""

    def __init__(self, folder: Path, db: SqliteDatabase, forms: FormRegistry) -> None:
        self.folder = folder
        self.db = db
        self.forms = forms
        self.blobs = BlobStore(folder / "attachments")

    @classmethod
    def open(cls, folder: str | Path | None = None, forms: FormRegistry | None = None) -> Workspace:
        folder = Path(folder) if folder else paths.default_data_dir()
        folder.mkdir(parents=True, exist_ok=True)
        db = open_database(folder / DB_FILENAME)
        return cls(folder, db, forms if forms is not None else FormRegistry.load())

    def close(self) -> None:
        if not self.db.is_closed():
            # Fold the WAL back so the single .db file is complete on its own.
            self.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            self.db.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def bind(self) -> None:
        """Make this workspace's database the one the models use (one open workspace per process)."""
        database_proxy.initialize(self.db)

    # Settings -------------------------------------------------------------------------------------

    def setting(self, key: str, default: Any = None) -> Any:
        row = Setting.get_or_none(Setting.key == key)
        return default if row is None else row.value

    def set_setting(self, key: str, value: Any) -> None:
        with self.db.atomic():
            Setting.insert(key=key, value=value).on_conflict_replace().execute()

    @property
    def user(self) -> str:
        """Who the audit trail names for changes made here."""
        name: str = self.setting("user_name") or ""
        if name:
            return name
        try:
            return getpass.getuser()
        except (KeyError, OSError):  # no login name on some locked-down machines
            return "unknown user"

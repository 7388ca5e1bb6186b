"""A workspace: one folder holding the database, evidence files and (later) keys and imports.

The GUI and the CLI both open a :class:`Workspace` and hand it to the service functions.
"""

from __future__ import annotations

import functools
import getpass
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from peewee import SqliteDatabase

from oscb_desktop import paths
from oscb_desktop.forms import FormRegistry
from oscb_desktop.partnership import Partnership, shipped_profile
from oscb_desktop.store import DB_FILENAME, Setting, open_database
from oscb_desktop.store.blobs import BlobStore
from oscb_desktop.store.models import database_proxy


def now_iso() -> str:
    """UTC time to the millisecond, as stored everywhere (sorts as text)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def partnership() -> Partnership:
    """The partnership this app serves (its name, sectors and members), from its checked profile."""
    return shipped_profile()


def release_thread_connection() -> None:
    """Close the calling thread's database connections.

    peewee keeps one connection per thread; a worker thread that queried a workspace calls this when its
    work ends, so no connection (and no read snapshot of the WAL) outlives the thread.
    """
    database_proxy.close_thread_connections()


P = ParamSpec("P")
R = TypeVar("R")


def uses_workspace(service: Callable[Concatenate[Workspace, P], R]) -> Callable[Concatenate[Workspace, P], R]:
    """A service works on the database of the workspace it is given (its first argument), in this thread."""

    @functools.wraps(service)
    def bound(ws: Workspace, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with database_proxy.bound_to(ws.db):
            return service(ws, *args, **kwargs)

    return bound


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
        ws = cls(folder, db, forms if forms is not None else FormRegistry.load())
        ws.bind()
        return ws

    def close(self) -> None:
        if not self.db.is_closed():
            # Fold the WAL back so the single .db file is complete on its own.
            self.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            self.db.close()
        if database_proxy.default is self.db:
            database_proxy.initialize(None)

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def bind(self) -> None:
        """Make this workspace's database the process's default: the one the models use outside a service
        (a service always uses the workspace it is given, see :func:`uses_workspace`)."""
        database_proxy.initialize(self.db)

    def bound(self) -> AbstractContextManager[None]:
        """``with ws.bound():`` — the models use this workspace's database in this thread for the block."""
        return database_proxy.bound_to(self.db)

    # Settings -------------------------------------------------------------------------------------

    def setting(self, key: str, default: Any = None) -> Any:
        with self.bound():
            row = Setting.get_or_none(Setting.key == key)
        return default if row is None else row.value

    def set_setting(self, key: str, value: Any) -> None:
        with self.bound(), self.db.atomic():
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

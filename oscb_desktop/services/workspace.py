"""A workspace: one folder holding the database, its evidence files, its backups and its lock.

The GUI and the CLI both open a :class:`Workspace` and hand it to the service functions.

Opening one for writing takes the workspace lock (:mod:`oscb_desktop.store.lock`: one writer per workspace;
another process is told who has it open and may open it read-only), clears what killed writes left behind
(``.part`` files), makes the folder its owner's alone (0700, files 0600, on POSIX), checks the database
(:mod:`oscb_desktop.store.health`: a damaged file is refused, never taken for a new one) and, the first time
in a day, backs it up (:mod:`oscb_desktop.store.backup`).
"""

from __future__ import annotations

import dataclasses
import functools
import getpass
import json
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import peewee

from oscb_desktop import paths
from oscb_desktop.forms import FormDefinition, FormRegistry
from oscb_desktop.forms.loader import FormDefinitionError, load_text
from oscb_desktop.fsutil import atomic_write, make_folder, make_private, remove_leftover_parts, safe_stem
from oscb_desktop.partnership import Partnership, shipped_profile
from oscb_desktop.store import DB_FILENAME, Setting, open_database
from oscb_desktop.store import backup as store_backup
from oscb_desktop.store.blobs import BlobStore
from oscb_desktop.store.connection import WorkspaceSqlite
from oscb_desktop.store.errors import unavailable
from oscb_desktop.store.lock import WorkspaceLock
from oscb_desktop.store.models import Agency, RegisteredAgency, database_proxy
from oscb_desktop.store.models import Partnership as PartnershipRow
from oscb_desktop.store.models import PartnershipForm as PartnershipFormRow
from oscb_desktop.store.postgres import PgBlobStore, WorkspacePostgres, describe, is_database_url, open_postgres

log = logging.getLogger(__name__)


def now_iso() -> str:
    """UTC time to the millisecond, as stored everywhere (sorts as text)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def partnership() -> Partnership:
    """The profile shipped with the app: the demo partnership, and the template a new one starts from.

    A workspace's own partnership (a Business Unit's, or those an agency joined) is ``ws.profile`` and
    :mod:`oscb_desktop.services.partnerships`.
    """
    return shipped_profile()


def profile_of(row: PartnershipRow, members: list[tuple[str, str]] | None = None) -> Partnership:
    """A stored partnership as screens and documents name it (``members`` instead of those the row keeps)."""
    return Partnership(
        name=row.name,
        short_name=row.short_name,
        sectors={sid: label for sid, label in row.sectors},
        agencies=members if members is not None else [(m["name"], m["sector"]) for m in row.members or []],
        id=row.id,
        contact_name=row.contact_name,
        contact_email=row.contact_email,
        contact_phone=row.contact_phone,
    )


def login_name() -> str:
    """The operating-system login of whoever runs the app."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name on some locked-down machines
        return "unknown user"


def release_thread_connection() -> None:
    """Close the calling thread's database connections.

    peewee keeps one connection per thread; a worker thread that queried a workspace calls this when its
    work ends, so no connection (and no read snapshot of the WAL) outlives the thread.
    """
    database_proxy.close_thread_connections()


#: Settings each officer has for themself when several share a server's workspace (kept in their local folder).
PER_OFFICER_SETTINGS = frozenset({"user_name"})
OFFICER_SETTINGS = "officer.json"

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
    """An open workspace. Close it (or use it as a context manager) to release the database and the lock."""

    def __init__(
        self,
        folder: Path,
        db: WorkspaceSqlite | WorkspacePostgres,
        forms: FormRegistry,
        *,
        lock: WorkspaceLock | None = None,
    ) -> None:
        #: The workspace's folder; for a workspace on a PostgreSQL server, this officer's local folder (the
        #: officer's name, exports), the database and its stored files being on the server.
        self.folder = folder
        self.db = db
        #: The forms shipped with the app (or given); ``forms`` adds those of the partnerships set up or joined.
        self.base_forms = forms
        self.forms = forms
        #: The partnership screens and documents name when no return says otherwise (:meth:`refresh_partnerships`).
        self.profile: Partnership = shipped_profile()
        self.blobs: BlobStore | PgBlobStore = (
            PgBlobStore(db) if isinstance(db, WorkspacePostgres) else BlobStore(folder / "attachments")
        )
        #: held while open for writing; None when read-only (or built around a database opened elsewhere)
        self.lock = lock
        self._user: str | None = None

    @classmethod
    def open(
        cls,
        folder: str | Path | None = None,
        forms: FormRegistry | None = None,
        *,
        read_only: bool = False,
        daily_backup: bool = True,
        database: str | None = None,
        password: str | None = None,
    ) -> Workspace:
        """Open the workspace in ``folder`` (the user's data folder if None), creating it if there is none.

        ``database``: a PostgreSQL URL (``postgresql://user@host:port/dbname``): a Business Unit workspace on a
        shared server (:meth:`open_server`); ``folder`` is then this officer's local folder.

        ``read_only``: look without changing anything and without taking the lock (another process has it).
        ``daily_backup``: back the database up if no backup was made today (the GUI does it after start-up,
        in the background).

        Raises :class:`~oscb_desktop.store.WorkspaceError` subclasses with words for the user:
        :class:`~oscb_desktop.store.WorkspaceInUseError` (who has it open), ``WorkspaceDamagedError`` and
        ``WalMissingError`` (the newest good backup named), ``DatabaseTooNewError``,
        ``WorkspaceUnavailableError`` (a read-only folder, a full disk).
        """
        if database:
            return cls.open_server(database, forms, folder=folder, password=password)
        folder = Path(folder) if folder else paths.default_data_dir()
        forms = forms if forms is not None else FormRegistry.load()
        lock = None
        if not read_only:
            try:
                make_folder(folder, private=True)
            except OSError as exc:
                raise unavailable(folder, exc) from exc
            lock = WorkspaceLock.acquire(folder, user=login_name())
        try:
            existed = (folder / DB_FILENAME).exists()
            if lock is not None and lock.first:  # no other thread of this process is writing here
                removed = remove_leftover_parts(folder)
                if removed:
                    log.info("removed %d unfinished writes left by a killed process: %s", len(removed), removed)
                make_private(folder)
            if lock is not None and lock.took_over is not None:
                log.warning("took over the workspace lock of a process that ended: %s", lock.took_over)
            db = open_database(folder / DB_FILENAME, read_only=read_only)
        except BaseException:
            if lock is not None:
                lock.release()
            raise
        ws = cls(folder, db, forms, lock=lock)
        ws.bind()
        ws.refresh_partnerships()
        if lock is not None:
            lock.update(ws.user)
            if daily_backup and existed:
                ws.daily_backup()
        return ws

    @classmethod
    def open_server(
        cls,
        url: str,
        forms: FormRegistry | None = None,
        *,
        folder: str | Path | None = None,
        password: str | None = None,
    ) -> Workspace:
        """Open the Business Unit workspace in the PostgreSQL database at ``url`` (schema made or brought up to
        date). Several officers open it at once: no lock, no file backups (the server's are the backups).

        ``folder``: this officer's local folder (default: one per database under the user's data folder).
        ``password``: typed by the user, held in memory only (else libpq's ``PGPASSWORD`` or ``~/.pgpass``).
        Raises :class:`~oscb_desktop.store.postgres.ServerUnavailableError` or ``DatabaseAddressError``.
        """
        if not is_database_url(url):
            raise ValueError(f"not a PostgreSQL URL: {url!r}")
        forms = forms if forms is not None else FormRegistry.load()
        local = Path(folder) if folder else paths.default_data_dir() / "servers" / safe_stem(describe(url))
        db = open_postgres(url, password=password)
        try:
            make_folder(local, private=True)
        except OSError as exc:
            db.close()
            raise unavailable(local, exc) from exc
        ws = cls(local, db, forms)
        ws.bind()
        ws.refresh_partnerships()
        return ws

    @property
    def engine(self) -> str:
        """``sqlite`` (a workspace folder) or ``postgresql`` (a Business Unit's shared server)."""
        return str(getattr(self.db, "engine", "sqlite"))

    @property
    def where(self) -> str:
        """Which database this is, in words for a title bar: the folder, or the server's database."""
        if isinstance(self.db, WorkspacePostgres):
            return f"PostgreSQL: {self.db.where}"
        return str(self.folder)

    def refresh_partnerships(self) -> None:
        """Read the partnerships of this workspace again: their forms join ``forms`` and ``profile`` is the
        Business Unit's own partnership, or the first an agency joined, else the shipped profile.

        A form a partnership set a deadline for gets it here when no other partnership here uses that form
        with another deadline (a return's own deadline is its partnership's: ``services.returns``).
        """
        with database_proxy.bound_to(self.db):
            rows = list(PartnershipRow.select().order_by(PartnershipRow.own.desc(), PartnershipRow.joined_at))
            form_rows = list(PartnershipFormRow.select().order_by(PartnershipFormRow.id))
            # A Business Unit's members are its register; an agency knows the members a pack named.
            register = [(a.name, a.sector) for a in RegisteredAgency.select().order_by(RegisteredAgency.name)]
        if rows:
            self.profile = profile_of(rows[0], register if rows[0].own else None)
        else:
            self.profile = shipped_profile()
        names = {row.id: row.short_name for row in rows}
        extra: list[FormDefinition] = []
        deadlines: dict[tuple[str, str], set[date | None]] = {}
        for row in form_rows:
            try:
                form = load_text(row.source, source=f"{names.get(row.partnership_id, 'partnership')} pack: "
                                 f"{row.form_id} {row.form_version}")  # fmt: skip
            except FormDefinitionError as exc:
                log.warning("a partnership form no longer loads: %s", exc)
                continue
            deadline = date.fromisoformat(row.deadline) if row.deadline else None
            extra.append(dataclasses.replace(form, deadline=deadline))
            deadlines.setdefault(form.key, set()).add(deadline)
        merged = self.base_forms.merged(extra)
        for key, found in deadlines.items():
            if len(found) == 1 and key in merged.forms:
                merged.forms[key] = dataclasses.replace(merged.forms[key], deadline=next(iter(found)))
        self.forms = merged

    @property
    def read_only(self) -> bool:
        return bool(getattr(self.db, "read_only", False))

    def daily_backup(self) -> store_backup.BackupInfo | None:
        """Back the database up unless a backup was made today; never raises (a failure is logged)."""
        if self.read_only or self.engine != "sqlite":  # a server is backed up by its administrator
            return None
        folder = self.folder / store_backup.BACKUP_DIR
        newest = store_backup.list_backups(folder)[:1]
        today = datetime.now().astimezone().date()
        if newest and newest[0].made_at.astimezone().date() == today:
            return None
        try:
            made = store_backup.make_backup(self.db.connection(), folder, "daily")
            store_backup.prune(folder)
        except store_backup.BackupError:
            log.warning("the daily backup of %s failed", self.folder, exc_info=True)
            return None
        return made

    def close(self) -> None:
        try:
            if not self.db.is_closed():
                if not self.read_only and self.engine == "sqlite":
                    # Fold the WAL back so the single .db file is complete on its own. On a full disk it may not:
                    # the WAL then stays beside the database, which reads it at the next opening.
                    try:
                        self.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                    except (OSError, peewee.DatabaseError) as exc:
                        log.warning("the workspace's WAL could not be folded back at closing: %s", exc)
                self.db.close()
        finally:
            if database_proxy.default is self.db:
                database_proxy.initialize(None)
            if self.lock is not None:
                self.lock.release()

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
        if self._officer_setting(key):
            return self._officer_settings().get(key, default)
        with self.bound():
            row = Setting.get_or_none(Setting.key == key)
        return default if row is None else row.value

    def set_setting(self, key: str, value: Any) -> None:
        self.forget_user()
        if self._officer_setting(key):
            settings = self._officer_settings()
            settings[key] = value
            atomic_write(self.folder / OFFICER_SETTINGS, json.dumps(settings, indent=1).encode(), private=True)
            return
        with self.bound(), self.db.atomic():
            Setting.insert(key=key, value=value).on_conflict(
                conflict_target=[Setting.key], update={Setting.value: value}
            ).execute()

    def forget_user(self) -> None:
        """The name the audit trail uses may have changed (a setting, an agency's lead): work it out again."""
        self._user = None

    def _officer_setting(self, key: str) -> bool:
        """On a shared server, each officer's own name is kept on their computer, not in the shared database."""
        return key in PER_OFFICER_SETTINGS and self.engine != "sqlite"

    def _officer_settings(self) -> dict[str, Any]:
        try:
            found = json.loads((self.folder / OFFICER_SETTINGS).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return found if isinstance(found, dict) else {}

    @property
    def user(self) -> str:
        """Who the audit trail names for changes made here: ``Sam Lead (sam)``, the person's name (the
        workspace's ``user_name`` setting, else the lead of its only agency profile) and the login, which
        tells apart two people who share a workspace or a profile. The login alone when no name is known.

        Worked out once (every autosave names it) and again after :meth:`forget_user`."""
        if self._user is None:
            self._user = self._work_out_user()
        return self._user

    def _work_out_user(self) -> str:
        login = login_name()
        name = str(self.setting("user_name") or "").strip()
        if not name:
            with self.bound():
                leads = [a.lead_name for a in Agency.select(Agency.lead_name).order_by(Agency.id).limit(2)]
            name = leads[0].strip() if len(leads) == 1 else ""
        return f"{name} ({login})" if name and name != login else login

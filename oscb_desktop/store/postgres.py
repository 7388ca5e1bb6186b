"""A Business Unit workspace on a shared PostgreSQL server: the connection, and stored files in the database.

The address is a libpq URL without a password (``postgresql://user@host:port/dbname``). The password comes from
where libpq looks for it (``PGPASSWORD``, ``~/.pgpass``, a service file) or, in the app, is asked for and kept in
memory only: the app never writes it anywhere. A URL that carries a password is refused for that reason (it would
be kept in shell histories and settings).

Several officers' apps work on one database at once: the server takes care of concurrency (every transaction
is a plain PostgreSQL transaction), so there is no workspace lock and no file backups here; backing the
server up is the server's administrator's job (``pg_dump``).
"""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from peewee import DatabaseError, PostgresqlDatabase

from oscb_desktop.store.blobs import MAX_FILE_BYTES, AttachmentError, BlobRef, _too_large
from oscb_desktop.store.errors import WorkspaceError
from oscb_desktop.store.models import database_proxy
from oscb_desktop.store.pg_schema import migrate

SCHEMES = ("postgresql://", "postgres://")


class DatabaseAddressError(WorkspaceError):
    """A ``--database`` address that is not a usable PostgreSQL URL."""


class ServerUnavailableError(WorkspaceError):
    """The PostgreSQL server cannot be reached or refused the connection; the message says why and what to do.
    ``needs_password``: libpq found no password, so the app may ask for one."""

    def __init__(self, text: str, *, needs_password: bool = False) -> None:
        super().__init__(text)
        self.needs_password = needs_password


def is_database_url(text: str | os.PathLike[str] | None) -> bool:
    return isinstance(text, str) and text.lower().startswith(SCHEMES)


def check_url(url: str) -> str:
    """``url`` if it is a PostgreSQL URL without a password; else :class:`DatabaseAddressError` in plain words."""
    if not is_database_url(url):
        raise DatabaseAddressError(f"{url!r} is not a PostgreSQL address: write postgresql://user@host:port/dbname.")
    parts = urlsplit(url)
    if parts.password is not None:
        raise DatabaseAddressError(
            "The database address holds a password, which OSCB Desktop will not keep or pass around. Give the "
            "address without it (postgresql://user@host:port/dbname) and the password in PGPASSWORD or "
            "~/.pgpass (the app asks for it otherwise)."
        )
    if not parts.path.strip("/"):
        raise DatabaseAddressError(f"The database address {url} names no database: end it with /dbname.")
    return url


def describe(url: str) -> str:
    """``oscb on db.example.org:5432 as bea`` — which database, for the title bar and messages."""
    parts = urlsplit(url)
    name = unquote(parts.path.strip("/"))
    host = unquote(parts.hostname or "")
    if not host or host.startswith("/"):  # a unix socket
        host = "the local server"
    port = f":{parts.port}" if parts.port else ""
    user = f" as {unquote(parts.username)}" if parts.username else ""
    return f"{name} on {host}{port}{user}"


class WorkspacePostgres(PostgresqlDatabase):
    """The database of a Business Unit workspace on a PostgreSQL server (psycopg 3)."""

    engine = "postgresql"
    read_only = False

    def __init__(self, url: str, *, password: str | None = None) -> None:
        params: dict[str, Any] = {"connect_timeout": 10, "application_name": "OSCB Desktop"}
        if password is not None:  # asked in the app; held in memory only
            params["password"] = password
        super().__init__(url, prefer_psycopg3=True, **params)
        self.url = url

    @property
    def where(self) -> str:
        return describe(self.url)


def open_postgres(url: str, *, password: str | None = None, bind: bool = False) -> WorkspacePostgres:
    """Connect to the PostgreSQL workspace at ``url`` and bring its schema up to date (creating it in an empty
    database). Raises :class:`ServerUnavailableError` or :class:`DatabaseAddressError` with words for the user."""
    db = WorkspacePostgres(check_url(url), password=password)
    try:
        db.connect()
    except DatabaseError as exc:
        raise _unavailable(url, exc) from None
    try:
        migrate(db, describe(url))
    except BaseException:
        db.close()
        raise
    if bind:
        database_proxy.initialize(db)
    return db


def _unavailable(url: str, exc: BaseException) -> ServerUnavailableError:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    where = describe(url)
    if "password authentication failed" in text:  # one was given (typed, PGPASSWORD or ~/.pgpass): not this one
        return ServerUnavailableError(
            f"The PostgreSQL server of {where} did not accept the password ({text}). Check it (capitals count) and "
            "type it again, or correct it in PGPASSWORD or ~/.pgpass; nothing was changed.",
            needs_password=True,
        )
    if "no password supplied" in text:
        return ServerUnavailableError(
            f"The PostgreSQL server of {where} needs a password ({text}). Put it in PGPASSWORD or ~/.pgpass, or "
            "type it when the app asks; nothing was changed.",
            needs_password=True,
        )
    return ServerUnavailableError(
        f"The PostgreSQL database {where} cannot be opened ({text}). Check the address, that the server is "
        "running and reachable, and that your PostgreSQL user may use the database; nothing was changed."
    )


class PgBlobStore:
    """The blob store's API (:class:`~oscb_desktop.store.blobs.BlobStore`) on a ``stored_file`` table.

    A file written in a transaction is kept only if the transaction commits; writing the same file twice (two
    officers importing the same bundle) keeps one row. Rows are never deleted (a trigger refuses it), not even
    after a failed import: another officer may meanwhile have stored and named the same file.
    """

    def __init__(self, db: WorkspacePostgres) -> None:
        self.db = db

    def add_bytes(self, data: bytes, name: str) -> BlobRef:
        sha = hashlib.sha256(data).hexdigest()
        if not self.exists(sha):
            self.db.execute_sql(
                "INSERT INTO stored_file (sha256, size, data, added_at) VALUES (%s, %s, %s, %s) "
                "ON CONFLICT (sha256) DO NOTHING",
                (sha, len(data), data, datetime.now(UTC).isoformat(timespec="milliseconds")),
            )
        return BlobRef(sha, name, len(data))

    def add_file(self, source: str | Path, name: str | None = None, *, max_bytes: int = MAX_FILE_BYTES) -> BlobRef:
        source = Path(source)
        limit = min(max_bytes, MAX_FILE_BYTES)
        try:
            with open(source, "rb") as fh:
                data = fh.read(limit + 1)  # read once: what is stored is what was hashed
        except OSError as exc:
            raise AttachmentError(f"{source.name} cannot be read ({exc.strerror}).") from exc
        if len(data) > limit:
            raise _too_large(source.name, len(data), limit)
        return self.add_bytes(data, name or source.name)

    def read(self, sha256: str) -> bytes:
        row = self.db.execute_sql("SELECT data FROM stored_file WHERE sha256 = %s", (_checked(sha256),)).fetchone()
        if row is None:
            raise FileNotFoundError(2, "No such stored file", sha256)
        return bytes(row[0])

    def exists(self, sha256: str) -> bool:
        row = self.db.execute_sql("SELECT 1 FROM stored_file WHERE sha256 = %s", (_checked(sha256),)).fetchone()
        return row is not None

    def hashes(self) -> set[str]:
        return {r[0] for r in self.db.execute_sql("SELECT sha256 FROM stored_file")}


def _checked(sha256: str) -> str:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise AttachmentError(f"{sha256!r} is not a SHA-256 digest")
    return sha256

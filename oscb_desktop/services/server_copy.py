"""Moving a Business Unit workspace from its folder (SQLite) to a PostgreSQL server, verified.

Every row of every table and every stored file is copied into an empty server database in one transaction (all
or nothing), then read back: the count and a SHA-256 over the rows of each table must equal the folder's, and
every stored file must be there with the hash it is named by. The folder is not changed (it stays a complete
workspace, and a backup of what was moved).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from peewee import AutoField, Model

from oscb_desktop.forms import FormRegistry
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.store.blobs import BlobStore
from oscb_desktop.store.errors import WorkspaceError
from oscb_desktop.store.models import ALL_MODELS, Answer, Submission, database_proxy
from oscb_desktop.store.postgres import PgBlobStore, describe, open_postgres

Progress = Callable[[str], None]


class CopyRefusedError(WorkspaceError):
    """The copy cannot be made (the server's database is not empty, a stored file is damaged...); nothing was
    written to the server."""


@dataclass
class TableCheck:
    table: str
    rows: int
    copied: int
    same: bool


@dataclass
class CopyReport:
    source: Path
    target: str
    tables: list[TableCheck] = field(default_factory=list)
    files: int = 0
    files_found: int = 0
    file_bytes: int = 0

    @property
    def verified(self) -> bool:
        return all(t.same for t in self.tables) and self.files == self.files_found


def _rows(model: type[Model]) -> list[dict[str, object]]:
    return [dict(r) for r in model.select().order_by(*model._meta.get_primary_keys()).dicts()]  # type: ignore[call-overload]


def _digest(rows: list[dict[str, object]]) -> str:
    h = hashlib.sha256()
    for row in rows:
        h.update(json.dumps(row, sort_keys=True, default=str, ensure_ascii=False).encode())
        h.update(b"\n")
    return h.hexdigest()


def _stored_files(blobs: BlobStore) -> list[Path]:
    if not blobs.folder.is_dir():
        return []
    return sorted(p for p in blobs.folder.glob("??/*") if p.is_file() and len(p.name) == 64)


def copy_to_server(
    folder: str | Path, url: str, *, forms: FormRegistry | None = None, progress: Progress | None = None
) -> CopyReport:
    """Copy the workspace in ``folder`` into the empty PostgreSQL database at ``url`` and verify it.

    Raises :class:`CopyRefusedError` (the database already holds a workspace, a stored file is damaged) or the
    errors of opening either side, with words for the user; the server is then as it was.
    """
    say = progress or (lambda _text: None)
    report = CopyReport(Path(folder), describe(url))
    with Workspace.open(folder, forms=forms, daily_backup=False) as source:
        if not isinstance(source.blobs, BlobStore):
            raise CopyRefusedError(f"{folder} is not a workspace folder.")
        target = open_postgres(url)
        try:
            with database_proxy.bound_to(target):
                occupied = [m._meta.table_name for m in ALL_MODELS if m.select().exists()]
            if occupied:
                raise CopyRefusedError(
                    f"The database {describe(url)} already holds a workspace ({', '.join(occupied[:4])}...): copy "
                    "into a new, empty database. Nothing was written to it."
                )
            with source.bound():
                tables = {m: _rows(m) for m in ALL_MODELS}
            files = _stored_files(source.blobs)
            with target.atomic(), database_proxy.bound_to(target):
                for model, rows in tables.items():
                    say(f"{model._meta.table_name}: {len(rows)} rows")
                    if model is Submission:
                        _copy_returns(rows, tables[Answer])
                    elif model is not Answer:
                        _insert(model, rows)
                blobs = PgBlobStore(target)
                for path in files:
                    data = path.read_bytes()
                    if hashlib.sha256(data).hexdigest() != path.name:
                        raise CopyRefusedError(
                            f"The stored file {path} has been damaged or changed (its content no longer matches its "
                            "name). Restore the workspace's attachments from a backup, then copy again. Nothing "
                            "was written to the server."
                        )
                    blobs.add_bytes(data, path.name)
                    report.file_bytes += len(data)
                say(f"stored files: {len(files)}")
            with database_proxy.bound_to(target):  # read back, committed
                for model, rows in tables.items():
                    copied = _rows(model)
                    report.tables.append(
                        TableCheck(model._meta.table_name, len(rows), len(copied), _digest(copied) == _digest(rows))
                    )
            report.files = len(files)
            names = {p.name for p in files}
            checked = target.execute_sql("SELECT sha256 FROM stored_file WHERE encode(sha256(data), 'hex') = sha256")
            report.files_found = len(names & {r[0] for r in checked})
        finally:
            target.close()
    return report


def _insert(model: type[Model], rows: list[dict[str, object]]) -> None:
    """Insert rows as they were, ids kept (and the id's sequence moved past them)."""
    for start in range(0, len(rows), 200):
        model.insert_many(rows[start : start + 200]).execute()
    pk = model._meta.primary_key
    if rows and isinstance(pk, AutoField):
        table, column = model._meta.table_name, pk.column_name
        model._meta.database.execute_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), (SELECT max({column}) FROM {table}))"
        )


def _copy_returns(returns: list[dict[str, object]], answers: list[dict[str, object]]) -> None:
    """An agency's returns and their answers. A signed return's answers can only be written while it is a draft
    (the triggers), so returns go in as drafts, unlinked; then their answers; then their links and status."""
    _insert(Submission, [{**r, "status": "draft", "supersedes": None, "carried_from": None} for r in returns])
    _insert(Answer, answers)
    for r in returns:
        Submission.update(supersedes=r["supersedes"], carried_from=r["carried_from"]).where(
            Submission.id == r["id"]
        ).execute()
        Submission.update(status=r["status"]).where(Submission.id == r["id"]).execute()

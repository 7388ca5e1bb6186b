"""The schema of a workspace on PostgreSQL: the same tables, columns, keys and guarantees as the SQLite one, from
the same migrations (:mod:`.migrations`), rendered in PostgreSQL's dialect.

Each SQLite step is run against a recorder and its statements translated (:func:`translate`: ids ``SERIAL``, the
models' boolean columns ``BOOLEAN``, ``"user"`` quoted); a step that cannot be translated statement by statement
gets its PostgreSQL statements in :data:`STEPS`. ``tests/unit/store/test_postgres.py`` checks that both engines
end with the same tables, columns, keys and unique indexes as the models.

The SQLite triggers that make signed content immutable are PL/pgSQL triggers here, with the same messages:
received signed content cannot be changed or deleted, whoever connects (``psql`` as much as the app). Stored files
(the blob store) are a table, ``stored_file``, rows only ever added.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from peewee import BooleanField, Database

from oscb_desktop.store.migrations import (
    _COMPLETED_BY_BUNDLE,
    _RECEIVED_CONTENT,
    _SUBMISSION_LOCK_COLUMNS,
    CURRENT_VERSION,
    MIGRATIONS,
    DatabaseTooNewError,
)
from oscb_desktop.store.models import ALL_MODELS

#: Statements of a SQLite step that have no PostgreSQL counterpart to translate: the triggers, written in
#: PL/pgSQL below (and re-created after every migration, so they always state the current rules).
_SKIPPED = ("CREATE TRIGGER", "DROP TRIGGER")

#: What a server workspace has that a folder keeps elsewhere: the stored files (a folder's ``attachments/``).
_EXTRA: dict[int, tuple[str, ...]] = {
    1: (
        """CREATE TABLE stored_file (
            sha256 CHAR(64) NOT NULL PRIMARY KEY, size INTEGER NOT NULL, data BYTEA NOT NULL,
            added_at VARCHAR(255) NOT NULL)""",
    ),
}


class _Recorder:
    """Stands in for the database a SQLite step writes to, and keeps what it would have run."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, object]] = []

    def execute_sql(self, sql: str, params: object = None) -> None:
        self.statements.append((sql, params))


def _booleans() -> dict[str, set[str]]:
    """Table -> its columns that the models read as booleans (INTEGER 0/1 on SQLite, BOOLEAN here)."""
    return {
        m._meta.table_name: {f.column_name for f in m._meta.sorted_fields if isinstance(f, BooleanField)}
        for m in ALL_MODELS
    }


def translate(sql: str, booleans: dict[str, set[str]] | None = None) -> str | None:
    """The PostgreSQL dialect of one statement of a SQLite step (None: a trigger, written separately)."""
    if sql.lstrip().upper().startswith(_SKIPPED):
        return None
    booleans = _booleans() if booleans is None else booleans
    table = re.search(r"(?:CREATE TABLE|ALTER TABLE|\bON)\s+(\w+)", sql)
    flags = booleans.get(table.group(1), set()) if table else set()
    out = re.sub(r"\bINTEGER NOT NULL PRIMARY KEY\b", "SERIAL NOT NULL PRIMARY KEY", sql)
    out = re.sub(r"(?<![\w\"])user(?= VARCHAR)", '"user"', out)
    for column in flags:
        out = re.sub(rf"\b{column} INTEGER( NOT NULL)?(?: DEFAULT ([01]))?", _as_boolean(column), out)
        out = re.sub(rf"\bWHERE {column} = 1\b", f"WHERE {column}", out)
    return out


def _as_boolean(column: str) -> Callable[[re.Match[str]], str]:
    def replace(m: re.Match[str]) -> str:
        default = "" if m.group(2) is None else f" DEFAULT {'TRUE' if m.group(2) == '1' else 'FALSE'}"
        return f"{column} BOOLEAN{m.group(1) or ''}{default}"

    return replace


def step(version: int) -> list[tuple[str, object]]:
    """What reaching ``version`` runs here: the SQLite step's statements translated, then this engine's extras."""
    if version in STEPS:
        return [(sql, None) for sql in STEPS[version]]
    recorder = _Recorder()
    MIGRATIONS[version - 1](recorder)  # type: ignore[arg-type]
    booleans = _booleans()
    out = []
    for sql, params in recorder.statements:
        done = translate(sql, booleans)
        if done is not None:
            out.append((done if params is None else done.replace("?", "%s"), params))
    return out + [(sql, None) for sql in _EXTRA.get(version, ())]


def _refuse(name: str, message: str, condition: str, *, ref: str = "NEW") -> list[str]:
    """A PL/pgSQL trigger function that raises ``message`` when ``condition`` holds (SQLite's ``RAISE(ABORT)``)."""
    back = "OLD" if ref == "OLD" else "NEW"
    return [
        f"""CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF {condition} THEN
                RAISE EXCEPTION '{message}' USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN {back};
        END $$"""
    ]


def _trigger(table: str, name: str, when: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {name} ON {table}",
        f"CREATE TRIGGER {name} BEFORE {when} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()",
    ]


def _changed(columns: tuple[str, ...] | list[str]) -> str:
    return " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in columns)


_SIGNED = "('signed', 'superseded')"
_RETURN_SIGNED = "this return is signed and cannot be changed"
_RECEIVED_SIGNED = "a received return is signed by its agency and cannot be"


def _triggers() -> list[str]:
    fixed = [c for c in _RECEIVED_CONTENT if c not in _COMPLETED_BY_BUNDLE]
    completable = _changed(_COMPLETED_BY_BUNDLE)
    sub_columns = (*_SUBMISSION_LOCK_COLUMNS, "signed_pdf_sha256", "signer_fingerprint")
    sql: list[str] = []
    for op, ref in (("insert", "NEW"), ("update", "NEW"), ("delete", "OLD")):
        sql += _refuse(
            f"answer_locked_{op}",
            _RETURN_SIGNED,
            f"(SELECT status FROM submission WHERE id = {ref}.submission_id) IN {_SIGNED}",
            ref=ref,
        )
        sql += _trigger("answer", f"answer_locked_{op}", op.upper())
    sql += _refuse(
        "submission_locked_update",
        _RETURN_SIGNED,
        f"OLD.status IN {_SIGNED} AND (NEW.status NOT IN {_SIGNED} OR {_changed(sub_columns)})",
    )
    sql += _refuse(
        "submission_locked_delete", "this return is signed and cannot be deleted", f"OLD.status IN {_SIGNED}", ref="OLD"
    )
    sql += _refuse(
        "received_return_signed_update",
        f"{_RECEIVED_SIGNED} changed",
        f"""{_changed(fixed)}
            OR (OLD.bundle_sha256 <> '' AND ({completable}))
            OR (OLD.bundle_sha256 = '' AND NEW.bundle_sha256 = '' AND ({completable}))""",
    )
    sql += _refuse("received_return_signed_delete", f"{_RECEIVED_SIGNED} deleted", "TRUE", ref="OLD")
    sql += _refuse("stored_file_kept", "a stored file is kept as it was added", "TRUE", ref="OLD")
    for table, name, when in (
        ("submission", "submission_locked_update", "UPDATE"),
        ("submission", "submission_locked_delete", "DELETE"),
        ("received_return", "received_return_signed_update", "UPDATE"),
        ("received_return", "received_return_signed_delete", "DELETE"),
        ("stored_file", "stored_file_kept", "UPDATE OR DELETE"),
    ):
        sql += _trigger(table, name, when)
    return sql


#: Version reached -> this engine's statements, for a SQLite step that cannot be translated statement by
#: statement (one that reads or moves data, say). Most steps need nothing here.
STEPS: dict[int, tuple[str, ...]] = {}

#: Every officer's app may open the database at the same moment: one of them creates or migrates the schema,
#: the others wait for it (a transaction-level advisory lock; the number is arbitrary but fixed).
_SCHEMA_LOCK = 0x05CB_0014


def schema_version(db: Database) -> int:
    if not db.table_exists("schema_version"):
        return 0
    row = db.execute_sql("SELECT version FROM schema_version").fetchone()
    return int(row[0]) if row else 0


def migrate(db: Database, where: str) -> list[int]:
    """Bring the PostgreSQL schema to ``CURRENT_VERSION``, in one transaction, whoever else is opening it;
    return the versions applied. A schema newer than this app is refused untouched (``where`` names it)."""
    with db.atomic():
        db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
        found = schema_version(db)
        if found > CURRENT_VERSION:
            raise DatabaseTooNewError(where, found, CURRENT_VERSION)  # type: ignore[arg-type]
        if found == CURRENT_VERSION:
            return []
        if found == 0:
            db.execute_sql("CREATE TABLE schema_version (version INTEGER NOT NULL)")
            db.execute_sql("INSERT INTO schema_version (version) VALUES (0)")
        applied = []
        for version in range(found + 1, CURRENT_VERSION + 1):
            for sql, params in step(version):
                db.execute_sql(sql, params)
            applied.append(version)
        for sql in _triggers():
            db.execute_sql(sql)
        db.execute_sql("UPDATE schema_version SET version = %s", (CURRENT_VERSION,))
    return applied

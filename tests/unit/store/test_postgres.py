"""A workspace on a real PostgreSQL server (the session's throwaway cluster): the same schema as on SQLite, the
same guarantees enforced by the database itself (checked with plain ``psql``), stored files in a table."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from helpers.pg_cluster import Cluster

from oscb_desktop.store import CURRENT_VERSION
from oscb_desktop.store.blobs import AttachmentError
from oscb_desktop.store.connection import open_database
from oscb_desktop.store.models import ALL_MODELS
from oscb_desktop.store.pg_schema import schema_version, step, translate
from oscb_desktop.store.postgres import (
    DatabaseAddressError,
    PgBlobStore,
    ServerUnavailableError,
    WorkspacePostgres,
    check_url,
    describe,
    open_postgres,
)


@pytest.fixture
def pg(pg_url: str):
    db = open_postgres(pg_url)
    yield db
    db.close()


def _dbname(db: WorkspacePostgres) -> str:
    return db.database.rsplit("/", 1)[1]


def test_a_new_database_gets_the_current_schema_once(pg: WorkspacePostgres, pg_url: str) -> None:
    assert schema_version(pg) == CURRENT_VERSION
    again = open_postgres(pg_url)  # another officer opening it: nothing to do
    try:
        assert schema_version(again) == CURRENT_VERSION
        assert again.execute_sql("SELECT count(*) FROM schema_version").fetchone()[0] == 1
    finally:
        again.close()


def test_officers_opening_a_new_database_at_once_make_the_schema_once(pg_cluster: Cluster) -> None:
    url = pg_cluster.new_database()
    errors: list[BaseException] = []

    def open_it() -> None:
        try:
            open_postgres(url).close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert pg_cluster.psql(url.rsplit("/", 1)[1], "SELECT version FROM schema_version").stdout.strip() == str(
        CURRENT_VERSION
    )


def test_tables_are_exactly_the_models_schema_version_and_stored_files(pg: WorkspacePostgres) -> None:
    assert set(pg.get_tables()) == {m._meta.table_name for m in ALL_MODELS} | {"schema_version", "stored_file"}


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: m.__name__)
def test_model_columns_match_the_postgresql_table_and_the_sqlite_one(
    pg: WorkspacePostgres, tmp_path: Path, model
) -> None:
    table = model._meta.table_name
    columns = {c.name: c for c in pg.get_columns(table)}
    fields = {f.column_name: f for f in model._meta.sorted_fields}
    assert set(columns) == set(fields), f"{table}: columns differ from {model.__name__}'s fields"
    for name, field in fields.items():
        assert columns[name].null == field.null, f"{table}.{name}: NULL allowed differs"
        assert columns[name].primary_key == field.primary_key, f"{table}.{name}: primary key differs"
    lite = open_database(tmp_path / "workspace.db")
    try:
        assert [c.name for c in lite.get_columns(table)] == [c.name for c in pg.get_columns(table)]
        assert {(fk.column, fk.dest_table) for fk in lite.get_foreign_keys(table)} == {
            (fk.column, fk.dest_table) for fk in pg.get_foreign_keys(table)
        }
        primary = {(c.name,) for c in pg.get_columns(table) if c.primary_key}
        assert {tuple(i.columns) for i in lite.get_indexes(table) if i.unique} - primary == {
            tuple(i.columns) for i in pg.get_indexes(table) if i.unique
        } - primary
    finally:
        lite.close()


# --- the guarantees, with plain psql ------------------------------------------------------------------------------

_RECEIVED = """INSERT INTO registered_agency (id, name, sector, contact_name, contact_email, created_at)
    VALUES (1, 'Example Trust', 'health', '', '', '2026-01-01');
INSERT INTO received_return (submission_id, version, agency_id, form_id, form_version, period, signed_at,
    signatory_name, signatory_role, signer_fingerprint, content_digest, bundle_sha256, pdf_sha256, answers, file_name,
    imported_at, imported_by)
    VALUES ('s-1', 1, 1, 'section11', '2026.1', '2026/27', '2026-02-01', 'Jo Director', 'Director', 'ab', 'cd', 'ef',
    '01', '{}', 'x.oscb', '2026-02-02', 'bea')"""

_SIGNED = """INSERT INTO agency (id, name, sector, services, lead_name, lead_email, lead_phone, created_at)
    VALUES (1, 'Example Trust', 'health', '', '', '', '', '2026-01-01');
INSERT INTO submission (id, agency_id, form_id, form_version, period, version, status, created_at, updated_at)
    VALUES ('d-1', 1, 'section11', '2026.1', '2026/27', 1, 'draft', '2026-01-01', '2026-01-01');
INSERT INTO answer (submission_id, item_id, value, carried, updated_at) VALUES ('d-1', 'q1', '"yes"', false, 'x');
UPDATE submission SET status = 'signed', signed_at = '2026-02-01' WHERE id = 'd-1'"""


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE received_return SET answers = '{\"q\": 1}'",
        "UPDATE received_return SET signatory_name = 'Someone Else'",
        "UPDATE received_return SET content_digest = 'zz'",
        "UPDATE received_return SET imported_at = '2030-01-01'",
    ],
)
def test_psql_cannot_change_what_an_agency_signed(pg_cluster: Cluster, pg: WorkspacePostgres, sql: str) -> None:
    pg_cluster.psql(_dbname(pg), _RECEIVED)
    done = pg_cluster.psql(_dbname(pg), sql, check=False)
    assert done.returncode != 0 and "a received return is signed by its agency and cannot be changed" in done.stderr
    assert pg_cluster.psql(_dbname(pg), "SELECT signatory_name, answers FROM received_return").stdout.strip() == (
        "Jo Director|{}"
    )


def test_psql_cannot_delete_a_received_return_but_may_review_it(pg_cluster: Cluster, pg: WorkspacePostgres) -> None:
    name = _dbname(pg)
    pg_cluster.psql(name, _RECEIVED)
    for sql in ("DELETE FROM received_return", "DELETE FROM registered_agency"):
        done = pg_cluster.psql(name, sql, check=False)
        assert done.returncode != 0, sql
    pg_cluster.psql(
        name, "UPDATE received_return SET review_status = 'accepted', reviewed_by = 'Bea', superseded = true"
    )
    assert pg_cluster.psql(name, "SELECT count(*), min(review_status) FROM received_return").stdout.strip() == (
        "1|accepted"
    )


def test_psql_cannot_change_or_delete_a_signed_return_or_its_answers(
    pg_cluster: Cluster, pg: WorkspacePostgres
) -> None:
    name = _dbname(pg)
    pg_cluster.psql(name, _SIGNED)
    for sql in (
        "UPDATE answer SET value = '\"no\"'",
        "DELETE FROM answer",
        "INSERT INTO answer (submission_id, item_id, value, carried, updated_at) VALUES ('d-1', 'q2', '1', false, 'x')",
        "UPDATE submission SET signatory_name = 'Someone Else'",
        "UPDATE submission SET status = 'draft'",
    ):
        done = pg_cluster.psql(name, sql, check=False)
        assert done.returncode != 0 and "this return is signed and cannot be changed" in done.stderr, sql
    for sql in ("DELETE FROM submission", "DELETE FROM agency"):
        done = pg_cluster.psql(name, sql, check=False)
        assert done.returncode != 0 and "this return is signed and cannot be deleted" in done.stderr, sql
    pg_cluster.psql(name, "UPDATE submission SET status = 'superseded' WHERE id = 'd-1'")  # allowed, as on SQLite
    assert pg_cluster.psql(name, "SELECT status, (SELECT count(*) FROM answer) FROM submission").stdout.strip() == (
        "superseded|1"
    )


# --- stored files --------------------------------------------------------------------------------------------------


def test_stored_files_are_kept_once_by_hash_and_never_changed(
    pg_cluster: Cluster, pg: WorkspacePostgres, tmp_path: Path
) -> None:
    blobs = PgBlobStore(pg)
    ref = blobs.add_bytes(b"%PDF-1.7 signed", "a.pdf")
    again = blobs.add_bytes(b"%PDF-1.7 signed", "b.pdf")
    assert ref.sha256 == again.sha256 and blobs.read(ref.sha256) == b"%PDF-1.7 signed" and blobs.exists(ref.sha256)
    source = tmp_path / "evidence.txt"
    source.write_bytes(b"x" * 1000)
    assert blobs.add_file(source).size == 1000
    with pytest.raises(AttachmentError, match="at most 1 MB"):
        source.write_bytes(b"y" * (1024 * 1024 + 1))
        blobs.add_file(source, max_bytes=1024 * 1024)
    with pytest.raises(FileNotFoundError):
        blobs.read("0" * 64)
    with pytest.raises(AttachmentError):
        blobs.exists("../etc/passwd")
    for sql in ("DELETE FROM stored_file", "UPDATE stored_file SET data = 'x'"):
        done = pg_cluster.psql(_dbname(pg), sql, check=False)
        assert done.returncode != 0 and "a stored file is kept as it was added" in done.stderr
    assert pg_cluster.psql(_dbname(pg), "SELECT count(*) FROM stored_file").stdout.strip() == "2"


# --- addresses and refusals ------------------------------------------------------------------------------------------


def test_an_address_with_a_password_or_without_a_database_is_refused() -> None:
    with pytest.raises(DatabaseAddressError, match=r"PGPASSWORD or ~/\.pgpass"):
        check_url("postgresql://bea:secret@db.example.org/oscb")
    with pytest.raises(DatabaseAddressError, match="names no database"):
        check_url("postgresql://bea@db.example.org:5432")
    with pytest.raises(DatabaseAddressError, match="not a PostgreSQL address"):
        check_url("mysql://bea@db/oscb")
    assert describe("postgresql://bea@db.example.org:5433/oscb") == "oscb on db.example.org:5433 as bea"
    assert describe("postgresql://bea@%2Ftmp%2Fsock/oscb") == "oscb on the local server as bea"


def test_a_database_that_does_not_exist_is_refused_in_plain_words(pg_cluster: Cluster) -> None:
    with pytest.raises(ServerUnavailableError, match=r"cannot be opened .*nothing was changed"):
        open_postgres(pg_cluster.url("no_such_database"))


# --- the migrations, rendered -------------------------------------------------------------------------------------


def test_sqlite_statements_are_rendered_in_postgresqls_dialect() -> None:
    booleans = {"thing": {"flag", "on"}}
    assert translate("CREATE TRIGGER t BEFORE UPDATE ON thing BEGIN SELECT 1; END", booleans) is None
    assert translate("DROP TRIGGER t", booleans) is None
    made = translate(
        "CREATE TABLE thing (id INTEGER NOT NULL PRIMARY KEY, user VARCHAR(255) NOT NULL, "
        "flag INTEGER NOT NULL DEFAULT 1, on INTEGER NOT NULL, count INTEGER NOT NULL DEFAULT 0)",
        booleans,
    )
    assert made == (
        'CREATE TABLE thing (id SERIAL NOT NULL PRIMARY KEY, "user" VARCHAR(255) NOT NULL, '
        "flag BOOLEAN NOT NULL DEFAULT TRUE, on BOOLEAN NOT NULL, count INTEGER NOT NULL DEFAULT 0)"
    )
    assert translate("ALTER TABLE thing ADD COLUMN flag INTEGER NOT NULL DEFAULT 0", booleans) == (
        "ALTER TABLE thing ADD COLUMN flag BOOLEAN NOT NULL DEFAULT FALSE"
    )
    assert translate("CREATE UNIQUE INDEX one ON thing (flag) WHERE flag = 1", booleans) == (
        "CREATE UNIQUE INDEX one ON thing (flag) WHERE flag"
    )
    assert step(1)[-1][0].startswith("CREATE TABLE stored_file")


def test_an_older_server_schema_is_brought_up_to_date_with_its_guarantees(pg_cluster: Cluster) -> None:
    url = pg_cluster.new_database()
    name = url.rsplit("/", 1)[1]
    old = CURRENT_VERSION - 2
    script = ["CREATE TABLE schema_version (version INTEGER NOT NULL)", f"INSERT INTO schema_version VALUES ({old})"]
    for version in range(1, old + 1):
        script += [sql for sql, params in step(version) if params is None]
    pg_cluster.psql(name, ";\n".join(script))
    db = open_postgres(url)
    try:
        assert schema_version(db) == CURRENT_VERSION
        assert set(db.get_tables()) == {m._meta.table_name for m in ALL_MODELS} | {"schema_version", "stored_file"}
    finally:
        db.close()
    pg_cluster.psql(name, _RECEIVED)
    done = pg_cluster.psql(name, "DELETE FROM received_return", check=False)
    assert done.returncode != 0 and "cannot be deleted" in done.stderr

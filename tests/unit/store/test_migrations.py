"""Schema migrations on real SQLite files: fresh databases, a stored version 1 database, refusals, triggers."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from peewee import IntegrityError, SqliteDatabase

from oscb_desktop.services import returns
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.store import CURRENT_VERSION, Agency, Answer, AuditEntry, DatabaseTooNewError, Submission
from oscb_desktop.store.connection import open_database
from oscb_desktop.store.migrations import migrate, schema_version
from oscb_desktop.store.models import ALL_MODELS

V1_FILE = Path(__file__).resolve().parents[2] / "data" / "workspace-v1.sqlite"
V1_SIGNED_ID = "0b6f5f3e-9a51-4c39-8f5e-2a7f1d0c1111"
V1_DRAFT_ID = "5d1c2b7a-3e44-4f0a-9c6b-8e2f4a9d2222"


@pytest.fixture
def fresh_db(tmp_path: Path):
    db = open_database(tmp_path / "workspace.db")
    yield db
    db.close()


def _version_of(file: Path) -> int:
    con = sqlite3.connect(file)
    try:
        return int(con.execute("SELECT version FROM schema_version").fetchone()[0])
    finally:
        con.close()


# --- a fresh database ---------------------------------------------------------------------------


def test_fresh_database_reaches_current_version_with_wal_and_foreign_keys(tmp_path: Path, fresh_db) -> None:
    assert schema_version(fresh_db) == CURRENT_VERSION
    assert fresh_db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert fresh_db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert fresh_db.execute_sql("SELECT count(*) FROM schema_version").fetchone()[0] == 1
    assert list(tmp_path.glob("*.bak")) == [], "a new database has nothing to back up"


def test_reopening_a_current_database_changes_nothing(tmp_path: Path) -> None:
    file = tmp_path / "workspace.db"
    open_database(file).close()
    db = open_database(file)
    try:
        assert schema_version(db) == CURRENT_VERSION
    finally:
        db.close()
    assert list(tmp_path.glob("*.bak")) == []


def test_tables_are_exactly_the_models_and_schema_version(fresh_db) -> None:
    assert set(fresh_db.get_tables()) == {m._meta.table_name for m in ALL_MODELS} | {"schema_version"}


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: m.__name__)
def test_model_columns_match_migrated_table(fresh_db, model) -> None:
    """Models and migrations are written separately; this is what stops them drifting apart."""
    table = model._meta.table_name
    columns = {c.name: c for c in fresh_db.get_columns(table)}
    fields = {f.column_name: f for f in model._meta.sorted_fields}
    assert set(columns) == set(fields), f"{table}: migrated columns differ from {model.__name__}'s fields"
    assert [n for n in model._meta.sorted_field_names] == [f.name for f in model._meta.sorted_fields]
    for name, field in fields.items():
        assert columns[name].null == field.null, f"{table}.{name}: NULL allowed differs"
        assert columns[name].primary_key == field.primary_key, f"{table}.{name}: primary key differs"


def test_model_foreign_keys_and_unique_indexes_match(fresh_db) -> None:
    for model in ALL_MODELS:
        table = model._meta.table_name
        in_db = {(fk.column, fk.dest_table) for fk in fresh_db.get_foreign_keys(table)}
        in_model = {(f.column_name, f.rel_model._meta.table_name) for f in model._meta.refs}
        assert in_db == in_model, table
    unique = {tuple(i.columns) for i in fresh_db.get_indexes("answer") if i.unique}
    assert ("submission_id", "item_id") in unique


# --- a stored version 1 database ----------------------------------------------------------------


def test_stored_v1_fixture_is_a_single_file_at_version_1() -> None:
    for suffix in ("-wal", "-shm", "-journal"):
        assert not Path(f"{V1_FILE}{suffix}").exists()
    header = V1_FILE.read_bytes()[:100]
    assert header.startswith(b"SQLite format 3\x00")
    assert header[18:20] == b"\x01\x01", "the stored file must use the rollback journal, not WAL"
    assert _version_of(V1_FILE) == 1


@pytest.fixture
def migrated_v1(tmp_path: Path):
    file = tmp_path / "workspace.db"
    shutil.copyfile(V1_FILE, file)
    db = open_database(file, bind=True)  # the models below query it as the process's default
    yield file, db
    db.close()


def test_v1_database_migrates_to_current_version(migrated_v1) -> None:
    _, db = migrated_v1
    assert schema_version(db) == CURRENT_VERSION
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute_sql("PRAGMA foreign_key_check").fetchall() == []


def test_v1_data_is_preserved(migrated_v1) -> None:
    agency = Agency.get()
    assert (agency.id, agency.name, agency.lead_email) == (1, "Example Community Health Trust", "sam.lead@example.org")
    signed = Submission.get_by_id(V1_SIGNED_ID)
    assert (signed.status, signed.form_version, signed.period) == ("signed", "2025.1", "2025/26")
    assert signed.signatory_name == "Dr Alex Director"
    draft = Submission.get_by_id(V1_DRAFT_ID)
    assert draft.carried_from_id == V1_SIGNED_ID
    answers = {a.item_id: a.value for a in Answer.select().where(Answer.submission == V1_SIGNED_ID)}
    assert answers["s1.1"] == {"level": "green", "evidence": "Board minutes, 12 June 2025"}
    assert answers["s1.actions"][0]["status"] == "complete"
    assert len(answers) == 3
    carried = Answer.get((Answer.submission == V1_DRAFT_ID) & (Answer.item_id == "about.completed_by"))
    assert carried.carried is True
    assert AuditEntry.select().count() == 4


def test_v1_new_columns_get_their_defaults(migrated_v1) -> None:
    assert {s.percent_complete for s in Submission.select()} == {0}
    assert {e.action for e in AuditEntry.select()} == {"edit"}


def test_v1_signed_return_is_protected_after_migration(migrated_v1) -> None:
    _, db = migrated_v1
    with pytest.raises(IntegrityError, match="signed"):
        db.execute_sql("UPDATE answer SET value = '\"changed\"' WHERE submission_id = ?", (V1_SIGNED_ID,))
    with pytest.raises(IntegrityError, match="signed"):
        db.execute_sql("UPDATE submission SET status = 'draft' WHERE id = ?", (V1_SIGNED_ID,))


def test_v1_draft_can_be_edited_after_migration(migrated_v1, shipped_forms) -> None:
    file, db = migrated_v1
    ws = Workspace(file.parent, db, shipped_forms)
    returns.save_answers(ws, V1_DRAFT_ID, {"about.services": "School nursing in Oxford"})
    entry = AuditEntry.get(AuditEntry.item_id == "about.services")
    assert (entry.action, entry.old_value, entry.new_value) == ("edit", None, "School nursing in Oxford")
    assert Submission.get_by_id(V1_DRAFT_ID).percent_complete > 0


def test_v1_backup_is_made_before_migrating(migrated_v1) -> None:
    file, _ = migrated_v1
    backups = list(file.parent.glob(f"{file.stem}.v1.*.bak"))
    assert len(backups) == 1, list(file.parent.iterdir())
    backup = backups[0]
    assert _version_of(backup) == 1
    con = sqlite3.connect(backup)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        columns = {row[1] for row in con.execute("PRAGMA table_info(submission)")}
        assert "percent_complete" not in columns
        assert con.execute("SELECT count(*) FROM answer").fetchone()[0] == 4
        value = con.execute("SELECT value FROM answer WHERE item_id = 's1.1' AND submission_id = ?", (V1_SIGNED_ID,))
        assert json.loads(value.fetchone()[0])["level"] == "green"
    finally:
        con.close()


def test_stored_fixture_itself_is_never_migrated(migrated_v1) -> None:
    assert _version_of(V1_FILE) == 1


# --- a database from a newer app ----------------------------------------------------------------


def _make_too_new(file: Path, journal_mode: str) -> None:
    db = SqliteDatabase(str(file), pragmas={"journal_mode": journal_mode})
    db.connect()
    migrate(db, file)
    db.execute_sql("UPDATE schema_version SET version = ?", (CURRENT_VERSION + 1,))
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def test_newer_database_is_refused_and_untouched(tmp_path: Path) -> None:
    file = tmp_path / "workspace.db"
    _make_too_new(file, "wal")
    before = file.read_bytes()
    with pytest.raises(DatabaseTooNewError, match="newer version") as info:
        open_database(file)
    assert info.value.found == CURRENT_VERSION + 1
    assert info.value.known == CURRENT_VERSION
    assert str(file) in str(info.value)
    assert file.read_bytes() == before
    assert list(tmp_path.glob("*.bak")) == []


def test_newer_database_in_rollback_journal_mode_is_untouched(tmp_path: Path) -> None:
    file = tmp_path / "workspace.db"
    _make_too_new(file, "delete")
    before = file.read_bytes()
    with pytest.raises(DatabaseTooNewError, match="newer version"):
        open_database(file)
    assert file.read_bytes() == before


# --- signed returns are enforced by the database ------------------------------------------------


@pytest.fixture
def signed_return(workspace: Workspace, agency: Agency) -> Submission:
    sub = returns.start_return(workspace, agency.id, "section11", "2026/27")
    returns.save_answers(workspace, sub.id, {"about.completed_by": "Sam Lead", "s1.1": {"level": "red"}})
    Submission.update(status="signed", signed_at="2027-03-01T10:00:00.000Z", signatory_name="Dr Director").where(
        Submission.id == sub.id
    ).execute()
    return Submission.get_by_id(sub.id)


def _stored_answers(db, sub_id: str) -> list[tuple]:
    return db.execute_sql(
        "SELECT item_id, value, carried FROM answer WHERE submission_id = ? ORDER BY item_id", (sub_id,)
    ).fetchall()


def test_trigger_refuses_answer_insert(workspace: Workspace, signed_return: Submission) -> None:
    before = _stored_answers(workspace.db, signed_return.id)
    with pytest.raises(IntegrityError, match="signed and cannot be changed"):
        workspace.db.execute_sql(
            "INSERT INTO answer (submission_id, item_id, value, carried, updated_at) VALUES (?, 's1.2', '{}', 0, 'x')",
            (signed_return.id,),
        )
    assert _stored_answers(workspace.db, signed_return.id) == before


def test_trigger_refuses_answer_update(workspace: Workspace, signed_return: Submission) -> None:
    before = _stored_answers(workspace.db, signed_return.id)
    with pytest.raises(IntegrityError, match="signed and cannot be changed"):
        workspace.db.execute_sql(
            "UPDATE answer SET value = '\"someone else\"' WHERE submission_id = ? AND item_id = 'about.completed_by'",
            (signed_return.id,),
        )
    with pytest.raises(IntegrityError, match="signed and cannot be changed"):
        workspace.db.execute_sql("UPDATE answer SET carried = 1 WHERE submission_id = ?", (signed_return.id,))
    assert _stored_answers(workspace.db, signed_return.id) == before


def test_trigger_refuses_answer_delete(workspace: Workspace, signed_return: Submission) -> None:
    before = _stored_answers(workspace.db, signed_return.id)
    with pytest.raises(IntegrityError, match="signed and cannot be changed"):
        workspace.db.execute_sql("DELETE FROM answer WHERE submission_id = ?", (signed_return.id,))
    assert _stored_answers(workspace.db, signed_return.id) == before
    assert len(before) == 2


@pytest.mark.parametrize(
    "assignment",
    [
        "status = 'draft'",
        "period = '2027/28'",
        "form_version = '2025.1'",
        "version = 2",
        "signed_at = NULL",
        "signatory_name = 'Someone Else'",
    ],
)
def test_trigger_refuses_changing_a_signed_submission(
    workspace: Workspace, signed_return: Submission, assignment: str
) -> None:
    with pytest.raises(IntegrityError, match="signed and cannot be changed"):
        workspace.db.execute_sql(f"UPDATE submission SET {assignment} WHERE id = ?", (signed_return.id,))
    stored = Submission.get_by_id(signed_return.id)
    assert (stored.status, stored.period, stored.version) == ("signed", "2026/27", 1)
    assert stored.signatory_name == "Dr Director"


def test_signed_submission_may_become_superseded(workspace: Workspace, signed_return: Submission) -> None:
    workspace.db.execute_sql("UPDATE submission SET status = 'superseded' WHERE id = ?", (signed_return.id,))
    assert Submission.get_by_id(signed_return.id).status == "superseded"
    with pytest.raises(IntegrityError, match="signed and cannot be changed"):
        workspace.db.execute_sql("DELETE FROM answer WHERE submission_id = ?", (signed_return.id,))


def test_draft_answers_are_not_blocked_by_triggers(workspace: Workspace, agency: Agency) -> None:
    sub = returns.start_return(workspace, agency.id, "section11", "2026/27")
    returns.save_answers(workspace, sub.id, {"about.completed_by": "Sam Lead"})
    workspace.db.execute_sql("UPDATE answer SET value = '\"Alex\"' WHERE submission_id = ?", (sub.id,))
    workspace.db.execute_sql("DELETE FROM answer WHERE submission_id = ?", (sub.id,))
    assert _stored_answers(workspace.db, sub.id) == []

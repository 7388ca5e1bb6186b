"""Regenerate ``workspace-v1.sqlite``: a workspace database exactly as version 1 of the schema made it.

The file is committed so that migration tests start from a real old database, not from whatever the
current code would produce. Only migration step 1 runs here (``MIGRATIONS[0]``, plus the schema_version
table at 1); the rows are inserted with plain SQL, because today's models have columns version 1 lacked.

Contents: one agency; its signed 2025/26 Section 11 return with three answers and their audit entries;
its draft 2026/27 return with one answer carried forward. Ids and times are fixed so the file only
changes when this script does.

Run from the repository root (regenerate only if step 1 itself had to be fixed, which it must not be)::

    uv run python tests/data/make_workspace_v1.py
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from peewee import SqliteDatabase

from oscb_desktop.store.migrations import MIGRATIONS
from oscb_desktop.store.models import dumps

TARGET = Path(__file__).with_name("workspace-v1.sqlite")

AGENCY_ID = 1
SIGNED_ID = "0b6f5f3e-9a51-4c39-8f5e-2a7f1d0c1111"
DRAFT_ID = "5d1c2b7a-3e44-4f0a-9c6b-8e2f4a9d2222"

SIGNED_ANSWERS = {
    "about.completed_by": "Sam Lead, Named Nurse for Safeguarding",
    "s1.1": {"level": "green", "evidence": "Board minutes, 12 June 2025"},
    "s1.actions": [
        {"action": "Annual report template", "lead": "Head of quality", "due": "2026-01-31", "status": "complete"}
    ],
}
DRAFT_ANSWERS = {"about.completed_by": "Sam Lead, Named Nurse for Safeguarding"}


def build(target: Path = TARGET) -> Path:
    target.unlink(missing_ok=True)
    # Rollback journal, not WAL: the committed file must be complete on its own. Small pages: a small file.
    db = SqliteDatabase(str(target), pragmas={"page_size": 1024, "journal_mode": "delete", "foreign_keys": 1})
    db.connect()
    with db.atomic():
        db.execute_sql("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        db.execute_sql("INSERT INTO schema_version (version) VALUES (1)")
        MIGRATIONS[0](db)
        db.execute_sql(
            "INSERT INTO agency (id, name, sector, services, lead_name, lead_email, lead_phone, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                AGENCY_ID,
                "Example Community Health Trust",
                "health",
                "Community nursing; school nursing",
                "Sam Lead",
                "sam.lead@example.org",
                "01865 000000",
                "2025-04-01T09:00:00.000Z",
            ),
        )
        submission_sql = (
            "INSERT INTO submission (id, agency_id, form_id, form_version, period, version, supersedes_id, "
            "status, carried_from_id, created_at, updated_at, signed_at, signatory_name, signatory_role) "
            "VALUES (?, ?, 'section11', ?, ?, 1, NULL, ?, ?, ?, ?, ?, ?, ?)"
        )
        db.execute_sql(
            submission_sql,
            (
                SIGNED_ID,
                AGENCY_ID,
                "2025.1",
                "2025/26",
                "signed",
                None,
                "2025-05-01T10:00:00.000Z",
                "2026-03-20T16:30:00.000Z",
                "2026-03-20T16:30:00.000Z",
                "Dr Alex Director",
                "Director of Nursing",
            ),
        )
        db.execute_sql(
            submission_sql,
            (
                DRAFT_ID,
                AGENCY_ID,
                "2026.1",
                "2026/27",
                "draft",
                SIGNED_ID,
                "2026-04-02T09:00:00.000Z",
                "2026-04-02T09:00:00.000Z",
                None,
                None,
                None,
            ),
        )
        for sub_id, answers, carried, at in (
            (SIGNED_ID, SIGNED_ANSWERS, 0, "2025-05-01T10:05:00.000Z"),
            (DRAFT_ID, DRAFT_ANSWERS, 1, "2026-04-02T09:00:00.000Z"),
        ):
            for item_id, value in answers.items():
                db.execute_sql(
                    "INSERT INTO answer (submission_id, item_id, value, carried, updated_at) VALUES (?, ?, ?, ?, ?)",
                    (sub_id, item_id, dumps(value), carried, at),
                )
                db.execute_sql(
                    "INSERT INTO audit_entry (submission_id, item_id, old_value, new_value, at, user) "
                    "VALUES (?, ?, NULL, ?, ?, 'sam')",
                    (sub_id, item_id, dumps(value), at),
                )
    db.execute_sql("VACUUM")
    db.close()
    _check_single_file(target)
    return target


def _check_single_file(target: Path) -> None:
    for suffix in ("-wal", "-shm", "-journal"):
        assert not Path(f"{target}{suffix}").exists(), f"{target}{suffix} left behind"
    con = sqlite3.connect(target)
    try:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()


if __name__ == "__main__":
    print(f"wrote {build()} ({TARGET.stat().st_size:,} bytes)")

"""Rolling backups with SQLite's online backup API, each checked; restore sets the current file aside
(issue 17 item 9)."""

from __future__ import annotations

import ast
import json
import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from helpers.workspaces import DB, flipped

from oscb_desktop.store import CURRENT_VERSION, open_database
from oscb_desktop.store.backup import (
    BACKUP_DIR,
    BackupError,
    list_backups,
    make_backup,
    newest_good,
    prune,
    restore,
)
from oscb_desktop.store.blobs import BlobStore


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "ws" / DB
    database = open_database(path)
    database.execute_sql("INSERT INTO setting (key, value) VALUES ('n', '1')")
    database.close()
    return path


def settings(path: Path) -> dict[str, str]:
    con = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return dict(con.execute("SELECT key, value FROM setting").fetchall())
    finally:
        con.close()


def backup_of(db: Path, reason: str = "manual", when: datetime | None = None, folder: Path | None = None):
    con = sqlite3.connect(db)
    try:
        return make_backup(con, folder or db.parent / BACKUP_DIR, reason, now=when)
    finally:
        con.close()


def test_a_backup_is_a_checked_private_copy_including_the_wal(db: Path) -> None:
    database = open_database(db)
    database.execute_sql("PRAGMA wal_autocheckpoint = 0")
    database.execute_sql("INSERT INTO setting (key, value) VALUES ('in-the-wal', '2')")
    try:
        con = database.connection()
        made = make_backup(con, db.parent / BACKUP_DIR, "sign-off")
    finally:
        database.close()
    assert made.path.parent == db.parent / BACKUP_DIR and made.path.suffix == ".db"
    assert made.ok and made.integrity == "ok" and made.reason == "sign-off"
    assert settings(made.path) == {"n": "1", "in-the-wal": "2"}
    record = json.loads(made.path.with_name(made.path.name + ".json").read_text(encoding="utf-8"))
    assert record["integrity"] == "ok" and record["reason"] == "sign-off"
    assert record["schema_version"] == CURRENT_VERSION
    assert sorted(p.name for p in made.path.parent.iterdir()) == sorted([made.path.name, made.path.name + ".json"])
    if os.name == "posix":
        assert made.path.stat().st_mode & 0o777 == 0o600
        assert (db.parent / BACKUP_DIR).stat().st_mode & 0o777 == 0o700


def test_backups_are_listed_newest_first_and_a_bad_one_is_not_good(db: Path) -> None:
    t0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    a = backup_of(db, "daily", t0)
    b = backup_of(db, "import", t0 + timedelta(hours=1))
    c = backup_of(db, "sign-off", t0 + timedelta(hours=2))
    flipped(c.path)
    c.path.with_name(c.path.name + ".json").unlink()  # its record lost too: it is checked again when listed
    listed = list_backups(db.parent / BACKUP_DIR)
    assert [x.path for x in listed] == [c.path, b.path, a.path]
    assert not listed[0].ok and listed[0].integrity != "ok"
    assert newest_good(db.parent / BACKUP_DIR) == listed[1]
    assert newest_good(db.parent / "nowhere") is None


def test_seven_daily_and_four_weekly_are_kept(db: Path) -> None:
    folder = db.parent / BACKUP_DIR
    start = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    made = []
    for day in range(60):  # two backups a day for sixty days
        for hour in (0, 5):
            made.append(backup_of(db, "daily", start + timedelta(days=day, hours=hour)))
    removed = prune(folder)
    kept = {b.path for b in list_backups(folder)}
    assert kept | {r for r in removed} == {b.path for b in made}
    days = {b.made_at.astimezone().date() for b in list_backups(folder)}
    newest_days = sorted({b.made_at.astimezone().date() for b in made})[-7:]
    assert set(newest_days) <= days, "one for each of the last seven days"
    weeks = {b.made_at.astimezone().isocalendar()[:2] for b in list_backups(folder)}
    assert len(weeks) >= 4, "and one for each of the last four weeks"
    assert len(kept) <= 5 + 7 + 4
    assert made[-1].path in kept and made[-2].path in kept, "the newest few are always kept"
    for path in removed:
        assert not path.exists() and not path.with_name(path.name + ".json").exists()


def test_restore_sets_the_current_file_aside_and_copies_the_backup(db: Path) -> None:
    first = backup_of(db)
    database = open_database(db)
    database.execute_sql("INSERT INTO setting (key, value) VALUES ('later', '3')")
    database.close()
    flipped(db)
    damaged = db.read_bytes()
    result = restore(db, first.path)
    assert result.set_aside and result.set_aside[0].read_bytes() == damaged
    assert result.set_aside[0].name.startswith(f"{DB}.set-aside-")
    assert settings(db) == {"n": "1"}
    assert first.path.is_file(), "the backup itself stays"
    if os.name == "posix":
        assert db.stat().st_mode & 0o777 == 0o600


def test_restore_refuses_a_bad_or_too_new_backup_and_changes_nothing(db: Path, tmp_path: Path) -> None:
    bad = backup_of(db)
    flipped(bad.path)
    before = db.read_bytes()
    with pytest.raises(BackupError, match="not restored"):
        restore(db, bad.path)
    newer = backup_of(db, folder=tmp_path / "other")
    con = sqlite3.connect(newer.path)
    con.execute("UPDATE schema_version SET version = ?", (CURRENT_VERSION + 1,))
    con.commit()
    con.close()
    with pytest.raises(BackupError, match="newer version"):
        restore(db, newer.path)
    with pytest.raises(BackupError, match="no backup"):
        restore(db, tmp_path / "missing.db")
    assert db.read_bytes() == before
    assert [p.name for p in db.parent.iterdir() if ".set-aside-" in p.name] == []


#: Every place that deletes files, and what it deletes. Evidence files and signed PDFs (``attachments/``) are
#: never among them: a backup may name any of them, and a restore must find them all (issue 17 item 9).
DELETERS = {
    "oscb_desktop/fsutil.py": "atomic_write's own temporary file; .part files of killed writes",
    "oscb_desktop/store/backup.py": "its temporary file; backups no longer kept and their records",
    "oscb_desktop/store/connection.py": "the temporary file a new database is built in",
    "oscb_desktop/services/journal.py": "recovery journal files once their answers are stored (journal/ only)",
    "oscb_desktop/services/import_results.py": "files an import wrote new whose rows could not be stored (no row, "
    "no backup names them)",
    "oscb_desktop/demo/build.py": "the scratch folder a demo is built in",
    "oscb_desktop/demo/cache.py": "a demo workspace kept in the user's cache folder (never a workspace), and the "
    "temporary folder it is copied into the cache through",
    "oscb_desktop/ui/opening.py": "the temporary folder of --demo without --data-dir, at exit",
    "oscb_desktop/store/blobs.py": "its own .part file while a file is copied in (or found already stored)",
    "oscb_desktop/services/evidence.py": "the temporary folder of read-only copies opened in a viewer, at exit",
}


def test_nothing_deletes_the_files_a_backup_needs() -> None:
    """A new deleter must be added above, after checking it cannot remove a file that a backup names."""
    root = Path(__file__).resolve().parents[3]
    found: dict[str, list[int]] = {}
    for path in sorted((root / "oscb_desktop").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = ast.unparse(node.func)
                if name.endswith((".unlink", "os.remove", "rmtree", ".rmdir")) or name in ("os.unlink", "os.remove"):
                    found.setdefault(path.relative_to(root).as_posix(), []).append(node.lineno)
            elif isinstance(node, ast.Attribute) and node.attr == "rmtree":
                found.setdefault(path.relative_to(root).as_posix(), []).append(node.lineno)
    assert set(found) <= set(DELETERS), {k: v for k, v in found.items() if k not in DELETERS}
    assert not [name for name in dir(BlobStore) if name.startswith(("delete", "remove", "discard"))]

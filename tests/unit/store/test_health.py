"""A database file that exists is never treated as new, and a lost WAL is noticed (issue 17 items 1, 4, 6)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import struct
from pathlib import Path

import pytest
from helpers.workspaces import DAMAGES, DB

from oscb_desktop.store import open_database
from oscb_desktop.store.health import WalMissingError, WorkspaceDamagedError, read_wal_index


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "ws" / DB
    database = open_database(path)
    database.execute_sql("INSERT INTO setting (key, value) VALUES ('a', '\"b\"')")
    database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.close()
    return path


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_a_damaged_database_is_refused_by_name_and_left_as_it_was(db: Path, damage: str) -> None:
    DAMAGES[damage](db)
    before = db.read_bytes()
    with pytest.raises(WorkspaceDamagedError) as caught:
        open_database(db)
    assert str(db) in str(caught.value)
    assert caught.value.path == db
    assert db.read_bytes() == before
    assert sorted(p.name for p in db.parent.iterdir()) == [DB], "no -wal or -shm made either"


def test_a_missing_database_beside_its_wal_is_not_a_new_one(db: Path) -> None:
    (db.parent / f"{DB}-wal").write_bytes(b"x" * 100)
    db.rename(db.parent / "moved-away.db")
    with pytest.raises(WorkspaceDamagedError, match="missing"):
        open_database(db)
    assert not db.exists()


def test_a_good_database_opens(db: Path) -> None:
    database = open_database(db)
    assert database.execute_sql("SELECT value FROM setting").fetchone() == ('"b"',)
    database.close()


def _live_copy_without_wal(db: Path, target: Path, *, checkpoint: bool) -> None:
    """Write while a connection holds the WAL, then copy the database and its -shm but not its -wal (as a sync
    tool, a cleaner or a careless hand might), the writer still open."""
    database = open_database(db)
    database.execute_sql("PRAGMA wal_autocheckpoint = 0")
    for n in range(3):
        database.execute_sql("INSERT INTO setting (key, value) VALUES (?, '1')", (f"k{n}",))
    if checkpoint:
        database.execute_sql("PRAGMA wal_checkpoint(PASSIVE)")
    target.mkdir()
    shutil.copy(db, target / DB)
    shutil.copy(db.parent / f"{DB}-shm", target / f"{DB}-shm")
    index = read_wal_index(target / f"{DB}-shm")
    database.close()
    assert index is not None and index.max_frame >= 3
    assert index.frames == 0 if checkpoint else index.frames >= 3


def test_a_wal_lost_with_saves_in_it_is_noticed(db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    _live_copy_without_wal(db, copy, checkpoint=False)
    before = (copy / DB).read_bytes()
    with pytest.raises(WalMissingError) as caught:
        open_database(copy / DB)
    text = str(caught.value)
    assert f"{DB}-wal" in text and "may be lost" in text and str(copy / DB) in text
    assert caught.value.frames >= 3
    assert (copy / DB).read_bytes() == before and (copy / f"{DB}-shm").exists(), "the evidence is kept"


def test_a_lost_wal_that_was_checkpointed_loses_nothing(db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    _live_copy_without_wal(db, copy, checkpoint=True)
    open_database(copy / DB).close()


def test_a_shm_file_of_garbage_is_not_taken_for_a_lost_wal(db: Path) -> None:
    (db.parent / f"{DB}-shm").write_bytes(os.urandom(32768))
    assert read_wal_index(db.parent / f"{DB}-shm") is None
    open_database(db).close()


def test_the_wal_index_header_is_read_as_sqlite_writes_it(tmp_path: Path) -> None:
    """mxFrame and nBackfill from a -shm that SQLite itself keeps, before and after a checkpoint."""
    con = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode = wal")
        con.execute("PRAGMA wal_autocheckpoint = 0")
        con.execute("CREATE TABLE t (x)")
        for n in range(4):
            con.execute("INSERT INTO t VALUES (?)", (n,))
        index = read_wal_index(tmp_path / "x.db-shm")
        assert index is not None and index.max_frame >= 5 and index.backfilled == 0
        assert index.frames == index.max_frame and index.page_size == 4096
        con.execute("PRAGMA wal_checkpoint(PASSIVE)")
        after = read_wal_index(tmp_path / "x.db-shm")
        assert after is not None and after.frames == 0 and after.max_frame == index.max_frame
        raw = bytearray((tmp_path / "x.db-shm").read_bytes()[:136])
    finally:
        con.close()
    struct.pack_into("=I", raw, 16, 999)  # mxFrame changed without its checksum: not a header SQLite wrote
    (tmp_path / "y.db-shm").write_bytes(bytes(raw))
    assert read_wal_index(tmp_path / "y.db-shm") is None

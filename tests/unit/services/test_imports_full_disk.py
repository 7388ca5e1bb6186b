"""Import when the workspace cannot be written: a full database (SQLite's own page limit set on the workspace's
connection, so SQLite answers "database or disk is full" exactly as on a full disk) and a blob store that cannot
be written. Every bundle gets its own "not stored" result with a plain reason, the run goes on or stops cleanly,
nothing is half-written, and ``oscb import`` prints results, not a traceback."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers.workspace_state import snapshot, stored_files
from peewee import Database

from oscb_desktop.cli import main
from oscb_desktop.services import imports
from oscb_desktop.services import workspace as workspace_module
from oscb_desktop.services.imports import ImportCode, ImportResult
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.store.models import ReceivedReturn

#: A full disk, a killed process's leftover files: what a workspace folder meets (a server has its own).
pytestmark = pytest.mark.sqlite_only


def fill_up(db: Database) -> None:
    """From now on this connection cannot grow the database by a single page (its free pages are given back
    first): SQLite reports SQLITE_FULL, "database or disk is full", as it does when the disk is full."""
    db.execute_sql("VACUUM")
    pages = db.execute_sql("PRAGMA page_count").fetchone()[0]
    db.execute_sql(f"PRAGMA max_page_count = {pages}")


def free_space(ws: Workspace) -> None:
    ws.db.execute_sql("PRAGMA max_page_count = 1073741823")


def referenced_blobs(ws: Workspace) -> set[str]:
    """The blob files the stored rows point to."""
    with ws.bound():
        shas = {sha for r in ReceivedReturn.select() for sha in (r.bundle_sha256, r.pdf_sha256)}
    return {str(ws.blobs.path(sha).relative_to(ws.folder)) for sha in shas}


def assert_nothing_half_written(ws: Workspace) -> None:
    """Every stored file belongs to a stored row (no orphans, no temporary ``.part`` files), and the database
    passes SQLite's own check."""
    assert set(stored_files(ws)) == referenced_blobs(ws)
    assert ws.db.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"


def when_file(n: int, action: Callable[[], None]) -> imports.Progress:
    """A progress callback that runs ``action`` just before the ``n``-th file (from 0) is read."""

    def progress(done: int, _total: int, text: str) -> None:
        if done == n and text:
            action()

    return progress


def test_a_database_that_fills_up_mid_run_stops_the_run_cleanly(bu: Workspace, bundles: list[Path]) -> None:
    results = imports.import_paths(bu, bundles, trust_new=True, progress=when_file(2, lambda: fill_up(bu.db)))

    assert len(results) == len(bundles), "one result per file, even after the disk filled up"
    assert [r.outcome for r in results[:2]] == ["imported"] * 2
    full = results[2]
    assert (full.outcome, full.code) == ("rejected", ImportCode.NOT_STORED)
    assert full.agency and full.file == str(bundles[2]), "what the bundle is, although it was not stored"
    assert "disk is full" in full.reason and "Free some space" in full.reason and "import" in full.reason
    for rest in results[3:]:
        assert (rest.outcome, rest.code) == ("rejected", ImportCode.NOT_STORED)
        assert "not imported" in rest.reason.lower() and "disk" in rest.reason
    assert all("\n" not in r.reason and "Traceback" not in r.reason for r in results)
    assert ReceivedReturn.select().count() == 2
    assert_nothing_half_written(bu)

    # Space freed: importing again brings in the rest, and the two already there are duplicates.
    free_space(bu)
    again = imports.import_paths(bu, bundles, trust_new=True)
    assert [r.outcome for r in again] == ["duplicate"] * 2 + ["imported"] * (len(bundles) - 2)
    assert_nothing_half_written(bu)


def big_first(bundles: list[Path]) -> list[Path]:
    """Section 11 returns first: their answers need new pages of the database, so a full one refuses them
    (a small row may still fit in a page already there, as it would in the database file on a full disk)."""
    return sorted(bundles, key=lambda p: "section11" not in p.name)


def test_a_full_database_at_the_first_bundle_writes_nothing(bu: Workspace, bundles: list[Path]) -> None:
    imports.check_can_import(bu)
    before = snapshot(bu)
    fill_up(bu.db)
    results = imports.import_paths(bu, big_first(bundles), trust_new=True)
    assert [r.code for r in results] == [ImportCode.NOT_STORED] * len(bundles)
    assert results[0].agency and not results[1].agency, "the first was read; the others were left unread"
    assert snapshot(bu) == before, "no row, no certificate, no file"


def _block_blob_store(ws: Workspace) -> None:
    """A file where the blob store's folder should be: no evidence or bundle file can be written (also as root)."""
    ws.blobs.folder.parent.mkdir(parents=True, exist_ok=True)
    ws.blobs.folder.write_bytes(b"in the way")


def test_a_blob_store_that_cannot_be_written_gives_each_bundle_its_own_result(
    bu: Workspace, bundles: list[Path]
) -> None:
    imports.check_can_import(bu)
    _block_blob_store(bu)
    before = snapshot(bu)
    results = imports.import_paths(bu, bundles, trust_new=True)
    assert [r.code for r in results] == [ImportCode.NOT_STORED] * len(bundles), "the run went on to every file"
    assert all(r.agency and "could not be stored" in r.reason for r in results)
    assert snapshot(bu) == before


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root may write into a read-only folder")
def test_a_read_only_blob_store_gives_each_bundle_its_own_result(bu: Workspace, bundles: list[Path]) -> None:
    imports.import_paths(bu, bundles[:1], trust_new=True)
    for folder in [bu.blobs.folder, *bu.blobs.folder.iterdir()]:
        folder.chmod(0o555)
    try:
        before = snapshot(bu)
        results = imports.import_paths(bu, bundles[1:], trust_new=True)
        assert [r.code for r in results] == [ImportCode.NOT_STORED] * (len(bundles) - 1)
        assert all("not allowed to write" in r.reason for r in results)
        assert snapshot(bu) == before
    finally:
        for folder in [bu.blobs.folder, *bu.blobs.folder.iterdir()]:
            folder.chmod(0o755)


def test_the_database_failing_after_the_files_were_written_leaves_no_orphan_files(
    bu: Workspace, bundles: list[Path]
) -> None:
    """The files are written before the rows; when the rows cannot be written, the new files are removed again."""
    imports.import_paths(bu, bundles[:1], trust_new=True)
    fill_up(bu.db)
    before = snapshot(bu)
    [result] = imports.import_paths(bu, bundles[1:2])
    assert result.code == ImportCode.NOT_STORED
    assert snapshot(bu) == before
    assert_nothing_half_written(bu)


# --- through ``oscb import`` ------------------------------------------------------------------------------


def opened_as(monkeypatch: pytest.MonkeyPatch, change: Callable[[Database], None]) -> None:
    """Every workspace the command opens gets ``change`` on its connection."""
    real = workspace_module.open_database

    def open_changed(path: Path, **options: Any) -> Database:
        db = real(path, **options)
        change(db)
        return db

    monkeypatch.setattr(workspace_module, "open_database", open_changed)


@pytest.fixture
def full_after_open(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every workspace the command opens is full (its database may not grow by a page)."""
    opened_as(monkeypatch, fill_up)


def _bu_with_one_import(folder: Path, bundles: list[Path]) -> None:
    with Workspace.open(folder) as ws:
        ws.bind()
        [first] = imports.import_paths(ws, bundles[:1], trust_new=True)
        assert first.outcome == "imported"


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_import_on_a_full_disk_prints_results_not_a_traceback(
    tmp_path: Path, bundles: list[Path], full_after_open: None, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "bu"
    _bu_with_one_import(data_dir, bundles)
    paths = [str(bundles[0]), *map(str, big_first(bundles[1:]))]

    code, out, err = _cli(capsys, "--data-dir", str(data_dir), "import", *paths, "--trust-new", "--json")
    assert code == 1 and "Traceback" not in err
    results = [ImportResult(**r) for r in json.loads(out)["results"]]
    assert [r.file for r in results] == paths
    assert results[0].outcome == "duplicate", "nothing to write: still recognised"
    assert {r.code for r in results[1:]} == {ImportCode.NOT_STORED}
    assert "disk is full" in results[1].reason

    code, out, err = _cli(capsys, "--data-dir", str(data_dir), "import", *paths, "--trust-new")
    assert code == 1 and "Traceback" not in err
    lines = out.splitlines()
    assert len(lines) == len(paths) and lines[0].startswith("DUPLICATE")
    assert all(line.startswith("NOT STORED") for line in lines[1:])
    assert "disk is full" in err and "free some space" in err


def test_cli_import_into_a_blob_store_that_cannot_be_written(
    tmp_path: Path, bundles: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "bu"
    _bu_with_one_import(data_dir, bundles[:1])
    blobs = data_dir / "attachments"
    for folder in sorted(blobs.rglob("*"), reverse=True):
        folder.unlink() if folder.is_file() else folder.rmdir()
    blobs.rmdir()
    blobs.write_bytes(b"in the way")
    code, out, err = _cli(
        capsys, "--data-dir", str(data_dir), "import", *map(str, bundles[1:]), "--trust-new", "--json"
    )
    assert code == 1 and "Traceback" not in err
    results = json.loads(out)["results"]
    assert [r["code"] for r in results] == [ImportCode.NOT_STORED] * (len(bundles) - 1)


def test_cli_import_when_the_workspace_cannot_become_the_business_units(
    tmp_path: Path, bundles: list[Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A fresh workspace that cannot be written (SQLite refuses every write, as in a read-only folder): the
    first write, marking it the Business Unit's, fails, and the command says so in one line."""
    opened_as(monkeypatch, lambda db: db.execute_sql("PRAGMA query_only = ON"))
    code, out, err = _cli(capsys, "--data-dir", str(tmp_path / "fresh"), "import", str(bundles[0]), "--trust-new")
    assert code != 0 and "Traceback" not in err and out == ""
    assert "Nothing was imported" in err and "not allowed to write" in err


def test_sqlite_reports_a_full_database_as_on_a_full_disk(tmp_path: Path) -> None:
    """The premise of the tests above: the page limit gives the very error a full disk gives."""
    con = sqlite3.connect(tmp_path / "x.db")
    con.execute("CREATE TABLE t (x)")
    con.commit()
    pages = con.execute("PRAGMA page_count").fetchone()[0]
    con.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(sqlite3.OperationalError, match="database or disk is full") as caught:
        con.executemany("INSERT INTO t VALUES (?)", [("x" * 5000,)] * 10)
    assert caught.value.sqlite_errorcode == sqlite3.SQLITE_FULL

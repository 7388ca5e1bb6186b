"""Opening a workspace: write transactions that take the write lock at once, read-only workspaces, who the audit
trail names, crash leftovers cleaned, private files, and the backups made at open, before sign-off and before an
import (issue 17 items 5, 8, 9, 15)."""

from __future__ import annotations

import getpass
import os
import sqlite3
import threading
from datetime import datetime
from pathlib import Path

import pytest
from test_returns import complete_answers

from oscb_desktop import demo
from oscb_desktop.services import agencies, backups, identities, imports, returns, signoff
from oscb_desktop.services import evidence as evidence_service
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.store import DB_FILENAME, Submission
from oscb_desktop.store.errors import WorkspaceReadOnlyError

PASSPHRASE = "correct horse battery"


def login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown user"


def test_a_write_transaction_takes_the_write_lock_when_it_begins(workspace: Workspace) -> None:
    """A second writer then waits its busy timeout for the first, instead of failing at once when the first
    turns its read into a write (issue 17 item 5)."""
    inside, release = threading.Event(), threading.Event()
    agencies.create_agency(workspace, "Someone")

    def first() -> None:
        with workspace.bound(), workspace.db.atomic():
            workspace.db.execute_sql("SELECT count(*) FROM agency").fetchone()  # reads only, so far
            inside.set()
            release.wait(10)
        workspace.db.close()

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert inside.wait(10)
        other = sqlite3.connect(workspace.folder / DB_FILENAME, timeout=0, isolation_level=None)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()
    finally:
        release.set()
        thread.join(10)


def test_a_read_only_workspace_reads_and_refuses_every_write_plainly(workspace: Workspace, agency) -> None:
    sub = returns.start_return(workspace, agency.id, "section11", "2026/27")
    ro = Workspace.open(workspace.folder, forms=workspace.forms, read_only=True)
    try:
        assert ro.read_only and not workspace.read_only
        assert [r.id for r in returns.list_returns(ro)] == [sub.id]
        with pytest.raises(WorkspaceReadOnlyError, match="read-only"):
            returns.save_answers(ro, sub.id, {"about.completed_by": "Nobody"})
        with pytest.raises(WorkspaceReadOnlyError):
            ro.set_setting("user_name", "x")
        with pytest.raises(WorkspaceReadOnlyError):
            agencies.create_agency(ro, "Not Made")
    finally:
        ro.close()
    assert returns.load_answers(workspace, sub.id).get("about.completed_by") != "Nobody"


def test_the_audit_trail_names_the_person_and_the_login(workspace: Workspace) -> None:
    assert workspace.user == login()
    agencies.create_agency(workspace, "Example Trust", lead_name="Sam Lead")
    assert workspace.user == f"Sam Lead ({login()})"
    agencies.create_agency(workspace, "Second Service", lead_name="Kim Other")
    assert workspace.user == login(), "with two profiles the lead alone does not say who is at the keyboard"
    workspace.set_setting("user_name", "Alex Tester")
    assert workspace.user == f"Alex Tester ({login()})"


def test_leftovers_of_killed_writes_are_removed_at_the_next_open(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    Workspace.open(folder).close()
    leftovers = [
        folder / "attachments" / "ab" / ".abcdef.k2j3h4g5.part",
        folder / "backups" / ".workspace-2026.db.x8y7z6w5.part",
        folder / ".workspace.json.q1w2e3r4.part",
    ]
    kept = [folder / "attachments" / "ab" / "notes.part", folder / "mine.txt"]
    for path in leftovers + kept:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half written")
    Workspace.open(folder).close()
    assert [p for p in leftovers if p.exists()] == []
    assert all(p.exists() for p in kept)


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_a_new_workspace_and_its_evidence_files_are_private(tmp_path: Path, workspace: Workspace, agency) -> None:
    sub = returns.start_return(workspace, agency.id, "impact", "2026/27")
    evidence = tmp_path / "evidence.txt"
    evidence.write_text("minutes", encoding="utf-8")
    items = [i.id for i in returns.form_of(workspace, sub).items() if i.type == "attachments"]
    if items:
        evidence_service.add_file(workspace, sub.id, items[0], evidence)
    else:
        workspace.blobs.add_file(evidence)
    assert workspace.folder.stat().st_mode & 0o777 == 0o700
    for path in workspace.folder.rglob("*"):
        assert path.stat().st_mode & 0o777 == (0o700 if path.is_dir() else 0o600), path


def test_the_first_open_of_a_day_backs_up_once(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    with Workspace.open(folder) as ws:
        agencies.create_agency(ws, "Someone")
    assert backups.list_backups(folder) == [], "a brand new workspace has nothing to back up"
    Workspace.open(folder).close()
    Workspace.open(folder).close()
    made = backups.list_backups(folder)
    assert [(b.reason, b.ok) for b in made] == [("daily", True)]
    assert made[0].made_at.astimezone().date() == datetime.now().astimezone().date()


def test_sign_off_is_backed_up_before(workspace: Workspace, agency) -> None:
    identities.create(workspace, agency.id, person_name="Jo", role="Director", email=None, passphrase=PASSPHRASE)
    sub = returns.start_return(workspace, agency.id, "section11", "2026/27")
    returns.save_answers(workspace, sub.id, complete_answers(returns.form_of(workspace, sub)))
    signoff.sign_off(workspace, sub.id, signatory_name="Jo", signatory_role="Director", passphrase=PASSPHRASE)
    (made,) = [b for b in backups.list_backups(workspace.folder) if b.reason == "sign-off"]
    assert made.ok
    con = sqlite3.connect(f"{made.path.as_uri()}?mode=ro", uri=True)
    try:
        assert con.execute("SELECT status FROM submission WHERE id = ?", (sub.id,)).fetchone()[0] != "signed"
    finally:
        con.close()
    assert Submission.get_by_id(sub.id).status == "signed"


def test_an_import_run_is_backed_up_before(tmp_path: Path) -> None:
    with Workspace.open(tmp_path / "agency") as ws:
        demo.generate(ws, agencies=1, sign_all=True)
        demo.export_signed(ws, tmp_path / "bundles")
    with Workspace.open(tmp_path / "bu") as bu:
        results = imports.import_paths(bu, [tmp_path / "bundles"], trust_new=True)
        assert results and all(r.outcome == "imported" for r in results)
        (made,) = [b for b in backups.list_backups(bu.folder) if b.reason == "import"]
        assert made.ok


def test_the_evidence_and_signed_pdfs_a_backup_needs_are_still_there_after_a_restore(tmp_path: Path) -> None:
    """Files are kept by their SHA-256 and nothing deletes them, so every file an old backup names exists."""
    folder = tmp_path / "ws"
    with Workspace.open(folder) as ws:
        demo.generate(ws, agencies=1)
        made = backups.backup_now(ws)
        before = {p.name for p in (folder / "attachments").rglob("*") if p.is_file()}
        sub = next(r for r in returns.list_returns(ws) if r.status.value == "signed")
        signoff.reopen(ws, sub.id)
    backups.restore(folder, made.path)
    with Workspace.open(folder) as ws, ws.bound():
        needed = {s.signed_pdf_sha256 for s in Submission.select() if s.signed_pdf_sha256}
        assert needed and all(ws.blobs.exists(sha) for sha in needed)
    assert before <= {p.name for p in (folder / "attachments").rglob("*") if p.is_file()}

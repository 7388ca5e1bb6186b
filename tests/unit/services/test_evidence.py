"""Evidence files on the statements of a return, through the services: add, refuse, remove, list, carry forward,
open a copy; on a real workspace with real files."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from test_returns import complete_answers

from oscb_desktop.forms import files as ef
from oscb_desktop.services import evidence, returns
from oscb_desktop.services.evidence import EvidenceRefusedError
from oscb_desktop.services.returns import AnswerRefusedError, ReturnError, ReturnLockedError
from oscb_desktop.services.values import EvidenceFile
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.store import Agency, AuditEntry, Submission

POLICY_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% Safeguarding policy, reviewed May 2026\n" * 20


@pytest.fixture
def sub(workspace: Workspace, agency: Agency) -> Submission:
    workspace.set_setting("user_name", "Sam Lead")
    info = returns.start_return(workspace, agency.id, "section11", "2026/27")
    return Submission.get_by_id(info.id)


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def blobs(ws: Workspace) -> set[str]:
    return {p.name for p in ws.blobs.folder.rglob("*") if p.is_file()} if ws.blobs.folder.exists() else set()


def audit(sub_id: str) -> list[AuditEntry]:
    return list(AuditEntry.select().where(AuditEntry.submission == sub_id).order_by(AuditEntry.id))


# Adding ---------------------------------------------------------------------------------------------------


def test_a_file_is_stored_by_its_hash_and_named_in_the_rating(workspace: Workspace, sub: Submission, tmp_path: Path):
    returns.save_answers(workspace, sub.id, {"s1.1": {"level": "green", "evidence": "", "example": "", "reason": ""}})
    assert [p.message for p in returns.problems(workspace, sub.id) if p.item_id == "s1.1"] == [
        "A Green rating needs evidence: describe it, or attach a file"
    ]
    added = evidence.add_file(workspace, sub.id, "s1.1", write(tmp_path, "Safeguarding policy.pdf", POLICY_PDF))

    sha = hashlib.sha256(POLICY_PDF).hexdigest()
    assert (added.sha256, added.name, added.size, added.carried) == (
        sha,
        "Safeguarding policy.pdf",
        len(POLICY_PDF),
        False,
    )
    assert added.added and added.added.endswith("Z")
    value = returns.load_answers(workspace, sub.id)["s1.1"]
    assert value["level"] == "green"
    assert value["files"] == [
        {"sha256": sha, "name": "Safeguarding policy.pdf", "size": len(POLICY_PDF), "added": added.added}
    ]
    assert workspace.blobs.read(sha) == POLICY_PDF
    # A Green with only an attached policy has its evidence (the form counts files as evidence).
    assert [p for p in returns.problems(workspace, sub.id) if p.item_id == "s1.1"] == []
    entry = audit(sub.id)[-1]
    assert (entry.item_id, entry.action) == ("s1.1", "add-file") and entry.user.startswith("Sam Lead")
    assert "files" not in entry.old_value and entry.new_value == value


def test_a_file_on_a_statement_not_rated_yet(workspace: Workspace, sub: Submission, tmp_path: Path) -> None:
    evidence.add_file(workspace, sub.id, "s2.1", write(tmp_path, "minutes.txt", b"Board minutes, 12 May 2026"))
    value = returns.load_answers(workspace, sub.id)["s2.1"]
    assert value["level"] == "" and len(value["files"]) == 1
    assert [p.message for p in returns.problems(workspace, sub.id) if p.item_id == "s2.1"] == ["Not answered yet"]


def test_the_same_file_on_two_statements_is_stored_once(workspace: Workspace, sub: Submission, tmp_path: Path):
    path = write(tmp_path, "policy.pdf", POLICY_PDF)
    evidence.add_file(workspace, sub.id, "s1.1", path)
    evidence.add_file(workspace, sub.id, "s1.2", path)
    assert len(blobs(workspace)) == 1
    assert [f.item_id for f in evidence.list_files(workspace, sub.id)] == ["s1.1", "s1.2"]
    assert evidence.count_files(returns.form_of(workspace, sub), returns.load_answers(workspace, sub.id)) == 2


# Refusals: each names the file and the rule, and stores nothing ----------------------------------------------


def refused(ws: Workspace, sub: Submission, item_id: str, path: Path, rule: str) -> EvidenceRefusedError:
    before_blobs, before_audit = blobs(ws), len(audit(sub.id))
    before = returns.load_answers(ws, sub.id).get(item_id)
    with pytest.raises(EvidenceRefusedError) as caught:
        evidence.add_file(ws, sub.id, item_id, path)
    assert caught.value.rule == rule
    assert caught.value.file_name == path.name and path.name in str(caught.value)
    assert blobs(ws) == before_blobs, "nothing was stored"
    assert len(audit(sub.id)) == before_audit
    assert returns.load_answers(ws, sub.id).get(item_id) == before
    return caught.value


@pytest.mark.parametrize("name", ["setup.exe", "Budget.xlsm", "page.html", "drawing.svg", "no extension"])
def test_a_type_the_form_does_not_allow_is_refused(workspace: Workspace, sub: Submission, tmp_path: Path, name: str):
    error = refused(workspace, sub, "s1.1", write(tmp_path, name, b"MZ\x90\x00"), "type")
    assert "S1.1 takes PDF, Word, Excel, PowerPoint, OpenDocument, image, plain text or email" in str(error)


def test_an_empty_file_is_refused(workspace: Workspace, sub: Submission, tmp_path: Path) -> None:
    error = refused(workspace, sub, "s1.1", write(tmp_path, "Minutes.docx", b""), "empty")
    assert str(error).startswith("Minutes.docx is empty (0 bytes)")


def test_a_file_over_the_size_limit_is_refused(workspace: Workspace, sub: Submission, tmp_path: Path) -> None:
    big = tmp_path / "Scan of the audit.pdf"
    with big.open("wb") as fh:
        fh.write(b"%PDF-1.4\n")
        fh.truncate(10 * 1024 * 1024 + 1)  # sparse: one byte over the form's 10 MB
    error = refused(workspace, sub, "s1.1", big, "size")
    assert "is 10,485,761 bytes; files on S1.1 can be at most 10 MB (10,485,760 bytes)" in str(error)


def test_a_file_over_the_count_is_refused(workspace: Workspace, sub: Submission, tmp_path: Path) -> None:
    for n in range(5):
        evidence.add_file(workspace, sub.id, "s1.1", write(tmp_path, f"minutes {n}.txt", f"Minutes {n}".encode()))
    error = refused(workspace, sub, "s1.1", write(tmp_path, "minutes 5.txt", b"Minutes 5"), "count")
    assert "S1.1 already has 5 files, the most it takes. Remove one first" in str(error)


def test_contents_that_are_not_what_the_name_says_are_refused(workspace: Workspace, sub: Submission, tmp_path: Path):
    error = refused(workspace, sub, "s1.1", write(tmp_path, "policy.pdf", b"MZ\x90\x00\x03program"), "content")
    assert "its contents are not those of a PDF file, although its name ends in .pdf" in str(error)


def test_the_same_file_twice_on_one_statement_is_refused(workspace: Workspace, sub: Submission, tmp_path: Path):
    evidence.add_file(workspace, sub.id, "s1.1", write(tmp_path, "policy.pdf", POLICY_PDF))
    error = refused(workspace, sub, "s1.1", write(tmp_path, "copy of policy.pdf", POLICY_PDF), "duplicate")
    assert "already attached to S1.1" in str(error)


def test_a_return_cannot_hold_more_files_than_a_bundle_carries(
    workspace: Workspace, sub: Submission, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(evidence, "RETURN_MAX_FILES", 2)
    evidence.add_file(workspace, sub.id, "s1.1", write(tmp_path, "a.txt", b"a"))
    evidence.add_file(workspace, sub.id, "s2.1", write(tmp_path, "b.txt", b"b"))
    error = refused(workspace, sub, "s3.1", write(tmp_path, "c.txt", b"c"), "return_count")
    assert "already holds 2 evidence files, the most a signed return can carry" in str(error)
    monkeypatch.setattr(evidence, "RETURN_MAX_FILES", 200)
    monkeypatch.setattr(evidence, "RETURN_MAX_BYTES", 3)
    refused(workspace, sub, "s3.1", write(tmp_path, "d.txt", b"dd"), "return_size")


def test_items_that_take_no_files(workspace: Workspace, sub: Submission, tmp_path: Path) -> None:
    with pytest.raises(ReturnError, match=r"A\.1 does not take evidence files"):
        evidence.add_file(workspace, sub.id, "about.completed_by", write(tmp_path, "x.txt", b"x"))


def test_a_signed_return_refuses_adding_and_removing(workspace: Workspace, sub: Submission, tmp_path: Path) -> None:
    added = evidence.add_file(workspace, sub.id, "s1.1", write(tmp_path, "policy.pdf", POLICY_PDF))
    Submission.update(status="signed").where(Submission.id == sub.id).execute()
    with pytest.raises(ReturnLockedError):
        evidence.add_file(workspace, sub.id, "s1.2", write(tmp_path, "other.txt", b"other"))
    with pytest.raises(ReturnLockedError):
        evidence.store_file(workspace, sub.id, "s1.2", tmp_path / "other.txt")
    with pytest.raises(ReturnLockedError):
        evidence.remove_file(workspace, sub.id, "s1.1", added.sha256)


def test_the_store_refuses_a_value_naming_a_file_it_does_not_hold(workspace: Workspace, sub: Submission) -> None:
    ghost = {"sha256": "e" * 64, "name": "ghost.pdf", "size": 10}
    with pytest.raises(AnswerRefusedError, match=r"'ghost\.pdf' on S1\.1 is not in this workspace"):
        returns.save_answers(workspace, sub.id, {"s1.1": {"level": "green", "evidence": "x", "files": [ghost]}})
    with pytest.raises(AnswerRefusedError, match="unknown key 'path'"):
        returns.save_answers(workspace, sub.id, {"s1.1": {"level": "green", "files": [{**ghost, "path": "/x"}]}})
    with pytest.raises(AnswerRefusedError, match="not the right kind of value"):
        returns.save_answers(workspace, sub.id, {"about.completed_by": "Sam", "s1.1": {"level": "x", "files": 3}})


# The editor's path: check and store, then the autosave writes the value ----------------------------------------


def test_store_file_checks_against_the_files_the_editor_holds(workspace: Workspace, sub: Submission, tmp_path: Path):
    held: list[dict[str, Any]] = []
    for n in range(5):
        stored = evidence.store_file(
            workspace, sub.id, "s1.1", write(tmp_path, f"{n}.txt", f"{n}".encode()), current=held
        )
        held.append(stored.as_entry())
    assert "s1.1" not in returns.load_answers(workspace, sub.id), "the answer is the editor's to write"
    with pytest.raises(EvidenceRefusedError) as caught:
        evidence.store_file(workspace, sub.id, "s1.1", write(tmp_path, "6.txt", b"6"), current=held)
    assert caught.value.rule == "count"
    value = ef.with_files(returns.form_of(workspace, sub).item("s1.1"), None, held)
    returns.save_answers(workspace, sub.id, {"s1.1": value})
    assert len(evidence.list_files(workspace, sub.id, "s1.1")) == 5


# Removing -------------------------------------------------------------------------------------------------


def test_removing_a_file_keeps_the_rest_and_the_stored_copy(workspace: Workspace, sub: Submission, tmp_path: Path):
    a = evidence.add_file(workspace, sub.id, "s1.1", write(tmp_path, "a.txt", b"first"))
    b = evidence.add_file(workspace, sub.id, "s1.1", write(tmp_path, "b.txt", b"second"))
    gone = evidence.remove_file(workspace, sub.id, "s1.1", a.sha256)
    assert gone.name == "a.txt"
    assert [f.name for f in evidence.list_files(workspace, sub.id, "s1.1")] == ["b.txt"]
    assert workspace.blobs.exists(a.sha256), "files are never deleted (a backup may name them)"
    assert audit(sub.id)[-1].action == "remove-file"
    evidence.remove_file(workspace, sub.id, "s1.1", b.sha256)
    assert (
        "s1.1" not in returns.load_answers(workspace, sub.id) or returns.load_answers(workspace, sub.id)["s1.1"] is None
    )
    with pytest.raises(ReturnError, match=r"not attached to S1\.1"):
        evidence.remove_file(workspace, sub.id, "s1.1", b.sha256)


# Carry-forward ------------------------------------------------------------------------------------------------


def test_last_years_files_come_along_marked_carried(workspace: Workspace, agency: Agency, tmp_path: Path) -> None:
    old = returns.start_return(workspace, agency.id, "section11", "2025/26")
    form = returns.form_of(workspace, old)
    returns.save_answers(workspace, old.id, complete_answers(form))
    kept = evidence.add_file(workspace, old.id, "s1.1", write(tmp_path, "Policy 2025.pdf", POLICY_PDF))
    replaced = evidence.add_file(workspace, old.id, "s1.1", write(tmp_path, "Audit 2025.txt", b"Audit findings 2025"))
    Submission.update(status="signed").where(Submission.id == old.id).execute()

    new = returns.start_return(workspace, agency.id, "section11", "2026/27")
    files = evidence.list_files(workspace, new.id, "s1.1")
    assert [(f.name, f.carried, f.added) for f in files] == [
        ("Policy 2025.pdf", True, kept.added),
        ("Audit 2025.txt", True, replaced.added),
    ]
    assert "s1.1" in returns.carried_items(workspace, new.id)
    # Keep one, replace the other.
    evidence.remove_file(workspace, new.id, "s1.1", replaced.sha256)
    fresh = evidence.add_file(workspace, new.id, "s1.1", write(tmp_path, "Audit 2026.txt", b"Audit findings 2026"))
    assert [(f.name, f.carried) for f in evidence.list_files(workspace, new.id, "s1.1")] == [
        ("Policy 2025.pdf", True),
        ("Audit 2026.txt", False),
    ]
    assert fresh.added and fresh.added > (kept.added or "")
    assert "s1.1" not in returns.carried_items(workspace, new.id), "changing the files reviews the carried answer"
    # Last year's return is as it was signed.
    assert [f.name for f in evidence.list_files(workspace, old.id, "s1.1")] == ["Policy 2025.pdf", "Audit 2025.txt"]
    assert all(not f.carried for f in evidence.list_files(workspace, old.id))


# Opening a copy --------------------------------------------------------------------------------------------


def test_a_read_only_copy_to_open(workspace: Workspace, sub: Submission, tmp_path: Path) -> None:
    added = evidence.add_file(workspace, sub.id, "s1.1", write(tmp_path, "Board: minutes <May>.pdf", POLICY_PDF))
    copy = evidence.open_copy(workspace, added.sha256, added.name)
    assert copy.read_bytes() == POLICY_PDF
    assert copy.suffix == ".pdf" and copy.name == "Board_ minutes _May_.pdf"
    assert workspace.blobs.folder not in copy.parents, "never the workspace's own file"
    if os.name == "posix":
        assert stat.S_IMODE(copy.stat().st_mode) == stat.S_IREAD
    assert evidence.open_copy(workspace, added.sha256, added.name) == copy
    with pytest.raises(ReturnError, match="missing from the workspace"):
        evidence.open_copy(workspace, "f" * 64, "gone.pdf")
    with pytest.raises(ReturnError, match="damaged or changed"):
        evidence.temporary_copy(b"other bytes", "x.pdf", added.sha256)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\x\\Report.DOCX", "Report.DOCX"),
        ("...", "evidence"),
        ("a" * 300 + ".pdf", "a" * 116 + ".pdf"),
    ],
)
def test_copy_names(name: str, expected: str) -> None:
    assert evidence.copy_name(name) == expected


def test_evidence_file_values_round_trip() -> None:
    entry = {"sha256": "a" * 64, "name": "x.pdf", "size": 3, "added": "2026-11-22T10:00:00.000Z", "carried": True}
    assert EvidenceFile.from_entry("s1.1", entry).as_entry() == entry
    plain = {"sha256": "a" * 64, "name": "x.pdf", "size": 3}
    assert EvidenceFile.from_entry("s1.1", plain).as_entry() == plain


def test_the_sign_off_summary_counts_the_files_of_ratings(workspace: Workspace, sub: Submission, tmp_path: Path):
    from oscb_desktop.services import signoff

    assert signoff.review_summary(workspace, sub.id).attachments == 0
    evidence.add_file(workspace, sub.id, "s1.1", write(tmp_path, "a.txt", b"a"))
    evidence.add_file(workspace, sub.id, "s4.1", write(tmp_path, "b.pdf", POLICY_PDF))
    assert signoff.review_summary(workspace, sub.id).attachments == 2

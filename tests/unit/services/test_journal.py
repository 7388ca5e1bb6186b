"""The recovery journal: what could not be saved is kept beside the workspace and replayed at the next start."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers import db_faults

from oscb_desktop.services import journal, returns
from oscb_desktop.services.autosave import Autosaver, SaveError
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.store import Agency, Answer, AuditEntry, Submission


@pytest.fixture
def draft(workspace: Workspace, agency: Agency) -> Submission:
    return returns.start_return(workspace, agency.id, "section11", "2026/27")


def _stored(sub_id: str) -> dict[str, Any]:
    return {a.item_id: a.value for a in Answer.select().where(Answer.submission == sub_id)}


def left_unsaved(ws: Workspace, sub_id: str, changes: dict[str, Any]) -> None:
    """Type changes while the database refuses them, then 'crash' (the autosaver is simply dropped)."""
    saver = Autosaver(ws, sub_id)
    with db_faults.locked(ws):
        for item_id, value in changes.items():
            saver.change(item_id, value)
        with pytest.raises(SaveError):
            saver.flush()


def test_write_and_read_back(tmp_path: Path) -> None:
    journal.write(tmp_path, "abc", {"s1.1": {"level": "green", "evidence": "é ✓", "example": "", "reason": ""}})
    assert journal.read(tmp_path, "abc") == {"s1.1": {"level": "green", "evidence": "é ✓", "example": "", "reason": ""}}
    data = json.loads(journal.journal_path(tmp_path, "abc").read_text(encoding="utf-8"))
    assert data["format"] == journal.FORMAT and data["submission"] == "abc"
    journal.write(tmp_path, "abc", {})
    assert not journal.journal_path(tmp_path, "abc").exists()
    assert journal.read(tmp_path, "abc") == {}


def test_nothing_to_replay_is_quiet(workspace: Workspace, draft: Submission) -> None:
    recovery = journal.replay(workspace)
    assert not recovery
    assert recovery.sentences() == []


def test_replay_restores_what_was_typed_and_audits_it(workspace: Workspace, draft: Submission) -> None:
    returns.save_answers(workspace, draft.id, {"about.completed_by": "Sam"})
    left_unsaved(workspace, draft.id, {"about.completed_by": "Sam Lead", "about.notes": "Typed while locked"})
    assert _stored(draft.id) == {"about.completed_by": "Sam"}

    recovery = journal.replay(workspace)
    assert _stored(draft.id) == {"about.completed_by": "Sam Lead", "about.notes": "Typed while locked"}
    assert [r.submission_id for r in recovery.recovered] == [draft.id]
    assert set(recovery.recovered[0].items) == {"about.completed_by", "about.notes"}
    text = " ".join(recovery.sentences())
    assert "2 answers" in text and "Section 11" in text and "recovered" in text.lower()
    actions = {e.item_id: e.action for e in AuditEntry.select().where(AuditEntry.submission == draft.id)}
    assert actions["about.notes"] == "recovered" and actions["about.completed_by"] == "recovered"
    assert journal.read(workspace.folder, draft.id) == {}
    assert not journal.replay(workspace), "replayed once only"


def test_an_entry_older_than_the_stored_answer_is_not_applied(workspace: Workspace, draft: Submission) -> None:
    left_unsaved(workspace, draft.id, {"about.notes": "old words"})
    returns.save_answers(workspace, draft.id, {"about.notes": "newer words, saved later"})
    recovery = journal.replay(workspace)
    assert _stored(draft.id)["about.notes"] == "newer words, saved later"
    assert not recovery.recovered
    assert journal.read(workspace.folder, draft.id) == {}


def test_a_return_signed_meanwhile_is_kept_aside_not_changed(workspace: Workspace, draft: Submission) -> None:
    left_unsaved(workspace, draft.id, {"about.notes": "typed before the sign-off"})
    Submission.update(status="signed").where(Submission.id == draft.id).execute()
    recovery = journal.replay(workspace)
    assert "about.notes" not in _stored(draft.id)
    assert not recovery.recovered
    [kept] = recovery.kept_aside
    assert kept.submission_id == draft.id and "signed" in kept.reason
    assert kept.path.exists() and "typed before the sign-off" in kept.path.read_text(encoding="utf-8")
    assert str(kept.path) in " ".join(recovery.sentences())
    assert journal.read(workspace.folder, draft.id) == {}, "set aside, not replayed again"
    assert not journal.replay(workspace)


def test_an_item_the_form_no_longer_has_and_a_refused_value_are_kept_aside(
    workspace: Workspace, draft: Submission
) -> None:
    journal.write(
        workspace.folder,
        draft.id,
        {"about.notes": "fine", "gone.item": "from an older form", "about.services": "x" * 4001},
    )
    recovery = journal.replay(workspace)
    assert _stored(draft.id) == {"about.notes": "fine"}
    assert recovery.recovered[0].items == ("about.notes",)
    [kept] = recovery.kept_aside
    assert set(kept.items) == {"gone.item", "about.services"}
    saved = json.loads(kept.path.read_text(encoding="utf-8"))
    assert saved["entries"]["about.services"]["value"] == "x" * 4001
    assert "4,000" in saved["entries"]["about.services"]["refused"]


def test_a_return_that_no_longer_exists_is_kept_aside(workspace: Workspace) -> None:
    journal.write(workspace.folder, "0000-gone", {"about.notes": "orphan"})
    recovery = journal.replay(workspace)
    [kept] = recovery.kept_aside
    assert "no longer" in kept.reason and kept.path.exists()


def test_a_damaged_journal_is_set_aside_and_said(workspace: Workspace) -> None:
    path = journal.journal_path(workspace.folder, "abc")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"format": "oscb-journal", "entr', encoding="utf-8")
    recovery = journal.replay(workspace)
    [kept] = recovery.kept_aside
    assert "could not be read" in kept.reason
    assert not path.exists() and kept.path.exists()


def test_replay_while_the_database_still_refuses_keeps_the_journal(workspace: Workspace, draft: Submission) -> None:
    left_unsaved(workspace, draft.id, {"about.notes": "wait for it"})
    with db_faults.full(workspace):
        workspace.db.execute_sql("PRAGMA query_only = 1")
        try:
            recovery = journal.replay(workspace)
        finally:
            workspace.db.execute_sql("PRAGMA query_only = 0")
    assert not recovery.recovered
    [(_what, reason)] = recovery.waiting
    assert "read-only" in reason
    assert journal.read(workspace.folder, draft.id) == {"about.notes": "wait for it"}
    assert journal.replay(workspace).recovered, "recovered once the database takes writes again"
    assert _stored(draft.id)["about.notes"] == "wait for it"

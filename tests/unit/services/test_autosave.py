"""The autosave path with a fake clock, writing to a real workspace database."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from helpers import db_faults
from helpers.db_faults import FAULT_WORDS, FAULTS

from oscb_desktop.services import autosave, journal, returns
from oscb_desktop.services.autosave import FLUSH_DELAY_S, Autosaver, SaveError, SaveQueue
from oscb_desktop.services.returns import ReturnLockedError
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.store import DB_FILENAME, Agency, Answer, AuditEntry, Submission

#: Float slack: 20.0 + 0.4 - 20.0 is a hair under 0.4.
EPS = 1e-9


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def draft(workspace: Workspace, agency: Agency) -> Submission:
    return returns.start_return(workspace, agency.id, "section11", "2026/27")


@pytest.fixture
def saver(workspace: Workspace, draft: Submission, clock: FakeClock) -> Autosaver:
    return Autosaver(workspace, draft.id, clock=clock)


def stored(sub_id: str) -> dict[str, Any]:
    return {a.item_id: a.value for a in Answer.select().where(Answer.submission == sub_id)}


def test_nothing_pending_is_never_due(saver: Autosaver, clock: FakeClock) -> None:
    assert not saver.pending
    clock.advance(60)
    assert not saver.due()
    assert saver.flush() is None
    assert saver.last_saved_at is None


def test_due_only_after_the_flush_delay(saver: Autosaver, clock: FakeClock) -> None:
    clock.now = 10.0
    saver.change("about.completed_by", "Sam")
    assert saver.pending and not saver.due()
    clock.now = 10.0 + FLUSH_DELAY_S / 2
    saver.change("about.services", "Nursing")  # later changes do not restart the delay
    clock.now = 10.0 + FLUSH_DELAY_S * 0.99
    assert not saver.due()
    clock.now = 10.0 + FLUSH_DELAY_S + EPS
    assert saver.due()


def test_flush_writes_one_transaction_and_returns_the_percent(
    workspace: Workspace, saver: Autosaver, draft: Submission, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []
    real = returns.save_accepted

    def spy(ws: Workspace, sub_id: str, changes: dict[str, Any], **kw: Any) -> returns.SaveResult:
        calls.append(dict(changes))
        return real(ws, sub_id, changes, **kw)

    monkeypatch.setattr(autosave.returns, "save_accepted", spy)
    saver.change("about.completed_by", "Sam")
    saver.change("about.services", "Nursing")
    saver.change("about.completed_by", "Sam Lead")  # the latest value of an item wins
    clock.advance(FLUSH_DELAY_S)
    pct = saver.flush()
    assert calls == [{"about.completed_by": "Sam Lead", "about.services": "Nursing"}]
    assert stored(draft.id) == {"about.completed_by": "Sam Lead", "about.services": "Nursing"}
    assert isinstance(pct, int) and pct > 0
    assert pct == Submission.get_by_id(draft.id).percent_complete == saver.last_percent
    entries = list(AuditEntry.select().where(AuditEntry.submission == draft.id))
    assert len(entries) == 2
    assert len({e.at for e in entries}) == 1, "one write, one time stamp"
    assert not saver.pending and not saver.due()
    assert saver.last_saved_at == clock.now


def test_change_after_flush_stays_pending(saver: Autosaver, draft: Submission, clock: FakeClock) -> None:
    saver.change("about.completed_by", "Sam")
    clock.advance(FLUSH_DELAY_S)
    saver.flush()
    clock.now = 20.0
    saver.change("about.notes", "Inspected in May")
    assert saver.pending
    assert saver.pending_value("about.notes") == "Inspected in May"
    assert not saver.due(), "the delay starts again from the new change"
    assert "about.notes" not in stored(draft.id)
    clock.now = 20.0 + FLUSH_DELAY_S + EPS
    assert saver.due()
    saver.flush()
    assert stored(draft.id)["about.notes"] == "Inspected in May"


def test_change_made_during_the_write_stays_pending(
    saver: Autosaver, draft: Submission, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = returns.save_accepted

    def typing_while_saving(ws: Workspace, sub_id: str, changes: dict[str, Any], **kw: Any) -> returns.SaveResult:
        saver.change("about.completed_by", "Sam Lead, Named Nurse")
        return real(ws, sub_id, changes, **kw)

    monkeypatch.setattr(autosave.returns, "save_accepted", typing_while_saving)
    saver.change("about.completed_by", "Sam Lead")
    saver.flush()
    assert stored(draft.id)["about.completed_by"] == "Sam Lead"
    assert saver.pending
    assert saver.pending_value("about.completed_by") == "Sam Lead, Named Nurse"


def test_failed_save_keeps_the_change_pending(saver: Autosaver, draft: Submission, clock: FakeClock) -> None:
    saver.change("about.completed_by", "Sam")
    saver.flush()
    Submission.update(status="signed").where(Submission.id == draft.id).execute()
    clock.now = 30.0
    saver.change("about.completed_by", "Someone Else")
    clock.now = 30.0 + FLUSH_DELAY_S + EPS
    with pytest.raises(ReturnLockedError):
        saver.flush()
    assert saver.pending
    assert saver.pending_value("about.completed_by") == "Someone Else"
    assert saver.due(), "still due, so the caller can retry"
    assert stored(draft.id) == {"about.completed_by": "Sam"}


def test_a_refused_value_never_stops_the_others(saver: Autosaver, draft: Submission) -> None:
    """One answer the store refuses (too long, no such item) stays pending with its reason; the rest is saved."""
    too_long = "x" * 4001  # about.services holds at most 4,000 characters
    saver.change("about.completed_by", "Sam")
    saver.change("about.services", too_long)
    saver.change("not.an.item", "x")
    pct = saver.flush()
    assert isinstance(pct, int)
    assert stored(draft.id) == {"about.completed_by": "Sam"}
    assert set(saver.refused) == {"about.services", "not.an.item"}
    assert "4,000" in saver.refused["about.services"]
    assert saver.pending, "the refused values are still unsaved"
    assert saver.pending_value("about.services") == too_long
    assert not saver.due(), "a refused value is not retried until it changes"

    saver.change("about.notes", "Inspected in May")
    saver.flush()
    assert stored(draft.id)["about.notes"] == "Inspected in May"
    assert set(saver.refused) == {"about.services", "not.an.item"}

    saver.change("about.services", "x" * 4000)  # shortened: saved
    saver.flush()
    assert stored(draft.id)["about.services"] == "x" * 4000
    assert set(saver.refused) == {"not.an.item"}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_database_that_refuses_writes_keeps_everything_and_journals_it(
    workspace: Workspace, saver: Autosaver, draft: Submission, fault: str
) -> None:
    saver.change("about.completed_by", "Sam")
    saver.flush()
    long_text = ("Community nursing, health visiting and school nursing. " * 80)[:4000]  # needs new pages
    with FAULTS[fault](workspace):
        saver.change("about.services", long_text)
        saver.change("about.completed_by", "Sam Lead")
        with pytest.raises(SaveError) as info:
            saver.flush()
        assert FAULT_WORDS[fault] in str(info.value)
        assert "rollback" not in str(info.value)
        assert info.value.journaled
        assert saver.pending_value("about.services") == long_text
        assert journal.read(workspace.folder, draft.id) == {
            "about.services": long_text,
            "about.completed_by": "Sam Lead",
        }
    assert stored(draft.id) == {"about.completed_by": "Sam"}

    saver.flush()  # the cause has gone: saved, and the journal cleared
    assert stored(draft.id) == {"about.completed_by": "Sam Lead", "about.services": long_text}
    assert not saver.pending
    assert journal.read(workspace.folder, draft.id) == {}
    assert not journal.journal_path(workspace.folder, draft.id).exists()


def test_changes_typed_while_failing_reach_the_journal_without_a_write(
    workspace: Workspace, saver: Autosaver, draft: Submission
) -> None:
    with db_faults.locked(workspace):
        saver.change("about.completed_by", "Sam")
        with pytest.raises(SaveError):
            saver.flush()
        saver.change("about.notes", "typed after the failure")
        assert saver.journal_now()
        assert journal.read(workspace.folder, draft.id) == {
            "about.completed_by": "Sam",
            "about.notes": "typed after the failure",
        }


def fail_to_save(ws: Workspace, saver: Autosaver, fault: str, changes: dict[str, Any]) -> SaveError:
    """Make the changes while the database refuses writes; the error the flush raised."""
    with FAULTS[fault](ws):
        for item_id, value in changes.items():
            saver.change(item_id, value)
        with pytest.raises(SaveError) as info:
            saver.flush()
    return info.value


def test_a_new_autosaver_resumes_what_the_journal_holds(
    workspace: Workspace, saver: Autosaver, draft: Submission, clock: FakeClock
) -> None:
    fail_to_save(workspace, saver, "read_only", {"about.notes": "kept through a crash"})
    # The process died here; the next editor of this return picks the change up and saves it.
    again = Autosaver(workspace, draft.id, clock=clock)
    assert again.pending_value("about.notes") == "kept through a crash"
    again.flush()
    assert stored(draft.id)["about.notes"] == "kept through a crash"
    assert journal.read(workspace.folder, draft.id) == {}


def test_a_failing_journal_is_said_too(workspace: Workspace, saver: Autosaver, draft: Submission) -> None:
    (workspace.folder / journal.JOURNAL_DIR).write_text("not a folder")  # the journal cannot be written
    error = fail_to_save(workspace, saver, "full", {"about.services": "x" * 3000, "about.notes": "y" * 3000})
    assert not error.journaled
    assert "recovery" in str(error)
    assert saver.pending_value("about.notes") == "y" * 3000, "still held in memory"


def test_discard_forgets_the_changes_and_their_journal(
    workspace: Workspace, saver: Autosaver, draft: Submission
) -> None:
    fail_to_save(workspace, saver, "locked", {"about.notes": "not wanted"})
    assert journal.journal_path(workspace.folder, draft.id).exists()
    saver.discard()
    assert not saver.pending
    assert not journal.journal_path(workspace.folder, draft.id).exists()
    assert saver.flush() is None
    assert stored(draft.id) == {}


def test_the_retry_queue_saves_left_editors_once_the_cause_clears(
    workspace: Workspace, agency: Agency, draft: Submission, clock: FakeClock
) -> None:
    other = returns.start_return(workspace, agency.id, "impact", "2026/27")
    queue = SaveQueue()
    first, second = Autosaver(workspace, draft.id, clock=clock), Autosaver(workspace, other.id, clock=clock)
    with db_faults.locked(workspace):
        first.change("about.notes", "left while locked")
        with pytest.raises(SaveError):
            first.flush()
        assert second.flush() is None
        queue.park(first)
        queue.park(second)  # nothing pending: not kept
        assert queue.submission_ids() == [draft.id]
        outcome = queue.retry()
        assert outcome.saved == [] and draft.id in outcome.failed
        assert "busy" in outcome.failed[draft.id]
    outcome = queue.retry()
    assert outcome.saved == [draft.id]
    assert not queue.pending
    assert stored(draft.id)["about.notes"] == "left while locked"
    assert journal.read(workspace.folder, draft.id) == {}


def test_an_editor_opened_again_takes_its_parked_changes(
    workspace: Workspace, draft: Submission, clock: FakeClock
) -> None:
    queue = SaveQueue()
    saver = Autosaver(workspace, draft.id, clock=clock)
    fail_to_save(workspace, saver, "locked", {"about.notes": "parked"})
    queue.park(saver)
    assert queue.take(draft.id) is saver
    assert queue.take(draft.id) is None
    assert not queue.pending


def test_retries_wait_for_a_lock_only_briefly(
    workspace: Workspace, saver: Autosaver, draft: Submission, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once a save found another program holding the write lock, retries wait for it a quarter second, not the
    connection's five seconds, so the window is not held still while the lock lasts (a write transaction that
    waits for the lock at its start would otherwise wait the whole busy timeout at every retry)."""
    waited: list[int] = []
    real = returns.save_accepted

    def save(ws: Workspace, sub_id: str, changes: dict[str, Any], **kw: Any) -> returns.SaveResult:
        waited.append(ws.db.execute_sql("PRAGMA busy_timeout").fetchone()[0])
        return real(ws, sub_id, changes, **kw)

    monkeypatch.setattr(autosave.returns, "save_accepted", save)
    other = sqlite3.connect(workspace.folder / DB_FILENAME, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        saver.change("about.notes", "typed while another program writes")
        for _ in range(2):
            with pytest.raises(SaveError):
                saver.flush()
    finally:
        other.rollback()
        other.close()
    saver.flush()
    assert waited == [5000, autosave.RETRY_BUSY_TIMEOUT_MS, autosave.RETRY_BUSY_TIMEOUT_MS]
    assert workspace.db.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 5000, "the connection's own is back"
    assert stored(draft.id)["about.notes"] == "typed while another program writes"
    saver.change("about.notes", "later")
    saver.flush()
    assert waited[-1] == 5000, "after a save that worked, the normal wait again"


def test_save_commits_the_answers_and_settle_the_percent(
    workspace: Workspace, saver: Autosaver, draft: Submission
) -> None:
    """The "saved" mark waits only for the answers' commit; the percent complete is stored just after."""
    assert Submission.get_by_id(draft.id).percent_complete == 0
    saver.change("about.completed_by", "Sam Lead")
    assert saver.save() is True
    assert stored(draft.id) == {"about.completed_by": "Sam Lead"}
    assert len(AuditEntry.select().where(AuditEntry.submission == draft.id)) == 1
    assert Submission.get_by_id(draft.id).percent_complete == 0, "left to settle"
    pct = saver.settle()
    assert isinstance(pct, int) and pct > 0
    assert Submission.get_by_id(draft.id).percent_complete == pct == saver.last_percent
    assert saver.settle() is None, "nothing saved since"
    assert saver.save() is False, "nothing pending"


def test_the_audit_trail_names_a_new_name_at_once(workspace: Workspace, saver: Autosaver, draft: Submission) -> None:
    """The name is worked out once per workspace (every autosave names it), and again when it changes."""
    saver.change("about.completed_by", "Sam")
    saver.flush()
    workspace.set_setting("user_name", "Priya Shah")
    saver.change("about.completed_by", "Sam Lead")
    saver.flush()
    users = [e.user for e in AuditEntry.select().where(AuditEntry.submission == draft.id).order_by(AuditEntry.id)]
    assert users[1].startswith("Priya Shah (") and not users[0].startswith("Priya Shah")

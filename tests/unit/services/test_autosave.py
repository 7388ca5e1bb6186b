"""The autosave path with a fake clock, writing to a real workspace database."""

from __future__ import annotations

from typing import Any

import pytest

from oscb_desktop.services import autosave, returns
from oscb_desktop.services.autosave import FLUSH_DELAY_S, Autosaver
from oscb_desktop.services.returns import ReturnLockedError
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.store import Agency, Answer, AuditEntry, Submission

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
    real = returns.save_answers

    def spy(ws: Workspace, sub_id: str, changes: dict[str, Any], **kw: Any) -> int:
        calls.append(dict(changes))
        return real(ws, sub_id, changes, **kw)

    monkeypatch.setattr(autosave.returns, "save_answers", spy)
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
    real = returns.save_answers

    def typing_while_saving(ws: Workspace, sub_id: str, changes: dict[str, Any], **kw: Any) -> int:
        saver.change("about.completed_by", "Sam Lead, Named Nurse")
        return real(ws, sub_id, changes, **kw)

    monkeypatch.setattr(autosave.returns, "save_answers", typing_while_saving)
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


def test_failed_save_of_a_bad_batch_keeps_everything_pending(saver: Autosaver, draft: Submission) -> None:
    saver.change("about.completed_by", "Sam")
    saver.change("not.an.item", "x")
    with pytest.raises(returns.ReturnError):
        saver.flush()
    assert saver.pending_value("about.completed_by") == "Sam"
    assert stored(draft.id) == {}

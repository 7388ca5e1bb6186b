"""The answer history of an item from the audit trail, and restoring an earlier version, on a real workspace."""

from __future__ import annotations

import pytest

from oscb_desktop.services import history, returns, signoff
from oscb_desktop.services.workspace import Workspace, login_name
from oscb_desktop.store import Agency, AuditEntry, Submission

PERIOD = "2026/27"
USER = "Alex Tester"


def green(evidence: str) -> dict[str, str]:
    return {"level": "green", "evidence": evidence, "example": "", "reason": ""}


@pytest.fixture
def draft(workspace: Workspace, agency: Agency) -> str:
    workspace.set_setting("user_name", USER)
    sub = returns.start_return(workspace, agency.id, "section11", PERIOD, carry_forward=False)
    returns.save_answers(workspace, sub.id, {"s1.1": green("Board minutes, May 2026.")})
    returns.save_answers(workspace, sub.id, {"s1.1": {**green("Board minutes, May 2026."), "level": "amber"}})
    returns.save_answers(workspace, sub.id, {"s1.1": green("Board minutes and the annual report.")})
    return sub.id


def test_history_lists_every_change_newest_first_in_words(workspace: Workspace, draft: str) -> None:
    h = history.item_history(workspace, draft, "s1.1")
    assert h.code == "S1.1" and h.label.startswith("The agency has a named senior lead")
    assert [v.what for v in h.versions] == ["Changed"] * 3
    assert [v.text.splitlines()[0] for v in h.versions] == ["Green (75%)", "Amber (50%)", "Green (75%)"]
    assert h.versions[0].text == "Green (75%)\nEvidence: Board minutes and the annual report."
    assert h.versions[0].user == f"{USER} ({login_name()})"
    assert [v.current for v in h.versions] == [True, False, False]
    assert [v.restorable for v in h.versions] == [False, True, True]
    assert h.locked_reason == ""
    assert history.item_history(workspace, draft, "s2.1").versions == ()


def test_restore_is_an_audited_change_that_can_itself_be_undone(workspace: Workspace, draft: str) -> None:
    oldest = history.item_history(workspace, draft, "s1.1").versions[-1]
    result = history.restore(workspace, draft, "s1.1", oldest.entry_id)
    assert result.value == green("Board minutes, May 2026.")
    assert result.previous == green("Board minutes and the annual report.")
    assert returns.load_answers(workspace, draft)["s1.1"] == green("Board minutes, May 2026.")
    entry = AuditEntry.get_by_id(result.entry_id)
    assert entry.action == "restore" and entry.old_value == result.previous and entry.new_value == result.value

    h = history.item_history(workspace, draft, "s1.1")
    assert h.versions[0].what == "Restored an earlier version" and h.versions[0].current
    # Undo: restore the version the restore replaced.
    replaced = next(v for v in h.versions if v.value == result.previous)
    history.restore(workspace, draft, "s1.1", replaced.entry_id)
    assert returns.load_answers(workspace, draft)["s1.1"] == green("Board minutes and the annual report.")
    assert len(history.item_history(workspace, draft, "s1.1").versions) == 5

    with pytest.raises(returns.ReturnError, match="already is that version"):
        history.restore(workspace, draft, "s1.1", replaced.entry_id)
    with pytest.raises(returns.ReturnError, match="not in the history"):
        history.restore(workspace, draft, "s1.2", replaced.entry_id)


def test_restore_is_refused_on_a_signed_return_and_nothing_changes(workspace: Workspace, draft: str) -> None:
    oldest = history.item_history(workspace, draft, "s1.1").versions[-1]
    Submission.update(status="signed").where(Submission.id == draft).execute()
    before = returns.load_answers(workspace, draft)
    entries = AuditEntry.select().count()
    h = history.item_history(workspace, draft, "s1.1")
    assert "signed and cannot be changed" in h.locked_reason
    with pytest.raises(returns.ReturnLockedError, match="signed and cannot be changed"):
        history.restore(workspace, draft, "s1.1", oldest.entry_id)
    assert returns.load_answers(workspace, draft) == before and AuditEntry.select().count() == entries


def test_a_reopened_return_keeps_the_history_of_the_versions_before_it(workspace: Workspace, draft: str) -> None:
    Submission.update(status="signed").where(Submission.id == draft).execute()
    new = signoff.reopen(workspace, draft)
    h = history.item_history(workspace, new.id, "s1.1")
    assert [(v.return_version, v.what) for v in h.versions] == [(2, "Reopened")] + [(1, "Changed")] * 3
    # An answer from version 1 can be restored into version 2.
    oldest = h.versions[-1]
    history.restore(workspace, new.id, "s1.1", oldest.entry_id)
    assert returns.load_answers(workspace, new.id)["s1.1"] == green("Board minutes, May 2026.")
    assert returns.load_answers(workspace, draft)["s1.1"] == green("Board minutes and the annual report.")


def test_answers_read_as_text_for_every_kind(workspace: Workspace, shipped_forms) -> None:
    impact = next(f for f in shipped_forms.for_period(PERIOD) if f.id == "impact")
    pressures = impact.item("impact.pressures")
    first = pressures.options[0]
    assert history.answer_text(pressures, [{"category": first.id, "text": "Rising demand."}]) == (
        f"1. {first.label} — Rising demand."
    )
    assert history.answer_text(impact.item("impact.restructure"), False) == "No"
    assert history.answer_text(impact.item("impact.staff_trained"), 1200) == "1,200 staff"
    assert history.answer_text(impact.item("impact.staff_trained"), None) == "Not answered"
    s11 = next(f for f in shipped_forms.for_period(PERIOD) if f.id == "section11")
    actions = s11.item("s1.actions")
    text = history.answer_text(actions, [{"action": "Train staff", "lead": "HR", "due": "2027-01-31", "status": None}])
    assert text == "1. Action: Train staff; Lead: HR; Due by: 2027-01-31"

"""Return use cases on a real workspace database: start, save with audit, limits, locking, carry-forward, lists."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers.answers import complete_answers

from oscb_desktop import paths
from oscb_desktop.forms import FormRegistry
from oscb_desktop.services import evidence as evidence_service
from oscb_desktop.services import returns
from oscb_desktop.services.agencies import create_agency
from oscb_desktop.services.answer_checks import MAX_VALUE_CHARS
from oscb_desktop.services.returns import AnswerRefusedError, ReturnError, ReturnLockedError
from oscb_desktop.services.workspace import Workspace, login_name
from oscb_desktop.store import Agency, Answer, AuditEntry, Submission

USER = "Alex Tester"
#: How the audit trail names them: their name and the login (issue 17 item 5).
AUDITED = f"{USER} ({login_name()})"


@pytest.fixture(autouse=True)
def _named_user(request: pytest.FixtureRequest) -> None:
    """The audit trail names this user (tests with their own workspace set it themselves)."""
    if "workspace" in request.fixturenames:
        request.getfixturevalue("workspace").set_setting("user_name", USER)


def stored(sub_id: str) -> dict[str, Any]:
    return {a.item_id: a.value for a in Answer.select().where(Answer.submission == sub_id)}


def audit(sub_id: str) -> list[AuditEntry]:
    return list(AuditEntry.select().where(AuditEntry.submission == sub_id).order_by(AuditEntry.id))


@pytest.fixture
def draft(workspace: Workspace, agency: Agency) -> Submission:
    return returns.start_return(workspace, agency.id, "section11", "2026/27")


# --- starting -----------------------------------------------------------------------------------


def test_start_return_makes_an_empty_draft_version_1(workspace: Workspace, agency: Agency) -> None:
    sub = returns.start_return(workspace, agency.id, "section11", "2026/27")
    row = Submission.get_by_id(sub.id)
    assert (row.version, row.status, row.percent_complete) == (1, "draft", 0)
    assert (row.form_id, row.form_version, row.period) == ("section11", "2026.1", "2026/27")
    assert row.agency_id == agency.id
    assert row.carried_from_id is None and row.supersedes_id is None
    assert stored(sub.id) == {}
    assert audit(sub.id) == []


def test_starting_the_same_return_twice_is_refused(workspace: Workspace, agency: Agency) -> None:
    returns.start_return(workspace, agency.id, "section11", "2026/27")
    with pytest.raises(ReturnError, match="already has"):
        returns.start_return(workspace, agency.id, "section11", "2026/27")
    assert Submission.select().count() == 1


def test_start_return_for_unknown_form_period_or_agency(workspace: Workspace, agency: Agency) -> None:
    with pytest.raises(ReturnError, match="No section11 form"):
        returns.start_return(workspace, agency.id, "section11", "2030/31")
    with pytest.raises(ReturnError, match="no longer exists"):
        returns.start_return(workspace, agency.id + 100, "section11", "2026/27")
    assert Submission.select().count() == 0


# --- saving -------------------------------------------------------------------------------------


def test_save_answers_stores_values_and_audits_each_change(workspace: Workspace, draft: Submission) -> None:
    rating = {"level": "green", "evidence": "Board minutes, 12 June"}
    pct = returns.save_answers(workspace, draft.id, {"about.completed_by": "Sam Lead", "s1.1": rating})
    assert stored(draft.id) == {"about.completed_by": "Sam Lead", "s1.1": rating}
    assert Submission.get_by_id(draft.id).percent_complete == pct > 0
    entries = audit(draft.id)
    assert [(e.item_id, e.old_value, e.new_value, e.user, e.action) for e in entries] == [
        ("about.completed_by", None, "Sam Lead", AUDITED, "edit"),
        ("s1.1", None, rating, AUDITED, "edit"),
    ]
    assert all(e.at.endswith("Z") for e in entries)

    returns.save_answers(workspace, draft.id, {"about.completed_by": "Sam Lead, Named Nurse"})
    last = audit(draft.id)[-1]
    assert (last.item_id, last.old_value, last.new_value) == ("about.completed_by", "Sam Lead", "Sam Lead, Named Nurse")
    assert len(audit(draft.id)) == 3
    # The JSON stored is compact with sorted keys, so equal values are equal text.
    raw = workspace.db.execute_sql(
        "SELECT value FROM answer WHERE submission_id = ? AND item_id = 's1.1'", (draft.id,)
    ).fetchone()[0]
    assert raw == '{"evidence":"Board minutes, 12 June","level":"green"}'


def test_saving_the_same_value_writes_no_audit_entry(workspace: Workspace, draft: Submission) -> None:
    returns.save_answers(workspace, draft.id, {"s1.1": {"level": "amber", "evidence": "x"}})
    before = Answer.get((Answer.submission == draft.id) & (Answer.item_id == "s1.1")).updated_at
    # Same value, keys in another order.
    returns.save_answers(workspace, draft.id, {"s1.1": {"evidence": "x", "level": "amber"}})
    assert len(audit(draft.id)) == 1
    assert Answer.get((Answer.submission == draft.id) & (Answer.item_id == "s1.1")).updated_at == before


def test_clearing_an_answer_is_audited(workspace: Workspace, draft: Submission) -> None:
    returns.save_answers(workspace, draft.id, {"about.notes": "Inspected in May"})
    returns.save_answers(workspace, draft.id, {"about.notes": None})
    assert stored(draft.id) == {"about.notes": None}
    last = audit(draft.id)[-1]
    assert (last.old_value, last.new_value) == ("Inspected in May", None)


def test_unknown_item_is_refused_and_nothing_is_stored(workspace: Workspace, draft: Submission) -> None:
    with pytest.raises(ReturnError, match=re.escape("no item 's99.1'")):
        returns.save_answers(workspace, draft.id, {"s99.1": "x"})
    with pytest.raises(ReturnError, match="no item 'nope'"):
        returns.save_answers(workspace, draft.id, {"about.completed_by": "Sam Lead", "nope": "x"})
    assert stored(draft.id) == {}
    assert audit(draft.id) == []
    assert Submission.get_by_id(draft.id).updated_at == draft.updated_at


def test_huge_value_is_refused_with_a_clear_message(workspace: Workspace, draft: Submission) -> None:
    huge = "x" * (MAX_VALUE_CHARS + 1)
    with pytest.raises(ReturnError) as info:
        returns.save_answers(workspace, draft.id, {"about.completed_by": "Sam Lead", "about.services": huge})
    message = str(info.value)
    assert "about.services" in message and "too long" in message and "attach" in message
    assert stored(draft.id) == {}
    assert audit(draft.id) == []


def test_wrongly_shaped_value_stores_nothing(workspace: Workspace, draft: Submission) -> None:
    with pytest.raises(ReturnError):
        returns.save_answers(workspace, draft.id, {"about.completed_by": "Sam Lead", "s1.actions": 5})
    assert stored(draft.id) == {}
    assert audit(draft.id) == []


def test_wrongly_shaped_value_is_refused_with_a_return_error(workspace: Workspace, draft: Submission) -> None:
    with pytest.raises(ReturnError):
        returns.save_answers(workspace, draft.id, {"s1.actions": 5})


def test_a_value_at_the_items_limit_is_stored(workspace: Workspace, draft: Submission) -> None:
    value = "x" * 4000  # about.services: max_length 4000
    returns.save_answers(workspace, draft.id, {"about.services": value})
    assert stored(draft.id)["about.services"] == value


@pytest.mark.parametrize(
    ("item_id", "value", "limit"),
    [
        ("about.services", "x" * 4001, "4,000"),
        ("about.completed_by", "y" * 201, "200"),
        ("s1.1", {"level": "green", "evidence": "e" * 4001, "example": "", "reason": ""}, "4,000"),
        ("s1.actions", [{"action": "a" * 1001, "lead": "", "due": None, "status": None}], "1,000"),
    ],
)
def test_a_value_over_the_items_limit_is_refused_and_named(
    workspace: Workspace, draft: Submission, item_id: str, value: Any, limit: str
) -> None:
    with pytest.raises(AnswerRefusedError) as info:
        returns.save_answers(workspace, draft.id, {"about.notes": "fine", item_id: value})
    assert info.value.item_id == item_id
    assert "too long" in str(info.value) and limit in str(info.value)
    assert stored(draft.id) == {}, "save_answers stores all or nothing"


def test_save_accepted_stores_every_change_the_form_accepts(workspace: Workspace, draft: Submission) -> None:
    result = returns.save_accepted(
        workspace,
        draft.id,
        {"about.notes": "fine", "about.services": "x" * 4001, "nope": "x", "s1.actions": 5},
    )
    assert stored(draft.id) == {"about.notes": "fine"}
    assert set(result.refused) == {"about.services", "nope", "s1.actions"}
    assert "4,000" in result.refused["about.services"]
    assert result.percent == Submission.get_by_id(draft.id).percent_complete
    assert [e.item_id for e in audit(draft.id)] == ["about.notes"]


def test_save_accepted_on_a_signed_return_refuses_it_all(workspace: Workspace, draft: Submission) -> None:
    Submission.update(status="signed").where(Submission.id == draft.id).execute()
    with pytest.raises(ReturnLockedError):
        returns.save_accepted(workspace, draft.id, {"about.notes": "fine"})


def test_percent_complete_rises_to_100_for_a_valid_return(workspace: Workspace, draft: Submission) -> None:
    form = workspace.forms.get("section11", "2026.1")
    answers = complete_answers(form)
    about = {k: v for k, v in answers.items() if k.startswith("about.")}
    rest = {k: v for k, v in answers.items() if not k.startswith("about.")}
    assert about and rest

    first = returns.save_answers(workspace, draft.id, about)
    assert 0 < first < 100
    half = dict(list(rest.items())[: len(rest) // 2])
    second = returns.save_answers(workspace, draft.id, half)
    assert first < second < 100
    third = returns.save_answers(workspace, draft.id, rest)
    assert third == 100
    assert Submission.get_by_id(draft.id).percent_complete == 100
    assert returns.problems(workspace, draft.id) == []
    assert returns.list_returns(workspace)[0].status_label == "Ready to sign"


def test_an_invalid_answer_lowers_percent_complete(workspace: Workspace, draft: Submission) -> None:
    form = workspace.forms.get("section11", "2026.1")
    assert returns.save_answers(workspace, draft.id, complete_answers(form)) == 100
    # Red with no action: the rating is answered but the standard's rule is broken.
    pct = returns.save_answers(workspace, draft.id, {"s1.1": {"level": "red"}})
    assert pct < 100
    assert any(p.item_id == "s1.actions" for p in returns.problems(workspace, draft.id))


def test_locked_return_refuses_changes(workspace: Workspace, draft: Submission) -> None:
    returns.save_answers(workspace, draft.id, {"about.completed_by": "Sam Lead"})
    Submission.update(status="signed").where(Submission.id == draft.id).execute()
    with pytest.raises(ReturnLockedError, match="signed"):
        returns.save_answers(workspace, draft.id, {"about.completed_by": "Someone Else"})
    with pytest.raises(ReturnLockedError):
        returns.save_answers(workspace, draft.id, {"about.notes": "new"})
    with pytest.raises(ReturnLockedError):
        returns.confirm_carried(workspace, draft.id, ["about.completed_by"])
    assert stored(draft.id) == {"about.completed_by": "Sam Lead"}
    assert len(audit(draft.id)) == 1


# --- carry-forward ------------------------------------------------------------------------------

EVIDENCE_ITEM = {
    "id": "about.evidence",
    "type": "attachments",
    "label": "Supporting documents",
    "guidance": "Optional files that back up the ratings.",
    "max_files": 5,
}


@pytest.fixture
def forms_with_evidence(tmp_path: Path) -> FormRegistry:
    """The shipped Section 11 forms of both years, each with an attachments item added to 'about'."""
    folder = tmp_path / "forms"
    for source in sorted((paths.forms_dir() / "section11").glob("*.yaml")):
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
        data["sections"][0]["items"].append(EVIDENCE_ITEM)
        target = folder / "section11" / source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    registry = FormRegistry.load(folder)
    assert registry.errors == []
    assert {f.version for f in registry} == {"2025.1", "2026.1"}
    return registry


@pytest.fixture
def carry_ws(tmp_path: Path, forms_with_evidence: FormRegistry):
    ws = Workspace.open(tmp_path / "carry-ws", forms=forms_with_evidence)
    ws.bind()
    ws.set_setting("user_name", USER)
    yield ws
    ws.close()


OPEN_ACTION = {
    "action": "Refresh the training plan",
    "lead": "Training lead",
    "due": "2026-09-30",
    "status": "in_progress",
}
DONE_ACTION = {"action": "Write a board report", "lead": "Head of quality", "due": "2026-01-31", "status": "complete"}
CARRIED = {"about.completed_by", "about.evidence", "s1.1", "s1.actions"}


@pytest.fixture
def last_year(carry_ws: Workspace, tmp_path: Path) -> Submission:
    agency = create_agency(carry_ws, "Carry Forward Trust")
    old = returns.start_return(carry_ws, agency.id, "section11", "2025/26")
    assert old.form_version == "2025.1"
    returns.save_answers(
        carry_ws,
        old.id,
        {
            "about.completed_by": "Sam Lead",
            "s1.1": {"level": "amber", "evidence": "Partly minuted"},
            "s1.actions": [DONE_ACTION, OPEN_ACTION],
            "s5.6": {"level": "green", "evidence": "Training records"},  # gone from the 2026/27 form
        },
    )
    doc = tmp_path / "training-plan.pdf"
    doc.write_bytes(b"%PDF-1.4 training plan")
    evidence_service.add_file(carry_ws, old.id, "about.evidence", doc)
    return Submission.get_by_id(old.id)


def test_carry_forward_copies_only_what_the_new_form_has(carry_ws: Workspace, last_year: Submission) -> None:
    assert not carry_ws.forms.get("section11", "2026.1").has_item("s5.6")
    new = returns.start_return(carry_ws, last_year.agency_id, "section11", "2026/27")
    assert new.form_version == "2026.1"
    assert new.carried_from_id == last_year.id
    answers = stored(new.id)
    assert set(answers) == CARRIED
    assert answers["s1.actions"] == [OPEN_ACTION], "only open actions carry into the new year"
    assert answers["s1.1"] == {"level": "amber", "evidence": "Partly minuted"}
    (evidence,) = answers["about.evidence"]
    assert evidence["name"] == "training-plan.pdf"
    assert carry_ws.blobs.read(evidence["sha256"]) == b"%PDF-1.4 training plan"
    rows = Answer.select().where(Answer.submission == new.id)
    assert all(a.carried for a in rows)
    entries = audit(new.id)
    assert sorted(e.item_id for e in entries) == sorted(CARRIED)
    assert {(e.action, e.old_value, e.user) for e in entries} == {("carry-forward", None, AUDITED)}
    # Last year's return is untouched.
    assert stored(last_year.id)["s1.actions"] == [DONE_ACTION, OPEN_ACTION]
    assert "s5.6" in stored(last_year.id)


def test_carried_items_must_be_reviewed(carry_ws: Workspace, last_year: Submission) -> None:
    new = returns.start_return(carry_ws, last_year.agency_id, "section11", "2026/27")
    review = [p for p in returns.problems(carry_ws, new.id) if p.kind == "review"]
    assert {p.item_id for p in review} == CARRIED
    assert all("2025/26" in p.message for p in review)
    assert returns.carried_items(carry_ws, new.id) == CARRIED

    before = Submission.get_by_id(new.id).percent_complete
    pct = returns.confirm_carried(carry_ws, new.id, ["about.completed_by", "s1.1"])
    assert pct > before
    assert returns.carried_items(carry_ws, new.id) == {"about.evidence", "s1.actions"}
    review_entries = [e for e in audit(new.id) if e.action == "review"]
    assert sorted(e.item_id for e in review_entries) == ["about.completed_by", "s1.1"]
    assert all(e.old_value == e.new_value and e.user == AUDITED for e in review_entries)
    still = {p.item_id for p in returns.problems(carry_ws, new.id) if p.kind == "review"}
    assert still == {"about.evidence", "s1.actions"}
    # Confirming again, or confirming an item that was never carried, writes nothing.
    count = len(audit(new.id))
    returns.confirm_carried(carry_ws, new.id, ["about.completed_by", "about.services"])
    assert len(audit(new.id)) == count


def test_editing_a_carried_item_clears_its_flag(carry_ws: Workspace, last_year: Submission) -> None:
    new = returns.start_return(carry_ws, last_year.agency_id, "section11", "2026/27")
    done = {**OPEN_ACTION, "status": "complete"}
    returns.save_answers(carry_ws, new.id, {"s1.actions": [done]})
    assert "s1.actions" not in returns.carried_items(carry_ws, new.id)
    last = audit(new.id)[-1]
    assert (last.item_id, last.action, last.old_value, last.new_value) == ("s1.actions", "edit", [OPEN_ACTION], [done])
    # Saving a carried answer unchanged counts as reviewing it.
    value = stored(new.id)["about.completed_by"]
    returns.save_answers(carry_ws, new.id, {"about.completed_by": value})
    assert "about.completed_by" not in returns.carried_items(carry_ws, new.id)
    assert audit(new.id)[-1].action == "review"


def test_without_carry_forward_nothing_is_copied(carry_ws: Workspace, last_year: Submission) -> None:
    new = returns.start_return(carry_ws, last_year.agency_id, "section11", "2026/27", carry_forward=False)
    assert new.carried_from_id is None
    assert stored(new.id) == {}
    assert audit(new.id) == []
    assert returns.carried_items(carry_ws, new.id) == set()


def test_carry_forward_comes_only_from_the_same_agency(carry_ws: Workspace, last_year: Submission) -> None:
    other = create_agency(carry_ws, "Another Agency")
    new = returns.start_return(carry_ws, other.id, "section11", "2026/27")
    assert new.carried_from_id is None
    assert stored(new.id) == {}


# --- listing and finding ------------------------------------------------------------------------


def test_list_returns_order_and_status_labels(workspace: Workspace, agency: Agency) -> None:
    early = create_agency(workspace, "Aardvark Housing")
    mine_old = returns.start_return(workspace, agency.id, "section11", "2025/26", carry_forward=False)
    mine_s11 = returns.start_return(workspace, agency.id, "section11", "2026/27", carry_forward=False)
    mine_impact = returns.start_return(workspace, agency.id, "impact", "2026/27")
    early_s11 = returns.start_return(workspace, early.id, "section11", "2026/27")
    returns.save_answers(workspace, mine_impact.id, complete_answers(workspace.forms.get("impact", "2026.1")))
    Submission.update(status="signed").where(Submission.id == mine_old.id).execute()

    rows = returns.list_returns(workspace)
    assert [r.id for r in rows] == [early_s11.id, mine_impact.id, mine_s11.id, mine_old.id]
    labels = {r.id: r.status_label for r in rows}
    assert labels == {
        early_s11.id: "Draft",
        mine_impact.id: "Ready to sign",
        mine_s11.id: "Draft",
        mine_old.id: "Signed",
    }
    impact_row = next(r for r in rows if r.id == mine_impact.id)
    assert (impact_row.agency_name, impact_row.form_title, impact_row.percent_complete) == (
        agency.name,
        "Impact assessment",
        100,
    )
    assert str(impact_row.deadline) == "2027-03-31"
    assert [r.id for r in returns.list_returns(workspace, early.id)] == [early_s11.id]


def test_list_returns_of_a_form_no_longer_installed(workspace: Workspace, agency: Agency) -> None:
    Submission.create(
        id="old-form-0001",
        agency=agency.id,
        form_id="section11",
        form_version="2019.1",
        period="2019/20",
        created_at="2019-05-01T10:00:00.000Z",
        updated_at="2019-05-01T10:00:00.000Z",
    )
    (row,) = returns.list_returns(workspace)
    assert "not installed" in row.form_title
    assert row.deadline is None


def test_get_submission_by_id_or_unique_prefix(workspace: Workspace, draft: Submission) -> None:
    assert returns.get_submission(workspace, draft.id).id == draft.id
    assert returns.get_submission(workspace, draft.id[:8]).id == draft.id
    with pytest.raises(ReturnError, match="no return"):
        returns.get_submission(workspace, draft.id[:5])  # too short to be taken as a prefix
    with pytest.raises(ReturnError, match="no return"):
        returns.get_submission(workspace, "ffffffff-not-there")


def test_get_submission_refuses_an_ambiguous_prefix(workspace: Workspace, agency: Agency) -> None:
    for suffix in ("1", "2"):
        Submission.create(
            id=f"abcdef-{suffix}",
            agency=agency.id,
            form_id="section11",
            form_version="2026.1",
            period=f"202{suffix}/2{suffix}",
            created_at="2026-05-01T10:00:00.000Z",
            updated_at="2026-05-01T10:00:00.000Z",
        )
    with pytest.raises(ReturnError, match="More than one"):
        returns.get_submission(workspace, "abcdef")
    assert returns.get_submission(workspace, "abcdef-2").id == "abcdef-2"


def test_get_submission_prefix_is_not_a_pattern(workspace: Workspace, draft: Submission) -> None:
    with pytest.raises(ReturnError):
        returns.get_submission(workspace, "%%%%%%")
    with pytest.raises(ReturnError):
        returns.get_submission(workspace, "______")

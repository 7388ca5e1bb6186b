"""The autosave's hand-written statements store exactly what the peewee models store."""

from __future__ import annotations

from typing import Any

import pytest

from oscb_desktop.services import returns
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.store import Agency, Answer, AuditEntry, Submission, answer_writes


@pytest.fixture
def two_drafts(workspace: Workspace, agency: Agency) -> tuple[Submission, Submission]:
    first = returns.start_return(workspace, agency.id, "section11", "2026/27")
    second = returns.start_return(workspace, agency.id, "impact", "2026/27")
    return first, second


def rows(sub_id: str) -> list[dict[str, Any]]:
    answers = [
        {"item": a.item_id, "value": a.value, "carried": a.carried, "at": a.updated_at}
        for a in Answer.select().where(Answer.submission == sub_id).order_by(Answer.item_id)
    ]
    audit = [
        {"item": e.item_id, "old": e.old_value, "new": e.new_value, "at": e.at, "user": e.user, "action": e.action}
        for e in AuditEntry.select().where(AuditEntry.submission == sub_id).order_by(AuditEntry.id)
    ]
    return answers + audit


def test_the_statements_store_what_the_models_store(
    workspace: Workspace, two_drafts: tuple[Submission, Submission]
) -> None:
    by_hand, by_models = two_drafts
    value = {"level": "green", "evidence": "Policy ‘reviewed’ — 2026", "files": [], "n": 3, "none": None}
    stamp = "2026-12-01T10:00:00+00:00"
    with workspace.bound(), workspace.db.atomic():
        answer_writes.insert(by_hand.id, "s1.a", value, stamp)
        answer_writes.audit(by_hand.id, "s1.a", None, value, at=stamp, user="Sam (sam)", action="edit")
        Answer.create(submission=by_models.id, item_id="s1.a", value=value, carried=False, updated_at=stamp)
        AuditEntry.create(
            submission=by_models.id, item_id="s1.a", old_value=None, new_value=value, at=stamp, user="Sam (sam)"
        )
        stored = answer_writes.answers(by_hand.id, ["s1.a", "not.stored"])
        assert set(stored) == {"s1.a"}
        assert stored["s1.a"].value == value and stored["s1.a"].carried is False
        answer_writes.update(stored["s1.a"].id, "changed", stamp)
        Answer.update(value="changed", carried=False, updated_at=stamp).where(
            (Answer.submission == by_models.id) & (Answer.item_id == "s1.a")
        ).execute()
    assert rows(by_hand.id) == rows(by_models.id)
    raw = workspace.db.execute_sql(
        "SELECT a.value, b.value FROM answer a JOIN answer b ON a.item_id = b.item_id "
        "WHERE a.submission_id = ? AND b.submission_id = ?",
        (by_hand.id, by_models.id),
    ).fetchall()
    assert raw == [('"changed"', '"changed"')], "the same text in the file, not only the same values read back"


def test_the_return_is_read_with_what_a_save_needs(workspace: Workspace, two_drafts: tuple[Submission, ...]) -> None:
    sub = two_drafts[0]
    with workspace.bound():
        key = answer_writes.submission(sub.id)
        assert answer_writes.submission("no-such-return") is None
        assert answer_writes.answers(sub.id, []) == {}
    assert key is not None
    assert (key.id, key.form_id, key.form_version, key.version, key.locked) == (
        sub.id,
        "section11",
        sub.form_version,
        1,
        False,
    )

"""The Business Unit's review: status and notes, moderation stored apart from the signed return, the cycle."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from peewee import IntegrityError

from oscb_desktop import demo
from oscb_desktop.services import imports, registry, review
from oscb_desktop.services.workspace import Workspace, partnership
from oscb_desktop.store.models import Moderation, ReceivedReturn


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("agencies")
    with Workspace.open(folder / "ws") as ws:
        ws.bind()
        demo.generate(ws, agencies=3, sign_all=True)
        demo.export_signed(ws, folder / "bundles")
    return folder / "bundles"


@pytest.fixture
def bu(tmp_path: Path, bundles: Path) -> Workspace:
    ws = Workspace.open(tmp_path / "bu")
    ws.bind()
    results = imports.import_paths(ws, [bundles], trust_new=True)
    assert {r.outcome for r in results} == {"imported"}
    yield ws
    ws.close()


def test_moderation_is_stored_apart_and_the_signed_return_never_changes(bu: Workspace) -> None:
    row = review.list_received(bu, period="2026/27")[0]
    answers_before = dict(row.answers)
    review.set_moderation(bu, row.agency_id, row.form_id, row.period, "s1", level="amber", note="Evidence thin.")
    review.set_moderation(bu, row.agency_id, row.form_id, row.period, "", level=None, note="Challenge event 3 March.")
    mods = review.moderation_for(bu, row.agency_id, row.form_id, row.period)
    assert mods["s1"].level == "amber" and mods["s1"].note == "Evidence thin."
    assert mods[""].level is None and mods[""].note.startswith("Challenge event")
    assert ReceivedReturn.get_by_id(row.id).answers == answers_before
    with pytest.raises(IntegrityError):
        ReceivedReturn.update(answers={}).where(ReceivedReturn.id == row.id).execute()
    with pytest.raises(IntegrityError):
        ReceivedReturn.delete().where(ReceivedReturn.id == row.id).execute()
    # Clearing both level and note removes the entry.
    review.set_moderation(bu, row.agency_id, row.form_id, row.period, "s1", level=None, note="")
    assert "s1" not in review.moderation_for(bu, row.agency_id, row.form_id, row.period)
    assert Moderation.select().count() == 1


def test_review_status_with_notes(bu: Workspace) -> None:
    row = review.list_received(bu)[0]
    updated = review.set_status(bu, row.id, "has_issues", "Standard 4 needs evidence.")
    assert (updated.review_status, updated.review_notes, updated.reviewed_by) == (
        "has_issues",
        "Standard 4 needs evidence.",
        bu.user,
    )
    with pytest.raises(review.ReviewError):
        review.set_status(bu, row.id, "lost")
    assert review.set_status(bu, row.id, "accepted").review_notes == "Standard 4 needs evidence."


def test_cycle_lists_every_registered_agency_with_its_state(bu: Workspace) -> None:
    rows = review.cycle(bu, "2026/27", today=date(2027, 5, 1))
    members = len(partnership().agencies)
    assert len(rows) == members * 2, "every partnership member, for both forms"
    received = [r for r in rows if r.status != "not_received"]
    assert len(received) == 6 and all(r.version == 1 and r.latest_import for r in received)
    missing = [r for r in rows if r.status == "not_received"]
    assert all(r.overdue for r in missing), "after the deadline, a missing return is overdue"
    assert all(not r.overdue for r in received)
    assert review.cycle(bu, "2026/27", today=date(2027, 1, 1))[-1].overdue is False


def test_collation_input_has_the_newest_versions_and_moderation(bu: Workspace) -> None:
    row = review.list_received(bu, period="2026/27")[0]
    review.set_moderation(bu, row.agency_id, row.form_id, row.period, "s2", level="green")
    inp = review.collation_input(bu, "2026/27")
    assert len(inp.returns) == 9 and len(inp.agencies) == len(registry.list_agencies(bu))
    rec = next(r for r in inp.returns if r.submission_id == row.submission_id)
    assert rec.moderated == {"s2": "green"} and rec.answers == row.answers

"""Several officers reviewing the same returns, on each engine: a save made from a stale screen is refused with
who changed it and when (optimistic versioning on the review row and on each moderation entry), and every change
names the officer who made it."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from oscb_desktop.services import imports, registry, review
from oscb_desktop.services.review import ReviewChangedError
from oscb_desktop.services.values import ReceivedInfo
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.store.models import Moderation, ReceivedReturn


@pytest.fixture
def second(bu: Workspace, tmp_path: Path) -> Iterator[Workspace]:
    """Another officer on the same workspace: the same server database from their own computer (folder), or, on
    SQLite, the same workspace folder (one computer, one process sharing the lock)."""
    if bu.engine == "postgresql":
        ws = Workspace.open(tmp_path / "officer-2", forms=bu.forms, database=bu.db.url)  # type: ignore[union-attr]
    else:
        ws = Workspace.open(bu.folder, forms=bu.forms)
    ws.set_setting("user_name", "Olu Officer")
    bu.set_setting("user_name", "Bea Unit")  # on a server each officer keeps their own name
    bu.bind()
    if bu.engine == "postgresql":
        assert (bu.user.split(" (")[0], ws.user.split(" (")[0]) == ("Bea Unit", "Olu Officer")
    yield ws
    ws.close()


@pytest.fixture
def received(bu: Workspace, bundles: list[Path]) -> ReceivedInfo:
    results = imports.import_paths(bu, bundles, trust_new=True)
    assert {r.outcome for r in results} == {"imported"}
    return next(r for r in review.list_received(bu, period="2026/27") if r.form_id == "section11")


def test_a_review_saved_from_a_stale_screen_is_refused_naming_who_changed_it(
    bu: Workspace, second: Workspace, received: ReceivedInfo
) -> None:
    mine = review.received(bu, received.id)  # both officers open the same return
    theirs = review.received(second, received.id)
    saved = review.set_status(second, received.id, "has_issues", "Standard 3 thin.", seen=theirs)
    assert saved.reviewed_by == second.user
    with pytest.raises(ReviewChangedError) as refused:
        review.set_status(bu, received.id, "accepted", "All fine.", seen=mine)
    assert str(refused.value).startswith(f"{second.user} changed the review of this return on ")
    assert "Reload to see their change" in str(refused.value)
    assert (refused.value.by, refused.value.at) == (second.user, saved.reviewed_at)
    with bu.bound():
        row = ReceivedReturn.get_by_id(received.id)
    assert (row.review_status, row.review_notes) == ("has_issues", "Standard 3 thin."), "their save is kept"
    # Reloaded, the save goes through, and names the officer who made it.
    again = review.set_status(bu, received.id, "accepted", "Checked again.", seen=review.received(bu, received.id))
    assert again.review_status == "accepted" and again.reviewed_by == bu.user
    logged = [e for e in registry.log_entries(bu) if e["action"] == "review"]
    assert [e["user"] for e in logged[:2]] == [bu.user, second.user]


def test_moderation_from_a_stale_screen_is_refused_create_change_or_clear(
    bu: Workspace, second: Workspace, received: ReceivedInfo
) -> None:
    key = (received.agency_id, received.form_id, received.period)
    mine = review.moderation_for(bu, *key).get("s1")
    assert mine is None
    first = review.set_moderation(second, *key, "s1", level="amber", note="Thin.", seen=None)
    assert first is not None and first.updated_by == second.user
    with pytest.raises(ReviewChangedError, match=rf"^{re.escape(second.user)} changed the moderation of s1"):
        review.set_moderation(bu, *key, "s1", level="green", note="Fine.", seen=mine)  # it saw none
    seen = review.moderation_for(bu, *key)["s1"]
    changed = review.set_moderation(second, *key, "s1", level="red", note="Worse.", seen=first)
    assert changed is not None
    for level, note in (("green", "Fine."), (None, "")):  # changing, or clearing, from the stale entry
        with pytest.raises(ReviewChangedError, match=re.escape(second.user)):
            review.set_moderation(bu, *key, "s1", level=level, note=note, seen=seen)
    with bu.bound():
        row = Moderation.get((Moderation.agency == received.agency_id) & (Moderation.target == "s1"))
    assert (row.level, row.note) == ("red", "Worse.")
    assert review.set_moderation(bu, *key, "s1", level=None, note="", seen=changed) is None  # up to date: cleared


def test_two_officers_saving_the_same_review_at_once_one_wins_the_other_is_told(
    bu: Workspace, second: Workspace, received: ReceivedInfo
) -> None:
    """Both read the return, then both save at the same moment (threads, each with its own connection)."""
    seen = review.received(bu, received.id)
    barrier = threading.Barrier(2)
    outcome: dict[str, str] = {}

    def save(ws: Workspace, name: str, status: str) -> None:
        barrier.wait()
        try:
            review.set_status(ws, received.id, status, f"by {name}", seen=seen)
            outcome[name] = "saved"
        except ReviewChangedError as exc:
            outcome[name] = str(exc)
        finally:
            ws.db.close()

    threads = [
        threading.Thread(target=save, args=(bu, "Bea", "accepted")),
        threading.Thread(target=save, args=(second, "Olu", "has_issues")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(v == "saved" for v in outcome.values()) == [False, True], outcome
    winner = next(k for k, v in outcome.items() if v == "saved")
    loser_message = next(v for v in outcome.values() if v != "saved")
    assert (bu.user if winner == "Bea" else second.user) in loser_message
    with bu.bound():
        assert ReceivedReturn.get_by_id(received.id).review_notes == f"by {winner}"

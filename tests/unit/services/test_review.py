"""The Business Unit's review: status and notes, moderation stored apart from the signed return, the cycle."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
import yaml
from helpers.bundle_kit import AGENCY_A, AGENCY_B, payload
from helpers.engines import open_bu
from peewee import IntegrityError

from oscb_desktop import demo
from oscb_desktop.bundle import Signatory, SubmissionRef
from oscb_desktop.collate import collate
from oscb_desktop.forms import FormDefinition, FormRegistry
from oscb_desktop.forms.loader import load_data
from oscb_desktop.services import imports, registry, review
from oscb_desktop.services.workspace import Workspace, partnership
from oscb_desktop.signing import UnlockedKey
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
def bu(request: pytest.FixtureRequest, engine: str, tmp_path: Path, bundles: Path) -> Workspace:
    ws = open_bu(request, engine, tmp_path / "bu")
    ws.bind()
    results = imports.import_paths(ws, [bundles], trust_new=True)
    assert {r.outcome for r in results} == {"imported"}
    yield ws
    ws.close()


def test_moderation_is_stored_apart_and_the_signed_return_never_changes(bu: Workspace) -> None:
    row = next(r for r in review.list_received(bu, period="2026/27") if r.form_id == "section11")
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
    row = next(r for r in review.list_received(bu, period="2026/27") if r.form_id == "section11")
    review.set_moderation(bu, row.agency_id, row.form_id, row.period, "s2", level="green")
    inp = review.collation_input(bu, "2026/27")
    assert len(inp.returns) == 9 and len(inp.agencies) == len(registry.list_agencies(bu))
    rec = next(r for r in inp.returns if r.submission_id == row.submission_id)
    assert rec.moderated == {"s2": "green"} and rec.answers == row.answers


# --- The Cycle tab and the board report agree ------------------------------------------------------


def _section11_2026_2(shipped: FormRegistry) -> FormDefinition:
    """A second Section 11 form version for 2026/27, due two months earlier than 2026.1."""
    source = shipped.get("section11", "2026.1").source
    data = yaml.safe_load(Path(source).read_text(encoding="utf-8"))
    data.update(version="2026.2", deadline="2027-01-31")
    return load_data(data, f"{source} as 2026.2")


def _bundle(
    folder: Path,
    build: Callable[..., bytes],
    key: UnlockedKey,
    agency: str,
    form_version: str,
    sid: str,
    signed_at: str,
) -> Path:
    sub = dataclasses.replace(
        payload(agency=agency, form=("section11", form_version)), submission=SubmissionRef(sid, version=1)
    )
    path = folder / f"{sid}.oscb"
    path.write_bytes(build(submission=sub, key=key, signed_at=signed_at, signatory=Signatory("Sign", "Off")))
    return path


def test_the_cycle_and_the_board_report_agree_on_lateness_and_on_which_version_counts(
    tmp_path: Path,
    shipped_forms: FormRegistry,
    build: Callable[..., bytes],
    key_a: UnlockedKey,
    key_b: UnlockedKey,
) -> None:
    """Two cases where the Cycle tab used to differ from the report, which now share one rule
    (:mod:`oscb_desktop.collate.records`).

    * Lateness: agency A signed on 14 February on form version 2026.1, due 31 March. The Cycle held it to the
      newest version's deadline (2026.2, due 31 January) and showed it overdue; the report held it to its own.
    * Which version counts: agency B has two version-1 returns, on form 2026.1 (signed in time) and on 2026.2
      (signed late). The importer refuses a second version 1 from a registered agency today, but the rule must
      not depend on the order rows come back in: the Cycle took the first, the report the newer form version.
    """
    newer = _section11_2026_2(shipped_forms)
    forms = FormRegistry(forms={**shipped_forms.forms, newer.key: newer})
    a = _bundle(tmp_path, build, key_a, AGENCY_A, "2026.1", "a-2026-1", "2027-02-14T10:30:00.000Z")
    b = _bundle(
        tmp_path,
        build,  # its PDF signed by B's key, carrying B's answers
        key_b,
        AGENCY_B,
        "2026.1",
        "b-2026-1",
        "2027-01-15T10:30:00.000Z",
    )
    with Workspace.open(tmp_path / "bu", forms=forms) as ws:
        ws.bind()
        assert {r.outcome for r in imports.import_paths(ws, [a, b], trust_new=True)} == {"imported"}
        first = ReceivedReturn.get(ReceivedReturn.submission_id == "b-2026-1")
        copy = {f.name: getattr(first, f.name) for f in ReceivedReturn._meta.sorted_fields if f.name != "id"}
        copy.update(submission_id="b-2026-2", form_version="2026.2", signed_at="2027-02-14T10:30:00.000Z")
        ReceivedReturn.create(**copy)

        rows = {(r.agency, r.form_id): r for r in review.cycle(ws, "2026/27", today=date(2027, 5, 1))}
        report = collate(review.collation_input(ws, "2026/27"), as_of=date(2027, 5, 1))
        counted = {r.agency: r for r in report.returns}
        assert set(counted) == {AGENCY_A, AGENCY_B}
        for agency, r in counted.items():
            row = rows[(agency, r.form_id)]
            assert row.received_id is not None, agency
            assert review.received(ws, row.received_id).submission_id == r.submission_id, agency
            assert row.overdue == (r.on_time is False), agency
        assert counted[AGENCY_A].on_time is True and not rows[(AGENCY_A, "section11")].overdue
        assert counted[AGENCY_B].submission_id == "b-2026-2" and counted[AGENCY_B].on_time is False
        assert rows[(AGENCY_B, "section11")].overdue
        assert report.headline.form("section11").late == (AGENCY_B,)  # type: ignore[union-attr]


def test_statement_moderation_is_stored_audited_and_listed(bu: Workspace) -> None:
    row = next(r for r in review.list_received(bu, period="2026/27") if r.form_id == "section11")
    statements = review.statements(bu, row.id)
    assert statements and all(s.code.startswith("S") and s.scale.levels for s in statements)
    assert [s.item_id for s in statements] == [
        i.id for i in bu.forms.get(row.form_id, row.form_version).items() if i.type == "rating"
    ]
    first = statements[0]
    review.set_moderation(bu, row.agency_id, row.form_id, row.period, first.item_id, level="red", note="No audit.")
    mods = review.moderation_for(bu, row.agency_id, row.form_id, row.period)
    assert (mods[first.item_id].level, mods[first.item_id].note) == ("red", "No audit.")
    entry = registry.log_entries(bu, limit=1)[0]
    assert entry["action"] == "moderate" and entry["detail"]["target"] == first.item_id
    assert entry["detail"]["level"] == "red" and entry["user"] == bu.user
    rec = next(r for r in review.collation_input(bu, "2026/27").returns if r.submission_id == row.submission_id)
    assert rec.moderated[first.item_id] == "red"


def test_moderation_is_refused_on_anything_but_a_received_return(bu: Workspace) -> None:
    row = next(r for r in review.list_received(bu, period="2026/27") if r.form_id == "section11")
    item = review.statements(bu, row.id)[0].item_id
    before = Moderation.select().count(), len(registry.log_entries(bu))

    def refused(agency_id: int, form_id: str, period: str, target: str, level: str | None, words: str) -> None:
        with pytest.raises(review.ReviewError, match=words):
            review.set_moderation(bu, agency_id, form_id, period, target, level=level, note="x")

    refused(row.agency_id, row.form_id, "2019/20", item, "red", "only a received return")
    refused(row.agency_id, "no-such-form", row.period, item, "red", "only a received return")
    senders = {r.agency_id for r in review.list_received(bu, period=row.period) if r.form_id == row.form_id}
    other = next(a for a in registry.list_agencies(bu) if a.id not in senders)
    refused(other.id, row.form_id, row.period, item, "red", "only a received return")
    refused(row.agency_id, row.form_id, row.period, "not-an-item", None, "not a section or an item")
    text_item = next(i.id for i in bu.forms.get(row.form_id, row.form_version).items() if i.type != "rating")
    refused(row.agency_id, row.form_id, row.period, text_item, "red", "not a standard or a rated statement")
    refused(row.agency_id, row.form_id, row.period, item, "purple", "not a level of the scale")
    refused(row.agency_id, row.form_id, row.period, "", "red", "takes a note, not a rating")
    with pytest.raises(review.ReviewError, match="not in this workspace"):
        review.statements(bu, 10_000)
    assert (Moderation.select().count(), len(registry.log_entries(bu))) == before

"""Partnerships end to end on real workspaces, keys and files: a Business Unit sets its partnership up and
publishes its pack; an agency joins it (and a second one), starts a return on a form the app does not ship,
answers once for both, signs and exports; each Business Unit imports its own return and refuses the other's.
Every refusal of a pack changes nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from helpers.bundle_kit import make_zip, members_of, rebuild
from helpers.partnership_kit import (
    AGENCY,
    PASSPHRASE,
    SHIPPED_S11,
    agency_id,
    bu_key,
    fingerprint,
    next_year_form,
    publish,
    sign_and_export,
    tables,
)
from test_returns import complete_answers

from oscb_desktop.bundle.model import parse_json
from oscb_desktop.forms import FormRegistry
from oscb_desktop.packs import build_pack, check_pack
from oscb_desktop.services import imports, partnership_admin, partnerships, returns
from oscb_desktop.services.partnership_admin import PartnershipAdminError
from oscb_desktop.services.partnerships import JoinOutcome, PackRefusedError
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.signing import create_identity, unlock


def test_publish_join_and_a_return_on_a_form_the_app_does_not_ship(
    bu_a: Workspace, bu_b: Workspace, pack_a: Path, agency_ws: Workspace, tmp_path: Path
) -> None:
    ws = agency_ws
    assert ("section11", "2027.1") not in ws.forms.forms
    with pytest.raises(PackRefusedError) as refused:
        partnerships.join(ws, pack_a)  # nothing trusted silently
    assert refused.value.code == "untrusted_signer" and "fingerprint" in refused.value.reason
    wrong = "00" * 32
    with pytest.raises(PackRefusedError):
        partnerships.join(ws, pack_a, trust=wrong)
    assert partnerships.list_partnerships(ws) == []

    typed = " ".join(fingerprint(bu_a)[i : i + 4].upper() for i in range(0, 64, 4))  # as the partnership prints it
    joined = partnerships.join(ws, pack_a, trust=typed)
    assert joined.outcome is JoinOutcome.JOINED
    info = joined.partnership
    assert (info.name, info.short_name, info.pack_version) == (
        "Buckinghamshire Safeguarding Children Partnership", "BSCP", 1,
    )  # fmt: skip
    assert info.contact_name == "Jo Bloggs" and (AGENCY, "health") in info.members
    assert ws.profile.name == info.name  # documents name the joined partnership
    form = ws.forms.get("section11", "2027.1")  # available at once, without reinstalling
    assert form.deadline == date(2028, 4, 30), "the partnership's deadline, not the file's"
    assert ("section11", "2026.1") in ws.forms.forms, "shipped forms remain"
    again = partnerships.join(ws, pack_a)
    assert again.outcome is JoinOutcome.UNCHANGED

    sub = returns.start_return(ws, agency_id(ws), "section11", "2027/28", partnership_id=info.id)
    assert (sub.form_version, sub.partnership_id) == ("2027.1", info.id)
    returns.save_answers(ws, sub.id, complete_answers(form))
    bundle = sign_and_export(ws, sub.id, tmp_path / "a.oscb", encrypt=False)  # plain: the partnership is checked
    members = members_of(bundle.read_bytes())
    named = {"id": info.id, "name": "Buckinghamshire Safeguarding Children Partnership"}
    assert parse_json(members["manifest.json"])["partnership"] == named
    assert parse_json(members["submission.json"])["partnership"] == named

    [other] = imports.import_paths(bu_b, [bundle], trust_new=True)
    assert (other.outcome, other.code) == ("rejected", "other_partnership")
    assert "Buckinghamshire Safeguarding Children Partnership" in other.reason
    assert imports.signer_is_unknown(bu_b, imports.check_file(bundle, bu_b.forms)) is False, "no trust question"
    [mine] = imports.import_paths(bu_a, [bundle], trust_new=True)
    assert (mine.outcome, mine.form_version) == ("imported", "2027.1")

    with pytest.raises(PartnershipAdminError, match="cannot be removed"):
        partnership_admin.remove_form(bu_a, "section11", "2027.1")


def test_answer_once_for_two_partnerships(
    bu_a: Workspace, bu_b: Workspace, pack_a: Path, agency_ws: Workspace, tmp_path: Path
) -> None:
    ws = agency_ws
    pack_b = publish(bu_b, tmp_path / "mkscp.oscbpack")
    a = partnerships.join(ws, pack_a, trust=fingerprint(bu_a)).partnership
    b = partnerships.join(ws, pack_b, trust=fingerprint(bu_b)).partnership
    assert [p.short_name for p in partnerships.list_partnerships(ws)] == ["BSCP", "MKSCP"]

    first = returns.start_return(ws, agency_id(ws), "section11", "2026/27", partnership_id=b.id)
    form = returns.form_of(ws, first)
    answers = complete_answers(form)
    returns.save_answers(ws, first.id, answers)
    [source] = returns.copy_sources(ws, agency_id(ws), form, a.id)
    assert source.id == first.id
    assert returns.copy_sources(ws, agency_id(ws), form, b.id) == [], "not offered its own return"

    second = returns.start_return(ws, agency_id(ws), "section11", "2026/27", partnership_id=a.id, copy_from=first.id)
    assert second.copied_from == "MKSCP" and second.carried_from_id == first.id
    assert returns.carried_origin(second) == "Copied from your MKSCP return"
    assert any(
        p.message.startswith("Copied from your MKSCP return: review it") for p in returns.problems(ws, second.id)
    )
    copied = returns.load_answers(ws, second.id)
    assert copied == returns.load_answers(ws, first.id)
    assert returns.carried_items(ws, second.id) >= set(answers), "each marked for review, like carry-forward"
    with pytest.raises(returns.ReturnError, match="already has"):
        returns.start_return(ws, agency_id(ws), "section11", "2026/27", partnership_id=a.id)

    returns.confirm_carried(ws, second.id, returns.carried_items(ws, second.id))  # reviewed
    bundle_b = sign_and_export(ws, first.id, tmp_path / "b.oscb")
    bundle_a = sign_and_export(ws, second.id, tmp_path / "a.oscb")
    assert (bundle_a.name, bundle_b.name) == ("a.oscb.p7m", "b.oscb.p7m"), "each encrypted for its own Business Unit"
    assert [r.outcome for r in imports.import_paths(bu_a, [bundle_a, bundle_b], trust_new=True, key=bu_key(bu_a))] == [
        "imported", "rejected",
    ]  # fmt: skip
    assert [r.code for r in imports.import_paths(bu_b, [bundle_a, bundle_b], trust_new=True, key=bu_key(bu_b))] == [
        "encrypted_for_another", "ok",
    ]  # fmt: skip


def test_same_as_maps_renamed_items(tmp_path: Path, shipped_forms: FormRegistry) -> None:
    text = SHIPPED_S11.read_text(encoding="utf-8").replace("id: section11", "id: mk_section11", 1)
    text = text.replace(
        "format: 1\n", "format: 1\nsame_as:\n  - form: section11\n    items: {about.services: about.services}\n", 1
    )
    path = tmp_path / "mk.yaml"
    path.write_text(text, encoding="utf-8")
    from oscb_desktop.forms import load_file

    form = load_file(path)
    mapping = form.copies_from("section11")
    assert mapping is not None and mapping["s1.1"] == "s1.1"
    assert form.copies_from("impact") is None
    bad = path.with_name("bad.yaml")
    bad.write_text(text.replace("{about.services: about.services}", "{no.such: s1.1}"), encoding="utf-8")
    from oscb_desktop.forms import FormDefinitionError

    with pytest.raises(FormDefinitionError, match="same_as"):
        load_file(bad)


# Refusals ---------------------------------------------------------------------------------------------


@pytest.fixture
def joined(agency_ws: Workspace, bu_a: Workspace, pack_a: Path) -> Workspace:
    partnerships.join(agency_ws, pack_a, trust=fingerprint(bu_a))
    return agency_ws


def refused(ws: Workspace, pack: bytes | Path, code: str) -> str:
    before = tables(ws)
    with pytest.raises(PackRefusedError) as caught:
        partnerships.join(ws, pack, trust=lambda _found: True)
    assert caught.value.code == code, caught.value.reason
    assert tables(ws) == before, "a refused pack changes nothing"
    return caught.value.reason


def test_tampered_foreign_older_and_conflicting_packs_are_refused(
    joined: Workspace, bu_a: Workspace, pack_a: Path, tmp_path: Path
) -> None:
    data = pack_a.read_bytes()
    profile = members_of(data)["partnership.json"].replace(b"Jo Bloggs", b"Mallory")
    refused(joined, rebuild(data, replace={"partnership.json": profile}), "hash_mismatch")

    # Another key claiming to be the partnership: a pack made with it, as a forger would.
    check = check_pack(data)
    assert check.profile is not None
    forged_key = unlock(create_identity("Mallory", "Business Unit", "BSCP", None, PASSPHRASE), PASSPHRASE)
    sources = {(f.entry.id, f.entry.version): f.source.encode() for f in check.forms}
    forged = build_pack(check.profile, sources, forged_key, pack_version=9)
    assert "not signed by the Business Unit key you trusted" in refused(joined, forged, "untrusted_signer")

    v2 = publish(bu_a, tmp_path / "v2.oscbpack")
    assert partnerships.join(joined, v2).outcome is JoinOutcome.UPDATED
    assert "newer" in refused(joined, pack_a, "older_pack")

    # The same version again, with other content, signed by the right key.
    real_key = partnership_admin.unlock(partnership_admin.current_identity(bu_a), PASSPHRASE)
    other = build_pack(
        check.profile.__class__(**{**check.profile.__dict__, "short_name": "BSCP2"}), sources, real_key, pack_version=2
    )
    refused(joined, other, "pack_conflict")


def test_hostile_zips_are_refused(joined: Workspace, pack_a: Path) -> None:
    members = members_of(pack_a.read_bytes())
    refused(joined, make_zip({**members, "../evil.yaml": b"x"}), "unsafe_path")
    refused(joined, b"not a zip at all", "not_zip")
    refused(joined, pack_a.read_bytes()[:-200], "not_zip")
    refused(joined, make_zip({k: v for k, v in members.items() if k != "manifest.sig"}), "missing_member")


def test_a_form_that_clashes_with_an_installed_one_is_refused(joined: Workspace, bu_a: Workspace, pack_a: Path) -> None:
    pack = check_pack(pack_a.read_bytes())
    assert pack.profile is not None
    shipped = SHIPPED_S11.read_text(encoding="utf-8")
    changed = shipped.replace("title: Section 11 self-assessment", "title: Section 11 (changed)", 1)
    sources = {(f.entry.id, f.entry.version): f.source.encode() for f in pack.forms}
    sources[("section11", "2026.1")] = changed.encode()
    key = partnership_admin.unlock(partnership_admin.current_identity(bu_a), PASSPHRASE)
    clash = build_pack(pack.profile, sources, key, pack_version=5)
    assert "new version" in refused(joined, clash, "form_conflict")


def test_key_rotation(joined: Workspace, bu_a: Workspace, tmp_path: Path) -> None:
    old = fingerprint(bu_a)
    rotated = partnership_admin.rotate_key(bu_a, tmp_path / "r.oscbpack", passphrase=PASSPHRASE,
                                           new_passphrase="a brand new passphrase")  # fmt: skip
    assert rotated.fingerprint == old and fingerprint(bu_a) != old
    info = partnerships.join(joined, rotated.path).partnership
    assert (info.signer_fingerprint, info.successor_fingerprint) == (old, fingerprint(bu_a))
    later = partnership_admin.publish(bu_a, tmp_path / "new.oscbpack", passphrase="a brand new passphrase")
    info = partnerships.join(joined, later.path).partnership
    assert (info.signer_fingerprint, info.successor_fingerprint, info.pack_version) == (fingerprint(bu_a), None, 3)


# The Business Unit's side ---------------------------------------------------------------------------


def test_setting_up_and_changing_the_partnership(bu_a: Workspace, tmp_path: Path) -> None:
    info = partnerships.own(bu_a)
    assert info is not None and info.own and info.signer_fingerprint == fingerprint(bu_a)
    assert {(f.form_id, f.version) for f in info.forms} == {("section11", "2026.1"), ("impact", "2026.1"),
                                                           ("practitioner_survey", "2026.1"),
                                                           ("section11", "2027.1")}  # fmt: skip
    with pytest.raises(PartnershipAdminError, match="already the Business Unit"):
        partnership_admin.init(bu_a, name="Another", short_name="X", passphrase=PASSPHRASE)
    with pytest.raises(PartnershipAdminError, match="not for 2028/29"):
        partnership_admin.add_form(bu_a, next_year_form(tmp_path), period="2028/29")
    broken = tmp_path / "broken.yaml"
    broken.write_text("format: 1\nid: section11\n", encoding="utf-8")
    with pytest.raises(PartnershipAdminError, match="not added"):
        partnership_admin.add_form(bu_a, broken)
    updated = partnership_admin.update_profile(bu_a, contact_phone="01234 567890", short_name="BSCP ")
    assert updated.contact == "Jo Bloggs, jo.bloggs@bscp.example, 01234 567890"
    partnership_admin.remove_form(bu_a, "impact", "2026.1")  # nothing started on it
    assert ("impact", "2026.1") not in {(f.form_id, f.version) for f in partnerships.own(bu_a).forms}  # type: ignore[union-attr]
    with pytest.raises(Exception, match=r"[Pp]assphrase"):
        partnership_admin.publish(bu_a, tmp_path / "x.oscbpack", passphrase="wrong one entirely")
    assert not (tmp_path / "x.oscbpack").exists() and partnerships.own(bu_a).pack_version == 0  # type: ignore[union-attr]


def test_a_deadline_is_changed_without_the_form_file(bu_a: Workspace, pack_a: Path, agency_ws: Workspace) -> None:
    partnership_admin.set_deadline(bu_a, "section11", "2027.1", date(2028, 5, 15))
    [form] = [f for f in partnerships.own(bu_a).forms if (f.form_id, f.version) == ("section11", "2027.1")]  # type: ignore[union-attr]
    assert form.deadline == date(2028, 5, 15) and form.period == "2027/28"
    partnership_admin.set_deadline(bu_a, "section11", "2027.1", None)
    [form] = [f for f in partnerships.own(bu_a).forms if (f.form_id, f.version) == ("section11", "2027.1")]  # type: ignore[union-attr]
    assert form.deadline is None
    with pytest.raises(PartnershipAdminError, match=r"does not use the form section11 1999\.1"):
        partnership_admin.set_deadline(bu_a, "section11", "1999.1", date(2028, 5, 15))
    with pytest.raises(PartnershipAdminError, match="not a partnership's Business Unit"):
        partnership_admin.set_deadline(agency_ws, "section11", "2027.1", date(2028, 5, 15))


def test_a_members_file(tmp_path: Path) -> None:
    path = tmp_path / "members.yaml"
    path.write_text(
        "- {name: Thames Valley Police, sector: police}\n- {name: '  Bucks   Council ', sector: local_authority}\n"
    )
    assert partnership_admin.read_members_file(path) == (
        None, [("Thames Valley Police", "police"), ("Bucks Council", "local_authority")],
    )  # fmt: skip
    path.write_text("sectors: [{id: police, label: Police}]\nagencies: [{name: TVP, sector: police}]\n")
    assert partnership_admin.read_members_file(path) == ([("police", "Police")], [("TVP", "police")])
    path.write_text("just text")
    with pytest.raises(PartnershipAdminError, match="name, sector"):
        partnership_admin.read_members_file(path)

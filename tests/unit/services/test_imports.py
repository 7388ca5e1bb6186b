"""The Business Unit's import: real bundles exported by agency workspaces, the register as trust policy,
duplicates, conflicts, replays, supersession, and hostile files that must leave the workspace untouched."""

from __future__ import annotations

import json
import shutil
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.bundle_kit import flip_byte, make_zip, members_of, rebuild
from helpers.workspace_state import snapshot

from oscb_desktop import demo
from oscb_desktop.bundle import VerifyResult, canonical_json, limits, normalise_agency_name
from oscb_desktop.cli import main
from oscb_desktop.forms import FormRegistry
from oscb_desktop.fsutil import safe_stem
from oscb_desktop.services import identities, imports, registry, returns, review, signoff
from oscb_desktop.services.imports import ImportRefusedError
from oscb_desktop.services.workspace import Workspace, login_name
from oscb_desktop.store.models import ReceivedReturn, TrustedCertificate


def yes(_res: VerifyResult, _path: Path) -> bool:
    return True


# --- trust ----------------------------------------------------------------------------------------


def test_unknown_signer_is_rejected_until_confirmed_then_trusted(bu: Workspace, bundles: list[Path]) -> None:
    imports.check_can_import(bu)
    before = snapshot(bu)
    [first] = imports.import_paths(bu, bundles[:1])
    assert (first.outcome, first.code) == ("rejected", "untrusted_signer")
    assert "fingerprint" in first.reason and first.signer_fingerprint
    assert snapshot(bu) == before, "a rejected bundle writes nothing"

    asked: list[tuple[str, str]] = []

    def confirm(res: VerifyResult, path: Path) -> bool:
        assert res.manifest is not None and res.signer_fingerprint
        asked.append((res.manifest.agency.name, res.signer_fingerprint))
        return True

    results = imports.import_paths(bu, bundles, trust_new=confirm)
    assert [r.outcome for r in results] == ["imported"] * len(bundles)
    assert len(asked) == 2, "asked once per agency; later bundles are trusted through the register"
    certs = list(TrustedCertificate.select())
    assert {c.fingerprint for c in certs} == {fp for _name, fp in asked}
    assert all(c.source == "import" and c.registered_by == f"Bea Unit ({login_name()})" for c in certs)
    assert ReceivedReturn.select().count() == len(bundles)


def test_a_declined_confirmation_rejects_and_writes_nothing(bu: Workspace, bundles: list[Path]) -> None:
    imports.check_can_import(bu)
    before = snapshot(bu)
    results = imports.import_paths(bu, bundles, trust_new=lambda _r, _p: False)
    assert {r.code for r in results} == {"untrusted_signer"}
    assert snapshot(bu) == before


def test_the_imported_message_names_the_form_by_its_title(
    bu: Workspace, bundles: list[Path], shipped_forms: FormRegistry
) -> None:
    results = imports.import_paths(bu, bundles, trust_new=True)
    assert {r.form_id for r in results} == {"section11", "impact"}
    for result in results:
        assert result.form_id and result.form_version
        title = shipped_forms.get(result.form_id, result.form_version).title
        assert result.reason == f"Imported: {result.agency}, {title} {result.period}, version {result.version}."
        assert "section11" not in result.reason, "the form's title, not its id"


def test_registered_pem_is_trusted_and_revoking_refuses_new_bundles(
    bu: Workspace, agency_side: Path, bundles: list[Path], tmp_path: Path
) -> None:
    with Workspace.open(agency_side / "ws") as agency_ws:
        agency_ws.bind()
        from oscb_desktop.store import Agency

        first = Agency.select().order_by(Agency.id).first()
        row = identities.current(agency_ws, first.id)
        pem = identities.save_certificate(row, tmp_path / "agency.pem")
        name = first.name
    bu.bind()
    imports.check_can_import(bu)
    cert = registry.register_pem(bu, pem)
    assert cert.agency_name == name and cert.source == "pem"
    mine = [b for b in bundles if b.name.startswith(signoff_stem(name))]
    assert mine
    results = imports.import_paths(bu, mine)
    assert {r.outcome for r in results} == {"imported"}

    registry.revoke(bu, cert.id)
    # Any bundle signed with it is now refused, even one already imported.
    before = snapshot(bu)
    again = imports.import_file(bu, mine[0], trust_new=True)
    assert (again.outcome, again.code) == ("rejected", "revoked_signer")
    assert snapshot(bu) == before
    with pytest.raises(registry.RegisterError, match="revoked"):
        registry.register_pem(bu, pem)


def test_a_run_keeps_the_register_it_read_but_sees_what_is_new_and_its_own_changes(
    bu: Workspace, agency_side: Path, bundles: list[Path], tmp_path: Path
) -> None:
    """An import of many bundles reads the register once a second, not several times per bundle: a certificate
    or agency it has not seen is looked for again at once; a revocation by another officer is seen within
    ``REGISTER_KEPT_FOR`` (here: after ``forget``, as the import does when it changes the register itself)."""
    imports.check_can_import(bu)
    [checked] = list(imports.check_files(bundles[:1], bu.forms))
    assert checked.signer is not None and checked.result.manifest is not None
    fingerprint, agency = checked.signer[0], checked.result.manifest.agency.name
    kept = registry.RegisterPolicy(bu, max_age=3600)
    assert imports.signer_is_unknown(bu, checked, kept)
    assert kept.find_agency("Riverside Youth Trust") is None
    registry.add_agency(bu, "Riverside Youth Trust")
    assert kept.find_agency("riverside  youth TRUST") is not None, "an agency not in what was read is looked for again"

    cert = registry.trust_certificate(
        bu, agency, registry.read_certificate(checked.result.signer_pem or b""), source="pem"
    )
    assert not imports.signer_is_unknown(bu, checked, kept), "a certificate not in what was read is looked for again"
    assert kept.find_agency(agency) is not None and kept(fingerprint, agency) == "trusted"

    registry.revoke(bu, cert.id)
    assert kept(fingerprint, agency) == "trusted", "kept for max_age"
    assert registry.RegisterPolicy(bu)(fingerprint, agency) == "revoked", "max_age 0: read on every question"
    kept.forget()
    assert kept(fingerprint, agency) == "revoked"

    result = imports.store(bu, checked, confirmed=True, register=registry.RegisterPolicy(bu, max_age=3600))
    assert (result.outcome, result.code) == ("rejected", "revoked_signer")


def signoff_stem(agency_name: str) -> str:
    return safe_stem(agency_name) + "_"


def test_the_register_and_the_verifier_compare_agency_names_by_one_rule() -> None:
    assert registry.normalise is normalise_agency_name


def test_an_agency_workspace_does_not_take_bundles(agency_side: Path, bundles: list[Path], tmp_path: Path) -> None:
    copy = tmp_path / "agency-copy"
    shutil.copytree(agency_side / "ws", copy)
    with Workspace.open(copy) as ws:
        ws.bind()
        with pytest.raises(ImportRefusedError, match="separate Business Unit workspace"):
            imports.import_paths(ws, bundles)
        assert ReceivedReturn.select().count() == 0


# --- duplicates, conflicts, versions ------------------------------------------------------------


def test_importing_again_or_a_re_export_is_a_duplicate(bu: Workspace, agency_side: Path, bundles: list[Path]) -> None:
    imports.import_paths(bu, bundles, trust_new=True)
    before = snapshot(bu)
    again = imports.import_paths(bu, bundles)
    assert {r.outcome for r in again} == {"duplicate"}
    assert all("Already imported" in r.reason for r in again)
    # The agency exports the same signed return once more: a new manifest, same content.
    with Workspace.open(agency_side / "ws") as ws:
        ws.bind()
        from oscb_desktop.store import Submission

        sub = Submission.select().where(Submission.status == "signed").first()
        fresh = agency_side / "re-export.oscb"
        signoff.export(ws, sub.id, fresh, passphrase=demo.DEMO_PASSPHRASE)
        stem = signoff.file_stem(sub)
    bu.bind()
    assert fresh.read_bytes() != next(b for b in bundles if b.name.startswith(stem)).read_bytes()
    [result] = imports.import_paths(bu, [fresh])
    assert result.outcome == "duplicate"
    assert snapshot(bu) == before


def _agency_with_identity(folder: Path) -> tuple[Workspace, str]:
    ws = Workspace.open(folder)
    ws.bind()
    demo.generate(ws, agencies=1)
    from oscb_desktop.store import Submission

    sub = Submission.select().where((Submission.status == "signed") & (Submission.form_id == "impact")).first()
    return ws, sub.id


def test_conflict_replay_and_supersession(bu: Workspace, tmp_path: Path) -> None:
    """Same id and version with other content: conflict. v2 supersedes v1; v1 after v2: replay refused."""
    agency_ws, sub_id = _agency_with_identity(tmp_path / "agency")
    v1 = tmp_path / "v1.oscb"
    signoff.export(agency_ws, sub_id, v1, passphrase=demo.DEMO_PASSPHRASE)
    agency_ws.close()
    shutil.copytree(tmp_path / "agency", tmp_path / "agency-copy")
    agency_ws = Workspace.open(tmp_path / "agency")
    agency_ws.bind()
    v2_row = signoff.reopen(agency_ws, sub_id)
    returns.save_answers(agency_ws, v2_row.id, {"impact.staff_trained": 4321})
    signoff.sign_off(
        agency_ws, v2_row.id, signatory_name="Ann Officer", signatory_role="Director", passphrase=demo.DEMO_PASSPHRASE
    )
    v2 = tmp_path / "v2.oscb"
    signoff.export(agency_ws, v2_row.id, v2, passphrase=demo.DEMO_PASSPHRASE)
    agency_ws.close()

    # A second, conflicting version 1 with the agency's own key: in a copy of its workspace the lock is
    # forced open (triggers dropped), an answer changed and the return signed again under the same id.
    copy_ws = Workspace.open(tmp_path / "agency-copy")
    copy_ws.bind()
    copy_ws.db.execute_sql("DROP TRIGGER submission_locked_update")
    copy_ws.db.execute_sql("DROP TRIGGER answer_locked_update")
    copy_ws.db.execute_sql("UPDATE submission SET status = 'draft', signed_pdf_sha256 = NULL WHERE id = ?", (sub_id,))
    returns.save_answers(copy_ws, sub_id, {"impact.staff_trained": 1234})
    signoff.sign_off(
        copy_ws, sub_id, signatory_name="Ann Officer", signatory_role="Director", passphrase=demo.DEMO_PASSPHRASE
    )
    other_v1 = tmp_path / "other-v1.oscb"
    signoff.export(copy_ws, sub_id, other_v1, passphrase=demo.DEMO_PASSPHRASE)
    copy_ws.close()

    bu.bind()
    [r1] = imports.import_paths(bu, [v1], trust_new=True)
    assert r1.outcome == "imported"
    before = snapshot(bu)
    [conflict] = imports.import_paths(bu, [other_v1])
    assert (conflict.outcome, conflict.code) == ("rejected", "conflict")
    assert snapshot(bu) == before

    [r2] = imports.import_paths(bu, [v2])
    assert r2.outcome == "imported" and r2.version == 2
    rows = {r.version: r for r in ReceivedReturn.select()}
    assert rows[1].superseded and not rows[2].superseded
    assert rows[2].supersedes_id == sub_id
    assert [r.version for r in review.list_received(bu)] == [2], "the newest version counts"
    assert [r.version for r in review.history(bu, rows[2].agency_id, "impact", rows[2].period)] == [2, 1]

    # A fresh Business Unit gets v2 first; v1 arriving later is a replay of an older version.
    fresh = Workspace.open(tmp_path / "bu2")
    fresh.bind()
    try:
        imports.import_paths(fresh, [v2], trust_new=True)
        before = snapshot(fresh)
        [replay] = imports.import_paths(fresh, [v1])
        assert (replay.outcome, replay.code) == ("rejected", "older_version")
        assert snapshot(fresh) == before
    finally:
        fresh.close()


# --- hostile files ----------------------------------------------------------------------------------


def _raw_zip(name: str, raw: bytes, size: int, crc: int) -> bytes:
    encoded = name.encode()
    local = struct.pack("<4s2B4HL2L2H", b"PK\x03\x04", 20, 0, 0, 8, 0, 0x21, crc, len(raw), size, len(encoded), 0)
    central = struct.pack(
        "<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 3, 20, 0, 0, 8, 0, 0x21, crc, len(raw), size, len(encoded),
        0, 0, 0, 0, 0o100644 << 16, 0,
    )  # fmt: skip
    body = local + encoded + raw
    directory = central + encoded
    return body + directory + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(directory), len(body), 0)


def _bomb() -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = b"".join(c.compress(b"\0" * 1048576) for _ in range(50)) + c.flush()
    return _raw_zip("submission.pdf", body, 50 * 1048576, 0)


def hostile_files(good: bytes) -> dict[str, tuple[bytes, str]]:
    members = members_of(good)
    manifest = json.loads(members["manifest.json"])
    wrong_shape = dict(manifest, members="everything")
    unknown_form = json.loads(members["submission.json"])
    unknown_form["form"]["version"] = "1999.9"
    many = [*members.items(), *((f"attachments/{i}.txt", b"x") for i in range(3000))]
    changed_audit = flip_byte(members["audit.json"], 5)
    return {
        "not-a-zip": (b"This is a Word document, honest.\n" * 20, "not_zip"),
        "truncated": (good[: len(good) // 2], "not_zip"),
        "traversal": (make_zip([*members.items(), ("../../evil.txt", b"x")]), "unsafe_path"),
        "absolute": (make_zip([*members.items(), ("/etc/passwd", b"x")]), "unsafe_path"),
        "symlink": (make_zip([*members.items(), ("attachments/link", b"/etc/passwd", 0o120777)]), "symlink"),
        "duplicate": (make_zip([*members.items(), ("audit.json", b"[]")]), "duplicate_member"),
        "thousands": (make_zip(many), "too_many_members"),
        "zip-bomb": (_bomb(), "too_large"),
        "2GB-member": (_raw_zip("submission.pdf", b"\x01" * 10, 2 * 1024**3, 0), "too_large"),
        "invalid-json": (rebuild(good, replace={"manifest.json": b"{not json"}), "bad_manifest"),
        "wrong-shape": (rebuild(good, replace={"manifest.json": canonical_json(wrong_shape)}), "bad_manifest"),
        "form-version-edited": (
            rebuild(good, replace={"submission.json": canonical_json(unknown_form)}, fix_manifest=True),
            "bad_manifest_signature",
        ),
        "one-byte-changed": (rebuild(good, replace={"audit.json": changed_audit}), "hash_mismatch"),
    }  # fmt: skip


@pytest.mark.parametrize(
    "name",
    [
        "not-a-zip", "truncated", "traversal", "absolute", "symlink", "duplicate", "thousands", "zip-bomb",
        "2GB-member", "invalid-json", "wrong-shape", "form-version-edited", "one-byte-changed",
    ],
)  # fmt: skip
def test_hostile_file_is_refused_with_its_reason_and_nothing_changes(
    bu: Workspace, bundles: list[Path], tmp_path: Path, name: str
) -> None:
    imports.import_paths(bu, bundles[:1], trust_new=True)
    data, code = hostile_files(bundles[0].read_bytes())[name]
    path = tmp_path / f"{name}.oscb"
    path.write_bytes(data)
    before = snapshot(bu)
    [result] = imports.import_paths(bu, [path], trust_new=True)
    assert (result.outcome, result.code) == ("rejected", code), result.reason
    assert result.reason.endswith(".")
    assert snapshot(bu) == before


def test_a_file_that_cannot_be_read_or_is_too_large_is_refused_unread(bu: Workspace, tmp_path: Path) -> None:
    imports.check_can_import(bu)
    huge = tmp_path / "huge.oscb"
    with huge.open("wb") as fh:  # sparse: costs no disk
        fh.truncate(limits.MAX_BUNDLE_BYTES + 1)
    before = snapshot(bu)
    gone, big = imports.import_paths(bu, [tmp_path / "gone.oscb", huge], trust_new=True)
    assert (gone.outcome, gone.code) == ("rejected", "unreadable") and "gone.oscb could not be read" in gone.reason
    assert (big.outcome, big.code) == ("rejected", "too_large") and "200 MB" in big.reason
    assert gone.agency is None and big.agency is None
    assert snapshot(bu) == before


def test_unknown_form_version_signed_by_the_agency_is_refused(
    bu: Workspace, tmp_path: Path, make_signed_pdf: Callable[..., bytes]
) -> None:
    """A genuine signature (PDF and manifest) over a form version this Business Unit has not installed."""
    agency_ws, sub_id = _agency_with_identity(tmp_path / "agency")
    out = tmp_path / "b.oscb"
    signoff.export(agency_ws, sub_id, out, passphrase=demo.DEMO_PASSPHRASE)
    key = identities.unlock(identities.current(agency_ws, 1), demo.DEMO_PASSPHRASE)
    agency_ws.close()
    members = members_of(out.read_bytes())
    sub = json.loads(members["submission.json"])
    sub["form"]["version"] = "2099.1"
    manifest = json.loads(members["manifest.json"])
    manifest["form"]["version"] = "2099.1"
    forged = rebuild(
        out.read_bytes(),
        replace={
            "submission.json": canonical_json(sub),
            "submission.pdf": make_signed_pdf(key, canonical_json(sub)),
            "manifest.json": canonical_json(manifest),
        },
        fix_manifest=True,
        sign_with=key,
    )
    path = tmp_path / "future-form.oscb"
    path.write_bytes(forged)
    bu.bind()
    imports.check_can_import(bu)
    before = snapshot(bu)
    [result] = imports.import_paths(bu, [path], trust_new=True)
    assert (result.outcome, result.code) == ("rejected", "unknown_form"), result.reason
    assert snapshot(bu) == before


# --- CLI ----------------------------------------------------------------------------------------


def test_cli_import_folder_json_and_exit_codes(
    agency_side: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = agency_side / "bundles"
    data_dir = ["--data-dir", str(tmp_path / "bu")]
    assert main([*data_dir, "import", str(folder), "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert {r["outcome"] for r in out["results"]} == {"rejected"}
    assert {r["reason"] for r in out["results"]} and all(r["file"].endswith(".oscb") for r in out["results"])

    assert main([*data_dir, "import", str(folder), "--trust-new", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [r["outcome"] for r in out["results"]] == ["imported"] * 6

    junk = tmp_path / "junk.oscb"
    junk.write_bytes(b"junk")
    assert main([*data_dir, "import", str(folder), str(junk)]) == 1
    text = capsys.readouterr()
    assert (
        text.out.count("DUPLICATE") == 6
        and "REJECTED" in text.out
        and "0 imported, 6 already there, 1 rejected" in text.err
    )

    assert main([*data_dir, "submissions", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["submissions"]
    assert len(listed) == 6 and {s["status"] for s in listed} == {"signed"}
    assert {s["form_id"] for s in listed} == {"section11", "impact"}


def test_zip_member_names_in_results_cannot_break_lines(bu: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "odd.oscb"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("manifest.json", b"{}")
    [result] = imports.import_paths(bu, [path])
    assert result.outcome == "rejected" and "\n" not in result.reason

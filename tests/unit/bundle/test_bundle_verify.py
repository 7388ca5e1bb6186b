"""The verifier on real bundles: a good one passes, and every kind of tampering fails with its own code."""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import pytest
from helpers.bundle_kit import (
    AGENCY_A,
    AGENCY_B,
    ATTACHMENT_DATA,
    AUDIT,
    SUBMISSION_ID,
    flip_byte,
    members_of,
    payload,
    pem,
    rebuild,
)
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from oscb_desktop.bundle import (
    Agency,
    Code,
    MemberEntry,
    Signatory,
    Trust,
    TrustedCertsDir,
    VerifyResult,
    normalise_agency_name,
    verify_bundle,
)
from oscb_desktop.bundle.model import canonical_json, parse_json
from oscb_desktop.forms import FormRegistry
from oscb_desktop.signing import UnlockedKey, fingerprint, format_fingerprint

ATTACHMENT_PATH = "attachments/" + hashlib.sha256(ATTACHMENT_DATA).hexdigest()[:12] + "-Safeguarding_policy_2026.pdf"


def check(
    data: bytes | str | Path, forms: FormRegistry, trusted: Callable[[str, str], Trust | bool] | None = None
) -> VerifyResult:
    return verify_bundle(data, forms=forms, trusted=trusted)


def assert_refused(result: VerifyResult, code: Code, member: str | None = None) -> None:
    assert not result.ok
    assert result.code == code, result.reason
    assert len(result.reason) > 40 and result.reason.endswith("."), result.reason
    if member is not None:
        assert result.member == member, result.reason


# --- a good bundle ---------------------------------------------------------------------------------------------


def test_round_trip(bundle: bytes, shipped_forms: FormRegistry, key_a: UnlockedKey) -> None:
    result = check(bundle, shipped_forms)

    assert result.ok, result.reason
    assert result.code == Code.OK == "ok"
    assert result.trust is None  # not asked
    assert result.signer_fingerprint == key_a.fingerprint_sha256
    assert result.signer_pem == pem(key_a)
    assert format_fingerprint(key_a.fingerprint_sha256) in result.reason  # so the user can confirm it
    # Typed on the way in, as the writer typed it on the way out.
    assert result.submission == payload()
    assert result.audit == AUDIT
    assert result.manifest is not None
    assert result.manifest.agency == Agency(AGENCY_A, "health")
    assert result.manifest.signatory == Signatory("Jane Doe", "Director of Nursing")
    assert result.manifest.form_title == "Section 11 self-assessment"
    # The importer's hook for duplicates, conflicts and replays:
    assert result.submission_id == SUBMISSION_ID
    assert result.submission_version == 2
    assert result.content_digest == hashlib.sha256(members_of(bundle)["manifest.json"]).hexdigest()
    assert result.attachments == [
        MemberEntry(ATTACHMENT_PATH, len(ATTACHMENT_DATA), hashlib.sha256(ATTACHMENT_DATA).hexdigest())
    ]
    assert result.read_member(ATTACHMENT_PATH) == ATTACHMENT_DATA
    assert result.read_member("submission.pdf") == members_of(bundle)["submission.pdf"]


def test_verify_from_a_file(bundle: bytes, shipped_forms: FormRegistry, tmp_path: Path) -> None:
    path = tmp_path / "Example return.oscb"
    path.write_bytes(bundle)
    assert check(path, shipped_forms).ok
    assert check(str(path), shipped_forms).ok


def test_a_missing_file_is_unreadable(shipped_forms: FormRegistry, tmp_path: Path) -> None:
    assert_refused(check(tmp_path / "nowhere.oscb", shipped_forms), Code.UNREADABLE)


def test_a_huge_file_is_refused_before_it_is_read(shipped_forms: FormRegistry, tmp_path: Path) -> None:
    path = tmp_path / "huge.oscb"
    with path.open("wb") as fh:
        fh.truncate(201 * 1024 * 1024)  # sparse: costs no disk and, if the verifier is right, no reading
    assert_refused(check(path, shipped_forms), Code.TOO_LARGE)


def test_read_member_only_for_good_bundles(bundle: bytes, shipped_forms: FormRegistry) -> None:
    bad = check(rebuild(bundle, remove=["audit.json"]), shipped_forms)
    with pytest.raises(ValueError):
        bad.read_member("submission.pdf")
    with pytest.raises(KeyError):
        check(bundle, shipped_forms).read_member("attachments/not-there.pdf")


# --- trust ------------------------------------------------------------------------------------------------------


def test_trusted_by_a_certificates_folder(bundle: bytes, shipped_forms: FormRegistry, trust_a: Path) -> None:
    result = check(bundle, shipped_forms, TrustedCertsDir(trust_a))
    assert result.ok, result.reason
    assert result.trust is Trust.TRUSTED
    assert "not checked" not in result.reason


def test_a_trust_callable_may_answer_with_a_bool(bundle: bytes, shipped_forms: FormRegistry) -> None:
    asked: list[tuple[str, str]] = []

    def policy(fp: str, agency: str) -> bool:
        asked.append((fp, agency))
        return True

    assert check(bundle, shipped_forms, policy).ok
    assert asked == [(fingerprint(members_of(bundle)["signer.pem"]), AGENCY_A)]
    assert_refused(check(bundle, shipped_forms, lambda fp, agency: False), Code.UNTRUSTED_SIGNER)


def test_unknown_certificate_is_untrusted(
    bundle: bytes, shipped_forms: FormRegistry, tmp_path: Path, key_b: UnlockedKey
) -> None:
    (tmp_path / "b.pem").write_bytes(pem(key_b))
    result = check(bundle, shipped_forms, TrustedCertsDir(tmp_path))
    assert_refused(result, Code.UNTRUSTED_SIGNER)
    assert result.trust is Trust.UNKNOWN
    assert result.signer_fingerprint is not None
    assert format_fingerprint(result.signer_fingerprint) in result.reason


def test_certificate_is_trusted_only_for_its_own_agency(
    build: Callable[..., bytes], shipped_forms: FormRegistry, trust_a: Path
) -> None:
    """A's certificate signing a return that claims to be from agency B is not trusted for B."""
    claims_b = build(submission=payload(agency=AGENCY_B))
    assert check(claims_b, shipped_forms).ok  # intact: only trust can tell
    assert_refused(check(claims_b, shipped_forms, TrustedCertsDir(trust_a)), Code.UNTRUSTED_SIGNER)


def test_agency_names_match_ignoring_case_and_spaces(
    build: Callable[..., bytes], shipped_forms: FormRegistry, trust_a: Path
) -> None:
    bundle = build(submission=payload(agency="  example community   HEALTH trust"))
    assert check(bundle, shipped_forms, TrustedCertsDir(trust_a)).ok


def test_agency_name_rule() -> None:
    assert normalise_agency_name("  Oxford\tCity   COUNCIL ") == normalise_agency_name("oxford city council")
    assert normalise_agency_name("Oxford City Council") != normalise_agency_name("Oxford County Council")


def test_revoked_certificate(bundle: bytes, shipped_forms: FormRegistry, trust_a: Path, key_a: UnlockedKey) -> None:
    (trust_a / "revoked").mkdir()
    (trust_a / "revoked" / "a-lost-laptop.pem").write_bytes(pem(key_a))
    result = check(bundle, shipped_forms, TrustedCertsDir(trust_a))
    assert_refused(result, Code.REVOKED_SIGNER)
    assert result.trust is Trust.REVOKED


def test_certificates_folder_skips_junk(trust_a: Path) -> None:
    (trust_a / "notes.pem").write_text("not a certificate")
    trust = TrustedCertsDir(trust_a)
    assert len(trust.trusted) == 1
    assert trust.problems and "notes.pem" in trust.problems[0]


# --- tampering with members -------------------------------------------------------------------------------------

#: Each member changed by one byte, and what catches it. manifest.json is changed inside the agency's name so it
#: still parses and lists the same hashes: only its signature can tell. Every listed member (signer.pem too)
#: is caught by its hash before any signature is looked at.
ONE_BYTE = [
    ("manifest.json", Code.BAD_MANIFEST_SIGNATURE, "manifest.sig"),
    ("manifest.sig", Code.BAD_MANIFEST_SIGNATURE, "manifest.sig"),
    ("signer.pem", Code.HASH_MISMATCH, "signer.pem"),
    ("submission.json", Code.HASH_MISMATCH, "submission.json"),
    ("submission.pdf", Code.HASH_MISMATCH, "submission.pdf"),
    ("audit.json", Code.HASH_MISMATCH, "audit.json"),
    (ATTACHMENT_PATH, Code.HASH_MISMATCH, ATTACHMENT_PATH),
]


@pytest.mark.parametrize(("name", "code", "blamed"), ONE_BYTE, ids=[m for m, _, _ in ONE_BYTE])
def test_one_byte_changed(bundle: bytes, shipped_forms: FormRegistry, name: str, code: Code, blamed: str) -> None:
    data = members_of(bundle)[name]
    if name == "manifest.json":
        offset = data.index(AGENCY_A.encode()) + 3
    elif name == "manifest.sig":
        offset = len(data) - 1  # the last byte of the ECDSA signature value
    else:
        offset = len(data) // 2
    result = check(rebuild(bundle, replace={name: flip_byte(data, offset)}), shipped_forms)
    assert_refused(result, code, blamed)


def test_every_member_is_listed_except_the_manifest_and_its_signature(bundle: bytes) -> None:
    members = members_of(bundle)
    listed = [m["path"] for m in parse_json(members["manifest.json"])["members"]]
    assert listed == sorted(set(members) - {"manifest.json", "manifest.sig"})
    assert list(members)[:6] == [
        "manifest.json",
        "manifest.sig",
        "signer.pem",
        "submission.json",
        "submission.pdf",
        "audit.json",
    ]


@pytest.mark.parametrize(
    "name",
    [
        "manifest.json",
        "manifest.sig",
        "signer.pem",
        "submission.json",
        "submission.pdf",
        "audit.json",
        ATTACHMENT_PATH,
    ],
)
def test_member_missing(bundle: bytes, shipped_forms: FormRegistry, name: str) -> None:
    assert_refused(check(rebuild(bundle, remove=[name]), shipped_forms), Code.MISSING_MEMBER, name)


@pytest.mark.parametrize("extra", ["notes.txt", "attachments/extra-evidence.pdf", "attachments/"])
def test_extra_member(bundle: bytes, shipped_forms: FormRegistry, extra: str) -> None:
    result = check(rebuild(bundle, add={extra: b"" if extra.endswith("/") else b"added later"}), shipped_forms)
    assert_refused(result, Code.UNEXPECTED_MEMBER, extra)


def test_extra_member_even_when_listed_but_unsigned(bundle: bytes, shipped_forms: FormRegistry) -> None:
    """Listing an added file in the manifest breaks the manifest's signature instead."""
    tampered = rebuild(bundle, add={"attachments/extra.pdf": b"added later"}, fix_manifest=True)
    assert_refused(check(tampered, shipped_forms), Code.BAD_MANIFEST_SIGNATURE)


@pytest.mark.parametrize(
    ("old", "new"),
    [("submission.pdf", "Submission.pdf"), ("audit.json", "attachments/audit.json"), (ATTACHMENT_PATH, "evidence.pdf")],
)
def test_member_renamed(bundle: bytes, shipped_forms: FormRegistry, old: str, new: str) -> None:
    assert_refused(check(rebuild(bundle, rename={old: new}), shipped_forms), Code.MISSING_MEMBER, old)


# --- swapped certificates and keys ------------------------------------------------------------------------------


def test_certificate_and_signature_swapped_for_another_agency(
    bundle: bytes, shipped_forms: FormRegistry, key_b: UnlockedKey, trust_a: Path
) -> None:
    """B re-signs A's return as its own: internally consistent, so only trust (and the PDF) can tell."""
    swapped = rebuild(bundle, replace={"signer.pem": pem(key_b)}, fix_manifest=True, sign_with=key_b)
    result = check(swapped, shipped_forms, TrustedCertsDir(trust_a))
    assert_refused(result, Code.UNTRUSTED_SIGNER)
    assert result.signer_fingerprint == key_b.fingerprint_sha256
    # Without a trust decision, the PDF (still signed by A) gives it away.
    assert_refused(check(swapped, shipped_forms), Code.PDF_SIGNER_MISMATCH, "submission.pdf")


def test_certificate_swapped_without_signing_again(
    bundle: bytes, shipped_forms: FormRegistry, key_a: UnlockedKey, key_b: UnlockedKey
) -> None:
    # As is, the listed hash of signer.pem gives it away ...
    assert_refused(
        check(rebuild(bundle, replace={"signer.pem": pem(key_b)}), shipped_forms), Code.HASH_MISMATCH, "signer.pem"
    )
    # ... with the manifest edited, its signature; and with A signing the edited manifest, the signer no
    # longer matches signer.pem.
    edited = rebuild(bundle, replace={"signer.pem": pem(key_b)}, fix_manifest=True)
    assert_refused(check(edited, shipped_forms), Code.BAD_MANIFEST_SIGNATURE)
    resigned_by_a = rebuild(bundle, replace={"signer.pem": pem(key_b)}, fix_manifest=True, sign_with=key_a)
    assert_refused(check(resigned_by_a, shipped_forms), Code.SIGNER_MISMATCH, "signer.pem")


def test_manifest_signed_with_another_key(bundle: bytes, shipped_forms: FormRegistry, key_b: UnlockedKey) -> None:
    assert_refused(check(rebuild(bundle, sign_with=key_b), shipped_forms), Code.SIGNER_MISMATCH, "signer.pem")


def test_signer_pem_that_is_not_one_certificate(
    bundle: bytes, shipped_forms: FormRegistry, key_a: UnlockedKey, key_b: UnlockedKey
) -> None:
    for junk in (b"not a certificate\n", pem(key_a) + pem(key_b)):
        tampered = rebuild(bundle, replace={"signer.pem": junk}, fix_manifest=True, sign_with=key_a)
        assert_refused(check(tampered, shipped_forms), Code.SIGNER_MISMATCH, "signer.pem")


# --- the PDF ----------------------------------------------------------------------------------------------------


def test_pdf_updated_after_signing(bundle: bytes, shipped_forms: FormRegistry, key_a: UnlockedKey) -> None:
    """An incremental update after the PDF signature, with the manifest fixed and signed again by the same key:
    every other check passes, only the PDF's coverage shows it."""
    writer = IncrementalPdfFileWriter(BytesIO(members_of(bundle)["submission.pdf"]))
    writer.root["/OSCBNote"] = generic.TextStringObject("Rating changed to Blue after sign-off")
    writer.update_root()
    output = BytesIO()
    writer.write(output)

    tampered = rebuild(bundle, replace={"submission.pdf": output.getvalue()}, fix_manifest=True, sign_with=key_a)
    assert_refused(check(tampered, shipped_forms), Code.PDF_MODIFIED_AFTER_SIGNING, "submission.pdf")


def test_pdf_signed_by_someone_else(
    bundle: bytes, shipped_forms: FormRegistry, key_a: UnlockedKey, key_b: UnlockedKey, make_signed_pdf
) -> None:
    tampered = rebuild(bundle, replace={"submission.pdf": make_signed_pdf(key_b)}, fix_manifest=True, sign_with=key_a)
    assert_refused(check(tampered, shipped_forms), Code.PDF_SIGNER_MISMATCH, "submission.pdf")


def test_pdf_not_signed(bundle: bytes, shipped_forms: FormRegistry, key_a: UnlockedKey, unsigned_pdf: bytes) -> None:
    tampered = rebuild(bundle, replace={"submission.pdf": unsigned_pdf}, fix_manifest=True, sign_with=key_a)
    result = check(tampered, shipped_forms)
    assert_refused(result, Code.BAD_PDF_SIGNATURE, "submission.pdf")
    assert "not signed" in result.reason


def test_pdf_changed_inside_the_signed_bytes(bundle: bytes, shipped_forms: FormRegistry, key_a: UnlockedKey) -> None:
    pdf = members_of(bundle)["submission.pdf"]
    changed = pdf.replace(b"Standard 1:", b"Standard 2:")
    assert changed != pdf and len(changed) == len(pdf)
    tampered = rebuild(bundle, replace={"submission.pdf": changed}, fix_manifest=True, sign_with=key_a)
    assert_refused(check(tampered, shipped_forms), Code.BAD_PDF_SIGNATURE, "submission.pdf")


# --- the manifest and the submission ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "manifest",
    [
        b"{not json",
        b"",
        b"\xff\xfe{}",
        b"[]",
        b'{"format": "oscb-bundle"}',
        b'{"a": 1, "a": 2}',
        b'{"size": NaN}',
        b"[" * 100_000 + b"]" * 100_000,
    ],
    ids=["not-json", "empty", "not-utf8", "list", "wrong-shape", "duplicate-key", "nan", "deep"],
)
def test_bad_manifest(bundle: bytes, shipped_forms: FormRegistry, manifest: bytes) -> None:
    tampered = rebuild(bundle, replace={"manifest.json": manifest}, compress_type=zipfile.ZIP_STORED)
    assert_refused(check(tampered, shipped_forms), Code.BAD_MANIFEST)


def edit_manifest(bundle: bytes, change: Callable[[dict], None]) -> bytes:
    manifest = parse_json(members_of(bundle)["manifest.json"])
    change(manifest)
    return rebuild(bundle, replace={"manifest.json": canonical_json(manifest)})


@pytest.mark.parametrize(
    "change",
    [
        lambda m: m.update(format_version=3),
        lambda m: m.update(extra="field"),
        lambda m: m["members"].pop(0),  # signer.pem, put first below
        lambda m: m["members"].append(dict(m["members"][1])),
        lambda m: m["members"][0].update(path="../evil"),
        lambda m: m["members"][0].update(sha256="ABC"),
        lambda m: m["submission"].update(version=0),
        lambda m: m.update(signed_at="yesterday"),
    ],
    ids=["newer-format", "unknown-field", "signer-unlisted", "listed-twice", "path", "hash", "version", "time"],
)
def test_manifest_of_the_wrong_shape(bundle: bytes, shipped_forms: FormRegistry, change) -> None:
    def apply(manifest: dict) -> None:
        manifest["members"] = sorted(manifest["members"], key=lambda m: m["path"] != "signer.pem")
        change(manifest)

    assert_refused(check(edit_manifest(bundle, apply), shipped_forms), Code.BAD_MANIFEST, "manifest.json")


def test_unknown_form_version(build: Callable[..., bytes], shipped_forms: FormRegistry) -> None:
    bundle = build(submission=payload(form=("section11", "2099.1")))
    result = check(bundle, shipped_forms)
    assert_refused(result, Code.UNKNOWN_FORM, "submission.json")
    assert "2099.1" in result.reason


def test_answers_to_items_the_form_lacks(build: Callable[..., bytes], shipped_forms: FormRegistry) -> None:
    bundle = build(submission=payload(answers={"s1.1": None, "s99.9": "invented"}))
    result = check(bundle, shipped_forms)
    assert_refused(result, Code.BAD_SUBMISSION, "submission.json")
    assert "s99.9" in result.reason


@pytest.mark.parametrize(
    ("where", "value"),
    [
        (("submission", "id"), "someone-elses-return"),
        (("submission", "version"), 1),
        (("submission", "supersedes"), None),
        (("form", "version"), "2025.1"),
        (("period",), "2025/26"),
        (("agency", "name"), AGENCY_B),
        (("agency", "sector"), "police"),
    ],
)
def test_submission_disagrees_with_manifest(
    bundle: bytes,
    shipped_forms: FormRegistry,
    key_a: UnlockedKey,
    make_signed_pdf: Callable[..., bytes],
    where: tuple[str, ...],
    value: object,
) -> None:
    """Even with a PDF signed by the agency's key carrying the changed submission.json (so the PDF check passes),
    the submission must agree with the manifest."""
    submission = parse_json(members_of(bundle)["submission.json"])
    target = submission
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    changed = canonical_json(submission)
    tampered = rebuild(
        bundle,
        replace={"submission.json": changed, "submission.pdf": make_signed_pdf(key_a, changed)},
        fix_manifest=True,
        sign_with=key_a,
    )
    assert_refused(check(tampered, shipped_forms), Code.MANIFEST_MISMATCH, "submission.json")


@pytest.mark.parametrize(
    "submission",
    [b"{", b"[]", b'{"format": "oscb-submission"}', canonical_json({**payload().to_json(), "format_version": 2})],
)
def test_bad_submission(
    bundle: bytes,
    shipped_forms: FormRegistry,
    key_a: UnlockedKey,
    make_signed_pdf: Callable[..., bytes],
    submission: bytes,
) -> None:
    pdf = make_signed_pdf(key_a, submission)  # signed off as it is: only its own checks can refuse it
    tampered = rebuild(
        bundle, replace={"submission.json": submission, "submission.pdf": pdf}, fix_manifest=True, sign_with=key_a
    )
    assert_refused(check(tampered, shipped_forms), Code.BAD_SUBMISSION, "submission.json")


@pytest.mark.parametrize("audit", [b"{}", b"[{}]", b"not json", canonical_json([{"item_id": "s1.1"}])])
def test_bad_audit(bundle: bytes, shipped_forms: FormRegistry, key_a: UnlockedKey, audit: bytes) -> None:
    tampered = rebuild(bundle, replace={"audit.json": audit}, fix_manifest=True, sign_with=key_a)
    assert_refused(check(tampered, shipped_forms), Code.BAD_AUDIT, "audit.json")


# --- evidence files referred to by answers ----------------------------------------------------------------------


def impact_payload(refs: list[dict]) -> object:
    return payload(form=("impact", "2026.1"), answers={"impact.contact_date": "2027-02-01", "impact.evidence": refs})


def test_evidence_named_in_answers_travels_with_the_return(
    build: Callable[..., bytes], shipped_forms: FormRegistry, key_a: UnlockedKey
) -> None:
    report = b"%PDF-1.4 annual audit of safeguarding supervision"
    digest = hashlib.sha256(report).hexdigest()
    blobs = {digest: report}
    refs = [{"sha256": digest, "name": "Supervision audit.pdf", "size": len(report)}]
    bundle = build(submission=impact_payload(refs), attachments=[], read_blob=blobs.__getitem__)

    result = check(bundle, shipped_forms)
    assert result.ok, result.reason
    (entry,) = result.attachments
    assert entry.sha256 == digest
    assert result.read_member(entry.path) == report

    # Take the file out (and re-sign so only this check is left): the return refers to evidence it lacks.
    without = rebuild(bundle, remove=[entry.path], fix_manifest=True, sign_with=key_a)
    result = check(without, shipped_forms)
    assert_refused(result, Code.BAD_SUBMISSION, "submission.json")
    assert "Supervision audit.pdf" in result.reason


def test_malformed_evidence_answer(build: Callable[..., bytes], shipped_forms: FormRegistry) -> None:
    bundle = build(submission=impact_payload(["not a file reference"]))  # type: ignore[list-item]
    assert_refused(check(bundle, shipped_forms), Code.BAD_SUBMISSION, "submission.json")

"""The writer: canonical members, safe attachment names, limits with clear messages, atomic saving."""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import pytest
from helpers.bundle_kit import ATTACHMENT_DATA, AUDIT, CREATED_AT, members_of, payload
from hypothesis import given, settings
from hypothesis import strategies as st

from oscb_desktop.bundle import (
    BundleError,
    Signatory,
    canonical_json,
    limits,
    safe_member_name,
    verify_bundle,
    write_bundle,
)
from oscb_desktop.bundle.model import Manifest, SubmissionPayload, parse_json, schema
from oscb_desktop.bundle.signed_zip import ZIP_TIMESTAMP
from oscb_desktop.forms import FormRegistry
from oscb_desktop.signing import UnlockedKey

SHA = "0123456789abcdef" * 4


def test_json_members_are_canonical(bundle: bytes) -> None:
    members = members_of(bundle)
    for name in ("manifest.json", "submission.json", "audit.json"):
        data = members[name]
        assert data == canonical_json(json.loads(data)), name
        assert data.endswith(b"}\n") or data.endswith(b"]\n")
        assert b"\r" not in data and b"\t" not in data
    text = members["submission.json"].decode("utf-8")
    assert "“final”" in text  # UTF-8 as is, not \u escapes
    assert '\n  "agency": {\n    "name"' in text  # sorted keys, two-space indent


def test_canonical_json_format() -> None:
    assert canonical_json({"b": 1, "a": ["é", None]}) == '{\n  "a": [\n    "é",\n    null\n  ],\n  "b": 1\n}\n'.encode()
    with pytest.raises(ValueError):
        canonical_json({"x": float("nan")})


def test_same_return_gives_the_same_bytes(build: Callable[..., bytes], bundle: bytes) -> None:
    again = members_of(build())
    first = members_of(bundle)
    for name in first:
        if name != "manifest.sig":  # ECDSA signatures are randomised, and carry a signing time
            assert again[name] == first[name], name


def test_manifest_content(bundle: bytes, key_a: UnlockedKey) -> None:
    manifest = parse_json(members_of(bundle)["manifest.json"])
    assert manifest["format"] == "oscb-bundle"
    assert manifest["format_version"] == 2  # the signed PDF carries submission.json
    assert manifest["form"] == {"id": "section11", "version": "2026.1", "title": "Section 11 self-assessment"}
    assert manifest["period"] == "2026/27"
    assert manifest["submission"] == payload().submission.to_json()
    assert manifest["created_at"] == CREATED_AT
    model = Manifest.from_json(manifest)
    assert model.to_json() == manifest
    assert model.member("signer.pem") is not None
    assert model.member("manifest.json") is None


def test_zip_entries(bundle: bytes) -> None:
    with zipfile.ZipFile(BytesIO(bundle)) as zf:
        for info in zf.infolist():
            assert info.date_time == ZIP_TIMESTAMP
            assert info.create_system == 3
            assert not info.is_dir()
            assert info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


def test_highly_compressible_members_are_stored_not_flagged_as_bombs(
    build: Callable[..., bytes], shipped_forms: FormRegistry
) -> None:
    zeros = b"\0" * (5 * 1024 * 1024)  # deflates ~1000:1, over the verifier's ratio limit
    bundle = build(attachments=[("blank scan.bmp", zeros)])
    with zipfile.ZipFile(BytesIO(bundle)) as zf:
        (info,) = [i for i in zf.infolist() if i.filename.startswith("attachments/")]
    assert info.compress_type == zipfile.ZIP_STORED
    assert verify_bundle(bundle, forms=shipped_forms, trusted=None).ok


def test_payload_as_a_plain_dict(build: Callable[..., bytes], bundle: bytes) -> None:
    as_dict = build(submission=payload().to_json(), audit=[r.to_json() for r in AUDIT])
    assert members_of(as_dict)["submission.json"] == members_of(bundle)["submission.json"]


def test_roundtrip_of_the_payload_model() -> None:
    data = payload().to_json()
    assert SubmissionPayload.from_json(data).to_json() == data


def test_one_member_per_distinct_evidence_file(build: Callable[..., bytes]) -> None:
    bundle = build(attachments=[("a.pdf", ATTACHMENT_DATA), ("copy of a.pdf", ATTACHMENT_DATA), ("b.txt", b"b")])
    names = [n for n in members_of(bundle) if n.startswith("attachments/")]
    assert len(names) == 2


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Policy.pdf", "Policy.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\jane\\Évaluation finale.docx", "Evaluation_finale.docx"),
        ("..", "file"),
        ("", "file"),
        ("...pdf", "pdf"),
        ("a..b....c.txt", "a.b.c.txt"),
        ("report.tar.gz", "report.tar.gz"),
        ("no extension", "no_extension"),
        ("weird.ext with spaces", "weird.ext_with_spaces"),
        ("CON", "CON"),
        ("x" * 300 + ".pdf", "x" * (120 - 13 - 4) + ".pdf"),
    ],
)
def test_safe_member_names(name: str, expected: str) -> None:
    assert safe_member_name(name, SHA) == f"attachments/{SHA[:12]}-{expected}"


MEMBER_PATH = re.compile(
    schema("manifest.schema.json")["properties"]["members"]["items"]["properties"]["path"]["pattern"]
)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_any_name_becomes_a_path_the_manifest_accepts(name: str) -> None:
    path = safe_member_name(name, SHA)
    assert MEMBER_PATH.fullmatch(path)
    assert len(path) <= len(limits.ATTACHMENTS_FOLDER) + limits.MAX_ATTACHMENT_NAME_CHARS
    assert ".." not in path and "\\" not in path and path.count("/") == 1


def test_too_many_attachments(build: Callable[..., bytes]) -> None:
    files = [(f"note {i}.txt", f"note {i}".encode()) for i in range(limits.MAX_ATTACHMENTS + 1)]
    with pytest.raises(BundleError, match="at most 200"):
        build(attachments=files)


def test_attachment_too_large(build: Callable[..., bytes]) -> None:
    with pytest.raises(BundleError, match="at most 25 MB"):
        build(attachments=[("scan.tif", b"\0" * (limits.MAX_ATTACHMENT_BYTES + 1))])


def test_pdf_must_be_signed_by_the_same_key(
    build: Callable[..., bytes],
    make_signed_pdf: Callable[[UnlockedKey], bytes],
    key_b: UnlockedKey,
    unsigned_pdf: bytes,
) -> None:
    with pytest.raises(BundleError, match="another certificate"):
        build(signed_pdf=make_signed_pdf(key_b))
    with pytest.raises(BundleError, match="not signed"):
        build(signed_pdf=unsigned_pdf)


def test_submission_must_match_its_schema(build: Callable[..., bytes]) -> None:
    with pytest.raises(BundleError, match="submission format"):
        build(submission={**payload().to_json(), "period": "last year"})
    with pytest.raises(BundleError, match="plain JSON"):
        build(submission=payload(answers={"s1.1": object()}))
    with pytest.raises(BundleError, match="answer history"):
        build(audit=[{"item_id": "s1.1"}])


def test_evidence_named_in_answers_must_be_available(build: Callable[..., bytes]) -> None:
    data = b"minutes"
    ref = {"sha256": hashlib.sha256(data).hexdigest(), "name": "Minutes.docx", "size": len(data)}
    answers = {"impact.evidence": [ref]}
    impact = payload(form=("impact", "2026.1"), answers=answers)
    with pytest.raises(BundleError, match="not given to the bundle"):
        build(submission=impact)
    with pytest.raises(BundleError, match="missing from the workspace"):
        build(submission=impact, read_blob={}.__getitem__)
    with pytest.raises(BundleError, match="not the one the return refers to"):
        build(submission=impact, read_blob=lambda sha: b"other content")
    # Given directly, it needs no reading.
    assert build(submission=impact, attachments=[("Minutes.docx", data)])


def test_write_bundle(
    tmp_path: Path, build: Callable[..., bytes], shipped_forms: FormRegistry, key_a: UnlockedKey, signed_pdf: bytes
) -> None:
    target = tmp_path / "out" / "Example 2026-27.oscb"
    digest = write_bundle(
        target,
        submission=payload(),
        audit=AUDIT,
        signed_pdf=signed_pdf,
        key=key_a,
        form_title="Section 11 self-assessment",
        signatory=Signatory("Jane Doe", "Director of Nursing"),
        signed_at=CREATED_AT,
    )
    result = verify_bundle(target, forms=shipped_forms, trusted=None)
    assert result.ok, result.reason
    assert result.content_digest == digest
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no temporary file left


def test_failed_build_writes_nothing(tmp_path: Path, key_a: UnlockedKey, unsigned_pdf: bytes) -> None:
    target = tmp_path / "return.oscb"
    target.write_bytes(b"the earlier export")
    with pytest.raises(BundleError):
        write_bundle(
            target,
            submission=payload(),
            audit=AUDIT,
            signed_pdf=unsigned_pdf,
            key=key_a,
            form_title="Section 11 self-assessment",
            signatory=Signatory("Jane Doe", "Director of Nursing"),
            signed_at=CREATED_AT,
        )
    assert target.read_bytes() == b"the earlier export"

"""What was signed is what is counted (issue 9 §1): the signed PDF carries submission.json, and a bundle whose
submission.json differs from it is refused — even when its manifest is genuinely re-signed with the agency's key."""

from __future__ import annotations

import io
import resource
import subprocess
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.bundle_kit import members_of, payload, rebuild
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from oscb_desktop.bundle import (
    CARRIED_NAME,
    BundleError,
    Code,
    VerifyResult,
    canonical_json,
    carried_bytes,
    submission_attachment,
    verify_bundle,
)
from oscb_desktop.bundle.model import parse_json
from oscb_desktop.forms import FormRegistry
from oscb_desktop.signing import EmbeddedData, EmbeddedDataError, UnlockedKey, read_embedded, sign_pdf, verify_pdf
from oscb_desktop.signing.pdf_data import embed_data, embedded_names


def check(data: bytes, forms: FormRegistry) -> VerifyResult:
    return verify_bundle(data, forms=forms, trusted=None)


def amber_for_green(submission_json: bytes) -> bytes:
    """The same return with its Green statement turned Amber, as someone editing submission.json would."""
    value = parse_json(submission_json)
    assert value["answers"]["s1.1"]["level"] == "green"
    value["answers"]["s1.1"]["level"] = "amber"
    return canonical_json(value)


# --- the PDF carries it -------------------------------------------------------------------------------------------


def test_the_signed_pdf_carries_the_bundles_submission_json_byte_for_byte(bundle: bytes) -> None:
    members = members_of(bundle)
    assert parse_json(members["manifest.json"])["format_version"] == 2
    assert carried_bytes(members["submission.pdf"]) == members["submission.json"]
    assert embedded_names(members["submission.pdf"]) == [CARRIED_NAME]
    assert verify_pdf(members["submission.pdf"]).ok, "embedded before signing: the signature covers it"


def test_a_good_bundle_says_its_answers_were_compared(bundle: bytes, shipped_forms: FormRegistry) -> None:
    result = check(bundle, shipped_forms)
    assert result.ok and result.pdf_carries_data, result.reason
    assert "could not be compared" not in result.reason


def test_pdfdetach_and_cmp_alone_show_the_same_answers(bundle: bytes, tmp_path: Path) -> None:
    """The commands docs/bundle-format.md gives, run as written."""
    for tool in ("bash", "unzip", "pdfdetach", "cmp"):
        if subprocess.run(["bash", "-c", f"command -v {tool}"], capture_output=True, check=False).returncode:
            pytest.skip(f"{tool} is not installed")
    doc = (Path(__file__).resolve().parents[3] / "docs" / "bundle-format.md").read_text(encoding="utf-8")
    commands = [
        "unzip -d b file.oscb && cd b",
        "pdfdetach -list submission.pdf",
        "pdfdetach -savefile submission.json -o carried.json submission.pdf && cmp carried.json submission.json",
    ]
    assert "\n".join(commands) in doc
    (tmp_path / "file.oscb").write_bytes(bundle)
    run = subprocess.run(
        ["bash", "-ec", "\n".join(commands)], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
    assert "1: submission.json" in run.stdout
    forged = rebuild(bundle, replace={"submission.json": amber_for_green(members_of(bundle)["submission.json"])})
    (tmp_path / "file.oscb").write_bytes(forged)
    run = subprocess.run(
        ["bash", "-ec", f"rm -rf b\n{commands[0]}\n{commands[2]}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode != 0 and "differ" in run.stdout, "cmp says the answers differ"


# --- the answers changed after signing ----------------------------------------------------------------------------


def test_answers_changed_and_the_manifest_re_signed_with_the_agencys_key_are_refused(
    bundle: bytes, shipped_forms: FormRegistry, key_a: UnlockedKey
) -> None:
    """The attack of issue 9: Green where the signed PDF says Amber, or the reverse, the manifest signed again."""
    forged = rebuild(
        bundle,
        replace={"submission.json": amber_for_green(members_of(bundle)["submission.json"])},
        fix_manifest=True,
        sign_with=key_a,
    )
    result = check(forged, shipped_forms)
    assert not result.ok and result.code == Code.PDF_DATA_MISMATCH == "pdf_data_mismatch"
    assert result.member == "submission.json"
    assert result.reason.startswith("The answers in this bundle are not the answers in the signed PDF")
    assert result.submission is None, "nothing of the refused answers is handed on"


def test_calling_it_version_1_does_not_switch_the_check_off(
    bundle: bytes, shipped_forms: FormRegistry, key_a: UnlockedKey
) -> None:
    members = members_of(bundle)
    manifest = parse_json(members["manifest.json"])
    manifest["format_version"] = 1
    forged = rebuild(
        bundle,
        replace={
            "manifest.json": canonical_json(manifest),
            "submission.json": amber_for_green(members["submission.json"]),
        },
        fix_manifest=True,
        sign_with=key_a,
    )
    assert check(forged, shipped_forms).code == Code.PDF_DATA_MISMATCH


def test_a_version_2_bundle_whose_pdf_carries_nothing_is_refused(
    bundle: bytes, shipped_forms: FormRegistry, key_a: UnlockedKey, make_signed_pdf: Callable[..., bytes]
) -> None:
    bare = make_signed_pdf(key_a, None)
    forged = rebuild(bundle, replace={"submission.pdf": bare}, fix_manifest=True, sign_with=key_a)
    result = check(forged, shipped_forms)
    assert result.code == Code.PDF_DATA_MISMATCH and result.member == "submission.pdf"
    assert "does not carry its submission.json" in result.reason


def test_a_pdf_carrying_submission_json_twice_is_refused(
    bundle: bytes, shipped_forms: FormRegistry, key_a: UnlockedKey, unsigned_pdf: bytes
) -> None:
    submission = members_of(bundle)["submission.json"]
    twice = [
        EmbeddedData(CARRIED_NAME, submission, "application/json", "the real one"),
        EmbeddedData(CARRIED_NAME, amber_for_green(submission), "application/json", "another"),
    ]
    pdf = sign_pdf(unsigned_pdf, key_a, reason="r", location=None, embed=twice)
    forged = rebuild(bundle, replace={"submission.pdf": pdf}, fix_manifest=True, sign_with=key_a)
    result = check(forged, shipped_forms)
    assert result.code == Code.PDF_DATA_MISMATCH and "2 files called submission.json" in result.reason


# --- bundles made before PDFs carried the answers ---------------------------------------------------------------


def test_a_version_1_bundle_is_still_verified_and_says_what_could_not_be_checked(
    build: Callable[..., bytes], shipped_forms: FormRegistry, key_a: UnlockedKey, make_signed_pdf: Callable[..., bytes]
) -> None:
    old = build(signed_pdf=make_signed_pdf(key_a, None))
    assert parse_json(members_of(old)["manifest.json"])["format_version"] == 1, "the writer says which rule applies"
    result = check(old, shipped_forms)
    assert result.ok and not result.pdf_carries_data, result.reason
    assert "bundle format version 1" in result.reason and "could not be compared" in result.reason


def test_the_writer_refuses_answers_other_than_those_the_pdf_carries(
    build: Callable[..., bytes], key_a: UnlockedKey, make_signed_pdf: Callable[..., bytes]
) -> None:
    signed_for_other_answers = make_signed_pdf(key_a, payload(answers={"s1.1": None}))
    with pytest.raises(BundleError, match="not the answers in the signed PDF"):
        build(signed_pdf=signed_for_other_answers)


# --- hostile PDFs -----------------------------------------------------------------------------------------------


def _pdf_with_raw_stream(unsigned_pdf: bytes, raw: bytes, **entries: generic.PdfObject) -> bytes:
    """A PDF whose embedded submission.json stream holds ``raw`` exactly as an attacker writes it."""
    writer = IncrementalPdfFileWriter(io.BytesIO(unsigned_pdf))
    embed_data(writer, submission_attachment(payload()))
    spec = writer.root["/Names"]["/EmbeddedFiles"]["/Names"][1].get_object()
    stream = generic.StreamObject({generic.NameObject(f"/{k}"): v for k, v in entries.items()}, encoded_data=raw)
    spec["/EF"][generic.NameObject("/F")] = writer.add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_deflate_bomb_in_the_pdf_is_refused_within_bounded_memory(unsigned_pdf: bytes) -> None:
    bomb = zlib.compress(b"\0" * (200 * 1024 * 1024), 9)  # 200 MB of zeros in about 200 kB
    pdf = _pdf_with_raw_stream(unsigned_pdf, bomb, Filter=generic.NameObject("/FlateDecode"))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(EmbeddedDataError, match="larger than a return can be"):
        carried_bytes(pdf)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 80, f"inflating stopped at the limit (grew {grown_mb:.0f} MB)"


@pytest.mark.parametrize(
    ("raw", "entries", "words"),
    [
        (zlib.compress(b'{"cut": "short"}' * 100)[:-8], {"Filter": generic.NameObject("/FlateDecode")}, "cut short"),
        (b"not deflate at all", {"Filter": generic.NameObject("/FlateDecode")}, "damaged"),
        (b"x", {"Filter": generic.NameObject("/LZWDecode")}, "encoded in a way"),
    ],
)
def test_a_damaged_or_strange_carried_file_is_a_reason_not_a_crash(
    unsigned_pdf: bytes, raw: bytes, entries: dict[str, generic.PdfObject], words: str
) -> None:
    pdf = _pdf_with_raw_stream(unsigned_pdf, raw, **entries)
    with pytest.raises(EmbeddedDataError, match=words):
        read_embedded(pdf, CARRIED_NAME, limit=1024 * 1024)

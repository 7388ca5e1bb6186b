"""``oscb verify``: real signed bundles through the command, untouched and tampered with in every way the bundle
format promises to catch, each failing with its own code and reason (docs/bundle-format.md)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from helpers.bundle_kit import AGENCY_A, ATTACHMENT_DATA, flip_byte, members_of, pem, rebuild
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from oscb_desktop.bundle.model import parse_json
from oscb_desktop.cli import main
from oscb_desktop.signing import UnlockedKey, format_fingerprint

ATTACHMENT_PATH = "attachments/" + hashlib.sha256(ATTACHMENT_DATA).hexdigest()[:12] + "-Safeguarding_policy_2026.pdf"
DESCRIBED = f"{AGENCY_A}, Section 11 self-assessment 2026.1, 2026/27, v2, signed by Jane Doe (Director of Nursing), "
JSON_FIELDS = {
    "pdf_carries_data",
    "source",
    "file",
    "ok",
    "code",
    "reason",
    "agency",
    "form_id",
    "form_version",
    "period",
    "submission_id",
    "version",
    "signer_fingerprint",
    "trust",
}


def save(folder: Path, data: bytes, name: str = "return.oscb") -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def verify(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, list[str], str]:
    """Run ``oscb verify ARGS``: exit status, stdout lines, stderr."""
    code = main(["verify", *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err


def verify_one(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str]:
    code, lines, _err = verify(capsys, *args)
    assert len(lines) == 1, lines
    return code, lines[0]


def assert_failed(code: int, line: str, path: Path, expected: str, *phrases: str) -> None:
    assert code == 1, line
    assert line.startswith(f"FAILED  {path}  — {expected}: "), line
    for phrase in phrases:
        assert phrase in line, line


def updated_after_signing(pdf: bytes) -> bytes:
    """The signed PDF with an incremental update appended: the signature still verifies, over less than the file."""
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    writer.root["/OSCBNote"] = generic.TextStringObject("Rating changed to Blue after sign-off")
    writer.update_root()
    output = BytesIO()
    writer.write(output)
    return output.getvalue()


def changed_inside_signature(pdf: bytes) -> bytes:
    changed = pdf.replace(b"Standard 1:", b"Standard 2:")
    assert changed != pdf and len(changed) == len(pdf)
    return changed


# --- untouched bundles and trust -------------------------------------------------------------------------------


def test_good_bundle_says_the_signer_was_not_checked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, bundle: bytes, key_a: UnlockedKey
) -> None:
    path = save(tmp_path, bundle)
    code, line = verify_one(capsys, path)
    assert code == 0, line
    assert line == (
        f"OK      {path}  — {DESCRIBED}signer not checked against trusted certificates; "
        f"fingerprint {format_fingerprint(key_a.fingerprint_sha256)}"
    )


def test_good_bundle_with_its_certificate_trusted(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, bundle: bytes, key_a: UnlockedKey, trust_a: Path
) -> None:
    path = save(tmp_path, bundle)
    code, lines, err = verify(capsys, path, "--trusted-certs", trust_a)
    assert code == 0, lines
    short = " ".join(format_fingerprint(key_a.fingerprint_sha256).split()[:4])
    assert lines == [f"OK      {path}  — {DESCRIBED}trusted signer, fingerprint {short} …"]
    assert err == ""


def test_empty_trust_folder_means_an_untrusted_signer(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, bundle: bytes, key_a: UnlockedKey
) -> None:
    (tmp_path / "empty").mkdir()
    path = save(tmp_path, bundle)
    code, lines, err = verify(capsys, path, "--trusted-certs", tmp_path / "empty")
    assert len(lines) == 1
    assert_failed(
        code,
        lines[0],
        path,
        "untrusted_signer",
        f"not registered for {AGENCY_A}",
        format_fingerprint(key_a.fingerprint_sha256),
    )
    assert "holds no trusted certificates" in err


def test_revoked_certificate(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, bundle: bytes, key_a: UnlockedKey, trust_a: Path
) -> None:
    (trust_a / "revoked").mkdir()
    (trust_a / "revoked" / "lost-laptop.pem").write_bytes(pem(key_a))
    path = save(tmp_path, bundle)
    code, line = verify_one(capsys, path, "--trusted-certs", trust_a)
    assert_failed(code, line, path, "revoked_signer", "was revoked", format_fingerprint(key_a.fingerprint_sha256))


def test_junk_in_the_trust_folder_is_reported_not_fatal(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, bundle: bytes, trust_a: Path
) -> None:
    (trust_a / "notes.pem").write_text("not a certificate")
    code, lines, err = verify(capsys, save(tmp_path, bundle), "--trusted-certs", trust_a)
    assert code == 0, lines
    assert "notes.pem: not a readable PEM certificate" in err


def test_needs_no_workspace(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, bundle: bytes, _isolated_data_dir: Path
) -> None:
    code, _line = verify_one(capsys, save(tmp_path, bundle))
    assert code == 0
    assert list(_isolated_data_dir.iterdir()) == []


# --- tampering: each kind fails with its own code and a reason naming what is wrong ------------------------------

#: One byte of each member changed. manifest.json is changed inside the agency's name, so it still parses and
#: lists the same hashes: only its signature tells. Every listed member is caught by its hash, named in the reason.
ONE_BYTE = [
    ("manifest.json", "bad_manifest_signature", "The signature over the manifest is not valid"),
    ("manifest.sig", "bad_manifest_signature", "The signature over the manifest is not valid"),
    ("signer.pem", "hash_mismatch", "signer.pem is not the file that was signed"),
    ("submission.json", "hash_mismatch", "submission.json is not the file that was signed"),
    ("submission.pdf", "hash_mismatch", "submission.pdf is not the file that was signed"),
    ("audit.json", "hash_mismatch", "audit.json is not the file that was signed"),
    (ATTACHMENT_PATH, "hash_mismatch", f"{ATTACHMENT_PATH} is not the file that was signed"),
]


@pytest.mark.parametrize(("member", "expected", "phrase"), ONE_BYTE, ids=[m for m, _, _ in ONE_BYTE])
def test_one_byte_changed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, bundle: bytes, member: str, expected: str, phrase: str
) -> None:
    data = members_of(bundle)[member]
    if member == "manifest.json":
        offset = data.index(AGENCY_A.encode()) + 3
    elif member == "manifest.sig":
        offset = len(data) - 1  # inside the signature value
    else:
        offset = len(data) // 2
    path = save(tmp_path, rebuild(bundle, replace={member: flip_byte(data, offset)}))
    code, line = verify_one(capsys, path)
    assert_failed(code, line, path, expected, phrase)


MISSING = [
    ("manifest.json", "The bundle has no manifest.json"),
    ("manifest.sig", "manifest.sig, the signature over the manifest, is missing"),
    ("signer.pem", "signer.pem is missing from the bundle"),
    ("submission.pdf", "submission.pdf is missing from the bundle"),
    (ATTACHMENT_PATH, f"{ATTACHMENT_PATH} is missing from the bundle"),
]


@pytest.mark.parametrize(("member", "phrase"), MISSING, ids=[m for m, _ in MISSING])
def test_member_missing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, bundle: bytes, member: str, phrase: str
) -> None:
    path = save(tmp_path, rebuild(bundle, remove=[member]))
    code, line = verify_one(capsys, path)
    assert_failed(code, line, path, "missing_member", phrase)


def test_extra_member(capsys: pytest.CaptureFixture[str], tmp_path: Path, bundle: bytes) -> None:
    path = save(tmp_path, rebuild(bundle, add={"attachments/extra-evidence.pdf": b"added later"}))
    code, line = verify_one(capsys, path)
    assert_failed(
        code, line, path, "unexpected_member", "holds attachments/extra-evidence.pdf, which its manifest does not list"
    )


def test_member_renamed(capsys: pytest.CaptureFixture[str], tmp_path: Path, bundle: bytes) -> None:
    path = save(tmp_path, rebuild(bundle, rename={"submission.pdf": "Submission.pdf"}))
    code, line = verify_one(capsys, path)
    assert_failed(code, line, path, "missing_member", "submission.pdf is missing from the bundle")


def test_certificate_swapped_for_another_agencys(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    bundle: bytes,
    key_a: UnlockedKey,
    key_b: UnlockedKey,
    trust_a: Path,
) -> None:
    """Agency B passes A's return off with its own certificate, the manifest fixed and signed with B's key: the
    bundle is consistent, so only trust tells, or without trust the PDF, which A signed."""
    path = save(tmp_path, rebuild(bundle, replace={"signer.pem": pem(key_b)}, fix_manifest=True, sign_with=key_b))
    b_fingerprint = format_fingerprint(key_b.fingerprint_sha256)

    code, line = verify_one(capsys, path)
    assert_failed(code, line, path, "pdf_signer_mismatch", "PDF of the return was signed with another certificate")

    code, line = verify_one(capsys, path, "--trusted-certs", trust_a)
    assert_failed(code, line, path, "untrusted_signer", f"not registered for {AGENCY_A}", b_fingerprint)

    # Even with B's certificate trusted (for B, its O=), it does not vouch for a return that names agency A.
    (trust_a / "agency-b.pem").write_bytes(pem(key_b))
    code, line = verify_one(capsys, path, "--trusted-certs", trust_a)
    assert_failed(code, line, path, "untrusted_signer", f"not registered for {AGENCY_A}", b_fingerprint)


def test_certificate_swapped_under_the_agencys_signature(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, bundle: bytes, key_a: UnlockedKey, key_b: UnlockedKey
) -> None:
    """B's certificate in signer.pem, the manifest fixed and signed by A: the signer is not who signer.pem says."""
    path = save(tmp_path, rebuild(bundle, replace={"signer.pem": pem(key_b)}, fix_manifest=True, sign_with=key_a))
    code, line = verify_one(capsys, path)
    assert_failed(code, line, path, "signer_mismatch", "another certificate than the one in signer.pem")


def test_manifest_signed_again_with_another_key(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, bundle: bytes, key_b: UnlockedKey
) -> None:
    """manifest.sig made with B's key over the untouched manifest, A's signer.pem kept. The signature itself is
    valid (it carries B's certificate), so the verifier names the mismatch with signer.pem."""
    path = save(tmp_path, rebuild(bundle, sign_with=key_b))
    code, line = verify_one(capsys, path)
    assert_failed(code, line, path, "signer_mismatch", "another certificate than the one in signer.pem")


def test_manifest_edited_without_the_key(capsys: pytest.CaptureFixture[str], tmp_path: Path, bundle: bytes) -> None:
    """An added file listed in the manifest by hand: the old signature no longer covers the manifest."""
    path = save(tmp_path, rebuild(bundle, add={"attachments/extra.pdf": b"added later"}, fix_manifest=True))
    code, line = verify_one(capsys, path)
    assert_failed(code, line, path, "bad_manifest_signature", "The signature over the manifest is not valid")


@pytest.mark.parametrize("trusted", [False, True], ids=["no-trust-list", "trusted-signer"])
def test_pdf_updated_after_signing(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    bundle: bytes,
    key_a: UnlockedKey,
    trust_a: Path,
    trusted: bool,
) -> None:
    """An incremental update appended to the signed PDF, the manifest fixed and signed again by the agency's own
    key: every other check passes, even trust, and only the PDF signature's coverage shows it."""
    pdf = updated_after_signing(members_of(bundle)["submission.pdf"])
    path = save(tmp_path, rebuild(bundle, replace={"submission.pdf": pdf}, fix_manifest=True, sign_with=key_a))
    code, line = verify_one(capsys, path, *(["--trusted-certs", trust_a] if trusted else []))
    assert_failed(code, line, path, "pdf_modified_after_signing", "Something was added to the PDF")


def test_pdf_changed_inside_its_signature(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, bundle: bytes, key_a: UnlockedKey
) -> None:
    pdf = changed_inside_signature(members_of(bundle)["submission.pdf"])
    path = save(tmp_path, rebuild(bundle, replace={"submission.pdf": pdf}, fix_manifest=True, sign_with=key_a))
    code, line = verify_one(capsys, path)
    assert_failed(code, line, path, "bad_pdf_signature", "the PDF was changed after it was signed")


def test_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "nowhere.oscb"
    code, line = verify_one(capsys, path)
    assert_failed(code, line, path, "unreadable", "nowhere.oscb could not be read")


def test_not_a_bundle(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = save(tmp_path, b"%PDF-1.7 someone sent the PDF instead", "return.oscb")
    code, line = verify_one(capsys, path)
    assert_failed(code, line, path, "not_zip", "not a zip file")


def test_a_pdf_is_checked_as_a_signed_return_on_its_own(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, bundle: bytes
) -> None:
    broken = save(tmp_path, b"%PDF-1.7 someone sent a broken PDF", "return.pdf")
    code, line = verify_one(capsys, broken)
    assert_failed(code, line, broken, "bad_pdf_signature", "cannot be read", "Ask the agency for the .oscb bundle")
    signed = save(tmp_path, members_of(bundle)["submission.pdf"], "signed.pdf")
    code, line = verify_one(capsys, signed)
    assert code == 0 and line.startswith(f"OK      {signed}  — {AGENCY_A}, Section 11"), line
    assert line.endswith("a signed PDF alone: no evidence files or answer history"), line


def test_one_line_per_bundle_whatever_the_file_name(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A line break in a file name cannot forge a line of output."""
    path = tmp_path / "x.oscb\nOK      forged.oscb"
    code, line = verify_one(capsys, path)
    assert code == 1
    assert line.startswith("FAILED  ") and "\\n" in line


# --- several files, JSON, usage errors --------------------------------------------------------------------------


def test_several_files_one_line_each_in_order(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, bundle: bytes
) -> None:
    good = save(tmp_path, bundle, "good.oscb")
    bad = save(tmp_path, rebuild(bundle, remove=["audit.json"]), "bad.oscb")
    code, lines, _err = verify(capsys, good, bad, good)
    assert code == 1
    assert len(lines) == 3
    assert lines[0].startswith(f"OK      {good}  — ") and lines[2] == lines[0]
    assert lines[1].startswith(f"FAILED  {bad}  — missing_member: audit.json is missing")


def test_all_good_files_exit_zero(capsys: pytest.CaptureFixture[str], tmp_path: Path, bundle: bytes) -> None:
    code, lines, _err = verify(capsys, save(tmp_path, bundle, "a.oscb"), save(tmp_path, bundle, "b.oscb"))
    assert code == 0
    assert [line[:8] for line in lines] == ["OK      ", "OK      "]


def test_json(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    bundle: bytes,
    key_a: UnlockedKey,
    key_b: UnlockedKey,
    trust_a: Path,
) -> None:
    good = save(tmp_path, bundle, "good.oscb")
    bad = save(tmp_path, rebuild(bundle, replace={"signer.pem": pem(key_b)}, fix_manifest=True, sign_with=key_b))
    missing = tmp_path / "missing.oscb"
    code = main(["verify", "--json", str(good), str(bad), str(missing), "--trusted-certs", str(trust_a)])
    results = json.loads(capsys.readouterr().out)["results"]

    assert code == 1
    assert [set(r) for r in results] == [JSON_FIELDS] * 3
    assert results[0] == {
        "file": str(good),
        "ok": True,
        "code": "ok",
        "reason": results[0]["reason"],
        "agency": AGENCY_A,
        "form_id": "section11",
        "form_version": "2026.1",
        "period": "2026/27",
        "submission_id": parse_json(members_of(bundle)["manifest.json"])["submission"]["id"],
        "version": 2,
        "signer_fingerprint": key_a.fingerprint_sha256,
        "trust": "trusted",
        "pdf_carries_data": True,
        "source": "bundle",
    }
    assert "intact" in results[0]["reason"]
    # A failed bundle's manifest is an unproven claim: not reported as what the return is. Who signed, and the
    # trust decision about them, are facts once the manifest signature checked out.
    assert results[1] == {
        "file": str(bad),
        "ok": False,
        "code": "untrusted_signer",
        "reason": results[1]["reason"],
        "agency": None,
        "form_id": None,
        "form_version": None,
        "period": None,
        "submission_id": None,
        "version": None,
        "signer_fingerprint": key_b.fingerprint_sha256,
        "trust": "unknown",
        "pdf_carries_data": False,
        "source": "bundle",
    }
    assert results[2]["code"] == "unreadable" and results[2]["signer_fingerprint"] is None
    assert results[2]["trust"] is None


def test_json_without_trust(capsys: pytest.CaptureFixture[str], tmp_path: Path, bundle: bytes) -> None:
    assert main(["verify", "--json", str(save(tmp_path, bundle))]) == 0
    (result,) = json.loads(capsys.readouterr().out)["results"]
    assert result["ok"] is True and result["trust"] is None
    assert "was not checked" in result["reason"]


def test_json_revoked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, bundle: bytes, key_a: UnlockedKey, trust_a: Path
) -> None:
    (trust_a / "revoked").mkdir()
    (trust_a / "revoked" / "a.pem").write_bytes(pem(key_a))
    assert main(["verify", "--json", "--trusted-certs", str(trust_a), str(save(tmp_path, bundle))]) == 1
    (result,) = json.loads(capsys.readouterr().out)["results"]
    assert (result["code"], result["trust"]) == ("revoked_signer", "revoked")


def test_missing_trust_folder_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, bundle: bytes
) -> None:
    path = save(tmp_path, bundle)
    code, lines, err = verify(capsys, path, "--trusted-certs", tmp_path / "no-such-folder")
    assert code == 2 and lines == []
    assert "no-such-folder does not exist" in err
    code, lines, err = verify(capsys, path, "--trusted-certs", path)
    assert code == 2 and lines == []
    assert "is not a folder" in err


def test_no_file_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["verify"])
    assert exit_info.value.code == 2
    assert "FILE.oscb" in capsys.readouterr().err


def test_as_a_separate_process(tmp_path: Path, bundle: bytes) -> None:
    """The installed ``oscb`` script (or, if it is not installed, the same entry point via ``python -c``)."""
    good = save(tmp_path, bundle, "good.oscb")
    bad = save(tmp_path, rebuild(bundle, replace={"audit.json": b"[]\n"}), "bad.oscb")
    script = shutil.which("oscb", path=str(Path(sys.executable).parent))
    command = [script] if script else [sys.executable, "-c", "import sys, oscb_desktop.cli as c; sys.exit(c.main())"]
    result = subprocess.run(
        [*command, "verify", str(good), str(bad)],
        capture_output=True,
        encoding="utf-8",
        env={**os.environ, "PYTHONUTF8": "1"},
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2, result.stdout
    assert lines[0].startswith(f"OK      {good}  — {DESCRIBED}signer not checked against trusted certificates")
    assert lines[1].startswith(f"FAILED  {bad}  — hash_mismatch: audit.json is not the file that was signed")


# --- the standard tools agree on an altered PDF -----------------------------------------------------------------
# (tests/unit/bundle/test_bundle_tools.py runs the documented commands on an untouched bundle.)


def need(*tools: str) -> None:
    for tool in tools:
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (CI installs it)")


def tool(folder: Path, *command: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=folder, input=stdin, capture_output=True, text=True, timeout=60, check=False)


def unpack(bundle: bytes, folder: Path) -> Path:
    with zipfile.ZipFile(BytesIO(bundle)) as zf:
        zf.extractall(folder)
    return folder


def openssl_verify(folder: Path) -> subprocess.CompletedProcess[str]:
    return tool(
        folder,
        *("openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", "manifest.sig", "-content", "manifest.json"),
        *("-certfile", "signer.pem", "-noverify", "-out", os.devnull),
    )


def sha256sum_check(folder: Path) -> subprocess.CompletedProcess[str]:
    members = parse_json((folder / "manifest.json").read_bytes())["members"]
    return tool(folder, "sha256sum", "-c", stdin="".join(f"{m['sha256']}  {m['path']}\n" for m in members))


def test_tools_on_a_pdf_updated_after_signing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, bundle: bytes, key_a: UnlockedKey
) -> None:
    """Manifest fixed and signed again by the agency's key: openssl and sha256sum are satisfied, and pdfsig (like
    oscb verify) sees the signature no longer covers the whole document."""
    need("openssl", "pdfsig", "sha256sum")
    pdf = updated_after_signing(members_of(bundle)["submission.pdf"])
    tampered = rebuild(bundle, replace={"submission.pdf": pdf}, fix_manifest=True, sign_with=key_a)
    folder = unpack(tampered, tmp_path / "b")

    assert openssl_verify(folder).returncode == 0
    assert sha256sum_check(folder).returncode == 0
    pdfsig = tool(folder, "pdfsig", "submission.pdf")
    assert "Signature is Valid" in pdfsig.stdout, pdfsig.stdout + pdfsig.stderr
    assert "Total document signed" not in pdfsig.stdout
    assert "Not total document signed" in pdfsig.stdout

    code, line = verify_one(capsys, save(tmp_path, tampered))
    assert code == 1 and " — pdf_modified_after_signing: " in line


def test_tools_on_a_pdf_changed_inside_its_signature(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, bundle: bytes
) -> None:
    """The PDF's signed bytes changed and nothing else: sha256sum and pdfsig both complain, and openssl, which
    checks only the manifest, does not; fixing the manifest by hand then breaks openssl's check too."""
    need("openssl", "pdfsig", "sha256sum")
    pdf = changed_inside_signature(members_of(bundle)["submission.pdf"])
    tampered = rebuild(bundle, replace={"submission.pdf": pdf})
    folder = unpack(tampered, tmp_path / "b")

    sums = sha256sum_check(folder)
    assert sums.returncode != 0
    assert "submission.pdf: FAILED" in sums.stdout
    pdfsig = tool(folder, "pdfsig", "submission.pdf")
    assert "Signature is Valid" not in pdfsig.stdout, pdfsig.stdout
    assert "Signature is Invalid" in pdfsig.stdout or "Digest Mismatch" in pdfsig.stdout, pdfsig.stdout
    assert openssl_verify(folder).returncode == 0
    code, line = verify_one(capsys, save(tmp_path, tampered))
    assert code == 1 and " — hash_mismatch: submission.pdf is not the file that was signed" in line

    fixed = rebuild(bundle, replace={"submission.pdf": pdf}, fix_manifest=True)
    folder = unpack(fixed, tmp_path / "fixed")
    openssl = openssl_verify(folder)
    assert openssl.returncode != 0
    assert "Verification successful" not in openssl.stdout + openssl.stderr
    assert sha256sum_check(folder).returncode == 0
    code, line = verify_one(capsys, save(tmp_path, fixed, "fixed.oscb"))
    assert code == 1 and " — bad_manifest_signature: " in line


def test_a_pdf_signature_of_an_unknown_kind_gives_one_line_and_a_clean_stderr(
    tmp_path: Path, bundle: bytes, key_a: UnlockedKey
) -> None:
    """pyHanko logs a traceback for a SubFilter it does not know; it goes to the log file, never to the terminal."""
    pdf = members_of(bundle)["submission.pdf"]
    assert pdf.count(b"/ETSI.CAdES.detached") == 1
    odd = pdf.replace(b"/ETSI.CAdES.detached", b"/ETSI.XAdES.detached")
    path = save(tmp_path, rebuild(bundle, replace={"submission.pdf": odd}, fix_manifest=True, sign_with=key_a))
    logs = tmp_path / "logs"
    result = subprocess.run(
        [sys.executable, "-c", "import sys, oscb_desktop.cli as c; sys.exit(c.main())", "verify", str(path)],
        capture_output=True,
        encoding="utf-8",
        env={**os.environ, "PYTHONUTF8": "1", "OSCB_LOG_DIR": str(logs)},
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr == "", result.stderr
    [line] = result.stdout.splitlines()
    assert line.startswith(f"FAILED  {path}  — bad_pdf_signature:")
    assert "the PDF's signature is damaged or of an unknown kind" in line and "not signed" not in line
    logged = (logs / "oscb-desktop.log").read_text(encoding="utf-8")
    assert "unsupported SubFilter" in logged and "Traceback" in logged, "the detail is kept for whoever looks"

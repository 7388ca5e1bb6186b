"""Anyone can check a bundle without our app (DESIGN.md §5): the commands in docs/bundle-format.md, run as
written on a real bundle. Each test is skipped if its tool is missing; CI installs them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from helpers.bundle_kit import flip_byte, members_of, rebuild

from oscb_desktop.signing import UnlockedKey

DOC = Path(__file__).resolve().parents[3] / "docs" / "bundle-format.md"

OPENSSL_VERIFY = (
    "unzip -d b file.oscb && cd b && openssl cms -verify -binary -inform DER -in manifest.sig -content manifest.json "
    "-certfile signer.pem -noverify -out /dev/null"
)
FINGERPRINT = "openssl x509 -in signer.pem -noout -fingerprint -sha256"
PDFSIG = "pdfsig submission.pdf"
SHA256_JQ = """jq -r '.members[] | "\\(.sha256)  \\(.path)"' manifest.json | sha256sum -c"""
SHA256_PYTHON = (
    """python3 -c 'import json; [print(m["sha256"] + "  " + m["path"]) for m in """
    """json.load(open("manifest.json"))["members"]]' | sha256sum -c"""
)
NOTHING_ELSE = (
    """comm -3 <(find . -type f ! -name manifest.json ! -name manifest.sig | sed 's|^\\./||' | sort) """
    """<(jq -r '.members[].path' manifest.json | sort)"""
)


def need(*tools: str) -> None:
    for tool in ("bash", *tools):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")


def run(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-c", command], cwd=cwd, capture_output=True, text=True, timeout=60, check=False)


def unpack(bundle: bytes, tmp_path: Path) -> Path:
    need("unzip")
    (tmp_path / "file.oscb").write_bytes(bundle)
    result = run("unzip -q -d b file.oscb", tmp_path)
    assert result.returncode == 0, result.stderr
    return tmp_path / "b"


@pytest.mark.parametrize("command", [OPENSSL_VERIFY, FINGERPRINT, PDFSIG, SHA256_JQ, SHA256_PYTHON, NOTHING_ELSE])
def test_the_documented_commands_are_the_tested_ones(command: str) -> None:
    assert f"\n{command}\n" in DOC.read_text(encoding="utf-8")


def test_openssl_verifies_the_manifest_signature(bundle: bytes, tmp_path: Path, key_a: UnlockedKey) -> None:
    need("unzip", "openssl")
    (tmp_path / "file.oscb").write_bytes(bundle)
    result = run(OPENSSL_VERIFY, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Verification successful" in result.stderr + result.stdout

    fingerprint = run(FINGERPRINT, tmp_path / "b")
    assert fingerprint.returncode == 0, fingerprint.stderr
    expected = key_a.certificate.fingerprint(hashes.SHA256()).hex().upper()
    assert fingerprint.stdout.strip().replace(":", "").endswith(expected)


def test_openssl_refuses_a_changed_manifest(bundle: bytes, tmp_path: Path) -> None:
    need("unzip", "openssl")
    manifest = members_of(bundle)["manifest.json"]
    tampered = rebuild(bundle, replace={"manifest.json": flip_byte(manifest, manifest.index(b"Example") + 2)})
    (tmp_path / "file.oscb").write_bytes(tampered)
    result = run(OPENSSL_VERIFY, tmp_path)
    assert result.returncode != 0
    assert "Verification successful" not in result.stderr + result.stdout


def test_pdfsig_accepts_the_signed_return(bundle: bytes, tmp_path: Path) -> None:
    need("pdfsig")
    folder = unpack(bundle, tmp_path)
    result = run(PDFSIG, folder)
    assert result.returncode == 0, result.stderr
    assert "Signature is Valid" in result.stdout
    assert "Total document signed" in result.stdout
    assert "Signer Certificate Common Name: Jane Doe" in result.stdout


@pytest.mark.parametrize("command", [SHA256_JQ, SHA256_PYTHON], ids=["jq", "python"])
def test_sha256sum_checks_every_member(bundle: bytes, tmp_path: Path, command: str) -> None:
    need("sha256sum", "jq" if command == SHA256_JQ else "python3")
    folder = unpack(bundle, tmp_path)
    result = run(command, folder)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == len(members_of(bundle)) - 2
    assert all(line.endswith(": OK") for line in lines)
    assert "signer.pem: OK" in lines


@pytest.mark.parametrize("command", [SHA256_JQ, SHA256_PYTHON], ids=["jq", "python"])
def test_sha256sum_notices_a_changed_member(bundle: bytes, tmp_path: Path, command: str) -> None:
    need("sha256sum", "jq" if command == SHA256_JQ else "python3")
    audit = members_of(bundle)["audit.json"]
    folder = unpack(rebuild(bundle, replace={"audit.json": flip_byte(audit, 10)}), tmp_path)
    result = run(command, folder)
    assert result.returncode != 0
    assert "audit.json: FAILED" in result.stdout


def test_nothing_else_in_the_bundle(bundle: bytes, tmp_path: Path) -> None:
    need("jq", "comm", "find", "sed", "sort")
    folder = unpack(bundle, tmp_path)
    assert run(NOTHING_ELSE, folder).stdout == ""
    (folder / "attachments" / "smuggled.exe").write_bytes(b"MZ")
    assert "attachments/smuggled.exe" in run(NOTHING_ELSE, folder).stdout

"""Returns only the Business Unit can read: export encrypts the bundle for the partnership's Business Unit (CMS
EnvelopedData, AES-256) and keeps the plain bundle in the agency's workspace; the real ``openssl cms -decrypt``
gives that bundle back byte for byte; the Business Unit's import opens it with its key, and refuses, writing
nothing, without the key, with another partnership's key, or when the envelope is damaged."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from helpers.partnership_kit import (
    agency_id,
    bu_key,
    fingerprint,
    sign_and_export,
    tables,
)
from test_returns import complete_answers

from oscb_desktop.services import imports, partnerships, returns
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.signing import envelope


@pytest.fixture
def sealed(bu_a: Workspace, pack_a: Path, agency_ws: Workspace, tmp_path: Path) -> tuple[Path, Path]:
    """A signed return of the agency, exported encrypted for the Business Unit of A: (file sent, plain copy)."""
    joined = partnerships.join(agency_ws, pack_a, trust=fingerprint(bu_a)).partnership
    sub = returns.start_return(agency_ws, agency_id(agency_ws), "section11", "2026/27", partnership_id=joined.id)
    returns.save_answers(agency_ws, sub.id, complete_answers(returns.form_of(agency_ws, sub)))
    (tmp_path / "outbox").mkdir()
    sent = sign_and_export(agency_ws, sub.id, tmp_path / "outbox" / "return.oscb")
    assert sent.name == "return.oscb.p7m" and not sent.with_name("return.oscb").exists(), "nothing travels in clear"
    kept = agency_ws.folder / "sent"
    [copy] = kept.glob("*.oscb")
    return sent, copy


def test_openssl_opens_the_envelope_to_the_very_bundle_the_agency_kept(
    sealed: tuple[Path, Path], bu_a: Workspace, tmp_path: Path
) -> None:
    sent, copy = sealed
    assert not zipfile.is_zipfile(sent) and envelope.is_envelope(sent.read_bytes())
    key = bu_key(bu_a)
    (tmp_path / "bu-cert.pem").write_bytes(key.certificate.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "bu-key.pem").write_bytes(
        key.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    openssl = shutil.which("openssl")
    assert openssl, "openssl is needed for this test (.ci/run installs it)"
    subprocess.run(
        [openssl, "cms", "-decrypt", "-inform", "DER", "-in", str(sent), "-recip", str(tmp_path / "bu-cert.pem"),
         "-inkey", str(tmp_path / "bu-key.pem"), "-out", str(tmp_path / "plain.oscb")],
        check=True, capture_output=True,
    )  # fmt: skip
    assert (tmp_path / "plain.oscb").read_bytes() == copy.read_bytes()
    printed = subprocess.run(
        [openssl, "cms", "-cmsout", "-print", "-inform", "DER", "-in", str(sent)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    assert "aes-256-cbc" in printed and "rsaEncryption" in printed


def test_the_business_unit_imports_it_with_its_key_once_per_run(sealed: tuple[Path, Path], bu_a: Workspace) -> None:
    sent, _copy = sealed
    before = tables(bu_a)
    [locked] = imports.import_paths(bu_a, [sent], trust_new=True)
    assert (locked.outcome, locked.code) == ("rejected", "key_needed") and "passphrase" in locked.reason
    assert tables(bu_a) == before
    [opened] = imports.import_paths(bu_a, [sent.parent], trust_new=True, key=bu_key(bu_a))  # found in a folder
    assert (opened.outcome, opened.code) == ("imported", "ok")


def test_refusals_write_nothing(sealed: tuple[Path, Path], bu_b: Workspace, bu_a: Workspace, tmp_path: Path) -> None:
    sent, _copy = sealed
    before = tables(bu_b)
    [foreign] = imports.import_paths(bu_b, [sent], trust_new=True, key=bu_key(bu_b))
    assert (foreign.outcome, foreign.code) == ("rejected", "encrypted_for_another")
    assert tables(bu_b) == before
    cut = tmp_path / "cut.oscb.p7m"
    cut.write_bytes(sent.read_bytes()[: len(sent.read_bytes()) // 2])
    before = tables(bu_a)
    [damaged] = imports.import_paths(bu_a, [cut], trust_new=True, key=bu_key(bu_a))
    assert (damaged.outcome, damaged.code) == ("rejected", "bad_envelope")
    junk = tmp_path / "junk.oscb.p7m"
    junk.write_bytes(b"\x30\x82" + b"\x00" * 300)
    [bad] = imports.import_paths(bu_a, [junk], trust_new=True, key=bu_key(bu_a))
    assert (bad.outcome, bad.code) == ("rejected", "bad_envelope")
    assert tables(bu_a) == before


def test_a_partnership_without_a_business_unit_key_gets_a_plain_bundle(agency_ws: Workspace, tmp_path: Path) -> None:
    sub = returns.start_return(agency_ws, agency_id(agency_ws), "section11", "2026/27")  # addressed to none
    returns.save_answers(agency_ws, sub.id, complete_answers(returns.form_of(agency_ws, sub)))
    plain = sign_and_export(agency_ws, sub.id, tmp_path / "plain.oscb")
    assert plain.exists() and zipfile.is_zipfile(plain)

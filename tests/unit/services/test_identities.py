"""Keys stored the old ways are re-protected on the next unlock with the right passphrase, wherever it happens:
the service itself, sign-off, export (window and ``oscb export``). A wrong passphrase changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.old_keys import pkcs12_blob

from oscb_desktop import demo
from oscb_desktop.cli import main
from oscb_desktop.services import identities, registry, signoff
from oscb_desktop.services.values import IdentityInfo
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.signing import WrongPassphraseError, needs_reprotection
from oscb_desktop.store import Agency, Submission
from oscb_desktop.store.models import SigningIdentity as IdentityRow

PASSPHRASE = "a long enough passphrase"


def store_the_old_way(ws: Workspace, row: IdentityInfo, passphrase: str) -> IdentityInfo:
    """Put the identity's key back into the PKCS#12 container with the weak MAC, as version 0.1 stored it."""
    key = identities.unlock(row, passphrase)
    with ws.bound():
        IdentityRow.update(encrypted_key_pem=pkcs12_blob(key, passphrase).decode("ascii")).where(
            IdentityRow.id == row.id
        ).execute()
    stored = identities.for_fingerprint(ws, row.agency_id, row.fingerprint)
    assert stored is not None and needs_reprotection(identities.to_identity(stored))
    return stored


def stored_key(ws: Workspace, row: IdentityInfo) -> str:
    stored = identities.for_fingerprint(ws, row.agency_id, row.fingerprint)
    assert stored is not None
    return stored.encrypted_key_pem


def test_unlock_and_upgrade_reprotects_once_and_only_with_the_right_passphrase(
    workspace: Workspace, agency: Agency
) -> None:
    row = identities.create(
        workspace, agency.id, person_name="Sam Lead", role="Lead", email=None, passphrase=PASSPHRASE
    )
    old = store_the_old_way(workspace, row, PASSPHRASE)

    with pytest.raises(WrongPassphraseError):
        identities.unlock_and_upgrade(workspace, old, "not the passphrase")
    assert stored_key(workspace, old) == old.encrypted_key_pem, "a wrong passphrase changes nothing"

    key = identities.unlock_and_upgrade(workspace, old, PASSPHRASE)
    assert key.fingerprint_sha256 == row.fingerprint
    upgraded = stored_key(workspace, old)
    assert upgraded.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    renewed = identities.for_fingerprint(workspace, agency.id, row.fingerprint)
    assert renewed is not None and not needs_reprotection(identities.to_identity(renewed))
    assert renewed.certificate_pem == row.certificate_pem and renewed.created_at == row.created_at

    identities.unlock_and_upgrade(workspace, renewed, PASSPHRASE)
    assert stored_key(workspace, old) == upgraded, "stored once; a protected key is left alone"


def test_sign_off_upgrades_the_key_it_unlocks(tmp_path: Path) -> None:
    with Workspace.open(tmp_path / "ws") as ws:
        ws.bind()
        demo.generate(ws, agencies=1)
        signed = Submission.select().where(Submission.status == "signed").first()
        row = identities.current(ws, signed.agency_id)
        assert row is not None
        old = store_the_old_way(ws, row, demo.DEMO_PASSPHRASE)
        draft = signoff.reopen(ws, signed.id)  # version 2, as complete as version 1
        with pytest.raises(WrongPassphraseError):
            signoff.sign_off(ws, draft.id, signatory_name="Sam", signatory_role="Lead", passphrase="wrong guess")
        assert stored_key(ws, old) == old.encrypted_key_pem
        signoff.sign_off(ws, draft.id, signatory_name="Sam", signatory_role="Lead", passphrase=demo.DEMO_PASSPHRASE)
        assert stored_key(ws, old).startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")


def test_oscb_export_upgrades_the_key_it_unlocks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "ws"
    with Workspace.open(folder) as ws:
        ws.bind()
        demo.generate(ws, agencies=1)
        sub = Submission.select().where(Submission.status == "signed").first()
        row = identities.for_fingerprint(ws, sub.agency_id, sub.signer_fingerprint)
        assert row is not None
        old = store_the_old_way(ws, row, demo.DEMO_PASSPHRASE)
    secret = tmp_path / "passphrase.txt"
    secret.write_text(demo.DEMO_PASSPHRASE + "\n", encoding="utf-8")
    out = tmp_path / "return.oscb"
    args = ["--data-dir", str(folder), "export", sub.id, "--out", str(out), "--passphrase-file", str(secret)]
    assert main(args) == 0, capsys.readouterr().err
    with Workspace.open(folder) as ws:
        assert stored_key(ws, old).startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")


def test_a_p12_file_too_large_to_be_one_is_refused_unread(tmp_path: Path) -> None:
    huge = tmp_path / "huge.p12"
    with huge.open("wb") as fh:
        fh.truncate(identities.MAX_PKCS12_BYTES + 1)
    with pytest.raises(identities.IdentityError, match=r"too large to be a \.p12"):
        identities.read_pkcs12_file(huge)
    with pytest.raises(identities.IdentityError, match="could not be read"):
        identities.read_pkcs12_file(tmp_path / "missing.p12")
    small = tmp_path / "small.p12"
    small.write_bytes(b"\x30\x03\x02\x01\x03")
    assert identities.read_pkcs12_file(small) == b"\x30\x03\x02\x01\x03"


def test_a_certificate_file_too_large_to_be_one_is_refused_unread(tmp_path: Path) -> None:
    huge = tmp_path / "huge.pem"
    with huge.open("wb") as fh:
        fh.truncate(registry.MAX_CERTIFICATE_BYTES + 1)
    with pytest.raises(registry.RegisterError, match="too large to be a certificate"):
        registry.read_certificate_file(huge)

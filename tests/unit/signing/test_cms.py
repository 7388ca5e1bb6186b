"""Detached CMS signatures over exact bytes, checked by us and by the real ``openssl cms``."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7

from oscb_desktop.signing import (
    SignatureInvalidError,
    UnlockedKey,
    create_identity,
    sign_detached,
    unlock,
    verify_detached,
)

MANIFEST = b'{"format": "oscb-bundle", "version": 1, "agency": "Example Agency"}\n'


def test_round_trip_returns_the_signer_certificate(unlocked: UnlockedKey) -> None:
    signature = sign_detached(MANIFEST, unlocked)
    assert verify_detached(signature, MANIFEST) == unlocked.certificate


def test_rsa_signer_round_trip(rsa_unlocked: UnlockedKey) -> None:
    assert verify_detached(sign_detached(MANIFEST, rsa_unlocked), MANIFEST) == rsa_unlocked.certificate


def test_one_flipped_byte_in_the_data_is_detected(unlocked: UnlockedKey) -> None:
    signature = sign_detached(MANIFEST, unlocked)
    tampered = bytearray(MANIFEST)
    tampered[10] ^= 0x01
    with pytest.raises(SignatureInvalidError, match="does not match the signed data"):
        verify_detached(signature, bytes(tampered))


def test_damaged_signature_value_is_detected(unlocked: UnlockedKey) -> None:
    signature = bytearray(sign_detached(MANIFEST, unlocked))
    signature[-1] ^= 0x01  # the last byte belongs to the signature value itself
    with pytest.raises(SignatureInvalidError, match="damaged"):
        verify_detached(bytes(signature), MANIFEST)


def test_signature_by_another_key_verifies_to_that_key(unlocked: UnlockedKey, passphrase: str) -> None:
    other = unlock(create_identity("Mallory", "Lead", "Example Agency", None, passphrase), passphrase)
    signer = verify_detached(sign_detached(MANIFEST, other), MANIFEST)
    assert signer == other.certificate
    assert signer.fingerprint(hashes.SHA256()).hex() != unlocked.fingerprint_sha256


@pytest.mark.parametrize("garbage", [b"", b"not a signature", b"\x30\x03\x02\x01\x01"])
def test_garbage_is_not_a_cms_signature(garbage: bytes) -> None:
    with pytest.raises(SignatureInvalidError, match="not a CMS signature"):
        verify_detached(garbage, MANIFEST)


def test_truncated_signature_is_not_a_cms_signature(unlocked: UnlockedKey) -> None:
    with pytest.raises(SignatureInvalidError, match="not a CMS signature"):
        verify_detached(sign_detached(MANIFEST, unlocked)[:-20], MANIFEST)


def test_signature_without_certificate_is_refused(unlocked: UnlockedKey) -> None:
    signature = (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(MANIFEST)
        .add_signer(unlocked.certificate, unlocked.private_key, hashes.SHA256())
        .sign(
            serialization.Encoding.DER,
            [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary, pkcs7.PKCS7Options.NoCerts],
        )
    )
    with pytest.raises(SignatureInvalidError, match="no signer certificate"):
        verify_detached(signature, MANIFEST)


def test_attached_signature_is_refused(unlocked: UnlockedKey) -> None:
    signature = (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(MANIFEST)
        .add_signer(unlocked.certificate, unlocked.private_key, hashes.SHA256())
        .sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.Binary])
    )
    with pytest.raises(SignatureInvalidError, match="not detached"):
        verify_detached(signature, MANIFEST)


def test_openssl_cms_verifies_our_signature(unlocked: UnlockedKey, tmp_path: Path) -> None:
    """DESIGN.md §5 promises anyone can check the manifest with ``openssl cms -verify``."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    (tmp_path / "sig.der").write_bytes(sign_detached(MANIFEST, unlocked))
    (tmp_path / "data.bin").write_bytes(MANIFEST)
    (tmp_path / "cert.pem").write_bytes(unlocked.certificate.public_bytes(serialization.Encoding.PEM))
    command = [
        openssl,
        "cms",
        "-verify",
        "-binary",
        "-inform",
        "DER",
        "-in",
        "sig.der",
        "-content",
        "data.bin",
        "-certfile",
        "cert.pem",
        "-noverify",
        "-out",
        "verified.bin",
    ]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "Verification successful" in result.stderr
    assert (tmp_path / "verified.bin").read_bytes() == MANIFEST

    (tmp_path / "data.bin").write_bytes(MANIFEST.replace(b"Example", b"Exampl3"))
    tampered = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert tampered.returncode != 0

"""Signing keys stored the way earlier versions of the app stored them, to show they still unlock and are
re-protected: a PKCS#12 container whose outer MAC takes only 2,048 iterations (cryptography's fixed count), and
before that PKCS#8 under cryptography's ``BestAvailableEncryption``."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from oscb_desktop.signing import SigningIdentity, UnlockedKey

KDF_ROUNDS = 600_000


def pkcs12_blob(key: UnlockedKey, passphrase: str) -> bytes:
    """The stored key as version 0.1 wrote it: PBES2/AES-256 with 600,000 rounds inside, a 2,048-round MAC outside."""
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(KDF_ROUNDS)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(passphrase.encode())
    )
    der = pkcs12.serialize_key_and_certificates(None, key.private_key, None, None, encryption)
    body = base64.encodebytes(der).replace(b"\n", b"")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return b"\n".join(
        [b"-----BEGIN PKCS12 ENCRYPTED PRIVATE KEY-----", *lines, b"-----END PKCS12 ENCRYPTED PRIVATE KEY-----", b""]
    )


def pkcs8_blob(key: UnlockedKey, passphrase: str) -> bytes:
    """The stored key as the first versions wrote it: PKCS#8 with the library's default (few) rounds."""
    return key.private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase.encode()),
    )


def stored_as(identity: SigningIdentity, blob: bytes) -> SigningIdentity:
    return SigningIdentity(certificate_pem=identity.certificate_pem, encrypted_key_pem=blob)

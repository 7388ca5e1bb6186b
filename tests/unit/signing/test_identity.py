"""Signing identities: certificate contents, the key encrypted at rest, passphrases and PKCS#12 import."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from oscb_desktop.signing import (
    IdentityError,
    SigningIdentity,
    WrongPassphraseError,
    change_passphrase,
    create_identity,
    fingerprint,
    format_fingerprint,
    import_pkcs12,
    unlock,
)

P12_PASSWORD = "p12-secret"
NEW_PASSPHRASE = "another good passphrase"

CertificateFactory = Callable[..., x509.Certificate]


def _p12(
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | None,
    certificate: x509.Certificate | None,
    password: str = P12_PASSWORD,
) -> bytes:
    return pkcs12.serialize_key_and_certificates(
        b"signer", key, certificate, None, serialization.BestAvailableEncryption(password.encode())
    )


def _attribute(certificate: x509.Certificate, oid: x509.ObjectIdentifier) -> str:
    (attribute,) = certificate.subject.get_attributes_for_oid(oid)
    assert isinstance(attribute.value, str)
    return attribute.value


def test_certificate_names_the_signatory_role_and_agency(identity: SigningIdentity) -> None:
    certificate = identity.certificate
    assert _attribute(certificate, NameOID.COMMON_NAME) == "Jane Doe"
    assert _attribute(certificate, NameOID.TITLE) == "Designated Safeguarding Lead"
    assert _attribute(certificate, NameOID.ORGANIZATION_NAME) == "Example Agency"
    assert _attribute(certificate, NameOID.EMAIL_ADDRESS) == "jane.doe@example.org"
    assert certificate.issuer == certificate.subject
    assert identity.subject_name == "Jane Doe"
    assert identity.organisation == "Example Agency"


def test_email_is_optional(passphrase: str) -> None:
    identity = create_identity("Sam Roe", "Head", "School", None, passphrase)
    assert identity.certificate.subject.get_attributes_for_oid(NameOID.EMAIL_ADDRESS) == []


def test_certificate_is_a_p256_signing_only_end_entity(identity: SigningIdentity) -> None:
    certificate = identity.certificate
    public_key = certificate.public_key()
    assert isinstance(public_key, ec.EllipticCurvePublicKey)
    assert isinstance(public_key.curve, ec.SECP256R1)
    assert isinstance(certificate.signature_hash_algorithm, hashes.SHA256)

    key_usage = certificate.extensions.get_extension_for_class(x509.KeyUsage)
    assert key_usage.critical
    assert key_usage.value.digital_signature
    assert key_usage.value.content_commitment
    assert not any(
        (
            key_usage.value.key_encipherment,
            key_usage.value.data_encipherment,
            key_usage.value.key_agreement,
            key_usage.value.key_cert_sign,
            key_usage.value.crl_sign,
        )
    )
    assert certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    ski = certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    assert ski == x509.SubjectKeyIdentifier.from_public_key(public_key)


def test_validity_runs_from_just_before_now_for_the_requested_years(passphrase: str) -> None:
    before = dt.datetime.now(dt.UTC)
    identity = create_identity("Sam Roe", "Head", "School", None, passphrase, valid_years=2)
    certificate = identity.certificate
    backdate = before - certificate.not_valid_before_utc
    assert dt.timedelta(minutes=4) <= backdate <= dt.timedelta(minutes=6)
    lifetime = identity.not_valid_after - certificate.not_valid_before_utc
    assert dt.timedelta(days=2 * 365) <= lifetime <= dt.timedelta(days=2 * 366 + 1)


def test_fingerprints_agree_and_display_in_groups_of_four(identity: SigningIdentity) -> None:
    der = identity.certificate.public_bytes(serialization.Encoding.DER)
    assert identity.fingerprint_sha256 == hashlib.sha256(der).hexdigest()
    assert fingerprint(der) == fingerprint(identity.certificate_pem) == identity.fingerprint_sha256
    assert re.fullmatch(r"(?:[0-9A-F]{4} ){15}[0-9A-F]{4}", identity.fingerprint_display)
    assert identity.fingerprint_display.replace(" ", "").lower() == identity.fingerprint_sha256
    assert format_fingerprint("3f2a9c01ab") == "3F2A 9C01 AB"


def test_stored_key_is_encrypted(identity: SigningIdentity) -> None:
    assert identity.encrypted_key_pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert b"BEGIN PRIVATE KEY" not in identity.encrypted_key_pem
    with pytest.raises(TypeError):  # cryptography: an encrypted key needs a password
        serialization.load_pem_private_key(identity.encrypted_key_pem, None)
    # What protects it (PBES2, 600,000 PBKDF2-SHA256 rounds, no MAC) is checked in test_key_protection.py.


def test_an_identity_stored_as_pkcs8_still_unlocks(identity: SigningIdentity, passphrase: str) -> None:
    key = unlock(identity, passphrase).private_key
    legacy = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase.encode()),
    )
    old = SigningIdentity(certificate_pem=identity.certificate_pem, encrypted_key_pem=legacy)
    assert unlock(old, passphrase).fingerprint_sha256 == identity.fingerprint_sha256
    with pytest.raises(WrongPassphraseError):
        unlock(old, "not the passphrase")


def test_unlock_gives_the_key_of_the_certificate(identity: SigningIdentity, passphrase: str) -> None:
    key = unlock(identity, passphrase)
    assert key.certificate == identity.certificate
    assert key.private_key.public_key() == identity.certificate.public_key()
    assert key.fingerprint_sha256 == identity.fingerprint_sha256
    assert "private_key" not in repr(key)


@pytest.mark.parametrize("wrong", ["wrong passphrase", ""])
def test_wrong_passphrase_is_reported_plainly(identity: SigningIdentity, wrong: str) -> None:
    with pytest.raises(WrongPassphraseError) as caught:
        unlock(identity, wrong)
    assert str(caught.value) == "The passphrase is not right. Check it and try again; nothing was changed."


@pytest.mark.parametrize("short", ["", "1234567"])
def test_short_passphrase_is_refused_on_creation(short: str) -> None:
    with pytest.raises(IdentityError, match="at least 8 characters"):
        create_identity("Jane Doe", "Lead", "Agency", None, short)


@pytest.mark.parametrize(
    ("person", "role", "agency", "email", "message"),
    [
        ("  ", "Lead", "Agency", None, "signatory's name"),
        ("Jane", "", "Agency", None, "signatory's role"),
        ("Jane", "Lead", "", None, "agency's name"),
        ("J" * 65, "Lead", "Agency", None, "too long"),
        ("Jane", "Lead", "Agency", "not an address", "email address"),
    ],
)
def test_incomplete_details_are_refused(
    person: str, role: str, agency: str, email: str | None, message: str, passphrase: str
) -> None:
    with pytest.raises(IdentityError, match=message):
        create_identity(person, role, agency, email, passphrase)


def test_change_passphrase_keeps_the_certificate(identity: SigningIdentity, passphrase: str) -> None:
    changed = change_passphrase(identity, passphrase, NEW_PASSPHRASE)
    assert changed.certificate_pem == identity.certificate_pem
    assert unlock(changed, NEW_PASSPHRASE).private_key.public_key() == identity.certificate.public_key()
    with pytest.raises(WrongPassphraseError):
        unlock(changed, passphrase)


def test_change_passphrase_needs_the_old_one_and_a_long_new_one(identity: SigningIdentity, passphrase: str) -> None:
    with pytest.raises(WrongPassphraseError):
        change_passphrase(identity, "not the passphrase", NEW_PASSPHRASE)
    with pytest.raises(IdentityError, match="at least 8 characters"):
        change_passphrase(identity, passphrase, "short")


def test_pkcs12_round_trip_with_ec_key(identity: SigningIdentity, passphrase: str) -> None:
    key = unlock(identity, passphrase).private_key
    imported = import_pkcs12(_p12(key, identity.certificate), P12_PASSWORD, NEW_PASSPHRASE)
    assert imported.fingerprint_sha256 == identity.fingerprint_sha256
    assert b"ENCRYPTED PRIVATE KEY" in imported.encrypted_key_pem
    assert unlock(imported, NEW_PASSPHRASE).private_key.public_key() == key.public_key()


def test_pkcs12_round_trip_with_rsa_key(make_certificate: CertificateFactory) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    certificate = make_certificate(key, common_name="Org Signer")
    imported = import_pkcs12(_p12(key, certificate), P12_PASSWORD, NEW_PASSPHRASE)
    assert imported.subject_name == "Org Signer"
    assert imported.organisation is None
    assert isinstance(unlock(imported, NEW_PASSPHRASE).private_key, rsa.RSAPrivateKey)


def test_pkcs12_wrong_password(identity: SigningIdentity, passphrase: str) -> None:
    data = _p12(unlock(identity, passphrase).private_key, identity.certificate)
    with pytest.raises(IdentityError, match=r"password for this \.p12 file is not right"):
        import_pkcs12(data, "not the password", NEW_PASSPHRASE)


@pytest.mark.parametrize("data", [b"", b"this is not a certificate file", b"\x30\x03\x02\x01\x03"])
def test_not_a_pkcs12_file(data: bytes) -> None:
    with pytest.raises(IdentityError, match=r"not a certificate file in PKCS#12 format"):
        import_pkcs12(data, P12_PASSWORD, NEW_PASSPHRASE)


def test_certificate_pem_is_not_a_pkcs12_file(identity: SigningIdentity) -> None:
    with pytest.raises(IdentityError, match="PKCS#12"):
        import_pkcs12(identity.certificate_pem, P12_PASSWORD, NEW_PASSPHRASE)


def test_pkcs12_without_key(identity: SigningIdentity) -> None:
    with pytest.raises(IdentityError, match="no private key"):
        import_pkcs12(_p12(None, identity.certificate), P12_PASSWORD, NEW_PASSPHRASE)


def test_pkcs12_without_certificate() -> None:
    with pytest.raises(IdentityError, match="no certificate"):
        import_pkcs12(_p12(ec.generate_private_key(ec.SECP256R1()), None), P12_PASSWORD, NEW_PASSPHRASE)


def test_pkcs12_with_expired_certificate(make_certificate: CertificateFactory) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    expired = make_certificate(key, not_after=dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
    with pytest.raises(IdentityError, match="expired"):
        import_pkcs12(_p12(key, expired), P12_PASSWORD, NEW_PASSPHRASE)


def test_pkcs12_with_certificate_not_for_signing(make_certificate: CertificateFactory) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    encryption_only = make_certificate(key, key_usage={"digital_signature": False, "key_agreement": True})
    with pytest.raises(IdentityError, match="not allowed to make digital signatures"):
        import_pkcs12(_p12(key, encryption_only), P12_PASSWORD, NEW_PASSPHRASE)


def test_pkcs12_with_non_repudiation_only_certificate_is_accepted(make_certificate: CertificateFactory) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = make_certificate(key, key_usage={"digital_signature": False, "content_commitment": True})
    assert import_pkcs12(_p12(key, certificate), P12_PASSWORD, NEW_PASSPHRASE).certificate == certificate


def test_pkcs12_with_short_rsa_key(make_certificate: CertificateFactory) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    with pytest.raises(IdentityError, match="too short"):
        import_pkcs12(_p12(key, make_certificate(key)), P12_PASSWORD, NEW_PASSPHRASE)


def test_pkcs12_import_needs_a_long_passphrase(identity: SigningIdentity, passphrase: str) -> None:
    data = _p12(unlock(identity, passphrase).private_key, identity.certificate)
    with pytest.raises(IdentityError, match="at least 8 characters"):
        import_pkcs12(data, P12_PASSWORD, "short")

"""The one certificate loader (PEM or DER, anything else a clear error) and the one way to name a subject."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding

from oscb_desktop.signing import (
    CertificateError,
    SigningError,
    SigningIdentity,
    describe_subject,
    fingerprint,
    load_certificate,
)


def test_pem_and_der_give_the_same_certificate(identity: SigningIdentity) -> None:
    pem = identity.certificate_pem
    der = identity.certificate.public_bytes(Encoding.DER)
    assert load_certificate(pem) == load_certificate(der) == identity.certificate
    assert fingerprint(pem) == fingerprint(der) == identity.fingerprint_sha256


def test_pem_after_a_readable_dump_is_found(identity: SigningIdentity) -> None:
    """``openssl x509 -text`` writes the certificate in words before the PEM block."""
    dumped = b"Certificate:\n    Data:\n        Version: 3 (0x2)\n" + identity.certificate_pem
    assert load_certificate(dumped) == identity.certificate


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"This is a Word document, honest.",
        b"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n",
        b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        bytes(range(256)),
    ],
    ids=["empty", "text", "broken-pem", "a-key", "binary"],
)
def test_anything_else_is_a_certificate_error(data: bytes) -> None:
    with pytest.raises(CertificateError, match="not a certificate") as caught:
        load_certificate(data)
    # In the signing family, and still a ValueError for callers that caught what cryptography raises.
    assert isinstance(caught.value, SigningError) and isinstance(caught.value, ValueError)


def test_a_truncated_der_certificate_is_refused(identity: SigningIdentity) -> None:
    der = identity.certificate.public_bytes(Encoding.DER)
    with pytest.raises(CertificateError):
        load_certificate(der[: len(der) // 2])


def test_describe_subject_names_person_title_organisation_and_email(identity: SigningIdentity) -> None:
    assert describe_subject(identity.certificate) == (
        "Jane Doe, Designated Safeguarding Lead, Example Agency, jane.doe@example.org"
    )


def test_describe_subject_names_each_value_once(make_certificate: Callable[..., x509.Certificate]) -> None:
    name = x509.Name(
        [
            x509.NameAttribute(x509.NameOID.COMMON_NAME, "Oxford City Council"),
            x509.NameAttribute(x509.NameOID.ORGANIZATIONAL_UNIT_NAME, "Housing"),
            x509.NameAttribute(x509.NameOID.ORGANIZATION_NAME, "Oxford City Council"),
        ]
    )
    assert describe_subject(make_certificate(_key(), subject=name)) == "Oxford City Council, Housing"


def test_describe_subject_without_a_name_falls_back_to_the_whole_subject(
    make_certificate: Callable[..., x509.Certificate],
) -> None:
    name = x509.Name([x509.NameAttribute(x509.NameOID.COUNTRY_NAME, "GB")])
    assert describe_subject(make_certificate(_key(), subject=name)) == "C=GB"


def test_describe_subject_of_a_certificate_made_elsewhere(make_certificate: Callable[..., x509.Certificate]) -> None:
    certificate = make_certificate(_key(), common_name="Imported Signer")
    assert describe_subject(certificate) == "Imported Signer"


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())

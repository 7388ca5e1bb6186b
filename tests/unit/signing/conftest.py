"""Shared fixtures for the signing tests: identities, keys and a small PDF."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from reportlab.pdfgen import canvas

from oscb_desktop.signing import SigningIdentity, UnlockedKey, create_identity, unlock

PASSPHRASE = "correct horse battery"


@pytest.fixture(scope="module")
def passphrase() -> str:
    return PASSPHRASE


@pytest.fixture(scope="module")
def identity() -> SigningIdentity:
    return create_identity(
        "Jane Doe", "Designated Safeguarding Lead", "Example Agency", "jane.doe@example.org", PASSPHRASE
    )


@pytest.fixture(scope="module")
def unlocked(identity: SigningIdentity) -> UnlockedKey:
    return unlock(identity, PASSPHRASE)


@pytest.fixture(scope="module")
def make_certificate() -> Callable[..., x509.Certificate]:
    """Build a self-signed certificate the way other tools would, with only the parts a test cares about."""

    def build(
        key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
        *,
        common_name: str = "Imported Signer",
        not_after: dt.datetime | None = None,
        key_usage: dict[str, bool] | None = None,
        subject: x509.Name | None = None,
    ) -> x509.Certificate:
        now = dt.datetime.now(dt.UTC)
        usage = {
            "digital_signature": True,
            "content_commitment": False,
            "key_encipherment": False,
            "data_encipherment": False,
            "key_agreement": False,
            "key_cert_sign": False,
            "crl_sign": False,
            "encipher_only": False,
            "decipher_only": False,
        } | (key_usage or {})
        name = subject or x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        not_after = not_after or now + dt.timedelta(days=365)
        return (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(min(now, not_after) - dt.timedelta(days=30))
            .not_valid_after(not_after)
            .add_extension(x509.KeyUsage(**usage), critical=True)
            .sign(key, hashes.SHA256())
        )

    return build


@pytest.fixture(scope="module")
def rsa_unlocked(make_certificate: Callable[..., x509.Certificate]) -> UnlockedKey:
    """An RSA key with a certificate that allows digital signature only, like many organisation certificates."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return UnlockedKey(private_key=key, certificate=make_certificate(key, common_name="RSA Signer"))


@pytest.fixture(scope="module")
def small_pdf() -> bytes:
    """A valid two-page PDF with uncompressed content, so tests can find and alter its text."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pageCompression=0)
    pdf.drawString(72, 720, "Section 11 return: Example Agency")
    pdf.showPage()
    pdf.drawString(72, 720, "Signed off by the designated safeguarding lead")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()

"""Files only their recipient can read: a whole file wrapped in CMS EnvelopedData (RFC 5652), AES-256-CBC, with
the content key transported to each recipient's RSA certificate — what ``openssl cms -encrypt -aes256`` makes, so
``openssl cms -decrypt -inform DER -in F -recip cert.pem -inkey key.pem`` gives the file back byte for byte.

``cryptography`` makes and opens the envelope; ``asn1crypto`` (which pyHanko brings) only reads who it is for.
Key transport needs RSA recipients: neither library makes ECDH (key agreement) envelopes, which is why the
Business Unit's identity is RSA (:func:`oscb_desktop.signing.create_identity` ``for_encryption``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers import algorithms
from cryptography.hazmat.primitives.serialization import Encoding, pkcs7

from oscb_desktop.signing.identity import UnlockedKey

#: What an encrypted return's file name ends in (after ``.oscb``).
ENVELOPE_SUFFIX = ".p7m"


class EnvelopeError(Exception):
    """An envelope that cannot be opened; ``kind`` is ``damaged``, ``not_for_you`` or ``unsupported``."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Recipient:
    """Whom an envelope is for: the issuer and serial number of a recipient's certificate."""

    issuer_der: bytes
    serial: int

    @classmethod
    def of(cls, certificate: x509.Certificate) -> Recipient:
        return cls(certificate.issuer.public_bytes(), certificate.serial_number)


def can_encrypt_to(certificate: x509.Certificate) -> bool:
    return isinstance(certificate.public_key(), rsa.RSAPublicKey)


def encrypt(data: bytes, recipients: Sequence[x509.Certificate]) -> bytes:
    """``data`` as DER EnvelopedData that each of ``recipients`` (RSA certificates) can open."""
    if not recipients:
        raise ValueError("an envelope needs at least one recipient")
    builder = pkcs7.PKCS7EnvelopeBuilder().set_data(data).set_content_encryption_algorithm(algorithms.AES256)
    for certificate in recipients:
        builder = builder.add_recipient(certificate)
    return builder.encrypt(Encoding.DER, [pkcs7.PKCS7Options.Binary])


def is_envelope(data: bytes) -> bool:
    """Whether ``data`` starts like a DER ContentInfo of type envelopedData (without reading it all)."""
    # SEQUENCE, then the OID 1.2.840.113549.1.7.3 within the first few bytes.
    return data[:1] == b"\x30" and b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x03" in data[:24]


def recipients(data: bytes) -> list[Recipient]:
    """Whom the envelope is for; :class:`EnvelopeError` (``damaged``) when it is not a readable envelope."""
    from asn1crypto import cms  # on first use: the first window opens without it

    try:
        info = cms.ContentInfo.load(data, strict=True)
        if info["content_type"].native != "enveloped_data":
            raise EnvelopeError("damaged", "The file is not an encrypted OSCB file (CMS EnvelopedData).")
        found = []
        for choice in info["content"]["recipient_infos"]:
            if choice.name != "ktri" or choice.chosen["rid"].name != "issuer_and_serial_number":
                continue
            rid = choice.chosen["rid"].chosen
            found.append(Recipient(rid["issuer"].dump(), int(rid["serial_number"].native)))
        return found
    except EnvelopeError:
        raise
    except (ValueError, TypeError, KeyError) as exc:
        raise EnvelopeError("damaged", f"The encrypted file is damaged or cut short ({exc}).") from None


def decrypt(data: bytes, key: UnlockedKey) -> bytes:
    """The content of an envelope for ``key``'s certificate; :class:`EnvelopeError` when it is not for that key
    (``not_for_you``) or cannot be opened (``damaged``)."""
    mine = Recipient.of(key.certificate)
    if mine not in recipients(data):
        raise EnvelopeError("not_for_you", "The file is encrypted for someone else's key.")
    if not isinstance(key.private_key, rsa.RSAPrivateKey):
        raise EnvelopeError("unsupported", "Only an RSA key can open an encrypted file.")
    try:
        return pkcs7.pkcs7_decrypt_der(data, key.certificate, key.private_key, [])
    except ValueError as exc:
        raise EnvelopeError("damaged", f"The encrypted file cannot be opened: it is damaged ({exc}).") from None

"""Reading a certificate someone handed us, and saying in words whom it names.

Certificates arrive as ``signer.pem`` in a bundle, as a ``.pem`` (or ``.cer``/DER) file an agency sends to
be registered, or as PEM text kept in the workspace. One loader reads them all, so every caller refuses a
non-certificate with the same kind of error, and one function names the subject the same way everywhere.
"""

from __future__ import annotations

from cryptography import x509
from cryptography.x509.oid import NameOID

from oscb_desktop.signing.errors import CertificateError

#: The subject attributes that say who signed, in the order people read them.
_DESCRIBED = (
    NameOID.COMMON_NAME,
    NameOID.TITLE,
    NameOID.ORGANIZATIONAL_UNIT_NAME,
    NameOID.ORGANIZATION_NAME,
    NameOID.EMAIL_ADDRESS,
)


def load_certificate(data: bytes) -> x509.Certificate:
    """One X.509 certificate from PEM (the first one, if there are several) or DER bytes.

    Raises :class:`CertificateError` for anything else. PEM is recognised by its ``-----BEGIN`` line anywhere
    in the data, since ``openssl x509 -text`` writes a readable dump before it.
    """
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError:
        raise CertificateError("This is not a certificate: it is neither a PEM nor a DER X.509 certificate.") from None


def describe_subject(certificate: x509.Certificate) -> str:
    """Who a certificate names, in words: ``Femi Reid, Director of Children's Services, Oxford City Council``.

    Name, title, unit, organisation and email, each value once; the whole subject in RFC 4514 form when it has
    none of these.
    """
    parts = [str(a.value) for oid in _DESCRIBED for a in certificate.subject.get_attributes_for_oid(oid)]
    return ", ".join(dict.fromkeys(parts)) or certificate.subject.rfc4514_string()

"""Detached CMS (PKCS#7) signatures over exact bytes, e.g. a bundle's ``manifest.json``.

Signing uses cryptography's PKCS#7 builder, which produces the same structure
``openssl cms -sign -binary`` does, so anyone can check a bundle with
``openssl cms -verify`` (DESIGN.md §5). Verification is done here with
asn1crypto (parsing) and cryptography (maths) because cryptography's own
PKCS#7 verification cannot check a detached signature against a self-signed
certificate without also deciding trust, and trust is decided elsewhere, by
certificate fingerprint.
"""

from __future__ import annotations

import hashlib
import hmac

from asn1crypto import algos, cms
from asn1crypto import x509 as asn1_x509
from asn1crypto.core import Void
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs7

from oscb_desktop.signing.errors import SignatureInvalidError
from oscb_desktop.signing.identity import UnlockedKey

#: id-data (RFC 5652 §4), the only content type we sign.
_ID_DATA = "1.2.840.113549.1.7.1"

#: Digest algorithms accepted for the signer, by OID, as hashlib names.
_DIGESTS = {"2.16.840.1.101.3.4.2.1": "sha256"}
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {"sha256": hashes.SHA256}

#: Signature algorithms accepted, by OID: the key they need and the hash they name (None for
#: rsaEncryption, which names none and means the digest algorithm's; openssl writes it for RSA keys).
#: A named hash must be the digest algorithm's, so SHA-384/512 entries are here to say so plainly.
_SIGNATURES: dict[str, tuple[type[ec.EllipticCurvePublicKey] | type[rsa.RSAPublicKey], str | None]] = {
    "1.2.840.10045.4.3.2": (ec.EllipticCurvePublicKey, "sha256"),  # ecdsa-with-SHA256
    "1.2.840.10045.4.3.3": (ec.EllipticCurvePublicKey, "sha384"),  # ecdsa-with-SHA384
    "1.2.840.10045.4.3.4": (ec.EllipticCurvePublicKey, "sha512"),  # ecdsa-with-SHA512
    "1.2.840.113549.1.1.1": (rsa.RSAPublicKey, None),  # rsaEncryption
    "1.2.840.113549.1.1.11": (rsa.RSAPublicKey, "sha256"),  # sha256WithRSAEncryption
    "1.2.840.113549.1.1.12": (rsa.RSAPublicKey, "sha384"),  # sha384WithRSAEncryption
    "1.2.840.113549.1.1.13": (rsa.RSAPublicKey, "sha512"),  # sha512WithRSAEncryption
}

#: DER of absent and of NULL algorithm parameters: the two forms RFC 5754 allows for SHA-2 digests
#: and RFC 4055 for RSA; ECDSA's must be absent (RFC 5758).
_NO_PARAMETERS = (b"", b"\x05\x00")


def sign_detached(data: bytes, key: UnlockedKey) -> bytes:
    """Sign ``data`` and return a DER detached CMS SignedData (SHA-256, signer certificate included).

    Binary mode signs the bytes as they are (no MIME line-ending canonicalisation),
    which is what makes the signature valid over the exact file in the bundle.
    The builder adds the content type, message digest and signing time as signed
    attributes.
    """
    return (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(data)
        .add_signer(key.certificate, key.private_key, hashes.SHA256())
        .sign(
            serialization.Encoding.DER,
            [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary],
        )
    )


def verify_detached(signature_der: bytes, data: bytes) -> x509.Certificate:
    """Check a detached CMS signature over ``data`` and return the signer's certificate.

    Only integrity and authenticity under the embedded certificate are checked;
    whether that certificate is trusted for an agency is for the caller to
    decide by comparing fingerprints. Raises :class:`SignatureInvalidError`
    with a plain-language reason.

    The structure must be one that :func:`sign_detached` or ``openssl cms -sign
    -binary -md sha256`` (with or without ``-keyid``) writes. The parts the
    signature does not cover (the versions, the list of digest algorithms, the
    content type, the algorithm names) are checked at least as strictly as
    ``openssl cms -verify`` checks them, so nothing it rejects is accepted
    here; some (the versions, the content type, the signature algorithm) more
    strictly, because OpenSSL 3.0 does not look at them.
    """
    signed_data = _load_signed_data(signature_der)

    signer_infos = signed_data["signer_infos"]
    if len(signer_infos) != 1:
        raise SignatureInvalidError(f"the signature has {len(signer_infos)} signers; exactly one was expected")
    signer_info = signer_infos[0]
    _check_versions(signed_data, signer_info)
    encap = signed_data["encap_content_info"]
    if encap["content"].native is not None:
        raise SignatureInvalidError("the signature is not detached: it carries its own copy of the data")
    if encap["content_type"].dotted != _ID_DATA:
        raise SignatureInvalidError("the signature is not over plain data")
    digest_algorithm = signer_info["digest_algorithm"]
    hash_name = _digest_name(digest_algorithm)
    if [a.dump() for a in signed_data["digest_algorithms"]] != [digest_algorithm.dump()]:
        raise SignatureInvalidError("the signature's list of digest algorithms does not name its signer's alone")

    certificate = _signer_certificate(signed_data, signer_info["sid"])
    signed_attrs = signer_info["signed_attrs"]
    if not signed_attrs:
        raise SignatureInvalidError("the signature has no signed attributes")
    if _single_attribute(signed_attrs, "content_type") != "data":
        raise SignatureInvalidError("the signature is not over plain data")
    digest = _single_attribute(signed_attrs, "message_digest")
    expected = hashlib.new(hash_name, data).digest()
    if not isinstance(digest, bytes) or not hmac.compare_digest(digest, expected):
        raise SignatureInvalidError("the signature does not match the signed data")

    # The signature covers the attributes DER-encoded as a SET OF (RFC 5652 §5.4),
    # not with the [0] IMPLICIT tag they carry inside SignerInfo.
    _check_signature_value(
        certificate,
        signer_info["signature_algorithm"],
        hash_name,
        signer_info["signature"].native,
        signed_attrs.untag().dump(),
    )
    return certificate


def _check_versions(signed_data: cms.SignedData, signer_info: cms.SignerInfo) -> None:
    """SignerInfo is v1 when it names its signer by issuer and serial number, v3 by key identifier
    (RFC 5652 §5.3); SignedData over id-data with no attribute certificates is v1 with a v1 signer and
    v3 with a v3 one (§5.1). Those are the pairs we and openssl write; anything else is refused."""
    sid = signer_info["sid"].name
    expected = {"issuer_and_serial_number": "v1", "subject_key_identifier": "v3"}.get(sid)
    found = signer_info["version"].native
    if found != expected:
        raise SignatureInvalidError(f"the signature's signer information has the wrong version ({found})")
    found = signed_data["version"].native
    if found != expected:
        raise SignatureInvalidError(f"the signature's signed data has the wrong version ({found})")


def _digest_name(algorithm: algos.DigestAlgorithm) -> str:
    name = _DIGESTS.get(algorithm["algorithm"].dotted)
    if name is None or _parameters_der(algorithm) not in _NO_PARAMETERS:
        raise SignatureInvalidError("the signature does not use SHA-256")
    return name


def _parameters_der(algorithm: algos.DigestAlgorithm | algos.SignedDigestAlgorithm) -> bytes:
    parameters = algorithm["parameters"]
    return b"" if isinstance(parameters, Void) else parameters.dump()


def _load_signed_data(signature_der: bytes) -> cms.SignedData:
    try:
        content_info = cms.ContentInfo.load(signature_der, strict=True)
        # asn1crypto parses lazily; .native forces the whole structure now, so
        # malformed input fails here with one clear reason rather than later.
        content_info.native  # noqa: B018
    except (ValueError, TypeError, KeyError):
        raise SignatureInvalidError("not a CMS signature") from None
    if content_info["content_type"].native != "signed_data":
        raise SignatureInvalidError("not a CMS signature")
    return content_info["content"]


def _signer_certificate(signed_data: cms.SignedData, sid: cms.SignerIdentifier) -> x509.Certificate:
    for choice in signed_data["certificates"] or []:
        if choice.name != "certificate":
            continue
        candidate: asn1_x509.Certificate = choice.chosen
        if sid.name == "issuer_and_serial_number":
            matches = (
                candidate.issuer == sid.chosen["issuer"]
                and candidate.serial_number == sid.chosen["serial_number"].native
            )
        else:
            matches = candidate.key_identifier == sid.chosen.native
        if matches:
            try:
                return x509.load_der_x509_certificate(candidate.dump())
            except (ValueError, x509.InvalidVersion):
                raise SignatureInvalidError("the signer certificate in the signature is damaged") from None
    raise SignatureInvalidError("no signer certificate: the signature does not include the certificate that made it")


def _single_attribute(signed_attrs: cms.CMSAttributes, name: str) -> object:
    found = [attr["values"] for attr in signed_attrs if attr["type"].native == name]
    if len(found) != 1 or len(found[0]) != 1:
        raise SignatureInvalidError(f"the signature's {name.replace('_', ' ')} attribute is missing or repeated")
    return found[0][0].native


def _check_signature_value(
    certificate: x509.Certificate,
    algorithm_id: algos.SignedDigestAlgorithm,
    hash_name: str,
    signature: bytes,
    signed_bytes: bytes,
) -> None:
    oid = algorithm_id["algorithm"].dotted
    known = _SIGNATURES.get(oid)
    if known is None:
        name = algorithm_id["algorithm"].native  # asn1crypto's name, or the dotted OID if it has none
        raise SignatureInvalidError(f"the signature uses an unsupported algorithm ({name})")
    key_type, named_hash = known
    if named_hash is not None and named_hash != hash_name:
        raise SignatureInvalidError(
            f"the signature algorithm names {named_hash.upper()} but the data was hashed with {hash_name.upper()}"
        )
    if _parameters_der(algorithm_id) not in (_NO_PARAMETERS if key_type is rsa.RSAPublicKey else (b"",)):
        raise SignatureInvalidError("the signature algorithm has unexpected parameters")
    try:
        public_key = certificate.public_key()
    except (ValueError, UnsupportedAlgorithm):
        raise SignatureInvalidError("the signer certificate's public key cannot be read") from None
    if not isinstance(public_key, key_type):
        raise SignatureInvalidError("the signature algorithm does not suit the key of the signer certificate")
    hash_algorithm = _HASHES[hash_name]()
    try:
        if isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, signed_bytes, ec.ECDSA(hash_algorithm))
        elif isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, signed_bytes, padding.PKCS1v15(), hash_algorithm)
        else:  # pragma: no cover - _SIGNATURES names only these two key types
            raise SignatureInvalidError("the signature uses an unsupported kind of key")
    except InvalidSignature:
        raise SignatureInvalidError(
            "the signature is damaged or was not made with the key of its certificate"
        ) from None

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
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs7

from oscb_desktop.signing.errors import SignatureInvalidError
from oscb_desktop.signing.identity import UnlockedKey


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
    """
    signed_data = _load_signed_data(signature_der)

    signer_infos = signed_data["signer_infos"]
    if len(signer_infos) != 1:
        raise SignatureInvalidError(f"the signature has {len(signer_infos)} signers; exactly one was expected")
    signer_info = signer_infos[0]
    if signed_data["encap_content_info"]["content"].native is not None:
        raise SignatureInvalidError("the signature is not detached: it carries its own copy of the data")
    if signer_info["digest_algorithm"]["algorithm"].native != "sha256":
        raise SignatureInvalidError("the signature does not use SHA-256")

    certificate = _signer_certificate(signed_data, signer_info["sid"])
    signed_attrs = signer_info["signed_attrs"]
    if not signed_attrs:
        raise SignatureInvalidError("the signature has no signed attributes")
    if _single_attribute(signed_attrs, "content_type") != "data":
        raise SignatureInvalidError("the signature is not over plain data")
    digest = _single_attribute(signed_attrs, "message_digest")
    if not isinstance(digest, bytes) or not hmac.compare_digest(digest, hashlib.sha256(data).digest()):
        raise SignatureInvalidError("the signature does not match the signed data")

    # The signature covers the attributes DER-encoded as a SET OF (RFC 5652 §5.4),
    # not with the [0] IMPLICIT tag they carry inside SignerInfo.
    _check_signature_value(
        certificate, signer_info["signature_algorithm"], signer_info["signature"].native, signed_attrs.untag().dump()
    )
    return certificate


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
            return x509.load_der_x509_certificate(candidate.dump())
    raise SignatureInvalidError("no signer certificate: the signature does not include the certificate that made it")


def _single_attribute(signed_attrs: cms.CMSAttributes, name: str) -> object:
    found = [attr["values"] for attr in signed_attrs if attr["type"].native == name]
    if len(found) != 1 or len(found[0]) != 1:
        raise SignatureInvalidError(f"the signature's {name.replace('_', ' ')} attribute is missing or repeated")
    return found[0][0].native


def _check_signature_value(
    certificate: x509.Certificate,
    algorithm_id: algos.SignedDigestAlgorithm,
    signature: bytes,
    signed_bytes: bytes,
) -> None:
    try:
        algorithm = algorithm_id.signature_algo
    except ValueError:  # an algorithm asn1crypto does not know at all
        algorithm = algorithm_id["algorithm"].dotted
    public_key = certificate.public_key()
    try:
        if isinstance(public_key, ec.EllipticCurvePublicKey) and algorithm == "ecdsa":
            public_key.verify(signature, signed_bytes, ec.ECDSA(hashes.SHA256()))
        elif isinstance(public_key, rsa.RSAPublicKey) and algorithm == "rsassa_pkcs1v15":
            public_key.verify(signature, signed_bytes, padding.PKCS1v15(), hashes.SHA256())
        else:
            raise SignatureInvalidError(f"the signature uses an unsupported algorithm ({algorithm})")
    except InvalidSignature:
        raise SignatureInvalidError(
            "the signature is damaged or was not made with the key of its certificate"
        ) from None

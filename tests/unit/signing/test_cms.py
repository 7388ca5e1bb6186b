"""Detached CMS signatures over exact bytes, checked by us and by the real ``openssl cms``."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from asn1crypto import cms, core
from cryptography import x509
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


# The unsigned parts of the structure -------------------------------------------------------------
#
# The signature covers only the signed attributes; everything around them (versions, the list of
# digest algorithms, the content type, the algorithm names, the certificate) can be changed without
# breaking it, so each is checked on its own. These tests edit a real signature with asn1crypto and
# re-encode it.


def _edit(signature: bytes, change: Callable[[cms.SignedData], None]) -> bytes:
    content_info = cms.ContentInfo.load(signature)
    change(content_info["content"])
    return content_info.dump(force=True)


def _signer(signed_data: cms.SignedData) -> cms.SignerInfo:
    return signed_data["signer_infos"][0]


def _sha(name: str) -> cms.DigestAlgorithm:
    return cms.DigestAlgorithm({"algorithm": name, "parameters": None})


def test_an_unchanged_re_encoding_still_verifies(unlocked: UnlockedKey) -> None:
    """The editing helper itself changes nothing: what the tests below refuse is their edit alone."""
    signature = sign_detached(MANIFEST, unlocked)
    assert _edit(signature, lambda _sd: None) == signature
    assert verify_detached(_edit(signature, lambda _sd: None), MANIFEST) == unlocked.certificate


@pytest.mark.parametrize("version", ["v0", "v2", "v3", "v4", "v5"])
def test_signed_data_of_another_version_is_refused(unlocked: UnlockedKey, version: str) -> None:
    def change(sd: cms.SignedData) -> None:
        sd["version"] = version

    with pytest.raises(SignatureInvalidError, match="signed data has the wrong version"):
        verify_detached(_edit(sign_detached(MANIFEST, unlocked), change), MANIFEST)


@pytest.mark.parametrize("version", ["v0", "v2", "v3"])
def test_signer_info_of_another_version_is_refused(unlocked: UnlockedKey, version: str) -> None:
    """Ours names the signer by issuer and serial number, which is SignerInfo v1 (RFC 5652 §5.3)."""

    def change(sd: cms.SignedData) -> None:
        _signer(sd)["version"] = version

    with pytest.raises(SignatureInvalidError, match="signer information has the wrong version"):
        verify_detached(_edit(sign_detached(MANIFEST, unlocked), change), MANIFEST)


def test_signer_named_by_key_identifier_needs_version_3(unlocked: UnlockedKey) -> None:
    """A subjectKeyIdentifier signer is v3 inside v3 SignedData; the same with v1 anywhere is refused."""
    key_id = unlocked.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest

    def by_key_id(signed_data_version: str, signer_version: str) -> Callable[[cms.SignedData], None]:
        def change(sd: cms.SignedData) -> None:
            sd["version"] = signed_data_version
            _signer(sd)["version"] = signer_version
            _signer(sd)["sid"] = cms.SignerIdentifier(name="subject_key_identifier", value=key_id)

        return change

    signature = sign_detached(MANIFEST, unlocked)
    assert verify_detached(_edit(signature, by_key_id("v3", "v3")), MANIFEST) == unlocked.certificate
    with pytest.raises(SignatureInvalidError, match="signer information has the wrong version"):
        verify_detached(_edit(signature, by_key_id("v3", "v1")), MANIFEST)
    with pytest.raises(SignatureInvalidError, match="signed data has the wrong version"):
        verify_detached(_edit(signature, by_key_id("v1", "v3")), MANIFEST)


@pytest.mark.parametrize(
    "listed",
    [
        pytest.param([], id="empty"),
        pytest.param(["sha384"], id="another"),
        pytest.param(["sha256", "sha384"], id="one-more"),
        pytest.param(["sha384", "sha256"], id="one-more-first"),
        pytest.param(["sha256", "sha256"], id="twice"),
        pytest.param(["md5"], id="weak"),
    ],
)
def test_digest_algorithm_list_must_name_exactly_the_signers(unlocked: UnlockedKey, listed: list[str]) -> None:
    """The reviewer's case: ``openssl cms -verify`` refuses a damaged digestAlgorithms set, so must we."""

    def change(sd: cms.SignedData) -> None:
        sd["digest_algorithms"] = cms.DigestAlgorithms([_sha(name) for name in listed])

    with pytest.raises(SignatureInvalidError, match="list of digest algorithms"):
        verify_detached(_edit(sign_detached(MANIFEST, unlocked), change), MANIFEST)


def test_digest_algorithm_list_must_match_the_parameters_too(unlocked: UnlockedKey) -> None:
    """Absent and NULL parameters are both valid for SHA-256, but the list must say what the signer says."""

    def change(sd: cms.SignedData) -> None:
        sha256_without_parameters = bytes.fromhex("300b0609608648016503040201")
        sd["digest_algorithms"] = cms.DigestAlgorithms([cms.DigestAlgorithm.load(sha256_without_parameters)])

    signature = sign_detached(MANIFEST, unlocked)
    assert _signer(cms.ContentInfo.load(signature)["content"])["digest_algorithm"]["parameters"].dump() == b"\x05\x00"
    with pytest.raises(SignatureInvalidError, match="list of digest algorithms"):
        verify_detached(_edit(signature, change), MANIFEST)


@pytest.mark.parametrize("content_type", ["signed_data", "digested_data", "1.2.840.113549.1.7.99"])
def test_encapsulated_content_type_must_be_id_data(unlocked: UnlockedKey, content_type: str) -> None:
    def change(sd: cms.SignedData) -> None:
        sd["encap_content_info"] = cms.ContentInfo({"content_type": content_type})

    with pytest.raises(SignatureInvalidError, match="not over plain data"):
        verify_detached(_edit(sign_detached(MANIFEST, unlocked), change), MANIFEST)


def test_encapsulated_content_must_be_absent(unlocked: UnlockedKey) -> None:
    def change(sd: cms.SignedData) -> None:
        sd["encap_content_info"] = cms.ContentInfo({"content_type": "data", "content": MANIFEST})

    with pytest.raises(SignatureInvalidError, match="not detached"):
        verify_detached(_edit(sign_detached(MANIFEST, unlocked), change), MANIFEST)


@pytest.mark.parametrize("digest", ["sha1", "sha384", "sha512", "md5"])
def test_signer_digest_algorithm_other_than_sha256_is_refused(unlocked: UnlockedKey, digest: str) -> None:
    """Even when the list agrees with it: only SHA-256 is accepted, and the message digest is checked with it."""

    def change(sd: cms.SignedData) -> None:
        sd["digest_algorithms"] = cms.DigestAlgorithms([_sha(digest)])
        _signer(sd)["digest_algorithm"] = _sha(digest)

    with pytest.raises(SignatureInvalidError, match="does not use SHA-256"):
        verify_detached(_edit(sign_detached(MANIFEST, unlocked), change), MANIFEST)


@pytest.mark.parametrize("label", ["sha384_ecdsa", "sha512_ecdsa"])
def test_ecdsa_signature_algorithm_naming_another_hash_is_refused(unlocked: UnlockedKey, label: str) -> None:
    """The reviewer's case: a "SHA-384" label on a signature that is checked with SHA-256."""

    def change(sd: cms.SignedData) -> None:
        _signer(sd)["signature_algorithm"] = cms.SignedDigestAlgorithm({"algorithm": label})

    with pytest.raises(SignatureInvalidError, match=r"names SHA(384|512) but the data was hashed with SHA256"):
        verify_detached(_edit(sign_detached(MANIFEST, unlocked), change), MANIFEST)


@pytest.mark.parametrize("label", ["sha384_rsa", "sha512_rsa"])
def test_rsa_signature_algorithm_naming_another_hash_is_refused(rsa_unlocked: UnlockedKey, label: str) -> None:
    def change(sd: cms.SignedData) -> None:
        _signer(sd)["signature_algorithm"] = cms.SignedDigestAlgorithm({"algorithm": label, "parameters": None})

    with pytest.raises(SignatureInvalidError, match=r"names SHA(384|512) but the data was hashed with SHA256"):
        verify_detached(_edit(sign_detached(MANIFEST, rsa_unlocked), change), MANIFEST)


@pytest.mark.parametrize("label", ["rsassa_pkcs1v15", "sha256_rsa"])
def test_rsa_signature_may_be_labelled_rsa_encryption_or_sha256_with_rsa(rsa_unlocked: UnlockedKey, label: str) -> None:
    """openssl and cryptography write rsaEncryption, which takes its hash from the digest algorithm; other tools
    write sha256WithRSAEncryption. Both name the same signature."""

    def change(sd: cms.SignedData) -> None:
        _signer(sd)["signature_algorithm"] = cms.SignedDigestAlgorithm({"algorithm": label, "parameters": None})

    signature = _edit(sign_detached(MANIFEST, rsa_unlocked), change)
    assert verify_detached(signature, MANIFEST) == rsa_unlocked.certificate


@pytest.mark.parametrize(
    ("label", "reason"),
    [
        ("sha256_rsa", "does not suit the key"),
        ("sha256_dsa", "unsupported algorithm"),
        ("rsassa_pss", "unsupported algorithm"),
        ("1.2.840.10045.4.3.99", r"unsupported algorithm \(1\.2\.840\.10045\.4\.3\.99\)"),
    ],
)
def test_signature_algorithm_must_suit_the_key(unlocked: UnlockedKey, label: str, reason: str) -> None:
    def change(sd: cms.SignedData) -> None:
        _signer(sd)["signature_algorithm"] = cms.SignedDigestAlgorithm({"algorithm": label})

    with pytest.raises(SignatureInvalidError, match=reason):
        verify_detached(_edit(sign_detached(MANIFEST, unlocked), change), MANIFEST)


def test_ecdsa_signature_algorithm_with_parameters_is_refused(unlocked: UnlockedKey) -> None:
    """ecdsa-with-SHA256 takes no parameters at all (RFC 5758 §3.2), not even NULL."""

    def change(sd: cms.SignedData) -> None:
        _signer(sd)["signature_algorithm"] = cms.SignedDigestAlgorithm(
            {"algorithm": "sha256_ecdsa", "parameters": core.Null()}
        )

    with pytest.raises(SignatureInvalidError, match="unexpected parameters"):
        verify_detached(_edit(sign_detached(MANIFEST, unlocked), change), MANIFEST)


def test_damaged_public_key_in_the_certificate_is_a_plain_refusal(unlocked: UnlockedKey) -> None:
    """cryptography raises ValueError for a point off the curve; that must come out as SignatureInvalidError."""
    signature = bytearray(sign_detached(MANIFEST, unlocked))
    point = unlocked.certificate.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    where = bytes(signature).index(point)
    signature[where + len(point) // 2] ^= 0x01
    with pytest.raises(SignatureInvalidError, match="public key cannot be read"):
        verify_detached(bytes(signature), MANIFEST)


# Against openssl ---------------------------------------------------------------------------------


def _openssl() -> str:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    return openssl


@pytest.mark.parametrize("key_id", [False, True], ids=["issuer-serial", "keyid"])
@pytest.mark.parametrize("signer", ["unlocked", "rsa_unlocked"])
def test_signatures_made_by_openssl_cms_verify(
    request: pytest.FixtureRequest, tmp_path: Path, signer: str, key_id: bool
) -> None:
    """``openssl cms -sign -binary -outform DER -md sha256`` writes SignedData v1 with a v1 SignerInfo, or with
    ``-keyid`` v3 with a v3 SignerInfo naming the key identifier; RSA as rsaEncryption. All of them verify."""
    openssl = _openssl()
    key: UnlockedKey = request.getfixturevalue(signer)
    if key_id:
        try:
            key.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
        except x509.ExtensionNotFound:
            pytest.skip("-keyid needs a certificate with a subject key identifier")
    (tmp_path / "data.bin").write_bytes(MANIFEST)
    (tmp_path / "cert.pem").write_bytes(key.certificate.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(
        key.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    command = [openssl, "cms", "-sign", "-binary", "-outform", "DER", "-md", "sha256", "-in", "data.bin"]
    command += ["-signer", "cert.pem", "-inkey", "key.pem", "-out", "sig.der", *(["-keyid"] if key_id else [])]
    subprocess.run(command, cwd=tmp_path, capture_output=True, check=True)
    signature = (tmp_path / "sig.der").read_bytes()

    signed_data = cms.ContentInfo.load(signature)["content"]
    version = "v3" if key_id else "v1"
    assert (signed_data["version"].native, _signer(signed_data)["version"].native) == (version, version)
    assert verify_detached(signature, MANIFEST) == key.certificate
    with pytest.raises(SignatureInvalidError, match="does not match the signed data"):
        verify_detached(signature, MANIFEST + b" ")


def _openssl_accepts(openssl: str, signature: bytes, folder: Path, name: str) -> tuple[bool, str]:
    (folder / name).write_bytes(signature)
    command = [openssl, "cms", "-verify", "-binary", "-inform", "DER", "-in", name, "-content", "data.bin"]
    command += ["-noverify", "-out", os.devnull]
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False)
    (folder / name).unlink()
    return done.returncode == 0, done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""


def _der_children(der: bytes, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of each DER element between ``start`` and ``end`` (one-byte tags, definite lengths)."""
    found = []
    while start < end:
        first = der[start + 1]
        header = 2 if first < 0x80 else 2 + (first & 0x7F)
        length = first if first < 0x80 else int.from_bytes(der[start + 2 : start + header], "big")
        found.append((start, start + header + length))
        start += header + length
    return found


def _inside(der: bytes, element: tuple[int, int]) -> list[tuple[int, int]]:
    start, end = element
    first = der[start + 1]
    return _der_children(der, start + (2 if first < 0x80 else 2 + (first & 0x7F)), end)


def _deliberately_stricter_bytes(signature: bytes) -> set[int]:
    """Where ``verify_detached`` refuses changes that OpenSSL 3.0's ``cms -verify`` lets through.

    Found by flipping every byte: openssl ignores the SignedData and SignerInfo versions, the content type
    and the signature algorithm's name (it goes by the key and the digest algorithm), takes any parameters
    for the digest algorithm, and parses the embedded certificate more leniently (dates, string types,
    extension encodings). The rules asked of us refuse all of those, on purpose.
    """
    (content_info,) = _der_children(signature, 0, len(signature))
    _, explicit = _inside(signature, content_info)
    (signed_data,) = _inside(signature, explicit)
    version, digest_algorithms, encap, *middle, signer_infos = _inside(signature, signed_data)
    (signer_info,) = _inside(signature, signer_infos)
    si_version, _sid, si_digest, _attrs, si_signature_algorithm, _value = _inside(signature, signer_info)
    regions = [version, encap, *middle, si_version, si_signature_algorithm]  # middle: the certificates
    for algorithm in [*_inside(signature, digest_algorithms), si_digest]:
        regions += _inside(signature, algorithm)[1:]  # the parameters (NULL), not the OID
    return {i for start, end in regions for i in range(start, end)}


@pytest.mark.slow
def test_every_flipped_byte_is_refused_whenever_openssl_refuses_it(unlocked: UnlockedKey, tmp_path: Path) -> None:
    """Flip the low bit of each byte of a real signature in turn and compare verdicts with openssl.

    That is ~800 runs of ``openssl cms -verify``, ~10 s on two cores: slow, but every byte rather than a
    sample, because the interesting bytes are few and their places depend on the certificate. The low bit
    makes the subtle changes (version 1 to 0, SHA-256 to SHA-384 and ecdsa-with-SHA256 to -SHA384 in the
    OIDs, SEQUENCE to SET); flipping all eight bits instead gave the same verdicts when this was written.

    We must refuse every change openssl refuses (the reviewer found flips in the digestAlgorithms set we
    accepted), must never fail with anything but :class:`SignatureInvalidError`, and may be stricter only in
    the places :func:`_deliberately_stricter_bytes` lists. ``-certfile`` is left out: with it openssl takes the
    signer's certificate from that file in preference to the copy in the signature, and would overlook damage
    to the embedded certificate, which is the one we verify against.
    """
    openssl = _openssl()
    signature = sign_detached(MANIFEST, unlocked)
    (tmp_path / "data.bin").write_bytes(MANIFEST)
    stricter = _deliberately_stricter_bytes(signature)

    def flipped(i: int) -> bytes:
        return signature[:i] + bytes([signature[i] ^ 0x01]) + signature[i + 1 :]

    ours: list[str | None] = []
    for i in range(len(signature)):
        try:
            verify_detached(flipped(i), MANIFEST)
            ours.append(None)
        except SignatureInvalidError as exc:
            ours.append(str(exc))
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        theirs = list(pool.map(lambda i: _openssl_accepts(openssl, flipped(i), tmp_path, f"{i}.der"), range(len(ours))))

    laxer = [(i, theirs[i][1]) for i, why in enumerate(ours) if why is None and not theirs[i][0]]
    assert laxer == [], "accepted by us, refused by openssl"
    surprising = [(i, why) for i, why in enumerate(ours) if why is not None and theirs[i][0] and i not in stricter]
    assert surprising == [], "refused by us outside the deliberately stricter fields, accepted by openssl"
    # The comparison means something: openssl refuses most flips, and lets some through (e.g. in the
    # certificate's own signature, which neither side checks: trust is by fingerprint).
    assert 0 < sum(ok for ok, _ in theirs) < len(signature) / 2

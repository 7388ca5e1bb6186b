"""The signed-file discipline every file that travels shares: return bundles, partnership packs, feedback.

A signed zip holds ``manifest.json`` (what the file is, and the path, size and SHA-256 of every other member but
``manifest.sig``), ``manifest.sig`` (a detached CMS signature over the exact bytes of ``manifest.json``, made by the
certificate in ``signer.pem``), ``signer.pem`` and the file's own members. One signature covers everything; the
same commands check any of them (``openssl cms -verify``, ``sha256sum -c``: docs/bundle-format.md).

:func:`write` makes one; :func:`open_signed` runs the checks every kind shares, in order — the zip is safe
(:mod:`.safezip`), ``manifest.json`` is well formed (the kind's own loader), the members are exactly those listed,
every hash matches, the signature is valid and made by the certificate in ``signer.pem`` — and raises a
:class:`~oscb_desktop.bundle.codes.Rejection` with the code and words of the first that fails. What a member
means is the kind's business (``bundle/verify.py``, ``packs/``).
"""

from __future__ import annotations

import hashlib
import stat
import zipfile
import zlib
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import Any, Protocol, TypeVar

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from oscb_desktop import signing
from oscb_desktop.bundle import limits
from oscb_desktop.bundle.codes import Code, Rejection, shown
from oscb_desktop.bundle.model import MemberEntry, canonical_json
from oscb_desktop.bundle.safezip import SafeZip, ZipContents, ZipRules
from oscb_desktop.signing import SignatureInvalidError, UnlockedKey

MANIFEST, SIGNATURE, SIGNER = "manifest.json", "manifest.sig", "signer.pem"

#: Zip entries carry this fixed time (the earliest a zip can hold) so a file's bytes depend on its content only;
#: the real times are in the manifest.
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
#: A regular file, readable by all (rw-r--r--), as seen by unzip on Unix.
_REGULAR_FILE_ATTR = (stat.S_IFREG | 0o644) << 16
_UNIX = 3
#: Room below the verifier's ratio limit, so a zlib build that compresses a little better cannot tip a member over.
_WRITER_RATIO = limits.MAX_COMPRESSION_RATIO // 2


class Listed(Protocol):
    """A parsed manifest: whatever else it says, it lists the members."""

    @property
    def members(self) -> Sequence[MemberEntry]: ...


M = TypeVar("M", bound=Listed)


def member_entries(members: Sequence[tuple[str, bytes]]) -> tuple[MemberEntry, ...]:
    """The manifest's list of ``members``: path, size and SHA-256 of each, sorted by path."""
    return tuple(sorted((MemberEntry(p, len(d), hashlib.sha256(d).hexdigest()) for p, d in members), key=_path))


def _path(entry: MemberEntry) -> str:
    return entry.path


def write(manifest_json: dict[str, Any], members: Sequence[tuple[str, bytes]], key: UnlockedKey) -> tuple[bytes, bytes]:
    """The zip of a signed file and its ``manifest.json`` bytes.

    ``manifest_json`` already lists ``members`` (see :func:`member_entries`), ``signer.pem`` among them.
    Members are stored in the order given, after the manifest and its signature.
    """
    head = sign_manifest(manifest_json, key)
    return zip_members([*head, *members]), head[0][1]


def sign_manifest(manifest_json: dict[str, Any], key: UnlockedKey) -> list[tuple[str, bytes]]:
    """``manifest.json`` in canonical form and ``manifest.sig`` over it: the first two members of the zip."""
    manifest_bytes = canonical_json(manifest_json)
    return [(MANIFEST, manifest_bytes), (SIGNATURE, signing.sign_detached(manifest_bytes, key))]


def zip_members(members: Sequence[tuple[str, bytes]]) -> bytes:
    """A plain zip of ``members``, the same bytes for the same content on any platform."""
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for path, data in members:
            info = zipfile.ZipInfo(path, date_time=ZIP_TIMESTAMP)
            info.create_system = _UNIX  # the default depends on the platform; bytes must not
            info.external_attr = _REGULAR_FILE_ATTR
            info.compress_type = _compression_for(data)
            zf.writestr(info, data)
    return buffer.getvalue()


def _compression_for(data: bytes) -> int:
    """Deflate when it saves space without looking like a zip bomb to the verifier; else store."""
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)  # what zipfile uses
    size = len(compressor.compress(data)) + len(compressor.flush())
    if size < len(data) and len(data) <= size * _WRITER_RATIO:
        return zipfile.ZIP_DEFLATED
    return zipfile.ZIP_STORED


@dataclass(frozen=True)
class SignedContents:
    """A signed zip that passed the shared checks: its manifest, its signer, and its members' bytes."""

    safe: SafeZip
    contents: ZipContents
    manifest: Any
    manifest_bytes: bytes
    certificate: x509.Certificate
    fingerprint: str
    signer_pem: bytes

    def data(self, path: str) -> bytes:
        """A member's bytes (kept when opened, or read again from the checked zip)."""
        kept = self.contents.data.get(path)
        return kept if kept is not None else self.safe.read(path)


def open_signed(
    raw: bytes,
    rules: ZipRules,
    load_manifest: Callable[[bytes], M],
    *,
    keep: Collection[str] = (),
    on_manifest: Callable[[M, bytes], None] | None = None,
) -> SignedContents:
    """The shared checks (see the module doc), in order; a :class:`Rejection` names the first that fails.

    ``load_manifest`` parses ``manifest.json`` into the kind's manifest (raising ``bad_manifest`` rejections);
    ``on_manifest(manifest, manifest_bytes)`` is told as soon as it parsed, so a refusal after that can still say
    what the file claims to be. ``keep``: the members whose bytes are kept (the others are hashed on the way).
    """
    safe = SafeZip.open(raw, rules)
    contents = safe.read_all(keep={MANIFEST, SIGNATURE, SIGNER, *keep})
    manifest_bytes = contents.data.get(MANIFEST)
    if manifest_bytes is None:
        raise Rejection(
            Code.MISSING_MEMBER,
            f"The {rules.noun} has no manifest.json, so nothing in it can be checked. {rules.resend}",
            MANIFEST,
        )
    manifest = load_manifest(manifest_bytes)
    if on_manifest is not None:
        on_manifest(manifest, manifest_bytes)
    listed = {m.path: m for m in manifest.members}
    expected = {MANIFEST, SIGNATURE, *listed}
    present = set(contents.sizes)
    if missing := sorted(expected - present):
        first = missing[0]
        if first == SIGNATURE:
            what = (
                "manifest.sig, the signature over the manifest, is missing, so nothing in the "
                f"{rules.noun} can be trusted"
            )
        else:
            what = f"{first} is missing from the {rules.noun}, although its manifest lists it"
        raise Rejection(Code.MISSING_MEMBER, f"{what}. {rules.resend}", first)
    if unexpected := sorted(present - expected):
        extra = unexpected[0]
        raise Rejection(
            Code.UNEXPECTED_MEMBER,
            f"The {rules.noun} holds {shown(extra)}, which its manifest does not list: something was added after it "
            f"was signed. Do not use this file. {rules.resend}",
            extra,
        )
    for path, entry in listed.items():
        if contents.sizes[path] != entry.size or contents.hashes[path] != entry.sha256:
            raise Rejection(
                Code.HASH_MISMATCH,
                f"{path} is not the file that was signed (its size or SHA-256 differs from the manifest): it was "
                f"changed or damaged after signing. Do not use this file. {rules.resend}",
                path,
            )
    if SIGNER not in listed:
        raise Rejection(
            Code.BAD_MANIFEST, f"manifest.json does not list signer.pem, which every {rules.noun} must hold. "
            f"{rules.resend}", MANIFEST,
        )  # fmt: skip
    certificate = _check_signature(contents.data[SIGNATURE], manifest_bytes, rules)
    signer_pem = contents.data[SIGNER]
    fingerprint = _check_signer_pem(signer_pem, certificate, rules)
    return SignedContents(safe, contents, manifest, manifest_bytes, certificate, fingerprint, signer_pem)


def _check_signature(signature: bytes, manifest_bytes: bytes, rules: ZipRules) -> x509.Certificate:
    try:
        return signing.verify_detached(signature, manifest_bytes)
    except SignatureInvalidError as exc:
        problem = str(exc)
    except Exception:  # the CMS parser meets hostile bytes here; any failure is a broken signature
        problem = "it cannot be read"
    raise Rejection(
        Code.BAD_MANIFEST_SIGNATURE,
        f"The signature over the manifest is not valid ({problem}): the {rules.noun} was changed after it was "
        f"signed, or damaged. Do not use this file. {rules.resend}",
        SIGNATURE,
    )


def _check_signer_pem(signer_pem: bytes, certificate: x509.Certificate, rules: ZipRules) -> str:
    try:
        certificates = x509.load_pem_x509_certificates(signer_pem)
    except ValueError:
        certificates = []
    if len(certificates) != 1:
        raise Rejection(
            Code.SIGNER_MISMATCH,
            f"signer.pem does not hold exactly one certificate, so the signer cannot be named. {rules.resend}",
            SIGNER,
        )
    fingerprint = certificate.fingerprint(hashes.SHA256()).hex()
    if certificates[0].fingerprint(hashes.SHA256()).hex() != fingerprint:
        raise Rejection(
            Code.SIGNER_MISMATCH,
            f"The manifest was signed with another certificate than the one in signer.pem, so the {rules.noun} does "
            f"not say truthfully who signed it. Do not use this file. {rules.resend}",
            SIGNER,
        )
    return fingerprint

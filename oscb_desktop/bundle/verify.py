"""Check a signed bundle (``*.oscb``) before anything in it is believed, with a plain reason for every refusal.

The checks run in the order DESIGN.md §5 and docs/bundle-format.md give, and the first failure decides the
result: (1) the zip is safe to read, (2) its members are exactly those the manifest lists and the manifest
is well formed, (3) every listed member has its listed size and SHA-256, (4) ``manifest.sig`` is a valid
signature over ``manifest.json`` by the certificate in ``signer.pem``, (5) that certificate is trusted for
the agency the manifest names, (6) ``submission.pdf`` carries one valid signature by the same certificate,
covering the whole file, (7) ``submission.json`` (and ``audit.json``) match their schema and a known form
version and agree with the manifest.

A bad bundle never raises: every failure is a :class:`VerifyResult` with ``ok`` false, a stable ``code``
(:class:`Code`) and a ``reason`` that says what is wrong and what to do. Whether a good bundle is a
duplicate, a conflict or a replay needs the workspace database, so the importer decides that from the
result's ``submission_id``, ``submission_version`` and ``content_digest``.

The zip is read by our own bounded reader (:class:`_SafeZip`): sizes declared in headers are checked
against the limits first, and then every member is decompressed with a hard stop one byte past its
declared size, so a lying header or a zip bomb costs at most the limits in memory and time.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from io import BytesIO
from pathlib import Path
from typing import Any, Protocol

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID

from oscb_desktop.bundle import limits
from oscb_desktop.bundle.model import (
    MANIFEST_SCHEMA,
    SUBMISSION_SCHEMA,
    JsonError,
    parse_json,
    schema_problem,
)
from oscb_desktop.forms import FormRegistry
from oscb_desktop.signing import SignatureInvalidError, format_fingerprint, verify_detached, verify_pdf

_CHUNK = 1024 * 1024
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_LOCAL_SIGNATURE = b"PK\x03\x04"
_UTF8_FLAG = 0x800
_ENCRYPTED_FLAG = 0x1
_DRIVE = re.compile(r"^[A-Za-z]:")


class Code(StrEnum):
    """Every result code. The values are part of the format (docs/bundle-format.md) and never change."""

    OK = "ok"
    UNREADABLE = "unreadable"
    NOT_ZIP = "not_zip"
    UNSUPPORTED_ZIP = "unsupported_zip"
    UNSAFE_PATH = "unsafe_path"
    SYMLINK = "symlink"
    DUPLICATE_MEMBER = "duplicate_member"
    TOO_MANY_MEMBERS = "too_many_members"
    TOO_LARGE = "too_large"
    MISSING_MEMBER = "missing_member"
    BAD_MANIFEST = "bad_manifest"
    UNEXPECTED_MEMBER = "unexpected_member"
    HASH_MISMATCH = "hash_mismatch"
    BAD_MANIFEST_SIGNATURE = "bad_manifest_signature"
    SIGNER_MISMATCH = "signer_mismatch"
    UNTRUSTED_SIGNER = "untrusted_signer"
    REVOKED_SIGNER = "revoked_signer"
    BAD_PDF_SIGNATURE = "bad_pdf_signature"
    PDF_SIGNER_MISMATCH = "pdf_signer_mismatch"
    PDF_MODIFIED_AFTER_SIGNING = "pdf_modified_after_signing"
    BAD_SUBMISSION = "bad_submission"
    UNKNOWN_FORM = "unknown_form"
    MANIFEST_MISMATCH = "manifest_mismatch"
    BAD_AUDIT = "bad_audit"


#: What each code means, in the order the checks run (the format document lists the same).
CODE_MEANINGS: dict[Code, str] = {
    Code.OK: "every check passed (trust too, unless it was not asked for)",
    Code.UNREADABLE: "the file could not be read from disk",
    Code.NOT_ZIP: "not a zip file, or a damaged or truncated one",
    Code.UNSUPPORTED_ZIP: "a zip using encryption or a compression other than stored/deflated",
    Code.UNSAFE_PATH: "a member name that is absolute, contains `..`, a backslash or control characters",
    Code.SYMLINK: "a member that is a symbolic link or another special file",
    Code.DUPLICATE_MEMBER: "two members with the same name (compared ignoring case)",
    Code.TOO_MANY_MEMBERS: f"more than {limits.MAX_ZIP_ENTRIES} zip entries",
    Code.TOO_LARGE: "a member or the whole bundle over its size limit, a compression ratio over "
    f"{limits.MAX_COMPRESSION_RATIO} (zip bomb), or a member holding more data than its header declares",
    Code.MISSING_MEMBER: "a member the manifest lists (or manifest.json / manifest.sig) is not in the zip",
    Code.BAD_MANIFEST: "manifest.json is not strict JSON or does not match manifest.schema.json",
    Code.UNEXPECTED_MEMBER: "the zip holds a member the manifest does not list",
    Code.HASH_MISMATCH: "a member's size or SHA-256 differs from the manifest",
    Code.BAD_MANIFEST_SIGNATURE: "manifest.sig is not a valid detached CMS signature over manifest.json",
    Code.SIGNER_MISMATCH: "the certificate in manifest.sig is not the one in signer.pem",
    Code.UNTRUSTED_SIGNER: "the certificate is not trusted for the agency the manifest names",
    Code.REVOKED_SIGNER: "the certificate was revoked",
    Code.BAD_PDF_SIGNATURE: "submission.pdf is not signed exactly once, or its signature is broken",
    Code.PDF_SIGNER_MISMATCH: "submission.pdf was signed with another certificate than the bundle",
    Code.PDF_MODIFIED_AFTER_SIGNING: "something was added to submission.pdf after it was signed",
    Code.BAD_SUBMISSION: "submission.json is not strict JSON, does not match submission.schema.json, answers "
    "items the form does not have, or refers to evidence files the bundle does not hold",
    Code.UNKNOWN_FORM: "the form id and version are not installed",
    Code.MANIFEST_MISMATCH: "submission.json and manifest.json disagree (ids, version, form, period, agency)",
    Code.BAD_AUDIT: "audit.json is not strict JSON or not a list of answer changes",
}


class Trust(StrEnum):
    """What a :class:`TrustPolicy` says about a certificate for an agency."""

    TRUSTED = "trusted"
    UNKNOWN = "unknown"
    REVOKED = "revoked"


class TrustPolicy(Protocol):
    """Decides whether a certificate (by SHA-256 fingerprint, lower-case hex) may sign for an agency.

    Any callable with this shape will do; returning ``True``/``False`` means trusted/unknown.
    """

    def __call__(self, fingerprint: str, agency_name: str, /) -> Trust | bool: ...


class TrustedCertsDir:
    """Trust the certificates saved as ``*.pem`` files in one folder; revoke those in its ``revoked/`` folder.

    A certificate in the folder is trusted only for the agency its subject's organisation (``O=``) names,
    compared ignoring case and extra spaces, so one agency's certificate can never vouch for another's
    return. A certificate in ``revoked/`` is refused for every agency, whether or not it is also trusted.
    Files that are not PEM certificates are skipped and listed in :attr:`problems`. The folder is read
    once, when the object is made.
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.problems: list[str] = []
        self.trusted: dict[str, x509.Certificate] = self._load(self.folder)
        self.revoked: set[str] = set(self._load(self.folder / "revoked"))

    def __call__(self, fingerprint: str, agency_name: str, /) -> Trust:
        if fingerprint in self.revoked:
            return Trust.REVOKED
        certificate = self.trusted.get(fingerprint)
        if certificate is None:
            return Trust.UNKNOWN
        organisations = certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
        if any(_same_name(str(o.value), agency_name) for o in organisations):
            return Trust.TRUSTED
        return Trust.UNKNOWN

    def _load(self, folder: Path) -> dict[str, x509.Certificate]:
        found: dict[str, x509.Certificate] = {}
        if not folder.is_dir():
            return found
        for path in sorted(folder.glob("*.pem")):
            try:
                certificates = x509.load_pem_x509_certificates(path.read_bytes())
            except (OSError, ValueError) as exc:
                self.problems.append(f"{path.name}: not a readable PEM certificate ({exc})")
                continue
            for certificate in certificates:
                found[certificate.fingerprint(hashes.SHA256()).hex()] = certificate
        return found


@dataclass(frozen=True)
class VerifyResult:
    """The verdict on one bundle.

    ``ok`` is true only when every check passed. With ``trusted=None`` the trust check is skipped and
    ``trust`` is ``None``: the caller must then show ``signer_fingerprint`` and ask before relying on the
    return. Fields are filled as far as the checks got: ``manifest`` once it matched its schema (before
    its signature was checked, so on a failure it only helps say what the bundle claims to be),
    ``signer_fingerprint`` and ``signer_pem`` once the manifest signature was valid, ``submission`` and
    ``audit`` only when they passed their checks.
    """

    ok: bool
    code: str
    reason: str
    manifest: dict[str, Any] | None = None
    submission: dict[str, Any] | None = None
    audit: list[Any] | None = None
    signer_fingerprint: str | None = None
    signer_pem: bytes | None = None
    trust: Trust | None = None
    #: The member a failure is about, if it is about one (e.g. which member's hash does not match).
    member: str | None = None
    #: For the importer's duplicate / conflict / replay check: the submission's id and version, and the
    #: SHA-256 of the exact manifest.json bytes (same id and version with another digest is a conflict).
    #: Filled as soon as the manifest parsed, so only an ``ok`` result's values can be relied on.
    submission_id: str | None = None
    submission_version: int | None = None
    content_digest: str | None = None
    _zip: _SafeZip | None = field(default=None, repr=False, compare=False)

    def read_member(self, path: str) -> bytes:
        """The bytes of a member of a verified bundle (e.g. an attachment to store), checked again
        against the manifest. Only for ``ok`` results."""
        if not self.ok or self._zip is None or self.manifest is None:
            raise ValueError("Only members of a bundle that passed verification can be read.")
        listed = {m["path"]: m for m in self.manifest["members"]}
        if path not in listed and path not in ("manifest.json", "manifest.sig"):
            raise KeyError(f"{path} is not a member of this bundle")
        data = self._zip.read(path)
        if path in listed and hashlib.sha256(data).hexdigest() != listed[path]["sha256"]:
            raise ValueError(f"{path} does not match the manifest")  # impossible: same bytes as verified
        return data

    @property
    def attachments(self) -> list[dict[str, Any]]:
        """The manifest entries (path, size, sha256) of the evidence files, for the importer."""
        if self.manifest is None:
            return []
        return [m for m in self.manifest["members"] if m["path"].startswith(limits.ATTACHMENTS_FOLDER)]


class _Reject(Exception):
    def __init__(self, code: Code, reason: str, member: str | None = None) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.member = member


_RESEND = "Ask the agency to export the return again and send the new file."


def verify_bundle(
    data_or_path: bytes | bytearray | memoryview | str | os.PathLike[str],
    *,
    forms: FormRegistry,
    trusted: TrustPolicy | None,
) -> VerifyResult:
    """Check a bundle given as bytes or as a file path; never raises for a bad bundle (see the module doc)."""
    state: dict[str, Any] = {}
    try:
        return _verify(data_or_path, forms, trusted, state)
    except _Reject as reject:
        return VerifyResult(ok=False, code=reject.code.value, reason=reject.reason, member=reject.member, **state)


def _verify(
    data_or_path: bytes | bytearray | memoryview | str | os.PathLike[str],
    forms: FormRegistry,
    trusted: TrustPolicy | None,
    state: dict[str, Any],
) -> VerifyResult:
    raw = _read_input(data_or_path)

    # (1) zip safety, including reading every member with the bounded reader.
    safe = _SafeZip.open(raw)
    contents = safe.read_all()

    # (2) manifest well formed, members exactly as listed.
    manifest_bytes = contents.data.get("manifest.json")
    if manifest_bytes is None:
        raise _Reject(
            Code.MISSING_MEMBER,
            f"The bundle has no manifest.json, so nothing in it can be checked. {_RESEND}",
            "manifest.json",
        )
    state["content_digest"] = hashlib.sha256(manifest_bytes).hexdigest()
    manifest = _load_manifest(manifest_bytes)
    state["manifest"] = manifest
    state["submission_id"] = manifest["submission"]["id"]
    state["submission_version"] = manifest["submission"]["version"]
    listed = {m["path"]: m for m in manifest["members"]}
    expected = {"manifest.json", "manifest.sig", *listed}
    present = set(contents.sizes)
    if missing := sorted(expected - present):
        first = missing[0]
        if first == "manifest.sig":
            what = "manifest.sig, the signature over the manifest, is missing, so nothing in the bundle can be trusted"
        else:
            what = f"{first} is missing from the bundle, although its manifest lists it"
        raise _Reject(Code.MISSING_MEMBER, f"{what}. {_RESEND}", first)
    if unexpected := sorted(present - expected):
        extra = unexpected[0]
        raise _Reject(
            Code.UNEXPECTED_MEMBER,
            f"The bundle holds {_shown(extra)}, which its manifest does not list: something was added after it was "
            f"signed. Do not use this file. {_RESEND}",
            extra,
        )

    # (3) every listed member's size and hash.
    for path, entry in listed.items():
        if contents.sizes[path] != entry["size"] or contents.hashes[path] != entry["sha256"]:
            raise _Reject(
                Code.HASH_MISMATCH,
                f"{path} is not the file that was signed (its size or SHA-256 differs from the manifest): it was "
                f"changed or damaged after signing. Do not use this file. {_RESEND}",
                path,
            )

    # (4) the manifest signature, by the certificate in signer.pem.
    certificate = _check_manifest_signature(contents.data["manifest.sig"], manifest_bytes)
    signer_pem = contents.data["signer.pem"]
    fingerprint = _check_signer_pem(signer_pem, certificate)
    state["signer_fingerprint"] = fingerprint
    state["signer_pem"] = signer_pem

    # (5) trust.
    agency_name = manifest["agency"]["name"]
    if trusted is not None:
        decision = _decide(trusted, fingerprint, agency_name)
        state["trust"] = decision
        _check_trust(decision, fingerprint, agency_name)

    # (6) the signed PDF.
    _check_pdf(contents.data["submission.pdf"], fingerprint)

    # (7) submission.json and audit.json.
    submission = _check_submission(contents.data["submission.json"], manifest, forms, listed)
    state["submission"] = submission
    audit = _check_audit(contents.data["audit.json"])
    state["audit"] = audit

    signatory = manifest["signatory"]
    reason = (
        f"The {manifest['form']['title']} return of {agency_name} for {manifest['period']} "
        f"(version {manifest['submission']['version']}) is intact and was signed by {signatory['name']}, "
        f"{signatory['role']}."
    )
    if trusted is None:
        reason += (
            " Whether its certificate belongs to the agency was not checked: confirm the fingerprint "
            f"{format_fingerprint(fingerprint)} with {agency_name} before relying on it."
        )
    return VerifyResult(ok=True, code=Code.OK.value, reason=reason, _zip=safe, **state)


def _read_input(data_or_path: bytes | bytearray | memoryview | str | os.PathLike[str]) -> bytes:
    if isinstance(data_or_path, bytes | bytearray | memoryview):
        raw = bytes(data_or_path)
    else:
        path = Path(data_or_path)
        try:
            with path.open("rb") as fh:
                size = os.fstat(fh.fileno()).st_size
                if size > limits.MAX_BUNDLE_BYTES:
                    raise _too_large_file()
                # Read what was measured, plus one byte to notice a file that grew since (not a 200 MB buffer).
                raw = fh.read(size + 1)
                if len(raw) > size:
                    raw += fh.read(limits.MAX_BUNDLE_BYTES + 1 - len(raw))
        except OSError as exc:
            raise _Reject(
                Code.UNREADABLE,
                f"{path.name} could not be read ({exc.strerror or exc}). Check that the file is there and that "
                "you may open it, then try again.",
            ) from None
    if len(raw) > limits.MAX_BUNDLE_BYTES:
        raise _too_large_file()
    return raw


def _too_large_file() -> _Reject:
    return _Reject(
        Code.TOO_LARGE,
        f"The file is larger than {limits.megabytes(limits.MAX_BUNDLE_BYTES)}, the most a bundle can be, so it "
        "was not opened. Check that it is an OSCB bundle.",
    )


@dataclass
class _Contents:
    sizes: dict[str, int]
    hashes: dict[str, str]
    #: Bytes of the fixed members (manifest, signature, certificate, submission, PDF, audit); attachments
    #: are hashed on the way through and read again on demand.
    data: dict[str, bytes]


@dataclass
class _SafeZip:
    raw: bytes
    infos: dict[str, zipfile.ZipInfo]

    @classmethod
    def open(cls, raw: bytes) -> _SafeZip:
        if not raw.startswith(_LOCAL_SIGNATURE):
            raise _Reject(Code.NOT_ZIP, f"This file is not an OSCB bundle (it is not a zip file). {_NOT_ZIP_HINT}")
        try:
            entries = zipfile.ZipFile(BytesIO(raw)).infolist()
        except Exception:  # zipfile raises many kinds on hostile input; all mean the same to the user
            raise _Reject(
                Code.NOT_ZIP,
                f"This file is not an OSCB bundle, or it is damaged or incomplete (it cannot be read as a zip "
                f"file). {_NOT_ZIP_HINT}",
            ) from None

        seen: set[str] = set()
        for info in entries:
            _check_name(info.orig_filename)
            _check_file_type(info)
            key = unicodedata.normalize("NFC", info.filename).casefold()
            if key in seen:
                raise _Reject(
                    Code.DUPLICATE_MEMBER,
                    f"The bundle holds two members named {_shown(info.filename)!r}; a reader could pick either, so it "
                    f"cannot be trusted. {_RESEND}",
                    info.filename,
                )
            seen.add(key)
        if len(entries) > limits.MAX_ZIP_ENTRIES:
            raise _Reject(
                Code.TOO_MANY_MEMBERS,
                f"The bundle holds {len(entries)} files; a bundle has at most {limits.MAX_ZIP_ENTRIES}. "
                f"It was not made by OSCB Desktop, or not as it is now. {_RESEND}",
            )
        total = 0
        for info in entries:
            _check_method(info)
            if info.file_size > limits.member_limit(info.filename):
                raise _Reject(
                    Code.TOO_LARGE,
                    f"{_shown(info.filename)} is {limits.megabytes(info.file_size)}, more than the "
                    f"{limits.megabytes(limits.member_limit(info.filename))} a bundle allows for it. {_RESEND}",
                    info.filename,
                )
            if info.file_size > info.compress_size * limits.MAX_COMPRESSION_RATIO:
                raise _Reject(
                    Code.TOO_LARGE,
                    f"{_shown(info.filename)} would expand more than {limits.MAX_COMPRESSION_RATIO} times when "
                    f"unpacked, which is how zip bombs work; it was not unpacked. {_RESEND}",
                    info.filename,
                )
            total += info.file_size
        if total > limits.MAX_BUNDLE_BYTES:
            raise _Reject(
                Code.TOO_LARGE,
                f"Unpacked, the bundle would come to {limits.megabytes(total)}, more than the "
                f"{limits.megabytes(limits.MAX_BUNDLE_BYTES)} a bundle can be. {_RESEND}",
            )
        _check_layout(raw, entries)
        return cls(raw=raw, infos={info.filename: info for info in entries})

    def read_all(self) -> _Contents:
        contents = _Contents(sizes={}, hashes={}, data={})
        for name, info in self.infos.items():
            keep = name in limits.FIXED_MEMBERS
            digest = hashlib.sha256()
            parts: list[bytes] = []
            size = 0
            for chunk in self._chunks(info):
                digest.update(chunk)
                size += len(chunk)
                if keep:
                    parts.append(chunk)
            contents.sizes[name] = size
            contents.hashes[name] = digest.hexdigest()
            if keep:
                contents.data[name] = b"".join(parts)
        return contents

    def read(self, name: str) -> bytes:
        return b"".join(self._chunks(self.infos[name]))

    def _chunks(self, info: zipfile.ZipInfo) -> Iterable[bytes]:
        """The member's bytes, never more than its declared size, checked against its zip CRC."""
        start, end = _data_span(self.raw, info)
        view = memoryview(self.raw)[start:end]
        declared = info.file_size
        crc = 0
        produced = 0
        if info.compress_type == zipfile.ZIP_STORED:
            if len(view) > declared:
                raise _bigger_than_declared(info)
            for offset in range(0, len(view), _CHUNK):
                chunk = bytes(view[offset : offset + _CHUNK])
                crc = zlib.crc32(chunk, crc)
                produced += len(chunk)
                yield chunk
        else:
            decompressor = zlib.decompressobj(-15)
            fed = 0
            try:
                while fed < len(view) and not decompressor.eof:
                    pending: bytes | memoryview = view[fed : fed + _CHUNK]
                    fed += len(pending)
                    while pending and not decompressor.eof:
                        # Ask for at most one byte past what is left: any byte beyond the declared size is proof
                        # that the header lies, and nothing more is ever decompressed.
                        chunk = decompressor.decompress(pending, min(_CHUNK, declared - produced + 1))
                        produced += len(chunk)
                        if produced > declared:
                            raise _bigger_than_declared(info)
                        crc = zlib.crc32(chunk, crc)
                        if chunk:
                            yield chunk
                        pending = decompressor.unconsumed_tail
            except zlib.error:
                raise _damaged(info) from None
            # The stream must end exactly where the member's data ends: no cut, no hidden bytes after it.
            if not decompressor.eof or decompressor.unused_data or fed != len(view):
                raise _damaged(info)
        if produced != declared or crc != info.CRC:
            raise _damaged(info)


_NOT_ZIP_HINT = "Check that you chose the .oscb file the agency sent; if so, ask them to send it again."


def _damaged(info: zipfile.ZipInfo) -> _Reject:
    return _Reject(
        Code.NOT_ZIP,
        f"The bundle is damaged: {_shown(info.filename)} cannot be unpacked intact (the file may have been cut "
        f"short or changed in transit). {_RESEND}",
        info.filename,
    )


def _bigger_than_declared(info: zipfile.ZipInfo) -> _Reject:
    return _Reject(
        Code.TOO_LARGE,
        f"{_shown(info.filename)} holds more data than the zip says it does, a trick used to hide content or exhaust "
        f"memory; it was not unpacked. {_RESEND}",
        info.filename,
    )


def _check_name(name: str) -> None:
    def unsafe(why: str) -> _Reject:
        return _Reject(
            Code.UNSAFE_PATH,
            f"The bundle holds a file named {_shown(name)!r}, which {why}. Genuine bundles never do; it was not "
            f"unpacked. {_RESEND}",
            name,
        )

    if not name:
        raise unsafe("has no name")
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise unsafe("contains control characters")
    if "\\" in name:
        raise unsafe("contains a backslash")
    if name.startswith("/") or _DRIVE.match(name):
        raise unsafe("is an absolute path that could write anywhere on the computer")
    segments = name.split("/")
    if ".." in segments:
        raise unsafe("climbs out of the folder it is unpacked into ('..')")
    if any(s in ("", ".") for s in segments[:-1]) or segments[-1] == ".":
        raise unsafe("has an empty or '.' folder in its path")


def _check_file_type(info: zipfile.ZipInfo) -> None:
    file_type = stat.S_IFMT(info.external_attr >> 16)
    if file_type in (0, stat.S_IFREG, stat.S_IFDIR):
        return
    kind = "a symbolic link" if file_type == stat.S_IFLNK else "a special file (not a regular file)"
    raise _Reject(
        Code.SYMLINK,
        f"{_shown(info.filename)} is {kind}, which could point anywhere on the computer; genuine bundles hold only "
        f"plain files. {_RESEND}",
        info.filename,
    )


def _check_method(info: zipfile.ZipInfo) -> None:
    if info.flag_bits & _ENCRYPTED_FLAG:
        raise _Reject(
            Code.UNSUPPORTED_ZIP,
            f"{_shown(info.filename)} is encrypted; bundles are never encrypted (they are signed instead). {_RESEND}",
            info.filename,
        )
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise _Reject(
            Code.UNSUPPORTED_ZIP,
            f"{_shown(info.filename)} is compressed in a way bundles never use (method {info.compress_type}); only "
            f"stored and deflated members are read. {_RESEND}",
            info.filename,
        )


def _data_span(raw: bytes, info: zipfile.ZipInfo) -> tuple[int, int]:
    """Where a member's compressed data lies, after checking its local header agrees with the directory."""
    offset = info.header_offset
    header = raw[offset : offset + _LOCAL_HEADER.size]
    if offset < 0 or len(header) < _LOCAL_HEADER.size:
        raise _damaged(info)
    signature, _v, _s, flags, method, _t, _d, _crc, _cs, _us, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    name_bytes = raw[offset + _LOCAL_HEADER.size : offset + _LOCAL_HEADER.size + name_length]
    name = name_bytes.decode("utf-8" if flags & _UTF8_FLAG else "cp437", errors="replace")
    if signature != _LOCAL_SIGNATURE or method != info.compress_type or name != info.orig_filename:
        raise _damaged(info)
    if flags & _ENCRYPTED_FLAG:
        raise _Reject(Code.UNSUPPORTED_ZIP, f"{_shown(info.filename)} is encrypted; bundles never are. {_RESEND}")
    start = offset + _LOCAL_HEADER.size + name_length + extra_length
    end = start + info.compress_size
    if end > len(raw):
        raise _damaged(info)
    return start, end


def _check_layout(raw: bytes, entries: list[zipfile.ZipInfo]) -> None:
    """Members must not share bytes: overlapping entries are how the worst zip bombs multiply their size."""
    previous_end = 0
    for info in sorted(entries, key=lambda i: i.header_offset):
        _start, end = _data_span(raw, info)
        if info.header_offset < previous_end:
            raise _Reject(
                Code.NOT_ZIP,
                f"The bundle is malformed: {_shown(info.filename)} overlaps another member, which genuine bundles "
                f"never do. {_RESEND}",
                info.filename,
            )
        previous_end = end


def _load_manifest(manifest_bytes: bytes) -> dict[str, Any]:
    try:
        manifest = parse_json(manifest_bytes)
    except JsonError as exc:
        raise _Reject(Code.BAD_MANIFEST, f"manifest.json cannot be read: {exc}. {_RESEND}", "manifest.json") from None
    problem = schema_problem(manifest, MANIFEST_SCHEMA)
    if problem:
        raise _Reject(
            Code.BAD_MANIFEST,
            f"manifest.json is not an OSCB bundle manifest of a version this program knows ({problem}). "
            f"If the agency uses a newer version of OSCB Desktop, update this one; otherwise {_RESEND.lower()}",
            "manifest.json",
        )
    paths = [m["path"] for m in manifest["members"]]
    folded = [p.casefold() for p in paths]
    if len(set(folded)) != len(folded):
        raise _Reject(Code.BAD_MANIFEST, f"manifest.json lists a member twice. {_RESEND}", "manifest.json")
    for fixed in limits.LISTED_FIXED_MEMBERS:
        if fixed not in paths:
            raise _Reject(
                Code.BAD_MANIFEST,
                f"manifest.json does not list {fixed}, which every bundle must hold. {_RESEND}",
                "manifest.json",
            )
    return manifest  # type: ignore[no-any-return]


def _check_manifest_signature(signature: bytes, manifest_bytes: bytes) -> x509.Certificate:
    try:
        return verify_detached(signature, manifest_bytes)
    except SignatureInvalidError as exc:
        problem = str(exc)
    except Exception:  # the CMS parser meets hostile bytes here; any failure is a broken signature
        problem = "it cannot be read"
    raise _Reject(
        Code.BAD_MANIFEST_SIGNATURE,
        f"The signature over the manifest is not valid ({problem}): the bundle was changed after it was signed, "
        f"or damaged. Do not use this file. {_RESEND}",
        "manifest.sig",
    )


def _check_signer_pem(signer_pem: bytes, certificate: x509.Certificate) -> str:
    try:
        certificates = x509.load_pem_x509_certificates(signer_pem)
    except ValueError:
        certificates = []
    if len(certificates) != 1:
        raise _Reject(
            Code.SIGNER_MISMATCH,
            f"signer.pem does not hold exactly one certificate, so the signer cannot be named. {_RESEND}",
            "signer.pem",
        )
    fingerprint = certificate.fingerprint(hashes.SHA256()).hex()
    if certificates[0].fingerprint(hashes.SHA256()).hex() != fingerprint:
        raise _Reject(
            Code.SIGNER_MISMATCH,
            "The manifest was signed with another certificate than the one in signer.pem, so the bundle does not "
            f"say truthfully who signed it. Do not use this file. {_RESEND}",
            "signer.pem",
        )
    return fingerprint


def _decide(trusted: TrustPolicy, fingerprint: str, agency_name: str) -> Trust:
    decision = trusted(fingerprint, agency_name)
    if decision is True:
        return Trust.TRUSTED
    if decision is False:
        return Trust.UNKNOWN
    return Trust(decision)


def _check_trust(decision: Trust, fingerprint: str, agency_name: str) -> None:
    shown = format_fingerprint(fingerprint)
    if decision is Trust.REVOKED:
        raise _Reject(
            Code.REVOKED_SIGNER,
            f"The return is signed with a certificate that was revoked (fingerprint {shown}). Ask {agency_name} "
            "to sign it again with their current signing identity.",
            "signer.pem",
        )
    if decision is Trust.UNKNOWN:
        raise _Reject(
            Code.UNTRUSTED_SIGNER,
            f"The return is signed with a certificate that is not registered for {agency_name} (fingerprint "
            f"{shown}). Confirm this fingerprint with the agency by phone or in person; if it is theirs, register "
            "the certificate and import the bundle again.",
            "signer.pem",
        )


def _check_pdf(pdf: bytes, fingerprint: str) -> None:
    report = verify_pdf(pdf)
    if report.certificate is None or not report.intact or not report.valid:
        raise _Reject(
            Code.BAD_PDF_SIGNATURE,
            f"The signed PDF of the return cannot be trusted: {report.problem}. {_RESEND}",
            "submission.pdf",
        )
    if report.certificate.fingerprint(hashes.SHA256()).hex() != fingerprint:
        raise _Reject(
            Code.PDF_SIGNER_MISMATCH,
            "The PDF of the return was signed with another certificate than the bundle, so it may not be the "
            f"return that was signed off. {_RESEND}",
            "submission.pdf",
        )
    if not report.covers_whole_file:
        raise _Reject(
            Code.PDF_MODIFIED_AFTER_SIGNING,
            "Something was added to the PDF of the return after it was signed, so what it shows may not be what "
            f"was signed off. {_RESEND}",
            "submission.pdf",
        )


def _check_submission(
    data: bytes, manifest: Mapping[str, Any], forms: FormRegistry, listed: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    try:
        submission = parse_json(data)
    except JsonError as exc:
        raise _Reject(
            Code.BAD_SUBMISSION, f"submission.json cannot be read: {exc}. {_RESEND}", "submission.json"
        ) from None
    problem = schema_problem(submission, SUBMISSION_SCHEMA)
    if problem:
        raise _Reject(
            Code.BAD_SUBMISSION,
            f"submission.json is not a return of a version this program knows ({problem}). If the agency uses a "
            f"newer version of OSCB Desktop, update this one; otherwise {_RESEND.lower()}",
            "submission.json",
        )
    form_id, version = submission["form"]["id"], submission["form"]["version"]
    try:
        form = forms.get(form_id, version)
    except KeyError:
        raise _Reject(
            Code.UNKNOWN_FORM,
            f"The return answers the form {form_id} version {version}, which is not installed here. Install the "
            "update of OSCB Desktop that brings this form version, then import the bundle again.",
            "submission.json",
        ) from None
    comparisons: list[tuple[str, Any, Any]] = [
        ("submission id", submission["submission"]["id"], manifest["submission"]["id"]),
        ("submission version", submission["submission"]["version"], manifest["submission"]["version"]),
        ("superseded submission", submission["submission"]["supersedes"], manifest["submission"]["supersedes"]),
        ("form", submission["form"]["id"], manifest["form"]["id"]),
        ("form version", submission["form"]["version"], manifest["form"]["version"]),
        ("reporting period", submission["period"], manifest["period"]),
        ("agency", submission["agency"]["name"], manifest["agency"]["name"]),
        ("agency sector", submission["agency"]["sector"], manifest["agency"]["sector"]),
    ]
    for what, in_submission, in_manifest in comparisons:
        if in_submission != in_manifest:
            raise _Reject(
                Code.MANIFEST_MISMATCH,
                f"submission.json and manifest.json disagree about the {what} ({in_submission!r} against "
                f"{in_manifest!r}), so it is not clear what was signed. {_RESEND}",
                "submission.json",
            )
    unknown = sorted(item_id for item_id in submission["answers"] if not form.has_item(item_id))
    if unknown:
        shown = ", ".join(unknown[:5]) + (", …" if len(unknown) > 5 else "")
        raise _Reject(
            Code.BAD_SUBMISSION,
            f"submission.json answers items that the form {form_id} {version} does not have ({shown}). {_RESEND}",
            "submission.json",
        )
    bundled = {(m["sha256"], m["size"]) for path, m in listed.items() if path.startswith(limits.ATTACHMENTS_FOLDER)}
    for item in form.items():
        if item.type != "attachments" or item.id not in submission["answers"]:
            continue
        _check_attachment_answer(item.id, submission["answers"][item.id], bundled)
    return submission  # type: ignore[no-any-return]


def _check_attachment_answer(item_id: str, value: Any, bundled: set[tuple[str, int]]) -> None:
    if value is None:
        return
    entries = value if isinstance(value, list) else [value]
    for entry in entries:
        if not (
            isinstance(entry, dict)
            and set(entry) == {"sha256", "name", "size"}
            and isinstance(entry["sha256"], str)
            and isinstance(entry["name"], str)
            and isinstance(entry["size"], int)
        ):
            raise _Reject(
                Code.BAD_SUBMISSION,
                f"submission.json: the evidence list of {item_id} is not in the expected form. {_RESEND}",
                "submission.json",
            )
        if (entry["sha256"], entry["size"]) not in bundled:
            raise _Reject(
                Code.BAD_SUBMISSION,
                f"submission.json refers to the evidence file {_shown(entry['name'])!r} ({item_id}), which the bundle "
                f"does not hold. {_RESEND}",
                "submission.json",
            )


def _check_audit(data: bytes) -> list[Any]:
    try:
        audit = parse_json(data)
    except JsonError as exc:
        raise _Reject(Code.BAD_AUDIT, f"audit.json cannot be read: {exc}. {_RESEND}", "audit.json") from None
    problem = schema_problem(audit, SUBMISSION_SCHEMA, "/$defs/audit_log")
    if problem:
        raise _Reject(
            Code.BAD_AUDIT, f"audit.json is not a history of answer changes ({problem}). {_RESEND}", "audit.json"
        )
    return audit  # type: ignore[no-any-return]


def _shown(name: str, limit: int = 100) -> str:
    """A name from the bundle as it may appear in a reason: control characters escaped, long names cut."""
    printable = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in name)
    return printable if len(printable) <= limit else printable[: limit - 1] + "…"


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()

"""A bounded reader for zip files from strangers: every check runs before a byte is believed.

Return bundles are read with it today; partnership packs and feedback files (DESIGN.md §7) are zips with
the same manifest and signature discipline and will use it too, each with its own :class:`ZipRules` (its
limits, and the words its refusals use). Nothing here knows what a manifest is.

What it refuses, each with a :class:`~oscb_desktop.bundle.codes.Rejection` and its own code: a file over
the size limit (read with :func:`read_bounded`, which never allocates more than the file's own size plus
one byte), anything that is not a plain zip, unsafe member names (absolute, ``..``, backslashes, control
characters), links and special files, duplicate names (ignoring case and Unicode normalisation), too many
members, members or totals over their limits, compression ratios of zip bombs, encryption, methods other
than stored and deflated, and members whose data overlap. Sizes declared in headers are checked first,
and every member is then decompressed with a hard stop one byte past its declared size, so a lying header
or a zip bomb costs at most the limits in memory and time.
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
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from oscb_desktop.bundle import limits
from oscb_desktop.bundle.codes import RESEND, Code, Rejection, shown

_CHUNK = 1024 * 1024
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_LOCAL_SIGNATURE = b"PK\x03\x04"
_UTF8_FLAG = 0x800
_ENCRYPTED_FLAG = 0x1
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class ZipRules:
    """The limits of one kind of signed zip, and how its refusals name it. The defaults are a return bundle's.

    ``noun`` is what people call one (``bundle``: "The bundle holds …", "a bundle allows …", "genuine
    bundles …"), ``kind`` the same with its article for "This file is not …", ``not_zip_hint`` what to do
    about a file that is no zip at all, and ``resend`` the advice that ends the other refusals.
    """

    #: Largest file, and largest sum of its members' uncompressed sizes.
    max_bytes: int = limits.MAX_BUNDLE_BYTES
    #: Most zip entries, counted before any is read.
    max_entries: int = limits.MAX_ZIP_ENTRIES
    #: Largest ratio of a member's uncompressed to compressed size (more is a zip bomb).
    max_ratio: int = limits.MAX_COMPRESSION_RATIO
    #: Largest uncompressed size of each named member ...
    member_bytes: Mapping[str, int] = field(default_factory=lambda: limits.MAX_MEMBER_BYTES)
    #: ... and of any other member.
    other_member_bytes: int = limits.MAX_ATTACHMENT_BYTES
    noun: str = "bundle"
    kind: str = "an OSCB bundle"
    not_zip_hint: str = "Check that you chose the .oscb file the agency sent; if so, ask them to send it again."
    resend: str = RESEND

    def member_limit(self, name: str) -> int:
        """The largest uncompressed size allowed for the member ``name``."""
        return self.member_bytes.get(name, self.other_member_bytes)


#: A return bundle's rules (``bundle/limits.py``).
BUNDLE_RULES = ZipRules()


class FileTooLargeError(Exception):
    """A file over the size limit given to :func:`read_bounded`; at most ``limit + 1`` bytes were read."""

    def __init__(self, path: Path, limit: int) -> None:
        super().__init__(f"{path.name} is larger than {limits.megabytes(limit)}")
        self.path = path
        self.limit = limit


def read_bounded(path: str | os.PathLike[str], limit: int) -> bytes:
    """The whole file, if it holds at most ``limit`` bytes: :class:`FileTooLargeError` if not, ``OSError`` if
    it cannot be read.

    The size is measured first and a larger file is refused unread; a smaller one is read as measured plus
    one byte, so a file that grew in the meantime is noticed without ever allocating ``limit`` bytes up front.
    """
    path = Path(path)
    with path.open("rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > limit:
            raise FileTooLargeError(path, limit)
        data = fh.read(size + 1)
        if len(data) > size:  # it grew: read on up to the limit, which the check below refuses
            data += fh.read(limit + 1 - len(data))
    if len(data) > limit:
        raise FileTooLargeError(path, limit)
    return data


def read_zip(
    data_or_path: bytes | bytearray | memoryview | str | os.PathLike[str], rules: ZipRules = BUNDLE_RULES
) -> bytes:
    """The bytes of a zip given as bytes or as a path, within ``rules.max_bytes``; a :class:`Rejection` if not."""
    if isinstance(data_or_path, bytes | bytearray | memoryview):
        raw = bytes(data_or_path)
        if len(raw) > rules.max_bytes:
            raise _too_large_file(rules)
        return raw
    path = Path(data_or_path)
    try:
        return read_bounded(path, rules.max_bytes)
    except FileTooLargeError:
        raise _too_large_file(rules) from None
    except OSError as exc:
        raise Rejection(
            Code.UNREADABLE,
            f"{path.name} could not be read ({exc.strerror or exc}). Check that the file is there and that you "
            "may open it, then try again.",
        ) from None


def _too_large_file(rules: ZipRules) -> Rejection:
    return Rejection(
        Code.TOO_LARGE,
        f"The file is larger than {limits.megabytes(rules.max_bytes)}, the most a {rules.noun} can be, so it "
        f"was not opened. Check that it is {rules.kind}.",
    )


@dataclass
class ZipContents:
    """What :meth:`SafeZip.read_all` found: every member's size and SHA-256, and the bytes of those kept."""

    sizes: dict[str, int]
    hashes: dict[str, str]
    #: Bytes of the members asked for; the others are hashed on the way through and read again on demand.
    data: dict[str, bytes]


@dataclass
class SafeZip:
    """A zip that passed every check of :meth:`open`; its members can then be read without surprises."""

    raw: bytes
    infos: dict[str, zipfile.ZipInfo]
    rules: ZipRules = BUNDLE_RULES

    @classmethod
    def open(cls, raw: bytes, rules: ZipRules = BUNDLE_RULES) -> SafeZip:
        """Check the zip's directory and layout against ``rules``; a :class:`Rejection` says what is wrong."""
        if not raw.startswith(_LOCAL_SIGNATURE):
            raise Rejection(Code.NOT_ZIP, f"This file is not {rules.kind} (it is not a zip file). {rules.not_zip_hint}")
        try:
            entries = zipfile.ZipFile(BytesIO(raw)).infolist()
        except Exception:  # zipfile raises many kinds on hostile input; all mean the same to the user
            raise Rejection(
                Code.NOT_ZIP,
                f"This file is not {rules.kind}, or it is damaged or incomplete (it cannot be read as a zip "
                f"file). {rules.not_zip_hint}",
            ) from None

        seen: set[str] = set()
        for info in entries:
            _check_name(info.orig_filename, rules)
            _check_file_type(info, rules)
            key = unicodedata.normalize("NFC", info.filename).casefold()
            if key in seen:
                raise Rejection(
                    Code.DUPLICATE_MEMBER,
                    f"The {rules.noun} holds two members named {shown(info.filename)!r}; a reader could pick "
                    f"either, so it cannot be trusted. {rules.resend}",
                    info.filename,
                )
            seen.add(key)
        if len(entries) > rules.max_entries:
            raise Rejection(
                Code.TOO_MANY_MEMBERS,
                f"The {rules.noun} holds {len(entries)} files; a {rules.noun} has at most {rules.max_entries}. "
                f"It was not made by OSCB Desktop, or not as it is now. {rules.resend}",
            )
        total = 0
        for info in entries:
            _check_method(info, rules)
            if info.file_size > rules.member_limit(info.filename):
                raise Rejection(
                    Code.TOO_LARGE,
                    f"{shown(info.filename)} is {limits.megabytes(info.file_size)}, more than the "
                    f"{limits.megabytes(rules.member_limit(info.filename))} a {rules.noun} allows for it. "
                    f"{rules.resend}",
                    info.filename,
                )
            if info.file_size > info.compress_size * rules.max_ratio:
                raise Rejection(
                    Code.TOO_LARGE,
                    f"{shown(info.filename)} would expand more than {rules.max_ratio} times when unpacked, which "
                    f"is how zip bombs work; it was not unpacked. {rules.resend}",
                    info.filename,
                )
            total += info.file_size
        if total > rules.max_bytes:
            raise Rejection(
                Code.TOO_LARGE,
                f"Unpacked, the {rules.noun} would come to {limits.megabytes(total)}, more than the "
                f"{limits.megabytes(rules.max_bytes)} a {rules.noun} can be. {rules.resend}",
            )
        _check_layout(raw, entries, rules)
        return cls(raw=raw, infos={info.filename: info for info in entries}, rules=rules)

    def read_all(self, keep: Collection[str] = ()) -> ZipContents:
        """Read every member once (so every one is proven intact), keeping the bytes of those in ``keep``."""
        contents = ZipContents(sizes={}, hashes={}, data={})
        for name, info in self.infos.items():
            kept = name in keep
            digest = hashlib.sha256()
            parts: list[bytes] = []
            size = 0
            for chunk in self._chunks(info):
                digest.update(chunk)
                size += len(chunk)
                if kept:
                    parts.append(chunk)
            contents.sizes[name] = size
            contents.hashes[name] = digest.hexdigest()
            if kept:
                contents.data[name] = b"".join(parts)
        return contents

    def read(self, name: str) -> bytes:
        return b"".join(self._chunks(self.infos[name]))

    def _chunks(self, info: zipfile.ZipInfo) -> Iterable[bytes]:
        """The member's bytes, never more than its declared size, checked against its zip CRC."""
        start, end = _data_span(self.raw, info, self.rules)
        view = memoryview(self.raw)[start:end]
        declared = info.file_size
        crc = 0
        produced = 0
        if info.compress_type == zipfile.ZIP_STORED:
            if len(view) > declared:
                raise _bigger_than_declared(info, self.rules)
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
                            raise _bigger_than_declared(info, self.rules)
                        crc = zlib.crc32(chunk, crc)
                        if chunk:
                            yield chunk
                        pending = decompressor.unconsumed_tail
            except zlib.error:
                raise _damaged(info, self.rules) from None
            # The stream must end exactly where the member's data ends: no cut, no hidden bytes after it.
            if not decompressor.eof or decompressor.unused_data or fed != len(view):
                raise _damaged(info, self.rules)
        if produced != declared or crc != info.CRC:
            raise _damaged(info, self.rules)


def _damaged(info: zipfile.ZipInfo, rules: ZipRules) -> Rejection:
    return Rejection(
        Code.NOT_ZIP,
        f"The {rules.noun} is damaged: {shown(info.filename)} cannot be unpacked intact (the file may have been "
        f"cut short or changed in transit). {rules.resend}",
        info.filename,
    )


def _bigger_than_declared(info: zipfile.ZipInfo, rules: ZipRules) -> Rejection:
    return Rejection(
        Code.TOO_LARGE,
        f"{shown(info.filename)} holds more data than the zip says it does, a trick used to hide content or exhaust "
        f"memory; it was not unpacked. {rules.resend}",
        info.filename,
    )


def _check_name(name: str, rules: ZipRules) -> None:
    def unsafe(why: str) -> Rejection:
        return Rejection(
            Code.UNSAFE_PATH,
            f"The {rules.noun} holds a file named {shown(name)!r}, which {why}. Genuine {rules.noun}s never do; it "
            f"was not unpacked. {rules.resend}",
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


def _check_file_type(info: zipfile.ZipInfo, rules: ZipRules) -> None:
    file_type = stat.S_IFMT(info.external_attr >> 16)
    if file_type in (0, stat.S_IFREG, stat.S_IFDIR):
        return
    kind = "a symbolic link" if file_type == stat.S_IFLNK else "a special file (not a regular file)"
    raise Rejection(
        Code.SYMLINK,
        f"{shown(info.filename)} is {kind}, which could point anywhere on the computer; genuine {rules.noun}s hold "
        f"only plain files. {rules.resend}",
        info.filename,
    )


def _check_method(info: zipfile.ZipInfo, rules: ZipRules) -> None:
    if info.flag_bits & _ENCRYPTED_FLAG:
        raise Rejection(
            Code.UNSUPPORTED_ZIP,
            f"{shown(info.filename)} is encrypted; {rules.noun}s are never encrypted (they are signed instead). "
            f"{rules.resend}",
            info.filename,
        )
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise Rejection(
            Code.UNSUPPORTED_ZIP,
            f"{shown(info.filename)} is compressed in a way {rules.noun}s never use (method {info.compress_type}); "
            f"only stored and deflated members are read. {rules.resend}",
            info.filename,
        )


def _data_span(raw: bytes, info: zipfile.ZipInfo, rules: ZipRules) -> tuple[int, int]:
    """Where a member's compressed data lies, after checking its local header agrees with the directory."""
    offset = info.header_offset
    header = raw[offset : offset + _LOCAL_HEADER.size]
    if offset < 0 or len(header) < _LOCAL_HEADER.size:
        raise _damaged(info, rules)
    signature, _v, _s, flags, method, _t, _d, _crc, _cs, _us, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    name_bytes = raw[offset + _LOCAL_HEADER.size : offset + _LOCAL_HEADER.size + name_length]
    name = name_bytes.decode("utf-8" if flags & _UTF8_FLAG else "cp437", errors="replace")
    if signature != _LOCAL_SIGNATURE or method != info.compress_type or name != info.orig_filename:
        raise _damaged(info, rules)
    if flags & _ENCRYPTED_FLAG:
        raise Rejection(
            Code.UNSUPPORTED_ZIP, f"{shown(info.filename)} is encrypted; {rules.noun}s never are. {rules.resend}"
        )
    start = offset + _LOCAL_HEADER.size + name_length + extra_length
    end = start + info.compress_size
    if end > len(raw):
        raise _damaged(info, rules)
    return start, end


def _check_layout(raw: bytes, entries: list[zipfile.ZipInfo], rules: ZipRules) -> None:
    """Members must not share bytes: overlapping entries are how the worst zip bombs multiply their size."""
    previous_end = 0
    for info in sorted(entries, key=lambda i: i.header_offset):
        _start, end = _data_span(raw, info, rules)
        if info.header_offset < previous_end:
            raise Rejection(
                Code.NOT_ZIP,
                f"The {rules.noun} is malformed: {shown(info.filename)} overlaps another member, which genuine "
                f"{rules.noun}s never do. {rules.resend}",
                info.filename,
            )
        previous_end = end

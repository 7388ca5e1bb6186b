"""Zip files made to hurt whoever opens them: the verifier refuses each with its own code, quickly, and
without unpacking more than the limits allow."""

from __future__ import annotations

import stat
import struct
import time
import tracemalloc
import zipfile
import zlib

import pytest
from helpers.bundle_kit import make_zip, members_of

from oscb_desktop.bundle import Code, VerifyResult, limits, verify_bundle
from oscb_desktop.forms import FormRegistry


def check(data: bytes, forms: FormRegistry) -> VerifyResult:
    result = verify_bundle(data, forms=forms, trusted=None)
    assert not result.ok
    assert result.reason.endswith("."), result.reason
    return result


@pytest.mark.parametrize(
    "data",
    [b"", b"hello world", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", b"PK\x03\x04" + b"\0" * 100, b"PK\x05\x06" + b"\0" * 18],
    ids=["empty", "text", "pdf", "local-header-only", "empty-zip"],
)
def test_not_a_zip(data: bytes, shipped_forms: FormRegistry) -> None:
    assert check(data, shipped_forms).code == Code.NOT_ZIP


@pytest.mark.parametrize("keep", [0.5, 0.9, -1, -22])
def test_truncated(bundle: bytes, shipped_forms: FormRegistry, keep: float) -> None:
    cut = bundle[: int(len(bundle) * keep)] if keep > 0 else bundle[: int(keep)]
    assert check(cut, shipped_forms).code == Code.NOT_ZIP


def test_something_before_the_zip(bundle: bytes, shipped_forms: FormRegistry) -> None:
    assert check(b"#!/bin/sh\nrm -rf ~\n" + bundle, shipped_forms).code == Code.NOT_ZIP


@pytest.mark.parametrize(
    "name",
    [
        "../evil",
        "attachments/../../evil.pdf",
        "/etc/passwd",
        "C:/Windows/evil.dll",
        "attachments\\..\\evil.pdf",
        "attachments\\evil.pdf",
        "attachments//evil.pdf",
        "./manifest.json",
        "evil\x00.pdf",
        "evil\n.pdf",
    ],
)
def test_unsafe_paths(bundle: bytes, shipped_forms: FormRegistry, name: str) -> None:
    # zipfile will not write a NUL into a name, so write a stand-in and change the bytes afterwards.
    stand_in = name.replace("\x00", "\x01")
    hostile = make_zip([*members_of(bundle).items(), (stand_in, b"payload")])
    hostile = hostile.replace(stand_in.encode(), name.encode())
    result = check(hostile, shipped_forms)
    assert result.code == Code.UNSAFE_PATH
    assert result.member == name


@pytest.mark.parametrize("mode", [stat.S_IFLNK | 0o777, stat.S_IFIFO | 0o644, stat.S_IFCHR | 0o644])
def test_links_and_special_files(bundle: bytes, shipped_forms: FormRegistry, mode: int) -> None:
    hostile = make_zip([*members_of(bundle).items(), ("attachments/policy.pdf", b"/home/user/.ssh/id_rsa", mode)])
    result = check(hostile, shipped_forms)
    assert result.code == Code.SYMLINK
    assert result.member == "attachments/policy.pdf"


@pytest.mark.parametrize("second", ["submission.pdf", "SUBMISSION.PDF", "Submission.pdf"])
def test_duplicate_names(bundle: bytes, shipped_forms: FormRegistry, second: str) -> None:
    hostile = make_zip([*members_of(bundle).items(), (second, b"%PDF-1.7 the other one")])
    result = check(hostile, shipped_forms)
    assert result.code == Code.DUPLICATE_MEMBER
    assert result.member == second


def test_too_many_entries(bundle: bytes, shipped_forms: FormRegistry) -> None:
    entries = list(members_of(bundle).items()) + [(f"attachments/{i:03d}.txt", b"x") for i in range(300)]
    assert check(make_zip(entries), shipped_forms).code == Code.TOO_MANY_MEMBERS


def _bomb(size: int) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = b"\0" * (1024 * 1024)
    body = b"".join(compressor.compress(chunk) for _ in range(size // len(chunk))) + compressor.flush()
    return body


def _zip_with_raw_member(name: str, raw_deflate: bytes, size: int, crc: int) -> bytes:
    """A one-member zip written by hand, so a test can state any sizes it likes."""
    encoded = name.encode()
    local = struct.pack(
        "<4s2B4HL2L2H", b"PK\x03\x04", 20, 0, 0, 8, 0, 0x21, crc, len(raw_deflate), size, len(encoded), 0
    )
    central = struct.pack(
        "<4s4B4HL2L5H2L",
        b"PK\x01\x02",
        20,
        3,
        20,
        0,
        0,
        8,
        0,
        0x21,
        crc,
        len(raw_deflate),
        size,
        len(encoded),
        0,
        0,
        0,
        0,
        (stat.S_IFREG | 0o644) << 16,
        0,
    )
    body = local + encoded + raw_deflate
    directory = central + encoded
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(directory), len(body), 0)
    return body + directory + end


def test_zip_bomb(shipped_forms: FormRegistry) -> None:
    """50 MB of zeros squeezed into a few kB: refused from the headers, before anything is unpacked."""
    size = 50 * 1024 * 1024
    raw = _bomb(size)
    crc = 0
    for _ in range(50):
        crc = zlib.crc32(b"\0" * (1024 * 1024), crc)
    hostile = _zip_with_raw_member("submission.pdf", raw, size, crc)  # under the 100 MB PDF limit, ratio ~1000
    assert len(hostile) < 100 * 1024

    tracemalloc.start()
    started = time.perf_counter()
    result = check(hostile, shipped_forms)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert result.code == Code.TOO_LARGE
    assert "zip bomb" in result.reason
    assert peak < 5 * 1024 * 1024
    assert elapsed < 5


def test_member_over_its_size_limit(shipped_forms: FormRegistry) -> None:
    size = limits.MAX_ATTACHMENT_BYTES + 1
    raw = b"\x01" * 10  # the content does not matter: the declared size alone is refused
    result = check(_zip_with_raw_member("attachments/big.bin", raw, size, 0), shipped_forms)
    assert result.code == Code.TOO_LARGE
    assert "25 MB" in result.reason


@pytest.mark.parametrize("method", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
def test_member_bigger_than_its_header_says(bundle: bytes, shipped_forms: FormRegistry, method: int) -> None:
    """The headers claim 100 bytes; the member holds 10 kB. The reader stops at byte 101."""
    content = bytes(range(256)) * 40
    hostile = make_zip([*members_of(bundle).items(), ("attachments/liar.bin", content)], compress_type=method)
    hostile = _patch_sizes(hostile, "attachments/liar.bin", uncompressed=100)
    result = check(hostile, shipped_forms)
    assert result.code == Code.TOO_LARGE, result.reason
    assert result.member == "attachments/liar.bin"


def test_member_smaller_than_its_header_says(bundle: bytes, shipped_forms: FormRegistry) -> None:
    content = bytes(range(256)) * 40
    hostile = make_zip([*members_of(bundle).items(), ("attachments/short.bin", content)])
    hostile = _patch_sizes(hostile, "attachments/short.bin", uncompressed=len(content) + 1000)
    assert check(hostile, shipped_forms).code == Code.NOT_ZIP


def test_damaged_member_data(bundle: bytes, shipped_forms: FormRegistry) -> None:
    """A byte changed inside the compressed data: the zip checksum or deflate itself catches it, or the
    damaged stream inflates past the member's declared size (the bytes differ from run to run, since
    the bundle carries fresh signatures, so either outcome can happen)."""
    index = bundle.index(b"submission.pdf") + 200
    damaged = bundle[:index] + bytes([bundle[index] ^ 0xFF]) + bundle[index + 1 :]
    assert check(damaged, shipped_forms).code in (Code.NOT_ZIP, Code.TOO_LARGE)


def test_encrypted_member(bundle: bytes, shipped_forms: FormRegistry) -> None:
    hostile = _patch_central(bundle, "audit.json", flag_bits=0x1)
    result = check(hostile, shipped_forms)
    assert result.code == Code.UNSUPPORTED_ZIP
    assert "encrypted" in result.reason


def test_unusual_compression(bundle: bytes, shipped_forms: FormRegistry) -> None:
    hostile = make_zip(
        [*members_of(bundle).items(), ("attachments/a.txt", b"a" * 100)], compress_type=zipfile.ZIP_BZIP2
    )
    assert check(hostile, shipped_forms).code == Code.UNSUPPORTED_ZIP


def _central_records(data: bytes) -> list[tuple[int, str]]:
    """(offset, name) of each central directory record."""
    records = []
    position = data.find(b"PK\x01\x02")
    while position != -1:
        name_length = struct.unpack_from("<H", data, position + 28)[0]
        records.append((position, data[position + 46 : position + 46 + name_length].decode()))
        position = data.find(b"PK\x01\x02", position + 46 + name_length)
    return records


def _patch_sizes(data: bytes, name: str, *, uncompressed: int) -> bytes:
    """Set a member's uncompressed size in both its local and central headers (and, if stored, nothing else)."""
    buffer = bytearray(data)
    for position, found in _central_records(data):
        if found == name:
            struct.pack_into("<L", buffer, position + 24, uncompressed)
            local = struct.unpack_from("<L", data, position + 42)[0]
            struct.pack_into("<L", buffer, local + 22, uncompressed)
            return bytes(buffer)
    raise AssertionError(f"{name} not in the zip")


def _patch_central(data: bytes, name: str, *, flag_bits: int) -> bytes:
    buffer = bytearray(data)
    for position, found in _central_records(data):
        if found == name:
            struct.pack_into("<H", buffer, position + 8, flag_bits)
            local = struct.unpack_from("<L", data, position + 42)[0]
            struct.pack_into("<H", buffer, local + 6, flag_bits)
            return bytes(buffer)
    raise AssertionError(f"{name} not in the zip")

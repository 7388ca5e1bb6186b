"""Evidence files stored by content: addressing, dedupe, limits."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from oscb_desktop.store.blobs import MAX_FILE_BYTES, AttachmentError, BlobRef, BlobStore


@pytest.fixture
def store(tmp_path: Path) -> BlobStore:
    return BlobStore(tmp_path / "attachments")


def stored_files(store: BlobStore) -> list[Path]:
    return sorted(p for p in store.folder.rglob("*") if p.is_file())


def test_bytes_are_stored_under_their_sha256(store: BlobStore) -> None:
    data = b"Board minutes, 12 June"
    sha = hashlib.sha256(data).hexdigest()
    ref = store.add_bytes(data, "minutes.txt")
    assert ref == BlobRef(sha, "minutes.txt", len(data))
    assert ref.as_json() == {"sha256": sha, "name": "minutes.txt", "size": len(data)}
    assert stored_files(store) == [store.folder / sha[:2] / sha]
    assert store.read(sha) == data
    assert store.exists(sha)


def test_file_is_copied_and_addressed_by_content(store: BlobStore, tmp_path: Path) -> None:
    source = tmp_path / "audit report.pdf"
    data = bytes(range(256)) * 5000  # more than one read chunk
    source.write_bytes(data)
    ref = store.add_file(source)
    assert ref.name == "audit report.pdf" and ref.size == len(data)
    assert ref.sha256 == hashlib.sha256(data).hexdigest()
    assert store.read(ref.sha256) == data
    assert store.add_file(source, name="renamed.pdf").name == "renamed.pdf"


def test_same_content_is_stored_once(store: BlobStore, tmp_path: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_bytes(b"same")
    b.write_bytes(b"same")
    ra, rb = store.add_file(a), store.add_file(b)
    rc = store.add_bytes(b"same", "c.txt")
    assert ra.sha256 == rb.sha256 == rc.sha256
    assert (ra.name, rb.name, rc.name) == ("a.txt", "b.txt", "c.txt")
    assert len(stored_files(store)) == 1
    store.add_bytes(b"different", "d.txt")
    assert len(stored_files(store)) == 2


def test_existing_blob_is_not_rewritten(store: BlobStore) -> None:
    ref = store.add_bytes(b"kept", "a.txt")
    path = store.path(ref.sha256)
    mtime = path.stat().st_mtime_ns
    store.add_bytes(b"kept", "again.txt")
    assert path.stat().st_mtime_ns == mtime


def test_too_large_file_is_refused_with_the_limit(store: BlobStore, tmp_path: Path) -> None:
    big = tmp_path / "scan.tiff"
    with open(big, "wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)  # sparse: no need to write 25 MB
    with pytest.raises(AttachmentError) as info:
        store.add_file(big)
    message = str(info.value)
    assert "scan.tiff" in message
    assert f"at most {MAX_FILE_BYTES // 1048576} MB" in message
    assert "25.0 MB" in message
    assert stored_files(store) == []


def test_file_at_the_limit_is_accepted(store: BlobStore, tmp_path: Path) -> None:
    edge = tmp_path / "edge.bin"
    with open(edge, "wb") as fh:
        fh.truncate(MAX_FILE_BYTES)
    ref = store.add_file(edge)
    assert ref.size == MAX_FILE_BYTES
    assert store.path(ref.sha256).stat().st_size == MAX_FILE_BYTES


def test_missing_file_is_a_clear_error(store: BlobStore, tmp_path: Path) -> None:
    with pytest.raises(AttachmentError, match=re.escape("gone.pdf cannot be read")):
        store.add_file(tmp_path / "gone.pdf")


@pytest.mark.parametrize("bad", ["", "abc", "../" + "a" * 61, "A" * 64, "g" * 64])
def test_path_refuses_anything_but_a_digest(store: BlobStore, bad: str) -> None:
    with pytest.raises(AttachmentError, match="not a SHA-256"):
        store.path(bad)
    with pytest.raises(AttachmentError):
        store.read(bad)


def test_no_temporary_files_are_left(store: BlobStore, tmp_path: Path) -> None:
    src = tmp_path / "x.txt"
    src.write_bytes(b"x" * 10)
    store.add_file(src)
    store.add_bytes(b"y", "y.txt")
    assert not [p for p in store.folder.rglob("*") if p.name.endswith(".part")]

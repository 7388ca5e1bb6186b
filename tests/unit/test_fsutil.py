"""atomic_write: old file or new file, never half of either; plain-language errors."""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from oscb_desktop import fsutil
from oscb_desktop.fsutil import WriteError, atomic_write


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


def test_writes_bytes_and_creates_folders(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "report.pdf"
    atomic_write(target, b"%PDF")
    assert target.read_bytes() == b"%PDF"
    assert leftovers(target.parent) == []


def test_writes_chunks_and_replaces_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "bundle.zip"
    target.write_bytes(b"old")
    atomic_write(target, iter([b"new ", b"content"]))
    assert target.read_bytes() == b"new content"
    assert leftovers(tmp_path) == []


def test_failure_midway_leaves_the_old_file_intact(tmp_path: Path) -> None:
    target = tmp_path / "bundle.zip"
    target.write_bytes(b"the old bundle")

    def chunks() -> Iterator[bytes]:
        yield b"first chunk of the new bundle"
        raise RuntimeError("the source went away")

    with pytest.raises(RuntimeError, match="went away"):
        atomic_write(target, chunks())
    assert target.read_bytes() == b"the old bundle"
    assert leftovers(tmp_path) == []


def test_failure_midway_without_an_old_file_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "new.bin"

    def chunks() -> Iterator[bytes]:
        yield b"x"
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, chunks())
    assert list(tmp_path.iterdir()) == []


def test_disk_full_while_writing_is_a_write_error(tmp_path: Path) -> None:
    target = tmp_path / "workspace-export.zip"
    target.write_bytes(b"old")

    def chunks() -> Iterator[bytes]:
        yield b"part"
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with pytest.raises(WriteError, match="disk is full") as info:
        atomic_write(target, chunks())
    assert "workspace-export.zip" in str(info.value)
    assert isinstance(info.value.__cause__, OSError)
    assert target.read_bytes() == b"old"
    assert leftovers(tmp_path) == []


def test_disk_full_on_rename_is_a_write_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.pdf"
    target.write_bytes(b"old")

    def full(src: str, dst: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(fsutil.os, "replace", full)
    with pytest.raises(WriteError, match=re.escape("The disk is full, so report.pdf could not be saved")):
        atomic_write(target, b"new")
    monkeypatch.undo()
    assert target.read_bytes() == b"old"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (errno.EDQUOT, "disk is full"),
        (errno.EACCES, "not allowed to write"),
        (errno.EROFS, "not allowed to write"),
        (errno.EIO, "could not be written"),
    ],
)
def test_other_os_errors_are_explained(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, expected: str
) -> None:
    def fail(src: str, dst: str) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(fsutil.os, "replace", fail)
    with pytest.raises(WriteError, match=expected):
        atomic_write(tmp_path / "x.bin", b"x")
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []


def test_unwritable_folder_is_a_write_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(tmp_path))

    # What mkstemp does in a folder without write permission (simulated: the tests may run as root).
    monkeypatch.setattr(fsutil.tempfile, "mkstemp", refused)
    with pytest.raises(WriteError, match="not allowed to write"):
        atomic_write(tmp_path / "x.bin", b"x")

"""atomic_write: old file or new file, never half of either; plain-language errors."""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from oscb_desktop import fsutil
from oscb_desktop.fsutil import WriteError, atomic_write, safe_stem


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


# --- safe_stem ------------------------------------------------------------------------------------


def _old_agency_stem(text: str) -> str:
    """The rule of ui/signing/common.py and services/signoff.py, without their "agency" fallback."""
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:60]


def _old_feedback_stem(text: str) -> str:
    """The rule of the feedback letters' file names, without their fallback."""
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:60].strip("-")


NAMES = [
    "Oxfordshire County Council – Children's Services",
    "Zoë Ødegård-Nguyễn Health Trust (Łódź & Aberystwyth)",
    "../../etc/passwd",
    "2026/27",
    "  spaces  around  ",
    "Thames Valley Police",
    "National Probation Service — Thames Valley and a very long name that goes on and on",
    "",
    "///",
    "ŁÓDŹ",
]


@pytest.mark.parametrize("text", NAMES)
def test_safe_stem_agrees_with_the_rules_it_replaces(text: str) -> None:
    assert safe_stem(text) == _old_feedback_stem(text)
    assert safe_stem(text) == _old_agency_stem(text)  # these names are not cut at a hyphen


def test_safe_stem_keeps_letters_digits_and_single_hyphens() -> None:
    assert safe_stem("Oxford City Council (housing) & 2026/27") == "Oxford-City-Council-housing-2026-27"
    assert safe_stem("Zoë's Trust") == "Zo-s-Trust"
    assert safe_stem("../..") == ""
    assert re.fullmatch(r"[A-Za-z0-9]+(-[A-Za-z0-9]+)*", safe_stem("a <b> c\x00d\\e:f*g?h|i"))


def test_safe_stem_is_cut_to_the_limit_without_a_trailing_hyphen() -> None:
    name = "A" * 59 + " Trust"
    assert safe_stem(name) == "A" * 59  # the cut falls on the hyphen, which goes too
    assert _old_agency_stem(name) == "A" * 59 + "-"  # (the old agency rule kept it)
    assert safe_stem("B" * 80) == "B" * 60
    assert safe_stem("Cherwell District Council", limit=8) == "Cherwell"
    assert safe_stem("Cherwell District Council", limit=9) == "Cherwell"
    assert safe_stem("Cherwell District Council", limit=10) == "Cherwell-D"


# --- permissions (issue 17 item 15, issue 13 item 6) ----------------------------------------------------------


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_an_exported_file_has_the_users_normal_permissions_and_a_private_one_is_the_owners(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "return.oscb", b"bundle")
        atomic_write(tmp_path / "inside" / "ab" / "blob", b"evidence", private=True)
    finally:
        os.umask(old)
    assert (tmp_path / "return.oscb").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "inside" / "ab" / "blob").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "inside" / "ab").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "inside").stat().st_mode & 0o777 == 0o700


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_make_private_tightens_a_folder_and_everything_in_it(tmp_path: Path) -> None:
    (tmp_path / "ws" / "attachments" / "ab").mkdir(parents=True)
    (tmp_path / "ws" / "workspace.db").write_bytes(b"x")
    (tmp_path / "ws" / "attachments" / "ab" / "blob").write_bytes(b"y")
    for path in (tmp_path / "ws").rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    fsutil.make_private(tmp_path / "ws")
    assert (tmp_path / "ws").stat().st_mode & 0o777 == 0o700
    for path in (tmp_path / "ws").rglob("*"):
        assert path.stat().st_mode & 0o777 == (0o700 if path.is_dir() else 0o600)


def test_leftover_parts_of_killed_writes_are_found_and_nothing_else(tmp_path: Path) -> None:
    atomic_write(tmp_path / "a" / "done.bin", b"x")
    parts = [tmp_path / "a" / ".done.bin.ab12cd_3.part", tmp_path / ".x.y.z.zzzzzzzz.part"]
    others = [tmp_path / "a" / "notes.part", tmp_path / "a" / ".hidden", tmp_path / "a" / ".x.part"]
    for path in parts + others:
        path.write_bytes(b"half")
    assert sorted(fsutil.remove_leftover_parts(tmp_path)) == sorted(parts)
    assert not any(p.exists() for p in parts) and all(p.exists() for p in others)

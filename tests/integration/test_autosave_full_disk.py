"""The autosave on a real full disk: a small tmpfs mounted for the test, filled up.

Mounting needs root (or CAP_SYS_ADMIN); without it the test is skipped and says so. The same fault is simulated
without root in ``tests/unit/services/test_autosave.py`` (``PRAGMA max_page_count``), with the read-only and
locked databases.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from oscb_desktop.forms import FormRegistry
from oscb_desktop.services import journal, returns
from oscb_desktop.services.agencies import create_agency
from oscb_desktop.services.autosave import Autosaver, SaveError
from oscb_desktop.services.workspace import Workspace

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="tmpfs mounts are Linux")

DISK_SIZE = "4m"


def _mount(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, check=False)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    point = tmp_path / "disk"
    point.mkdir()
    done = _mount(["mount", "-t", "tmpfs", "-o", f"size={DISK_SIZE},mode=0700", "tmpfs", str(point)])
    if done.returncode != 0:
        pytest.skip(f"cannot mount a {DISK_SIZE} tmpfs here (needs root): {done.stderr.strip() or done.returncode}")
    try:
        yield point
    finally:
        _mount(["umount", "-l", str(point)])


def fill(disk: Path) -> Path:
    """Write a file until the disk is full; return it (delete it to free the space)."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 65536)
    except OSError:
        pass
    try:
        while True:
            os.write(fd, b"\0" * 512)
    except OSError:
        pass
    os.close(fd)
    return filler


@pytest.fixture
def draft(small_disk: Path, shipped_forms: FormRegistry) -> Iterator[tuple[Workspace, str]]:
    ws = Workspace.open(small_disk / "ws", forms=shipped_forms)
    ws.bind()
    agency = create_agency(ws, "Full Disk Community Trust", sector="health")
    sub = returns.start_return(ws, agency.id, "section11", "2026/27")
    try:
        yield ws, sub.id
    finally:
        ws.db.close()


def test_a_full_disk_says_the_disk_is_full_and_keeps_the_changes(draft: tuple[Workspace, str]) -> None:
    ws, sub_id = draft
    saver = Autosaver(ws, sub_id)
    saver.change("about.completed_by", "Sam")
    saver.flush()
    filler = fill(ws.folder.parent)
    text = ("Community nursing, health visiting and school nursing across the county. " * 60)[:4000]
    saver.change("about.services", text)
    saver.change("about.notes", text.upper())
    with pytest.raises(SaveError) as info:
        saver.flush()
    message = str(info.value)
    assert "disk is full" in message, message
    assert "rollback" not in message and "transaction" not in message, message
    # The journal shares the disk: SQLite took the last free bytes for its WAL, and the user is told.
    assert not info.value.journaled and "recovery file" in message, message
    assert saver.pending_value("about.services") == text, "kept in memory"

    filler.unlink()  # the user frees some space: the next try saves everything
    saver.flush()
    assert not saver.pending
    assert returns.load_answers(ws, sub_id) == {
        "about.completed_by": "Sam",
        "about.services": text,
        "about.notes": text.upper(),
    }
    assert journal.read(ws.folder, sub_id) == {}

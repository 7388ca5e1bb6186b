"""One writer per workspace: the lock file beside the database, what a second process is told, and a crashed
holder's lock taken over (issue 17 item 5)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from oscb_desktop.store.lock import LOCK_FILENAME, WorkspaceInUseError, WorkspaceLock

CHILD = Path(__file__).resolve().parents[2] / "helpers" / "workspace_child.py"
ROOT = Path(__file__).resolve().parents[3]


def spawn(mode: str, folder: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(CHILD), mode, str(folder)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def run_child(mode: str, folder: Path) -> str:
    result = subprocess.run(
        [sys.executable, str(CHILD), mode, str(folder)], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the workspace in ``tmp_path / 'ws'`` open."""
    child = spawn("hold", tmp_path / "ws")
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "READY"
    yield child
    if child.poll() is None:
        child.kill()
    child.wait(30)
    for stream in (child.stdin, child.stdout):
        if stream is not None:
            stream.close()


def test_the_lock_file_says_who_holds_it_and_is_private(tmp_path: Path) -> None:
    lock = WorkspaceLock.acquire(tmp_path, user="Sam Lead (sam)")
    try:
        info = json.loads((tmp_path / LOCK_FILENAME).read_text(encoding="utf-8"))
        assert info["user"] == "Sam Lead (sam)" and info["pid"] == os.getpid()
        assert info["host"] == socket.gethostname() and info["since"].endswith("Z")
        if os.name == "posix":
            assert (tmp_path / LOCK_FILENAME).stat().st_mode & 0o777 == 0o600
    finally:
        lock.release()


def test_a_second_process_is_told_who_has_the_workspace_open_and_since_when(
    tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    with pytest.raises(WorkspaceInUseError) as caught:
        WorkspaceLock.acquire(tmp_path / "ws", user="Other Person (other)")
    exc = caught.value
    assert exc.holder.pid == holder.pid and exc.holder.host == socket.gethostname()
    text = str(exc)
    assert str(holder.pid) in text and "since" in text and "read-only" in text
    assert "\n" not in text
    # and the same through the workspace, in a third process
    out = run_child("open", tmp_path / "ws")
    assert out.startswith("REFUSED WorkspaceInUseError") and str(holder.pid) in out


def test_a_crashed_holders_lock_is_taken_over(tmp_path: Path, holder: subprocess.Popen[str]) -> None:
    holder.send_signal(signal.SIGKILL if hasattr(signal, "SIGKILL") else signal.SIGTERM)
    holder.wait(30)
    lock = WorkspaceLock.acquire(tmp_path / "ws", user="Next (next)")
    try:
        info = json.loads((tmp_path / "ws" / LOCK_FILENAME).read_text(encoding="utf-8"))
        assert info["pid"] == os.getpid() and info["user"] == "Next (next)"
        assert lock.took_over is not None and lock.took_over.pid == holder.pid
    finally:
        lock.release()


def test_the_lock_is_free_again_once_its_holder_closes(tmp_path: Path, holder: subprocess.Popen[str]) -> None:
    assert holder.stdin is not None
    holder.stdin.close()
    assert holder.wait(30) == 0
    assert run_child("open", tmp_path / "ws") == "OPENED"


def test_one_process_may_open_its_workspace_twice(tmp_path: Path) -> None:
    """A worker thread or a second window of the same process shares the lock; the last release frees it."""
    first = WorkspaceLock.acquire(tmp_path, user="a")
    second = WorkspaceLock.acquire(tmp_path, user="a")
    first.release()
    assert run_child("open", tmp_path).startswith("REFUSED"), "still held by the second"
    second.release()
    assert run_child("open", tmp_path) == "OPENED"

"""Real workspaces to break: a small demo workspace made once and copied, and the ways a database file gets
damaged in the wild (emptied, cut short, replaced by something else, bytes flipped, its WAL lost)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from oscb_desktop import demo
from oscb_desktop.forms import FormRegistry
from oscb_desktop.services.workspace import Workspace

ROOT = Path(__file__).resolve().parents[2]
DB = "workspace.db"


def make_demo(folder: Path, agencies: int = 2) -> Path:
    """A demo workspace with ``agencies`` agencies (signed returns, evidence files), closed."""
    with Workspace.open(folder) as ws:
        ws.bind()
        demo.generate(ws, agencies=agencies)
    return folder


def copy_workspace(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


@contextmanager
def opened_copy(source: Path, target: Path, forms: FormRegistry) -> Iterator[Workspace]:
    """A copy of the workspace in ``source`` (a template built once per module), open and bound, closed after."""
    shutil.copytree(source, target)
    ws = Workspace.open(target, forms=forms)
    ws.bind()
    try:
        yield ws
    finally:
        ws.close()


def emptied(db: Path) -> None:
    db.write_bytes(b"")


def truncated(db: Path) -> None:
    """Cut off after the first pages (a copy that stopped half way, a full disk)."""
    with open(db, "r+b") as fh:
        fh.truncate(3 * 4096 + 100)


def not_a_database(db: Path) -> None:
    db.write_bytes(b"%PDF-1.7\n" + os.urandom(20_000))


def flipped(db: Path) -> None:
    """Bytes flipped in the middle of the file, the header intact: only a check of the pages finds it."""
    con = sqlite3.connect(db)
    try:
        (page_size,) = con.execute("PRAGMA page_size").fetchone()
        (root,) = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'answer'").fetchone()
    finally:
        con.close()
    with open(db, "r+b") as fh:
        fh.seek((root - 1) * page_size)
        fh.write(b"\xff" * 64)


DAMAGES: dict[str, Callable[[Path], None]] = {
    "empty": emptied,
    "truncated": truncated,
    "not-a-database": not_a_database,
    "flipped-bytes": flipped,
}


def run_oscb(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``oscb ARGS`` in a fresh process, as a script or a person runs it."""
    return subprocess.run(
        [sys.executable, "-c", "import sys; from oscb_desktop.cli import main; sys.exit(main())", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        check=False,
    )

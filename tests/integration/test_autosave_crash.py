"""An acknowledged autosave survives SIGKILL, over and over, on the same workspace.

A child process (``autosave_child.py``) edits a Section 11 return through the real autosave path
(``Autosaver.change`` then ``Autosaver.flush``, what the GUI's timer calls) and prints an ``ACK``
line after every flush. The parent kills it with SIGKILL at a random moment, then reads the SQLite
file directly (``sqlite3``, not the app's code) and checks:

- ``PRAGMA integrity_check`` is ``ok`` and no foreign key is broken;
- every item's last acknowledged value is stored: the stored value is exactly a value the child
  writes, with a counter at least the acknowledged one (it may be newer when the kill fell between
  the commit and the ACK);
- answer and audit trail agree (they are written in one transaction): each item's newest audit
  entry holds the stored value.

Every round reopens the same workspace, so recovery after a crash (a hot WAL) is exercised again
and again. Most checks open the file read-only, which leaves the WAL for the next child to recover;
every few rounds the check opens it read-write, which checkpoints it on close.
"""

from __future__ import annotations

import json
import os
import queue
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from oscb_desktop.forms import FormRegistry
from oscb_desktop.services import journal, returns
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.store import DB_FILENAME

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX"),
]

HERE = Path(__file__).resolve().parent
CHILD = HERE / "autosave_child.py"
ROOT = HERE.parents[1]

#: Kills in all. Every EARLY_EVERY-th round kills during start-up (opening, WAL recovery) instead.
ROUNDS = 60
EARLY_EVERY = 8
#: Every RW_CHECK_EVERY-th check opens the file read-write (so closing it checkpoints the WAL).
RW_CHECK_EVERY = 5
#: How long the child is left acknowledging saves before the kill (seconds after its first ACK).
ACK_WINDOW = (0.02, 0.3)
#: Start-up kill: this long after spawn (the child is READY after ~0.3 s on a 2-core machine).
EARLY_WINDOW = (0.0, 0.4)
FIRST_ACK_TIMEOUT_S = 60

TEXT = re.compile(r"value-(\d+)")
EVIDENCE = re.compile(r"evidence (\d+)")


def make_value(item_type: str, n: int) -> Any:
    """Must match ``autosave_child.make_value``."""
    if item_type == "rating":
        return {"level": "green", "evidence": f"evidence {n}", "example": "", "reason": ""}
    return f"value-{n}"


def counter_of(item_type: str, value: Any) -> int:
    """The counter in a value the child wrote; fails if the value is not exactly one it writes."""
    text = value.get("evidence") if item_type == "rating" and isinstance(value, dict) else value
    match = (EVIDENCE if item_type == "rating" else TEXT).fullmatch(text) if isinstance(text, str) else None
    assert match is not None, f"stored value {value!r} is not one the child wrote"
    n = int(match.group(1))
    assert value == make_value(item_type, n), f"stored value {value!r} is damaged"
    return n


@dataclass
class Round:
    lines: list[str] = field(default_factory=list)
    acks: list[dict[str, Any]] = field(default_factory=list)
    #: What the child promised is in the recovery journal (everything unsaved), after each failed flush.
    journaled: list[dict[str, Any]] = field(default_factory=list)
    submission_id: str | None = None
    returncode: int | None = None
    stderr: str = ""


class Child:
    """The child process and the lines it prints, read on a thread so the parent never blocks on them."""

    def __init__(self, folder: Path, first: int, seed: int, log: Path, *extra: str) -> None:
        self.result = Round()
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._err = open(log, "w", encoding="utf-8")  # noqa: SIM115 - closed in kill()
        self._log = log
        self.proc = subprocess.Popen(
            [sys.executable, str(CHILD), str(folder), str(first), str(seed), *extra],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=self._err,
            text=True,
            encoding="utf-8",
        )
        assert self.proc.stdout is not None
        stdout = self.proc.stdout

        def reader() -> None:
            # readline, not iteration: a partial last line (cut by the kill) is returned without "\n".
            while line := stdout.readline():
                self._lines.put(line)
            self._lines.put(None)

        self._thread = threading.Thread(target=reader, daemon=True)
        self._thread.start()

    def wait_for(self, prefix: str, count: int = 1, timeout: float = FIRST_ACK_TIMEOUT_S) -> None:
        """Read lines until ``count`` lines starting with ``prefix`` have come (a loaded machine may take a while)."""
        deadline = time.monotonic() + timeout
        while sum(line.startswith(prefix) for line in self.result.lines) < count:
            line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
            assert line is not None, f"child exited before {count} {prefix.strip()} lines:\n{self._log.read_text()}"
            self.result.lines.append(line)

    def kill(self) -> Round:
        """SIGKILL the child (if it still runs); return what it printed."""
        result = self.result
        try:
            if self.proc.poll() is None:
                os.kill(self.proc.pid, signal.SIGKILL)
            result.returncode = self.proc.wait(timeout=30)
            self._thread.join(timeout=30)
        finally:
            if self.proc.stdout is not None:
                self.proc.stdout.close()
            self._err.close()
        while (line := self._lines.get_nowait()) is not None:
            result.lines.append(line)
        result.stderr = self._log.read_text(encoding="utf-8")
        for line in result.lines:
            if not line.endswith("\n"):
                continue  # cut by the kill: not an acknowledgement
            if line.startswith("SUBMISSION "):
                result.submission_id = line.split()[1]
            elif line.startswith("ACK "):
                result.acks.append(json.loads(line[4:]))
            elif line.startswith("JOURNAL "):
                result.journaled.append(json.loads(line[8:]))
        return result


def run_round(folder: Path, first: int, seed: int, rng: random.Random, early: bool, log: Path) -> Round:
    """Start the child, let it save for a while, SIGKILL it; return what it printed."""
    child = Child(folder, first, seed, log)
    try:
        if early:
            time.sleep(rng.uniform(*EARLY_WINDOW))
        else:
            child.wait_for("ACK ")
            time.sleep(rng.uniform(*ACK_WINDOW))
    finally:
        result = child.kill()
    return result


def check_database(db_path: Path, submission_id: str, types: dict[str, str], read_write: bool) -> dict[str, Any]:
    """Integrity, foreign keys, answers well-formed and matching the audit trail; returns the answers."""
    uri = f"file:{db_path}" + ("" if read_write else "?mode=ro")
    con = sqlite3.connect(uri, uri=True)
    try:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        assert con.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        rows = con.execute(
            "SELECT item_id, value, carried FROM answer WHERE submission_id = ?", (submission_id,)
        ).fetchall()
        stored = {item_id: json.loads(value) for item_id, value, _ in rows}
        assert not any(carried for *_, carried in rows)
        newest_audit = {
            item_id: json.loads(new_value)
            for item_id, new_value in con.execute(
                "SELECT item_id, new_value FROM audit_entry WHERE submission_id = ? AND id IN "
                "(SELECT max(id) FROM audit_entry WHERE submission_id = ? GROUP BY item_id)",
                (submission_id, submission_id),
            )
        }
    finally:
        con.close()
    assert newest_audit == stored, "answers and audit trail disagree: a transaction was torn"
    for item_id, value in stored.items():
        assert item_id in types, f"unexpected item {item_id} stored"
        counter_of(types[item_id], value)
    return stored


def test_acknowledged_autosaves_survive_sigkill(tmp_path: Path, shipped_forms: FormRegistry) -> None:
    seed = int(os.environ.get("OSCB_CRASH_SEED") or random.randrange(2**32))
    rng = random.Random(seed)
    context = f"(seed {seed}; rerun with OSCB_CRASH_SEED={seed})"
    print(f"crash test: {ROUNDS} rounds {context}")
    form = shipped_forms.get("section11", "2026.1")
    types = {item.id: item.type for item in form.items() if item.type in ("short_text", "long_text", "rating")}

    folder = tmp_path / "ws"
    db_path = folder / DB_FILENAME
    submission_id: str | None = None
    acked: dict[str, Any] = {}  # item -> last acknowledged value, over all rounds
    next_counter = 1
    stored: dict[str, Any] = {}
    wal = db_path.with_name(DB_FILENAME + "-wal")
    total_acks = newer_than_ack = early_kills = wal_starts = 0
    started = time.monotonic()

    for n in range(ROUNDS):
        early = n > 0 and n % EARLY_EVERY == 0
        wal_starts += wal.exists() and wal.stat().st_size > 0  # the child must recover from this WAL
        result = run_round(folder, next_counter, rng.randrange(2**32), rng, early, tmp_path / f"child-{n}.err")
        where = f"round {n} {context}"
        assert result.returncode == -signal.SIGKILL, (
            f"{where}: the child ended by itself (exit {result.returncode}):\n{result.stderr}"
        )
        early_kills += early
        if n == 0:
            assert result.submission_id is not None, f"{where}: no submission id printed\n{result.stderr}"
            submission_id = result.submission_id
            print(f"crash test: submission {submission_id}")
        elif result.submission_id is not None:
            assert result.submission_id == submission_id, f"{where}: the child made a second return"
        assert submission_id is not None
        if not early:
            assert result.acks, f"{where}: the child acknowledged nothing before the kill\n{result.stderr}"

        # Acknowledgements of this round, in order: counters only grow.
        last_seen = next_counter - 1
        for ack in result.acks:
            counters = [counter_of(types[item_id], value) for item_id, value in ack.items()]
            assert min(counters) > last_seen, f"{where}: acknowledgement out of order: {ack}"
            last_seen = max(counters)
            acked.update(ack)
            total_acks += 1

        read_write = n % RW_CHECK_EVERY == RW_CHECK_EVERY - 1
        stored = check_database(db_path, submission_id, types, read_write)
        for item_id, value in acked.items():
            assert item_id in stored, f"{where}: acknowledged answer to {item_id} ({value!r}) was lost"
            have, want = counter_of(types[item_id], stored[item_id]), counter_of(types[item_id], value)
            assert have >= want, f"{where}: {item_id} holds {stored[item_id]!r}, older than the acknowledged {value!r}"
            newer_than_ack += have > want
        next_counter = max([next_counter - 1, *(counter_of(types[i], v) for i, v in stored.items())]) + 1

    elapsed = time.monotonic() - started
    print(
        f"crash test: {ROUNDS} kills ({early_kills} during start-up), {total_acks} acknowledged flushes, "
        f"{len(acked)} items acknowledged, {newer_than_ack} item checks found a newer-than-acked value, "
        f"{wal_starts} starts on a crashed WAL, "
        f"{elapsed:.1f} s {context}"
    )
    assert total_acks > ROUNDS, "too few saves to mean anything"
    assert wal_starts > ROUNDS // 2, "the children hardly ever had to recover a crashed WAL"
    assert submission_id is not None

    # After all that, the app opens the workspace normally and sees the final values.
    ws = Workspace.open(folder, forms=shipped_forms)
    try:
        ws.bind()
        answers = returns.load_answers(ws, submission_id)
        assert answers == stored
        for item_id, value in acked.items():
            assert counter_of(types[item_id], answers[item_id]) >= counter_of(types[item_id], value)
        summary = next(s for s in returns.list_returns(ws) if s.id == submission_id)
        assert summary.status == "draft"
    finally:
        ws.close()


#: Rounds of the locked-database crash test, and how long the child types into the locked database.
LOCKED_ROUNDS = 6
LOCKED_WINDOW = (0.05, 0.5)


def test_journal_brings_back_what_was_typed_while_the_database_was_locked(
    tmp_path: Path, shipped_forms: FormRegistry
) -> None:
    """Another program holds the write lock, the child keeps typing (its saves fail and go to the journal), it is
    killed; the next start replays the journal: every value it promised is stored, audited as recovered."""
    seed = int(os.environ.get("OSCB_CRASH_SEED") or random.randrange(2**32))
    rng = random.Random(seed)
    context = f"(seed {seed}; rerun with OSCB_CRASH_SEED={seed})"
    form = shipped_forms.get("section11", "2026.1")
    types = {item.id: item.type for item in form.items() if item.type in ("short_text", "long_text", "rating")}
    folder = tmp_path / "ws"
    db_path = folder / DB_FILENAME
    next_counter = 1
    promised: dict[str, Any] = {}
    total_journaled = recovered_items = 0
    submission_id: str | None = None

    for n in range(LOCKED_ROUNDS):
        where = f"locked round {n} {context}"
        child = Child(folder, next_counter, rng.randrange(2**32), tmp_path / f"locked-{n}.err", "--journal")
        lock: sqlite3.Connection | None = None
        try:
            child.wait_for("ACK ")
            lock = sqlite3.connect(db_path, isolation_level=None, timeout=30)
            lock.execute("BEGIN IMMEDIATE")  # another writer holds the lock from now on
            child.wait_for("JOURNAL ", 2)
            time.sleep(rng.uniform(*LOCKED_WINDOW))
        finally:
            result = child.kill()
            if lock is not None:
                lock.rollback()
                lock.close()
        assert result.returncode == -signal.SIGKILL, f"{where}: exit {result.returncode}:\n{result.stderr}"
        assert result.journaled, f"{where}: nothing journaled\n{result.stderr}"
        submission_id = submission_id or result.submission_id
        assert submission_id is not None and result.submission_id == submission_id
        total_journaled += len(result.journaled)
        for ack in result.acks:
            promised.update(ack)
        promised.update(result.journaled[-1])  # everything unsaved at the last promise

        stored_before = check_database(db_path, submission_id, types, read_write=False)
        ws = Workspace.open(folder, forms=shipped_forms)
        try:
            recovery = returns_recovery(ws)
            assert recovery.recovered, f"{where}: nothing recovered"
            recovered_items += len(recovery.recovered[0].items)
            assert not recovery.kept_aside and not recovery.waiting, f"{where}: {recovery.sentences()}"
        finally:
            ws.close()
        stored = check_database(db_path, submission_id, types, read_write=False)
        for item_id, value in promised.items():
            assert item_id in stored, f"{where}: {item_id} ({value!r}) was typed, journaled and lost"
            have, want = counter_of(types[item_id], stored[item_id]), counter_of(types[item_id], value)
            assert have >= want, f"{where}: {item_id} holds {stored[item_id]!r}, older than the journaled {value!r}"
        assert stored != stored_before, f"{where}: the replay changed nothing"
        assert not list((folder / "journal").glob("*.json")), f"{where}: the journal was not cleared"
        next_counter = max(counter_of(types[i], v) for i, v in stored.items()) + 1

    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        actions = {a for (a,) in con.execute("SELECT DISTINCT action FROM audit_entry")}
    finally:
        con.close()
    assert "recovered" in actions
    print(
        f"locked crash test: {LOCKED_ROUNDS} kills while locked, {total_journaled} journal promises, "
        f"{recovered_items} answers recovered {context}"
    )


def returns_recovery(ws: Workspace) -> journal.Recovery:
    """What the app does at its next start (the GUI's Launcher and the CLI's open_workspace)."""
    ws.bind()
    return journal.replay(ws)

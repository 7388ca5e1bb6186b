"""Two processes on one workspace, and processes killed half way (issue 17 items 4, 5, 8).

- Two writers saving at typing pace: no save fails and none is lost, because a write transaction takes the
  write lock when it begins (the second waits its busy timeout) — measured beneath the workspace lock.
- One writer per workspace: a second ``oscb import`` is refused with who has it open, never a traceback;
  reading commands still work, read-only.
- A WAL deleted after a crash is noticed, not silently dropped.
- A killed ``oscb demo`` leaves nothing the next run refuses.
"""

from __future__ import annotations

import itertools
import json
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import pytest
from helpers.workspace_child import OWN_ITEMS, SHARED_ITEM
from helpers.workspaces import DB, ROOT, run_oscb

from oscb_desktop import demo
from oscb_desktop.services import agencies, returns
from oscb_desktop.services.workspace import Workspace

pytestmark = [pytest.mark.slow, pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")]

CHILD = ROOT / "tests" / "helpers" / "workspace_child.py"
STRESS_SECONDS = 4.0


def child(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(CHILD), *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT
    )


def test_two_writers_at_typing_pace_lose_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    with Workspace.open(folder) as ws:
        agency = agencies.create_agency(ws, "Two Writers Trust", lead_name="Sam Lead")
        sub = returns.start_return(ws, agency.id, "section11", "2026/27", carry_forward=False)
    writers = {tag: child("save", str(folder), str(STRESS_SECONDS), tag) for tag in ("A", "B")}
    lines: dict[str, list[str]] = {}
    for tag, proc in writers.items():
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0
        lines[tag] = out.splitlines()
    fails = [line for out in lines.values() for line in out if line.startswith("FAIL")]
    acks = {tag: [line.split()[1:] for line in out if line.startswith("ACK")] for tag, out in lines.items()}
    print(f"saves acknowledged: A {len(acks['A'])}, B {len(acks['B'])}; failed: {len(fails)}")
    assert fails == []
    assert all(out[-1] == "DONE" for out in lines.values())
    assert len(acks["A"]) > STRESS_SECONDS * 10 and len(acks["B"]) > STRESS_SECONDS * 10

    con = sqlite3.connect(f"{(folder / DB).as_uri()}?mode=ro", uri=True)
    try:
        stored = {i: json.loads(v) for i, v in con.execute("SELECT item_id, value FROM answer WHERE submission_id = ?",
                                                          (sub.id,))}  # fmt: skip
        trail: dict[str, list[tuple[object, object]]] = defaultdict(list)
        for item, old, new in con.execute(
            "SELECT item_id, old_value, new_value FROM audit_entry WHERE submission_id = ? ORDER BY id", (sub.id,)
        ):
            trail[item].append((json.loads(old) if old else None, json.loads(new) if new else None))
    finally:
        con.close()
    for tag, items in OWN_ITEMS.items():
        for item in items:
            last = [v for i, v in acks[tag] if i == item][-1]
            assert stored[item]["evidence"] == last, f"{item}: the last acknowledged save of {tag} is stored"
    for item, entries in trail.items():
        for (_, before), (old, _) in itertools.pairwise(entries):
            assert old == before, f"{item}: a save overwrote a value it had not read (a lost update)"
        assert entries[-1][1] == stored[item]
    shared = [(tag, v) for tag in acks for i, v in acks[tag] if i == SHARED_ITEM]
    assert len(trail[SHARED_ITEM]) == len(shared), "every acknowledged save of the shared item is in its trail"


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("agency-side")
    with Workspace.open(folder / "ws") as ws:
        demo.generate(ws, agencies=6, sign_all=True)
        demo.export_signed(ws, folder / "bundles")
    return folder / "bundles"


def test_two_imports_at_once_never_crash(bundles: Path, tmp_path: Path) -> None:
    """The issue: 9 of 9 pairs crashed with tracebacks. Now one imports and the other is told who has it."""
    bu = tmp_path / "bu"
    for _ in range(3):
        runs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    "import sys; from oscb_desktop.cli import main; sys.exit(main())",
                    "--data-dir",
                    str(bu),
                    "import",
                    str(bundles),
                    "--trust-new",
                    "--json",
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=ROOT,
            )
            for _ in range(2)
        ]
        outcomes = [(*run.communicate(timeout=300), run.returncode) for run in runs]
        for _out, err, code in outcomes:
            assert "Traceback" not in err, err
            assert code in (0, 2), (code, err)
            if code == 2:
                assert "open" in err and "since" in err and len(err.strip().splitlines()) == 1, err
        assert any(code == 0 for _, _, code in outcomes)
    result = run_oscb("--data-dir", str(bu), "submissions", "list", "--json")
    assert result.returncode == 0
    ids = [(s["id"], s["version"]) for s in json.loads(result.stdout)["submissions"]]
    assert len(ids) == len(set(ids)) == len(list(bundles.glob("*.oscb")))


def test_writing_commands_wait_their_turn_and_reading_ones_read(bundles: Path, tmp_path: Path) -> None:
    bu = tmp_path / "bu"
    assert run_oscb("--data-dir", str(bu), "import", str(bundles), "--trust-new").returncode == 0
    holder = child("hold", str(bu))
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "READY"
        refused = run_oscb("--data-dir", str(bu), "import", str(bundles), "--trust-new")
        assert refused.returncode == 2 and "Traceback" not in refused.stderr
        assert str(holder.pid) in refused.stderr and "since" in refused.stderr
        listed = run_oscb("--data-dir", str(bu), "submissions", "list")
        assert listed.returncode == 0 and listed.stdout.strip()
        assert "read-only" in listed.stderr
        made = run_oscb("--data-dir", str(bu), "workspace", "backup")
        assert made.returncode == 0 and Path(made.stdout.strip().splitlines()[-1]).is_file()
        restore = run_oscb("--data-dir", str(bu), "workspace", "restore", made.stdout.strip().splitlines()[-1])
        assert restore.returncode == 2 and str(holder.pid) in restore.stderr
    finally:
        holder.kill()
        holder.communicate(timeout=30)


def test_a_wal_deleted_after_a_crash_is_noticed(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    Workspace.open(folder).close()
    writer = child("write-then-hang", str(folder))
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "SAVED 5"
        writer.send_signal(signal.SIGKILL)
    finally:
        writer.communicate(timeout=30)
    (folder / f"{DB}-wal").unlink()  # deleted by hand, a cleaner or a sync tool
    before = (folder / DB).read_bytes()
    refused = run_oscb("--data-dir", str(folder), "submissions", "list")
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    line = refused.stderr.strip()
    assert "\n" not in line and f"{DB}-wal" in line and "may be lost" in line and "keep-current" in line
    assert (folder / DB).read_bytes() == before
    kept = run_oscb("--data-dir", str(folder), "workspace", "keep-current")
    assert kept.returncode == 0, kept.stderr
    assert run_oscb("--data-dir", str(folder), "submissions", "list").returncode == 0
    assert [p.name for p in folder.iterdir() if p.name.startswith(f"{DB}-shm.set-aside-")], "the evidence is kept"


def test_a_killed_demo_leaves_nothing_the_next_run_refuses(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    run = subprocess.Popen(
        [sys.executable, "-c", "import sys; from oscb_desktop.cli import main; sys.exit(main())",
         "--data-dir", str(folder), "demo", "--agencies", "6"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    written = threading.Event()
    while time.monotonic() < deadline and not written.is_set():
        dbs = [p for p in folder.rglob(DB) if p.stat().st_size > 200_000] if folder.exists() else []
        wals = [p for p in folder.rglob(f"{DB}-wal") if p.stat().st_size > 200_000] if folder.exists() else []
        if dbs or wals:
            written.set()
        time.sleep(0.05)
    assert written.is_set(), "the demo wrote something before it was killed"
    run.send_signal(signal.SIGKILL)
    run.communicate(timeout=30)
    again = run_oscb("--data-dir", str(folder), "demo", "--agencies", "2")
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("Created 2 agencies")
    with Workspace.open(folder) as ws:
        assert len(agencies.list_agencies(ws)) == 2
    assert not [p for p in folder.iterdir() if p.name.startswith(".demo")], "the half-built demo is cleared away"

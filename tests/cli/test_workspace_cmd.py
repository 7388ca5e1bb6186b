"""``oscb workspace backup|backups|restore|keep-current``, and every command on a damaged, busy, read-only or
full workspace: one plain line, a non-zero exit, nothing written (issue 17, items 1, 4, 6, 9)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.workspaces import DAMAGES, DB, copy_workspace, flipped, make_demo, run_oscb

from oscb_desktop.cli import main
from oscb_desktop.services import agencies
from oscb_desktop.services.workspace import Workspace


@pytest.fixture(scope="module")
def demo_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_demo(tmp_path_factory.mktemp("ws-source") / "ws")


@pytest.fixture
def ws_dir(demo_source: Path, tmp_path: Path) -> Path:
    return copy_workspace(demo_source, tmp_path / "ws")


def backup(folder: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> Path:
    assert main(["--data-dir", str(folder), "workspace", "backup", *extra]) == 0
    out = capsys.readouterr().out
    path = Path(out.strip().splitlines()[-1])
    assert path.is_file(), out
    return path


def count_returns(folder: Path) -> int:
    con = sqlite3.connect(f"{(folder / DB).as_uri()}?mode=ro", uri=True)
    try:
        return int(con.execute("SELECT count(*) FROM submission").fetchone()[0])
    finally:
        con.close()


def test_an_emptied_database_is_not_a_new_workspace(ws_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The issue's reproduction, in a real process: ``: > W/workspace.db; oscb --data-dir W submissions list``."""
    good = backup(ws_dir, capsys)
    (ws_dir / DB).write_bytes(b"")
    result = run_oscb("--data-dir", str(ws_dir), "submissions", "list")
    assert result.returncode != 0
    assert "No returns" not in result.stdout
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(ws_dir / DB) in lines[0] and "empty" in lines[0]
    assert str(good) in lines[0], "the newest good backup is named"
    assert f"oscb --data-dir {ws_dir} workspace restore {good}" in lines[0], "and the command that restores it"
    assert (ws_dir / DB).read_bytes() == b"", "nothing was written"
    assert not (ws_dir / f"{DB}-wal").exists()


COMMANDS = {
    "submissions list": ["submissions", "list"],
    "submissions list --json": ["submissions", "list", "--json"],
    "import": ["import", "{tmp}/bundles", "--trust-new"],
    "demo": ["demo", "--agencies", "1"],
    "export": ["export", "0123abcd", "--out", "{tmp}/x.oscb", "--passphrase-file", "{tmp}/pass.txt"],
    "collate": ["collate", "--period", "2026/27", "--pdf", "{tmp}/board.pdf"],
    "workspace backup": ["workspace", "backup"],
}


@pytest.mark.parametrize("damage", list(DAMAGES))
@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_refuses_a_damaged_database_and_writes_nothing(
    ws_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: str, command: str
) -> None:
    good = backup(ws_dir, capsys)
    DAMAGES[damage](ws_dir / DB)
    before = (ws_dir / DB).read_bytes()
    (tmp_path / "bundles").mkdir()
    (tmp_path / "pass.txt").write_text("x\n", encoding="utf-8")
    args = [a.replace("{tmp}", str(tmp_path)) for a in COMMANDS[command]]
    code = main(["--data-dir", str(ws_dir), *args])
    out, err = capsys.readouterr()
    assert code != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert str(ws_dir / DB) in lines[0] and str(good) in lines[0] and "workspace restore" in lines[0]
    assert "No returns" not in out
    assert (ws_dir / DB).read_bytes() == before
    assert not (ws_dir / f"{DB}-wal").exists()


def test_a_damaged_database_without_a_backup_says_so(ws_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.rmtree(ws_dir / "backups", ignore_errors=True)
    flipped(ws_dir / DB)
    assert main(["--data-dir", str(ws_dir), "submissions", "list"]) != 0
    err = capsys.readouterr().err
    assert "no backup" in err.lower() and str(ws_dir / DB) in err


def test_backup_backups_and_restore(ws_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = backup(ws_dir, capsys)
    assert first.parent == ws_dir / "backups"
    returns_then = count_returns(ws_dir)
    with Workspace.open(ws_dir) as ws:
        agencies.create_agency(ws, "Made After The Backup")
    second = backup(ws_dir, capsys)
    assert second != first

    assert main(["--data-dir", str(ws_dir), "workspace", "backups", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["backups"]
    assert [Path(b["path"]) for b in listed][:2] == [second, first], "newest first"
    assert all(b["integrity"] == "ok" and b["ok"] for b in listed)
    assert main(["--data-dir", str(ws_dir), "workspace", "backups"]) == 0
    text = capsys.readouterr().out
    assert str(second) in text and "ok" in text

    flipped(ws_dir / DB)
    damaged = (ws_dir / DB).read_bytes()
    assert main(["--data-dir", str(ws_dir), "workspace", "restore", str(first)]) == 0
    out = capsys.readouterr().out
    set_aside = [p for p in ws_dir.iterdir() if p.name.startswith(f"{DB}.set-aside-")]
    assert len(set_aside) == 1 and set_aside[0].read_bytes() == damaged, "the damaged file is kept, not deleted"
    assert str(set_aside[0]) in out
    assert count_returns(ws_dir) == returns_then
    assert main(["--data-dir", str(ws_dir), "submissions", "list"]) == 0
    assert "No returns" not in capsys.readouterr().out
    with Workspace.open(ws_dir) as ws:
        assert "Made After The Backup" not in {a.name for a in agencies.list_agencies(ws)}


def test_backup_to_a_folder_and_restore_by_name(ws_dir: Path, tmp_path: Path, capsys) -> None:
    elsewhere = backup(ws_dir, capsys, "--to", str(tmp_path / "usb"))
    assert elsewhere.parent == tmp_path / "usb"
    kept = backup(ws_dir, capsys)
    assert main(["--data-dir", str(ws_dir), "workspace", "restore", kept.name]) == 0, "a name in backups/ will do"
    assert main(["--data-dir", str(ws_dir), "workspace", "restore", str(elsewhere)]) == 0
    assert len([p for p in ws_dir.iterdir() if ".set-aside-" in p.name]) == 2


def test_restore_refuses_a_damaged_backup_and_leaves_the_workspace_alone(
    ws_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = backup(ws_dir, capsys)
    flipped(bad)
    before = (ws_dir / DB).read_bytes()
    assert main(["--data-dir", str(ws_dir), "workspace", "restore", str(bad)]) != 0
    err = capsys.readouterr().err
    assert "not restored" in err.lower() or "cannot be restored" in err.lower()
    assert (ws_dir / DB).read_bytes() == before
    assert not [p for p in ws_dir.iterdir() if ".set-aside-" in p.name]


def test_backups_are_listed_even_when_the_database_is_damaged(ws_dir: Path, capsys) -> None:
    good = backup(ws_dir, capsys)
    (ws_dir / DB).write_bytes(b"")
    assert main(["--data-dir", str(ws_dir), "workspace", "backups"]) == 0
    assert str(good) in capsys.readouterr().out


def test_workspace_files_are_private(ws_dir: Path, tmp_path: Path, capsys) -> None:
    """Issue 17 item 15: a workspace is its owner's alone; an existing one is tightened when opened."""
    (ws_dir / DB).chmod(0o644)
    ws_dir.chmod(0o755)
    made = backup(ws_dir, capsys)
    assert ws_dir.stat().st_mode & 0o777 == 0o700
    for path in [ws_dir / DB, made, *(ws_dir / "attachments").rglob("*")]:
        want = 0o700 if path.is_dir() else 0o600
        assert path.stat().st_mode & 0o777 == want, path
    fresh = tmp_path / "fresh"
    assert main(["--data-dir", str(fresh), "submissions", "list"]) == 0
    assert fresh.stat().st_mode & 0o777 == 0o700
    assert (fresh / DB).stat().st_mode & 0o777 == 0o600


# Read-only folders and full disks: real ones, made in a private mount namespace (root inside it only) --------


def _can_unshare() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"],
        capture_output=True,
        timeout=30,
        check=False,
    )
    return probe.returncode == 0


needs_mounts = pytest.mark.skipif(not _can_unshare(), reason="needs unshare -rm to mount a small tmpfs")


def oscb_in_mount(script: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run ``script`` (sh) in a mount namespace where $M is a 1 MB tmpfs and $OSCB runs the command."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    oscb = f"{shutil.which('python') or 'python'} -c 'import sys; from oscb_desktop.cli import main; sys.exit(main())'"
    from helpers.workspaces import ROOT

    return subprocess.run(
        ["unshare", "-rm", "sh", "-c", f'M={mnt}; OSCB="{oscb}"; mount -t tmpfs -o size=1m tmpfs $M && {script}'],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
        check=False,
    )


@needs_mounts
def test_a_full_disk_at_start_up_gets_one_plain_line(tmp_path: Path) -> None:
    result = oscb_in_mount(
        "dd if=/dev/zero of=$M/filler bs=4k 2>/dev/null; eval $OSCB --data-dir $M/ws submissions list", tmp_path
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "full" in lines[0], result.stderr


@needs_mounts
def test_a_read_only_folder_gets_one_plain_line(tmp_path: Path) -> None:
    result = oscb_in_mount(
        "eval $OSCB --data-dir $M/ws workspace backup >/dev/null && mount -o remount,ro $M && "
        "eval $OSCB --data-dir $M/ws submissions list; echo; eval $OSCB --data-dir $M/new submissions list",
        tmp_path,
    )
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2, result.stderr
    assert all("not allowed to write" in line or "read-only" in line for line in lines), result.stderr


def test_a_reader_that_stops_early_gets_no_traceback(ws_dir: Path) -> None:
    """``oscb submissions list | head -1``: the closed pipe ends the command quietly (exit 141, as a shell
    reports SIGPIPE), and the workspace is left closed and unlocked for the next command."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone before the first line is written
    code = "import sys; from oscb_desktop.cli import main; sys.exit(main())"
    result = subprocess.run(
        [sys.executable, "-c", code, "--data-dir", str(ws_dir), "submissions", "list"],
        stdout=write_end,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        check=False,
    )
    os.close(write_end)
    assert result.returncode == 141, result.stderr
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr
    assert run_oscb("--data-dir", str(ws_dir), "workspace", "backup").returncode == 0

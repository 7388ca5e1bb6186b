"""The frozen app (PyInstaller, one folder) builds and its ``oscb`` finds the shipped forms."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD_SCRIPT = ROOT / "packaging" / "build.py"
EXE_SUFFIX = ".exe" if sys.platform == "win32" else ""

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("PyInstaller") is None, reason="PyInstaller is not installed (uv sync --group dev)"
)


def clean_env(home: Path) -> dict[str, str]:
    """Just enough environment to start a program: no PYTHONPATH, no virtualenv, no OSCB_* settings."""
    env = {"HOME": str(home), "PATH": os.defpath, "LANG": "C.UTF-8"}
    if sys.platform == "win32":
        env.update({k: os.environ[k] for k in ("SYSTEMROOT", "SYSTEMDRIVE", "WINDIR") if k in os.environ})
        env.update({"USERPROFILE": str(home), "APPDATA": str(home), "LOCALAPPDATA": str(home)})
    return env


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_frozen_cli_lists_shipped_forms(tmp_path: Path) -> None:
    dist, work = tmp_path / "dist", tmp_path / "work"
    build = subprocess.run(
        [sys.executable, str(BUILD_SCRIPT), "--dist", str(dist), "--work", str(work)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert build.returncode == 0, f"build failed:\n{build.stdout[-4000:]}\n{build.stderr[-8000:]}"

    app = dist / "oscb-desktop"
    oscb = app / f"oscb{EXE_SUFFIX}"
    assert oscb.is_file(), f"{oscb} missing; build output:\n{build.stdout}"
    assert (app / f"oscb-desktop{EXE_SUFFIX}").is_file()

    home = tmp_path / "home"
    home.mkdir()
    # Run from an unrelated folder with a bare environment, so the only place the forms can
    # come from is the frozen app's own oscb_desktop/_data.
    result = subprocess.run(
        [str(oscb), "--data-dir", str(tmp_path / "workspace"), "forms", "list"],
        cwd=home,
        env=clean_env(home),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "section11" in result.stdout, output
    assert "impact" in result.stdout, output
    assert "NOT LOADED" not in output, output

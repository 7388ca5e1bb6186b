"""The frozen app (PyInstaller, one folder) builds and its ``oscb`` finds the shipped forms."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from helpers.frozen import EXE_SUFFIX, Build, clean_env


@pytest.mark.slow
@pytest.mark.timeout(1500)
def test_frozen_cli_lists_shipped_forms(frozen_build: Build, tmp_path: Path) -> None:
    app = frozen_build.app
    oscb = app / f"oscb{EXE_SUFFIX}"
    assert oscb.is_file(), f"{oscb} missing; build output:\n{frozen_build.output}"
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

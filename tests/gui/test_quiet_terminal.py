"""The window's terminal stays quiet: Qt's own messages and the libraries' log records go to the log file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_the_app_starts_without_writing_to_the_terminal(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from oscb_desktop.ui.app import main; sys.exit(main())",
            "--data-dir",
            str(tmp_path / "ws"),
            "--screenshot",
            str(tmp_path / "start.png"),
        ],
        capture_output=True,
        encoding="utf-8",
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "OSCB_LOG_DIR": str(logs)},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "start.png").stat().st_size > 0
    assert result.stderr == "", "Qt's messages belong in the log file"
    assert "propagateSizeHints" in (logs / "oscb-desktop.log").read_text(encoding="utf-8")

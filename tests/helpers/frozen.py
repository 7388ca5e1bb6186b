"""What the packaging tests share: the build's result, where it is, and a bare environment to run it in.
The session's one build is the ``frozen_build`` fixture (tests/packaging/conftest.py)."""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUILD_SCRIPT = ROOT / "packaging" / "build.py"
EXE_SUFFIX = ".exe" if sys.platform == "win32" else ""
CAN_BUILD_DEB = sys.platform.startswith("linux") and shutil.which("dpkg-deb") is not None


@dataclass(frozen=True)
class Build:
    app: Path  # the frozen folder, oscb-desktop/
    deb: Path | None  # the .deb made from it, where dpkg-deb exists
    output: str  # what build.py printed
    seconds: float


def clean_env(home: Path) -> dict[str, str]:
    """Just enough environment to start a program: no PYTHONPATH, no virtualenv, no OSCB_* settings."""
    env = {"HOME": str(home), "PATH": os.defpath, "LANG": "C.UTF-8"}
    if sys.platform == "win32":
        env.update({k: os.environ[k] for k in ("SYSTEMROOT", "SYSTEMDRIVE", "WINDIR") if k in os.environ})
        env.update({"USERPROFILE": str(home), "APPDATA": str(home), "LOCALAPPDATA": str(home)})
    return env

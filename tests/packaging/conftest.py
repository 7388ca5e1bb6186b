"""One frozen build (and, where dpkg-deb exists, its Debian package) for every packaging test of the session:
the build takes a minute or more, so the tests share it rather than each making their own."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time

import pytest
from helpers.frozen import BUILD_SCRIPT, CAN_BUILD_DEB, ROOT, Build


@pytest.fixture(scope="session")
def frozen_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """``packaging/build.py`` run once, as a user runs it (``--deb`` on a machine with dpkg-deb; zstd, since
    xz takes minutes on two cores and the compression is dpkg-deb's business, not ours)."""
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.skip("PyInstaller is not installed (uv sync --group dev)")
    base = tmp_path_factory.mktemp("frozen")
    dist, work = base / "dist", base / "work"
    cmd = [sys.executable, str(BUILD_SCRIPT), "--dist", str(dist), "--work", str(work)]
    if CAN_BUILD_DEB:
        cmd += ["--deb", "--compression", "zstd"]
    started = time.monotonic()
    build = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1200, check=False)
    seconds = time.monotonic() - started
    output = build.stdout + build.stderr
    assert build.returncode == 0, f"build failed:\n{build.stdout[-4000:]}\n{build.stderr[-8000:]}"
    debs = sorted(dist.glob("oscb-desktop_*.deb"))
    assert len(debs) == (1 if CAN_BUILD_DEB else 0), f"{debs}\n{build.stdout}"
    print(f"\nfrozen build{' and .deb' if CAN_BUILD_DEB else ''}: {seconds:.0f} s")
    return Build(dist / "oscb-desktop", debs[0] if debs else None, output, seconds)

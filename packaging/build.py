"""Build the frozen OSCB Desktop app (one folder, two programs) with PyInstaller.

    uv run python packaging/build.py [--dist DIR] [--work DIR] [--deb [--maintainer 'Name <email>']]

The app lands in ``DIR/oscb-desktop/`` (default ``packaging/dist/oscb-desktop/``). With ``--deb`` (Linux), the
Debian package of it follows: ``DIR/oscb-desktop_<version>_<arch>.deb`` (packaging/deb_package.py).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SPEC = HERE / "oscb.spec"
APP_FOLDER = "oscb-desktop"


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def exe_name(stem: str) -> str:
    return f"{stem}.exe" if sys.platform == "win32" else stem


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dist", type=Path, default=HERE / "dist", help="output folder (default: %(default)s)")
    parser.add_argument(
        "--work", type=Path, default=HERE / "build", help="PyInstaller work folder (default: %(default)s)"
    )
    parser.add_argument(
        "--log-level",
        default="WARN",
        choices=["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"],
        help="PyInstaller's log level (default: %(default)s)",
    )
    parser.add_argument("--deb", action="store_true", help="then build the Debian package (needs dpkg-deb)")
    parser.add_argument(
        "--maintainer",
        metavar="'NAME <EMAIL>'",
        help="the .deb's Maintainer (default: DEBFULLNAME/DEBEMAIL, else the latest commit's author)",
    )
    parser.add_argument(
        "--compression",
        choices=["xz", "zstd", "gzip"],
        default="xz",
        help="how the .deb is compressed: xz is smallest, zstd builds in seconds (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    dist = args.dist.resolve()
    work = args.work.resolve()

    # A separate process, so a failed build gives a plain exit status and PyInstaller's
    # global state never leaks into the caller (tests call this script the same way).
    cmd = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--clean",
        f"--distpath={dist}",
        f"--workpath={work}",
        f"--log-level={args.log_level}",
        str(SPEC),
    ]
    # PyInstaller's cache (and what --clean wipes) lives under the work folder rather than the
    # user's home, so two builds at once (tests, CI, a developer) cannot clean each other's.
    env = dict(os.environ)
    env.setdefault("PYINSTALLER_CONFIG_DIR", str(work / "pyinstaller-cache"))
    print("building:", " ".join(cmd), flush=True)
    started = time.monotonic()
    status = subprocess.run(cmd, env=env, check=False).returncode
    elapsed = time.monotonic() - started
    if status != 0:
        print(f"build FAILED (PyInstaller exit status {status}) after {elapsed:.0f} s", file=sys.stderr)
        return status

    app = dist / APP_FOLDER
    missing = [name for name in (exe_name("oscb"), exe_name("oscb-desktop")) if not (app / name).is_file()]
    if missing:
        print(f"build FAILED: {', '.join(missing)} missing from {app}", file=sys.stderr)
        return 1
    size_mb = folder_size(app) / 1_000_000
    print(f"built {app} in {elapsed:.0f} s ({size_mb:.0f} MB)")
    print(f"  window:       {app / exe_name('oscb-desktop')}")
    print(f"  command line: {app / exe_name('oscb')}")
    if args.deb:
        return build_deb(app, dist, work, args.maintainer, args.compression)
    return 0


def build_deb(app: Path, dist: Path, work: Path, who: str | None, compression: str) -> int:
    from deb_package import PackageError
    from deb_package import build_deb as package

    started = time.monotonic()
    try:
        deb = package(app, dist, work, who=who, compression=compression)
    except PackageError as exc:
        print(f"package FAILED: {exc}", file=sys.stderr)
        return 1
    elapsed = time.monotonic() - started
    print(f"packaged {deb} in {elapsed:.0f} s ({deb.stat().st_size / 1_000_000:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The Debian package of the frozen app, built without root: ``dist/oscb-desktop_<version>_<arch>.deb``.

``packaging/build.py --deb`` calls :func:`build_deb` after the frozen build. The package holds:

- ``/opt/oscb-desktop/``: the frozen folder as PyInstaller made it (both programs, Python, Qt, data);
- ``/usr/bin/oscb`` and ``/usr/bin/oscb-desktop``: symbolic links to the two programs (the PyInstaller
  bootloader finds its ``_internal`` folder through ``/proc/self/exe``, so a link works);
- ``/usr/share/applications/oscb-desktop.desktop``: the menu entry, which opens the app's files;
- ``/usr/share/mime/packages/oscb-desktop.xml``: the file types (``.oscb``, ``.oscb.p7m``, ``.oscbpack``,
  ``.oscbfeedback``) for shared-mime-info;
- ``/usr/share/icons/hicolor/<N>x<N>/apps/oscb-desktop.png`` and ``scalable/apps/oscb-desktop.svg``;
- ``postinst`` / ``postrm``, which refresh the MIME, menu and icon caches when those tools are installed.

``dpkg-deb --build --root-owner-group`` makes every file root's in the archive, so no root (or fakeroot) is
needed to build it; modes are set here (0755 for folders and programs, 0644 for the rest).
"""

from __future__ import annotations

import hashlib
import os
import platform
import re
import shutil
import stat
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "resources" / "icons"
PACKAGE = "oscb-desktop"
INSTALL_DIR = f"/opt/{PACKAGE}"
PROGRAMS = ("oscb", "oscb-desktop")
ICON_SIZES = (16, 32, 48, 64, 128, 256)

#: The file types the app makes and opens: MIME type -> (glob, what it is, the type it is a kind of).
#: Bundles, packs and feedback files are all signed zips whose first member is ``manifest.json``
#: (oscb_desktop/bundle/signed_zip.py); only the bundle, the file an agency sends, gets that as magic, since
#: magic cannot tell the three apart (the file name can). An encrypted bundle is DER CMS EnvelopedData,
#: which is every ``.p7m`` file's content, so its name is what identifies it.
FILE_TYPES: dict[str, tuple[str, str, str]] = {
    "application/x-oscb-bundle": ("*.oscb", "OSCB signed return", "application/zip"),
    "application/x-oscb-encrypted-bundle": (
        "*.oscb.p7m",
        "OSCB signed return, encrypted for the Business Unit",
        "application/pkcs7-mime",
    ),
    "application/x-oscb-pack": ("*.oscbpack", "OSCB partnership pack", "application/zip"),
    "application/x-oscb-feedback": ("*.oscbfeedback", "OSCB feedback on a return", "application/zip"),
}
BUNDLE_MAGIC = "application/x-oscb-bundle"

#: What the frozen folder needs from the system. PyInstaller bundles every shared library the programs and Qt
#: link to except those on its exclude list (the C library, OpenGL/EGL, libxcb, Wayland, libdrm); those are
#: the ones named here, found by comparing the NEEDED entries of every ELF file in the folder (objdump -p)
#: with the files the folder ships. tests/packaging/test_deb_package.py checks that this still holds. The
#: C library's version comes from the symbol versions the binaries use (see :func:`glibc_needed`).
#: fontconfig-config gives the bundled libfontconfig its configuration and, through its own dependencies,
#: a font.
DEPENDS = (
    "libegl1",
    "libgl1",
    "libxcb1",
    "libdrm2",
    "libwayland-client0",
    "libwayland-cursor0",
    "libwayland-egl1",
    "fontconfig-config",
)
#: Not needed to start, wanted for everything to work: the editor's spell check (Enchant with a British English
#: dictionary, found at run time, not bundled), opening links and files in other programs (xdg-open), and the
#: tools that register the file types, menu entry and icons.
RECOMMENDS = ("libenchant-2-2", "hunspell-en-gb", "xdg-utils", "shared-mime-info", "desktop-file-utils")

DESCRIPTION = """\
Section 11 self-assessments for safeguarding children partnerships
 OSCB Desktop is an offline desktop app for a local safeguarding children
 partnership. Each partner agency fills in its yearly Section 11
 self-assessment and annual impact assessment, with every word saved as it is
 typed, signs the return off and sends it as one signed .oscb file. The
 partnership's Business Unit imports and verifies the returns, moderates
 them and collates them into the board's assurance report (PDF) and
 spreadsheet (XLSX).
 .
 This package installs the app under /opt/oscb-desktop, with the window
 (oscb-desktop) and the command line (oscb) on the PATH, a menu entry, and
 file types for signed returns (.oscb, .oscb.p7m), partnership packs
 (.oscbpack) and feedback files (.oscbfeedback)."""

DESKTOP_ENTRY = """\
[Desktop Entry]
Type=Application
Version=1.4
Name=OSCB Desktop
GenericName=Safeguarding self-assessments
Comment=Section 11 self-assessments and impact assessments for a safeguarding partnership
Exec=oscb-desktop %f
TryExec=oscb-desktop
Icon=oscb-desktop
Terminal=false
StartupNotify=true
Categories=Office;
Keywords=Section 11;safeguarding;assurance;return;impact assessment;
MimeType={mime_types};
"""

MAINTAINER_SCRIPT = """\
#!/bin/sh
# Refresh the caches that make the file types, the menu entry and the icon known (each when its tool is
# installed; on Debian the same tools' dpkg triggers run them too).
set -e
case "$1" in
{cases})
    if command -v update-mime-database >/dev/null 2>&1; then update-mime-database /usr/share/mime || true; fi
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database -q /usr/share/applications || true
    fi
    if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -d /usr/share/icons/hicolor ]; then
        gtk-update-icon-cache -q -t -f /usr/share/icons/hicolor || true
    fi
    ;;
esac
exit 0
"""


class PackageError(Exception):
    """The package could not be built; the message says why and what to do."""


def debian_version(version: str) -> str:
    """A PEP 440 version as Debian orders it: pre-releases sort before the release (``1.0rc1`` -> ``1.0~rc1``)."""
    return re.sub(r"\.?(a|b|rc|dev)(\d*)", r"~\1\2", version)


def debian_arch() -> str:
    """The architecture the frozen app was built for, in Debian's words (the build runs on the target)."""
    if shutil.which("dpkg"):
        out = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=False)
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    machine = platform.machine().lower()
    return {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "armhf", "i686": "i386"}.get(machine, machine)


def app_version(app: Path) -> str:
    """The version the frozen ``oscb`` reports (``oscb 0.1.0``): what the package holds, checked by running it."""
    out = subprocess.run(
        [str(app / "oscb"), "--version"], capture_output=True, text=True, timeout=120, check=False, env=_bare_env()
    )
    match = re.fullmatch(r"oscb (\S+)\s*", out.stdout)
    if out.returncode != 0 or not match:
        raise PackageError(f"the frozen oscb did not report its version:\n{out.stdout}{out.stderr}")
    return match.group(1)


def _bare_env() -> dict[str, str]:
    return {"PATH": os.defpath, "HOME": os.environ.get("HOME", "/tmp"), "LANG": "C.UTF-8"}


def _elf_files(folder: Path) -> list[Path]:
    found = []
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as f:
                if f.read(4) == b"\x7fELF":
                    found.append(path)
    return found


def glibc_needed(app: Path) -> str | None:
    """The newest ``GLIBC_x.y`` symbol version any binary in ``app`` asks for (the oldest C library it runs on)."""
    versions: set[tuple[int, ...]] = set()
    for elf in _elf_files(app):
        out = subprocess.run(["objdump", "-T", str(elf)], capture_output=True, text=True, check=False).stdout
        versions.update(tuple(int(n) for n in v.split(".")) for v in re.findall(r"GLIBC_(\d+(?:\.\d+)+)", out))
    return ".".join(map(str, max(versions))) if versions else None


def maintainer(given: str | None) -> str:
    """Who answers for the package: ``--maintainer``, else Debian's ``DEBFULLNAME``/``DEBEMAIL``, else the author
    of the source's latest commit."""
    if given:
        return given
    name, email = os.environ.get("DEBFULLNAME"), os.environ.get("DEBEMAIL")
    if name and email:
        return f"{name} <{email}>"
    out = subprocess.run(
        ["git", "-C", str(ROOT), "log", "-1", "--format=%an <%ae>"], capture_output=True, text=True, check=False
    )
    if out.returncode == 0 and "<" in out.stdout:
        return out.stdout.strip()
    raise PackageError("say who maintains the package: --maintainer 'Name <email>' (or set DEBFULLNAME and DEBEMAIL)")


def control(version: str, arch: str, installed_kb: int, who: str, glibc: str | None) -> str:
    depends = [f"libc6 (>= {glibc})" if glibc else "libc6", *DEPENDS]
    return (
        f"Package: {PACKAGE}\n"
        f"Version: {debian_version(version)}\n"
        f"Architecture: {arch}\n"
        f"Maintainer: {who}\n"
        f"Installed-Size: {installed_kb}\n"
        f"Depends: {', '.join(depends)}\n"
        f"Recommends: {', '.join(RECOMMENDS)}\n"
        "Section: misc\n"
        "Priority: optional\n"
        f"Description: {DESCRIPTION}\n"
    )


def mime_xml() -> str:
    """shared-mime-info's description of the app's file types."""
    types = []
    for mime, (glob, comment, parent) in FILE_TYPES.items():
        magic = ""
        if mime == BUNDLE_MAGIC:
            # A zip (local file header) whose first member's name, at offset 30, is manifest.json.
            magic = (
                '    <magic priority="60">\n'
                '      <match type="string" offset="0" value="PK\\003\\004">\n'
                '        <match type="string" offset="30" value="manifest.json"/>\n'
                "      </match>\n"
                "    </magic>\n"
            )
        types.append(
            f'  <mime-type type="{mime}">\n'
            f"    <comment>{comment}</comment>\n"
            f'    <sub-class-of type="{parent}"/>\n'
            f'    <icon name="{PACKAGE}"/>\n'
            f'    <glob pattern="{glob}" weight="60"/>\n'
            f"{magic}"
            "  </mime-type>\n"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<mime-info xmlns="http://www.freedesktop.org/standards/shared-mime-info">\n'
        f"{''.join(types)}"
        "</mime-info>\n"
    )


def desktop_entry() -> str:
    return DESKTOP_ENTRY.format(mime_types=";".join(FILE_TYPES))


def _write(path: Path, text: str, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)


def _normalise_modes(root: Path) -> None:
    """0755 for folders and anything executable, 0644 for the rest, whatever the build machine's umask was."""
    for path in [root, *root.rglob("*")]:
        if path.is_symlink():
            continue
        if path.is_dir():
            path.chmod(0o755)
        else:
            path.chmod(0o755 if path.stat().st_mode & stat.S_IXUSR else 0o644)


def stage(app: Path, staging: Path, version: str, arch: str, who: str) -> Path:
    """Lay out the package's files under ``staging`` (made afresh) and return it."""
    if staging.exists():
        shutil.rmtree(staging)
    opt = staging / INSTALL_DIR.lstrip("/")
    shutil.copytree(app, opt, symlinks=True)
    bin_dir = staging / "usr" / "bin"
    bin_dir.mkdir(parents=True)
    for program in PROGRAMS:
        (bin_dir / program).symlink_to(f"{INSTALL_DIR}/{program}")
    share = staging / "usr" / "share"
    _write(share / "applications" / f"{PACKAGE}.desktop", desktop_entry())
    _write(share / "mime" / "packages" / f"{PACKAGE}.xml", mime_xml())
    hicolor = share / "icons" / "hicolor"
    for size in ICON_SIZES:
        target = hicolor / f"{size}x{size}" / "apps" / f"{PACKAGE}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ICONS / f"oscb-desktop-{size}.png", target)
    (hicolor / "scalable" / "apps").mkdir(parents=True)
    shutil.copyfile(ICONS / "oscb-desktop.svg", hicolor / "scalable" / "apps" / f"{PACKAGE}.svg")
    _normalise_modes(staging)

    debian = staging / "DEBIAN"
    debian.mkdir()
    files = sorted(p for p in staging.rglob("*") if p.is_file() and not p.is_symlink() and debian not in p.parents)
    installed_kb = sum(p.stat().st_size for p in files) // 1024 + 1
    _write(debian / "control", control(version, arch, installed_kb, who, glibc_needed(opt)))
    _write(debian / "md5sums", "".join(f"{_md5(p)}  {p.relative_to(staging)}\n" for p in files))
    _write(debian / "postinst", MAINTAINER_SCRIPT.format(cases="configure"), 0o755)
    _write(debian / "postrm", MAINTAINER_SCRIPT.format(cases="remove|purge"), 0o755)
    debian.chmod(0o755)
    return staging


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


#: dpkg-deb's compressors: xz is the smallest (about 99 MB) and slowest (minutes); zstd builds in seconds (about
#: 120 MB) and needs dpkg 1.21.18 or later to install, which every system new enough for the bundled C library has.
COMPRESSION = {"xz": ["-Zxz"], "zstd": ["-Zzstd", "-z9"], "gzip": ["-Zgzip"]}


def build_deb(app: Path, dist: Path, work: Path, *, who: str | None = None, compression: str = "xz") -> Path:
    """Package the frozen folder ``app`` as ``dist/oscb-desktop_<version>_<arch>.deb``; return its path."""
    if not shutil.which("dpkg-deb"):
        raise PackageError("dpkg-deb is missing: install dpkg (Debian and Ubuntu have it) to build the .deb")
    if not shutil.which("objdump"):
        raise PackageError("objdump is missing: install binutils")
    version, arch = app_version(app), debian_arch()
    staging = stage(app, work / "deb-root", version, arch, maintainer(who))
    target = dist / f"{PACKAGE}_{debian_version(version)}_{arch}.deb"
    target.unlink(missing_ok=True)
    out = subprocess.run(
        ["dpkg-deb", "--root-owner-group", *COMPRESSION[compression], "--build", str(staging), str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise PackageError(f"dpkg-deb failed:\n{out.stdout}{out.stderr}")
    shutil.rmtree(staging)
    return target

"""The Debian package (``packaging/build.py --deb``): what it holds, that it names every system library the frozen
app does not bundle, and, as root, that it installs, runs from the installed copy with a bare environment,
registers the app for its file types, and removes cleanly."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from helpers.frozen import CAN_BUILD_DEB, Build, clean_env

from oscb_desktop import __version__

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(1500),
    pytest.mark.skipif(not CAN_BUILD_DEB, reason="dpkg-deb is missing (Debian and Ubuntu have it)"),
]

PACKAGE = "oscb-desktop"
MIME_TYPES = {
    "application/x-oscb-bundle": "return.oscb",
    "application/x-oscb-encrypted-bundle": "return.oscb.p7m",
    "application/x-oscb-pack": "partnership.oscbpack",
    "application/x-oscb-feedback": "agency.oscbfeedback",
}
ICON_SIZES = (16, 32, 48, 64, 128, 256)


def run(*cmd: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(cmd), capture_output=True, text=True, timeout=300, check=False, env=env, cwd=cwd)


def control_fields(deb: Path) -> dict[str, str]:
    text = run("dpkg-deb", "--field", str(deb)).stdout
    return dict(re.findall(r"^(\S+): (.*)$", text, re.MULTILINE))


def depends(fields: dict[str, str]) -> set[str]:
    return {re.sub(r"\s*\(.*\)", "", part).strip() for part in fields["Depends"].split(",")}


def test_the_package_holds_the_app_its_commands_menu_entry_icons_and_file_types(
    frozen_build: Build, tmp_path: Path
) -> None:
    deb = frozen_build.deb
    assert deb is not None
    fields = control_fields(deb)
    arch = run("dpkg", "--print-architecture").stdout.strip()
    assert deb.name == f"{PACKAGE}_{__version__}_{arch}.deb"
    assert (fields["Package"], fields["Version"], fields["Architecture"]) == (PACKAGE, __version__, arch)
    assert {"Maintainer", "Section", "Priority", "Description", "Installed-Size"} <= fields.keys()
    assert re.search(r"libc6 \(>= 2\.\d+\)", fields["Depends"]), fields["Depends"]

    root = tmp_path / "root"
    assert run("dpkg-deb", "-x", str(deb), str(root)).returncode == 0
    for program in ("oscb", "oscb-desktop"):
        link = root / "usr" / "bin" / program
        assert link.is_symlink() and os.readlink(link) == f"/opt/{PACKAGE}/{program}"
        assert os.access(root / "opt" / PACKAGE / program, os.X_OK)
    internal = root / "opt" / PACKAGE / "_internal"
    for dist in ("pyside6_essentials", "cryptography", "peewee"):  # the licences Help ▸ About shows
        assert list(internal.glob(f"{dist}-*.dist-info/METADATA")), dist
    assert not list(internal.glob("oscb_desktop-*.dist-info")), "the development install's metadata was shipped"
    hicolor = root / "usr/share/icons/hicolor"
    for size in ICON_SIZES:
        assert (hicolor / f"{size}x{size}/apps/{PACKAGE}.png").is_file()
    assert (hicolor / f"scalable/apps/{PACKAGE}.svg").is_file()

    desktop = root / f"usr/share/applications/{PACKAGE}.desktop"
    entry = dict(re.findall(r"^(\w+)=(.*)$", desktop.read_text(encoding="utf-8"), re.MULTILINE))
    assert entry["Exec"] == "oscb-desktop %f" and entry["Icon"] == PACKAGE
    assert set(entry["MimeType"].rstrip(";").split(";")) == set(MIME_TYPES)
    if shutil.which("desktop-file-validate"):
        check = run("desktop-file-validate", str(desktop))
        assert check.returncode == 0 and not check.stdout.strip(), check.stdout + check.stderr

    ns = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
    types = ET.parse(root / f"usr/share/mime/packages/{PACKAGE}.xml").getroot().findall("m:mime-type", ns)
    globs = {t.get("type"): t.find("m:glob", ns).get("pattern") for t in types}  # type: ignore[union-attr]
    assert globs == {mime: "*" + name[name.index(".") :] for mime, name in MIME_TYPES.items()}

    scripts = tmp_path / "control"
    assert run("dpkg-deb", "-e", str(deb), str(scripts)).returncode == 0
    for script in ("postinst", "postrm"):
        text = (scripts / script).read_text(encoding="utf-8")
        assert os.access(scripts / script, os.X_OK)
        for tool in ("update-mime-database", "update-desktop-database", "gtk-update-icon-cache"):
            assert f"command -v {tool}" in text, (script, tool)


def test_depends_names_every_system_library_the_app_does_not_bundle(frozen_build: Build, tmp_path: Path) -> None:
    """Every shared library an ELF file in the package needs, and the package does not ship, comes from a package
    in Depends (as this machine's dpkg says which package holds it)."""
    if not shutil.which("objdump"):
        pytest.skip("objdump is missing (binutils)")
    deb = frozen_build.deb
    assert deb is not None
    root = tmp_path / "root"
    assert run("dpkg-deb", "-x", str(deb), str(root)).returncode == 0
    shipped = {p.name for p in root.rglob("*")}
    needed: dict[str, Path] = {}
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink() and path.read_bytes()[:4] == b"\x7fELF":
            for soname in re.findall(r"NEEDED\s+(\S+)", run("objdump", "-p", str(path)).stdout):
                needed.setdefault(soname, path)
    external = {soname: where for soname, where in needed.items() if soname not in shipped}
    assert "libc.so.6" in external  # the comparison saw the system's libraries at all

    cache = run("ldconfig", "-p").stdout
    declared = depends(control_fields(deb))
    uncovered = []
    for soname, where in sorted(external.items()):
        found = re.search(rf"^\s*{re.escape(soname)} \(.*\) => (\S+)$", cache, re.MULTILINE)
        owner = run("dpkg", "-S", os.path.realpath(found.group(1))).stdout if found else ""
        if not owner and found:
            owner = run("dpkg", "-S", found.group(1)).stdout
        package = owner.split(":", 1)[0].strip()
        if package not in declared:
            uncovered.append(f"{soname} ({package or 'not on this machine'}), needed by {where.relative_to(root)}")
    assert not uncovered, "\n".join(uncovered)


def installed(name: str) -> bool:
    return "install ok installed" in run("dpkg-query", "-W", "-f=${Status}", name).stdout


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="installing a package needs root")
def test_installs_runs_from_the_installed_copy_opens_its_file_types_and_removes_cleanly(
    frozen_build: Build, tmp_path: Path
) -> None:
    deb = frozen_build.deb
    assert deb is not None
    if installed(PACKAGE):
        pytest.skip(f"{PACKAGE} is already installed on this machine; the test will not replace or remove it")
    install = run("dpkg", "-i", str(deb))
    try:
        assert install.returncode == 0, install.stdout + install.stderr
        owned = [Path(line) for line in run("dpkg", "-L", PACKAGE).stdout.splitlines() if line.strip()]
        owned_files = [p for p in owned if p.is_symlink() or p.is_file()]
        assert Path("/usr/bin/oscb") in owned_files and Path(f"/opt/{PACKAGE}/oscb-desktop") in owned_files
        check_installed_copy(tmp_path)
    finally:
        remove = run("dpkg", "-r", PACKAGE)
    assert remove.returncode == 0, remove.stdout + remove.stderr
    assert not installed(PACKAGE)
    # dpkg -r keeps the package's record (its postrm runs again on purge); purge it so the machine is as before.
    purge = run("dpkg", "--purge", PACKAGE)
    assert purge.returncode == 0, purge.stdout + purge.stderr
    left = [str(p) for p in owned_files if os.path.lexists(p)]
    assert not left, left
    assert not Path(f"/opt/{PACKAGE}").exists()
    home = tmp_path / "home-after"
    home.mkdir()
    for mime in MIME_TYPES:  # the desktop no longer sends the app's files to it
        assert run("xdg-mime", "query", "default", mime, env=clean_env(home)).stdout.strip() == ""


def check_installed_copy(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = clean_env(home)  # PATH is the system's: /usr/bin/oscb is the installed link
    version = run("oscb", "--version", env=env, cwd=home)
    assert (version.returncode, version.stdout.strip()) == (0, f"oscb {__version__}"), version.stderr
    forms = run("oscb", "--data-dir", str(tmp_path / "ws"), "forms", "list", env=env, cwd=home)
    assert forms.returncode == 0 and "section11" in forms.stdout and "impact" in forms.stdout, forms.stderr
    gui_version = run("oscb-desktop", "--version", env=env, cwd=home)  # the window's program loads all its modules
    assert gui_version.stdout.strip() == f"oscb-desktop {__version__}", gui_version.stderr

    # The window itself starts from the installed copy (Qt's offscreen platform: no display here).
    shot = tmp_path / "installed-window.png"
    window = run(
        "oscb-desktop", "--data-dir", str(tmp_path / "gui-ws"), "--screenshot", str(shot),
        env={**env, "QT_QPA_PLATFORM": "offscreen"}, cwd=home,
    )  # fmt: skip
    assert window.returncode == 0 and shot.stat().st_size > 10_000, window.stderr

    if shutil.which("xdg-mime"):
        for mime in MIME_TYPES:
            default = run("xdg-mime", "query", "default", mime, env=env)
            assert default.stdout.strip() == f"{PACKAGE}.desktop", (mime, default.stdout, default.stderr)
    else:
        pytest.fail("xdg-mime is missing: install xdg-utils (.ci/run does)")

    # The system's MIME database now knows the types, by name and, for a bundle, by content (read through Qt,
    # which uses the shared-mime-info database when there is one).
    samples = tmp_path / "samples"
    samples.mkdir()
    for name in MIME_TYPES.values():
        (samples / name).write_bytes(b"")
    from oscb_desktop.bundle.signed_zip import zip_members

    (samples / "renamed-return").write_bytes(zip_members([("manifest.json", b"{}"), ("signer.pem", b"")]))
    probe = (
        "import sys; from PySide6.QtCore import QMimeDatabase; db = QMimeDatabase()\n"
        "for name in sys.argv[1:]: print(db.mimeTypeForFile(name).name())"
    )
    names = [*MIME_TYPES.values(), "renamed-return"]
    paths = [str(samples / n) for n in names]
    seen = run(sys.executable, "-c", probe, *paths, env={**env, "XDG_DATA_DIRS": "/usr/share"})
    assert seen.stdout.split() == [*MIME_TYPES, "application/x-oscb-bundle"], seen.stdout + seen.stderr

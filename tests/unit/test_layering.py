"""Layering: only ``oscb_desktop/ui`` may touch Qt, and shipped data is where paths.py says.

DESIGN.md §3: forms, store, signing, bundle, report and collate are plain Python; the GUI is a
thin shell over them. The first test reads the source (``ast``, so comments and strings don't
count); the second imports the core for real, which also catches Qt arriving indirectly.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from oscb_desktop import paths

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "oscb_desktop"
GUI_PACKAGE = PACKAGE / "ui"
QT_PACKAGES = frozenset({"PySide6", "shiboken6"})

#: Core packages named in DESIGN.md §3; those not written yet are skipped.
CORE_PACKAGES = (
    "oscb_desktop.paths",
    "oscb_desktop.forms",
    "oscb_desktop.store",
    "oscb_desktop.services",
    "oscb_desktop.services.returns",
    "oscb_desktop.signing",
    "oscb_desktop.bundle",
    "oscb_desktop.report",
    "oscb_desktop.collate",
    "oscb_desktop.cli",
    "oscb_desktop.dates",
    "oscb_desktop.logs",
    "oscb_desktop.demo",
    "oscb_desktop.partnership",
    "oscb_desktop.packs",
    "oscb_desktop.feedback",
)


def qt_imports(source: str, filename: str) -> list[str]:
    """``line: statement`` for every import of PySide6/shiboken6 in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source, filename=filename)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        if any(name.split(".")[0] in QT_PACKAGES for name in names):
            found.append(f"{node.lineno}: {ast.unparse(node)}")
    return found


def core_source_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if not p.is_relative_to(GUI_PACKAGE))


def test_qt_import_detector_sees_every_form() -> None:
    source = "import PySide6\nimport os, shiboken6\nfrom PySide6.QtCore import Qt\nimport PySide6.QtGui as g\n"
    assert len(qt_imports(source, "<sample>")) == 4
    harmless = "from . import PySide6\nimport pyside6_helpers\nx = 'import PySide6'\n# import PySide6\n"
    assert qt_imports(harmless, "<sample>") == []


def test_only_ui_imports_qt() -> None:
    offenders = []
    for path in core_source_files():
        for hit in qt_imports(path.read_text(encoding="utf-8"), str(path)):
            offenders.append(f"{path.relative_to(ROOT)}:{hit}")
    assert not offenders, "Qt imported outside oscb_desktop/ui/ (DESIGN.md §3):\n" + "\n".join(offenders)


def test_core_imports_without_qt() -> None:
    modules = [name for name in CORE_PACKAGES if importlib.util.find_spec(name) is not None]
    assert "oscb_desktop.forms" in modules
    # A fresh interpreter: this test process may already have Qt loaded by pytest-qt.
    # Modules are imported one at a time so the report names the first that brings Qt in.
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "    qt = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'))\n"
        "    if qt:\n"
        "        sys.exit(f'importing {name} loaded {qt}')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr or result.stdout


def test_shipped_data_folders_exist() -> None:
    forms, resources = paths.forms_dir(), paths.resources_dir()
    assert (forms / "form-definition.schema.json").is_file()
    assert (forms / "section11" / "2026-27.yaml").is_file()
    assert (resources / "partnership" / "oxfordshire.yaml").is_file()


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_wheel_ships_forms_and_resources(tmp_path: Path) -> None:
    uv = os.environ.get("UV") or shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not on PATH")
    result = subprocess.run(
        [uv, "build", "--wheel", "--out-dir", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=540,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    (wheel,) = tmp_path.glob("oscb_desktop-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    for expected in (
        "oscb_desktop/_data/forms/section11/2026-27.yaml",
        "oscb_desktop/_data/forms/form-definition.schema.json",
        "oscb_desktop/_data/resources/partnership/oxfordshire.yaml",
        "oscb_desktop/paths.py",
    ):
        assert expected in names, f"{expected} missing from {wheel.name}"


#: The layers of DESIGN.md §3, lowest first. A module may import from a lower layer or from its own package,
#: never from a higher layer or from another package of its own layer (so there are no cycles).
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"__init__", "paths", "fsutil", "dates", "datafiles", "textsafe", "lazy"}),
    frozenset({"signing", "logs"}),
    frozenset({"forms", "store", "partnership"}),
    frozenset({"survey"}),
    frozenset({"bundle", "collate"}),
    frozenset({"report", "packs", "feedback"}),
    frozenset({"services"}),
    frozenset({"demo"}),
    frozenset({"cli", "ui"}),
)


def _part(module: str) -> str | None:
    """``oscb_desktop.services.review`` -> ``services``; None for a module outside the package."""
    parts = module.split(".")
    if parts[0] != "oscb_desktop":
        return None
    return parts[1] if len(parts) > 1 else "__init__"


def _layer(part: str) -> int:
    return next(n for n, members in enumerate(LAYERS) if part in members)


def project_imports(source: str, module: str) -> list[tuple[int, str]]:
    """(line, module) of every import of the project's own modules in ``source`` (relative ones resolved)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")[: -node.level]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.append((node.lineno, target))
            if target == "oscb_desktop":  # from oscb_desktop import dates, logs
                found += [(node.lineno, f"oscb_desktop.{a.name}") for a in node.names if _is_part(a.name)]
    return [(line, name) for line, name in found if name.startswith("oscb_desktop")]


def _is_part(name: str) -> bool:
    return (PACKAGE / f"{name}.py").is_file() or (PACKAGE / name).is_dir()


def upward_imports(source: str, module: str) -> list[str]:
    importer = _part(module)
    assert importer is not None
    offenders = []
    for line, name in project_imports(source, module):
        target = _part(name)
        if target is None or target in (importer, "__init__"):
            continue
        if _layer(target) >= _layer(importer):
            offenders.append(f"{line}: imports {name} ({importer} may not use {target})")
    return offenders


def test_every_part_of_the_package_has_a_layer() -> None:
    parts = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir() if p.suffix == ".py" or p.is_dir()}
    parts -= {"__pycache__", "_data"}
    unplaced = sorted(p for p in parts if not any(p in layer for layer in LAYERS))
    assert not unplaced, f"put these in a layer of LAYERS: {unplaced}"


def test_the_layers_import_downwards_only() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for hit in upward_imports(path.read_text(encoding="utf-8"), module):
            offenders.append(f"{path.relative_to(ROOT)}:{hit}")
    assert not offenders, "an import points up or sideways (DESIGN.md §3):\n" + "\n".join(offenders)


def test_the_layer_check_sees_upward_and_sideways_imports() -> None:
    source = (
        "from oscb_desktop.paths import resource\n"  # down: fine
        "from . import model\n"  # its own package: fine
        "from oscb_desktop.services import returns\n"  # up
        "import oscb_desktop.store.models\n"  # sideways (same layer)
        "from oscb_desktop import ui\n"  # up
    )
    found = upward_imports(source, "oscb_desktop.forms.loader")
    assert [hit.split(":")[0] for hit in found] == ["3", "4", "5"]

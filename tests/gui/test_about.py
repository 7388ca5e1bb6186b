"""Help ▸ About: the version, the app's licence, and every third-party licence, read from what is installed; the
app's icon in the window."""

from __future__ import annotations

import tomllib
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMenu

from oscb_desktop import __version__
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.ui import about
from oscb_desktop.ui.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[2]


def open_about(qtbot, workspace: Workspace) -> about.AboutDialog:
    window = MainWindow(workspace)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    action = next(a for m in window.findChildren(QMenu) for a in m.actions() if a.text() == "&About OSCB Desktop")
    action.trigger()
    dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, about.AboutDialog))
    qtbot.waitExposed(dialog)
    return dialog


def row_of(dialog: about.AboutDialog, name: str) -> tuple[str, str, str]:
    table = dialog.table
    for row in range(table.rowCount()):
        cells = tuple(table.item(row, c).text() for c in range(3))
        if cells[0].lower() == name.lower():
            return cells  # type: ignore[return-value]
    raise AssertionError(f"{name} not listed: {[table.item(r, 0).text() for r in range(table.rowCount())]}")


def test_about_names_the_version_the_licence_and_the_workspace(qtbot, workspace: Workspace) -> None:
    dialog = open_about(qtbot, workspace)
    text = dialog.summary.text()
    assert f"OSCB Desktop {__version__}" in text
    assert "Licence: MIT" in text
    assert str(workspace.folder) in text
    assert dialog.windowModality() == Qt.WindowModality.WindowModal  # opened with open(): not blocking


def test_about_lists_the_installed_third_party_software_and_shows_each_licence(qtbot, workspace: Workspace) -> None:
    dialog = open_about(qtbot, workspace)
    _name, version, licence = row_of(dialog, "PySide6_Essentials")
    assert version.startswith("6.") and "LGPL-3.0" in licence  # Qt's licence, from the wheel's metadata
    assert row_of(dialog, "peewee")[2] == "not stated in its metadata"  # told, not guessed
    dialog.select("peewee")
    assert "Permission is hereby granted" in dialog.terms.toPlainText()  # the MIT text peewee ships
    dialog.select("reportlab")
    assert row_of(dialog, "reportlab")[2] == "BSD License"  # its long licence field gives way to the classifier
    dialog.select("DejaVu fonts")
    assert "Bitstream" in dialog.terms.toPlainText()
    names = {dialog.table.item(r, 0).text().lower() for r in range(dialog.table.rowCount())}
    assert {"python", "cryptography", "pyhanko", "fonttools"} <= names  # fonttools: pyhanko's [opentype] extra
    assert not names & {"pytest", "mypy", "ruff", "pyinstaller", "oscb-desktop"}  # test tools and the app itself


def test_app_licence_matches_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"]["text"] == about.APP_LICENCE


def test_the_window_icon_has_every_size(qapp) -> None:
    icon = about.app_icon()
    assert sorted(s.width() for s in icon.availableSizes()) == list(about.ICON_SIZES)
    image = icon.pixmap(32, 32).toImage()
    centre, corner = image.pixelColor(16, 9), image.pixelColor(0, 0)
    assert corner.alpha() == 0  # a transparent background around the shield
    assert centre.alpha() == 255 and centre.blue() > 200 and centre.red() < 80  # the accent blue

"""The ``oscb-desktop`` entry point: --screenshot, --demo, a too-new workspace, broken form files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from PySide6.QtGui import QImage

from oscb_desktop.forms import FormRegistry
from oscb_desktop.services import returns
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.store import CURRENT_VERSION
from oscb_desktop.ui import app
from oscb_desktop.ui.main_window import MainWindow


def test_screenshot_of_a_new_workspace_shows_the_welcome_page(qapp, tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    assert app.main(["--data-dir", str(tmp_path / "ws"), "--screenshot", str(shot)]) == 0
    image = QImage(str(shot))
    assert image.width() >= 1000 and image.height() >= 700
    assert (tmp_path / "ws" / "workspace.db").is_file()


def test_demo_opens_on_demo_data(qapp, tmp_path: Path) -> None:
    shot = tmp_path / "demo.png"
    folder = tmp_path / "demo-ws"
    code = app.main(["--demo", "--demo-agencies", "3", "--data-dir", str(folder), "--screenshot", str(shot)])
    assert code == 0 and shot.is_file()
    with Workspace.open(folder) as ws:
        ws.bind()
        assert len(returns.list_returns(ws)) >= 6


def test_a_workspace_from_a_newer_version_is_refused_and_left_alone(qapp, tmp_path: Path, capsys) -> None:
    folder = tmp_path / "ws"
    Workspace.open(folder).close()
    db = folder / "workspace.db"
    con = sqlite3.connect(db)
    con.execute("UPDATE schema_version SET version = ?", (CURRENT_VERSION + 1,))
    con.commit()
    con.close()
    before = db.read_bytes()
    assert app.main(["--data-dir", str(folder), "--screenshot", str(tmp_path / "x.png")]) == 2
    assert "newer version" in capsys.readouterr().err
    assert db.read_bytes() == before


def test_broken_form_definitions_are_listed_and_the_rest_still_load(qtbot, tmp_path: Path, workspace) -> None:
    forms = tmp_path / "forms"
    forms.mkdir()
    good = FormRegistry.load().get("impact", "2026.1").source
    (forms / "impact.yaml").write_text(Path(good).read_text(encoding="utf-8"), encoding="utf-8")
    (forms / "broken.yaml").write_text("format: 1\nid: broken\nversion: '1'\ntitle: x\nperiod: 2026/27\n")
    registry = FormRegistry.load(forms)
    assert [f.id for f in registry] == ["impact"]
    window = MainWindow(workspace, registry.errors)
    qtbot.addWidget(window)
    banner = window.agency.home.form_errors
    assert not banner.isHidden()
    assert "broken.yaml" in banner.text() and "sections" in banner.text()

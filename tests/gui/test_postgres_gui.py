"""The window on a Business Unit workspace on a PostgreSQL server: it says which database it is on, and another
officer's imports appear when the Business Unit's tabs are switched."""

from __future__ import annotations

from pathlib import Path

from helpers.pg_cluster import Cluster
from PySide6.QtGui import QImage

from oscb_desktop.forms import FormRegistry
from oscb_desktop.services import imports, registry
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.ui import app, ops
from oscb_desktop.ui.business_unit.workspace import BusinessUnitWorkspace


def test_the_window_says_which_database_it_is_on(qapp, qtbot, pg_cluster: Cluster, tmp_path: Path) -> None:
    url = pg_cluster.new_database("officers_gui")
    args = app.build_parser().parse_args(["--database", url, "--business-unit", "--data-dir", str(tmp_path / "me")])
    launcher = app.Launcher(qapp, args)
    launcher.start()
    try:
        qtbot.waitUntil(lambda: launcher.window is not None, timeout=20000)  # the workspace opens on a worker
        assert launcher.window is not None
        title = launcher.window.windowTitle()
        assert "PostgreSQL: officers_gui on the local server as " in title, title
        assert "PostgreSQL: officers_gui" in launcher.window.statusBar().currentMessage()
        assert launcher.window.business_unit.active
        # No name yet on this computer: asked once, and every change names the officer by it.
        dialog = launcher.name_dialog
        qtbot.waitUntil(dialog.isVisible)
        assert "Several officers work on PostgreSQL: officers_gui" in dialog.labelText()
        dialog.setTextValue("  Bea   Unit ")
        dialog.accept()
        assert launcher.ws is not None and launcher.ws.setting("user_name") == "Bea Unit"
        assert launcher.ws.user.startswith("Bea Unit (")
        shot = tmp_path / "on-postgres.png"
        assert launcher.window.grab().save(str(shot), "PNG") and QImage(str(shot)).width() >= 1000
    finally:
        qtbot.waitUntil(lambda: not ops.running(), timeout=20000)
        launcher.close()
    with Workspace.open(tmp_path / "other", database=url) as ws:  # made the Business Unit's, on the server
        assert registry.is_business_unit(ws)
        assert ws.setting("user_name") is None, "each officer's name is theirs, on their computer"


def test_another_officers_import_appears_on_switching_tabs(
    qtbot, pg_cluster: Cluster, tmp_path: Path, shipped_forms: FormRegistry, agency_side: Path
) -> None:
    url = pg_cluster.new_database()
    mine = Workspace.open(tmp_path / "bea", forms=shipped_forms, database=url)
    other = Workspace.open(tmp_path / "olu", forms=shipped_forms, database=url)
    try:
        registry.become_business_unit(mine)
        widget = BusinessUnitWorkspace(mine)
        qtbot.addWidget(widget)
        widget.show()
        widget.period.setCurrentText("2026/27")

        def received() -> int:
            return sum(1 for line in widget.cycle.model.rows if line.row.received_id)

        assert received() == 0
        results = imports.import_paths(other, [agency_side / "bundles"], trust_new=True)  # another computer
        assert {r.outcome for r in results} == {"imported"}
        mine.bind()
        assert received() == 0, "not read again yet"
        widget.tabs.setCurrentIndex(2)  # the matrix, then back
        widget.tabs.setCurrentIndex(0)
        assert received() == 4  # two agencies' Section 11 and impact returns for 2026/27
    finally:
        other.close()
        mine.close()

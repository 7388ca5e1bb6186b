"""Import in the window when things go wrong: a database that fills up (each bundle gets its own "not stored" row,
nothing is half-written) and names made to fool the eye (escapes shown, never obeyed)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.engines import open_bu
from helpers.workspace_state import snapshot
from PySide6.QtCore import Qt

from oscb_desktop.forms import FormRegistry
from oscb_desktop.services import imports, registry
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.ui.business_unit.common import Collations
from oscb_desktop.ui.business_unit.importing import ImportRun, run_import, trust_dialog
from oscb_desktop.ui.business_unit.models import ImportResultsModel
from oscb_desktop.ui.business_unit.viewer import ReturnViewer

EVIL_NAME = "a\x1b[2J\nIMPORTED  Thames Valley Police\u202etxt.oscb"


@pytest.fixture
def bu(request: pytest.FixtureRequest, engine: str, tmp_path: Path, shipped_forms: FormRegistry) -> Iterator[Workspace]:
    """An empty Business Unit workspace, on each engine in turn (the full database: SQLite's page limit only)."""
    ws = open_bu(request, engine, tmp_path / "bu", shipped_forms)
    ws.bind()
    registry.become_business_unit(ws)
    try:
        yield ws
    finally:
        ws.close()


@pytest.mark.sqlite_only  # a full database made with SQLite's max_page_count; a server's full disk is not made here
def test_a_database_that_is_full_gives_each_bundle_its_own_row_and_stores_nothing(
    qtbot, bu: Workspace, agency_side: Path
) -> None:
    files = sorted((agency_side / "bundles").glob("*.oscb"), key=lambda p: "section11" not in p.name)
    before = snapshot(bu)
    # Every connection to the database (the import's worker has its own) may not grow it by a single page.
    bu.db.execute_sql("VACUUM")
    bu.db.pragma("max_page_count", bu.db.pragma("page_count"), permanent=True)

    runs: list[ImportRun] = []
    job = run_import(None, bu, files, lambda _res, _path: True, runs.append)
    assert job is not None
    qtbot.waitUntil(lambda: bool(runs), timeout=120_000)
    [run] = runs
    assert not run.cancelled, "a full disk is an answer for each bundle, not a failure of the run"
    assert len(run.results) == len(files)
    assert all(r.code == imports.ImportCode.NOT_STORED for r in run.results)
    assert "disk is full" in run.results[0].reason
    assert "The disk is full" in run.summary()
    assert snapshot(bu) == before

    model = ImportResultsModel()
    model.set_rows(run.results)
    assert all(row[5] == "Rejected" and "disk" in row[6] for row in model.texts())


def test_the_results_and_the_trust_question_show_escapes_not_obey_them(
    qtbot, bu: Workspace, bundle: bytes, tmp_path: Path
) -> None:
    evil = tmp_path / EVIL_NAME
    evil.write_bytes(bundle)
    [result] = imports.import_paths(bu, [evil])
    assert result.code == "untrusted_signer"

    model = ImportResultsModel()
    model.set_rows([result])
    file_cell = model.data(model.index(0, 0), Qt.ItemDataRole.DisplayRole)
    assert file_cell == "a\\x1b[2J\\nIMPORTED  Thames Valley Police\\u202etxt.oscb"
    tooltip = model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole)
    assert "\x1b" not in tooltip and "\\x1b[2J" in tooltip
    assert all(c.isprintable() for row in model.texts() for cell in row for c in cell)

    checked = imports.check_file(evil, bu.forms)
    dialog = trust_dialog(bu, checked.result, evil)
    qtbot.addWidget(dialog)
    shown = dialog.detail_labels["File"].text()
    assert shown == file_cell, "the same escapes in the question as in the results"
    assert all(c.isprintable() for label in dialog.detail_labels.values() for c in label.text())


def test_the_viewer_shows_the_file_name_it_came_from_escaped(
    qtbot, bu: Workspace, bundle: bytes, tmp_path: Path
) -> None:
    evil = tmp_path / EVIL_NAME
    evil.write_bytes(bundle)
    [result] = imports.import_paths(bu, [evil], trust_new=True)
    assert result.outcome == "imported" and result.received_id is not None
    viewer = ReturnViewer(bu, result.received_id, Collations(bu))
    qtbot.addWidget(viewer)
    text = viewer.showing.text()
    assert "\x1b" not in text and "\u202e" not in text
    assert "a\\x1b[2J\\nIMPORTED  Thames Valley Police\\u202etxt.oscb" in text
    tips = [viewer.history.item(0, c).toolTip() for c in range(viewer.history.columnCount())]
    assert all("\x1b" not in tip and "\\x1b[2J" in tip for tip in tips)

"""File ▸ Open feedback… in the agency's window, on real workspaces and a real signed feedback file: the view shows
each standard as "you said Green, the partnership moderated Amber" in words and colour, the notes and the required
actions; home marks the return; a tampered file is refused with nothing stored."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from helpers.bundle_kit import members_of, rebuild
from helpers.feedback_kit import Scenario, build, stored
from PySide6.QtWidgets import QApplication, QMessageBox

from oscb_desktop.forms import FormRegistry
from oscb_desktop.services import feedback_received
from oscb_desktop.services.returns import ReturnSummary
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.ui import file_dialogs, ops
from oscb_desktop.ui.agency.feedback_view import FeedbackView
from oscb_desktop.ui.main_window import MainWindow
from oscb_desktop.ui.table_model import ROW_ROLE


@pytest.fixture
def scenario(tmp_path: Path, shipped_forms: FormRegistry, workspace: Workspace) -> Scenario:
    s = build(tmp_path, shipped_forms, workspace)
    s.bu.close()
    workspace.bind()
    return s


def _open(qtbot, monkeypatch: pytest.MonkeyPatch, win: MainWindow, path: Path) -> None:
    monkeypatch.setattr(file_dialogs, "ask_open_file", lambda *_a, **_k: path)
    [act] = [a for m in win.agency_mode.menus for a in m.actions() if a.text().startswith("Open &feedback")]
    act.trigger()
    qtbot.waitUntil(lambda: not ops.running(), timeout=20_000)


def first_return(home: Any) -> ReturnSummary:
    """The first return row of home (the rows under a partnership heading)."""
    return next(r for r in home.model.rows if isinstance(r, ReturnSummary))


def test_open_feedback_shows_it_beside_the_return(qtbot, monkeypatch: pytest.MonkeyPatch, scenario: Scenario) -> None:
    ws = scenario.agency
    win = MainWindow(ws)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    home = win.agency.home
    assert "feedback received" not in home.model.cell(first_return(home), 3, 0)

    _open(qtbot, monkeypatch, win, scenario.feedback_file)
    qtbot.waitUntil(lambda: bool(win.findChildren(FeedbackView)))
    [view] = win.findChildren(FeedbackView)
    table = view.standards
    rows = {table.item(r, 0).text().split()[0]: r for r in range(table.rowCount())}
    s3 = rows["S3"]
    assert table.item(s3, 3).text() == "You said Green, the partnership moderated Amber."
    assert (table.item(s3, 1).text(), table.item(s3, 2).text()) == ("Green", "Amber")
    assert table.item(s3, 2).background().color().name() == "#f2b134", "Amber in colour as well as in words"
    assert table.item(s3, 4).text() == "Rotas not shown."
    assert table.item(rows["S1"], 3).text() == "You said Green; the partnership did not moderate it."
    st = view.statements
    said = {st.item(r, 0).text().split()[0]: st.item(r, 3).text() for r in range(st.rowCount())}
    assert said["S3.2"] == "You said Green, the partnership moderated Red."
    assert said["S3.1"] == "You said Green, the partnership moderated Amber.", "the standard's moderation applies"
    assert [view.required.item(r, 0).text() for r in range(view.required.rowCount())] == [
        "Publish the on-call rota to all staff", "Send the training plan",
    ]  # fmt: skip
    assert view.required.item(0, 2).text() == "30 Sep 2027"
    assert feedback_received.feedback_for(ws, scenario.submission_id) is not None, "stored"
    assert "feedback received" in home.model.cell(first_return(home), 3, 0)
    shot = os.environ.get("OSCB_FEEDBACK_SCREENSHOT")
    if shot:
        view.resize(1100, 760)
        QApplication.processEvents()
        view.grab().save(shot)

    # The Return menu opens it again for the selected return.
    view.close()
    home.table.selectRow(
        next(
            r
            for r in range(home.proxy.rowCount())
            if isinstance(home.proxy.data(home.proxy.index(r, 0), ROW_ROLE), ReturnSummary)
        )
    )  # the first return's row, under its partnership's heading
    win.agency_mode.act_feedback.trigger()
    qtbot.waitUntil(lambda: any(v.isVisible() for v in win.findChildren(FeedbackView)))


def test_a_tampered_file_is_refused_and_nothing_stored(
    qtbot, monkeypatch: pytest.MonkeyPatch, scenario: Scenario, tmp_path: Path
) -> None:
    ws = scenario.agency
    data = scenario.feedback_file.read_bytes()
    bad = tmp_path / "bad.oscbfeedback"
    bad.write_bytes(rebuild(data, replace={"feedback.json": members_of(data)["feedback.json"] + b"\n"}))
    before = stored(ws)
    win = MainWindow(ws)
    qtbot.addWidget(win)
    win.show()
    _open(qtbot, monkeypatch, win, bad)
    qtbot.waitUntil(lambda: any(isinstance(w, QMessageBox) and w.isVisible() for w in win.findChildren(QMessageBox)))
    [box] = [w for w in win.findChildren(QMessageBox) if w.isVisible()]
    assert (
        box.windowTitle() == "Feedback not accepted" and "feedback.json is not the file that was signed" in box.text()
    )
    assert not win.findChildren(FeedbackView)
    assert stored(ws) == before

"""The Business Unit's side of the signed feedback in the window: required actions entered in the review of a
received return (kept at once, removed after a question), and the signed feedback files written from the Board
report tab once the partnership key's passphrase is given; the agency opens the signed letter from its view."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.engines import open_bu
from helpers.feedback_kit import PASSPHRASE, Scenario, build
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrintPreviewDialog
from PySide6.QtWidgets import QApplication, QMessageBox

from oscb_desktop.feedback.verify import check_feedback
from oscb_desktop.forms import FormRegistry
from oscb_desktop.services import feedback, feedback_received
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.ui import ops
from oscb_desktop.ui.agency.feedback_view import show_feedback
from oscb_desktop.ui.business_unit.common import Collations
from oscb_desktop.ui.business_unit.report import ReportPage
from oscb_desktop.ui.business_unit.viewer import ReturnViewer
from oscb_desktop.ui.signing.export import PassphraseDialog


@pytest.fixture
def scenario(
    request: pytest.FixtureRequest, engine: str, tmp_path: Path, shipped_forms: FormRegistry, workspace: Workspace
) -> Scenario:
    """Up to the signed feedback file; the Business Unit on each engine in turn (the agency on its file)."""
    return build(tmp_path, shipped_forms, workspace, lambda folder, forms: open_bu(request, engine, folder, forms))


def visible(kind: type) -> list:  # type: ignore[type-arg]
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


def test_required_actions_are_entered_in_the_review(qtbot, scenario: Scenario) -> None:
    bu = scenario.bu
    bu.bind()
    before = {a.what for a in feedback.required_actions(bu, scenario.received_id)}
    viewer = ReturnViewer(bu, scenario.received_id, Collations(bu))
    qtbot.addWidget(viewer)
    box = viewer.required
    shown = [box.list.item(n).text() for n in range(box.list.count())]
    assert all(any(what in line for line in shown) for what in before)

    dialog = box.add()
    qtbot.keyClicks(dialog.what, "Audit the safer-recruitment files")
    dialog.standard.setCurrentIndex(dialog.standard.findText("S3", Qt.MatchFlag.MatchStartsWith))
    qtbot.keyClick(dialog.what, Qt.Key.Key_Return)
    added = [a for a in feedback.required_actions(bu, scenario.received_id) if a.what.startswith("Audit")]
    assert len(added) == 1 and added[0].due is not None and added[0].target.startswith("s3")

    row = next(n for n in range(box.list.count()) if box.list.item(n).text().startswith("Audit"))
    box.list.setCurrentRow(row)
    assert box.remove_button.isEnabled()
    box.remove()
    [question] = visible(QMessageBox)
    next(b for b in question.buttons() if b.text() == "Remove").click()
    assert {a.what for a in feedback.required_actions(bu, scenario.received_id)} == before


def test_signed_feedback_files_from_the_board_report_tab(qtbot, scenario: Scenario, tmp_path: Path) -> None:
    bu = scenario.bu
    bu.bind()
    page = ReportPage(bu, Collations(bu))
    qtbot.addWidget(page)
    page.set_period("2026/27")
    out = tmp_path / "signed"
    dialog = page.export_signed_feedback(out)
    assert isinstance(dialog, PassphraseDialog)
    qtbot.keyClicks(dialog.passphrase, PASSPHRASE)
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: any(out.glob("*.oscbfeedback")) and not ops.running(), timeout=120_000)
    [written] = out.glob("*.oscbfeedback")
    assert check_feedback(written).ok


def test_the_agency_opens_the_signed_letter(qtbot, scenario: Scenario) -> None:
    ws = scenario.agency
    ws.bind()
    [result] = [feedback_received.import_feedback(ws, scenario.feedback_file)]
    info = feedback_received.feedback_for(ws, scenario.submission_id)
    assert info is not None and result is not None
    view = show_feedback(None, info, ws)
    qtbot.addWidget(view)
    view.letter_button.click()
    qtbot.waitUntil(lambda: bool(visible(QPrintPreviewDialog)), timeout=60_000)
    qtbot.waitUntil(lambda: not ops.running())
    [preview] = visible(QPrintPreviewDialog)
    assert preview.printer().docName().endswith("(signed letter)")
    preview.close()

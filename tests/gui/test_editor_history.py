"""An item's answer history in the editor (issue 13, item 15): opened by keyboard, a version restored and the
restore undone, each stored and audited; nothing restored into a signed return."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from oscb_desktop.services import agencies, returns
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.store import AuditEntry, Submission
from oscb_desktop.ui.editor.history import HistoryDialog
from oscb_desktop.ui.editor.items import RatingInput
from oscb_desktop.ui.main_window import MainWindow

PERIOD = "2026/27"


def green(evidence: str) -> dict[str, str]:
    return {"level": "green", "evidence": evidence, "example": "", "reason": ""}


@pytest.fixture
def draft_id(workspace: Workspace) -> str:
    agency = agencies.create_agency(workspace, "Oxford City Council", sector="district_council", lead_name="Ava Khan")
    sub = returns.start_return(workspace, agency.id, "section11", PERIOD, carry_forward=False)
    returns.save_answers(workspace, sub.id, {"s1.1": green("Board minutes, May 2026.")})
    returns.save_answers(workspace, sub.id, {"s1.1": {**green("Board minutes, May 2026."), "level": "amber"}})
    return sub.id


@pytest.fixture
def window(qtbot, workspace: Workspace, draft_id: str) -> Iterator[MainWindow]:
    win = MainWindow(workspace)
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.agency.close_editor()


def open_history_by_keyboard(qtbot, window: MainWindow, item_id: str) -> HistoryDialog:
    editor = window.agency.editor
    assert editor is not None
    editor.jump_to(item_id)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    frame = editor.frames[item_id]
    qtbot.waitUntil(lambda: window.focusWidget() is not None and frame.isAncestorOf(window.focusWidget()))
    QTest.keyClick(window.focusWidget(), Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: editor.history_dialog is not None and editor.history_dialog.isVisible())
    dialog = editor.history_dialog
    assert dialog is not None
    return dialog


def test_restore_an_earlier_answer_by_keyboard_and_undo_it(qtbot, window: MainWindow, draft_id: str) -> None:
    window.agency.open_return(draft_id)
    editor = window.agency.editor
    assert editor is not None
    rating = editor.frames["s1.1"].input
    assert isinstance(rating, RatingInput) and rating.level.value() == "amber"
    # A change typed just now is in the history too.
    editor.jump_to("s1.1")
    rating.evidence.edit.setPlainText("Board minutes, May 2026, and the audit.")

    dialog = open_history_by_keyboard(qtbot, window, "s1.1")
    assert dialog.windowTitle() == "Answer history – S1.1"
    assert dialog.table.rowCount() == 3
    assert "(the answer now)" in dialog.table.item(0, 2).text()
    assert not dialog.restore_button.isEnabled()
    assert dialog.answer.toPlainText() == "Amber (50%)\nEvidence: Board minutes, May 2026, and the audit."

    # Choose the oldest (Green) with the arrow keys and press Enter.
    dialog.table.setFocus()
    QTest.keyClick(dialog.table, Qt.Key.Key_Down)
    QTest.keyClick(dialog.table, Qt.Key.Key_Down)
    assert dialog.selected() is not None and dialog.selected().text.startswith("Green (75%)")
    assert dialog.restore_button.isEnabled()
    QTest.keyClick(dialog.table, Qt.Key.Key_Return)
    QApplication.processEvents()

    stored = returns.load_answers(window.ws, draft_id)["s1.1"]
    assert stored == green("Board minutes, May 2026.")
    assert rating.level.value() == "green" and rating.evidence.value() == "Board minutes, May 2026."
    last = AuditEntry.select().where(AuditEntry.submission == draft_id).order_by(AuditEntry.id.desc()).get()
    assert last.action == "restore" and last.new_value == stored
    assert last.old_value["evidence"] == "Board minutes, May 2026, and the audit."
    assert dialog.table.rowCount() == 4 and "Restored" in dialog.table.item(0, 2).text()
    assert "Restored the answer of" in dialog.note.text()

    # Undo: the answer it replaced comes back, recorded too.
    assert dialog.undo_button.isVisible()
    dialog.undo_button.click()
    stored = returns.load_answers(window.ws, draft_id)["s1.1"]
    assert stored["level"] == "amber" and stored["evidence"] == "Board minutes, May 2026, and the audit."
    assert rating.level.value() == "amber"
    assert dialog.table.rowCount() == 5 and not dialog.undo_button.isVisible()

    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible())


def test_a_signed_return_shows_its_history_but_restores_nothing(qtbot, window: MainWindow, draft_id: str) -> None:
    Submission.update(status="signed").where(Submission.id == draft_id).execute()
    window.agency.open_return(draft_id)
    editor = window.agency.editor
    assert editor is not None and editor.read_only
    editor.show_history("s1.1")
    dialog = editor.history_dialog
    assert dialog is not None
    dialog.table.selectRow(1)
    assert dialog.selected() is not None and dialog.selected().restorable
    assert not dialog.restore_button.isEnabled()
    assert "signed and cannot be changed" in dialog.note.text()
    before = AuditEntry.select().count()
    dialog.restore_selected()
    assert AuditEntry.select().count() == before
    assert returns.load_answers(window.ws, draft_id)["s1.1"]["level"] == "amber"
    dialog.close()


def test_every_item_has_a_history_button_outside_the_tab_order(qtbot, window: MainWindow, draft_id: str) -> None:
    window.agency.open_return(draft_id)
    editor = window.agency.editor
    assert editor is not None
    editor.build_all_sections()
    for item_id, frame in editor.frames.items():
        assert frame.history_button.accessibleName().startswith("Answer history: ")
        assert frame.history_button.focusPolicy() == Qt.FocusPolicy.NoFocus
        assert any(a.text() == "Answer history… (Ctrl+H)" for a in frame.actions()), item_id
    frame = editor.frames["s1.2"]
    frame.history_button.click()
    assert editor.history_dialog is not None and "S1.2" in editor.history_dialog.windowTitle()
    assert editor.history_dialog.table.rowCount() == 0
    assert "No change" in editor.history_dialog.note.text()
    editor.history_dialog.close()

"""Leaving the editor while its changes cannot be saved never throws the text away.

Each fault is real (``helpers.db_faults``: another connection holding the write lock, a database capped at its
size, a read-only connection; or an answer the store refuses as too long). "← Home" asks; leaving keeps the
changes pending in the workspace's retry queue and in the recovery journal, and they are stored as soon as the
cause clears. Opening another return, switching profile and closing the window keep them too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import pytest
from helpers import db_faults
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QPlainTextEdit

from oscb_desktop.services import agencies, journal, returns
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.store import Answer
from oscb_desktop.ui.main_window import MainWindow

#: Over 4 KB of UTF-8, so storing it needs overflow pages: a database capped at its size refuses it.
TYPED = "Typed while the workspace could not be written: " + "✓" * 2000 + " Done."


@pytest.fixture
def window(qtbot, workspace: Workspace) -> Iterator[MainWindow]:
    agencies.create_agency(workspace, "Oxford City Council", sector="district_council", lead_name="Ava Khan")
    win = MainWindow(workspace)
    win.show()
    qtbot.waitExposed(win)
    yield win
    # Closed here rather than by qtbot (which closes its widgets before fixtures end): a failed test may leave
    # changes unsaved, and closing would then ask, modally, with nobody to answer.
    win.agency.confirm_quit = lambda *_args: True  # type: ignore[method-assign]
    if win.agency.editor is not None:
        win.agency.editor.autosave.autosaver.discard()
    for sub_id in win.agency.parked.submission_ids():
        win.agency.parked.discard(sub_id)
    win.agency.close_editor()
    win.close()
    win.deleteLater()


def start(window: MainWindow, form_id: str = "section11") -> str:
    form = next(f for f in window.ws.forms.for_period("2026/27") if f.id == form_id)
    sub_id = window.agency.home.start_return(form, carry_forward=False)
    assert sub_id is not None and window.agency.editor is not None
    return sub_id


def notes_edit(window: MainWindow) -> QPlainTextEdit:
    assert window.agency.editor is not None
    edit = window.agency.editor.frames["about.notes"].input.input.edit
    assert isinstance(edit, QPlainTextEdit)
    return edit


def type_into(edit: QPlainTextEdit, text: str) -> None:
    """The text as if typed: all but its last character inserted at once (typing 3,000 keys is slow), then a key."""
    edit.setFocus()
    edit.moveCursor(edit.textCursor().MoveOperation.End)
    edit.insertPlainText(text[:-1])
    QTest.keyClicks(edit, text[-1])
    QApplication.processEvents()


def stored(ws: Workspace, sub_id: str) -> dict[str, Any]:
    return returns.load_answers(ws, sub_id)


def visible_box(text: str) -> QMessageBox | None:
    for w in QApplication.topLevelWidgets():
        if isinstance(w, QMessageBox) and w.isVisible() and text in w.text():
            return w
    return None


def click(box: QMessageBox, label: str) -> None:
    button = next(b for b in box.buttons() if b.text() == label)
    button.click()
    QApplication.processEvents()


def over_long_notes(ws: Workspace, sub_id: str) -> str:
    """A stored answer longer than the form now allows (about.notes: 4,000), as an older form version left it."""
    text = "n" * 4100
    Answer.create(submission=sub_id, item_id="about.notes", value=text, carried=False, updated_at="2000-01-01")
    return text


def fault_for(name: str, ws: Workspace) -> AbstractContextManager[Any]:
    return nullcontext() if name == "too_long" else db_faults.FAULTS[name](ws)


@pytest.mark.parametrize("fault", ["locked", "full", "read_only", "too_long"])
def test_home_asks_and_leaving_keeps_trying_until_it_is_saved(
    qtbot, window: MainWindow, workspace: Workspace, fault: str
) -> None:
    sub_id = start(window)
    expected = TYPED
    if fault == "too_long":
        long_text = over_long_notes(workspace, sub_id)
        window.agency.reload_editor()
        edit = notes_edit(window)
        edit.setFocus()
        edit.moveCursor(edit.textCursor().MoveOperation.End)
        QTest.keyClick(edit, Qt.Key.Key_Backspace)  # still over the limit: the store refuses it
        expected = long_text[:-1]
    with fault_for(fault, workspace):
        if fault != "too_long":
            type_into(notes_edit(window), TYPED)
        window.agency.editor.back.click()
        box = visible_box("could not be saved yet")
        assert box is not None, "leaving with unsaved changes asks"
        assert window.agency.editor is not None, "nothing happens before the answer"
        words = db_faults.FAULT_WORDS.get(fault, "too long")
        assert words in box.informativeText(), box.informativeText()
        click(box, "Leave and keep trying")
        assert window.agency.editor is None
        assert window.agency.currentWidget() is window.agency.home
        assert stored(workspace, sub_id).get("about.notes") != expected
        assert journal.read(workspace.folder, sub_id)["about.notes"] == expected, "kept in the recovery journal"
        assert window.agency.parked.submission_ids() == [sub_id]
    if fault == "too_long":
        # A refused value can never be saved as it is: it stays in the journal (checked above), which the next start
        # keeps aside instead of applying (tests/unit/services/test_journal.py).
        window.agency.parked.discard(sub_id)
        return
    # The cause clears: the background retry stores the text and clears the journal.
    qtbot.waitUntil(lambda: stored(workspace, sub_id).get("about.notes") == expected, timeout=30_000)
    assert window.agency.parked.submission_ids() == []
    assert journal.read(workspace.folder, sub_id) == {}
    assert "saved" in window.agency_mode.save_state.text().lower()


def leave_and_answer(window: MainWindow, answer: str) -> None:
    """Type, press "← Home", and answer the question it asks."""
    type_into(notes_edit(window), TYPED)
    window.agency.show_home()
    box = visible_box("could not be saved yet")
    assert box is not None
    click(box, answer)


def test_stay_keeps_the_editor_and_it_saves_once_it_can(qtbot, window: MainWindow, workspace: Workspace) -> None:
    sub_id = start(window)
    with db_faults.locked(workspace):
        leave_and_answer(window, "Stay")
        assert window.agency.editing
    qtbot.waitUntil(lambda: stored(workspace, sub_id).get("about.notes") == TYPED, timeout=30_000)
    assert window.agency.editing


def test_discard_is_the_users_choice_and_forgets_the_journal(window: MainWindow, workspace: Workspace) -> None:
    sub_id = start(window)
    with db_faults.full(workspace):
        leave_and_answer(window, "Discard my changes")
    assert window.agency.editor is None and window.agency.parked.submission_ids() == []
    assert "about.notes" not in stored(workspace, sub_id)
    assert journal.read(workspace.folder, sub_id) == {}


def test_home_without_unsaved_changes_does_not_ask(window: MainWindow, workspace: Workspace) -> None:
    sub_id = start(window)
    type_into(notes_edit(window), TYPED)
    window.agency.show_home()
    assert visible_box("could not be saved yet") is None
    assert window.agency.editor is None
    assert stored(workspace, sub_id)["about.notes"] == TYPED


def test_opening_another_return_and_coming_back_keeps_the_text(qtbot, window: MainWindow, workspace: Workspace) -> None:
    first = start(window)
    agency = agencies.current_agency(workspace)
    second = returns.start_return(workspace, agency.id, "impact", "2026/27").id
    with db_faults.locked(workspace):
        type_into(notes_edit(window), TYPED)
        window.agency.open_return(second)
        assert window.agency.editor.submission.id == second
        assert window.agency.parked.submission_ids() == [first]
        window.agency.open_return(first)  # back: the editor shows what is still unsaved, and carries on from it
        assert notes_edit(window).toPlainText() == TYPED
        assert window.agency.parked.submission_ids() == []
        type_into(notes_edit(window), " And more.")
        assert window.agency.parked.submission_ids() == []
    qtbot.waitUntil(lambda: stored(workspace, first).get("about.notes") == TYPED + " And more.", timeout=30_000)


def test_switching_profile_keeps_the_parked_changes(qtbot, window: MainWindow, workspace: Workspace) -> None:
    sub_id = start(window)
    other = agencies.create_agency(workspace, "Cherwell District Council", sector="district_council")
    with db_faults.locked(workspace):
        type_into(notes_edit(window), TYPED)
        window.agency.close_editor()  # as "Leave and keep trying" does
    assert window.agency.parked.submission_ids() == [sub_id]
    home = window.agency.home
    home.refresh()
    index = home.profile_choice.findData(other.id)
    home.profile_choice.setCurrentIndex(index)
    home.profile_choice.activated.emit(index)  # as the user's choice does
    assert agencies.current_agency(workspace).id == other.id
    qtbot.waitUntil(lambda: stored(workspace, sub_id).get("about.notes") == TYPED, timeout=30_000)


def answer_when_shown(qtbot, text: str, label: str) -> list[str]:
    """Click ``label`` on the (blocking) message box with ``text`` once it is shown; returns its texts."""
    seen: list[str] = []

    def poll() -> None:
        box = visible_box(text)
        if box is None:
            QTimer.singleShot(20, poll)
            return
        seen.append(f"{box.text()} {box.informativeText()}")
        click(box, label)

    QTimer.singleShot(0, poll)
    return seen


def test_closing_the_window_says_the_changes_are_kept_for_next_time(
    qtbot, window: MainWindow, workspace: Workspace
) -> None:
    sub_id = start(window)
    with db_faults.read_only(workspace):
        type_into(notes_edit(window), TYPED)
        seen = answer_when_shown(qtbot, "could not be saved yet", "Cancel")
        assert not window.close(), "Cancel keeps the window open"
        assert seen and "next time" in seen[0]
        seen = answer_when_shown(qtbot, "could not be saved yet", "Quit")
        assert window.close()
        assert seen
    assert journal.read(workspace.folder, sub_id) == {"about.notes": TYPED}
    recovery = journal.replay(workspace)  # the next start
    assert stored(workspace, sub_id)["about.notes"] == TYPED
    assert recovery.recovered


def test_a_refused_answer_shows_why_on_its_item_and_the_others_are_saved(
    window: MainWindow, workspace: Workspace
) -> None:
    sub_id = start(window)
    over_long_notes(workspace, sub_id)
    window.agency.reload_editor()
    editor = window.agency.editor
    edit = notes_edit(window)
    edit.setFocus()
    edit.moveCursor(edit.textCursor().MoveOperation.End)
    QTest.keyClick(edit, Qt.Key.Key_Backspace)
    other = editor.frames["about.completed_by"].input.input.edit
    other.setFocus()
    QTest.keyClicks(other, "Ava Khan")
    assert not editor.flush()
    assert stored(workspace, sub_id)["about.completed_by"] == "Ava Khan"
    frame = editor.frames["about.notes"]
    assert frame.save_error.isVisible() and "4,000" in frame.save_error.text()
    assert not editor.frames["about.completed_by"].save_error.isVisible()
    # Shortened under the limit: saved, and the message goes.
    cursor = edit.textCursor()
    cursor.setPosition(4000)
    cursor.movePosition(cursor.MoveOperation.End, cursor.MoveMode.KeepAnchor)
    edit.setTextCursor(cursor)
    QTest.keyClick(edit, Qt.Key.Key_Delete)
    assert editor.flush()
    assert stored(workspace, sub_id)["about.notes"] == "n" * 4000
    assert not frame.save_error.isVisible()


def test_the_status_bar_names_the_full_disk(window: MainWindow, workspace: Workspace) -> None:
    start(window)
    with db_faults.full(workspace):
        type_into(notes_edit(window), TYPED)
        assert not window.agency.editor.flush()
        text = window.agency_mode.save_state.text()
    assert "disk is full" in text and "rollback" not in text, text

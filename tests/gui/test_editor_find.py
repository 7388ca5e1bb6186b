"""Find in the whole return (issue 13, item 14): Ctrl+F, the questions, guidance and answers of every section,
Enter / F3 and Shift+Enter / Shift+F3, the item shown with the words marked, Esc closes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPlainTextEdit

from oscb_desktop.services import agencies, returns
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.ui.editor.find import MARK_COLOUR, find_matches
from oscb_desktop.ui.editor.page import EditorPage
from oscb_desktop.ui.main_window import MainWindow

PERIOD = "2026/27"
WORD = "Zephyrine"  # in one answer only


@pytest.fixture
def window(qtbot, workspace: Workspace) -> Iterator[MainWindow]:
    agency = agencies.create_agency(workspace, "Oxford City Council", sector="district_council", lead_name="Ava Khan")
    sub = returns.start_return(workspace, agency.id, "section11", PERIOD, carry_forward=False)
    returns.save_answers(
        workspace,
        sub.id,
        {"s5.2": {"level": "green", "evidence": f"Training records kept by {WORD} Ltd.", "example": "", "reason": ""}},
    )
    win = MainWindow(workspace)
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    qtbot.waitExposed(win)
    win.agency.open_return(sub.id)
    yield win
    win.agency.close_editor()


def press(qtbot, window: MainWindow, key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    QTest.keyClick(window.focusWidget(), key, modifier)
    QApplication.processEvents()


def find(qtbot, window: MainWindow, editor: EditorPage, words: str) -> None:
    press(qtbot, window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: editor.find_bar.isVisible() and window.focusWidget() is editor.find_bar.edit)
    QTest.keyClicks(editor.find_bar.edit, words)
    qtbot.waitUntil(lambda: not editor.find_bar._timer.isActive())


def test_find_goes_through_questions_guidance_and_answers_of_every_section(qtbot, window: MainWindow) -> None:
    editor = window.agency.editor
    assert editor is not None
    editor.focus_first_item()
    assert editor.current_section == 0

    find(qtbot, window, editor, "supervision")
    expected = find_matches(editor.form, editor.answers, "supervision")
    assert len(expected) > 3
    assert {m.where for m in expected} >= {"question", "guidance"}
    sections = {editor.form.section_of(m.item_id).id for m in expected}
    assert len(sections) > 1, "the words are in more than one section"
    bar = editor.find_bar
    assert bar.count.text().startswith(f"1 of {len(expected)} — ")
    first = expected[0]
    assert editor.current_section == editor.form.sections.index(editor.form.section_of(first.item_id))
    assert MARK_COLOUR in editor.frames[first.item_id].label.text() + editor.frames[first.item_id].guidance.text()

    # Enter: next; Shift+Enter: previous; F3 / Shift+F3 the same, from anywhere in the editor.
    press(qtbot, window, Qt.Key.Key_Return)
    assert bar.index == 1 and bar.count.text().startswith(f"2 of {len(expected)}")
    press(qtbot, window, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert bar.index == 0
    press(qtbot, window, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)  # wraps to the last
    assert bar.index == len(expected) - 1
    last = expected[-1]
    assert editor.current_section == editor.form.sections.index(editor.form.section_of(last.item_id))
    # The mark moved with the match: only the current item is marked.
    assert MARK_COLOUR not in editor.frames[first.item_id].label.text()
    press(qtbot, window, Qt.Key.Key_F3)
    assert bar.index == 0
    press(qtbot, window, Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier)
    assert bar.index == len(expected) - 1

    # Esc closes the bar, clears the marks and leaves the cursor in the item found.
    press(qtbot, window, Qt.Key.Key_Escape)
    assert not bar.isVisible()
    assert MARK_COLOUR not in editor.frames[last.item_id].label.text()
    qtbot.waitUntil(lambda: editor.frames[last.item_id].isAncestorOf(window.focusWidget()))


def test_find_reaches_an_answer_typed_just_now_and_marks_it(qtbot, window: MainWindow) -> None:
    editor = window.agency.editor
    assert editor is not None
    find(qtbot, window, editor, WORD.lower())
    bar = editor.find_bar
    assert [(m.item_id, m.where) for m in bar.found] == [("s5.2", "answer")]
    assert bar.count.text() == "1 of 1 — in the answer"
    assert editor.current_section == editor.form.sections.index(editor.form.section_of("s5.2"))
    evidence = editor.frames["s5.2"].findChildren(QPlainTextEdit)[0]
    marks = evidence.extraSelections()
    assert len(marks) == 1 and marks[0].cursor.selectedText() == WORD

    # Words typed but not yet saved are found too.
    other = editor.frames["s1.1"].findChildren(QPlainTextEdit)[0]
    other.setPlainText(f"Audit by {WORD} in March.")
    QTest.keyClicks(bar.edit, " ")
    QTest.keyClick(bar.edit, Qt.Key.Key_Backspace)
    press(qtbot, window, Qt.Key.Key_Return)
    assert [m.item_id for m in bar.found] == ["s1.1", "s5.2"]
    assert editor.current_section == editor.form.sections.index(editor.form.section_of("s1.1"))
    assert not editor.frames["s5.2"].findChildren(QPlainTextEdit)[0].extraSelections()

    QTest.keyClicks(bar.edit, "qqqq")
    qtbot.waitUntil(lambda: not bar._timer.isActive())
    assert bar.count.text() == "No matches" and bar.found == []

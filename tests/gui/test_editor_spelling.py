"""Spell check in the text answers (issue 13, item 13): British English, underlined as the user works, suggestions,
"Add to dictionary" and "Ignore" on right-click or the menu key, long answers still fast, and an editor that
works on without a dictionary."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator

import pytest
from PySide6.QtGui import QContextMenuEvent, QTextCharFormat
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu, QPlainTextEdit

from oscb_desktop.services import agencies, returns
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.ui.editor import spelling
from oscb_desktop.ui.editor.inputs import TextArea
from oscb_desktop.ui.editor.items import RatingInput
from oscb_desktop.ui.main_window import MainWindow

PERIOD = "2026/27"
EVIDENCE = "The colour-coded plan is reviewd anualy."

_here = spelling.Speller()
#: Spell check needs the Enchant library and an en_GB dictionary, which pip/uv cannot install on Linux: without
#: them these tests are skipped (the README promises ``uv run pytest`` passes with only Python and uv) and
#: ``test_without_a_dictionary_the_editor_works_and_says_so_once`` still runs.
needs_dictionary = pytest.mark.skipif(
    not _here.available,
    reason=f"spell check is off here: {_here.problem} (.ci/run installs libenchant-2-2 and hunspell-en-gb)",
)


@pytest.fixture(autouse=True)
def _fresh_speller() -> Iterator[None]:
    spelling.reset()
    yield
    spelling.reset()


@pytest.fixture
def window(qtbot, workspace: Workspace) -> Iterator[MainWindow]:
    agency = agencies.create_agency(workspace, "Oxford City Council", sector="district_council", lead_name="Ava Khan")
    sub = returns.start_return(workspace, agency.id, "section11", PERIOD, carry_forward=False)
    returns.save_answers(
        workspace,
        sub.id,
        {"s1.1": {"level": "green", "evidence": EVIDENCE, "example": "", "reason": ""}},
    )
    win = MainWindow(workspace)
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    qtbot.waitExposed(win)
    win.agency.open_return(sub.id)
    editor = win.agency.editor
    assert editor is not None
    editor.jump_to("s1.1")
    yield win
    win.agency.close_editor()


def evidence_of(window: MainWindow) -> QPlainTextEdit:
    editor = window.agency.editor
    assert editor is not None
    rating = editor.frames["s1.1"].input
    assert isinstance(rating, RatingInput)
    return rating.evidence.edit


def underlined(edit: QPlainTextEdit) -> list[str]:
    """The words drawn with the spell-check underline."""
    found = []
    block = edit.document().begin()
    while block.isValid():
        for fmt in block.layout().formats():
            if fmt.format.underlineStyle() == QTextCharFormat.UnderlineStyle.SpellCheckUnderline:
                found.append(block.text()[fmt.start : fmt.start + fmt.length])
        block = block.next()
    return found


def right_click(edit: QPlainTextEdit, word: str) -> QMenu:
    at = edit.toPlainText().index(word) + 2
    cursor = edit.textCursor()
    cursor.setPosition(at)
    point = edit.cursorRect(cursor).center()
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, point, edit.viewport().mapToGlobal(point))
    QApplication.sendEvent(edit.viewport(), event)
    menu = edit.property("spellMenu")
    assert isinstance(menu, QMenu)
    return menu


def action(menu: QMenu, text: str):
    found = [a for a in menu.actions() if a.text() == text]
    assert found, [a.text() for a in menu.actions()]
    return found[0]


@needs_dictionary
def test_british_spelling_is_checked_and_a_suggestion_replaces_the_word(qtbot, window: MainWindow) -> None:
    edit = evidence_of(window)
    qtbot.waitUntil(lambda: spelling.highlighter_of(edit) is not None)
    assert underlined(edit) == ["reviewd", "anualy"]  # "colour" is British English: not underlined

    menu = right_click(edit, "anualy")
    texts = [a.text() for a in menu.actions()]
    assert "annually" in texts[:6]
    assert "Add “anualy” to dictionary" in texts and "Ignore" in texts
    assert any(a.text() for a in menu.actions()[texts.index("Ignore") + 1 :])  # Qt's own Undo, Copy… follow
    action(menu, "annually").trigger()
    menu.close()
    assert edit.toPlainText() == "The colour-coded plan is reviewd annually."
    assert underlined(edit) == ["reviewd"]
    editor = window.agency.editor
    assert editor is not None and editor.flush()
    stored = returns.load_answers(window.ws, editor.submission.id)["s1.1"]
    assert stored["evidence"] == "The colour-coded plan is reviewd annually."
    # An edit like typing: Ctrl+Z takes it back.
    edit.undo()
    assert edit.toPlainText() == "The colour-coded plan is reviewd anualy."

    # American spelling typed by keyboard is underlined as the user goes; the menu key offers the British one.
    edit.setFocus()
    edit.moveCursor(edit.textCursor().MoveOperation.End)
    QTest.keyClicks(edit, " Our color scheme")
    qtbot.waitUntil(lambda: "color" in underlined(edit))
    cursor = edit.textCursor()
    cursor.setPosition(edit.toPlainText().index("color") + 1)
    edit.setTextCursor(cursor)
    point = edit.cursorRect().center()
    event = QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, point, edit.mapToGlobal(point))
    QApplication.sendEvent(edit, event)
    menu = edit.property("spellMenu")
    assert isinstance(menu, QMenu) and "colour" in [a.text() for a in menu.actions()]
    menu.close()


@needs_dictionary
def test_add_to_dictionary_is_kept_in_the_workspace_and_ignore_lasts_the_session(
    qtbot, window: MainWindow, workspace: Workspace
) -> None:
    edit = evidence_of(window)
    qtbot.waitUntil(lambda: spelling.highlighter_of(edit) is not None)
    edit.setPlainText("Reviewd by the Wokingshire board anualy.")
    assert underlined(edit) == ["Reviewd", "Wokingshire", "anualy"]

    menu = right_click(edit, "Wokingshire")
    action(menu, "Add “Wokingshire” to dictionary").trigger()
    menu.close()
    assert underlined(edit) == ["Reviewd", "anualy"]
    assert workspace.setting(spelling.PERSONAL_SETTING) == ["Wokingshire"]

    menu = right_click(edit, "anualy")
    action(menu, "Ignore").trigger()
    menu.close()
    assert underlined(edit) == ["Reviewd"]
    assert workspace.setting(spelling.PERSONAL_SETTING) == ["Wokingshire"]

    # Next time the program starts: the added word is still known, the ignored one is not.
    spelling.reset()
    spelling.use_workspace_words(workspace)
    checker = spelling.speller()
    assert checker.known("Wokingshire") and not checker.known("anualy")


def test_without_a_dictionary_the_editor_works_and_says_so_once(qtbot, workspace: Workspace, caplog) -> None:
    spelling.reset(spelling.Speller("xx_XX"))
    agency = agencies.create_agency(workspace, "Oxford City Council", sector="district_council", lead_name="Ava Khan")
    sub = returns.start_return(workspace, agency.id, "section11", PERIOD, carry_forward=False)
    win = MainWindow(workspace)
    qtbot.addWidget(win)
    win.show()
    win.agency.open_return(sub.id)
    editor = win.agency.editor
    assert editor is not None
    assert not editor.spelling_note.isHidden()
    assert "Spell check is off" in editor.spelling_note.text()
    editor.jump_to("s1.1")
    rating = editor.frames["s1.1"].input
    assert isinstance(rating, RatingInput)
    rating.evidence.edit.setFocus()
    QTest.keyClicks(rating.evidence.edit, "Reviewd anualy")
    assert spelling.highlighter_of(rating.evidence.edit) is None and underlined(rating.evidence.edit) == []
    assert editor.flush()
    assert returns.load_answers(workspace, sub.id)["s1.1"]["evidence"] == "Reviewd anualy"
    # A right-click shows the field's usual menu.
    menu = right_click(rating.evidence.edit, "anualy")
    assert "Ignore" not in [a.text() for a in menu.actions()] and menu.actions()
    menu.close()

    win.agency.show_home()
    win.agency.open_return(sub.id)  # the note was said once
    editor = win.agency.editor
    assert editor is not None and editor.spelling_note.isHidden()
    win.agency.close_editor()


@needs_dictionary
def test_typing_in_a_20000_character_answer_stays_fast(qtbot) -> None:
    sentence = "The agency reviews its safeguarding policy every year and audits trainng records anualy. "
    one_paragraph = (sentence * 300)[:19_900]
    timings = {}
    for label, enabled in (("off", False), ("on", True)):
        spelling.reset(None if enabled else spelling.Speller("xx_XX"))
        area = TextArea(max_length=20_000)
        qtbot.addWidget(area)
        area.resize(600, 300)
        area.show()
        area.set_value(one_paragraph)
        qtbot.waitExposed(area)
        edit = area.edit
        if enabled:
            qtbot.waitUntil(lambda e=edit: spelling.highlighter_of(e) is not None)
            assert "anualy" in underlined(edit)
        edit.setFocus()
        cursor = edit.textCursor()
        cursor.setPosition(10_000)
        edit.setTextCursor(cursor)
        times = []
        for ch in "and the minutes show it clearly":
            start = time.perf_counter()
            QTest.keyClick(edit, ch)
            QApplication.processEvents()
            times.append((time.perf_counter() - start) * 1000)
        timings[label] = statistics.median(times)
        area.close()
    print(f"keystroke in a 20,000-character paragraph: {timings['off']:.1f} ms without, {timings['on']:.1f} ms with")
    # A frame at 60 Hz is 16.7 ms; the machine is shared, so the bound leaves room.
    assert timings["on"] < 40, timings

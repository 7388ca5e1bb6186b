"""What the editor shows while a person works (issue 13, items 4, 11, 12): problems wait until the item is left,
the still-to-do list shows every entry whole, each rating shows once, and the words a reader sees are plain."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from oscb_desktop.services import agencies, returns
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.ui.editor.inputs import NumberLine
from oscb_desktop.ui.editor.items import RatingInput, SimpleItemInput
from oscb_desktop.ui.editor.page import EditorPage
from oscb_desktop.ui.main_window import MainWindow

PERIOD = "2026/27"


@pytest.fixture
def window(qtbot, workspace: Workspace) -> Iterator[MainWindow]:
    agencies.create_agency(workspace, "Oxford City Council", sector="district_council", lead_name="Ava Khan")
    win = MainWindow(workspace)
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    yield win
    win.agency.close_editor()


def open_form(window: MainWindow, form_id: str) -> EditorPage:
    form = next(f for f in window.ws.forms.for_period(PERIOD) if f.id == form_id)
    assert window.agency.home.start_return(form, carry_forward=False) is not None
    editor = window.agency.editor
    assert editor is not None
    return editor


def focus(qtbot, window: MainWindow, widget) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    widget.setFocus()
    qtbot.waitUntil(lambda: window.focusWidget() is widget)


def tab(qtbot, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    QTest.keyClick(window.focusWidget(), Qt.Key.Key_Tab)
    QApplication.processEvents()


def settle(qtbot, editor: EditorPage) -> None:
    """Let the pending check run (it waits 150 ms after the last change)."""
    qtbot.waitUntil(lambda: not editor._revalidate_timer.isActive())
    QApplication.processEvents()


def test_needs_evidence_waits_until_the_user_leaves_the_statement(qtbot, window: MainWindow) -> None:
    editor = open_form(window, "section11")
    frame = editor.frames["s1.1"]
    rating = frame.input
    assert isinstance(rating, RatingInput)
    editor.go_to_section(editor.form.sections.index(editor.form.section_of("s1.1")))
    focus(qtbot, window, rating.level.combo)

    QTest.keyClicks(rating.level.combo, "G")  # Green, which needs evidence
    assert rating.level.value() == "green"
    settle(qtbot, editor)
    problems = [p.message for p in editor.problems if p.item_id == "s1.1"]
    assert any("needs evidence" in m for m in problems), problems
    assert not frame.problems.isVisible(), "a warning appeared before the user could type the evidence"
    # The still-to-do list is the place to ask: it has it.
    texts = [editor.missing_panel.list.item(n).text() for n in range(editor.missing_panel.count())]
    assert any(t.startswith("S1.1 ") and "needs evidence" in t for t in texts)

    tab(qtbot, window)  # into the evidence: still the same statement
    qtbot.waitUntil(lambda: window.focusWidget() is rating.evidence.edit)
    settle(qtbot, editor)
    assert not frame.problems.isVisible()

    for _ in range(12):  # on through the statement's other fields and its evidence files, and out of it
        tab(qtbot, window)
        if not frame.isAncestorOf(window.focusWidget()):
            break
        assert not frame.problems.isVisible(), "warned while the user is still in the statement"
    qtbot.waitUntil(lambda: not frame.isAncestorOf(window.focusWidget()))
    settle(qtbot, editor)
    assert frame.problems.isVisible() and "needs evidence" in frame.problems.text()

    # Back in: typing the evidence clears the warning at once, without leaving.
    focus(qtbot, window, rating.evidence.edit)
    QTest.keyClicks(rating.evidence.edit, "Policy approved by the board in May 2026.")
    settle(qtbot, editor)
    assert not frame.problems.isVisible()
    assert editor.flush()
    assert returns.load_answers(window.ws, editor.submission.id)["s1.1"]["evidence"].startswith("Policy approved")


def test_asking_for_the_still_to_do_list_shows_the_problems_at_once(qtbot, window: MainWindow) -> None:
    editor = open_form(window, "section11")
    frame = editor.frames["s1.1"]
    rating = frame.input
    assert isinstance(rating, RatingInput)
    editor.jump_to("s1.1")
    focus(qtbot, window, rating.level.combo)
    QTest.keyClicks(rating.level.combo, "G")
    settle(qtbot, editor)
    assert not frame.problems.isVisible()
    editor.focus_missing()  # Ctrl+M
    assert frame.problems.isVisible() and "needs evidence" in frame.problems.text()


def test_the_still_to_do_list_shows_every_entry_whole(qtbot, window: MainWindow) -> None:
    editor = open_form(window, "section11")
    panel = editor.missing_panel
    long_items = [i for i in editor.form.items() if len(i.label) > 90]
    assert long_items, "the shipped form has statements longer than 90 characters"
    for width in (1400, 1000):
        window.resize(width, 900)
        QApplication.processEvents()
        assert panel.count() > 10
        for row in range(panel.count()):
            entry = panel.list.item(row)
            text = entry.text()
            assert "…" not in text
            item = editor.form.item(entry.data(Qt.ItemDataRole.UserRole))
            assert item.label in text and "\n→ " in text
            # The row is as tall as its wrapped text needs, so the "→ Not answered yet" line is on screen.
            assert panel.list.visualItemRect(entry).height() >= panel.list.needed_height(row)
            lines = panel.list.needed_height(row) // panel.list.fontMetrics().lineSpacing()
            assert lines >= 2
    # And the sections list wraps its titles the same way, with the whole title as a tooltip.
    for row in range(editor.sections.count()):
        entry = editor.sections.item(row)
        assert editor.sections.visualItemRect(entry).height() >= editor.sections.needed_height(row)
        assert editor.form.section_label(editor.form.sections[row]) in entry.toolTip()


def test_nothing_left_to_do_says_so_instead_of_an_empty_box(qtbot, window: MainWindow) -> None:
    editor = open_form(window, "section11")
    panel = editor.missing_panel
    assert panel.list.isVisible() and not panel.done.isVisible()
    editor.problems = []
    editor._fill_missing()
    assert not panel.list.isVisible() and panel.done.isVisible()
    assert "Nothing left to do" in panel.done.text() and "Ctrl+Shift+S" in panel.done.text()


def test_each_rating_shows_once_and_scopes_and_numbers_read_as_words(qtbot, window: MainWindow) -> None:
    editor = open_form(window, "section11")
    frame = editor.frames["s2.1"]
    rating = frame.input
    assert isinstance(rating, RatingInput)
    rating.level.set_value("amber")
    rating._show_parts()
    shown = [w.text() for w in frame.findChildren(QLabel) if w.isVisible()]
    # The level is in the drop-down alone; no second badge repeats it.
    assert rating.level.combo.currentText() == "Amber (50%)"
    assert not any("Amber (50%)" in t for t in shown), shown
    assert not hasattr(rating, "badge")
    # Scopes in words.
    scopes = {i.scope for i in editor.form.items() if i.scope}
    assert scopes == {"children", "adults", "both"}
    editor.build_all_sections()
    for item_id, frame in editor.frames.items():
        item = editor.form.item(item_id)
        if item.scope:
            text = frame.scope.text()
            assert text in ("Applies to: Children and adults", "Applies to: Children", "Applies to: Adults"), text
            assert "both" not in text

    impact = open_form(window, "impact")
    impact.build_all_sections()
    numbers = [f.input for f in impact.frames.values() if f.item.type == "number"]
    assert numbers
    for item_input in numbers:
        assert isinstance(item_input, SimpleItemInput) and isinstance(item_input.input, NumberLine)
        placeholder = item_input.input.edit.placeholderText()
        assert "e+" not in placeholder
    staff = impact.frames["impact.staff_trained"].input
    assert isinstance(staff, SimpleItemInput) and isinstance(staff.input, NumberLine)
    item = impact.form.item("impact.staff_trained")
    if item.maximum == 1_000_000:
        assert staff.input.edit.placeholderText().startswith("0 to 1,000,000")


def test_a_section_is_built_when_first_shown_and_kept(qtbot, window: MainWindow) -> None:
    """A return opens with its first section's widgets; the others are built when shown (or one of their items is
    asked for), once, showing the problems the last check found."""
    editor = open_form(window, "section11")
    first, second = editor.form.sections[0], editor.form.sections[1]
    assert {i.id for i in first.items} <= set(editor.frames)
    assert not any(i.id in editor.frames for i in second.items), "not built before it is shown"
    opened = len(editor.findChildren(QWidget))
    editor.next_section()
    frame = editor.frames[second.items[0].id]
    assert frame.isVisible() and len(editor.findChildren(QWidget)) > opened
    editor.previous_section()
    editor.next_section()
    assert editor.frames[second.items[0].id] is frame, "kept, not built again"
    # A problem found while its section was not built shows once it is.
    later = next(i for s in editor.form.sections[2:] for i in s.items if i.type == "rating")
    assert later.id not in editor.frames
    editor.answers[later.id] = {"level": "green", "evidence": "", "example": "", "reason": ""}
    editor.revalidate()
    editor.jump_to(later.id)  # asking for an item builds its section
    frame = editor.frames[later.id]
    qtbot.waitUntil(lambda: "needs evidence" in frame.problems.text())
    assert frame.isVisible()


class _WindowsShown(QObject):
    """Records every widget shown as a window of its own."""

    def __init__(self) -> None:
        super().__init__()
        self.shown: list[str] = []

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and isinstance(obj, QWidget) and obj.isWindow():
            self.shown.append(f"{type(obj).__name__} {obj.objectName()!r}")
        return False


def test_no_part_of_the_editor_flashes_as_a_window_of_its_own(qtbot, window: MainWindow) -> None:
    """A widget made without a parent and shown before it is put in a layout is a window for a moment (it took
    the focus from the editor when a section was built on screen)."""
    watch = _WindowsShown()
    QApplication.instance().installEventFilter(watch)
    try:
        for form_id in ("section11", "impact"):
            editor = open_form(window, form_id)
            editor.build_all_sections()
            qtbot.wait(10)
    finally:
        QApplication.instance().removeEventFilter(watch)
    assert watch.shown == []

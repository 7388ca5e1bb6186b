"""Complete whole returns through the real widgets, by keyboard only, and check what was stored."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QWidget,
)

from oscb_desktop.services import agencies, returns
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.ui.editor.items import RankedInput, RatingInput, SimpleItemInput, TableInput
from oscb_desktop.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, workspace: Workspace) -> Iterator[MainWindow]:
    agencies.create_agency(workspace, "Oxford City Council", sector="district_council", lead_name="Ava Khan")
    win = MainWindow(workspace)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    _WINDOW[:] = [win]
    yield win
    win.agency.close_editor()
    _WINDOW.clear()


_WINDOW: list[MainWindow] = []


def focused() -> QWidget:
    """The widget that has the keyboard focus in the window.

    Asked of the window, not the application: on the offscreen platform the window can lose its
    "active" state while events are processed, which would hide the focus widget from the app.
    """
    widget = _WINDOW[0].focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def key(k: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(focused(), k, modifier)
    QApplication.processEvents()  # as the event loop does between a person's keystrokes


def type_text(text: str) -> None:
    QTest.keyClicks(focused(), text)
    QApplication.processEvents()


def tab() -> None:
    key(Qt.Key.Key_Tab)


def start(window: MainWindow, form_id: str) -> str:
    form = next(f for f in window.ws.forms.for_period("2026/27") if f.id == form_id)
    sub_id = window.agency.home.start_return(form, carry_forward=False)
    assert sub_id is not None
    assert window.agency.editor is not None
    return sub_id


def next_section(qtbot, window: MainWindow, index: int) -> None:
    # Shortcuts fire only in the active window (see focused() about the offscreen platform).
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    key(Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.agency.editor.current_section == index)


def assert_focus_in(widget: QWidget) -> None:
    w = focused()
    assert w is widget or widget.isAncestorOf(w), f"focus is on {w!r}, expected inside {widget!r}"


def test_complete_section11_by_keyboard(qtbot, window: MainWindow, workspace: Workspace) -> None:
    sub_id = start(window, "section11")
    editor = window.agency.editor
    form = editor.form
    amber_section = "s6"
    for index, section in enumerate(form.sections):
        if index:
            next_section(qtbot, window, index)
        for item in section.items:
            frame = editor.frames[item.id]
            if item.type == "table":
                assert_focus_in(frame.input.add_button)
                if section.id == amber_section:
                    key(Qt.Key.Key_Space)  # Add action: the cursor moves into the new row
                    row = frame.input.rows[0]
                    assert_focus_in(row.inputs["action"])
                    type_text("Refresh safer recruitment training for all hiring managers")
                    tab()
                    type_text("Head of HR")
                    tab()
                    type_text("31/01/2027")
                    tab()
                    type_text("In")  # status: In progress
                    tab()
                    assert_focus_in(row.remove)
                tab()
                continue
            assert_focus_in(frame.input)
            if isinstance(frame.input, RatingInput):
                amber = section.id == amber_section and item.id.endswith(".1")
                type_text("A" if amber else "G")
                tab()
                assert_focus_in(frame.input.evidence)
                type_text(f"Evidence for {item.id}: policy, audit and minutes from 2026.")
                tab()
                if item.files is not None:  # the statement's evidence files: Add files… (Open and Remove wait)
                    assert_focus_in(frame.input.files.add_button)
                    tab()
            else:
                assert isinstance(frame.input, SimpleItemInput)
                type_text(f"Answer for {item.id}")
                tab()
    assert editor.flush()
    stored = returns.load_answers(workspace, sub_id)
    assert stored["s1.1"] == {
        "level": "green",
        "evidence": "Evidence for s1.1: policy, audit and minutes from 2026.",
        "example": "",
        "reason": "",
    }
    assert stored[f"{amber_section}.1"]["level"] == "amber"
    assert stored[f"{amber_section}.actions"] == [
        {
            "action": "Refresh safer recruitment training for all hiring managers",
            "lead": "Head of HR",
            "due": "2027-01-31",
            "status": "in_progress",
        }
    ]
    assert stored["about.completed_by"] == "Answer for about.completed_by"
    assert returns.problems(workspace, sub_id) == []
    assert returns.get_submission(workspace, sub_id).percent_complete == 100
    qtbot.waitUntil(lambda: "Nothing left to do" in editor.missing_panel.done.text())


def test_complete_impact_assessment_by_keyboard(qtbot, window: MainWindow, workspace: Workspace) -> None:
    sub_id = start(window, "impact")
    editor = window.agency.editor
    form = editor.form
    for index, section in enumerate(form.sections):
        if index:
            next_section(qtbot, window, index)
        for item in section.items:
            frame = editor.frames[item.id]
            if isinstance(frame.input, RankedInput):
                for n, (combo, text) in enumerate(frame.input.rows):
                    assert_focus_in(combo)
                    option = item.options[n]
                    for _ in range(n + 1):  # arrow down past "Choose…" to the n-th category
                        key(Qt.Key.Key_Down)
                    assert combo.value() == option.id
                    tab()
                    assert_focus_in(text)
                    type_text(f"Because of {option.label.lower()} in our area.")
                    tab()
            elif item.type == "table":
                assert_focus_in(frame.input.add_button)
                if item.id == "impact.service_changes":
                    key(Qt.Key.Key_Space)
                    row = frame.input.rows[0]
                    for col in item.columns:
                        assert_focus_in(row.inputs[col.id])
                        if col.type == "date":
                            type_text("01/09/2026")
                        elif col.type == "choice":
                            type_text(col.options[-1].label[:3])
                        else:
                            type_text(f"{col.label} of the change")
                        tab()
                    assert_focus_in(row.remove)
                tab()
            elif item.type == "yes_no":
                assert_focus_in(frame.input)
                key(Qt.Key.Key_Space)  # Yes has the focus first
                if item.id in ("impact.restructure", "impact.escalate"):
                    key(Qt.Key.Key_Right)  # arrow to No
                tab()
            elif item.type == "multi_choice":
                assert_focus_in(frame.input)
                key(Qt.Key.Key_Space)
                for _ in item.options[1:]:
                    tab()
            elif item.type == "attachments":
                assert_focus_in(frame.input)
                tab()
            elif item.type == "number":
                type_text("245")
                tab()
            elif item.type == "date":
                type_text("14/11/2026")
                tab()
            else:
                assert_focus_in(frame.input)
                type_text(f"Answer for {item.id}")
                tab()
    assert editor.flush()
    stored = returns.load_answers(workspace, sub_id)
    problems = returns.problems(workspace, sub_id)
    assert problems == [], problems
    qtbot.waitUntil(lambda: "Nothing left to do" in editor.missing_panel.done.text())
    pressures = form.item("impact.pressures")
    assert [r["category"] for r in stored["impact.pressures"]] == [o.id for o in pressures.options[:3]]
    assert stored["impact.restructure"] is False
    assert stored["impact.escalate"] is False
    assert stored["impact.contact_date"] == "2026-11-14"
    assert stored["impact.staff_trained"] == 245
    assert stored["impact.service_changes"][0]["date"] == "2026-09-01"


def test_every_input_has_an_accessible_name(window: MainWindow) -> None:
    for form_id in ("section11", "impact"):
        start(window, form_id)
        editor = window.agency.editor
        # Add a row to each table so the row editors are checked too.
        editor.build_all_sections()
        for frame in editor.frames.values():
            if isinstance(frame.input, TableInput):
                frame.input.add_button.click()
        inputs = editor.findChildren(QWidget)
        nameless = [
            f"{type(w).__name__} under {type(w.parent()).__name__}"
            for w in inputs
            if isinstance(w, QLineEdit | QPlainTextEdit | QComboBox | QListWidget)
            and not (isinstance(w.parent(), QComboBox))  # a combo's own line edit
            and not w.accessibleName()
        ]
        nameless += [
            f"{type(w).__name__} {w.objectName()}"
            for w in inputs
            if isinstance(w, QAbstractButton) and not (w.text() or w.accessibleName())
        ]
        assert nameless == []
        assert len([w for w in inputs if isinstance(w, QComboBox)]) >= 8
        window.agency.show_home()

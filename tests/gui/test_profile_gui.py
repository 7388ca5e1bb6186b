"""The agency profile on the welcome page: a partnership member is recognised, any other name is asked about,
a sector must be chosen, and Enter submits."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from oscb_desktop.services import agencies
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.ui.main_window import MainWindow


@pytest.fixture
def welcome(qtbot, workspace: Workspace):
    window = MainWindow(workspace)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    page = window.agency.welcome
    assert window.agency.currentWidget() is page
    return page


def question() -> QMessageBox | None:
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    return boxes[-1] if boxes else None


def type_name(qtbot, page, text: str) -> None:
    line = page.form.name.lineEdit()
    line.setFocus()
    QTest.keyClicks(line, text)
    page.form.name.completer().popup().hide()


def test_a_name_that_is_not_a_member_is_asked_about_and_needs_a_sector(qtbot, welcome, workspace: Workspace) -> None:
    type_name(qtbot, welcome, "Oxford Heal")
    QTest.keyClick(welcome.form.name.lineEdit(), Qt.Key.Key_Return)  # Enter submits the form
    qtbot.waitUntil(lambda: "Choose your agency's sector" in welcome.error.text())
    assert agencies.list_agencies(workspace) == []

    welcome.form.sector.setCurrentIndex(welcome.form.sector.findData("health"))
    QTest.keyClick(welcome.form.lead_name, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: question() is not None)
    box = question()
    assert "“Oxford Heal” is not one of" in box.text() and "Did you mean Oxford Health" in box.informativeText()
    assert box.defaultButton().text() == "Cancel"
    box.defaultButton().click()
    assert agencies.list_agencies(workspace) == []

    QTest.keyClick(welcome.form.lead_name, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: question() is not None)
    next(b for b in question().buttons() if b.text() == "Create it anyway").click()
    (created,) = agencies.list_agencies(workspace)
    assert (created.name, created.sector) == ("Oxford Heal", "health")


def test_a_member_typed_in_full_brings_its_own_name_and_sector(qtbot, welcome, workspace: Workspace) -> None:
    type_name(qtbot, welcome, "thames valley   police")
    QTest.keyClick(welcome.form.name.lineEdit(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(agencies.list_agencies(workspace)))
    qtbot.wait(50)  # a second Enter from the combo box would have created a second profile by now
    (created,) = agencies.list_agencies(workspace)
    assert (created.name, created.sector) == ("Thames Valley Police", "police")
    assert question() is None  # a member is never asked about

"""The main window. Its centre is a stack of workspaces: the agency workspace now (welcome, home,
editor), the Business Unit workspace later, each a page of :attr:`MainWindow.modes`."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from oscb_desktop import __version__
from oscb_desktop.services import agencies
from oscb_desktop.services.workspace import Workspace, partnership
from oscb_desktop.ui.editor.page import EditorPage
from oscb_desktop.ui.home import HomePage
from oscb_desktop.ui.profile import WelcomePage


class AgencyWorkspace(QStackedWidget):
    """Welcome (first run) → home → editor."""

    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.welcome = WelcomePage(ws)
        self.home = HomePage(ws)
        self.editor: EditorPage | None = None
        self.addWidget(self.welcome)
        self.addWidget(self.home)
        self.welcome.sig_profile_created.connect(self._profile_created)
        self.home.sig_open_return.connect(self.open_return)
        self.setCurrentWidget(self.home if agencies.current_agency(ws) else self.welcome)

    @Slot(int)
    def _profile_created(self, _agency_id: int) -> None:
        self.home.refresh()
        self.setCurrentWidget(self.home)
        self.home.setFocus()

    @Slot(str)
    def open_return(self, submission_id: str) -> None:
        self.close_editor()
        self.editor = EditorPage(self.ws, submission_id)
        self.editor.sig_closed.connect(self.show_home)
        window = self.window()
        if isinstance(window, MainWindow):
            self.editor.sig_save_state.connect(window.show_save_state)
        self.addWidget(self.editor)
        self.setCurrentWidget(self.editor)
        self.editor.go_to_section(0)
        self.editor.focus_first_item()

    def close_editor(self) -> bool:
        """Flush and drop the editor. False if its last changes could not be written."""
        if self.editor is None:
            return True
        ok = self.editor.flush()
        self.removeWidget(self.editor)
        self.editor.deleteLater()
        self.editor = None
        return ok

    @Slot()
    def show_home(self) -> None:
        self.close_editor()
        self.home.refresh()
        self.setCurrentWidget(self.home)
        self.home.setFocus()


class MainWindow(QMainWindow):
    def __init__(self, ws: Workspace, form_errors: list[Exception] | None = None) -> None:
        super().__init__()
        self.ws = ws
        self.setWindowTitle(f"OSCB Desktop — {partnership().name}")
        self.resize(1400, 900)
        self.agency = AgencyWorkspace(ws)
        self.agency.home.show_form_errors(list(form_errors or []))
        self.modes = QStackedWidget()
        self.modes.addWidget(self.agency)
        self.setCentralWidget(self.modes)
        self.save_state = QLabel("")
        self.save_state.setObjectName("saveState")
        self.save_state.setAccessibleName("Save status")
        self.statusBar().addPermanentWidget(self.save_state)
        self.statusBar().showMessage(f"Workspace: {ws.folder}")
        self._build_menus()

    def _action(self, text: str, slot: object, shortcut: QKeySequence | str | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        file.addAction(self._action("&New agency or service profile…", self.agency.home._new_profile))
        file.addAction(self._action("&Edit profile…", self.agency.home._edit_profile))
        file.addSeparator()
        file.addAction(self._action("&Quit", self.close, QKeySequence.StandardKey.Quit))

        ret = bar.addMenu("&Return")
        self.act_home = self._action("&Home", self.agency.show_home, "Alt+Home")
        self.act_next = self._action("&Next section", self._next_section, "Ctrl+PgDown")
        self.act_prev = self._action("&Previous section", self._previous_section, "Ctrl+PgUp")
        self.act_missing = self._action("What is still &missing", self._focus_missing, "Ctrl+M")
        self.act_keep = self._action("&Keep carried answers in this section", self._keep_section, "Ctrl+K")
        self.act_save = self._action("&Save now", self._save_now, QKeySequence.StandardKey.Save)
        for a in (self.act_home, self.act_next, self.act_prev, self.act_missing, self.act_keep, self.act_save):
            ret.addAction(a)
        ret.aboutToShow.connect(self._update_actions)
        self._update_actions()
        self.agency.currentChanged.connect(lambda _i: self._update_actions())

        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self._action("&Keyboard shortcuts", self._show_shortcuts, "F1"))
        help_menu.addAction(self._action("&About OSCB Desktop", self._about))

    @Slot()
    def _update_actions(self) -> None:
        editing = self.agency.editor is not None and self.agency.currentWidget() is self.agency.editor
        for a in (self.act_next, self.act_prev, self.act_missing, self.act_keep, self.act_save):
            a.setEnabled(editing)
        self.act_home.setEnabled(editing)

    @Slot()
    def _next_section(self) -> None:
        if self.agency.editor:
            self.agency.editor.next_section()

    @Slot()
    def _previous_section(self) -> None:
        if self.agency.editor:
            self.agency.editor.previous_section()

    @Slot()
    def _focus_missing(self) -> None:
        if self.agency.editor:
            self.agency.editor.focus_missing()

    @Slot()
    def _keep_section(self) -> None:
        if self.agency.editor:
            self.agency.editor.confirm_all_carried_in_section()

    @Slot()
    def _save_now(self) -> None:
        if self.agency.editor:
            self.agency.editor.flush()

    @Slot(str, str)
    def show_save_state(self, state: str, message: str) -> None:
        self.save_state.setText(message)
        self.save_state.setProperty("state", state)
        self.save_state.style().unpolish(self.save_state)
        self.save_state.style().polish(self.save_state)

    @Slot()
    def _show_shortcuts(self) -> None:
        QMessageBox.information(
            self,
            "Keyboard shortcuts",
            "Tab / Shift+Tab — next / previous field\n"
            "Ctrl+Page Down / Ctrl+Page Up — next / previous section\n"
            "Ctrl+M — what is still missing (Enter jumps to the item)\n"
            "Ctrl+K — keep the carried-forward answers of this section\n"
            "Ctrl+S — save now (everything is also saved automatically)\n"
            "Alt+Home — back to the list of returns\n"
            "Alt + underlined letter — the field with that label",
        )

    @Slot()
    def _about(self) -> None:
        QMessageBox.about(
            self,
            "About OSCB Desktop",
            f"<b>OSCB Desktop {__version__}</b><p>Section 11 self-assessments and annual impact assessments "
            f"for {partnership().name}.</p><p>Workspace: {self.ws.folder}</p>",
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        editor = self.agency.editor
        if editor is not None and not editor.flush():
            answer = QMessageBox.warning(
                self,
                "Changes not saved",
                "Your last changes could not be saved (see the message at the bottom of the window). "
                "Quit anyway and lose them?",
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Discard:
                event.ignore()
                return
        self.agency.close_editor()
        event.accept()

"""The main window: a stack of modes (the agency's side, the Business Unit's side), the status bar, Help, and
quitting safely.

Each mode builds its own page and menus and reaches the window only through the
:class:`~oscb_desktop.ui.host.ModeHost` methods below.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QMenu, QMessageBox, QStackedWidget, QWidget

from oscb_desktop.ui import ops
from oscb_desktop.ui.common import make_action

if TYPE_CHECKING:  # loaded by attach(): the window is on screen before the workspace and its modes
    from oscb_desktop.services.workspace import Workspace
    from oscb_desktop.ui.agency import AgencyMode, AgencyWorkspace
    from oscb_desktop.ui.business_unit import BusinessUnitMode

SHORTCUTS = (
    "Tab / Shift+Tab — next / previous field\n"
    "Ctrl+Page Down / Ctrl+Page Up — next / previous section\n"
    "Ctrl+M — what is still missing (Enter jumps to the item)\n"
    "Ctrl+K — keep the carried-forward answers of this section\n"
    "Ctrl+F — find in the whole return;  Enter / F3 — next match;  Shift+Enter / Shift+F3 — previous;  Esc — close\n"
    "Ctrl+H — the answer history of the item you are in (restore an earlier version)\n"
    "Ctrl+S — save now (everything is also saved automatically)\n"
    "Ctrl+Shift+S — sign the return off\n"
    "Ctrl+E — export a signed return as a bundle (.oscb)\n"
    "Ctrl+P — print the return;  Ctrl+Shift+P — print preview\n"
    "Alt+Home — back to the list of returns\n"
    "Alt + underlined letter — the field with that label\n"
    "\n"
    "Business Unit: Ctrl+I — import bundles;  Ctrl+Shift+I — import a folder;  F5 — refresh"
)


class MainWindow(QMainWindow):
    """The window; a :class:`~oscb_desktop.ui.host.ModeHost` for its modes.

    Made in two steps so it is on screen at once: the frame (title, Help, "Opening the workspace…"), then
    :meth:`attach` with the open workspace builds the modes. ``MainWindow(ws)`` does both.
    """

    agency_mode: AgencyMode
    business_unit: BusinessUnitMode

    def __init__(self, ws: Workspace | None = None, form_errors: Sequence[Exception] | None = None) -> None:
        super().__init__()
        self._ws: Workspace | None = None
        self.resize(1400, 900)
        self.setWindowTitle("OSCB Desktop")
        self.modes = QStackedWidget()
        self.setCentralWidget(self.modes)
        self.opening = QLabel("Opening the workspace…")
        self.opening.setObjectName("openingWorkspace")
        self.opening.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.modes.addWidget(self.opening)
        help_menu = QMenu("&Help", self)
        help_menu.addAction(make_action(self, "&Keyboard shortcuts", self._show_shortcuts, "F1"))
        help_menu.addAction(make_action(self, "&About OSCB Desktop", self._about))
        self._help: QAction = self.menuBar().addMenu(help_menu)
        if ws is not None:
            self.attach(ws, form_errors)

    @property
    def attached(self) -> bool:
        return self._ws is not None

    def attach(self, ws: Workspace, form_errors: Sequence[Exception] | None = None) -> None:
        """Build the modes on the open workspace (once)."""
        from oscb_desktop.ui.agency import AgencyMode
        from oscb_desktop.ui.business_unit import BusinessUnitMode

        assert self._ws is None, "a window shows one workspace"
        self._ws = ws
        self.statusBar().showMessage(f"Workspace: {ws.where}")
        if ws.read_only:  # open elsewhere: nothing typed here can be saved, so say so where it stays in view
            self.statusBar().addPermanentWidget(QLabel("Read-only: this workspace is open somewhere else"))
        self.agency_mode = AgencyMode(self)
        self.agency_mode.workspace.home.show_form_errors(list(form_errors or []))
        self.statusBar().addPermanentWidget(self.agency_mode.save_state)
        self.set_title(ws.profile.name)
        # The Business Unit's side: shown in a Business Unit workspace, or once the welcome page's
        # "I work in the Business Unit" is chosen.
        self.business_unit = BusinessUnitMode(self)
        self.business_unit.sig_activated.connect(lambda: self.agency_mode.set_active(False))
        self.agency.welcome.sig_business_unit_chosen.connect(self.business_unit.activate)
        self.business_unit.activate_if_business_unit()
        self.modes.removeWidget(self.opening)
        self.opening.deleteLater()

    @property
    def agency(self) -> AgencyWorkspace:
        """The agency's page (welcome, home, editor)."""
        return self.agency_mode.workspace

    # ModeHost ----------------------------------------------------------------------------------------

    @property
    def ws(self) -> Workspace:
        assert self._ws is not None, "the workspace is not open yet"
        return self._ws

    def host_widget(self) -> QWidget:
        return self

    def add_menu(self, menu: QMenu) -> None:
        self.menuBar().insertMenu(self._help, menu)

    def add_page(self, page: QWidget) -> None:
        self.modes.addWidget(page)

    def show_page(self, page: QWidget) -> None:
        self.modes.setCurrentWidget(page)

    def show_status(self, text: str, timeout_ms: int = 10_000) -> None:
        self.statusBar().showMessage(text, timeout_ms)

    def set_title(self, text: str) -> None:
        ws = self.ws
        on = f" — {ws.where}" if ws.engine != "sqlite" else ""  # which shared database
        self.setWindowTitle(f"OSCB Desktop — {text}{on}{' (read-only)' if ws.read_only else ''}")

    def quit(self) -> None:
        self.close()

    # Help ---------------------------------------------------------------------------------------------

    @Slot()
    def _show_shortcuts(self) -> None:
        QMessageBox.information(self, "Keyboard shortcuts", SHORTCUTS)

    @Slot()
    def _about(self) -> None:
        from oscb_desktop.ui import about  # reads every distribution's metadata: not before it is asked for

        ws = self._ws
        about.show_about(self, ws.profile.name if ws else "", ws.folder if ws else None)

    # Quitting -----------------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        if ops.running():
            names = ", ".join(sorted({job.title for job in ops.running()}))
            answer = QMessageBox.question(
                self,
                "Work still running",
                f"OSCB Desktop is still working ({names}). Wait for it to finish and then quit?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Yes,
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
            ops.wait_for_all()
        # Changes not saved yet: kept for next time, or stay.
        if self._ws is not None and not self.agency.confirm_quit(self):
            event.ignore()
            return
        event.accept()

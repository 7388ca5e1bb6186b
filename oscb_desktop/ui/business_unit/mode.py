"""The Business Unit mode of the main window: its page in ``window.modes``, its menus, and the switch to it.

A workspace is either an agency's or the Business Unit's (``registry.is_business_unit``). In Business Unit
mode the agency's menus are hidden and disabled, so none of their shortcuts can fire on a page that is not
there, and the Business Unit's own File and Business Unit menus take their place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from oscb_desktop.services import registry
from oscb_desktop.services.workspace import partnership
from oscb_desktop.ui.business_unit.agencies import AgenciesPage
from oscb_desktop.ui.business_unit.report import ReportPage
from oscb_desktop.ui.business_unit.workspace import BusinessUnitWorkspace

if TYPE_CHECKING:
    from oscb_desktop.ui.main_window import MainWindow


class BusinessUnitMode(QObject):
    """Built by :class:`~oscb_desktop.ui.main_window.MainWindow` once its own menus exist.

    The menus the window has at that point are the agency's, the last being Help; the Business Unit's
    menus go before Help.
    """

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        actions = window.menuBar().actions()
        self.agency_menus: list[QAction] = actions[:-1]
        self.help_menu: QAction | None = actions[-1] if actions else None
        self.workspace: BusinessUnitWorkspace | None = None
        self.menus: list[QMenu] = []
        window.agency.welcome.sig_business_unit_chosen.connect(self.activate)
        if registry.is_business_unit(window.ws):
            self.activate()

    @property
    def active(self) -> bool:
        return self.workspace is not None and self.window.modes.currentWidget() is self.workspace

    @Slot()
    def activate(self) -> None:
        """Show the Business Unit's workspace and menus instead of the agency's."""
        window = self.window
        if self.workspace is None:
            self.workspace = BusinessUnitWorkspace(window.ws)
            self.workspace.sig_message.connect(lambda text: window.statusBar().showMessage(text, 15000))
            window.modes.addWidget(self.workspace)
            self._build_menus(self.workspace)
        for action in self.agency_menus:
            action.setVisible(False)
            _set_enabled(action, False)
        for menu in self.menus:
            menu.menuAction().setVisible(True)
        window.modes.setCurrentWidget(self.workspace)
        window.setWindowTitle(f"OSCB Desktop — Business Unit — {partnership().name}")
        self.workspace.setFocus()

    def _build_menus(self, bu: BusinessUnitWorkspace) -> None:
        window = self.window

        def action(
            text: str, slot: object, shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None
        ) -> QAction:
            act = QAction(text, window)
            if shortcut is not None:
                act.setShortcut(QKeySequence(shortcut))
            act.triggered.connect(slot)
            return act

        file = QMenu("&File", window)
        self.act_import = action("&Import bundles…", bu.import_files_dialog, "Ctrl+I")
        self.act_import_folder = action("Import &folder…", bu.import_folder_dialog, "Ctrl+Shift+I")
        file.addAction(self.act_import)
        file.addAction(self.act_import_folder)
        file.addSeparator()
        file.addAction(action("&Quit", window.close, QKeySequence.StandardKey.Quit))

        menu = QMenu("&Business Unit", window)
        self.act_register_pem = action("&Register certificate from .pem…", lambda: self._agencies().register_pem())
        self.act_add_agency = action("&Add agency…", lambda: self._agencies().add_agency())
        self.act_board_pdf = action("Board report (&PDF)…", lambda: self._report().export_pdf())
        self.act_board_xlsx = action("&Spreadsheet (XLSX)…", lambda: self._report().export_xlsx())
        self.act_refresh = action("Re&fresh", bu.refresh, QKeySequence.StandardKey.Refresh)
        for a in (self.act_register_pem, self.act_add_agency, None, self.act_board_pdf, self.act_board_xlsx, None):
            if a is None:
                menu.addSeparator()
            else:
                menu.addAction(a)
        menu.addAction(self.act_refresh)

        bar = window.menuBar()
        for m in (file, menu):
            if self.help_menu is not None:
                bar.insertMenu(self.help_menu, m)
            else:
                bar.addMenu(m)
        self.menus = [file, menu]

    def _agencies(self) -> AgenciesPage:
        assert self.workspace is not None
        self.workspace.tabs.setCurrentWidget(self.workspace.agencies)
        return self.workspace.agencies

    def _report(self) -> ReportPage:
        assert self.workspace is not None
        self.workspace.tabs.setCurrentWidget(self.workspace.report)
        return self.workspace.report


def _set_enabled(menu_action: QAction, enabled: bool) -> None:
    """Every action of a menu and its submenus."""
    menu = menu_action.menu()
    if not isinstance(menu, QMenu):
        return
    for a in menu.actions():
        a.setEnabled(enabled)
        if a.menu() is not None:
            _set_enabled(a, enabled)

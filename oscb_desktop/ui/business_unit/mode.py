"""The Business Unit mode of the window: its page, its File and Business Unit menus, and the switch to it.

A workspace is either an agency's or the Business Unit's (``registry.is_business_unit``). When the Business
Unit mode is activated, the window hides the agency's menus (and disables them, so none of their shortcuts
can fire on a page that is not there) and this mode's menus take their place.

It talks to the window only through a :class:`~oscb_desktop.ui.host.ModeHost`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QMenu

from oscb_desktop.services import partnerships, registry
from oscb_desktop.ui import restore
from oscb_desktop.ui.common import make_action, set_menu_enabled
from oscb_desktop.ui.host import ModeHost

# The page and its dialogs load when the mode is first activated: they bring the bundle verifier and pyHanko,
# which an agency's window never needs (the launcher loads them beside a Business Unit's workspace).
if TYPE_CHECKING:
    from oscb_desktop.ui.business_unit.agencies import AgenciesPage
    from oscb_desktop.ui.business_unit.report import ReportPage
    from oscb_desktop.ui.business_unit.workspace import BusinessUnitWorkspace

#: What activating the mode loads (the launcher loads it on its worker for a Business Unit's workspace).
PAGE_MODULES = (
    "oscb_desktop.ui.business_unit.workspace",
    "oscb_desktop.ui.business_unit.partnership_settings",
    "oscb_desktop.ui.business_unit.partnership_setup",
)


class BusinessUnitMode(QObject):
    """The Business Unit's side of the window; its page and menus are built when it is first activated."""

    sig_activated = Signal()
    """The Business Unit's page and menus are now the window's (the other modes hide theirs)."""

    def __init__(self, host: ModeHost) -> None:
        super().__init__(host.host_widget())
        self.host = host
        self.workspace: BusinessUnitWorkspace | None = None
        self.menus: list[QMenu] = []
        self._active = False

    @property
    def active(self) -> bool:
        return self._active

    def activate_if_business_unit(self) -> None:
        if registry.is_business_unit(self.host.ws):
            self.activate()

    @Slot()
    def activate(self) -> None:
        """Show the Business Unit's workspace and menus instead of the agency's."""
        if self.workspace is None:
            from oscb_desktop.ui.business_unit.workspace import BusinessUnitWorkspace

            self.workspace = BusinessUnitWorkspace(self.host.ws)
            self.workspace.sig_message.connect(lambda text: self.host.show_status(text, 15000))
            self.host.add_page(self.workspace)
            self.menus = self._build_menus(self.workspace)
            for menu in self.menus:
                self.host.add_menu(menu)
        for menu in self.menus:
            menu.menuAction().setVisible(True)
            set_menu_enabled(menu, True)
        self.host.show_page(self.workspace)
        self.host.set_title(f"Business Unit — {self.host.ws.profile.name}")
        self._active = True
        self.sig_activated.emit()
        self.workspace.setFocus()

    def _build_menus(self, bu: BusinessUnitWorkspace) -> list[QMenu]:
        parent = self.host.host_widget()
        action = lambda text, slot, shortcut=None: make_action(parent, text, slot, shortcut)  # noqa: E731

        file = QMenu("&File", parent)
        self.act_import = action("&Import bundles…", bu.import_files_dialog, "Ctrl+I")
        self.act_import_folder = action("Import &folder…", bu.import_folder_dialog, "Ctrl+Shift+I")
        file.addAction(self.act_import)
        file.addAction(self.act_import_folder)
        file.addAction(action("Restore from &backup…", lambda: restore.choose_and_restore(parent, self.host.ws)))
        file.addSeparator()
        file.addAction(action("&Quit", self.host.quit, QKeySequence.StandardKey.Quit))

        menu = QMenu("&Business Unit", parent)
        self.act_partnership = action("&Partnership settings…", self.partnership_settings)
        menu.addAction(self.act_partnership)
        menu.addSeparator()
        self.act_register_pem = action("&Register certificate from .pem…", lambda: self._agencies().register_pem())
        self.act_add_agency = action("&Add agency…", lambda: self._agencies().add_agency())
        self.act_board_pdf = action("Board report (&PDF)…", lambda: self._report().export_pdf())
        self.act_board_docx = action("Board report (&Word)…", lambda: self._report().export_docx())
        self.act_board_xlsx = action("&Spreadsheet (XLSX)…", lambda: self._report().export_xlsx())
        self.act_refresh = action("Re&fresh", bu.refresh, QKeySequence.StandardKey.Refresh)
        reports = (self.act_board_pdf, self.act_board_docx, self.act_board_xlsx)
        for a in (self.act_register_pem, self.act_add_agency, None, *reports, None):
            if a is None:
                menu.addSeparator()
            else:
                menu.addAction(a)
        menu.addAction(self.act_refresh)
        return [file, menu]

    @Slot()
    def partnership_settings(self) -> QDialog:
        """The partnership's settings; in a workspace without a partnership of its own, setting one up."""
        from oscb_desktop.ui.business_unit.partnership_settings import SettingsDialog
        from oscb_desktop.ui.business_unit.partnership_setup import SetupDialog

        parent = self.host.host_widget()
        dialog: QDialog
        if partnerships.own(self.host.ws) is None:
            dialog = SetupDialog(self.host.ws, parent)
            dialog.accepted.connect(self._set_up)
        else:
            dialog = SettingsDialog(self.host.ws, parent)
        dialog.finished.connect(lambda _r: self._partnership_changed())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _set_up(self) -> None:
        self._partnership_changed()
        self.host.show_status(f"{self.host.ws.profile.name} is set up: add its forms and publish its pack.", 15000)
        self.partnership_settings()

    def _partnership_changed(self) -> None:
        """Its name is in the title and the heading, its sectors in the lists."""
        self.host.set_title(f"Business Unit — {self.host.ws.profile.name}")
        if self.workspace is not None:
            self.workspace.show_title()
            self.workspace.refresh()

    def _agencies(self) -> AgenciesPage:
        assert self.workspace is not None
        self.workspace.tabs.setCurrentWidget(self.workspace.agencies)
        return self.workspace.agencies

    def _report(self) -> ReportPage:
        assert self.workspace is not None
        self.workspace.tabs.setCurrentWidget(self.workspace.report)
        return self.workspace.report

"""The agency's page of the window: welcome (first run) → home (the list of returns) → the editor."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QStackedWidget, QWidget

from oscb_desktop.services import agencies
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.ui.agency.home import HomePage
from oscb_desktop.ui.agency.profile import WelcomePage
from oscb_desktop.ui.editor.page import EditorPage


class AgencyWorkspace(QStackedWidget):
    """Welcome (first run) → home → editor."""

    sig_editor_opened = Signal(object)
    """A return was opened in a new :class:`EditorPage` (the page)."""

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

    @property
    def editing(self) -> bool:
        """True while the editor is the page shown."""
        return self.editor is not None and self.currentWidget() is self.editor

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
        self.addWidget(self.editor)
        self.setCurrentWidget(self.editor)
        self.editor.go_to_section(0)
        self.editor.focus_first_item()
        self.sig_editor_opened.emit(self.editor)

    def reload_editor(self) -> None:
        """Open the editor's return again from the store (after sign-off: read-only, with its banner)."""
        if self.editor is None:
            return
        section = self.editor.current_section
        self.open_return(self.editor.submission.id)
        assert self.editor is not None
        self.editor.go_to_section(section)
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

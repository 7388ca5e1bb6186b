"""The main window. Its centre is a stack of workspaces: the agency workspace now (welcome, home,
editor), the Business Unit workspace later, each a page of :attr:`MainWindow.modes`."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from oscb_desktop import __version__
from oscb_desktop.services import agencies, returns, signoff
from oscb_desktop.services.workspace import Workspace, partnership
from oscb_desktop.signing import UnlockedKey
from oscb_desktop.store import Submission
from oscb_desktop.ui.business_unit import BusinessUnitMode
from oscb_desktop.ui.editor.page import EditorPage
from oscb_desktop.ui.home import HomePage
from oscb_desktop.ui.profile import WelcomePage
from oscb_desktop.ui.signing import (
    IdentityDialog,
    SignOffDialog,
    export_bundle,
    print_preview,
    print_return,
    save_pdf,
)
from oscb_desktop.ui.signing.common import ask, message
from oscb_desktop.ui.signing.export import describe


@dataclass(frozen=True)
class Target:
    """The return the Return menu acts on: the one open in the editor, else the one selected on the home page."""

    id: str
    status: str


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
        # The Business Unit's workspace: another page of self.modes with its own menus, shown in a Business
        # Unit workspace (or once the welcome page's "I work in the Business Unit" is chosen).
        self.business_unit = BusinessUnitMode(self)

    def _action(
        self, text: str, slot: object, shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None
    ) -> QAction:
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
        ret.addSeparator()
        self.act_sign_off = self._action("Sign &off…", self.sign_off, "Ctrl+Shift+S")
        self.act_export = self._action("&Export signed bundle…", self.export, "Ctrl+E")
        self.act_reopen = self._action("&Reopen as a new version…", self.reopen)
        self.act_preview = self._action("Print pre&view…", self.print_preview, "Ctrl+Shift+P")
        self.act_print = self._action("Prin&t…", self.print_return, "Ctrl+P")
        self.act_save_pdf = self._action("Save P&DF…", self.save_pdf)
        self.act_identity = self._action("Signing &identity…", self.edit_identity)
        self.act_open = self._action("&Open return", self.agency.home.open_selected)
        for a in (self.act_sign_off, self.act_export, self.act_reopen):
            ret.addAction(a)
        ret.addSeparator()
        for a in (self.act_preview, self.act_print, self.act_save_pdf):
            ret.addAction(a)
        ret.addSeparator()
        ret.addAction(self.act_identity)

        # The same actions on the selected return of the home page.
        table = self.agency.home.table
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        for entry in (self.act_open, None, self.act_sign_off, self.act_export, self.act_reopen, None):
            table.addAction(entry if entry is not None else self._separator())
        for entry in (self.act_preview, self.act_print, self.act_save_pdf):
            table.addAction(entry)

        ret.aboutToShow.connect(self._update_actions)
        self._update_actions()
        self.agency.currentChanged.connect(lambda _i: self._update_actions())
        table.selectionModel().selectionChanged.connect(lambda *_a: self._update_actions())
        self.agency.home.model.modelReset.connect(self._update_actions)
        self.agency.sig_editor_opened.connect(self._editor_opened)

        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self._action("&Keyboard shortcuts", self._show_shortcuts, "F1"))
        help_menu.addAction(self._action("&About OSCB Desktop", self._about))

    def _separator(self) -> QAction:
        separator = QAction(self)
        separator.setSeparator(True)
        return separator

    @property
    def editing(self) -> bool:
        return self.agency.editor is not None and self.agency.currentWidget() is self.agency.editor

    def target(self) -> Target | None:
        """The return the Return menu acts on, or None."""
        if self.editing:
            assert self.agency.editor is not None
            sub = self.agency.editor.submission
            return Target(sub.id, sub.status)
        if self.agency.currentWidget() is self.agency.home:
            selected = self.agency.home.selected()
            if selected is not None:
                return Target(selected.id, selected.status)
        return None

    @Slot()
    def _update_actions(self) -> None:
        editing = self.editing
        for a in (self.act_next, self.act_prev, self.act_missing, self.act_keep, self.act_save):
            a.setEnabled(editing)
        self.act_home.setEnabled(editing)
        target = self.target()
        status = target.status if target is not None else None
        self.act_sign_off.setEnabled(status == "draft")
        self.act_reopen.setEnabled(status == "signed")
        self.act_export.setEnabled(status in ("signed", "superseded"))
        for a in (self.act_preview, self.act_print, self.act_save_pdf):
            a.setEnabled(target is not None)
        self.act_open.setEnabled(target is not None and not editing)
        self.act_identity.setEnabled(
            self.agency.currentWidget() is not self.agency.welcome and agencies.current_agency(self.ws) is not None
        )

    @Slot(object)
    def _editor_opened(self, editor: EditorPage) -> None:
        editor.sig_sign_off_requested.connect(self.sign_off)
        editor.sig_reopen_requested.connect(self.reopen)
        editor.sig_export_requested.connect(self.export)
        self._update_actions()

    # Signing, export, printing --------------------------------------------------------------------

    @Slot()
    def edit_identity(self) -> None:
        agency = agencies.current_agency(self.ws)
        if agency is None:
            return
        dialog = IdentityDialog(self.ws, agency.id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    @Slot()
    def sign_off(self) -> None:
        target = self.target()
        if target is None or target.status != "draft":
            return
        editor = self.agency.editor
        if not self.editing or editor is None or editor.submission.id != target.id:
            self.agency.open_return(target.id)  # blockers jump to their items in the editor
            editor = self.agency.editor
        assert editor is not None
        if not editor.flush():
            message(
                self,
                "Not signed off",
                "Your last changes could not be saved yet (see the message at the bottom of the window). "
                "Sign off once they are saved.",
                icon=QMessageBox.Icon.Warning,
            )
            return
        dialog = SignOffDialog(self.ws, target.id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.sig_jump_to_item.connect(self._jump_to_item)
        dialog.accepted.connect(lambda: self._signed_off(dialog.signed, dialog.key))
        dialog.open()

    @Slot(str)
    def _jump_to_item(self, item_id: str) -> None:
        if self.agency.editor is not None:
            self.agency.editor.jump_to(item_id)

    def _signed_off(self, sub: Submission | None, key: UnlockedKey | None) -> None:
        if sub is None:
            return
        self.agency.reload_editor()
        self.agency.home.refresh()
        self._update_actions()
        what = describe(self.ws, sub)
        self.statusBar().showMessage(f"Signed off: {what}", 10000)
        box = QMessageBox(
            QMessageBox.Icon.Information,
            "Return signed off",
            f"{what[0].upper()}{what[1:]} was signed off by {sub.signatory_name}, {sub.signatory_role}.",
            parent=self,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText(
            "It can no longer be changed. Export it now as a signed bundle (.oscb) to send to the Business "
            "Unit? The key is still unlocked, so you will not be asked for the passphrase again."
        )
        export_now = box.addButton("Export now…", QMessageBox.ButtonRole.AcceptRole)
        later = box.addButton("Later", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(export_now)
        box.setEscapeButton(later)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        submission_id = sub.id

        def finished(_result: int) -> None:
            if box.clickedButton() is export_now:
                export_bundle(self, self.ws, submission_id, key=key, on_done=self._exported)

        box.finished.connect(finished)
        box.open()

    @Slot()
    def reopen(self) -> None:
        target = self.target()
        if target is None or target.status != "signed":
            return
        sub = returns.get_submission(self.ws, target.id)
        v = sub.version
        form = returns.form_of(self.ws, sub)
        ask(
            self,
            "Reopen as a new version?",
            f"Reopen version {v} of the {form.short_title} {sub.period} return as version {v + 1}?",
            f"Version {v + 1} starts from the answers signed off in version {v}, as a draft that you can change "
            f"and sign off again. Version {v} stays exactly as it was signed (marked superseded) and can still "
            "be printed and exported.",
            f"Create version {v + 1}",
            lambda: self._reopen(sub.id),
        )

    def _reopen(self, submission_id: str) -> None:
        try:
            new = signoff.reopen(self.ws, submission_id)
        except returns.ReturnError as exc:
            message(self, "Not reopened", str(exc), icon=QMessageBox.Icon.Warning)
            return
        self.agency.home.refresh()
        self.agency.open_return(new.id)
        self.statusBar().showMessage(f"Version {new.version} started from the signed answers.", 10000)

    @Slot()
    def export(self) -> None:
        target = self.target()
        if target is not None and target.status in ("signed", "superseded"):
            export_bundle(self, self.ws, target.id, on_done=self._exported)

    def _exported(self, result: signoff.ExportResult) -> None:
        self.statusBar().showMessage(f"Exported to {result.path}", 15000)

    @Slot()
    def print_preview(self) -> None:
        target = self.target()
        if target is not None:
            self._flush_editor()
            print_preview(self, self.ws, target.id)

    @Slot()
    def print_return(self) -> None:
        target = self.target()
        if target is not None:
            self._flush_editor()
            print_return(self, self.ws, target.id)

    @Slot()
    def save_pdf(self) -> None:
        target = self.target()
        if target is not None:
            self._flush_editor()
            path = save_pdf(self, self.ws, target.id)
            if path is not None:
                self.statusBar().showMessage(f"PDF saved as {path}", 15000)

    def _flush_editor(self) -> None:
        """A draft prints what is typed so far, so write it first."""
        if self.editing and self.agency.editor is not None:
            self.agency.editor.flush()

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
            "Ctrl+Shift+S — sign the return off\n"
            "Ctrl+E — export a signed return as a bundle (.oscb)\n"
            "Ctrl+P — print the return;  Ctrl+Shift+P — print preview\n"
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

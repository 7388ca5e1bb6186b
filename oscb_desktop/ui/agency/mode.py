"""The agency mode of the window: its page (welcome, home, editor), its File and Return menus, and what those
menus do to the return in hand — sign off, reopen, export, print.

It talks to the window only through a :class:`~oscb_desktop.ui.host.ModeHost`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QMetaObject, QObject, Qt, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMenu, QMessageBox

from oscb_desktop.services import agencies, returns, signoff, survey
from oscb_desktop.services.partnerships import JoinOutcome, JoinResult
from oscb_desktop.services.values import ReturnInfo, ReturnStatus
from oscb_desktop.signing import UnlockedKey
from oscb_desktop.ui import restore
from oscb_desktop.ui.agency import feedback_view, survey_import
from oscb_desktop.ui.agency.join import join_partnership
from oscb_desktop.ui.agency.workspace import AgencyWorkspace
from oscb_desktop.ui.common import ask, make_action, message, set_menu_enabled
from oscb_desktop.ui.editor.page import EditorPage
from oscb_desktop.ui.host import ModeHost
from oscb_desktop.ui.signing import (
    IdentityDialog,
    SignOffDialog,
    export_bundle,
    print_preview,
    print_return,
    save_pdf,
)
from oscb_desktop.ui.signing.export import describe


@dataclass(frozen=True)
class Target:
    """The return the Return menu acts on: the one open in the editor, else the one selected on the home page."""

    id: str
    status: ReturnStatus


class AgencyMode(QObject):
    """The agency's side of the window."""

    def __init__(self, host: ModeHost) -> None:
        super().__init__(host.host_widget())
        self.host = host
        self.ws = host.ws
        self.workspace = AgencyWorkspace(self.ws)
        host.add_page(self.workspace)
        #: "Saved" / "Saving…" / the reason saving failed, for the status bar.
        self.save_state = QLabel("")
        self.save_state.setObjectName("saveState")
        self.save_state.setAccessibleName("Save status")
        self._editor_connections: list[QMetaObject.Connection] = []
        self.menus = self._build_menus()
        for menu in self.menus:
            host.add_menu(menu)

    # Menus -----------------------------------------------------------------------------------------

    def _build_menus(self) -> list[QMenu]:
        parent = self.host.host_widget()
        home = self.workspace.home
        action = lambda text, slot, shortcut=None: make_action(parent, text, slot, shortcut)  # noqa: E731

        file = QMenu("&File", parent)
        file.addAction(action("&New agency or service profile…", home.add_profile))
        file.addAction(action("&Edit profile…", home.edit_current_profile))
        file.addSeparator()
        self.act_join = action("&Join a partnership…", self.join_partnership)
        file.addAction(self.act_join)
        file.addSeparator()
        file.addAction(action("Restore from &backup…", lambda: restore.choose_and_restore(parent, self.ws)))
        file.addAction(action("Open &feedback from the partnership…", self.open_feedback))
        file.addAction(action("Import practitioner &survey responses…", self.import_survey))
        file.addSeparator()
        file.addAction(action("&Quit", self.host.quit, QKeySequence.StandardKey.Quit))

        ret = QMenu("&Return", parent)
        self.act_home = action("&Home", self.workspace.show_home, "Alt+Home")
        # The editor's own actions are connected to the editor in hand when one opens (_editor_opened).
        self.act_next = action("&Next section", None, "Ctrl+PgDown")
        self.act_prev = action("&Previous section", None, "Ctrl+PgUp")
        self.act_missing = action("What is still &missing", None, "Ctrl+M")
        self.act_keep = action("&Keep carried answers in this section", None, "Ctrl+K")
        self.act_save = action("&Save now", None, QKeySequence.StandardKey.Save)
        for a in (self.act_home, self.act_next, self.act_prev, self.act_missing, self.act_keep, self.act_save):
            ret.addAction(a)
        ret.addSeparator()
        self.act_sign_off = action("Sign &off…", self.sign_off, "Ctrl+Shift+S")
        self.act_export = action("&Export signed bundle…", self.export, "Ctrl+E")
        self.act_reopen = action("&Reopen as a new version…", self.reopen)
        self.act_preview = action("Print pre&view…", self.print_preview, "Ctrl+Shift+P")
        self.act_print = action("Prin&t…", self.print_return, "Ctrl+P")
        self.act_save_pdf = action("Save P&DF…", self.save_pdf)
        self.act_identity = action("Signing &identity…", self.edit_identity)
        self.act_feedback = action("&Feedback from the partnership…", self.show_feedback)
        self.act_open = action("&Open return", home.open_selected)
        for a in (self.act_sign_off, self.act_export, self.act_reopen):
            ret.addAction(a)
        ret.addSeparator()
        for a in (self.act_preview, self.act_print, self.act_save_pdf):
            ret.addAction(a)
        ret.addSeparator()
        ret.addAction(self.act_feedback)
        ret.addAction(self.act_identity)

        # The same actions on the selected return of the home page.
        table = home.table
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        for entry in (self.act_open, None, self.act_sign_off, self.act_export, self.act_reopen, None):
            table.addAction(entry if entry is not None else self._separator())
        for entry in (self.act_preview, self.act_print, self.act_save_pdf):
            table.addAction(entry)

        ret.aboutToShow.connect(self._update_actions)
        self._update_actions()
        self.workspace.currentChanged.connect(lambda _i: self._update_actions())
        table.selectionModel().selectionChanged.connect(lambda *_a: self._update_actions())
        home.model.modelReset.connect(self._update_actions)
        self.workspace.sig_editor_opened.connect(self._editor_opened)
        self.workspace.sig_save_state.connect(self.show_save_state)
        return [file, ret]

    def _separator(self) -> QAction:
        separator = QAction(self.host.host_widget())
        separator.setSeparator(True)
        return separator

    def set_active(self, active: bool) -> None:
        """Show this mode's menus and let their shortcuts fire, or hide and disable them all."""
        for menu in self.menus:
            menu.menuAction().setVisible(active)
            set_menu_enabled(menu, active)
        if active:
            self._update_actions()

    # State -----------------------------------------------------------------------------------------

    @property
    def editing(self) -> bool:
        return self.workspace.editing

    def target(self) -> Target | None:
        """The return the Return menu acts on, or None."""
        if self.editing:
            assert self.workspace.editor is not None
            sub = self.workspace.editor.submission
            return Target(sub.id, sub.status)
        if self.workspace.currentWidget() is self.workspace.home:
            selected = self.workspace.home.selected()
            if selected is not None:
                return Target(selected.id, selected.status)
        return None

    @Slot()
    def _update_actions(self) -> None:
        editing = self.editing
        for a in (self.act_home, self.act_next, self.act_prev, self.act_missing, self.act_keep, self.act_save):
            a.setEnabled(editing)
        target = self.target()
        status = target.status if target is not None else None
        self.act_sign_off.setEnabled(status == ReturnStatus.DRAFT)
        self.act_reopen.setEnabled(status == ReturnStatus.SIGNED)
        self.act_export.setEnabled(status in (ReturnStatus.SIGNED, ReturnStatus.SUPERSEDED))
        for a in (self.act_preview, self.act_print, self.act_save_pdf):
            a.setEnabled(target is not None)
        self.act_open.setEnabled(target is not None and not editing)
        self.act_feedback.setEnabled(target is not None and status in (ReturnStatus.SIGNED, ReturnStatus.SUPERSEDED))
        self.act_identity.setEnabled(
            self.workspace.currentWidget() is not self.workspace.welcome
            and agencies.current_agency(self.ws) is not None
        )

    @Slot(object)
    def _editor_opened(self, editor: EditorPage) -> None:
        for connection in self._editor_connections:
            QObject.disconnect(connection)
        pairs: list[tuple[QAction, Callable[[], object]]] = [
            (self.act_next, editor.next_section),
            (self.act_prev, editor.previous_section),
            (self.act_missing, editor.focus_missing),
            (self.act_keep, editor.confirm_all_carried_in_section),
            (self.act_save, editor.flush),
        ]
        self._editor_connections = [a.triggered.connect(method) for a, method in pairs]
        editor.sig_save_state.connect(self.show_save_state)
        editor.sig_sign_off_requested.connect(self.sign_off)
        editor.sig_reopen_requested.connect(self.reopen)
        editor.sig_export_requested.connect(self.export)
        self._update_actions()

    @Slot(str, str)
    def show_save_state(self, state: str, text: str) -> None:
        self.save_state.setText(text)
        self.save_state.setProperty("state", state)
        self.save_state.style().unpolish(self.save_state)
        self.save_state.style().polish(self.save_state)

    # Partnerships ---------------------------------------------------------------------------------

    @Slot()
    def join_partnership(self) -> None:
        join_partnership(self.host.host_widget(), self.ws, self._joined)

    def _joined(self, result: JoinResult) -> None:
        """The pack's forms are offered at once; the partnership is named in the title and on the home page."""
        self.workspace.home.refresh()
        self.host.set_title(self.ws.profile.name)
        p = result.partnership
        if result.outcome is JoinOutcome.JOINED:
            title, text = "Partnership joined", f"You joined {p.name} (pack version {p.pack_version})."
        else:
            title, text = "Partnership updated", f"{p.name} is updated to pack version {p.pack_version}."
        self.host.show_status(text, 15000)
        message(
            self.host.host_widget(),
            title,
            text,
            informative="Its forms are offered on the home page; start a return addressed to it there.",
        )

    # Signing, export, printing --------------------------------------------------------------------

    @Slot()
    def open_feedback(self) -> None:
        feedback_view.open_feedback(self.host.host_widget(), self.ws, on_done=self.workspace.home.refresh)

    @Slot()
    def import_survey(self) -> None:
        agency = agencies.current_agency(self.ws)
        if agency is not None:
            survey_import.import_survey(self.host.host_widget(), self.ws, agency.id, on_done=self._survey_imported)

    def _survey_imported(self, _info: object) -> None:
        """Set the new counts beside the ratings of the return open in the editor."""
        editor = self.workspace.editor
        if editor is not None:
            editor.survey_notes.reset(survey.view(self.ws, editor.submission), editor.frames)
            editor.survey_notes.refresh(editor.answers)

    @Slot()
    def show_feedback(self) -> None:
        target = self.target()
        if target is not None:
            feedback_view.show_feedback_for(self.host.host_widget(), self.ws, target.id)

    @Slot()
    def edit_identity(self) -> None:
        agency = agencies.current_agency(self.ws)
        if agency is None:
            return
        dialog = IdentityDialog(self.ws, agency.id, self.host.host_widget())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    @Slot()
    def sign_off(self) -> None:
        target = self.target()
        if target is None or target.status != ReturnStatus.DRAFT:
            return
        editor = self.workspace.editor
        if not self.editing or editor is None or editor.submission.id != target.id:
            self.workspace.open_return(target.id)  # blockers jump to their items in the editor
            editor = self.workspace.editor
        assert editor is not None
        if not editor.flush():
            message(
                self.host.host_widget(),
                "Not signed off",
                "Your last changes could not be saved yet (see the message at the bottom of the window). "
                "Sign off once they are saved.",
                icon=QMessageBox.Icon.Warning,
            )
            return
        dialog = SignOffDialog(self.ws, target.id, self.host.host_widget())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.sig_jump_to_item.connect(self._jump_to_item)
        dialog.accepted.connect(lambda: self._signed_off(dialog.signed, dialog.key))
        dialog.open()

    @Slot(str)
    def _jump_to_item(self, item_id: str) -> None:
        if self.workspace.editor is not None:
            self.workspace.editor.jump_to(item_id)

    def _signed_off(self, sub: ReturnInfo | None, key: UnlockedKey | None) -> None:
        if sub is None:
            return
        self.workspace.reload_editor()
        self.workspace.home.refresh()
        self._update_actions()
        what = describe(self.ws, sub)
        self.host.show_status(f"Signed off: {what}")
        box = QMessageBox(
            QMessageBox.Icon.Information,
            "Return signed off",
            f"{what[0].upper()}{what[1:]} was signed off by {sub.signatory_name}, {sub.signatory_role}.",
            parent=self.host.host_widget(),
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
                export_bundle(self.host.host_widget(), self.ws, submission_id, key=key, on_done=self._exported)

        box.finished.connect(finished)
        box.open()

    @Slot()
    def reopen(self) -> None:
        target = self.target()
        if target is None or target.status != ReturnStatus.SIGNED:
            return
        sub = returns.get_submission(self.ws, target.id)
        v = sub.version
        form = returns.form_of(self.ws, sub)
        ask(
            self.host.host_widget(),
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
            message(self.host.host_widget(), "Not reopened", str(exc), icon=QMessageBox.Icon.Warning)
            return
        self.workspace.home.refresh()
        self.workspace.open_return(new.id)
        self.host.show_status(f"Version {new.version} started from the signed answers.")

    @Slot()
    def export(self) -> None:
        target = self.target()
        if target is not None and target.status in (ReturnStatus.SIGNED, ReturnStatus.SUPERSEDED):
            export_bundle(self.host.host_widget(), self.ws, target.id, on_done=self._exported)

    def _exported(self, result: signoff.ExportResult) -> None:
        self.host.show_status(f"Exported to {result.path}", 15000)

    @Slot()
    def print_preview(self) -> None:
        target = self.target()
        if target is not None:
            self.flush_editor()
            print_preview(self.host.host_widget(), self.ws, target.id)

    @Slot()
    def print_return(self) -> None:
        target = self.target()
        if target is not None:
            self.flush_editor()
            print_return(self.host.host_widget(), self.ws, target.id)

    @Slot()
    def save_pdf(self) -> None:
        target = self.target()
        if target is not None:
            self.flush_editor()
            save_pdf(
                self.host.host_widget(),
                self.ws,
                target.id,
                lambda path: self.host.show_status(f"PDF saved as {path}", 15000),
            )

    def flush_editor(self) -> bool:
        """Write what is typed so far (a draft prints what is typed). False if it could not be written."""
        if self.workspace.editor is not None:
            return self.workspace.editor.flush()
        return True

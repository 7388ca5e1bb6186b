"""The agency's page of the window: welcome (first run) → home (the list of returns) → the editor.

Leaving the editor never throws away what was typed. Changes that cannot be saved yet (the disk is full, the
folder read-only, another program holds the lock, the store refuses a value) stay in the workspace's retry
queue (:class:`~oscb_desktop.services.autosave.SaveQueue`), which keeps trying, and in the recovery journal
beside the workspace, which the next start replays. "← Home" asks first; opening another return and switching
profile keep them without asking; quitting says they are kept for next time.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QStackedWidget, QWidget

from oscb_desktop.services import agencies, journal
from oscb_desktop.services.autosave import SaveQueue
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.ui.agency.home import HomePage
from oscb_desktop.ui.agency.profile import WelcomePage
from oscb_desktop.ui.common import keep_until_closed, message
from oscb_desktop.ui.editor.autosave import RETRY_MS
from oscb_desktop.ui.editor.page import EditorPage
from oscb_desktop.ui.ops import Job

LEAVE_TITLE = "Changes not saved yet"
LEAVE_TEXT = "Your last changes could not be saved yet."
STAY, LEAVE, DISCARD = "Stay", "Leave and keep trying", "Discard my changes"


class AgencyWorkspace(QStackedWidget):
    """Welcome (first run) → home → editor."""

    sig_editor_opened = Signal(object)
    """A return was opened in a new :class:`EditorPage` (the page)."""

    sig_save_state = Signal(str, str)
    """The state of the changes saved in the background (state, sentence), for the status bar."""

    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.welcome = WelcomePage(ws)
        self.home = HomePage(ws)
        self.editor: EditorPage | None = None
        #: Changes of editors left before they could be saved, tried again every RETRY_MS.
        self.parked = SaveQueue()
        self.retry_timer = QTimer(self)
        self.retry_timer.setInterval(RETRY_MS)
        self.retry_timer.timeout.connect(self.retry_parked)
        self.leave_question: QMessageBox | None = None
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
        """Open a return in the editor; the one open before keeps its unsaved changes in the retry queue."""
        self.close_editor()
        self.editor = EditorPage(self.ws, submission_id, autosaver=self.parked.take(submission_id))
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
        """Flush and drop the editor. False if its last changes could not be written: they are then kept in the
        retry queue (and the recovery journal), never dropped."""
        if self.editor is None:
            return True
        editor = self.editor
        ok = editor.flush()
        editor.autosave.stop()
        if not ok:
            self.parked.park(editor.autosave.autosaver)
            self.retry_timer.start()
        self.removeWidget(editor)
        editor.deleteLater()
        self.editor = None
        return ok

    @Slot()
    def show_home(self) -> None:
        """ "← Home": leave the editor, asking first if its last changes cannot be saved yet."""
        self.leave_editor(self._home)

    def _home(self) -> None:
        self.home.refresh()
        self.setCurrentWidget(self.home)
        self.home.setFocus()

    def leave_editor(self, then: Callable[[], None]) -> None:
        """Close the editor and run ``then``; if its changes cannot be saved yet, ask (window-modal) first:
        stay, leave and keep trying in the background, or discard them."""
        editor = self.editor
        if editor is None or editor.flush():
            self.close_editor()
            then()
            return
        if self.leave_question is not None:
            return
        journaled = editor.autosave.autosaver.journal_error is None
        box = _unsaved_box(
            self,
            f"{editor.autosave.problem}\n\n"
            + (
                "If you leave, OSCB Desktop keeps trying to save them in the background, and keeps them in a "
                "recovery file meanwhile: they are saved the next time it starts if not before."
                if journaled
                else "If you leave, OSCB Desktop keeps them and keeps trying to save them while it is open."
            ),
        )
        stay = box.addButton(STAY, QMessageBox.ButtonRole.RejectRole)
        leave = box.addButton(LEAVE, QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton(DISCARD, QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(stay)
        box.setEscapeButton(stay)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(_result: int) -> None:
            self.leave_question = None
            clicked = box.clickedButton()
            if self.editor is not editor or clicked not in (leave, discard):
                return
            if clicked is discard:
                editor.autosave.stop()
                editor.autosave.autosaver.discard()
            self.close_editor()
            then()

        box.finished.connect(answered)
        keep_until_closed(box)
        self.leave_question = box
        box.open()

    # Changes saved in the background ------------------------------------------------------------------

    @Slot()
    def retry_parked(self) -> None:
        """Try the retry queue once; say what was saved, or why not."""
        outcome = self.parked.retry()
        if not self.parked.submission_ids():
            self.retry_timer.stop()
        if outcome.failed:
            reason = next(iter(outcome.failed.values()))
            self.sig_save_state.emit("error", f"Changes to a return you left are not saved yet: {reason} Retrying…")
        elif outcome.saved:
            self.sig_save_state.emit("saved", "Earlier changes saved.")
            if self.currentWidget() is self.home:
                self.home.refresh()

    def confirm_quit(self, parent: QWidget) -> bool:
        """Before the window closes: save what can be saved; if anything cannot, say it is kept for next time (or,
        if the recovery file could not be written either, that it would be lost) and let the user stay."""
        self.close_editor()
        if self.parked.pending:
            self.retry_parked()
        savers = self.parked.savers()
        if not savers:
            return True
        kept = all(s.journal_now() for s in savers)
        reason = next((s.journal_error for s in savers if s.journal_error), None)
        if kept:
            informative = (
                "They are kept in a recovery file beside the workspace and saved the next time you open OSCB Desktop."
            )
            quit_label = "Quit"
        else:
            informative = f"They could not be kept in a recovery file either: {reason} If you quit now, they are lost."
            quit_label = "Quit and lose them"
        box = _unsaved_box(parent, informative)
        quit_button = box.addButton(quit_label, QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)
        box.exec()
        if box.clickedButton() is not quit_button:
            return False
        self.retry_timer.stop()
        return True

    # The recovery journal ------------------------------------------------------------------------------

    def replay_journal(self) -> None:
        """Store what the recovery journal holds from an earlier run (in the background) and say what it did."""
        if not journal.has_entries(self.ws.folder):
            return

        def work(_job: Job[journal.Recovery]) -> journal.Recovery:
            return journal.replay(self.ws)

        job = Job(self, "Recovering unsaved changes", work)
        job.on_success(self._replayed)
        job.start()

    def _replayed(self, recovery: journal.Recovery) -> None:
        if not recovery:
            return
        self.home.refresh()
        icon = QMessageBox.Icon.Warning if recovery.kept_aside or recovery.waiting else QMessageBox.Icon.Information
        message(self, "Unsaved changes from last time", "\n\n".join(recovery.sentences()), icon=icon)


def _unsaved_box(parent: QWidget, informative: str) -> QMessageBox:
    """The question asked when the last changes cannot be saved yet (the caller adds the answers)."""
    box = QMessageBox(QMessageBox.Icon.Warning, LEAVE_TITLE, LEAVE_TEXT, QMessageBox.StandardButton.NoButton, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setInformativeText(informative)
    return box

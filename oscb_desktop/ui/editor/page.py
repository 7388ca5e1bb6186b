"""The form editor: sections on the left, the section's items in the middle, what is missing on
the right; every change autosaved."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from oscb_desktop.forms import Problem, section_completion
from oscb_desktop.forms.model import Item
from oscb_desktop.services import evidence, history, returns, survey
from oscb_desktop.services.autosave import Autosaver
from oscb_desktop.services.values import ReturnInfo, ReturnStatus
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.ui.editor import spelling
from oscb_desktop.ui.editor.autosave import AutosaveController
from oscb_desktop.ui.editor.banner import LockedBanner
from oscb_desktop.ui.editor.evidence import FileActions
from oscb_desktop.ui.editor.find import FindBar, Match, find_matches
from oscb_desktop.ui.editor.history import HistoryDialog
from oscb_desktop.ui.editor.items import ItemFrame, make_input
from oscb_desktop.ui.editor.lists import WrappingList
from oscb_desktop.ui.editor.missing import MissingPanel
from oscb_desktop.ui.editor.problems import InlineProblems, frame_of
from oscb_desktop.ui.editor.sections import Frames, section_page
from oscb_desktop.ui.editor.survey_notes import SurveyNotes


class EditorPage(QWidget):
    sig_closed = Signal()
    """The user left the editor (back to the home screen)."""

    sig_save_state = Signal(str, str)
    """Autosave state and message, for the status bar."""

    sig_sign_off_requested = Signal()
    """The user asked to sign this return off."""

    sig_reopen_requested = Signal()
    """The user asked to reopen this signed return as a new version."""

    sig_export_requested = Signal()
    """The user asked to export this signed return as a bundle."""

    def __init__(
        self, ws: Workspace, submission_id: str, parent: QWidget | None = None, *, autosaver: Autosaver | None = None
    ) -> None:
        """``autosaver``: the one this return was left with while its changes could not be saved (from the
        workspace's retry queue); the editor shows those changes and carries on from them."""
        super().__init__(parent)
        self.ws = ws
        self.submission: ReturnInfo = returns.get_submission(ws, submission_id)
        self.form = returns.form_of(ws, self.submission)
        self.answers: dict[str, Any] = returns.load_answers(ws, self.submission.id)
        self.carried: set[str] = returns.carried_items(ws, self.submission.id)
        #: "2025/26", or "your MKSCP return" when the answers were copied from another partnership's return
        self.carried_from = (
            f"your {self.submission.copied_from} return".replace("your your ", "your ").replace(
                " return return", " return"
            )
            if self.submission.copied_from
            else self.submission.carried_from_period
        )
        self.carried_origin = returns.carried_origin(self.submission)
        self.read_only = self.submission.locked
        self.problems: list[Problem] = []
        if autosaver is None:
            # A new autosaver takes up what the recovery journal still holds for this return.
            autosaver = Autosaver(ws, self.submission.id, resume=not self.read_only)
        unsaved = {k: v for k, v in autosaver.unsaved().items() if self.form.has_item(k)}
        self.answers.update(unsaved)
        self.carried -= set(unsaved)
        self.autosave = AutosaveController(autosaver, self)
        self.autosave.sig_state_changed.connect(self._save_state)
        self.autosave.sig_saved.connect(self._saved)
        self.autosave.sig_refused.connect(self._refused)
        #: Item id -> frame, of the sections built so far; asking for another item's frame builds its section.
        self.frames: Frames = Frames(self._build_section_of)
        ws, sub_id = self.ws, self.submission.id
        #: Evidence files: checked and stored on a worker thread, opened from a read-only copy.
        self.file_actions = FileActions(
            store=lambda item_id, path, held: evidence.store_file(ws, sub_id, item_id, path, current=held).as_entry(),
            open_copy=lambda entry: evidence.open_copy(ws, entry["sha256"], entry["name"]),
            carried_from=self.carried_from,
        )
        self._last_item: str | None = None
        self.history_dialog: HistoryDialog | None = None

        self._revalidate_timer = QTimer(self)
        self._revalidate_timer.setSingleShot(True)
        self._revalidate_timer.setInterval(150)
        self._revalidate_timer.timeout.connect(self.revalidate)
        self.inline = InlineProblems(self.frames, self._revalidate_timer.isActive, self)

        #: What the agency's practitioners answered, beside the statements their questions bear on (under each
        #: statement's frame once its section is built).
        self.survey_notes = SurveyNotes(survey.view(ws, self.submission), self.form, self.frames)
        self._build()
        self.revalidate()
        self.go_to_section(0)
        keys = {
            "Ctrl+H": self.show_history_of_focused,
            "Ctrl+F": self.find_bar.open,
            "F3": self.find_bar.next,
            "Shift+F3": self.find_bar.previous,
        }
        for key, slot in keys.items():
            QShortcut(QKeySequence(key), self, slot).setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

    # Layout -----------------------------------------------------------------------------------------

    def _build(self) -> None:
        agency = self.submission.agency.name
        self.title = QLabel(
            f"<h2 style='margin:0'>{self.form.title} {self.submission.period}</h2>"
            f"<span>{agency} · version {self.submission.version} · form {self.form.version}"
            + (f" · deadline {self.form.deadline:%d %B %Y}" if self.form.deadline else "")
            + "</span>"
        )
        self.back = QPushButton("← Home")
        self.back.setToolTip("Back to the list of returns (Alt+Home)")
        self.back.clicked.connect(self.close_editor)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setFormat("%p% complete")
        self.progress.setAccessibleName("Completion of this return")
        self.progress.setMinimumWidth(220)
        self.status = QLabel()
        self.status.setObjectName("statusChip")

        self.sign_off_button = QPushButton("Sign off…", self)  # a child at once: shown parentless, a window
        self.sign_off_button.setObjectName("primary")
        self.sign_off_button.setToolTip("Sign this return off (Ctrl+Shift+S)")
        self.sign_off_button.clicked.connect(self.sig_sign_off_requested)
        self.sign_off_button.setVisible(not self.read_only)

        header = QHBoxLayout()
        header.addWidget(self.back)
        header.addWidget(self.title, 1)
        header.addWidget(self.status)
        header.addWidget(self.progress)
        header.addWidget(self.sign_off_button)

        self.sections = WrappingList()
        self.sections.setAccessibleName("Sections")
        self.sections.setMinimumWidth(260)
        self.sections.currentRowChanged.connect(self._section_chosen)
        self.stack = QStackedWidget()
        self.scrolls: list[QScrollArea] = []
        #: A section's widgets are built when it is first shown (or one of its items is asked for), then kept:
        #: a return opens with its first section's widgets, not the four thousand of all of them.
        self._built: set[int] = set()
        for section in self.form.sections:
            self.sections.addItem(QListWidgetItem(self.form.section_label(section)))
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            self.scrolls.append(scroll)
            self.stack.addWidget(scroll)

        self.prev_button = QPushButton("← Previous section")
        self.prev_button.setToolTip("Ctrl+Page Up")
        self.next_button = QPushButton("Next section →")
        self.next_button.setToolTip("Ctrl+Page Down")
        self.prev_button.clicked.connect(self.previous_section)
        self.next_button.clicked.connect(self.next_section)
        nav = QHBoxLayout()
        nav.addWidget(self.prev_button)
        nav.addStretch(1)
        nav.addWidget(self.next_button)
        centre = QWidget()
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        self.find_bar = FindBar(lambda term: find_matches(self.form, self.answers, term), self.show_match)
        self.find_bar.sig_closed.connect(self._find_closed)
        self._marked: str | None = None
        centre_layout.addWidget(self.find_bar)
        centre_layout.addWidget(self.stack, 1)
        centre_layout.addLayout(nav)

        self.missing_panel = MissingPanel()
        self.missing_panel.sig_chosen.connect(self.jump_to)
        right = self.missing_panel

        split = QSplitter()
        split.addWidget(self.sections)
        split.addWidget(centre)
        split.addWidget(right)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setStretchFactor(2, 0)
        split.setSizes([290, 780, 290])
        split.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        #: Said once per run when there is no dictionary: the editor works on without spell check.
        spelling.use_workspace_words(self.ws)
        self.spelling_note = QLabel(spelling.note_once())
        self.spelling_note.setObjectName("muted")
        self.spelling_note.setVisible(bool(self.spelling_note.text()))
        layout.addWidget(self.spelling_note)
        self.banner: LockedBanner | None = None
        if self.read_only:
            newer = returns.newer_version(self.ws, self.submission.id)
            self.banner = LockedBanner(self.submission, newer.version if newer is not None else None)
            self.banner.export_button.clicked.connect(self.sig_export_requested)
            if self.banner.reopen_button is not None:
                self.banner.reopen_button.clicked.connect(self.sig_reopen_requested)
            self.banner_text = self.banner.text
            self.export_button = self.banner.export_button
            self.reopen_button = self.banner.reopen_button
            layout.addWidget(self.banner)
        layout.addWidget(split, 1)
        self._update_status()

    def _build_section(self, n: int) -> None:
        """The widgets of section ``n``, once; the problems the last check found shown on them."""
        if n in self._built:
            return
        self._built.add(n)
        section = self.form.sections[n]
        page = self._section_page(section)
        self.scrolls[n].setWidget(page)
        page.show()  # a widget given to a scroll area already on screen is not shown by it
        built = [item.id for item in section.items]
        self.inline.show_items(built)
        self.survey_notes.add(self.frames, built)
        self.survey_notes.refresh(self.answers)

    def build_all_sections(self) -> None:
        """Every section's widgets, now (each is otherwise built when first shown)."""
        for n in range(len(self.form.sections)):
            self._build_section(n)

    def _build_section_of(self, item_id: str) -> None:
        if self.form.has_item(item_id):
            self._build_section(self.form.sections.index(self.form.section_of(item_id)))

    def _section_page(self, section: Any) -> QWidget:
        return section_page(self.form, section, self._item_frame)

    def _item_frame(self, item: Item) -> ItemFrame:
        """One item's frame and input, filled with its answer and wired to the editor."""
        item_input = make_input(item, self.file_actions)
        frame = ItemFrame(item, self.form.item_code(item.id), item_input)
        item_input.set_value(self.answers.get(item.id))
        item_input.sig_value_changed.connect(self._changed)
        frame.sig_confirm_carried.connect(self._confirm_carried)
        frame.sig_history_requested.connect(self.show_history)
        frame.set_carried(self.carried_origin if item.id in self.carried else None)
        frame.set_read_only(self.read_only)
        self.frames[item.id] = frame
        return frame

    # Navigation -------------------------------------------------------------------------------------

    @property
    def current_section(self) -> int:
        return self.stack.currentIndex()

    def go_to_section(self, index: int) -> None:
        index = max(0, min(index, len(self.form.sections) - 1))
        self._build_section(index)
        if self.sections.currentRow() != index:
            self.sections.setCurrentRow(index)
        self.stack.setCurrentIndex(index)
        self.prev_button.setEnabled(index > 0)
        self.next_button.setEnabled(index < len(self.form.sections) - 1)
        self.scrolls[index].verticalScrollBar().setValue(0)

    @Slot(int)
    def _section_chosen(self, row: int) -> None:
        if row >= 0 and row != self.stack.currentIndex():
            self.go_to_section(row)

    @Slot()
    def next_section(self) -> None:
        self.go_to_section(self.current_section + 1)
        self.focus_first_item()

    @Slot()
    def previous_section(self) -> None:
        self.go_to_section(self.current_section - 1)
        self.focus_first_item()

    def focus_first_item(self) -> None:
        section = self.form.sections[self.current_section]
        self.frames[section.items[0].id].input.setFocus()

    @Slot(str)
    def jump_to(self, item_id: str) -> None:
        """Show an item and put the cursor in it (from the missing list or a sign-off blocker), with its problems."""
        self.inline.reveal()
        section = self.form.section_of(item_id)
        self.go_to_section(self.form.sections.index(section))
        frame = self.frames[item_id]
        scroll = self.scrolls[self.current_section]
        QTimer.singleShot(0, lambda: scroll.ensureWidgetVisible(frame, 0, 40))
        frame.input.setFocus()

    def focus_missing(self) -> None:
        """The still-to-do list, asked for: every item now shows its problems too."""
        self.inline.reveal()
        self.missing_panel.focus()

    # Changes ----------------------------------------------------------------------------------------

    @Slot(str)
    def _changed(self, item_id: str) -> None:
        if self.read_only:
            return
        frame = self.frames[item_id]
        value = frame.input.value()
        self.answers[item_id] = value
        self.inline.editing(item_id if frame_of(self.window().focusWidget()) is frame else None)
        self.carried.discard(item_id)
        self.frames[item_id].set_carried(None)
        self.autosave.change(item_id, value)
        self.survey_notes.refresh(self.answers, item_id)
        self._revalidate_timer.start()

    @Slot(str)
    def _confirm_carried(self, item_id: str) -> None:
        if not self.flush():
            return
        try:
            returns.confirm_carried(self.ws, self.submission.id, [item_id])
        except returns.ReturnError as exc:
            self._save_state("error", str(exc))
            return
        self.carried.discard(item_id)
        self.frames[item_id].set_carried(None)
        self.revalidate()
        self._save_state("saved", "Carried answer kept")

    def confirm_all_carried_in_section(self) -> None:
        section = self.form.sections[self.current_section]
        ids = [i.id for i in section.items if i.id in self.carried]
        if ids and self.flush():
            returns.confirm_carried(self.ws, self.submission.id, ids)
            for i in ids:
                self.carried.discard(i)
                self.frames[i].set_carried(None)
            self.revalidate()

    def flush(self) -> bool:
        return self.autosave.flush()

    @Slot()
    def close_editor(self) -> None:
        """ "← Home": the workspace saves, or asks what to do with changes it cannot save yet."""
        self.sig_closed.emit()

    @Slot(dict)
    def _refused(self, refused: dict[str, str]) -> None:
        for item_id, frame in self.frames.items():
            frame.set_save_error(refused.get(item_id))

    @Slot(str, str)
    def _save_state(self, state: str, message: str) -> None:
        self.sig_save_state.emit(state, message)

    @Slot(int)
    def _saved(self, percent: int) -> None:
        self.submission = returns.get_submission(self.ws, self.submission.id)
        self._update_status()

    # Find -------------------------------------------------------------------------------------------

    def show_match(self, match: Match | None, term: str) -> None:
        """Go to the item of a match (switching section) and mark the words in it; None clears the marks."""
        if self._marked is not None:
            self.frames[self._marked].set_find_term("")
            self._marked = None
        if match is None:
            return
        frame = self.frames[match.item_id]
        self.go_to_section(self.form.sections.index(self.form.section_of(match.item_id)))
        frame.set_find_term(term)
        self._marked = match.item_id
        scroll = self.scrolls[self.current_section]
        QTimer.singleShot(0, lambda: scroll.ensureWidgetVisible(frame, 0, 40))

    @Slot()
    def _find_closed(self) -> None:
        match = self.find_bar.current
        if match is not None:
            self.frames[match.item_id].input.setFocus()

    # Answer history ---------------------------------------------------------------------------------

    def focused_item(self) -> str | None:
        """The item the cursor is in, else the last one it was in."""
        frame = frame_of(self.window().focusWidget())
        if frame is not None:
            self._last_item = frame.item.id
        return self._last_item

    @Slot()
    def show_history_of_focused(self) -> None:
        item_id = self.focused_item() or self.form.sections[self.current_section].items[0].id
        self.show_history(item_id)

    @Slot(str)
    def show_history(self, item_id: str) -> None:
        """The answer history of an item (Ctrl+H, the item's "History…" button or its context menu)."""
        self.flush()  # what was typed last is in the history too (if it could be saved)
        ws, sub_id = self.ws, self.submission.id
        dialog = HistoryDialog(
            lambda: history.item_history(ws, sub_id, item_id), lambda entry: self._restore(item_id, entry), self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r: self.frames[item_id].input.setFocus())
        self.history_dialog = dialog
        dialog.open()

    def _restore(self, item_id: str, entry_id: int) -> history.RestoreResult:
        """Restore a version into the store and the item's widgets (raises ReturnError, for the dialog to say)."""
        if not self.flush():
            raise history.ReturnError(f"your last changes are not saved yet ({self.autosave.problem}).")
        result = history.restore(self.ws, self.submission.id, item_id, entry_id)
        frame = self.frames[item_id]
        frame.input.set_value(result.value)
        self.answers[item_id] = result.value
        self.carried.discard(item_id)
        frame.set_carried(None)
        self.revalidate()
        self._saved(result.percent)
        self._save_state("saved", f"Earlier answer to {self.form.item_code(item_id)} restored")
        return result

    # Validation display -----------------------------------------------------------------------------

    @Slot()
    def revalidate(self) -> None:
        self.problems = returns.problems_for(self.form, self.answers, self.carried, self.carried_origin)
        by_item: dict[str, list[str]] = {}
        for p in self.problems:
            if p.kind != "review" and p.message != "Not answered yet":
                by_item.setdefault(p.item_id, []).append(p.message)
        self.inline.update(by_item)
        completion = section_completion(self.form, self.answers, self.problems)
        for n, section in enumerate(self.form.sections):
            c = completion[section.id]
            mark = "✓" if c.complete else f"{c.done}/{c.total}"
            self.sections.item(n).setText(f"{mark}   {self.form.section_label(section)}")
            state = "complete" if c.complete else f"{c.total - c.done} of {c.total} still to do"
            self.sections.item(n).setToolTip(f"{self.form.section_label(section)}: {state}")
        done = sum(c.done for c in completion.values())
        total = sum(c.total for c in completion.values())
        self.progress.setValue(100 if total == 0 else (100 * done) // total)
        self._fill_missing()
        self._update_status()

    def _fill_missing(self) -> None:
        entries: list[tuple[str, str]] = []
        seen: set[tuple[str, str]] = set()
        for p in self.problems:
            if (p.item_id, p.message) in seen:
                continue
            seen.add((p.item_id, p.message))
            item = self.form.item(p.item_id)
            entries.append((p.item_id, f"{self.form.item_code(p.item_id)} {item.label}\n→ {p.message}"))
        self.missing_panel.show_entries(entries, read_only=self.read_only)

    def _update_status(self) -> None:
        sub = self.submission
        if sub.locked:
            text = "Signed" if sub.status == ReturnStatus.SIGNED else "Superseded"
        else:
            text = "Ready to sign" if not self.problems else "Draft"
        self.status.setText(text)

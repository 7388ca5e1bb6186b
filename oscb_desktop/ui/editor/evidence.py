"""Evidence files on an item: a list (name, size, when added, carried), Add files… or drag and drop, Open, Remove
with Undo. One widget, :class:`FilesList`, for every item that takes files: an attachments item's answer is its
list; a rated statement (:class:`RatingWithFiles`) keeps its files beside its level and evidence.

Files are checked and copied into the workspace on a worker thread (:mod:`oscb_desktop.ui.ops`: hashing a 20 MB
file takes longer than the window may stand still); the list then names them in the item's answer, which the
editor's autosave writes like any other change. Opening makes a read-only temporary copy, also off the UI thread,
and hands it to the system's viewer; nothing is opened without the user asking.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDragMoveEvent, QDropEvent, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from oscb_desktop import dates
from oscb_desktop.forms import files as ef
from oscb_desktop.forms.model import Item
from oscb_desktop.services.returns import ReturnError
from oscb_desktop.ui import file_dialogs
from oscb_desktop.ui.common import ask, message
from oscb_desktop.ui.editor.item_base import ItemInput
from oscb_desktop.ui.editor.items import RatingInput
from oscb_desktop.ui.ops import Job

log = logging.getLogger(__name__)

Entry = dict[str, Any]

#: How long "Removed … Undo" stays offered.
UNDO_MS = 20_000


@dataclass(frozen=True)
class FileActions:
    """What the files of a return's items need from the editor (the page gives the same to every item)."""

    #: Check a file for an item and copy it into the workspace, given the files the item holds now; returns the
    #: file's entry. Runs on a worker thread; a refusal is a ReturnError whose message names the file and rule.
    store: Callable[[str, Path, list[Entry]], Entry]
    #: A read-only temporary copy of a stored file, to open (worker thread).
    open_copy: Callable[[Entry], Path]
    #: Where carried answers came from ("2025/26"), for "carried from 2025/26".
    carried_from: str | None = None


def describe(entry: Entry, carried_from: str | None = None) -> str:
    """``1.6 KB · added 22 November 2026 · carried from 2025/26``."""
    parts = [ef.size_text(entry["size"]) if isinstance(entry.get("size"), int) else ""]
    if entry.get("added"):
        parts.append(f"added {dates.local_day(entry['added'])}")
    if entry.get("carried"):
        parts.append(f"carried from {carried_from}" if carried_from else "carried forward")
    return " · ".join(p for p in parts if p)


def open_in_viewer(parent: QWidget, name: str, make_copy: Callable[[], Path], *, could_run_code: bool = False) -> None:
    """Make a read-only copy (on a worker thread) and open it with the system's viewer. A file whose type could
    run code (it slipped past the allow-list, e.g. in an older return) is only opened after a warning."""

    def failed(exc: BaseException) -> None:
        if not isinstance(exc, ReturnError):
            log.error("opening an evidence file failed", exc_info=exc)
        message(parent, "File not opened", str(exc), icon=QMessageBox.Icon.Warning)

    def go() -> None:
        job: Job[Path] = Job(parent, "Opening", lambda _job: make_copy(), label=f"Opening {name}…")
        job.on_success(lambda path: _open_url(parent, name, path)).on_failure(failed).start()

    if could_run_code:
        ask(
            parent,
            "Open this file?",
            f"{name} is a kind of file that can run programs or macros on this computer.",
            "Open it only if you trust where it came from. Evidence is normally PDF, Word, Excel, PowerPoint, "
            "OpenDocument, an image, plain text or an email.",
            "Open anyway",
            go,
            icon=QMessageBox.Icon.Warning,
        )
    else:
        go()


def _open_url(parent: QWidget, name: str, path: Path) -> None:
    if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
        message(parent, "File not opened", f"No program on this computer opens {name}. A copy is at {path}.")


def _alive(widget: QWidget) -> bool:
    """A job's callback may come after the editor closed."""
    try:
        widget.objectName()
    except RuntimeError:
        return False
    return True


class FilesList(QFrame):
    """The evidence files of one item: add by button or by dropping files on it, open, remove (with Undo).

    Keyboard: Tab reaches the list and its buttons; in the list, Enter opens the selected file, Delete removes it
    and Ctrl+Z puts it back.
    """

    sig_changed = Signal()
    """The user added or removed a file; read them with :meth:`entries`."""

    def __init__(self, item: Item, actions: FileActions, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        assert item.files is not None
        self.item, self.file_actions, self.policy = item, actions, item.files
        self._entries: list[Entry] = []
        self._read_only = False
        self._busy = False
        self._removed: tuple[int, Entry] | None = None
        self.setObjectName("evidenceFiles")
        self.setAcceptDrops(True)

        self.title = QLabel("Evidence files")
        self.title.setObjectName("partLabel")
        self.list = QListWidget()
        self.list.setAccessibleName(f"Evidence files: {item.label}")
        self.list.setAccessibleDescription("Enter opens the selected file, Delete removes it, Ctrl+Z puts it back")
        self.list.setWordWrap(True)
        self.list.setMaximumHeight(132)
        self.list.setAlternatingRowColors(True)
        self.list.itemActivated.connect(lambda _entry: self.open_selected())
        self.list.currentRowChanged.connect(lambda _row: self._update())
        self.list.installEventFilter(self)
        self.title.setBuddy(self.list)
        self.empty = QLabel()
        self.empty.setObjectName("muted")
        self.empty.setWordWrap(True)
        self.add_button = QPushButton("Add files…")
        self.add_button.setAccessibleName(f"Add evidence files: {item.label}")
        self.open_button = QPushButton("Open")
        self.open_button.setAccessibleName(f"Open the selected evidence file: {item.label}")
        self.remove_button = QPushButton("Remove")
        self.remove_button.setAccessibleName(f"Remove the selected evidence file: {item.label}")
        for button, slot in (
            (self.add_button, self.choose_files),
            (self.open_button, self.open_selected),
            (self.remove_button, self.remove_selected),
        ):
            button.setAutoDefault(False)
            button.clicked.connect(slot)
        self.state = QLabel()
        self.state.setObjectName("muted")
        self.undo_bar = QFrame()
        self.undo_bar.setObjectName("carriedBanner")
        self.undo_text = QLabel()
        self.undo_button = QPushButton("Undo")
        self.undo_button.setAccessibleName("Put the removed evidence file back")
        self.undo_button.setAutoDefault(False)
        self.undo_button.clicked.connect(self.undo_remove)
        undo_row = QHBoxLayout(self.undo_bar)
        undo_row.setContentsMargins(6, 2, 6, 2)
        undo_row.addWidget(self.undo_text, 1)
        undo_row.addWidget(self.undo_button)
        self.undo_bar.setVisible(False)
        self._undo_timer = QTimer(self)
        self._undo_timer.setSingleShot(True)
        self._undo_timer.setInterval(UNDO_MS)
        self._undo_timer.timeout.connect(self._forget_removed)
        count = f"up to {self.policy.max_files}" if self.policy.max_files else "any number"
        #: The limits, said once where they help: under an empty list and on the Add button.
        self.limits = f"{count}, {ef.size_text(self.policy.max_file_bytes)} each"
        self.add_button.setToolTip(f"Attach {ef.types_text(self.policy)}: {self.limits}. Or drop files here.")

        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        for b in (self.add_button, self.open_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addWidget(self.state, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(3)
        layout.addWidget(self.title)
        layout.addWidget(self.list)
        layout.addWidget(self.empty)
        layout.addWidget(self.undo_bar)
        layout.addLayout(buttons)
        self._refresh()

    # The files ---------------------------------------------------------------------------------------

    def entries(self) -> list[Entry]:
        return [dict(e) for e in self._entries]

    def set_entries(self, entries: Sequence[Entry]) -> None:
        """Show these files (an answer loaded); no signal."""
        self._entries = [dict(e) for e in entries if isinstance(e, dict)]
        self._forget_removed()
        self._refresh()

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        self.setAcceptDrops(not read_only)
        self._update()

    def _refresh(self) -> None:
        row = self.list.currentRow()
        self.list.clear()
        for entry in self._entries:
            text = f"{entry.get('name', '(no name)')}\n{describe(entry, self.file_actions.carried_from)}"
            line = QListWidgetItem(text)
            line.setToolTip(f"SHA-256 {entry.get('sha256', '')}")
            self.list.addItem(line)
        if self._entries:
            self.list.setCurrentRow(min(max(row, 0), len(self._entries) - 1))
        self.list.setVisible(bool(self._entries))
        self.empty.setVisible(not self._entries)
        rows = sum(self.list.sizeHintForRow(n) for n in range(self.list.count()))
        self.list.setFixedHeight(min(rows + 2 * self.list.frameWidth() + 2, 150))
        self.title.setText(f"Evidence files ({len(self._entries)})" if self._entries else "Evidence files")
        self._update()

    def _update(self) -> None:
        selected = 0 <= self.list.currentRow() < len(self._entries)
        full = self.policy.max_files is not None and len(self._entries) >= self.policy.max_files
        self.add_button.setEnabled(not self._read_only and not self._busy and not full)
        self.remove_button.setEnabled(not self._read_only and not self._busy and selected)
        self.open_button.setEnabled(selected)
        self.add_button.setVisible(not self._read_only)
        self.remove_button.setVisible(not self._read_only)
        self.empty.setText(
            "No files." if self._read_only else f"No files yet: drop them here or use Add files… ({self.limits})."
        )
        if full and not self._read_only:
            self.state.setText(f"The most files this statement takes ({self.policy.max_files}).")
        elif not self._busy:
            self.state.setText("")

    def _changed(self) -> None:
        self._refresh()
        self.sig_changed.emit()

    # Adding ------------------------------------------------------------------------------------------

    @Slot()
    def choose_files(self) -> None:
        patterns = " ".join(f"*{ext}" for ext in ef.extensions(self.policy))
        chosen = file_dialogs.ask_open_files(
            self, f"Attach evidence — {self.item.label[:80]}", f"Evidence files ({patterns});;All files (*)"
        )
        if chosen:
            self.add_paths(chosen)

    def add_paths(self, paths: Sequence[Path]) -> Job[tuple[list[Entry], list[str]]] | None:
        """Check and store the files on a worker thread, then add those accepted; refusals are shown together."""
        if self._read_only or self._busy or not paths:
            return None
        self._busy = True
        names = ", ".join(p.name for p in paths[:3]) + ("…" if len(paths) > 3 else "")
        self.state.setText(f"Attaching {names}…")
        self._update()
        store, item_id, held = self.file_actions.store, self.item.id, self.entries()

        def work(job: Job[tuple[list[Entry], list[str]]]) -> tuple[list[Entry], list[str]]:
            accepted: list[Entry] = []
            refused: list[str] = []
            for n, path in enumerate(paths):
                job.progress(n, len(paths), f"Checking and copying {path.name}…")
                if path.is_dir():
                    refused.append(f"{path.name} is a folder: attach the files in it instead.")
                    continue
                try:
                    accepted.append(store(item_id, path, [*held, *accepted]))
                except ReturnError as exc:
                    refused.append(str(exc))
            return accepted, refused

        job: Job[tuple[list[Entry], list[str]]] = Job(
            self.window(), "Attaching evidence", work, label=f"Attaching {names}…"
        )
        job.on_success(self._added).on_done(self._not_busy).on_failure(self._add_failed)
        return job.start()

    def _added(self, result: tuple[list[Entry], list[str]]) -> None:
        if not _alive(self):
            return
        accepted, refused = result
        known = {e.get("sha256") for e in self._entries}
        fresh = [e for e in accepted if e.get("sha256") not in known]
        if fresh:
            self._forget_removed()
            self._entries += fresh
            self._changed()
            self.list.setCurrentRow(len(self._entries) - 1)
        if refused:
            n = len(refused)
            message(
                self,
                "File not attached" if n == 1 else f"{n} files not attached",
                "\n\n".join(refused),
                icon=QMessageBox.Icon.Warning,
            )

    def _add_failed(self, exc: BaseException) -> None:
        log.error("attaching evidence failed", exc_info=exc)
        if _alive(self):
            message(self, "Files not attached", f"They could not be attached: {exc}", icon=QMessageBox.Icon.Warning)

    def _not_busy(self) -> None:
        if _alive(self):
            self._busy = False
            self.state.setText("")
            self._update()

    # Drag and drop -----------------------------------------------------------------------------------

    def _dropped_paths(self, event: QDropEvent | QDragEnterEvent | QDragMoveEvent) -> list[Path]:
        mime = event.mimeData()
        if self._read_only or self._busy or not mime.hasUrls():
            return []
        return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._dropped_paths(event):
            event.acceptProposedAction()
            self.setProperty("dropping", True)
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._dropped_paths(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragLeaveEvent(self, event: QEvent) -> None:
        self.setProperty("dropping", False)
        super().dragLeaveEvent(event)  # type: ignore[arg-type]

    def dropEvent(self, event: QDropEvent) -> None:
        self.setProperty("dropping", False)
        paths = self._dropped_paths(event)
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.add_paths(paths)

    # Open, remove, undo ------------------------------------------------------------------------------

    def selected(self) -> Entry | None:
        row = self.list.currentRow()
        return self._entries[row] if 0 <= row < len(self._entries) else None

    @Slot()
    def open_selected(self) -> None:
        entry = self.selected()
        if entry is None:
            return
        opener = self.file_actions.open_copy
        name = str(entry.get("name", "file"))
        open_in_viewer(self, name, lambda: opener(entry), could_run_code=not ef.allowed(self.policy, name))

    @Slot()
    def remove_selected(self) -> None:
        row = self.list.currentRow()
        if self._read_only or self._busy or not 0 <= row < len(self._entries):
            return
        entry = self._entries.pop(row)
        self._removed = (row, entry)
        self.undo_text.setText(f"Removed {entry.get('name', 'the file')}.")
        self.undo_bar.setVisible(True)
        self._undo_timer.start()
        self._changed()
        (self.list if self._entries else self.add_button).setFocus()

    @Slot()
    def undo_remove(self) -> None:
        if self._removed is None or self._read_only:
            return
        row, entry = self._removed
        self._forget_removed()
        if all(e.get("sha256") != entry.get("sha256") for e in self._entries):
            self._entries.insert(min(row, len(self._entries)), entry)
            self._changed()
            self.list.setCurrentRow(min(row, len(self._entries) - 1))
            self.list.setFocus()

    @Slot()
    def _forget_removed(self) -> None:
        self._removed = None
        self._undo_timer.stop()
        self.undo_bar.setVisible(False)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.list and event.type() == QEvent.Type.KeyPress:
            key = event if isinstance(event, QKeyEvent) else None
            if key is not None and key.key() == Qt.Key.Key_Delete and not self._read_only:
                self.remove_selected()
                return True
            if key is not None and key.matches(QKeySequence.StandardKey.Undo) and self._removed is not None:
                self.undo_remove()
                return True
        return super().eventFilter(watched, event)


class AttachmentsInput(ItemInput):
    """An attachments item: its answer is its list of files."""

    def __init__(self, item: Item, actions: FileActions, parent: QWidget | None = None) -> None:
        super().__init__(item, parent)
        self.files = FilesList(item, actions)
        self.files.title.setVisible(False)
        self.files.sig_changed.connect(self._emit)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.files)
        self.setFocusProxy(self.files.add_button)

    def value(self) -> list[Entry] | None:
        return ef.with_files(self.item, None, self.files.entries())

    def _apply(self, value: Any) -> None:
        self.files.set_entries(ef.files_of(self.item, value))

    def set_read_only(self, read_only: bool) -> None:
        self.files.set_read_only(read_only)


class RatingWithFiles(RatingInput):
    """A rated statement that takes evidence files: the files sit under its written evidence."""

    def __init__(self, item: Item, actions: FileActions, parent: QWidget | None = None) -> None:
        super().__init__(item, parent)
        self.files = FilesList(item, actions)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(layout.indexOf(self.evidence) + 1, self.files)
        self.files.sig_changed.connect(self._changed)
        self._show_parts()

    def _show_parts(self) -> None:
        super()._show_parts()
        files = getattr(self, "files", None)
        if files is None or "evidence" not in (self.item.files.count_as if self.item.files else ()):
            return
        level_id = self.level.value()
        level = self.scale.level(level_id) if level_id else None
        if level is not None and "evidence" in level.requires:
            has_files = bool(files.entries())
            needed = " (or the files below)" if has_files else " (needed: write it, or attach files below)"
            self.evidence_label.setText("Evidence" + needed)

    def value(self) -> dict[str, Any] | None:
        return ef.with_files(self.item, super().value(), self.files.entries())  # type: ignore[no-any-return]

    def _apply(self, value: Any) -> None:
        self.files.set_entries(ef.files_of(self.item, value))
        super()._apply(value)

    def set_read_only(self, read_only: bool) -> None:
        super().set_read_only(read_only)
        self.files.set_read_only(read_only)


def make_files_input(item: Item, actions: FileActions) -> ItemInput | None:
    """The input of an item that takes files, or None for any other."""
    if item.type == "attachments":
        return AttachmentsInput(item, actions)
    if item.type == "rating" and item.files is not None:
        return RatingWithFiles(item, actions)
    return None

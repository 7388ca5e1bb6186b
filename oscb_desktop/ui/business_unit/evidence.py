"""A received return's evidence files, for the Business Unit: statement by statement in the return viewer, opened
only when asked and only from a read-only temporary copy; and the "check this evidence" hints beside the review.

Nothing in an agency's file is opened or run by itself: the list shows names, sizes and dates from the signed
answers, and Open (a click, or Enter) hands a copy to the system's viewer, after a warning for a kind of file that
could run code. A return that came as its signed PDF alone names its files without carrying them: they are listed
as not received yet, and Open waits for the bundle.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from oscb_desktop import textsafe
from oscb_desktop.services import evidence_review
from oscb_desktop.services.values import EvidenceHint, ReceivedFile, ReceivedInfo
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.ui.common import message
from oscb_desktop.ui.editor.evidence import describe, open_in_viewer
from oscb_desktop.ui.ops import Job

FILE_ROLE = Qt.ItemDataRole.UserRole


class _FileTree(QTreeWidget):
    """A tree whose Enter stops at the file it opens. Qt passes the key on to the dialog once the item is activated,
    and the dialog presses its default button: that of the message the activation has just shown (the warning
    before a file that could run code, or "not received yet"), which closed it at once."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        super().keyPressEvent(event)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentItem() is not None:
            event.accept()


class ReceivedEvidence(QWidget):
    """The evidence files of the version shown, under the statements they are attached to."""

    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.row: ReceivedInfo | None = None
        self.files: list[ReceivedFile] = []
        self._items: dict[tuple[str, str], QTreeWidgetItem] = {}
        explain = QLabel(
            "The files the agency attached to its statements, as signed. Nothing is opened by itself: Open "
            "(or Enter) shows a read-only copy in this computer's viewer."
        )
        explain.setWordWrap(True)
        explain.setObjectName("muted")
        self.tree = _FileTree()
        self.tree.setColumnCount(1)
        self.tree.setHeaderHidden(True)
        self.tree.setAccessibleName("Evidence files of this return, by statement")
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setWordWrap(True)
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.itemActivated.connect(lambda _item, _col: self.open_selected())
        self.tree.currentItemChanged.connect(lambda *_: self._update())
        self.none = QLabel("The agency attached no evidence files to this return.")
        self.none.setObjectName("muted")
        self.missing = QLabel(
            "Not received yet: this return came as its signed PDF alone, which names these files but does not "
            "carry them. Import the return's .oscb bundle to open them here."
        )
        self.missing.setWordWrap(True)
        self.missing.setObjectName("warningBanner")
        self.open_button = QPushButton("&Open file…")
        self.open_button.setAutoDefault(False)
        self.open_button.setAccessibleName("Open the selected evidence file (a read-only copy)")
        self.open_button.clicked.connect(self.open_selected)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addWidget(self.missing)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.none)
        layout.addLayout(row)
        self._update()

    def show_return(self, row: ReceivedInfo) -> None:
        self.row = row
        self.files = evidence_review.received_files(self.ws, row.id)
        self.tree.clear()
        self._items = {}
        statements: dict[str, QTreeWidgetItem] = {}
        for f in self.files:
            parent = statements.get(f.item_id)
            if parent is None:
                parent = QTreeWidgetItem([textsafe.shown(f"{f.code}  {f.label}")])
                parent.setToolTip(0, textsafe.shown(f"{f.code}  {f.label}"))
                font = parent.font(0)
                font.setBold(True)
                parent.setFont(0, font)
                parent.setFlags(parent.flags() & ~Qt.ItemFlag.ItemIsSelectable)
                self.tree.addTopLevelItem(parent)
                statements[f.item_id] = parent
            warning = "" if f.allowed_type else " · ⚠ not a usual kind of evidence file: it may run code"
            if not f.received:
                warning += f" · {evidence_review.NOT_RECEIVED}"
            details = describe({"size": f.size, "added": f.added, "carried": f.carried}) + warning
            child = QTreeWidgetItem([f"{textsafe.shown(f.name)}\n{details}"])
            child.setData(0, FILE_ROLE, (f.item_id, f.sha256))
            tip = (
                f"{textsafe.shown(f.name)}\nSHA-256 {f.sha256}"
                + ("\nCarried forward from the agency's previous return" if f.carried else "")
                + ("" if f.received else "\nNot received yet: import the return's .oscb bundle to open it")
            )
            child.setToolTip(0, tip)
            parent.addChild(child)
            self._items[(f.item_id, f.sha256)] = child
        self.tree.expandAll()
        if self._items:
            self.tree.setCurrentItem(next(iter(self._items.values())))
        self.tree.setVisible(bool(self.files))
        self.none.setVisible(not self.files)
        self.missing.setVisible(any(not f.received for f in self.files))
        self._update()

    @property
    def not_received(self) -> int:
        """How many of the listed files have not come (the return came as its signed PDF alone)."""
        return sum(not f.received for f in self.files)

    def _update(self) -> None:
        f = self.selected()
        self.open_button.setEnabled(f is not None and f.received)

    def selected(self) -> ReceivedFile | None:
        item = self.tree.currentItem()
        key = item.data(0, FILE_ROLE) if item is not None else None
        return next((f for f in self.files if (f.item_id, f.sha256) == tuple(key)), None) if key else None

    def select(self, item_id: str, sha256: str) -> bool:
        """Select a file (from a hint); False if it is not in the list."""
        child = self._items.get((item_id, sha256))
        if child is None:
            return False
        self.tree.setCurrentItem(child)
        self.tree.scrollToItem(child)
        self.tree.setFocus()
        return True

    @Slot()
    def open_selected(self) -> None:
        f, row = self.selected(), self.row
        if f is None or row is None:
            return
        if not f.received:  # Enter on a file that has not come: say why nothing opens
            message(
                self,
                "File not received yet",
                f"{f.name} is {evidence_review.NOT_RECEIVED}.",
                informative="This return came as its signed PDF alone, which names the file but does not carry it. "
                "Ask the agency for the return's .oscb file and import it: the return is completed and the file "
                "opens here.",
            )
            return
        ws = self.ws
        open_in_viewer(
            self,
            f.name,
            lambda: evidence_review.open_copy(ws, row.id, f.sha256, f.name),
            could_run_code=not f.allowed_type,
        )


class EvidenceHints(QGroupBox):
    """ "Check this evidence": the hints about the shown version's files, worked out on a worker thread (it reads
    the return's PDFs). Each says what to check, with a button that shows the file. Hidden while there are none."""

    sig_show_file = Signal(str, str)
    """The user chose a hint: show that file (item id, SHA-256)."""

    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__("Check this evidence", parent)
        self.ws = ws
        self.hints: list[EvidenceHint] = []
        self.buttons: list[QPushButton] = []
        self._showing: int | None = None
        self.rows = QVBoxLayout(self)
        self.rows.setContentsMargins(8, 4, 8, 6)
        self.setVisible(False)

    def show_return(self, row: ReceivedInfo) -> Job[list[EvidenceHint]]:
        self._showing = row.id
        self._fill(row.id, [])
        ws, received_id = self.ws, row.id
        job: Job[list[EvidenceHint]] = Job(
            self.window(),
            "Checking the evidence files",
            lambda _job: evidence_review.evidence_hints(ws, received_id),
            show_progress=False,
        )
        job.on_success(lambda hints: self._fill(received_id, hints)).on_failure(lambda _exc: None)
        return job.start()

    def _fill(self, received_id: int, hints: list[EvidenceHint]) -> None:
        try:
            if received_id != self._showing:
                return  # another version is shown meanwhile
        except RuntimeError:
            return  # the viewer was closed
        while self.rows.count():
            taken = self.rows.takeAt(0)
            widget = taken.widget() if taken is not None else None
            if widget is not None:
                widget.deleteLater()
        self.hints, self.buttons = hints, []
        for hint in hints:
            line = QWidget()
            row = QHBoxLayout(line)
            row.setContentsMargins(0, 0, 0, 0)
            text = QLabel(f"⚠ {textsafe.shown(hint.message)}")
            text.setWordWrap(True)
            text.setTextFormat(Qt.TextFormat.PlainText)
            show = QPushButton("Show file")
            show.setAutoDefault(False)
            show.setAccessibleName(f"Show {textsafe.shown(hint.name)} in the evidence files")
            show.clicked.connect(lambda _checked=False, h=hint: self.sig_show_file.emit(h.item_id, h.sha256))
            row.addWidget(text, 1)
            row.addWidget(show, 0, Qt.AlignmentFlag.AlignTop)
            self.rows.addWidget(line)
            self.buttons.append(show)
        self.setTitle(f"Check this evidence ({len(hints)})")
        self.setVisible(bool(hints))

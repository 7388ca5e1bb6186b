"""One widget per form item, generated from the definition, and the frame that shows it with
its label, guidance, inline problems and carried-forward banner.

The simple one-field items and the base class are in :mod:`.item_base`, tables in :mod:`.table`, evidence
files in :mod:`.evidence`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from oscb_desktop.forms.model import NOT_APPLICABLE, Item
from oscb_desktop.ui.editor.find import mark_answers, marked
from oscb_desktop.ui.editor.inputs import (
    ChoiceCombo,
    TextArea,
)
from oscb_desktop.ui.editor.item_base import ItemInput, SimpleItemInput
from oscb_desktop.ui.editor.table import TableInput, TableRow

if TYPE_CHECKING:
    from oscb_desktop.ui.editor.evidence import FileActions

__all__ = [
    "ItemFrame",
    "ItemInput",
    "MultiChoiceInput",
    "RankedInput",
    "RatingInput",
    "SimpleItemInput",
    "TableInput",
    "TableRow",
    "make_input",
]


class RatingInput(ItemInput):
    """Level (word, colour and percentage), evidence, and the parts some levels require."""

    def __init__(self, item: Item, parent: QWidget | None = None) -> None:
        super().__init__(item, parent)
        assert item.scale is not None
        self.scale = item.scale
        self.level = ChoiceCombo(self.scale.choices)
        self.level.set_accessible(f"Rating: {item.label}", item.guidance)
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.description.setObjectName("muted")
        self.evidence = TextArea(
            "What shows this? Policies, audits, training records, minutes…", max_length=item.max_length
        )
        self.evidence.set_accessible(f"Evidence: {item.label}")
        self.example = TextArea("A best-practice example partners could learn from", max_length=item.max_length)
        self.example.set_accessible(f"Best-practice example: {item.label}")
        self.reason = TextArea("Why this statement does not apply to your agency", max_length=item.max_length)
        self.reason.set_accessible(f"Reason not applicable: {item.label}")
        self.example_label = QLabel("Best-practice example")
        self.reason_label = QLabel("Why it does not apply")
        self.evidence_label = QLabel("Evidence")
        for lbl, buddy in (
            (self.example_label, self.example),
            (self.reason_label, self.reason),
            (self.evidence_label, self.evidence),
        ):
            lbl.setBuddy(buddy.edit)
            lbl.setObjectName("partLabel")

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.level)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.description)
        layout.addWidget(self.evidence_label)
        layout.addWidget(self.evidence)
        layout.addWidget(self.example_label)
        layout.addWidget(self.example)
        layout.addWidget(self.reason_label)
        layout.addWidget(self.reason)
        self.setFocusProxy(self.level)
        for part in (self.level, self.evidence, self.example, self.reason):
            part.sig_changed.connect(self._changed)
        self._show_parts()

    @Slot()
    def _changed(self) -> None:
        self._show_parts()
        self._emit()

    def _show_parts(self) -> None:
        level_id = self.level.value()
        level = self.scale.level(level_id) if level_id else None
        requires = level.requires if level else ()
        self.example_label.setText("Best-practice example" + (" (needed)" if "example" in requires else ""))
        self.evidence_label.setText("Evidence" + (" (needed)" if "evidence" in requires else ""))
        self.reason_label.setText("Why it does not apply (needed)")
        show_example = "example" in requires or bool(self.example.value().strip())
        show_reason = level_id == NOT_APPLICABLE or bool(self.reason.value().strip())
        self.example_label.setVisible(show_example)
        self.example.setVisible(show_example)
        self.reason_label.setVisible(show_reason)
        self.reason.setVisible(show_reason)
        # The level shows once, in the drop-down (its word, percentage and colour); its meaning beside it.
        self.description.setText(level.description if level is not None else "Not rated yet.")

    def value(self) -> dict[str, str] | None:
        level = self.level.value()
        parts = {"evidence": self.evidence.value(), "example": self.example.value(), "reason": self.reason.value()}
        if not level and not any(p.strip() for p in parts.values()):
            return None
        return {"level": level or "", **parts}

    def _apply(self, value: Any) -> None:
        value = value if isinstance(value, dict) else {}
        self.level.set_value(value.get("level"))
        self.evidence.set_value(value.get("evidence", ""))
        self.example.set_value(value.get("example", ""))
        self.reason.set_value(value.get("reason", ""))
        self._show_parts()

    def set_read_only(self, read_only: bool) -> None:
        for part in (self.level, self.evidence, self.example, self.reason):
            part.set_read_only(read_only)


class MultiChoiceInput(ItemInput):
    def __init__(self, item: Item, parent: QWidget | None = None) -> None:
        super().__init__(item, parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.boxes: dict[str, QCheckBox] = {}
        for opt in item.options:
            box = QCheckBox(opt.label)
            box.setAccessibleName(f"{opt.label}: {item.label}")
            box.toggled.connect(self._emit)
            layout.addWidget(box)
            self.boxes[opt.id] = box
        if self.boxes:
            self.setFocusProxy(next(iter(self.boxes.values())))

    def value(self) -> list[str]:
        return [oid for oid, box in self.boxes.items() if box.isChecked()]

    def _apply(self, value: Any) -> None:
        chosen = set(value) if isinstance(value, list) else set()
        for oid, box in self.boxes.items():
            box.setChecked(oid in chosen)

    def set_read_only(self, read_only: bool) -> None:
        for box in self.boxes.values():
            box.setEnabled(not read_only)


class RankedInput(ItemInput):
    """Top-N: for each rank a category from the list and an explanation."""

    def __init__(self, item: Item, parent: QWidget | None = None) -> None:
        super().__init__(item, parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setColumnStretch(1, 1)
        self.rows: list[tuple[ChoiceCombo, TextArea]] = []
        for n in range(1, item.ranks + 1):
            rank = QLabel(f"<b>{n}</b>")
            rank.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
            combo = ChoiceCombo(item.options)
            combo.set_accessible(f"Rank {n} category: {item.label}")
            text = TextArea("Explain, in your agency's words", max_length=item.max_length)
            text.set_accessible(f"Rank {n} explanation: {item.label}")
            combo.sig_changed.connect(self._emit)
            text.sig_changed.connect(self._emit)
            # Category above its explanation, so the text gets the full width.
            grid.addWidget(rank, 2 * n - 2, 0)
            grid.addWidget(combo, 2 * n - 2, 1)
            grid.addWidget(text, 2 * n - 1, 1)
            self.rows.append((combo, text))
        self.setFocusProxy(self.rows[0][0])

    def value(self) -> list[dict[str, str]] | None:
        ranks = [{"category": c.value() or "", "text": t.value()} for c, t in self.rows]
        while ranks and not ranks[-1]["category"] and not ranks[-1]["text"].strip():
            ranks.pop()
        return ranks or None

    def _apply(self, value: Any) -> None:
        ranks = value if isinstance(value, list) else []
        for n, (combo, text) in enumerate(self.rows):
            rank = ranks[n] if n < len(ranks) and isinstance(ranks[n], dict) else {}
            combo.set_value(rank.get("category"))
            text.set_value(rank.get("text", ""))

    def set_read_only(self, read_only: bool) -> None:
        for combo, text in self.rows:
            combo.set_read_only(read_only)
            text.set_read_only(read_only)


def make_input(item: Item, files: FileActions) -> ItemInput:
    from oscb_desktop.ui.editor.evidence import make_files_input  # built on the inputs here

    with_files = make_files_input(item, files)
    if with_files is not None:
        return with_files
    if item.type == "rating":
        return RatingInput(item)
    if item.type == "multi_choice":
        return MultiChoiceInput(item)
    if item.type == "ranked":
        return RankedInput(item)
    if item.type == "table":
        return TableInput(item)
    return SimpleItemInput(item)


class ItemFrame(QFrame):
    """An item as the user sees it: label, input, inline problems, guidance beside, carried banner."""

    sig_confirm_carried = Signal(str)
    """The user keeps a carried-forward answer as it is (item id)."""

    sig_history_requested = Signal(str)
    """The user asked for the answer history of this item (item id)."""

    def __init__(self, item: Item, number: str, item_input: ItemInput, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item = item
        self.input = item_input
        self.setObjectName("itemFrame")
        required = " *" if item.required else ""
        self._heading = (f"<b>{number}</b>&nbsp; ", required)
        self.label = QLabel(f"<b>{number}</b>&nbsp; {_html(item.label)}{required}")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setBuddy(item_input)
        # Not a Tab stop (that would double the stops in a form of a hundred items): Ctrl+H opens the history of
        # the item being answered, and so does the frame's context menu.
        self.history_button = QToolButton()
        self.history_button.setText("History…")
        self.history_button.setAutoRaise(True)
        self.history_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.history_button.setAccessibleName(f"Answer history: {item.label}")
        self.history_button.setToolTip("Who changed this answer and when; restore an earlier version (Ctrl+H)")
        self.history_button.clicked.connect(lambda: self.sig_history_requested.emit(item.id))
        history_action = QAction("Answer history… (Ctrl+H)", self)
        history_action.triggered.connect(lambda: self.sig_history_requested.emit(item.id))
        self.addAction(history_action)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        scope = scope_text(item.scope)
        self.scope = QLabel(scope, self)  # a child from the start: shown while parentless it would be a window
        self.scope.setObjectName("muted")
        self.scope.setVisible(bool(scope))

        self.carried = QFrame()
        self.carried.setObjectName("carriedBanner")
        carried_layout = QHBoxLayout(self.carried)
        carried_layout.setContentsMargins(8, 4, 8, 4)
        self.carried_text = QLabel()
        self.carried_text.setWordWrap(True)
        self.confirm = QPushButton("Keep as it is")
        self.confirm.setAccessibleName(f"Keep the carried-forward answer: {item.label}")
        self.confirm.clicked.connect(lambda: self.sig_confirm_carried.emit(item.id))
        carried_layout.addWidget(self.carried_text, 1)
        carried_layout.addWidget(self.confirm)
        self.carried.setVisible(False)

        self.problems = QLabel()
        self.problems.setObjectName("problem")
        self.problems.setWordWrap(True)
        self.problems.setVisible(False)
        #: Why the store refuses the answer as it is (it stays unsaved until it changes).
        self.save_error = QLabel()
        self.save_error.setObjectName("problem")
        self.save_error.setWordWrap(True)
        self.save_error.setVisible(False)

        self.guidance = QLabel(_html(item.guidance))
        self.guidance.setObjectName("guidance")
        self.guidance.setWordWrap(True)
        self.guidance.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        heading = QHBoxLayout()
        heading.addWidget(self.label, 1)
        heading.addWidget(self.history_button, 0, Qt.AlignmentFlag.AlignTop)
        left = QVBoxLayout()
        left.addLayout(heading)
        left.addWidget(self.scope)
        left.addWidget(self.carried)
        left.addWidget(item_input)
        left.addWidget(self.problems)
        left.addWidget(self.save_error)
        right = QVBoxLayout()
        right.addWidget(self.guidance)
        right.addStretch(1)
        grid = QHBoxLayout(self)
        grid.setContentsMargins(10, 10, 10, 10)
        grid.addLayout(left, 3)
        grid.addLayout(right, 2)
        self.setFocusProxy(item_input)

    def set_problems(self, messages: list[str]) -> None:
        self.problems.setText("\n".join(f"⚠ {m}" for m in messages))
        self.problems.setVisible(bool(messages))
        self.setProperty("hasProblem", bool(messages))
        self.style().unpolish(self)
        self.style().polish(self)

    def set_find_term(self, term: str) -> None:
        """Mark the words found (Find) in the question, its guidance and the text answers; "" clears the marks."""
        number, required = self._heading
        self.label.setText(f"{number}{marked(self.item.label, term)}{required}")
        self.guidance.setTextFormat(Qt.TextFormat.RichText)
        self.guidance.setText(marked(self.item.guidance, term))
        mark_answers(self.input, term)

    def set_save_error(self, message: str | None) -> None:
        self.save_error.setText(f"Not saved: {message}" if message else "")
        self.save_error.setVisible(bool(message))

    def set_carried(self, origin: str | None) -> None:
        """``origin``: "Carried forward from 2025/26" or "Copied from your BSCP return"; None hides the banner."""
        if origin:
            self.carried_text.setText(f"{origin}. Review it: change anything that is out of date, or keep it as it is.")
        self.carried.setVisible(bool(origin))

    def set_read_only(self, read_only: bool) -> None:
        self.input.set_read_only(read_only)
        self.confirm.setEnabled(not read_only)


#: What a statement's scope means to a reader.
SCOPES = {"both": "Children and adults", "children": "Children", "adults": "Adults"}


def scope_text(scope: str | None) -> str:
    """'Applies to: Children and adults' (empty without a scope)."""
    return f"Applies to: {SCOPES.get(scope, scope)}" if scope else ""


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br>")

"""One widget per form item, generated from the definition, and the frame that shows it with
its label, guidance, inline problems and carried-forward banner."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from oscb_desktop.forms.model import NOT_APPLICABLE, Column, Item
from oscb_desktop.ui import file_dialogs
from oscb_desktop.ui.editor.inputs import (
    ChoiceCombo,
    DateInput,
    NumberLine,
    TextArea,
    TextLine,
    ValueInput,
    YesNo,
)

#: Copies a chosen file into the workspace and returns its reference ({sha256, name, size}).
StoreFile = Callable[[Path], dict[str, Any]]
#: Opens a stored evidence file with the system's viewer.
OpenFile = Callable[[dict[str, Any]], None]


def simple_input(
    kind: str,
    *,
    options: tuple = (),
    minimum: float | None = None,
    maximum: float | None = None,
    integer: bool = False,
    unit: str = "",
) -> ValueInput:
    if kind == "short_text":
        return TextLine()
    if kind == "long_text":
        return TextArea()
    if kind == "choice":
        return ChoiceCombo(options)
    if kind == "number":
        return NumberLine(minimum, maximum, integer, unit)
    if kind == "date":
        return DateInput()
    if kind == "yes_no":
        return YesNo()
    raise ValueError(f"no simple input for {kind!r}")


class ItemInput(QWidget):
    """The input part of an item: holds the item's answer value."""

    sig_value_changed = Signal(str)
    """The user changed the answer (item id); read it with value()."""

    def __init__(self, item: Item, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item = item
        self._loading = False

    def value(self) -> Any:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        self._loading = True
        try:
            self._apply(value)
        finally:
            self._loading = False

    def _apply(self, value: Any) -> None:
        raise NotImplementedError

    def set_read_only(self, read_only: bool) -> None:
        raise NotImplementedError

    @Slot()
    def _emit(self) -> None:
        if not self._loading:
            self.sig_value_changed.emit(self.item.id)


class SimpleItemInput(ItemInput):
    def __init__(self, item: Item, parent: QWidget | None = None) -> None:
        super().__init__(item, parent)
        self.input = simple_input(
            item.type,
            options=item.options,
            minimum=item.minimum,
            maximum=item.maximum,
            integer=item.integer,
            unit=item.unit,
        )
        self.input.set_accessible(item.label, item.guidance)
        self.input.sig_changed.connect(self._emit)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.input)
        self.setFocusProxy(self.input)

    def value(self) -> Any:
        v = self.input.value()
        return None if v == "" else v

    def _apply(self, value: Any) -> None:
        self.input.set_value(value)

    def set_read_only(self, read_only: bool) -> None:
        self.input.set_read_only(read_only)


class RatingInput(ItemInput):
    """Level (word, colour and percentage), evidence, and the parts some levels require."""

    def __init__(self, item: Item, parent: QWidget | None = None) -> None:
        super().__init__(item, parent)
        assert item.scale is not None
        self.scale = item.scale
        self.level = ChoiceCombo(self.scale.choices)
        self.level.set_accessible(f"Rating: {item.label}", item.guidance)
        self.badge = QLabel()
        self.badge.setObjectName("ratingBadge")
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.description.setObjectName("muted")
        self.evidence = TextArea("What shows this? Policies, audits, training records, minutes…")
        self.evidence.set_accessible(f"Evidence: {item.label}")
        self.example = TextArea("A best-practice example partners could learn from")
        self.example.set_accessible(f"Best-practice example: {item.label}")
        self.reason = TextArea("Why this statement does not apply to your agency")
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
        top.addWidget(self.badge)
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
        if level is None:
            self.badge.setText("Not rated yet")
            self.badge.setStyleSheet("")
            self.description.setText("")
        else:
            self.badge.setText(f" {level.display} ")
            self.badge.setStyleSheet(
                f"background:{level.colour}; color:white; border-radius:3px; padding:2px 6px; font-weight:600;"
            )
            self.description.setText(level.description)

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
            text = TextArea("Explain, in your agency's words")
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


class TableRow(QFrame):
    sig_remove = Signal(object)
    """The user asked to remove this row."""

    def __init__(self, item: Item, number: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tableRow")
        self.inputs: dict[str, ValueInput] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 6, 6, 6)
        self.title = QLabel()
        grid.addWidget(self.title, 0, 0, 1, 2)
        row = 1
        for col in item.columns:
            label = QLabel(col.label + (" *" if col.required else ""))
            editor = self._make(col)
            label.setBuddy(editor.focusProxy() or editor)
            grid.addWidget(label, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(editor, row, 1, 1, 2)
            self.inputs[col.id] = editor
            row += 1
        # Made after the fields so that Tab reaches it after them.
        self.remove = QPushButton("Remove")
        self.remove.clicked.connect(lambda: self.sig_remove.emit(self))
        grid.addWidget(self.remove, 0, 2, Qt.AlignmentFlag.AlignRight)
        grid.setColumnStretch(1, 1)
        self._item = item
        self.renumber(number)

    @staticmethod
    def _make(col: Column) -> ValueInput:
        return simple_input(col.type, options=col.options, minimum=col.minimum, maximum=col.maximum)

    def renumber(self, number: int) -> None:
        noun = "Action" if self._item.id.endswith("actions") else "Row"
        self.title.setText(f"<b>{noun} {number}</b>")
        self.remove.setAccessibleName(f"Remove {noun.lower()} {number}: {self._item.label}")
        for col in self._item.columns:
            self.inputs[col.id].set_accessible(f"{col.label}, {noun.lower()} {number}: {self._item.label}")

    def value(self) -> dict[str, Any]:
        out = {}
        for cid, editor in self.inputs.items():
            v = editor.value()
            out[cid] = None if v == "" else v
        return out

    def set_value(self, row: dict[str, Any]) -> None:
        for cid, editor in self.inputs.items():
            editor.set_value(row.get(cid))


class TableInput(ItemInput):
    """A repeating table as a list of row editors, with Add and Remove."""

    def __init__(self, item: Item, parent: QWidget | None = None) -> None:
        super().__init__(item, parent)
        self.rows: list[TableRow] = []
        self.rows_box = QVBoxLayout()
        self.rows_box.setContentsMargins(0, 0, 0, 0)
        noun = "action" if item.id.endswith("actions") else "row"
        self.add_button = QPushButton(f"Add {noun}")
        self.add_button.setAccessibleName(f"Add {noun}: {item.label}")
        self.add_button.clicked.connect(self._add_clicked)
        self.empty = QLabel(f"No {noun}s yet.")
        self.empty.setObjectName("muted")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.empty)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addLayout(self.rows_box)
        self.setFocusProxy(self.add_button)
        self._read_only = False

    def _add_row(self) -> TableRow:
        row = TableRow(self.item, len(self.rows) + 1)
        for editor in row.inputs.values():
            editor.sig_changed.connect(self._emit)
        row.sig_remove.connect(self._remove)
        self.rows.append(row)
        self.rows_box.addWidget(row)
        row.remove.setEnabled(not self._read_only)
        for editor in row.inputs.values():
            editor.set_read_only(self._read_only)
        self._update_empty()
        self._fix_tab_order()
        return row

    def _fix_tab_order(self) -> None:
        """Add, then each row's fields and its Remove button. Rows join the window after the rest of
        the form, so without this Tab would reach them only after everything else."""
        chain: list[QWidget] = [self.add_button]
        for row in self.rows:
            for editor in row.inputs.values():
                chain.extend(editor.focus_widgets())
            chain.append(row.remove)
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    @Slot()
    def _add_clicked(self) -> None:
        if self.item.max_rows is not None and len(self.rows) >= self.item.max_rows:
            return
        row = self._add_row()
        first = next(iter(row.inputs.values()))
        first.setFocus(Qt.FocusReason.OtherFocusReason)
        self._emit()

    @Slot(object)
    def _remove(self, row: TableRow) -> None:
        self.rows.remove(row)
        row.hide()
        row.deleteLater()
        for n, r in enumerate(self.rows, start=1):
            r.renumber(n)
        self._update_empty()
        self.add_button.setFocus()
        self._emit()

    def _update_empty(self) -> None:
        self.empty.setVisible(not self.rows)
        full = self.item.max_rows is not None and len(self.rows) >= self.item.max_rows
        self.add_button.setEnabled(not self._read_only and not full)

    def value(self) -> list[dict[str, Any]] | None:
        return [r.value() for r in self.rows] or None

    def _apply(self, value: Any) -> None:
        rows = [r for r in value if isinstance(r, dict)] if isinstance(value, list) else []
        while len(self.rows) > len(rows):
            gone = self.rows.pop()
            gone.hide()
            gone.deleteLater()
        while len(self.rows) < len(rows):
            self._add_row()
        for row, data in zip(self.rows, rows, strict=True):
            row.set_value(data)
        self._update_empty()

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        for row in self.rows:
            row.remove.setEnabled(not read_only)
            for editor in row.inputs.values():
                editor.set_read_only(read_only)
        self._update_empty()


class AttachmentsInput(ItemInput):
    """Evidence files: kept in the workspace by SHA-256; the answer lists them."""

    def __init__(self, item: Item, store_file: StoreFile, open_file: OpenFile, parent: QWidget | None = None) -> None:
        super().__init__(item, parent)
        self._store_file = store_file
        self._open_file = open_file
        self._files: list[dict[str, Any]] = []
        self.list = QListWidget()
        self.list.setAccessibleName(f"Attached files: {item.label}")
        self.list.setMaximumHeight(120)
        self.list.itemActivated.connect(lambda _i: self._open())
        self.add_button = QPushButton("Add file…")
        self.add_button.setAccessibleName(f"Add file: {item.label}")
        self.remove_button = QPushButton("Remove")
        self.remove_button.setAccessibleName(f"Remove selected file: {item.label}")
        self.open_button = QPushButton("Open")
        self.open_button.setAccessibleName(f"Open selected file: {item.label}")
        self.add_button.clicked.connect(self._add)
        self.remove_button.clicked.connect(self._remove)
        self.open_button.clicked.connect(self._open)
        self.list.currentRowChanged.connect(lambda _r: self._update_buttons())
        buttons = QHBoxLayout()
        for b in (self.add_button, self.open_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        layout.addLayout(buttons)
        self.setFocusProxy(self.add_button)
        self._read_only = False
        self._update_buttons()

    def _update_buttons(self) -> None:
        selected = self.list.currentRow() >= 0 and bool(self._files)
        full = self.item.max_files is not None and len(self._files) >= self.item.max_files
        self.add_button.setEnabled(not self._read_only and not full)
        self.remove_button.setEnabled(not self._read_only and selected)
        self.open_button.setEnabled(selected)

    def _refresh(self) -> None:
        self.list.clear()
        for ref in self._files:
            entry = QListWidgetItem(f"{ref['name']}  ({_size(ref['size'])})")
            entry.setToolTip(f"SHA-256 {ref['sha256']}")
            self.list.addItem(entry)
        if self._files:
            self.list.setCurrentRow(0)
        self._update_buttons()

    @Slot()
    def _add(self) -> None:
        chosen = file_dialogs.ask_open_file(self, f"Attach evidence — {self.item.label}")
        if chosen is not None:
            self.attach(chosen)

    def attach(self, path: Path) -> None:
        try:
            ref = self._store_file(path)
        except Exception as exc:
            QMessageBox.warning(self, "File not attached", str(exc))
            return
        if any(f["sha256"] == ref["sha256"] for f in self._files):
            QMessageBox.information(self, "Already attached", f"{ref['name']} is already attached here.")
            return
        self._files.append(ref)
        self._refresh()
        self._emit()

    @Slot()
    def _remove(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self._files):
            del self._files[row]
            self._refresh()
            self._emit()

    @Slot()
    def _open(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self._files):
            self._open_file(self._files[row])

    def value(self) -> list[dict[str, Any]] | None:
        return list(self._files) or None

    def _apply(self, value: Any) -> None:
        self._files = [f for f in value if isinstance(f, dict)] if isinstance(value, list) else []
        self._refresh()

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        self._update_buttons()


def _size(n: int) -> str:
    return f"{n / 1048576:.1f} MB" if n >= 1048576 else f"{max(1, n // 1024)} KB"


def make_input(item: Item, store_file: StoreFile, open_file: OpenFile) -> ItemInput:
    if item.type == "rating":
        return RatingInput(item)
    if item.type == "multi_choice":
        return MultiChoiceInput(item)
    if item.type == "ranked":
        return RankedInput(item)
    if item.type == "table":
        return TableInput(item)
    if item.type == "attachments":
        return AttachmentsInput(item, store_file, open_file)
    return SimpleItemInput(item)


class ItemFrame(QFrame):
    """An item as the user sees it: label, input, inline problems, guidance beside, carried banner."""

    sig_confirm_carried = Signal(str)
    """The user keeps a carried-forward answer as it is (item id)."""

    def __init__(self, item: Item, number: str, item_input: ItemInput, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item = item
        self.input = item_input
        self.setObjectName("itemFrame")
        required = " *" if item.required else ""
        self.label = QLabel(f"<b>{number}</b>&nbsp; {_html(item.label)}{required}")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setBuddy(item_input)
        scope = f"Scope: {item.scope}" if item.scope else ""
        self.scope = QLabel(scope)
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

        self.guidance = QLabel(_html(item.guidance))
        self.guidance.setObjectName("guidance")
        self.guidance.setWordWrap(True)
        self.guidance.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        left = QVBoxLayout()
        left.addWidget(self.label)
        left.addWidget(self.scope)
        left.addWidget(self.carried)
        left.addWidget(item_input)
        left.addWidget(self.problems)
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

    def set_carried(self, carried_from: str | None) -> None:
        if carried_from:
            self.carried_text.setText(
                f"Carried forward from {carried_from}. Review it: change anything that is out of date, "
                "or keep it as it is."
            )
        self.carried.setVisible(bool(carried_from))

    def set_read_only(self, read_only: bool) -> None:
        self.input.set_read_only(read_only)
        self.confirm.setEnabled(not read_only)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br>")

"""The base of every item widget: one JSON value in, ``sig_value_changed`` out; and the simple one-field items."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QVBoxLayout,
    QWidget,
)

from oscb_desktop.forms.model import Item
from oscb_desktop.ui.editor.inputs import (
    ChoiceCombo,
    DateInput,
    NumberLine,
    TextArea,
    TextLine,
    ValueInput,
    YesNo,
)


def simple_input(
    kind: str,
    *,
    options: tuple = (),
    minimum: float | None = None,
    maximum: float | None = None,
    integer: bool = False,
    unit: str = "",
    max_length: int | None = None,
) -> ValueInput:
    if kind == "short_text":
        return TextLine(max_length=max_length)
    if kind == "long_text":
        return TextArea(max_length=max_length)
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
            max_length=item.max_length,
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

"""Small input widgets that hold one JSON value each: text, choice, number, date, yes/no.

Every input has the same shape (``value()``, ``set_value()`` without signalling, ``sig_changed``,
``set_read_only()``) so item widgets and table columns are built from the same parts.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QDate, QLocale, Qt, Signal, Slot
from PySide6.QtGui import QColor, QDoubleValidator, QIcon, QIntValidator, QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QCalendarWidget,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from oscb_desktop.forms.model import Level, Option


class ValueInput(QWidget):
    """Base of the inputs: one value, a change signal, a read-only mode."""

    sig_changed = Signal()
    """The user changed the value."""

    def value(self) -> Any:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def set_read_only(self, read_only: bool) -> None:
        raise NotImplementedError

    def focus_widgets(self) -> list[QWidget]:
        """The widgets Tab visits, in order."""
        return [self.focusProxy() or self]

    def set_accessible(self, name: str, description: str = "") -> None:
        target = self.focusProxy() or self
        target.setAccessibleName(name)
        if description:
            target.setAccessibleDescription(description)


def _single(widget: QWidget, owner: QWidget) -> QHBoxLayout:
    layout = QHBoxLayout(owner)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(widget)
    owner.setFocusProxy(widget)
    return layout


class TextLine(ValueInput):
    def __init__(self, placeholder: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(placeholder)
        self.edit.textEdited.connect(self.sig_changed)
        _single(self.edit, self)

    def value(self) -> str:
        return self.edit.text()

    def set_value(self, value: Any) -> None:
        self.edit.setText(value if isinstance(value, str) else "")

    def set_read_only(self, read_only: bool) -> None:
        self.edit.setReadOnly(read_only)


class AutoTextEdit(QPlainTextEdit):
    """Plain text that grows with its content (3 to 14 lines) and lets Tab move focus."""

    MIN_LINES, MAX_LINES = 3, 14

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.document().contentsChanged.connect(self._fit)
        self._fit()

    @Slot()
    def _fit(self) -> None:
        line = self.fontMetrics().lineSpacing()
        lines = max(self.MIN_LINES, min(self.MAX_LINES, int(self.document().size().height()) + 1))
        margins = self.contentsMargins()
        self.setFixedHeight(lines * line + margins.top() + margins.bottom() + 2 * int(self.document().documentMargin()))

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._fit()


class TextArea(ValueInput):
    def __init__(self, placeholder: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = AutoTextEdit()
        self.edit.setPlaceholderText(placeholder)
        self._loading = False
        self.edit.textChanged.connect(self._changed)
        _single(self.edit, self)

    @Slot()
    def _changed(self) -> None:
        if not self._loading:
            self.sig_changed.emit()

    def value(self) -> str:
        return self.edit.toPlainText()

    def set_value(self, value: Any) -> None:
        text = value if isinstance(value, str) else ""
        if text == self.edit.toPlainText():
            return
        self._loading = True
        try:
            self.edit.setPlainText(text)
        finally:
            self._loading = False

    def set_read_only(self, read_only: bool) -> None:
        self.edit.setReadOnly(read_only)


def colour_icon(colour: str, size: int = 14) -> QIcon:
    pix = QPixmap(size, size)
    pix.fill(QColor(colour))
    return QIcon(pix)


class ChoiceCombo(ValueInput):
    """A drop-down with a "Choose…" entry meaning no answer. Levels show their colour and percentage."""

    def __init__(self, options: tuple[Option, ...] | tuple[Level, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combo = QComboBox()
        self.combo.addItem("Choose…", None)
        for opt in options:
            if isinstance(opt, Level):
                self.combo.addItem(colour_icon(opt.colour), opt.display, opt.id)
                self.combo.setItemData(self.combo.count() - 1, opt.description, Qt.ItemDataRole.ToolTipRole)
            else:
                self.combo.addItem(opt.label, opt.id)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.combo.activated.connect(lambda _i: self.sig_changed.emit())
        self._read_only = False
        _single(self.combo, self).addStretch(1)

    def value(self) -> str | None:
        data = self.combo.currentData()
        return data if isinstance(data, str) else None

    def set_value(self, value: Any) -> None:
        index = self.combo.findData(value) if isinstance(value, str) else 0
        self.combo.setCurrentIndex(max(index, 0))

    def set_read_only(self, read_only: bool) -> None:
        self.combo.setEnabled(not read_only)


class NumberLine(ValueInput):
    def __init__(
        self,
        minimum: float | None,
        maximum: float | None,
        integer: bool,
        unit: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.integer = integer
        self.edit = QLineEdit()
        self.edit.setMaximumWidth(180)
        self.edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        lo = -1e12 if minimum is None else minimum
        hi = 1e12 if maximum is None else maximum
        validator = QIntValidator(int(lo), int(min(hi, 2**31 - 1))) if integer else QDoubleValidator(lo, hi, 6)
        validator.setLocale(QLocale.c())
        self.edit.setValidator(validator)
        hint = []
        if minimum is not None and maximum is not None:
            hint.append(f"{minimum:g} to {maximum:g}")
        if unit:
            hint.append(unit)
        self.edit.setPlaceholderText(" ".join(hint))
        self.edit.textEdited.connect(self.sig_changed)
        _single(self.edit, self).addStretch(1)

    def value(self) -> int | float | None:
        text = self.edit.text().strip().replace(",", "")
        if not text:
            return None
        try:
            number = float(text)
        except ValueError:
            return None
        return int(number) if self.integer or (number.is_integer() and "." not in text) else number

    def set_value(self, value: Any) -> None:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        self.edit.setText(f"{value:g}" if ok else "")

    def set_read_only(self, read_only: bool) -> None:
        self.edit.setReadOnly(read_only)


DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d %b %Y", "%d %B %Y", "%d/%m/%y")


def parse_date(text: str) -> date | None:
    text = " ".join(text.split())
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


class DateInput(ValueInput):
    """A date typed as 31/03/2027 (or picked from a calendar); empty means no answer.

    Text that is not a date yet is kept as typed, so nothing is lost, and the rules flag it.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("DD/MM/YYYY")
        self.edit.setMaximumWidth(140)
        self.edit.textEdited.connect(self.sig_changed)
        self.edit.editingFinished.connect(self._tidy)
        self.pick_button = QToolButton()
        self.pick_button.setText("Calendar…")
        self.pick_button.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.pick_button.clicked.connect(self._pick)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        layout.addWidget(self.pick_button)
        layout.addStretch(1)
        self.setFocusProxy(self.edit)

    @Slot()
    def _tidy(self) -> None:
        d = parse_date(self.edit.text())
        if d is not None:
            self.edit.setText(d.strftime("%d/%m/%Y"))

    @Slot()
    def _pick(self) -> None:
        popup = QCalendarWidget(self)
        popup.setWindowFlags(Qt.WindowType.Popup)
        current = parse_date(self.edit.text())
        if current is not None:
            popup.setSelectedDate(QDate(current.year, current.month, current.day))
        popup.activated.connect(lambda qd: self._picked(qd, popup))
        popup.clicked.connect(lambda qd: self._picked(qd, popup))
        popup.move(self.pick_button.mapToGlobal(self.pick_button.rect().bottomLeft()))
        popup.show()

    def _picked(self, qd: QDate, popup: QCalendarWidget) -> None:
        self.edit.setText(qd.toString("dd/MM/yyyy"))
        popup.close()
        self.edit.setFocus()
        self.sig_changed.emit()

    def value(self) -> str | None:
        text = self.edit.text().strip()
        if not text:
            return None
        d = parse_date(text)
        return d.isoformat() if d is not None else text

    def set_value(self, value: Any) -> None:
        d = parse_date(value) if isinstance(value, str) else None
        self.edit.setText(d.strftime("%d/%m/%Y") if d else (value if isinstance(value, str) else ""))

    def set_read_only(self, read_only: bool) -> None:
        self.edit.setReadOnly(read_only)
        self.pick_button.setEnabled(not read_only)

    def focus_widgets(self) -> list[QWidget]:
        return [self.edit]


class YesNo(ValueInput):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.yes = QRadioButton("Yes")
        self.no = QRadioButton("No")
        self.group = QButtonGroup(self)
        self.group.addButton(self.yes)
        self.group.addButton(self.no)
        self.group.buttonClicked.connect(lambda _b: self.sig_changed.emit())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.yes)
        layout.addWidget(self.no)
        layout.addStretch(1)
        self.setFocusProxy(self.yes)

    def value(self) -> bool | None:
        if self.yes.isChecked():
            return True
        if self.no.isChecked():
            return False
        return None

    def set_value(self, value: Any) -> None:
        self.group.setExclusive(False)
        self.yes.setChecked(value is True)
        self.no.setChecked(value is False)
        self.group.setExclusive(True)

    def set_read_only(self, read_only: bool) -> None:
        self.yes.setEnabled(not read_only)
        self.no.setEnabled(not read_only)

    def focus_widgets(self) -> list[QWidget]:
        return [self.yes, self.no]

    def set_accessible(self, name: str, description: str = "") -> None:
        self.yes.setAccessibleName(f"Yes: {name}")
        self.no.setAccessibleName(f"No: {name}")
        self.setAccessibleName(name)

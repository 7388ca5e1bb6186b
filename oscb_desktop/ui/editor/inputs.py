"""Small input widgets that hold one JSON value each: text, choice, number, date, yes/no.

Every input has the same shape (``value()``, ``set_value()`` without signalling, ``sig_changed``,
``set_read_only()``) so item widgets and table columns are built from the same parts.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QDate, QLocale, QMimeData, Qt, Signal, Slot
from PySide6.QtGui import (
    QColor,
    QDoubleValidator,
    QIcon,
    QInputMethodEvent,
    QIntValidator,
    QKeyEvent,
    QKeySequence,
    QPixmap,
)
from PySide6.QtWidgets import (
    QButtonGroup,
    QCalendarWidget,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from oscb_desktop.forms.model import Level, Option
from oscb_desktop.ui.editor import spelling


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


def _utf16_cut(text: str, room: int) -> str:
    """The longest start of ``text`` that is at most ``room`` UTF-16 code units (Qt's characters) long."""
    head = text[: max(room, 0)]
    while len(head.encode("utf-16-le")) // 2 > room:
        head = head[:-1]
    return head


class _Noticed(ValueInput):
    """A text input with a line under it saying when input was refused or cut at the limit.

    The line is made the first time it is needed: an editor has hundreds of text fields, and a label each
    would make opening (and closing) it noticeably slower.
    """

    def _stack(self, edit: QWidget) -> None:
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(2)
        self._layout.addWidget(edit)
        self.setFocusProxy(edit)
        self._notice: QLabel | None = None

    @property
    def notice(self) -> QLabel:
        if self._notice is None:
            self._notice = QLabel()
            self._notice.setObjectName("problem")
            self._notice.setWordWrap(True)
            self._notice.setVisible(False)
            self._layout.addWidget(self._notice)
        return self._notice

    def _say(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(True)

    def _unsay(self) -> None:
        if self._notice is not None:
            self._notice.setVisible(False)


def cut_message(limit: int) -> str:
    return f"Pasted text was cut to {limit:,} characters, the most this answer can hold."


def full_message(limit: int) -> str:
    return f"This answer can hold at most {limit:,} characters."


class TextLine(_Noticed):
    """One line of text, at most ``max_length`` characters: typing stops there, a paste is cut there (and says so).

    Qt's own ``maxLength`` does the cutting (a 20 MB paste takes well under a millisecond); ``inputRejected``
    tells us it happened.
    """

    def __init__(self, placeholder: str = "", parent: QWidget | None = None, *, max_length: int | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(placeholder)
        self.edit.textEdited.connect(self.sig_changed)
        self.max_length = max_length
        self._length_before = 0
        if max_length is not None:
            self.edit.setMaxLength(max_length)
            self.edit.inputRejected.connect(self._rejected)
            self.edit.textChanged.connect(self._text_changed)
        self._stack(self.edit)

    @Slot()
    def _rejected(self) -> None:
        assert self.max_length is not None
        grew = len(self.edit.text()) > self._length_before  # a paste was cut (the text changes after this signal)
        self._say(cut_message(self.max_length) if grew else full_message(self.max_length))

    @Slot(str)
    def _text_changed(self, text: str) -> None:
        self._length_before = len(text)
        if self.max_length is not None and len(text) < self.max_length:
            self._unsay()

    def value(self) -> str:
        return self.edit.text()

    def set_value(self, value: Any) -> None:
        self.edit.setText(value if isinstance(value, str) else "")

    def set_read_only(self, read_only: bool) -> None:
        self.edit.setReadOnly(read_only)


class AutoTextEdit(QPlainTextEdit):
    """Plain text that grows with its content (3 to 14 lines), lets Tab move focus, and holds at most
    ``max_length`` characters.

    The limit is kept at the input, before any text reaches the document: a key that would go past it is
    refused, and a paste (or a drop) is cut to the room left in :meth:`insertFromMimeData`, so a 20 MB paste
    never becomes a 20 MB document. A value loaded with ``setPlainText`` is shown whole, even when an older form
    allowed more; it can then only shrink. Lengths are Qt's (UTF-16 code units), never fewer than Python's, so
    what fits here fits the store.
    """

    MIN_LINES, MAX_LINES = 3, 14

    sig_limited = Signal(str)
    """Input was refused or cut at the limit (the sentence for the user)."""

    def __init__(self, parent: QWidget | None = None, *, max_length: int | None = None) -> None:
        super().__init__(parent)
        self.max_length = max_length
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

    def length(self) -> int:
        """Characters in the text (Qt's count: the document's, less its closing paragraph mark)."""
        return self.document().characterCount() - 1

    def room(self) -> int | None:
        """How many characters may still go in at the cursor (replacing the selection), or None without a limit."""
        if self.max_length is None:
            return None
        cursor = self.textCursor()
        return self.max_length - (self.length() - (cursor.selectionEnd() - cursor.selectionStart()))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        text = event.text()
        room = self.room()
        typing = bool(text) and (text.isprintable() or text in ("\r", "\n")) and not self.isReadOnly()
        if room is not None and typing and not event.matches(QKeySequence.StandardKey.Paste) and room < len(text):
            assert self.max_length is not None
            self.sig_limited.emit(full_message(self.max_length))
            event.accept()
            return
        super().keyPressEvent(event)

    def inputMethodEvent(self, event: QInputMethodEvent) -> None:
        room = self.room()
        commit = event.commitString()
        if room is not None and len(commit) > room:
            assert self.max_length is not None
            event.setCommitString(_utf16_cut(commit, room))
            self.sig_limited.emit(full_message(self.max_length))
        super().inputMethodEvent(event)

    def insertFromMimeData(self, source: QMimeData) -> None:
        room = self.room()
        if room is None or not source.hasText():
            super().insertFromMimeData(source)
            return
        text = source.text()
        fits = len(text) <= room and len(text.encode("utf-16-le")) // 2 <= room
        self._insert(text if fits else _utf16_cut(text, room))
        if not fits:
            assert self.max_length is not None
            self.sig_limited.emit(cut_message(self.max_length) if room > 0 else full_message(self.max_length))

    def _insert(self, text: str) -> None:
        cursor = self.textCursor()
        cursor.insertText(text)
        self.setTextCursor(cursor)
        self.ensureCursorVisible()


class TextArea(_Noticed):
    def __init__(self, placeholder: str = "", parent: QWidget | None = None, *, max_length: int | None = None) -> None:
        super().__init__(parent)
        self.edit = AutoTextEdit(max_length=max_length)
        self.edit.setPlaceholderText(placeholder)
        self._loading = False
        self.edit.textChanged.connect(self._changed)
        self.edit.sig_limited.connect(self._say)
        self._stack(self.edit)
        spelling.attach(self.edit)

    @Slot()
    def _changed(self) -> None:
        limit = self.edit.max_length
        if limit is not None and self._notice is not None and self.edit.length() < limit:
            self._unsay()
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
            hint.append(f"{number_text(minimum)} to {number_text(maximum)}")
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


def number_text(value: float) -> str:
    """A bound as people write it: 1,000,000 (never 1e+06), 2.5, -10."""
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,}"


DATE_MAX_LENGTH = 40
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
        self.edit.setMaxLength(DATE_MAX_LENGTH)  # a date, or text on its way to one: never a pasted page
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

"""Find in the whole return (Ctrl+F): the questions, their guidance and the answers of every section.

Enter or F3 goes to the next match, Shift+Enter or Shift+F3 to the one before, switching section as needed; the
item is scrolled into view and the words found are marked in it. Esc closes the bar and puts the cursor in the
item found. What is typed in the answers is searched as it is now, saved or not.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QKeyEvent, QTextCursor
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QToolButton,
    QWidget,
)

from oscb_desktop.forms import FormDefinition
from oscb_desktop.forms.rules import is_blank
from oscb_desktop.services.history import answer_text

#: Where in an item the words were found, in the order an item shows them.
WHERE = {"question": "in the question", "guidance": "in the guidance", "answer": "in the answer"}


@dataclass(frozen=True)
class Match:
    item_id: str
    where: str


def find_matches(form: FormDefinition, answers: Mapping[str, Any], term: str) -> list[Match]:
    """Every item whose question (with its code), guidance or answer holds ``term`` (any case), in form order."""
    needle = term.strip().casefold()
    if not needle:
        return []
    out: list[Match] = []
    for section in form.sections:
        for item in section.items:
            value = answers.get(item.id)
            texts = {
                "question": f"{form.item_code(item.id)} {item.label}",
                "guidance": item.guidance,
                "answer": "" if is_blank(value) else answer_text(item, value),
            }
            out.extend(Match(item.id, where) for where, text in texts.items() if needle in text.casefold())
    return out


class FindBar(QFrame):
    """The bar over the editor's items: what to find, how many matches, previous / next, close."""

    sig_closed = Signal()
    """The user closed the bar (Esc or ×)."""

    def __init__(
        self,
        matches: Callable[[str], list[Match]],
        show: Callable[[Match | None, str], None],
        parent: QWidget | None = None,
    ) -> None:
        """``matches(term)`` lists the matches now; ``show(match, term)`` shows one (None: clear the marks)."""
        super().__init__(parent)
        self._matches = matches
        self._show = show
        self.found: list[Match] = []
        self.index = -1
        self.setObjectName("findBar")
        self.edit = _FindEdit(self)
        self.edit.setPlaceholderText("Find in questions, guidance and answers")
        self.edit.setAccessibleName("Find in this return")
        self.count = QLabel()
        self.count.setObjectName("muted")
        self.count.setMinimumWidth(260)
        self.previous_button = self._tool("▲", "Previous match (Shift+Enter, Shift+F3)", self.previous)
        self.next_button = self._tool("▼", "Next match (Enter, F3)", self.next)
        close = self._tool("✕", "Close (Esc)", self.close_bar)
        label = QLabel("&Find:")
        label.setBuddy(self.edit)
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 4, 6, 4)
        for widget in (label, self.edit, self.previous_button, self.next_button, self.count):
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(close)
        self.edit.setMinimumWidth(320)
        # Searching follows typing after a pause, so a long return is searched once, not once per letter.
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(200)
        self._timer.timeout.connect(self.search)
        self.edit.textEdited.connect(lambda _t: self._timer.start())
        self.setVisible(False)

    def _tool(self, text: str, tip: str, slot: Callable[[], None]) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(tip)
        button.setAccessibleName(tip.split(" (")[0])
        button.setAutoRaise(True)
        button.clicked.connect(slot)
        return button

    @property
    def term(self) -> str:
        return self.edit.text().strip()

    def open(self) -> None:
        """Show the bar with the cursor in it, the last words selected so typing replaces them."""
        self.setVisible(True)
        self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.edit.selectAll()

    @Slot()
    def search(self) -> None:
        """Find the words again from the start, and go to the first match."""
        self._timer.stop()
        self.found = self._matches(self.term)
        self.index = -1
        if self.found:
            self._go(0)
        else:
            self._show(None, self.term)
            self._say()

    @Slot()
    def next(self) -> None:
        self._step(+1)

    @Slot()
    def previous(self) -> None:
        self._step(-1)

    def _step(self, by: int) -> None:
        if not self.isVisible():
            self.open()
        if self._timer.isActive() or not self.found:
            self.search()  # new words, or answers changed since: look again
            if by > 0 or not self.found:
                return
        self._go((self.index + by) % len(self.found))

    def _go(self, index: int) -> None:
        self.index = index
        self._show(self.found[index], self.term)
        self._say()

    def _say(self) -> None:
        if not self.term:
            self.count.setText("")
        elif not self.found:
            self.count.setText("No matches")
        else:
            match = self.found[self.index]
            self.count.setText(f"{self.index + 1} of {len(self.found)} — {WHERE[match.where]}")

    @property
    def current(self) -> Match | None:
        return self.found[self.index] if 0 <= self.index < len(self.found) else None

    @Slot()
    def close_bar(self) -> None:
        self._timer.stop()
        self.setVisible(False)
        self._show(None, "")
        self.sig_closed.emit()


class _FindEdit(QLineEdit):
    """Enter: next match; Shift+Enter: previous; Esc: close the bar."""

    def __init__(self, bar: FindBar) -> None:
        super().__init__()
        self.bar = bar

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            self.bar.previous() if shift else self.bar.next()
            event.accept()
        elif event.key() == Qt.Key.Key_Escape:
            self.bar.close_bar()
            event.accept()
        else:
            super().keyPressEvent(event)


MARK_COLOUR = "#ffe066"


def marked(text: str, term: str) -> str:
    """``text`` as rich text, every occurrence of ``term`` (any case) marked; line breaks kept."""
    needle = term.strip().casefold()
    if not needle:
        return _escape(text)
    out, start = [], 0
    folded = text.casefold()
    while (at := folded.find(needle, start)) >= 0 and len(folded) == len(text):
        out.append(_escape(text[start:at]))
        out.append(f"<span style='background-color:{MARK_COLOUR}'>{_escape(text[at : at + len(needle)])}</span>")
        start = at + len(needle)
    out.append(_escape(text[start:]))
    return "".join(out)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br>")


def mark_answers(frame: QWidget, term: str) -> bool:
    """Mark ``term`` in the text answers inside ``frame`` and scroll the first one to it; False if none has it.

    The marks are extra selections, drawn whether or not the field has the cursor, and left to the spell check's
    underlines; "" clears them.
    """
    needle = term.strip()
    first = True
    for edit in frame.findChildren(QPlainTextEdit):
        selections = []
        if needle:
            cursor = edit.document().find(needle)
            while not cursor.isNull():
                selection = QTextEdit.ExtraSelection()
                selection.cursor = cursor  # type: ignore[attr-defined]
                selection.format.setBackground(QColor(MARK_COLOUR))  # type: ignore[attr-defined]
                selections.append(selection)
                cursor = edit.document().find(needle, cursor)
        edit.setExtraSelections(selections)
        if selections and first:
            first = False
            show = QTextCursor(selections[0].cursor)  # type: ignore[attr-defined]
            show.clearSelection()
            edit.setTextCursor(show)
            edit.ensureCursorVisible()
    return not first

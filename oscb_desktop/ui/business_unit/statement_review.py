"""Moderation statement by statement, in the review pane: beside the agency's own rating of each statement, the
Business Unit's moderated level (from the form's scale, or "agree with the agency's rating") and a note.

Stored apart from the signed return like the rest of the review (``review.set_moderation`` with the statement's
item id as target), and counted by the collation: a statement's own moderated level wins over its standard's.

Keyboard: Tab goes level → note → the next statement; Ctrl+Down / Ctrl+Up jump to the next / previous statement;
Enter saves the review.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QKeyEvent, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from oscb_desktop.services.review import MAX_NOTE_CHARS, StatementToModerate
from oscb_desktop.ui.common import html

#: The combo's entry for "the same level as the agency's".
AGREE = "\x00agree"
DARK, LIGHT = "#111827", "#ffffff"


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of a ``#rrggbb`` colour."""
    c = QColor(colour)

    def channel(v: int) -> float:
        s = v / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c.red()) + 0.7152 * channel(c.green()) + 0.0722 * channel(c.blue())


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two colours (1 to 21)."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_colour_on(background: str) -> str:
    """Dark or white text, whichever contrasts more with ``background`` (amber #f2b134 takes dark text)."""
    return DARK if contrast(DARK, background) >= contrast(LIGHT, background) else LIGHT


def _swatch(colour: str) -> QIcon:
    pix = QPixmap(12, 12)
    pix.fill(QColor(colour))
    return QIcon(pix)


class StatementRow(QFrame):
    """One statement: its code and words, the agency's rating, the moderated level and a note."""

    sig_changed = Signal()
    sig_save_requested = Signal()

    def __init__(self, statement: StatementToModerate, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.statement = statement
        self.setObjectName("statementRow")
        code = statement.code
        title = QLabel(f"<b>{html(code)}</b>&nbsp; {html(statement.label)}")
        title.setWordWrap(True)
        own = statement.own
        self.own = QLabel(f" Agency: {own.display} " if own is not None else " Agency: not rated ")
        self.own.setObjectName("agencyRating")
        if own is not None:
            self.own.setStyleSheet(
                f"background:{own.colour}; color:{text_colour_on(own.colour)}; border-radius:3px; padding:1px 4px;"
            )
        self.own.setToolTip(f"The agency's evidence: {statement.evidence}" if statement.evidence else "No evidence")
        self.own.setAccessibleName(f"Agency's rating of {code}: {own.display if own else 'not rated'}")
        self.level = QComboBox()
        self.level.setAccessibleName(f"Moderated rating of {code}")
        self.level.addItem("— not moderated", None)
        if own is not None:
            self.level.addItem(_swatch(own.colour), f"Agree: {own.display}", AGREE)
            self.level.setItemData(1, "Agree with the agency's own rating", Qt.ItemDataRole.ToolTipRole)
        for lv in statement.scale.choices:
            self.level.addItem(_swatch(lv.colour), lv.display, lv.id)
        self.note = QLineEdit()
        self.note.setMaxLength(MAX_NOTE_CHARS)
        self.note.setPlaceholderText("Note on this statement (optional); Enter saves")
        self.note.setAccessibleName(f"Moderation note on {code}")
        self.saved = QLabel()
        self.saved.setObjectName("success")
        # The combo is as wide as its longest entry would make it only up to a point: a narrow pane keeps
        # the note in view rather than scrolling sideways.
        self.level.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.level.setMinimumContentsLength(20)
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 4, 6, 4)
        grid.addWidget(title, 0, 0, 1, 3)
        grid.addWidget(self.own, 1, 0)
        grid.addWidget(self.level, 1, 1)
        grid.addWidget(self.saved, 1, 2)
        grid.addWidget(self.note, 2, 0, 1, 3)
        grid.setColumnStretch(2, 1)
        self.level.currentIndexChanged.connect(lambda _i: self._changed())
        self.note.textEdited.connect(lambda _t: self._changed())
        self.note.returnPressed.connect(self.sig_save_requested)
        self.level.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter on the level saves (when its list is closed), as in the note."""
        enter = (
            watched is self.level
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        )
        if enter and not self.level.view().isVisible():
            self.sig_save_requested.emit()
            return True
        return False

    def _changed(self) -> None:
        self.saved.setText("")
        self.sig_changed.emit()

    def values(self) -> tuple[str | None, str]:
        """(moderated level id or None, note) as stored: "agree" stores the agency's own level."""
        data = self.level.currentData()
        level = self.statement.own_level if data == AGREE else data
        return level, self.note.text().strip()

    def set_values(self, level: str | None, note: str) -> None:
        agree = level is not None and level == self.statement.own_level
        index = self.level.findData(AGREE if agree else level) if level else 0
        self.level.setCurrentIndex(max(index, 0))
        self.note.setText(note)

    def mark_saved(self) -> None:
        self.saved.setText(f"✓ Saved {datetime.now():%H:%M}")


class StatementModeration(QWidget):
    """The statements of one standard, each with its moderation."""

    sig_changed = Signal()
    sig_save_requested = Signal()

    def __init__(self, statements: tuple[StatementToModerate, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: dict[str, StatementRow] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 2, 0, 2)
        layout.setSpacing(4)
        heading = QLabel(
            "Statement by statement: a statement's own moderated rating wins over the standard's. "
            "Ctrl+Down / Ctrl+Up move between statements; Enter saves."
        )
        heading.setObjectName("muted")
        heading.setWordWrap(True)
        layout.addWidget(heading)
        for statement in statements:
            row = StatementRow(statement)
            row.sig_changed.connect(self.sig_changed)
            row.sig_save_requested.connect(self.sig_save_requested)
            self.rows[statement.item_id] = row
            layout.addWidget(row)


def install_navigation(pane: QWidget, rows: list[StatementRow]) -> None:
    """Ctrl+Down / Ctrl+Up in ``pane``: to the next / previous statement's moderated level, scrolled into view."""

    def move(by: int) -> None:
        if not rows:
            return
        focus = pane.focusWidget()
        current = next((n for n, r in enumerate(rows) if focus is not None and r.isAncestorOf(focus)), None)
        if current is not None:
            target = current + by
        else:  # from elsewhere in the pane (a standard's rating, say): the nearest statement below or above it
            y = focus.mapTo(pane, focus.rect().topLeft()).y() if focus is not None else -1
            tops = [r.mapTo(pane, r.rect().topLeft()).y() for r in rows]
            below = [n for n, top in enumerate(tops) if top > y]
            above = [n for n, top in enumerate(tops) if top < y]
            target = (below[0] if below else len(rows) - 1) if by > 0 else (above[-1] if above else 0)
        row = rows[max(0, min(target, len(rows) - 1))]
        row.level.setFocus(Qt.FocusReason.ShortcutFocusReason)
        parent = pane.parentWidget()
        while parent is not None and not isinstance(parent, QScrollArea):
            parent = parent.parentWidget()
        if isinstance(parent, QScrollArea):
            parent.ensureWidgetVisible(row, 0, 40)

    for key, by in (("Ctrl+Down", 1), ("Ctrl+Up", -1)):
        shortcut = QShortcut(QKeySequence(key), pane, lambda b=by: move(b))
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

"""The review pane of a received return: its status and notes, and per standard the moderated rating and the
challenge-event notes, all stored apart from the signed return."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from oscb_desktop.forms.model import Scale
from oscb_desktop.services import review
from oscb_desktop.services.review import StatementToModerate
from oscb_desktop.ui.business_unit.common import labelled
from oscb_desktop.ui.business_unit.statement_review import StatementModeration, install_navigation
from oscb_desktop.ui.common import html

STORED_APART = (
    "Your review, moderated ratings and challenge notes are stored in this workspace, apart from the signed "
    "return: the agency's signed answers and PDF never change."
)


def _plain_edit(accessible_name: str, placeholder: str, height: int = 64) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setAccessibleName(accessible_name)
    edit.setPlaceholderText(placeholder)
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(height)
    return edit


@dataclass(frozen=True)
class Standard:
    id: str
    code: str
    title: str
    scale: Scale
    #: Its rated statements, each moderated on its own (:mod:`.statement_review`).
    statements: tuple[StatementToModerate, ...] = ()


class StandardReview(QFrame):
    """One standard: the agency's own level, the moderated level (a combo) and a challenge-event note."""

    def __init__(self, standard: Standard, own: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("itemFrame")
        self.standard = standard
        title = QLabel(f"<b>{standard.code}</b> {html(standard.title)}")
        title.setWordWrap(True)
        self.own = QLabel(f"Agency's rating: <b>{own}</b>")
        self.level = QComboBox()
        self.level.setAccessibleName(f"Moderated rating of {standard.code} {standard.title}")
        self.level.addItem("— not moderated", None)
        for lv in standard.scale.choices:
            self.level.addItem(lv.display, lv.id)
        self.note = _plain_edit(
            f"Challenge-event notes on {standard.code}", "Challenge-event notes on this standard (optional)", 52
        )
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 6, 8, 6)
        grid.addWidget(title, 0, 0, 1, 3)
        grid.addWidget(self.own, 1, 0)
        grid.addWidget(labelled("Moderated:", self.level), 1, 1, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.level, 1, 2)
        grid.addWidget(self.note, 2, 0, 1, 3)
        grid.setColumnStretch(0, 1)
        self.statements = StatementModeration(standard.statements)
        if standard.statements:
            grid.addWidget(self.statements, 3, 0, 1, 3)

    def set_values(self, level: str | None, note: str) -> None:
        self.level.setCurrentIndex(max(0, self.level.findData(level)) if level else 0)
        self.note.setPlainText(note)

    def values(self) -> tuple[str | None, str]:
        return self.level.currentData(), self.note.toPlainText().strip()


class ReviewPane(QWidget):
    """Status and notes of the newest version, moderated ratings and challenge notes of the return."""

    sig_changed = Signal()
    """Something was edited since the last save."""

    sig_save_requested = Signal()
    """The user pressed Enter in a statement's moderation: save the review."""

    def __init__(self, standards: list[tuple[Standard, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        stored = QLabel(STORED_APART)
        stored.setWordWrap(True)
        stored.setObjectName("guidance")

        status_box = QGroupBox("Review status")
        self.status_group = QButtonGroup(self)
        self.status_buttons: dict[str, QRadioButton] = {}
        row = QHBoxLayout()
        for key, label in review.REVIEW_STATUSES.items():
            button = QRadioButton(label)
            self.status_group.addButton(button)
            self.status_buttons[key] = button
            row.addWidget(button)
        row.addStretch(1)
        self.notes = _plain_edit("Review notes", "Notes, e.g. what you asked the agency for and when", 70)
        status_layout = QVBoxLayout(status_box)
        status_layout.addLayout(row)
        status_layout.addWidget(self.notes)

        self.standards: dict[str, StandardReview] = {}
        moderation_box = QGroupBox("Moderated ratings and challenge-event notes")
        mod_layout = QVBoxLayout(moderation_box)
        if standards:
            for standard, own in standards:
                widget = StandardReview(standard, own)
                self.standards[standard.id] = widget
                mod_layout.addWidget(widget)
        else:
            none = QLabel("This form has no rated standards to moderate.")
            none.setObjectName("muted")
            mod_layout.addWidget(none)
        self.whole = _plain_edit("Challenge-event notes on the whole return", "Notes on the return as a whole", 70)
        mod_layout.addWidget(QLabel("<b>The return as a whole</b>"))
        mod_layout.addWidget(self.whole)

        layout = QVBoxLayout(self)
        layout.addWidget(stored)
        layout.addWidget(status_box)
        layout.addWidget(moderation_box)
        layout.addStretch(1)

        self.status_group.buttonToggled.connect(lambda *_: self.sig_changed.emit())
        self.notes.textChanged.connect(self.sig_changed)
        self.whole.textChanged.connect(self.sig_changed)
        for widget in self.standards.values():
            widget.level.currentIndexChanged.connect(lambda _i: self.sig_changed.emit())
            widget.note.textChanged.connect(self.sig_changed)
            widget.statements.sig_changed.connect(self.sig_changed)
            widget.statements.sig_save_requested.connect(self.sig_save_requested)
        #: Item id -> the statement's moderation row, in form order.
        self.statement_rows = {k: r for w in self.standards.values() for k, r in w.statements.rows.items()}
        install_navigation(self, list(self.statement_rows.values()))

    def add_section(self, widget: QWidget) -> None:
        """Another part of the review below the moderation (e.g. the required actions), above the stretch."""
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(layout.count() - 1, widget)

    def status(self) -> str:
        return next((k for k, b in self.status_buttons.items() if b.isChecked()), "received")

    def set_status(self, status: str) -> None:
        self.status_buttons.get(status, self.status_buttons["received"]).setChecked(True)

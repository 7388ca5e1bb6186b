"""Small pieces the windows and dialogs share: dates as people read them, message boxes that never block,
menu actions, and the fingerprint display."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QAction, QFontDatabase, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QMessageBox, QPushButton, QVBoxLayout, QWidget

from oscb_desktop.fsutil import safe_stem


def html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def safe_file_name(text: str) -> str:
    """An agency's name as part of a file name (see :func:`oscb_desktop.fsutil.safe_stem`)."""
    return safe_stem(text) or "agency"


#: Dialogs without a parent are owned by their Python wrapper: these are kept until they close.
_unparented: set[QWidget] = set()


def keep_until_closed(dialog: QMessageBox) -> None:
    """Keep a parentless dialog alive until it is closed (otherwise it vanishes with its last reference)."""
    if dialog.parent() is None:
        _unparented.add(dialog)
        dialog.finished.connect(lambda _result: _unparented.discard(dialog))


def message(
    parent: QWidget | None,
    title: str,
    text: str,
    *,
    informative: str = "",
    icon: QMessageBox.Icon = QMessageBox.Icon.Information,
) -> QMessageBox:
    """A window-modal message that does not block the caller (``open()``, deleted when closed)."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    if informative:
        box.setInformativeText(informative)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    keep_until_closed(box)
    box.open()
    return box


def ask(
    parent: QWidget | None,
    title: str,
    text: str,
    informative: str,
    accept_text: str,
    on_accept: Callable[[], None],
    *,
    icon: QMessageBox.Icon = QMessageBox.Icon.Question,
) -> QMessageBox:
    """A window-modal question; ``on_accept`` runs if the user presses ``accept_text`` (Cancel is the default)."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.NoButton, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setInformativeText(informative)
    accept = box.addButton(accept_text, QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def finished(_result: int) -> None:
        if box.clickedButton() is accept:
            on_accept()

    box.finished.connect(finished)
    keep_until_closed(box)
    box.open()
    return box


def fit_height(window: QWidget) -> None:
    """Grow a dialog so wrapped text that has just appeared (an error, another page) is not squeezed.

    Qt sizes a window from its layout once; word-wrapped labels shown later do not make it taller.
    """
    layout = window.layout()
    if layout is None:
        return
    layout.activate()
    wanted = layout.totalHeightForWidth(window.width()) if layout.hasHeightForWidth() else layout.sizeHint().height()
    if wanted > window.height():
        window.resize(window.width(), wanted)


class FingerprintView(QWidget):
    """A certificate's SHA-256 fingerprint in groups of four, two lines, selectable, with a Copy button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hex = ""
        self.text = QLabel()
        self.text.setObjectName("fingerprint")
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.text.setAccessibleName("Certificate fingerprint (SHA-256)")
        self.copy = QPushButton("Copy")
        self.copy.setAutoDefault(False)
        self.copy.setAccessibleName("Copy the fingerprint")
        self.copy.setToolTip("Copy the fingerprint, to paste it into an email to the Business Unit")
        self.copy.clicked.connect(self.copy_to_clipboard)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.text)
        buttons = QVBoxLayout()
        buttons.addWidget(self.copy)
        buttons.addStretch(1)
        row.addLayout(buttons)
        row.addStretch(1)

    def set_fingerprint(self, hex_digest: str) -> None:
        # Imported here: oscb_desktop.signing loads pyHanko (about a second), and this module is among the few
        # the app's start needs before its first window shows.
        from oscb_desktop.signing import format_fingerprint

        self.hex = hex_digest
        groups = format_fingerprint(hex_digest).split()
        half = (len(groups) + 1) // 2
        self.text.setText(" ".join(groups[:half]) + "\n" + " ".join(groups[half:]))
        self.text.setAccessibleDescription(format_fingerprint(hex_digest))

    @property
    def display(self) -> str:
        """One line, as it is copied."""
        from oscb_desktop.signing import format_fingerprint

        return format_fingerprint(self.hex)

    @Slot()
    def copy_to_clipboard(self) -> None:
        QGuiApplication.clipboard().setText(self.display)
        self.copy.setText("Copied")


def make_action(
    parent: QObject,
    text: str,
    slot: Callable[..., object] | None = None,
    shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
) -> QAction:
    """A menu action with an optional slot and shortcut."""
    action = QAction(text, parent)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    if slot is not None:
        action.triggered.connect(slot)
    return action


def set_menu_enabled(menu: QMenu, enabled: bool) -> None:
    """Every action of a menu and its submenus (a hidden menu's shortcuts still fire unless disabled)."""
    for a in menu.actions():
        a.setEnabled(enabled)
        sub = a.menu()
        if isinstance(sub, QMenu):
            set_menu_enabled(sub, enabled)

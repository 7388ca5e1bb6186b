"""The problems shown under each item, and when: a problem that appears while the user is answering an item
waits until they leave it (a "needs evidence" warning the moment Green is picked, before the evidence could be
typed, only scolds). A problem that goes away goes at once. Asking for the still-to-do list shows them all."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QApplication, QWidget

from oscb_desktop.ui.editor.items import ItemFrame


def frame_of(widget: QWidget | None) -> ItemFrame | None:
    """The item frame a widget is in (a combo's popup counts as its combo), or None."""
    while widget is not None and not isinstance(widget, ItemFrame):
        widget = widget.parentWidget()
    return widget


class InlineProblems(QObject):
    def __init__(self, frames: Mapping[str, ItemFrame], check_pending: Callable[[], bool], parent: QObject) -> None:
        """``frames``: item id -> frame (filled later); ``check_pending()``: a new check of the rules is about to
        run (it will show what it finds)."""
        super().__init__(parent)
        self.frames = frames
        self._check_pending = check_pending
        #: The item being edited, whose new problems wait.
        self._editing: str | None = None
        #: Item id -> the problems the rules find now, and the ones its frame shows.
        self._found: Mapping[str, list[str]] = {}
        self._shown: dict[str, list[str]] = {}
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)

    def editing(self, item_id: str | None) -> None:
        """The user changed ``item_id`` and is still in it (None: the change came from elsewhere)."""
        self._editing = item_id

    def update(self, found: Mapping[str, list[str]]) -> None:
        """The rules' problems now, item id -> messages."""
        self._found = found
        for item_id in self.frames:
            self._show(item_id)

    def show_items(self, item_ids: list[str]) -> None:
        """Frames just built (a section shown the first time): they show what the last check found."""
        for item_id in item_ids:
            self._show(item_id)

    def reveal(self) -> None:
        """Show every item's problems, the one being edited too."""
        editing, self._editing = self._editing, None
        if editing is not None:
            self._show(editing)

    def _show(self, item_id: str) -> None:
        found = self._found.get(item_id, [])
        if item_id == self._editing:  # mid-entry: a problem may go away, but none appears yet
            shown = self._shown.get(item_id, [])
            found = [m for m in found if m in shown]
        if found != self._shown.get(item_id, []):
            self.frames[item_id].set_problems(found)
            self._shown[item_id] = found

    @Slot(QWidget, QWidget)
    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        """Leaving the item being edited shows its problems (once the pending check has run)."""
        if self._editing is None or new is None or frame_of(new) is self.frames.get(self._editing):
            return
        if self._check_pending():
            self._editing = None  # the check about to run shows them
        else:
            self.reveal()

"""What a mode (the agency's side, the Business Unit's side) may ask of the window that holds it.

A mode gets a :class:`ModeHost` instead of the window itself, so it cannot reach into the window's insides,
and the window can be replaced by anything that offers these few things (a test double, another shell).
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtWidgets import QMenu, QWidget

from oscb_desktop.services.workspace import Workspace


class ModeHost(Protocol):
    """The window's side of the contract with a mode."""

    @property
    def ws(self) -> Workspace: ...

    def host_widget(self) -> QWidget:
        """The parent for the mode's dialogs and actions."""
        ...

    def add_menu(self, menu: QMenu) -> None:
        """Put a mode's menu in the menu bar (before Help)."""
        ...

    def add_page(self, page: QWidget) -> None:
        """Add a mode's page to the window's stack of modes."""
        ...

    def show_page(self, page: QWidget) -> None:
        """Bring a mode's page to the front (the mode's own menus are its business)."""
        ...

    def show_status(self, text: str, timeout_ms: int = 10_000) -> None:
        """A line in the status bar."""
        ...

    def set_title(self, text: str) -> None:
        """The window title, after "OSCB Desktop — "."""
        ...

    def quit(self) -> None:
        """Close the window (asks first if anything is unsaved)."""
        ...

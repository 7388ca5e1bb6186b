"""The app's icon (its own module: the first window sets it before anything else of Help ▸ About is loaded)."""

from __future__ import annotations

from PySide6.QtGui import QIcon

from oscb_desktop import paths

#: The sizes of ``resources/icons/oscb-desktop-<N>.png`` (rendered by ``packaging/make_icons.py``).
ICON_SIZES = (16, 32, 48, 64, 128, 256)


def app_icon() -> QIcon:
    """The app's icon at every shipped size (title bar, taskbar, window switcher, About)."""
    icon = QIcon()
    for size in ICON_SIZES:
        icon.addFile(str(paths.resource("icons", f"oscb-desktop-{size}.png")))
    return icon

"""The pages of the editor's sections: each built the first time it is shown (a complete Section 11 return is some
4,000 widgets, most in sections nobody opens), then kept."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from oscb_desktop.forms import FormDefinition
from oscb_desktop.forms.model import Item
from oscb_desktop.ui.common import html
from oscb_desktop.ui.editor.items import ItemFrame, scope_text


class Frames(dict[str, ItemFrame]):
    """The item frames built so far; looking up an item not built yet builds its section first."""

    def __init__(self, build_section_of: Callable[[str], None]) -> None:
        super().__init__()
        self._build_section_of = build_section_of

    def __missing__(self, item_id: str) -> ItemFrame:
        self._build_section_of(item_id)
        if not dict.__contains__(self, item_id):
            raise KeyError(item_id)
        return dict.__getitem__(self, item_id)


def section_page(form: FormDefinition, section: Any, item_frame: Callable[[Item], ItemFrame]) -> QWidget:
    """A section's page: its heading, guidance and scope, then a frame per item (``item_frame`` makes each)."""
    page = QWidget()
    page.setObjectName("sectionPage")
    col = QVBoxLayout(page)
    head = QLabel(f"<h2>{html(form.section_label(section))}</h2>")
    head.setWordWrap(True)
    col.addWidget(head)
    if section.guidance:
        guide = QLabel(section.guidance)
        guide.setWordWrap(True)
        guide.setObjectName("sectionGuidance")
        col.addWidget(guide)
    if section.scope:
        scope = QLabel(scope_text(section.scope))
        scope.setObjectName("muted")
        col.addWidget(scope)
    for item in section.items:
        col.addWidget(item_frame(item))
    col.addStretch(1)
    return page

"""The app's identity: its icon, and Help ▸ About (version, licence, and the licences of what it ships).

The third-party list is read from the installed distributions' metadata (``importlib.metadata``), so it names
exactly what runs: in a development environment the app's own dependencies (followed from ``oscb-desktop``'s
requirements, so test tools are left out), in the frozen app the distributions whose metadata the PyInstaller
spec collected (``packaging/oscb.spec`` collects the same list, with this module's :func:`runtime_distributions`).
"""

from __future__ import annotations

import platform
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.metadata import Distribution, PackageMetadata, PackageNotFoundError, distribution, distributions
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from oscb_desktop import __version__, paths
from oscb_desktop.ui.common import html
from oscb_desktop.ui.icon import ICON_SIZES, app_icon

__all__ = ["ICON_SIZES", "AboutDialog", "app_icon", "show_about"]

#: The distribution the app is installed as, whose requirements name its third-party software.
APP_DISTRIBUTION = "oscb-desktop"
#: The app's licence, as ``pyproject.toml`` declares it (a test keeps the two equal).
APP_LICENCE = "MIT"
#: A licence name longer than this is a licence text pasted into the metadata, not a name.
_NAME_MAX = 40
_REQUIREMENT = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?")
_EXTRA_MARKER = re.compile(r"""extra\s*==\s*['"]([^'"]+)['"]""")
_LICENCE_FILE = re.compile(r"(LICEN[CS]E|COPYING|NOTICE|AUTHORS)", re.IGNORECASE)


@dataclass(frozen=True)
class Component:
    """One piece of third-party software the app ships: ``licence`` is a short name, ``text`` the full terms."""

    name: str
    version: str
    licence: str
    text: str


def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_distributions(root: str = APP_DISTRIBUTION) -> list[Distribution]:
    """The distributions ``root`` needs to run, found by following its requirements (with the extras asked
    for; requirements for an extra not asked for are skipped; ones not installed here, such as another
    platform's, are skipped). Without ``root``'s own metadata (the frozen app), every distribution found."""
    found: dict[str, Distribution] = {}

    def follow(name: str, extras: frozenset[str]) -> None:
        if _key(name) in found:
            return
        try:
            dist = distribution(name)
        except PackageNotFoundError:
            return
        found[_key(name)] = dist
        for requirement in dist.requires or []:
            marker = requirement.split(";", 1)[1] if ";" in requirement else ""
            extra = _EXTRA_MARKER.search(marker)
            if extra and extra.group(1) not in extras:
                continue
            match = _REQUIREMENT.match(requirement)
            if match:
                wanted = frozenset(e.strip() for e in (match.group(2) or "").split(",") if e.strip())
                follow(match.group(1), wanted)

    try:
        distribution(root)
    except PackageNotFoundError:
        every = {_key(d.metadata["Name"]): d for d in distributions() if d.metadata["Name"]}
        return sorted(every.values(), key=lambda d: _key(d.metadata["Name"]))
    follow(root, frozenset())
    found.pop(_key(root), None)
    return sorted(found.values(), key=lambda d: _key(d.metadata["Name"]))


def _field(meta: PackageMetadata, name: str) -> str:
    """A metadata field, or "" when absent (``PackageMetadata`` has no ``get``)."""
    return str((meta.get_all(name) or [""])[0])


def licence_name(dist: Distribution) -> str:
    """A short name for ``dist``'s licence: its SPDX expression, else its licence field when that is a name
    rather than a pasted text, else its trove classifiers."""
    meta = dist.metadata
    expression = _field(meta, "License-Expression").strip()
    if expression:
        return expression
    field = _field(meta, "License").strip()
    if field and "\n" not in field and len(field) <= _NAME_MAX:
        return field
    classifiers = [c.split("::")[-1].strip() for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
    if classifiers:
        return " / ".join(classifiers)
    if field:
        return field.splitlines()[0][:_NAME_MAX].rstrip() + "…"
    return "not stated in its metadata"


def _licence_files(dist: Distribution) -> Iterable[str]:
    """Where a distribution's licence texts are: those its metadata names, then likely names among its files."""
    for name in dist.metadata.get_all("License-File") or []:
        yield f"licenses/{name}"  # metadata 2.4 and later
        yield name  # before that, beside METADATA
    for file in dist.files or []:
        parts = Path(str(file)).parts
        if len(parts) >= 2 and parts[0].endswith(".dist-info") and _LICENCE_FILE.search(parts[-1]):
            yield "/".join(parts[1:])


def licence_text(dist: Distribution) -> str:
    """The full licence texts ``dist`` ships with its metadata, or what its metadata says when it ships none."""
    texts: list[str] = []
    seen: set[str] = set()
    for name in _licence_files(dist):
        text = dist.read_text(name)
        if text and text not in seen:
            seen.add(text)
            texts.append(text.strip())
    if texts:
        return "\n\n――――――――――\n\n".join(texts)
    field = _field(dist.metadata, "License").strip()
    if len(field) > _NAME_MAX:
        return field
    return f"{dist.metadata['Name']} ships no licence text with its metadata. Its licence: {licence_name(dist)}."


def components() -> list[Component]:
    """Everything third-party the app ships: the Python runtime, the Python distributions, the PDF fonts."""
    python = Component(
        "Python",
        platform.python_version(),
        "PSF-2.0",
        "The Python runtime (and, in the installed app, its standard library) is distributed under the Python "
        "Software Foundation License Version 2: https://docs.python.org/3/license.html",
    )
    listed = [
        Component(d.metadata["Name"], d.version, licence_name(d), licence_text(d)) for d in runtime_distributions()
    ]
    try:
        font_terms = paths.resource("fonts", "DejaVu-LICENSE.txt").read_text(encoding="utf-8")
    except OSError:
        font_terms = "The DejaVu licence file is missing from this installation."
    fonts = Component("DejaVu fonts", "2.37", "Bitstream Vera / public domain", font_terms.strip())
    return [python, *listed, fonts]


class AboutDialog(QDialog):
    """Help ▸ About OSCB Desktop: what this is and which version, and every licence that applies to it."""

    def __init__(self, parent: QWidget | None, partnership: str, workspace: Path | None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About OSCB Desktop")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        icon = QLabel()
        icon.setPixmap(app_icon().pixmap(64, 64))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.summary = QLabel(
            f"<h3>OSCB Desktop {html(__version__)}</h3>"
            "<p>Section 11 self-assessments and annual impact assessments for "
            f"{html(partnership or 'your partnership')}.</p>"
            f"<p>Licence: {APP_LICENCE}.<br>Workspace: {html(str(workspace) if workspace else 'opening…')}</p>"
        )
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(icon)
        top.addWidget(self.summary, 1)

        self.items = components()
        self.table = QTableWidget(len(self.items), 3)
        self.table.setHorizontalHeaderLabels(["Software", "Version", "Licence"])
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        for row, item in enumerate(self.items):
            for column, value in enumerate((item.name, item.version, item.licence)):
                self.table.setItem(row, column, QTableWidgetItem(value))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.terms = QPlainTextEdit()
        self.terms.setReadOnly(True)
        self.terms.setAccessibleName("Licence text")
        self.table.currentCellChanged.connect(lambda row, _c, _pr, _pc: self._show_terms(row))

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.terms)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(
            QLabel(f"It includes this third-party software ({len(self.items)}); pick one to read its licence:")
        )
        layout.addWidget(split, 1)
        layout.addWidget(buttons)
        self.resize(640, 620)
        self.table.setCurrentCell(0, 0)

    def _show_terms(self, row: int) -> None:
        self.terms.setPlainText(self.items[row].text if 0 <= row < len(self.items) else "")

    def select(self, name: str) -> None:
        """Show the licence of the component called ``name``."""
        for row, item in enumerate(self.items):
            if _key(item.name) == _key(name):
                self.table.setCurrentCell(row, 0)
                return
        raise KeyError(name)


def show_about(parent: QWidget | None, partnership: str, workspace: Path | None) -> AboutDialog:
    """Open the About dialog without blocking (window-modal; deleted when closed)."""
    dialog = AboutDialog(parent, partnership, workspace)
    dialog.open()
    return dialog

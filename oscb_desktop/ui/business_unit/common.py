"""Small pieces the Business Unit pages share: dates, colours that always travel with words, table set-up,
and the collation that the matrix, year-on-year and the board report all read."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QLabel, QTableView, QWidget

from oscb_desktop import dates
from oscb_desktop.forms.model import Level
from oscb_desktop.partnership import Partnership
from oscb_desktop.services import review
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.ui.table_model import SORT_ROLE

if TYPE_CHECKING:
    from oscb_desktop.collate import Collation

#: Review status -> text colour. The words are always shown; the colour only helps scanning a long table.
STATUS_COLOURS = {
    "not_received": "#4b5563",
    "received": "#1d4ed8",
    "has_issues": "#b45309",
    "accepted": "#15803d",
}
#: Background of a rejected row in the import results.
REJECTED_BACKGROUND = "#fde2e2"
DUPLICATE_BACKGROUND = "#eef2f7"


def short_date(iso: str | date | None) -> str:
    """``14 Mar 2027``; empty for nothing."""
    return dates.day_short(iso)


def long_date(day: date | None) -> str:
    return dates.day_long(day)


def tint(colour: str, strength: float = 0.22) -> QColor:
    """The colour mixed into white: a background dark text stays readable on."""
    c = QColor(colour)
    if not c.isValid():
        return QColor("white")
    mix = lambda v: round(255 - (255 - v) * strength)  # noqa: E731 - tiny local helper
    return QColor(mix(c.red()), mix(c.green()), mix(c.blue()))


def level_text(level: Level | None) -> str:
    if level is None:
        return "—"
    return "N/A" if level.percentage is None and level.id == "na" else level.label


def sector_label(sector: str, profile: Partnership) -> str:
    return profile.sector_label(sector) if sector else "—"


def setup_table(table: QTableView, accessible_name: str, *, sortable: bool = True) -> None:
    table.setAccessibleName(accessible_name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSortingEnabled(sortable)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().setVisible(False)


def sorting_proxy(parent: QWidget) -> QSortFilterProxyModel:
    proxy = QSortFilterProxyModel(parent)
    proxy.setSortRole(SORT_ROLE)
    proxy.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    return proxy


def labelled(text: str, widget: QWidget) -> QLabel:
    """A label whose mnemonic (``&Sector``) moves the focus to ``widget``."""
    label = QLabel(text)
    label.setBuddy(widget)
    return label


def sector_combo(accessible_name: str, profile: Partnership) -> QComboBox:
    combo = QComboBox()
    combo.setAccessibleName(accessible_name)
    combo.addItem("All sectors", "")
    for sid, label in profile.sectors.items():
        combo.addItem(label, sid)
    return combo


class CollationError(Exception):
    """The collation could not be worked out; the message is for the user."""


class Collations:
    """The collation of each period, worked out once per refresh of the workspace.

    The matrix, year-on-year and the board report read the same :class:`~oscb_desktop.collate.Collation`, so
    an agency's level for a standard is the one the board report prints (collation's rule, not ours).
    """

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self._cache: dict[str, Collation] = {}

    def clear(self) -> None:
        self._cache.clear()

    def __call__(self, period: str) -> Collation:
        if period not in self._cache:
            self._cache[period] = self.compute(self.ws, period)
        return self._cache[period]

    def cached(self, period: str) -> Collation | None:
        """The period's collation if it has been worked out since the last refresh."""
        return self._cache.get(period)

    @staticmethod
    def compute(ws: Workspace, period: str) -> Collation:
        """Work the collation out (any thread: it only reads the workspace)."""
        try:
            from oscb_desktop.collate import collate
        except ImportError as exc:  # the collation package ships with the app; a broken install lacks it
            raise CollationError(f"The ratings cannot be worked out: this installation is incomplete ({exc}).") from exc
        return collate(review.collation_input(ws, period))

    def rule(self, title: str) -> str:
        """The wording of one of collation's rules (e.g. "An agency's level for a standard")."""
        try:
            from oscb_desktop.collate import RULES
        except ImportError:
            return ""
        return next((text for t, text in RULES if t == title), "")

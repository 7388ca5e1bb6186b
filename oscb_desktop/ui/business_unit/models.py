"""Table models of the Business Unit workspace. Each takes plain rows from the services (or the collation) and
can be tested without a view. Every coloured cell also says in words what its colour means."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from oscb_desktop.partnership import Partnership
from oscb_desktop.report.words import change_words, mean, points
from oscb_desktop.services import review
from oscb_desktop.services.imports import ImportResult
from oscb_desktop.signing import format_fingerprint
from oscb_desktop.textsafe import shown
from oscb_desktop.ui.business_unit.common import (
    DUPLICATE_BACKGROUND,
    REJECTED_BACKGROUND,
    STATUS_COLOURS,
    level_text,
    sector_label,
    short_date,
)
from oscb_desktop.ui.table_model import OVERDUE_COLOUR, SORT_ROLE, TableModel

_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()

#: Role of a matrix cell's colours: (self colour, moderated colour or None), for the delegate that paints them.
COLOURS_ROLE = Qt.ItemDataRole.UserRole + 2


# The cycle -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CycleLine:
    row: review.CycleRow
    form_title: str
    signed_by: str
    deadline: date | None


class CycleModel(TableModel):
    """Every registered agency × form of the period, with the state of its newest received version."""

    HEADERS = ("Agency", "Sector", "Form", "Status", "Version", "Signed off", "Signed by", "Imported")
    STATUS_COLUMN = 3

    def __init__(self, profile: Partnership, parent: Any = None) -> None:
        super().__init__(parent)
        #: Whose sectors the Sector column names (the page sets the workspace's current one).
        self.profile = profile

    def cell(self, line: CycleLine, column: int, role: int) -> Any:
        r = line.row
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                r.agency,
                sector_label(r.sector, self.profile),
                line.form_title,
                r.status_label,
                f"v{r.version}" if r.version else "",
                short_date(r.signed_at),
                line.signed_by,
                short_date(r.latest_import),
            )[column]
        if role == SORT_ROLE:
            order = list(review.CYCLE_STATUSES)
            return (
                r.agency.casefold(),
                sector_label(r.sector, self.profile).casefold(),
                line.form_title,
                order.index(r.status) * 2 + (0 if r.overdue else 1),
                r.version or 0,
                r.signed_at or "",
                line.signed_by.casefold(),
                r.latest_import or "",
            )[column]
        if column == self.STATUS_COLUMN:
            if role == Qt.ItemDataRole.ForegroundRole:
                return QColor(OVERDUE_COLOUR if r.overdue else STATUS_COLOURS.get(r.status, "#111827"))
            if role == Qt.ItemDataRole.FontRole and (r.overdue or r.status == "has_issues"):
                font = QFont()
                font.setBold(True)
                return font
            if role == Qt.ItemDataRole.ToolTipRole:
                tips = []
                if line.deadline:
                    tips.append(f"The deadline {'was' if r.overdue else 'is'} {short_date(line.deadline)}.")
                if not r.bundle_received:
                    tips.append(
                        "Received as the signed PDF alone: its evidence files and answer history have not come. "
                        "Import its .oscb bundle to complete it."
                    )
                return " ".join(tips) or None
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 4:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


# The matrix ----------------------------------------------------------------------------------------


def cell_text(cell: Any) -> str:
    """``Green`` for a self rating alone, ``Green / Amber`` when moderated, ``—`` for nothing rated."""
    if cell is None or (cell.self_level is None and cell.moderated_level is None):
        return "—"
    text = level_text(cell.self_level)
    if cell.moderated_level is not None:
        text += f" / {level_text(cell.moderated_level)}"
    return text


def _mean(value: float | None) -> str:
    return mean(value, missing="no scored statements")


def cell_tooltip(cell: Any, standard_title: str, rule: str = "") -> str:
    if cell is None or cell.self_level is None:
        return f"{standard_title}\nNot rated."
    lines = [standard_title, f"Agency's own rating: {level_text(cell.self_level)} (mean {_mean(cell.self_mean)})"]
    if cell.moderated_level is not None:
        lines.append(f"Moderated rating: {level_text(cell.moderated_level)} (mean {_mean(cell.moderated_mean)})")
    else:
        lines.append("Not moderated.")
    if cell.change and cell.previous_period:
        lines.append(
            f"{change_words(cell.change)} since {cell.previous_period}: level {level_text(cell.self_level)} "
            f"(mean then {_mean(cell.previous_mean)}, {points(cell.points_change)})."
        )
    if rule:
        lines += ["", rule]
    return "\n".join(lines)


class MatrixModel(TableModel):
    """Agencies × standards of the period: each cell the agency's own level and, when moderated, the moderated one."""

    FIXED = ("Agency", "Sector")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.standards: list[Any] = []
        self.rule = ""
        self.period = ""

    def set_matrix(self, standards: Sequence[Any], rows: Sequence[Any], *, period: str, rule: str = "") -> None:
        self.beginResetModel()
        self.standards = list(standards)
        self.rows = list(rows)
        self.rule = rule
        self.period = period
        self.endResetModel()

    def headers(self) -> Sequence[str]:
        return (*self.FIXED, *(s.code for s in self.standards))

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.ToolTipRole and section >= len(self.FIXED):
            standard = self.standards[section - len(self.FIXED)]
            return f"{standard.code} {standard.title}\nEach cell: the agency's own rating / the moderated rating."
        return super().headerData(section, orientation, role)

    def standard_at(self, column: int) -> Any | None:
        n = column - len(self.FIXED)
        return self.standards[n] if 0 <= n < len(self.standards) else None

    def cell(self, row: Any, column: int, role: int) -> Any:
        standard = self.standard_at(column)
        if standard is None:
            if role == Qt.ItemDataRole.DisplayRole:
                return (row.agency, row.sector_label)[column]
            if role == SORT_ROLE:
                return (row.agency.casefold(), row.sector_label.casefold())[column]
            if role == Qt.ItemDataRole.ToolTipRole and column == 0:  # the whole name, if the column elides it
                return row.agency if row.returned else f"{row.agency}\nNo Section 11 return received for {self.period}."
            if role == Qt.ItemDataRole.ForegroundRole and not row.returned:
                return QColor(STATUS_COLOURS["not_received"])
            return None
        cell = row.cell(standard.id)
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(cell) if row.returned else ""
        if role == SORT_ROLE:
            if cell is None or cell.self_mean is None:
                return -1.0
            return cell.self_mean + (cell.moderated_mean or 0) / 1000  # ties broken by the moderated mean
        if role == Qt.ItemDataRole.ToolTipRole:
            return cell_tooltip(cell, f"{standard.code} {standard.title}", self.rule) if row.returned else None
        if role == COLOURS_ROLE and cell is not None and cell.self_level is not None:
            return cell.self_level.colour, cell.moderated_level.colour if cell.moderated_level else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None


# Year on year --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StandardHistory:
    """One standard of one agency over the periods: a matrix cell per period (None: no return or not rated)."""

    standard_id: str
    code: str
    title: str
    cells: tuple[Any, ...]


class YearOnYearModel(TableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.periods: list[str] = []

    def set_history(self, periods: Sequence[str], rows: Sequence[StandardHistory]) -> None:
        self.beginResetModel()
        self.periods = list(periods)
        self.rows = list(rows)
        self.endResetModel()

    def headers(self) -> Sequence[str]:
        return ("Standard", *self.periods, "Change")

    def cell(self, row: StandardHistory, column: int, role: int) -> Any:
        last = len(self.periods) + 1
        if column == 0:
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{row.code} {row.title}"
            if role == SORT_ROLE:
                return self.rows.index(row)  # the form's order: S2 before S10
            return None
        if column == last:
            newest = row.cells[-1] if row.cells else None
            change = newest.change if newest is not None else None
            if role == Qt.ItemDataRole.DisplayRole:
                if change is None or newest is None:
                    return "—"
                return f"{change_words(change)} ({points(newest.points_change)})"
            if role == SORT_ROLE:
                return {"declined": 0, "same": 1, "improved": 2}.get(change or "", -1)
            if role == Qt.ItemDataRole.ToolTipRole and newest is not None and newest.previous_period:
                return (
                    f"Mean {_mean(newest.self_mean)} in {self.periods[-1]} against "
                    f"{_mean(newest.previous_mean)} in {newest.previous_period}."
                )
            return None
        cell = row.cells[column - 1]
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(cell)
        if role == SORT_ROLE:
            return cell.self_mean if cell is not None and cell.self_mean is not None else -1.0
        if role == Qt.ItemDataRole.ToolTipRole:
            return cell_tooltip(cell, f"{row.code} {row.title} — {self.periods[column - 1]}")
        if role == COLOURS_ROLE and cell is not None and cell.self_level is not None:
            return cell.self_level.colour, cell.moderated_level.colour if cell.moderated_level else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None


# Import results ------------------------------------------------------------------------------------

OUTCOME_LABELS = {"imported": "Imported", "duplicate": "Already imported", "rejected": "Rejected"}
#: Imported, but said apart: a signed PDF sent alone, and the bundle that completed one.
CODE_LABELS = {"pdf_only": "Imported (signed PDF alone)", "completed": "Completed by its bundle"}


class ImportResultsModel(TableModel):
    HEADERS = ("File", "Agency", "Form", "Period", "Version", "Outcome", "Reason")
    OUTCOME_COLUMN = 5

    def __init__(self, form_titles: dict[str, str] | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self.form_titles = form_titles or {}

    def cell(self, r: ImportResult, column: int, role: int) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
            outcome = CODE_LABELS.get(r.code) or OUTCOME_LABELS.get(r.outcome, r.outcome)
            if r.outcome == "imported" and r.newly_trusted:
                outcome += " (certificate trusted)"
            # Names come from the file system and from bundles: control and bidi characters shown as escapes.
            return (
                shown(Path(r.file).name),
                shown(r.agency or ""),
                shown(self.form_titles.get(r.form_id or "", r.form_id or "")),
                r.period or "",
                f"v{r.version}" if r.version else "",
                outcome,
                shown(r.reason),
            )[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = (r.file, r.agency, None, None, None, None, r.reason)[column]
            return shown(tip) if tip else None
        if role == Qt.ItemDataRole.BackgroundRole:
            if r.outcome == "rejected":
                return QColor(REJECTED_BACKGROUND)
            if r.outcome == "duplicate":
                return QColor(DUPLICATE_BACKGROUND)
        if role == Qt.ItemDataRole.FontRole and r.outcome == "rejected" and column == self.OUTCOME_COLUMN:
            font = QFont()
            font.setBold(True)
            return font
        return None


# The register --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgencyLine:
    id: int
    name: str
    sector: str
    contact_name: str
    contact_email: str
    certificates: int
    revoked: int
    latest_fingerprint: str
    registered_at: str | None
    revoked_at: str | None

    @property
    def contact(self) -> str:
        if self.contact_name and self.contact_email:
            return f"{self.contact_name} <{self.contact_email}>"
        return self.contact_name or self.contact_email


def short_fingerprint(hex_digest: str, groups: int = 4) -> str:
    if not hex_digest:
        return ""
    parts = format_fingerprint(hex_digest).split()
    return " ".join(parts[:groups]) + (" …" if len(parts) > groups else "")


class AgenciesModel(TableModel):
    HEADERS = (
        "Agency",
        "Sector",
        "Contact",
        "Certificates",
        "Latest certificate",
        "Registered on",
        "Revoked on",
    )

    def __init__(self, profile: Partnership, parent: Any = None) -> None:
        super().__init__(parent)
        #: Whose sectors the Sector column names (the page sets the workspace's current one).
        self.profile = profile

    def cell(self, a: AgencyLine, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if a.certificates == 0:
                certs = "none yet"
            else:
                certs = f"{a.certificates}" + (f" ({a.revoked} revoked)" if a.revoked else "")
            return (
                a.name,
                sector_label(a.sector, self.profile),
                a.contact,
                certs,
                short_fingerprint(a.latest_fingerprint),
                short_date(a.registered_at),
                short_date(a.revoked_at),
            )[column]
        if role == SORT_ROLE:
            return (
                a.name.casefold(),
                sector_label(a.sector, self.profile).casefold(),
                a.contact.casefold(),
                a.certificates,
                a.latest_fingerprint,
                a.registered_at or "",
                a.revoked_at or "",
            )[column]
        if role == Qt.ItemDataRole.ToolTipRole and column == 4 and a.latest_fingerprint:
            return format_fingerprint(a.latest_fingerprint)
        if role == Qt.ItemDataRole.ForegroundRole and column == 6 and a.revoked_at:
            return QColor(OVERDUE_COLOUR)
        return None


@dataclass(frozen=True)
class CertificateLine:
    id: int
    fingerprint: str
    subject: str
    source: str
    registered_at: str
    registered_by: str
    revoked_at: str | None
    revoked_by: str | None


SOURCE_LABELS = {"pem": "from a .pem file", "import": "confirmed at import"}


class CertificatesModel(TableModel):
    HEADERS = ("Fingerprint (SHA-256)", "Certificate of", "How registered", "Registered", "State")

    def cell(self, c: CertificateLine, column: int, role: int) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
            state = f"Revoked {short_date(c.revoked_at)} by {c.revoked_by}" if c.revoked_at else "Trusted"
            return (
                format_fingerprint(c.fingerprint),
                c.subject,
                SOURCE_LABELS.get(c.source, c.source),
                f"{short_date(c.registered_at)} by {c.registered_by}",
                state,
            )[column]
        if role == Qt.ItemDataRole.FontRole and column == 0:
            font = QFont("monospace")
            font.setStyleHint(QFont.StyleHint.Monospace)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and column == 4:
            return QColor(OVERDUE_COLOUR if c.revoked_at else STATUS_COLOURS["accepted"])
        return None

"""The Business Unit's workspace: the cycle, the matrix, year on year, the register and the board report, with
import of bundles by menu or by dropping files and folders on the window."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from oscb_desktop.services import review
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.ui import file_dialogs
from oscb_desktop.ui.business_unit.agencies import AgenciesPage
from oscb_desktop.ui.business_unit.common import Collations, labelled
from oscb_desktop.ui.business_unit.cycle import CyclePage
from oscb_desktop.ui.business_unit.glance import GlancePage
from oscb_desktop.ui.business_unit.importing import (
    Checks,
    ConfirmTrust,
    ImportResultsDialog,
    ImportRun,
    ask_trust,
    run_import,
)
from oscb_desktop.ui.business_unit.matrix import MatrixPage
from oscb_desktop.ui.business_unit.report import ReportPage
from oscb_desktop.ui.business_unit.viewer import ReturnViewer
from oscb_desktop.ui.business_unit.year_on_year import YearOnYearPage
from oscb_desktop.ui.common import html
from oscb_desktop.ui.ops import Job


class BusinessUnitWorkspace(QWidget):
    sig_message = Signal(str)
    """A line for the window's status bar."""

    sig_imported = Signal(object)
    """An import finished (its :class:`ImportRun`)."""

    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.collations = Collations(ws)
        #: Asked for a bundle signed by a certificate not on the register; replaceable (tests, other front ends).
        self.confirm_trust: ConfirmTrust = ask_trust(ws, self)
        self.viewer: ReturnViewer | None = None
        self.results: ImportResultsDialog | None = None
        self.setAcceptDrops(True)

        self.title = title = QLabel()
        self.show_title()
        self.period = QComboBox()
        self.period.setAccessibleName("Reporting period")
        self.period.setMinimumContentsLength(8)
        self.period.currentIndexChanged.connect(lambda _i: self._period_changed())
        self.import_button = QPushButton("Import bundles…")
        self.import_button.setObjectName("primary")
        self.import_button.setToolTip(
            "Import .oscb files from agencies (Ctrl+I), or a signed return PDF sent on its own. You can also "
            "drop files or folders here."
        )
        self.import_button.clicked.connect(self.import_files_dialog)
        drop_hint = QLabel("or drop .oscb files and folders on this window")
        drop_hint.setObjectName("muted")
        top = QHBoxLayout()
        top.addWidget(title, 1)
        top.addWidget(labelled("Reporting &period:", self.period))
        top.addWidget(self.period)
        top.addSpacing(16)
        top.addWidget(drop_hint)
        top.addWidget(self.import_button)

        self.cycle = CyclePage(ws)
        self.glance = GlancePage(self.collations)
        self.matrix = MatrixPage(ws, self.collations)
        self.year_on_year = YearOnYearPage(ws, self.collations)
        self.agencies = AgenciesPage(ws)
        self.report = ReportPage(ws, self.collations)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.cycle, "&The cycle")
        self.tabs.addTab(self.glance, "At a g&lance")
        self.tabs.addTab(self.matrix, "&Matrix")
        self.tabs.addTab(self.year_on_year, "&Year on year")
        self.tabs.addTab(self.agencies, "A&gencies")
        self.tabs.addTab(self.report, "Board &report")

        self.cycle.sig_open_return.connect(self.open_return)
        self.matrix.sig_open_return.connect(self.open_return)
        for page in (self.cycle, self.agencies, self.report):
            page.sig_message.connect(self.sig_message)
        self.agencies.sig_changed.connect(self.refresh)
        if ws.engine != "sqlite":  # other officers change the shared database: show their changes on every switch
            self.tabs.currentChanged.connect(lambda _i: self.refresh())

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        self.setFocusProxy(self.tabs)
        self.refresh()

    @property
    def current_period(self) -> str:
        return self.period.currentText()

    def show_title(self) -> None:
        """The partnership's name under the heading (it changes when the partnership is set up or renamed)."""
        self.title.setText(f"<h2 style='margin:0'>Business Unit</h2><span>{html(self.ws.profile.name)}</span>")

    @Slot()
    def refresh(self) -> None:
        """Read everything again (after an import, a review, a change of the register)."""
        self.collations.clear()
        chosen = self.period.currentText()
        periods = review.periods(self.ws)
        self.period.blockSignals(True)
        self.period.clear()
        self.period.addItems(periods)
        if chosen in periods:
            self.period.setCurrentText(chosen)
        self.period.blockSignals(False)
        self._period_changed()
        self.year_on_year.refresh()
        self.agencies.refresh()

    def _period_changed(self) -> None:
        period = self.current_period
        for page in (self.cycle, self.glance, self.matrix, self.report):
            page.set_period(period)

    # Returns ------------------------------------------------------------------------------------

    def open_return(self, received_id: int, standard: str = "") -> ReturnViewer:
        viewer = ReturnViewer(self.ws, received_id, self.collations, focus_standard=standard, parent=self)
        viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        viewer.sig_review_saved.connect(lambda _id: self.refresh())
        viewer.finished.connect(lambda _r: setattr(self, "viewer", None))
        self.viewer = viewer
        viewer.open()
        return viewer

    # Import -------------------------------------------------------------------------------------

    @Slot()
    def import_files_dialog(self) -> None:
        files = file_dialogs.ask_open_files(
            self,
            "Import bundles",
            "Signed returns (*.oscb *.p7m *.pdf);;Bundles (*.oscb *.p7m);;Signed PDFs sent alone (*.pdf);;"
            "All files (*)",
        )
        if files:
            self.import_paths(files)

    @Slot()
    def import_folder_dialog(self) -> None:
        folder = file_dialogs.ask_folder(self, "Import every bundle in a folder")
        if folder is not None:
            self.import_paths([folder])

    def import_paths(self, paths: Iterable[str | Path]) -> Job[Checks] | None:
        """Import files (bundles, or signed PDFs sent alone) and folders (every ``*.oscb`` below a folder) in the
        background, then show what
        happened to each (``sig_imported`` is emitted with the :class:`ImportRun`)."""
        return run_import(self, self.ws, paths, lambda res, path: self.confirm_trust(res, path), self._imported)

    def _imported(self, run: ImportRun) -> None:
        self.refresh()
        titles = {f.id: f.short_title for f in self.ws.forms}
        self.results = ImportResultsDialog(run, titles, self)
        self.results.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.results.finished.connect(lambda _r: setattr(self, "results", None))
        self.results.open()
        self.sig_message.emit(run.summary())
        self.sig_imported.emit(run)

    @staticmethod
    def _local_paths(event: QDropEvent | QDragEnterEvent | QDragMoveEvent) -> list[Path]:
        mime = event.mimeData()
        if not mime.hasUrls():
            return []
        return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._local_paths(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._local_paths(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = self._local_paths(event)
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        # Import after the drop has returned: the file manager that started the drag waits until then.
        QTimer.singleShot(0, self, lambda: self.import_paths(paths))

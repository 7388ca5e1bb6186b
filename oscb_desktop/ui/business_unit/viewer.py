"""A received return, read-only: the signed PDF as the agency signed it, with the Business Unit's review beside it.

The review (status, notes, moderated ratings, challenge-event notes) is stored in this workspace apart from the
signed return, through :mod:`oscb_desktop.services.review`; the signed answers and PDF never change.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt, QTimer, Signal, Slot
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from oscb_desktop import dates, signing, textsafe
from oscb_desktop.forms.known import SELF_ASSESSMENT
from oscb_desktop.services import review
from oscb_desktop.services.values import ReceivedInfo
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.ui import printing
from oscb_desktop.ui.business_unit.common import CollationError, Collations, level_text, short_date
from oscb_desktop.ui.business_unit.evidence import EvidenceHints, ReceivedEvidence
from oscb_desktop.ui.business_unit.models import short_fingerprint
from oscb_desktop.ui.business_unit.required_actions import RequiredActions
from oscb_desktop.ui.business_unit.review_pane import ReviewPane, Standard
from oscb_desktop.ui.common import ask, html, message, safe_file_name


class ReturnViewer(QDialog):
    """The signed PDF (any version) on the left; the review and the version history on the right."""

    sig_review_saved = Signal(int)
    """The review of a return was saved (received id of its newest version)."""

    def __init__(
        self,
        ws: Workspace,
        received_id: int,
        collations: Collations,
        *,
        focus_standard: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ws = ws
        shown = review.received(ws, received_id)
        self.versions = review.history(ws, shown.agency_id, shown.form_id, shown.period)
        self.newest = self.versions[0]
        self.agency = shown.agency
        self.form_title = self._form_title(shown)
        self.setWindowTitle(textsafe.shown(f"{self.form_title} {shown.period} – {self.agency.name}"))
        self.pdf_bytes = b""
        self.shown = shown
        self.dirty = False
        self._loading = False
        self._loaded: dict[str, tuple[str | None, str]] = {}

        # The PDF ------------------------------------------------------------------------------
        self.showing = QLabel()
        self.showing.setWordWrap(True)
        self.showing.setTextFormat(Qt.TextFormat.RichText)
        self.preview_button = QPushButton("Print pre&view…")
        self.print_button = QPushButton("&Print…")
        self.save_pdf_button = QPushButton("Save P&DF…")
        self.preview_button.clicked.connect(self.print_preview)
        self.print_button.clicked.connect(self.print_pdf)
        self.save_pdf_button.clicked.connect(self.save_pdf)
        self.pages = QLabel()
        self.pages.setObjectName("muted")
        self.document = QPdfDocument(self)
        self._buffer: QBuffer | None = None
        self.pdf_view = QPdfView()
        self.pdf_view.setAccessibleName("The signed return")
        self.pdf_view.setDocument(self.document)
        self.pdf_view.setPageMode(QPdfView.PageMode.MultiPage)
        self.pdf_view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.pdf_problem = QLabel()
        self.pdf_problem.setObjectName("warningBanner")
        self.pdf_problem.setWordWrap(True)
        self.pdf_problem.setVisible(False)
        tools = QHBoxLayout()
        tools.addWidget(self.pages)
        tools.addStretch(1)
        for button in (self.preview_button, self.print_button, self.save_pdf_button):
            button.setAutoDefault(False)
            tools.addWidget(button)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.showing)
        left_layout.addLayout(tools)
        left_layout.addWidget(self.pdf_problem)
        left_layout.addWidget(self.pdf_view, 1)

        # The review ---------------------------------------------------------------------------
        self.review = ReviewPane(self._standards(collations))
        self.required = RequiredActions(ws, received_id, self._standard_titles())
        self.review.add_section(self.required)
        self.review.sig_changed.connect(self._changed)
        self.review.sig_save_requested.connect(self.save)
        self.review_scroll = QScrollArea()
        self.review_scroll.setWidgetResizable(True)
        self.review_scroll.setWidget(self.review)
        self.review_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.save_button = QPushButton("&Save review")
        self.save_button.setObjectName("primary")
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        self.save_state = QLabel()
        self.save_state.setObjectName("muted")
        close = QPushButton("Close")
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        review_tab = QWidget()
        review_layout = QVBoxLayout(review_tab)
        review_layout.setContentsMargins(0, 0, 0, 0)
        self.hints = EvidenceHints(ws)  # "check this evidence", above the review
        review_layout.addWidget(self.hints)
        review_layout.addWidget(self.review_scroll, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.save_state, 1)
        bottom.addWidget(self.save_button)
        bottom.addWidget(close)
        review_layout.addLayout(bottom)

        self.history = QTableWidget(0, 5)
        self.history.setHorizontalHeaderLabels(["Version", "Review", "Signed off", "Imported", "Signed by"])
        self.history.setWordWrap(False)
        self.history.setAccessibleName("Versions received of this return")
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.history.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.history.verticalHeader().setVisible(False)
        self.history.itemActivated.connect(lambda _item: self.show_selected_version())
        self.show_version_button = QPushButton("Show this version")
        self.show_version_button.setAutoDefault(False)
        self.show_version_button.clicked.connect(self.show_selected_version)
        history_tab = QWidget()
        history_layout = QVBoxLayout(history_tab)
        explain = QLabel(
            "Every version of this return that was imported, newest first. A reopened return is signed off "
            "again as a new version; older versions stay here exactly as they were signed."
        )
        explain.setWordWrap(True)
        explain.setObjectName("muted")
        history_layout.addWidget(explain)
        history_layout.addWidget(self.history, 1)
        history_layout.addWidget(self.show_version_button, 0, Qt.AlignmentFlag.AlignRight)

        self.tabs = QTabWidget()
        self.tabs.addTab(review_tab, "Review")
        self.tabs.addTab(history_tab, f"Versions ({len(self.versions)})")
        self.evidence = ReceivedEvidence(ws)
        self.evidence_tab = self.tabs.addTab(self.evidence, "Evidence files")
        self.hints.sig_show_file.connect(self.show_evidence_file)

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([760, 560])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.resize(1340, 860)

        self._fill_history()
        self.load_review()
        self.show_version(shown)
        if focus_standard in self.review.standards:
            QTimer.singleShot(0, self, lambda: self.focus_standard(focus_standard))

    # Data ---------------------------------------------------------------------------------------

    def _form_title(self, row: ReceivedInfo) -> str:
        try:
            return self.ws.forms.get(row.form_id, row.form_version).short_title
        except KeyError:
            return row.form_id

    def _standard_titles(self) -> list[tuple[str, str]]:
        """(section id, "S3 Safer recruitment") of the return's form, for required actions."""
        try:
            form = self.ws.forms.get(self.newest.form_id, self.newest.form_version)
        except KeyError:
            return []
        return [(s.id, f"{form.code_of(s)} {s.title}".strip()) for s in form.sections]

    def _standards(self, collations: Collations) -> list[tuple[Standard, str]]:
        try:
            kind = self.ws.forms.get(self.newest.form_id, self.newest.form_version).kind
        except KeyError:
            kind = None
        if kind != SELF_ASSESSMENT:
            return []
        try:
            collation = collations(self.newest.period)
        except CollationError:
            return []
        row = next((r for r in collation.matrix if r.agency == self.agency.name), None)
        by_standard: dict[str, list[review.StatementToModerate]] = {}
        for statement in review.statements(self.ws, self.newest.id):
            by_standard.setdefault(statement.standard_id, []).append(statement)
        out = []
        for s in collation.standards:
            cell = row.cell(s.id) if row is not None else None
            own = "not rated"
            if cell is not None and cell.self_level is not None:
                own = level_text(cell.self_level)
                if cell.self_mean is not None:
                    own += f" (mean {cell.self_mean:.0f}%)"
            out.append((Standard(s.id, s.code, s.title, s.scale, tuple(by_standard.get(s.id, ()))), own))
        return out

    def load_review(self) -> None:
        row = review.received(self.ws, self.newest.id)
        mods = review.moderation_for(self.ws, row.agency_id, row.form_id, row.period)
        #: What this screen shows: a save is refused if another officer changed it since (``seen=``).
        self._seen = (row, mods)
        self._loading = True
        try:
            self.review.set_status(row.review_status)
            self.review.notes.setPlainText(row.review_notes or "")
            for target, widget in self.review.standards.items():
                m = mods.get(target)
                widget.set_values(m.level if m else None, m.note if m else "")
            for target, statement_row in self.review.statement_rows.items():
                m = mods.get(target)
                statement_row.set_values(m.level if m else None, m.note if m else "")
            whole = mods.get("")
            self.review.whole.setPlainText(whole.note if whole else "")
        finally:
            self._loading = False
        self._loaded = self._values()
        self.dirty = False
        reviewed = (
            f"Last reviewed {dates.local_moment(row.reviewed_at)} by {row.reviewed_by}." if row.reviewed_at else ""
        )
        self.save_state.setText(reviewed or "Not reviewed yet.")

    def _values(self) -> dict[str, tuple[str | None, str]]:
        """What the pane shows: ``status`` -> (status, notes); each target -> (level, note)."""
        values: dict[str, tuple[str | None, str]] = {
            "status": (self.review.status(), self.review.notes.toPlainText().strip()),
            "": (None, self.review.whole.toPlainText().strip()),
        }
        for target, widget in self.review.standards.items():
            values[target] = widget.values()
        for target, statement_row in self.review.statement_rows.items():
            values[target] = statement_row.values()
        return values

    @Slot()
    def _changed(self) -> None:
        if self._loading:
            return
        self.dirty = self._values() != self._loaded
        self.save_state.setText("Unsaved changes." if self.dirty else "")

    @Slot()
    def save(self) -> bool:
        """Write what changed; all or nothing."""
        now, before = self._values(), self._loaded
        row = self.newest
        seen_row, seen_mods = self._seen
        try:
            with self.ws.db.atomic():
                if now["status"] != before["status"]:
                    status, notes = now["status"]
                    review.set_status(self.ws, row.id, status or "received", notes, seen=seen_row)
                for target, value in now.items():
                    if target == "status" or value == before.get(target):
                        continue
                    level, note = value
                    review.set_moderation(
                        self.ws, row.agency_id, row.form_id, row.period, target, level=level, note=note,
                        seen=seen_mods.get(target),
                    )  # fmt: skip
        except review.ReviewChangedError as exc:
            ask(self, "Review changed by someone else", str(exc), "Reload shows their change; yours is not kept.",
                "&Reload", self.load_review, icon=QMessageBox.Icon.Warning)  # fmt: skip
            return False
        except review.ReviewError as exc:
            message(self, "Review not saved", str(exc), icon=QMessageBox.Icon.Warning)
            return False
        self.load_review()
        self._fill_history()
        for target, statement_row in self.review.statement_rows.items():
            if now.get(target) != before.get(target):
                statement_row.mark_saved()
        self.save_state.setText("Saved. " + self.save_state.text())
        self.sig_review_saved.emit(row.id)
        return True

    def reject(self) -> None:
        if self.dirty:
            answer = QMessageBox.question(
                self,
                "Save your review?",
                "You have changed the review of this return. Save the changes before closing?",
                QMessageBox.StandardButton.Save
                | QMessageBox.StandardButton.Discard
                | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Save,
            )
            if answer == QMessageBox.StandardButton.Cancel:
                return
            if answer == QMessageBox.StandardButton.Save and not self.save():
                return
        super().reject()

    def focus_standard(self, standard_id: str) -> None:
        widget = self.review.standards.get(standard_id)
        if widget is not None:
            self.tabs.setCurrentIndex(0)
            self.review_scroll.ensureWidgetVisible(widget, 0, 40)
            widget.level.setFocus()

    @Slot(str, str)
    def show_evidence_file(self, item_id: str, sha256: str) -> None:
        """A hint was chosen: the file, selected in the Evidence files tab."""
        self.tabs.setCurrentIndex(self.evidence_tab)
        self.evidence.select(item_id, sha256)

    # Versions and the PDF ----------------------------------------------------------------------

    def _fill_history(self) -> None:
        self.versions = review.history(self.ws, self.newest.agency_id, self.newest.form_id, self.newest.period)
        self.history.setRowCount(len(self.versions))
        for n, v in enumerate(self.versions):
            state = "Superseded" if v.superseded else review.REVIEW_STATUSES.get(v.review_status, v.review_status)
            cells = (
                f"v{v.version}",
                state,
                short_date(v.signed_at),
                short_date(v.imported_at),
                textsafe.shown(f"{v.signatory_name}, {v.signatory_role}"),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, v.id)
                item.setToolTip(textsafe.shown(f"Imported by {v.imported_by} from {v.file_name}"))
                self.history.setItem(n, column, item)
        self.history.resizeColumnsToContents()
        self.history.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        if self.versions:
            self.history.selectRow(0)

    @Slot()
    def show_selected_version(self) -> None:
        item = self.history.item(self.history.currentRow(), 0)
        if item is not None:
            self.show_version(review.received(self.ws, item.data(Qt.ItemDataRole.UserRole)))

    def show_version(self, row: ReceivedInfo) -> None:
        self.shown = row
        self.evidence.show_return(row)
        missing = self.evidence.not_received
        self.tabs.setTabText(
            self.evidence_tab,
            f"Evidence files ({len(self.evidence.files)}" + (", not received)" if missing else ")"),
        )
        self.hints.show_return(row)
        signed = (
            f"Signed off by <b>{_text(row.signatory_name)}</b>, {_text(row.signatory_role)}, on "
            f"{dates.local_moment(row.signed_at)}, with the certificate whose fingerprint begins "
            f"{short_fingerprint(row.signer_fingerprint).rstrip(' …')}. "
            f"Imported {short_date(row.imported_at)} from {_text(row.file_name)}."
        )
        if not row.bundle_received:
            signed += (
                "<br><b>Received as the signed PDF alone:</b> its evidence files and answer history have not come. "
                "Import its .oscb bundle to complete it."
            )
        version = f"version {row.version}"
        if row.id != self.newest.id:
            version += (
                f" — <b>superseded by version {self.newest.version}</b>; the review on the right is of version "
                f"{self.newest.version}"
            )
        self.showing.setText(
            f"<h3 style='margin:0'>{_text(self.agency.name)}</h3>{html(self.form_title)} {html(row.period)}, "
            f"{version}. Read-only: this is the PDF the agency signed.<br>{signed}"
        )
        try:
            pdf = review.signed_pdf(self.ws, row)
        except review.ReviewError as exc:
            self._set_pdf(b"", str(exc))
            return
        self._set_pdf(pdf, "")

    def _set_pdf(self, pdf: bytes, problem: str) -> None:
        self.pdf_bytes = pdf
        self.document.close()
        if self._buffer is not None:
            self._buffer.close()
            self._buffer.deleteLater()
            self._buffer = None
        if pdf:
            # QtPdf leaves form widgets, such as the visible signature, undrawn: show the copy printing
            # renders, with their appearances drawn into the pages (the stored bytes are never changed).
            self._buffer = QBuffer(self)
            self._buffer.setData(QByteArray(signing.displayable_pdf(pdf)))
            self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
            self.document.load(self._buffer)
            if self.document.status() != QPdfDocument.Status.Ready:
                problem = "This PDF cannot be shown: it is damaged. Import the agency's bundle again."
        ok = bool(pdf) and not problem
        self.pdf_problem.setText(problem)
        self.pdf_problem.setVisible(bool(problem))
        count = self.document.pageCount() if ok else 0
        self.pages.setText(f"{count} pages" if ok else "")
        for button in (self.preview_button, self.print_button, self.save_pdf_button):
            button.setEnabled(ok)

    @property
    def document_title(self) -> str:
        return textsafe.shown(
            f"{self.form_title} {self.shown.period} – {self.agency.name} (version {self.shown.version})"
        )

    @property
    def file_name(self) -> str:
        period = self.shown.period.replace("/", "-")
        return f"{safe_file_name(self.agency.name)}_{self.shown.form_id}_{period}_v{self.shown.version}.pdf"

    @Slot()
    def print_preview(self) -> None:
        title, pdf = self.document_title, self.pdf_bytes
        printing.preview_in_background(self, lambda: (title, pdf))

    @Slot()
    def print_pdf(self) -> None:
        title, pdf = self.document_title, self.pdf_bytes
        printing.print_via_dialog_in_background(self, lambda: (title, pdf))

    @Slot()
    def save_pdf(self) -> None:
        pdf = self.pdf_bytes
        printing.save_pdf_in_background(
            self, lambda: pdf, self.file_name, lambda path: self.save_state.setText(f"PDF saved as {path}")
        )


def _text(text: str) -> str:
    """A name that came in a bundle, for a rich-text label: control and bidi characters shown as escapes."""
    return html(textsafe.shown(text))

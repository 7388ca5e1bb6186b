"""Sign a return off: what still blocks it, or the review summary, the signatory and the passphrase.

Signing (unlock the key, render the PDF, sign it, store it) takes about a second, so it runs as a background
job (:mod:`oscb_desktop.ui.ops`): the dialog stays painted and disabled, and shows the stage texts that
:func:`oscb_desktop.services.signoff.sign_off` reports.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from oscb_desktop import dates
from oscb_desktop.forms import Problem
from oscb_desktop.report.words import plural
from oscb_desktop.services import identities, returns, signoff, survey
from oscb_desktop.services.survey_values import SurveyBeside
from oscb_desktop.services.values import IdentityInfo, ReturnInfo
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.signing import UnlockedKey, WrongPassphraseError
from oscb_desktop.ui.common import fit_height, html
from oscb_desktop.ui.ops import Job
from oscb_desktop.ui.signing.identity_dialog import IdentityDialog, certificate_title, password_field

ITEM_ROLE = Qt.ItemDataRole.UserRole


class SignOffDialog(QDialog):
    """One return's sign-off. After ``accept()``, ``signed`` is the signed row and ``key`` the unlocked key
    (so that "Export now…" needs no second passphrase)."""

    sig_jump_to_item = Signal(str)
    """The user chose something that blocks sign-off: show that item in the editor (the dialog has closed)."""

    sig_identity_changed = Signal()
    """A signing identity was created or imported from this dialog."""

    BLOCKED, NO_IDENTITY, READY = range(3)

    def __init__(self, ws: Workspace, submission_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.sub: ReturnInfo = returns.get_submission(ws, submission_id)
        self.form = returns.form_of(ws, self.sub)
        self.signed: ReturnInfo | None = None
        self.key: UnlockedKey | None = None
        self.job: Job[tuple[ReturnInfo, UnlockedKey]] | None = None
        self._prefilled = False
        self.setWindowTitle(f"Sign off — {self.form.short_title} {self.sub.period}")
        self.resize(800, 720)

        self.state = self.BLOCKED
        heading = QLabel(
            f"<h3 style='margin:0'>{html(self.form.title)} {self.sub.period}</h3>"
            f"{html(self.sub.agency.name)} · version {self.sub.version}"
        )
        self.pages = QStackedWidget()
        self.pages.addWidget(self._blocked_page())
        self.pages.addWidget(self._identity_page())
        self.pages.addWidget(self._ready_page())

        self.feedback = QLabel()
        self.feedback.setObjectName("problem")
        self.feedback.setWordWrap(True)
        self.feedback.setVisible(False)
        self.feedback.setAccessibleName("Message")
        self.stage = QLabel()
        self.stage.setObjectName("muted")
        self.stage.setVisible(False)

        self.buttons = QDialogButtonBox()
        self.sign_button = QPushButton("Sign off")
        self.sign_button.setObjectName("primary")
        self.buttons.addButton(self.sign_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.close_button.setAutoDefault(False)
        self.sign_button.clicked.connect(self.sign)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.feedback)
        layout.addWidget(self.stage)
        layout.addWidget(self.buttons)
        self.show_state()
        if self.state == self.NO_IDENTITY:
            self.resize(800, 320)
        elif self.state == self.BLOCKED or self.ratings.rowCount() == 0:
            self.resize(800, 480)

    # Pages ------------------------------------------------------------------------------------------

    def _blocked_page(self) -> QWidget:
        page = QWidget()
        self.blocked_title = QLabel()
        self.blocked_title.setWordWrap(True)
        self.blockers = QListWidget()
        self.blockers.setAccessibleName("What blocks sign-off")
        self.blockers.setWordWrap(True)
        self.blockers.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.blockers.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.blockers.itemActivated.connect(self._blocker_chosen)
        self.blockers.itemClicked.connect(self._blocker_chosen)
        self.blocked_title.setBuddy(self.blockers)
        col = QVBoxLayout(page)
        col.setContentsMargins(0, 0, 0, 0)
        col.addWidget(self.blocked_title)
        col.addWidget(self.blockers, 1)
        return page

    def _identity_page(self) -> QWidget:
        page = QWidget()
        text = QLabel(
            f"<p><b>{html(self.sub.agency.name)} has no signing identity yet.</b></p>"
            "<p>A return is signed off with the agency's signing identity: a key kept on this computer, locked "
            "by a passphrase, and a certificate that names the person who signs. Create one now, or import "
            "your organisation's certificate from a .p12 or .pfx file; then sign the return off here.</p>"
        )
        text.setWordWrap(True)
        self.setup_identity = QPushButton("Set up a signing identity…")
        self.setup_identity.setObjectName("primary")
        self.setup_identity.clicked.connect(self._open_identity_dialog)
        col = QVBoxLayout(page)
        col.setContentsMargins(0, 0, 0, 0)
        col.addWidget(text)
        col.addWidget(self.setup_identity, 0, Qt.AlignmentFlag.AlignLeft)
        col.addStretch(1)
        return page

    def _ready_page(self) -> QWidget:
        page = QWidget()
        review = QGroupBox("What you are signing")
        self.ratings = QTableWidget(0, 3)
        self.ratings.setHorizontalHeaderLabels(("Standard", "Ratings", "Mean"))
        self.ratings.setAccessibleName("Ratings per standard")
        self.ratings.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.ratings.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.ratings.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.ratings.setTabKeyNavigation(False)
        self.ratings.setWordWrap(True)
        self.ratings.verticalHeader().setVisible(False)
        self.ratings.setAlternatingRowColors(True)
        header = self.ratings.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.ratings.setMinimumHeight(220)
        self.ratings.setCornerButtonEnabled(False)
        for corner in self.ratings.findChildren(QAbstractButton):  # Qt's own, without a label
            corner.setAccessibleName("Table corner")
        self.totals = QLabel()
        self.totals.setWordWrap(True)
        review_col = QVBoxLayout(review)
        review_col.addWidget(self.ratings, 1)
        review_col.addWidget(self.totals)
        #: Where the agency's ratings and its practitioners' survey answers diverge (hidden when nowhere).
        self.divergences = QLabel()
        self.divergences.setWordWrap(True)
        self.divergences.setObjectName("problem")
        self.divergences.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        #: Scrolls when practitioners diverge from many ratings, so the review keeps its size.
        self.divergences_box = QScrollArea()
        self.divergences_box.setWidget(self.divergences)
        self.divergences_box.setWidgetResizable(True)
        self.divergences_box.setFrameShape(QFrame.Shape.NoFrame)
        self.divergences_box.setMaximumHeight(140)
        self.divergences_box.setAccessibleName("Where your practitioners' survey answers diverge from your ratings")
        review_col.addWidget(self.divergences_box)

        signatory = QGroupBox("Who signs")
        self.name = QLineEdit()
        self.name.setAccessibleName("Signatory's name")
        self.role = QLineEdit()
        self.role.setAccessibleName("Signatory's role")
        self.role.setPlaceholderText("e.g. Director of Children's Services")
        for field in (self.name, self.role):
            field.setMaxLength(signoff.MAX_SIGNATORY_CHARS)
        self.identity_label = QLabel()
        self.identity_label.setWordWrap(True)
        self.identity_label.setObjectName("muted")
        self.passphrase = password_field("Passphrase of the signing key")
        self.passphrase.sig_refused.connect(self._error)
        form = QFormLayout(signatory)
        form.addRow("Signatory's &name:", self.name)
        form.addRow("&Role:", self.role)
        form.addRow("Signing identity:", self.identity_label)
        form.addRow("&Passphrase:", self.passphrase)
        declaration = QLabel(
            "By signing off, the signatory confirms this return on behalf of the agency. The signed version "
            "cannot be changed afterwards: the signed PDF is what prints and what the Business Unit receives. "
            "To change anything later, reopen it as a new version."
        )
        declaration.setWordWrap(True)
        declaration.setObjectName("muted")
        form.addRow("", declaration)

        self.ready_layout = col = QVBoxLayout(page)
        col.setContentsMargins(0, 0, 0, 0)
        col.addWidget(review, 1)
        col.addWidget(signatory)
        col.addStretch(0)  # takes the room of the ratings when the form has none
        return page

    # State ------------------------------------------------------------------------------------------

    def show_state(self, blockers: list[Problem] | None = None) -> None:
        """Choose the page: what blocks sign-off, no identity yet, or ready to sign."""
        if blockers is None:
            blockers = returns.problems(self.ws, self.sub.id)
        row = identities.current(self.ws, self.sub.agency.id)
        if blockers:
            self._fill_blockers(blockers)
            state = self.BLOCKED
        elif row is None:
            state = self.NO_IDENTITY
        else:
            self._fill_ready(row)
            state = self.READY
        self.state = state
        self.pages.setCurrentIndex(state)
        ready = state == self.READY
        self.sign_button.setVisible(ready)
        self.sign_button.setDefault(ready)
        self.close_button.setText("Cancel" if ready else "Close")
        self.feedback.setVisible(False)
        focus = {self.BLOCKED: self.blockers, self.NO_IDENTITY: self.setup_identity}.get(state)
        if ready:
            focus = self.passphrase if self.name.text() and self.role.text() else self.name
        assert focus is not None
        focus.setFocus()

    def _fill_blockers(self, blockers: list[Problem]) -> None:
        self.blockers.clear()
        seen: set[tuple[str, str]] = set()
        for p in blockers:
            if (p.item_id, p.message) in seen or not self.form.has_item(p.item_id):
                continue
            seen.add((p.item_id, p.message))
            item = self.form.item(p.item_id)
            label = item.label if len(item.label) < 90 else item.label[:87] + "…"
            entry = QListWidgetItem(f"{self.form.item_code(p.item_id)} {label}\n→ {p.message}")
            entry.setData(ITEM_ROLE, p.item_id)
            self.blockers.addItem(entry)
        n = self.blockers.count()
        self.blocked_title.setText(
            f"<b>This return cannot be signed off yet:</b> {plural(n, 'thing needs', 'things need')} attention "
            "first. Choose one (click it, or select it and press Enter) to go to it in the return."
        )
        self.blockers.setCurrentRow(0)

    def _fill_ready(self, row: IdentityInfo) -> None:
        identity = identities.to_identity(row)
        if not self._prefilled:
            self.name.setText(identity.subject_name)
            self.role.setText(certificate_title(identity))
            self._prefilled = True
        groups = identity.fingerprint_display.split()
        self.identity_label.setText(
            f"{identity.subject_name} · valid until {dates.local_day(identity.not_valid_after)} · fingerprint "
            f"{' '.join(groups[:3])} … {groups[-1]}"
        )
        summary = signoff.review_summary(self.ws, self.sub.id)
        self.ratings.setRowCount(len(summary.sections))
        for r, section in enumerate(summary.sections):
            counts = ", ".join(f"{label} {count}" for label, count in section.counts) or "none rated"
            mean = f"{section.mean_percent} %" if section.mean_percent is not None else "—"
            for c, text in enumerate((section.title, counts, mean)):
                cell = QTableWidgetItem(text)
                if c == 2:
                    cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.ratings.setItem(r, c, cell)
        self.ratings.resizeRowsToContents()
        self.ratings.setVisible(bool(summary.sections))
        self.ready_layout.setStretch(0, 1 if summary.sections else 0)
        self.ready_layout.setStretch(2, 0 if summary.sections else 1)
        actions = (
            f"{plural(summary.actions, 'action')} in the action plans, {summary.open_actions} still open"
            if summary.actions
            else "no actions in the action plans"
        )
        files = plural(summary.attachments, "evidence file") if summary.attachments else "no evidence files"
        self.divergences.setText(divergence_text(survey.beside(self.ws, self.sub.id)))
        self.divergences_box.setVisible(bool(self.divergences.text()))
        self.totals.setText(
            ("" if summary.sections else "This form has no ratings. ")
            + f"{actions[0].upper()}{actions[1:]} · {files} attached · {summary.percent_complete} % complete."
        )

    # Actions ----------------------------------------------------------------------------------------

    @Slot(QListWidgetItem)
    def _blocker_chosen(self, entry: QListWidgetItem) -> None:
        item_id = entry.data(ITEM_ROLE)
        if item_id:
            self.reject()
            self.sig_jump_to_item.emit(item_id)

    @Slot()
    def _open_identity_dialog(self) -> None:
        dialog = IdentityDialog(self.ws, self.sub.agency.id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.sig_identity_changed.connect(self.sig_identity_changed)
        dialog.finished.connect(lambda _r: self.show_state())
        dialog.open()

    def _error(self, text: str) -> None:
        self.feedback.setText(f"⚠ {text}")
        self.feedback.setVisible(True)
        fit_height(self)

    @Slot(int, int, str)
    def _progress(self, _done: int, _total: int, text: str) -> None:
        self.stage.setText(text)
        self.stage.setVisible(True)

    @Slot()
    def sign(self) -> Job[tuple[ReturnInfo, UnlockedKey]] | None:
        """Start signing in the background; the dialog closes (accepted) when the return is signed."""
        if self.state != self.READY or self.job is not None:
            return None
        self.feedback.setVisible(False)
        for field, what in ((self.name, "name"), (self.role, "role")):
            if not field.text().strip():
                self._error(f"Enter the signatory's {what}.")
                field.setFocus()
                return None
        row = identities.current(self.ws, self.sub.agency.id)
        if row is None:  # retired meanwhile from another window
            self.show_state()
            return None
        ws, submission_id = self.ws, self.sub.id
        name, role, passphrase = self.name.text(), self.role.text(), self.passphrase.text()

        def work(job: Job[tuple[ReturnInfo, UnlockedKey]]) -> tuple[ReturnInfo, UnlockedKey]:
            job.say("Unlocking the signing key…")
            key = identities.unlock_and_upgrade(ws, row, passphrase)
            signed = signoff.sign_off(
                ws, submission_id, signatory_name=name, signatory_role=role, key=key, progress=job.say
            )
            return signed, key

        job = Job(self, "Signing off", work, show_progress=False)
        job.sig_progress.connect(self._progress)
        job.on_success(self._signed).on_failure(self._not_signed).on_done(self._job_ended)
        self.job = job
        self.setEnabled(False)
        self._progress(0, 0, "Unlocking the signing key…")
        return job.start()

    def _signed(self, outcome: tuple[ReturnInfo, UnlockedKey]) -> None:
        self.signed, self.key = outcome
        self.accept()

    def _not_signed(self, error: BaseException) -> None:
        if isinstance(error, signoff.SignOffBlockedError):
            self.show_state(error.problems)
        elif isinstance(error, WrongPassphraseError):
            self._error(str(error))
            self.passphrase.clear()
            self.passphrase.setFocus()
        else:
            self._error(f"The return was not signed off. {error}")
            self.passphrase.setFocus()

    def _job_ended(self) -> None:
        self.job = None
        self.stage.setVisible(False)
        self.setEnabled(True)
        if self.isVisible() and self.state == self.READY and not self.feedback.isHidden():
            self.passphrase.setFocus()

    def reject(self) -> None:
        if self.job is not None:  # the key is being used: cancelling now could leave nobody to say what happened
            return
        super().reject()


def divergence_text(found: SurveyBeside) -> str:
    """The statements where the practitioners' answers diverge from the ratings being signed, as plain text."""
    if not found.divergent:
        return ""
    lines = "\n".join(f"• {p.text}" for p in found.divergent)
    return f"Your practitioners' survey answers diverge from {plural(len(found.divergent), 'rating')}:\n{lines}"

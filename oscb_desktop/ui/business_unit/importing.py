"""Importing bundles: progress, the trust confirmation for a certificate not on the register, and the results.

The import runs as two background jobs (:mod:`oscb_desktop.ui.ops`) with a question in between:

1. every file is read and verified whole, except whether its signer is trusted;
2. on the UI thread, the officer is asked about each signer the register does not know — only for bundles
   that are otherwise sound, once per signer;
3. the bundles are stored, each in its own transaction, in file order.

Cancelling during step 1 imports nothing; during step 3 it stops after the bundle being stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from oscb_desktop.bundle import VerifyResult
from oscb_desktop.services import backups, imports, partnership_admin, partnerships, registry
from oscb_desktop.services.imports import ImportResult
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.signing import (
    CertificateError,
    UnlockedKey,
    describe_subject,
    format_fingerprint,
    load_certificate,
)
from oscb_desktop.textsafe import shown
from oscb_desktop.ui.business_unit.common import setup_table
from oscb_desktop.ui.business_unit.models import ImportResultsModel
from oscb_desktop.ui.common import html, message
from oscb_desktop.ui.ops import Job
from oscb_desktop.ui.signing.export import PassphraseDialog

#: ``confirm(result, path) -> bool``: asked for a bundle signed by a certificate not on the register.
ConfirmTrust = Callable[[VerifyResult, Path], bool]

COMPARE_ADVICE = (
    "Compare this fingerprint with the one the agency gave you (by phone or in person). "
    "Only trust it if every group matches."
)


def subject_text(certificate: bytes | str | None, fallback: str = "") -> str:
    """Who a certificate (PEM or DER, as bytes or text) names, in words; ``fallback`` if it cannot be read."""
    if not certificate:
        return fallback
    data = certificate.encode("ascii", "replace") if isinstance(certificate, str) else certificate
    try:
        return describe_subject(load_certificate(data))
    except CertificateError:
        return fallback


def fingerprint_lines(hex_digest: str, per_line: int = 4) -> str:
    """``3F2A 9C01 77B0 12CD`` four groups a line: easy to read aloud and tick off one line at a time."""
    groups = format_fingerprint(hex_digest).split()
    return "\n".join(" ".join(groups[i : i + per_line]) for i in range(0, len(groups), per_line))


class FingerprintDialog(QDialog):
    """Shows a certificate's fingerprint, big and monospaced, and asks the officer to compare it before trusting.

    The safe answer (reject / cancel) is the default button, so Enter never trusts by accident.
    """

    def __init__(
        self,
        title: str,
        heading: str,
        details: Sequence[tuple[str, str]],
        fingerprint: str,
        *,
        accept_text: str,
        reject_text: str,
        note: str = "",
        extra: QWidget | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.fingerprint = fingerprint
        top = QLabel(f"<h3 style='margin:0'>{heading}</h3>")
        top.setWordWrap(True)
        form = QFormLayout()
        self.detail_labels: dict[str, QLabel] = {}
        for label, value in details:
            field = QLabel(shown(value))  # names from a bundle or a certificate: escapes shown, never obeyed
            field.setTextFormat(Qt.TextFormat.PlainText)
            field.setWordWrap(True)
            field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(f"{label}:", field)
            self.detail_labels[label] = field
        if extra is not None:
            form.addRow(extra)
        caption = QLabel("<b>Fingerprint (SHA-256)</b>")
        self.fingerprint_label = QLabel(fingerprint_lines(fingerprint))
        self.fingerprint_label.setObjectName("bigFingerprint")
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSize(max(16, font.pointSize() + 6))
        font.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 1.0)
        self.fingerprint_label.setFont(font)
        self.fingerprint_label.setTextFormat(Qt.TextFormat.PlainText)
        self.fingerprint_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.fingerprint_label.setAccessibleName("Certificate fingerprint")
        self.fingerprint_label.setAccessibleDescription(format_fingerprint(fingerprint))
        self.advice = QLabel(COMPARE_ADVICE + (f" {note}" if note else ""))
        self.advice.setWordWrap(True)
        self.advice.setObjectName("guidance")

        buttons = QDialogButtonBox()
        self.accept_button = buttons.addButton(accept_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.reject_button = buttons.addButton(reject_text, QDialogButtonBox.ButtonRole.RejectRole)
        self.accept_button.setAutoDefault(False)
        self.reject_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(top)
        layout.addLayout(form)
        layout.addSpacing(6)
        layout.addWidget(caption)
        layout.addWidget(self.fingerprint_label, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(6)
        layout.addWidget(self.advice)
        layout.addWidget(buttons)
        self.setMinimumWidth(620)
        self.reject_button.setFocus()


def trust_dialog(ws: Workspace, res: VerifyResult, path: Path, parent: QWidget | None = None) -> FingerprintDialog:
    """The question asked at import for a bundle signed by a certificate not on the register."""
    manifest = res.manifest
    agency = manifest.agency.name if manifest else "an unnamed agency"
    subject = subject_text(res.signer_pem, "(not readable)")
    known = registry.find_agency(ws, agency)
    if known is None:
        standing = f"{agency} is not on your register yet; trusting the certificate adds it."
    else:
        others = [c for c in registry.certificates(ws, known.id) if not c.revoked_at]
        if not others:
            standing = f"{agency} is on your register, with no certificate yet."
        else:
            count = "another certificate" if len(others) == 1 else f"{len(others)} other certificates"
            standing = (
                f"You already trust {count} for {agency}; this is a new one (for example a new signing "
                "identity or a new laptop)."
            )
    details = [
        ("Agency", agency),
        ("Return", f"{manifest.form_title} {manifest.period}" if manifest else ""),
        ("Signed off by", f"{manifest.signatory.name}, {manifest.signatory.role}" if manifest else ""),
        ("Certificate of", subject),
        ("File", path.name),
        ("On your register", standing),
    ]
    return FingerprintDialog(
        "Trust this agency's certificate?",
        "This return is signed with a certificate that is not on your register",
        details,
        res.signer_fingerprint or "",
        accept_text="Trust and import",
        reject_text="Reject",
        note="If it does not match, reject it: someone else may have signed the bundle.",
        parent=parent,
    )


def ask_trust(ws: Workspace, parent: QWidget | None) -> ConfirmTrust:
    """The default confirmation: the dialog, modal, while the import waits."""

    def confirm(res: VerifyResult, path: Path) -> bool:
        dialog = trust_dialog(ws, res, path, parent)
        try:
            return dialog.exec() == QDialog.DialogCode.Accepted
        finally:
            dialog.deleteLater()

    return confirm


@dataclass(frozen=True)
class ImportRun:
    results: list[ImportResult]
    total: int
    cancelled: bool

    def summary(self) -> str:
        counts = imports.summary_counts(self.results)
        text = f"{counts['imported']} imported, {counts['duplicate']} already imported, {counts['rejected']} rejected."
        if self.cancelled:
            text += f" Cancelled after {len(self.results)} of {self.total} files; the rest were not imported."
        if self.cancelled and not self.results:
            text = f"Cancelled before anything was imported ({self.total} files checked or waiting)."
        alone = sum(r.code == imports.ImportCode.PDF_ONLY for r in self.results)
        if alone:
            text += (
                f" {alone} came as a signed PDF alone, without evidence files or answer history: import the "
                f"bundle{'s' if alone != 1 else ''} when {'they come' if alone != 1 else 'it comes'}."
            )
        if any(r.disk_full for r in self.results):
            text += " The disk is full: free some space on it, then import again."
        return text


#: What the first step hands on: every file checked, and whether its signer is unknown to the register.
Checks = tuple[list[imports.Checked], list[bool]]


def run_import(
    parent: QWidget | None,
    ws: Workspace,
    paths: Iterable[str | Path],
    confirm: ConfirmTrust,
    on_done: Callable[[ImportRun], None],
) -> Job[Checks] | None:
    """Import in the background with progress; ``on_done(run)`` on the UI thread when it ends (also when
    cancelled). None if there is nothing to import (the user has been told why)."""
    paths = list(paths)
    try:
        imports.check_can_import(ws)
    except imports.ImportRefusedError as exc:
        message(parent, "Nothing imported", str(exc), icon=QMessageBox.Icon.Warning)
        return None
    files = imports.expand_paths(paths)
    if not files:
        where = ", ".join(Path(p).name or str(p) for p in paths)
        found = f"No .oscb bundles were found in {where}."
        message(parent, "Nothing to import", f"{found} (A signed PDF sent on its own is imported when chosen as a "
                "file, not from a folder.)")  # fmt: skip
        return None
    total, forms = len(files), ws.forms
    key: UnlockedKey | None = None

    def check(job: Job[Checks]) -> Checks:
        backups.before(ws, "import")
        checked: list[imports.Checked] = []
        unknown: list[bool] = []
        register = imports.register_for_run(ws)
        job.progress(0, total, f"Checking {shown(files[0].name)} (1 of {total})…")
        # In a pool of processes for many files (imports.check_files), in file order.
        for n, item in enumerate(imports.check_files(files, forms, key), start=1):
            job.check()  # nothing is written in this step: stopping anywhere is safe
            checked.append(item)
            unknown.append(imports.signer_is_unknown(ws, item, register))
            if n < total:
                job.progress(n, total, f"Checking {shown(files[n].name)} ({n + 1} of {total})…")
        return checked, unknown

    def checked_all(outcome: Checks) -> None:
        checked, unknown = outcome
        answers: dict[tuple[str, str], bool] = {}
        for item, is_unknown in zip(checked, unknown, strict=True):
            if is_unknown and item.signer is not None and item.signer not in answers:
                answers[item.signer] = confirm(item.result, item.path)  # once per signer and agency
        store_all(checked, answers)

    def store_all(checked: list[imports.Checked], answers: dict[tuple[str, str], bool]) -> None:
        results: list[ImportResult] = []

        def store(job: Job[object]) -> object:
            register = imports.register_for_run(ws)
            for n, item in enumerate(checked):
                job.check()  # between bundles: each is stored whole or not at all
                job.progress(n, total, f"Storing {shown(item.path.name)} ({n + 1} of {total})…")
                confirmed = item.signer is not None and answers.get(item.signer, False)
                result = imports.store(ws, item, confirmed=confirmed, register=register)
                results.append(result)
                if result.disk_full:  # nothing more can be stored: the rest are reported as not imported
                    results.extend(imports.not_imported_after_full_disk(c.path for c in checked[n + 1 :]))
                    break
            return None

        job: Job[object] = Job(parent, "Importing bundles", store, label="Storing the bundles…", cancellable=True)
        job.on_success(lambda _none: on_done(ImportRun(results, total, cancelled=False)))
        job.on_cancel(lambda: on_done(ImportRun(results, total, cancelled=True)))
        job.on_failure(lambda exc: failed(exc, results))
        job.start()

    def failed(exc: BaseException, results: list[ImportResult]) -> None:
        message(
            parent,
            "Import stopped",
            f"The import stopped: {exc}",
            informative=f"{len(results)} of {total} files were dealt with before it stopped; the others were not "
            "imported. Every bundle is stored whole or not at all.",
            icon=QMessageBox.Icon.Warning,
        )
        on_done(ImportRun(results, total, cancelled=True))

    def start(unlocked: UnlockedKey | None) -> Job[Checks]:
        nonlocal key
        key = unlocked
        first: Job[Checks] = Job(parent, "Importing bundles", check, label="Checking bundles…", cancellable=True)
        first.on_success(checked_all).on_cancel(lambda: on_done(ImportRun([], total, cancelled=True)))
        first.on_failure(lambda exc: failed(exc, []))
        return first.start()

    dialog = business_unit_key_dialog(parent, ws, files)
    if dialog is None:
        return start(None)
    # Once for this import: the key opens every encrypted bundle; the passphrase is not kept. Without it (Cancel)
    # the plain bundles are imported and the encrypted ones refused, saying why.
    dialog.finished.connect(lambda _code: start(dialog.key))
    dialog.open()
    return None


def business_unit_key_dialog(parent: QWidget | None, ws: Workspace, files: list[Path]) -> PassphraseDialog | None:
    """The passphrase dialog for the Business Unit's key when some of ``files`` are encrypted bundles (None when
    none is, or the workspace has no partnership of its own: they are then refused as ``key_needed``)."""
    encrypted = sum(imports.is_encrypted_name(f) for f in files)
    if not encrypted:
        return None
    try:
        identity = partnership_admin.current_identity(ws)
    except partnership_admin.PartnershipAdminError:
        return None
    own = partnerships.own(ws)
    dialog = PassphraseDialog(
        None,
        f"{encrypted} of the bundles {'is' if encrypted == 1 else 'are'} encrypted for the Business Unit. Its key "
        "opens them, once for this import; the passphrase is not kept.",
        parent,
        unlock=lambda passphrase: partnership_admin.unlock(identity, passphrase),
        whose=f"the Business Unit of {own.name if own else 'the partnership'} (fingerprint "
        f"{' '.join(format_fingerprint(identity.fingerprint).split()[:4])} …)",
    )
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    return dialog


class ImportResultsDialog(QDialog):
    """One row per file: what it claims to be, and what happened to it (rejected rows highlighted)."""

    def __init__(self, run: ImportRun, form_titles: dict[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import results")
        self.run = run
        self.summary = QLabel(f"<b>{html(run.summary())}</b>")
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Import summary")
        self.explain = QLabel(
            "A rejected bundle changes nothing in this workspace. Send its reason to the agency, who can export "
            "the return again or sign off a new version. Rejected rows are highlighted."
        )
        self.explain.setWordWrap(True)
        self.explain.setObjectName("muted")
        self.explain.setVisible(any(r.outcome == "rejected" for r in run.results))
        self.model = ImportResultsModel(form_titles, self)
        self.model.set_rows(run.results)
        self.table = QTableView()
        self.table.setModel(self.model)
        setup_table(self.table, "Import results", sortable=False)
        self.table.setWordWrap(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.resizeColumnsToContents()
        # Long file and agency names are cut in the middle (the whole name is in the tooltip) so that the
        # reason, which says what to do, gets the width.
        for column, widest in enumerate((240, 220, 150, 70, 60, 200)):
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), widest))
        header.setSectionResizeMode(ImportResultsModel.HEADERS.index("Reason"), QHeaderView.ResizeMode.Stretch)
        copy = QPushButton("Copy")
        copy.setToolTip("Copy the results as a table, to paste into an email or a spreadsheet")
        copy.clicked.connect(self.copy)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.explain)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(1300, 560)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.table.resizeRowsToContents()  # once the reason column has its real width

    @Slot()
    def copy(self) -> None:
        rows = ["\t".join(ImportResultsModel.HEADERS), *("\t".join(r) for r in self.model.texts())]
        QGuiApplication.clipboard().setText("\n".join(rows))

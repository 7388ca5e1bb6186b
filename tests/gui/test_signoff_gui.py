"""Signing identity, sign-off, reopen, export and printing through the real window and dialogs.

The dialogs are window-modal and opened with ``open()``, so a test finds them among the visible windows,
types into them like a person, and checks what the workspace stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from cryptography.x509.oid import NameOID
from PySide6.QtCore import QModelIndex, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtPrintSupport import QPrintPreviewDialog
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QFileDialog,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QWidget,
)
from shiboken6 import isValid

from oscb_desktop import demo
from oscb_desktop.bundle import verify_bundle
from oscb_desktop.services import agencies, identities, returns, signoff
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.signing import create_identity, format_fingerprint, unlock
from oscb_desktop.store import Agency, Submission
from oscb_desktop.store.models import SigningIdentity as IdentityRow
from oscb_desktop.ui import ops
from oscb_desktop.ui.main_window import MainWindow
from oscb_desktop.ui.signing import IdentityDialog, PassphraseDialog, SignOffDialog
from oscb_desktop.ui.signing.identity_dialog import certificate_title

W = TypeVar("W", bound=QWidget)
PASSPHRASE = "a long enough passphrase"


# Helpers ----------------------------------------------------------------------------------------------


def make_window(qtbot, ws: Workspace) -> MainWindow:
    win = MainWindow(ws)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    activate(qtbot, win)
    return win


def activate(qtbot, win: QWidget) -> None:
    # Shortcuts fire only in the active window; the offscreen platform can drop that state.
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)


def shortcut(qtbot, win: MainWindow, key: Qt.Key, modifiers: Qt.KeyboardModifier) -> None:
    activate(qtbot, win)
    QTest.keyClick(win.focusWidget() or win, key, modifiers)
    QApplication.processEvents()


def shown(kind: type[W], text: str | None = None) -> list[W]:
    found = []
    for w in QApplication.topLevelWidgets():
        if not (isinstance(w, kind) and isValid(w) and w.isVisible()):
            continue
        if text is not None and isinstance(w, QMessageBox) and text not in w.text() + w.informativeText():
            continue
        found.append(w)
    return found


def wait_for(qtbot, kind: type[W], text: str | None = None) -> W:
    qtbot.waitUntil(lambda: bool(shown(kind, text)), timeout=5000)
    return shown(kind, text)[-1]


def closed(widget: QWidget) -> bool:
    return not isValid(widget) or not widget.isVisible()


def button(parent: QWidget, text: str) -> QAbstractButton:
    matches = [b for b in parent.findChildren(QAbstractButton) if b.text() == text and b.isVisible()]
    assert len(matches) == 1, (
        f"no single visible button {text!r}: {[b.text() for b in parent.findChildren(QAbstractButton)]}"
    )
    return matches[0]


def type_into(field: QLineEdit, text: str) -> None:
    field.setFocus()
    QTest.keyClicks(field, text)


def press_enter(widget: QWidget) -> None:
    QTest.keyClick(widget, Qt.Key.Key_Return)
    QApplication.processEvents()


def select_return(win: MainWindow, submission_id: str) -> None:
    home = win.agency.home
    for row in range(home.proxy.rowCount()):
        index = home.proxy.index(row, 0)
        if home.proxy.data(index, home.model.SUMMARY_ROLE).id == submission_id:
            home.table.selectRow(row)
            home.table.setCurrentIndex(index)
            return
    raise AssertionError(f"{submission_id} is not on the home page")


def return_of(ws: Workspace, agency_id: int, form_id: str, period: str) -> Submission:
    sub = returns.current_return(ws, agency_id, form_id, period)
    assert sub is not None
    return sub


class Recorder:
    """Stands in for a static Qt function; remembers its calls and returns a fixed answer."""

    def __init__(self, answer: Any = None) -> None:
        self.answer = answer
        self.calls: list[tuple[Any, ...]] = []

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls.append(args)
        return self.answer


# Fixtures ---------------------------------------------------------------------------------------------


@pytest.fixture
def demo_ws(workspace: Workspace) -> Workspace:
    """Two demo agencies: the first (current) with signed returns; the second with a complete, unsigned
    2026/27 Section 11 return ("Ready to sign"). Both have identities locked by DEMO_PASSPHRASE."""
    demo.generate(workspace, agencies=2)
    return workspace


def demo_agency(index: int) -> Agency:
    return list(Agency.select().order_by(Agency.id))[index]


@pytest.fixture
def window(qtbot, demo_ws: Workspace) -> Iterator[MainWindow]:
    win = make_window(qtbot, demo_ws)
    yield win
    win.agency.close_editor()


@pytest.fixture
def ready_window(qtbot, demo_ws: Workspace) -> Iterator[MainWindow]:
    """The window on the agency whose Section 11 return is ready to sign."""
    agencies.set_current_agency(demo_ws, demo_agency(1).id)
    win = make_window(qtbot, demo_ws)
    yield win
    win.agency.close_editor()


# Signing identity -------------------------------------------------------------------------------------


def test_identity_is_created_shown_saved_and_replaced(
    qtbot, workspace: Workspace, agency: Agency, tmp_path: Path, monkeypatch
) -> None:
    win = make_window(qtbot, workspace)
    assert win.agency_mode.act_identity.isEnabled()
    win.agency_mode.act_identity.trigger()
    dialog = wait_for(qtbot, IdentityDialog)
    assert dialog.details.isHidden() and not dialog.none_label.isHidden()

    type_into(dialog.name, "Priya Shah")
    type_into(dialog.role, "Chief Nurse")
    type_into(dialog.email, "priya.shah@example.org")
    type_into(dialog.passphrase, PASSPHRASE)
    type_into(dialog.confirm, PASSPHRASE + " typo")
    press_enter(dialog.confirm)
    assert "not the same" in dialog.feedback.text()
    assert dialog.passphrase.text() == dialog.confirm.text() == ""
    assert identities.current(workspace, agency.id) is None

    type_into(dialog.passphrase, PASSPHRASE)
    type_into(dialog.confirm, PASSPHRASE)
    press_enter(dialog.confirm)
    row = identities.current(workspace, agency.id)
    assert row is not None and row.origin == "created"
    identity = identities.to_identity(row)
    assert (identity.subject_name, certificate_title(identity), identity.organisation) == (
        "Priya Shah",
        "Chief Nurse",
        agency.name,
    )
    identities.unlock(row, PASSPHRASE)  # the passphrase typed is the one that locks the key
    assert not dialog.details.isHidden()
    assert "Priya Shah, Chief Nurse" in dialog.person.text()
    shown_text = dialog.fingerprint.text.text()
    groups = shown_text.split()
    assert len(groups) == 16 and all(re.fullmatch(r"[0-9A-F]{4}", g) for g in groups)
    assert len(shown_text.splitlines()) == 2
    assert " ".join(groups) == format_fingerprint(row.fingerprint)
    assert dialog.fingerprint.text.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse

    qtbot.mouseClick(dialog.fingerprint.copy, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == format_fingerprint(row.fingerprint)

    save = Recorder((str(tmp_path / "for-the-business-unit"), "Certificates (*.pem)"))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", save)
    qtbot.mouseClick(dialog.save_certificate, Qt.MouseButton.LeftButton)
    assert save.calls[0][2].endswith("_signing-certificate.pem")
    saved = tmp_path / "for-the-business-unit.pem"
    assert saved.read_text() == row.certificate_pem
    assert str(saved) in dialog.feedback.text()

    # A second identity retires the first, after a confirmation.
    type_into(dialog.name, " Jones")
    type_into(dialog.passphrase, PASSPHRASE)
    type_into(dialog.confirm, PASSPHRASE)
    press_enter(dialog.confirm)
    box = wait_for(qtbot, QMessageBox, "Priya Shah")
    assert "Replace" in box.windowTitle()
    qtbot.mouseClick(button(box, "Replace identity"), Qt.MouseButton.LeftButton)
    new = identities.current(workspace, agency.id)
    assert new is not None and new.id != row.id
    assert identities.to_identity(new).subject_name == "Priya Shah Jones"
    assert IdentityRow.get_by_id(row.id).retired_at is not None
    assert "Priya Shah Jones" in dialog.person.text()
    dialog.reject()
    win.agency.close_editor()


def test_identity_is_imported_from_a_p12_file(qtbot, workspace: Workspace, agency: Agency, tmp_path: Path, monkeypatch):
    source = create_identity("Org Signer", "Head of Safeguarding", agency.name, None, "original passphrase")
    key = unlock(source, "original passphrase")
    p12 = tmp_path / "organisation.p12"
    p12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"signer", key.private_key, key.certificate, None, BestAvailableEncryption(b"file password")
        )
    )
    dialog = IdentityDialog(workspace, agency.id)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.tabs.setCurrentIndex(1)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", Recorder((str(p12), "")))
    qtbot.mouseClick(dialog.choose_file, Qt.MouseButton.LeftButton)
    assert dialog.p12_path.text() == str(p12)

    type_into(dialog.p12_password, "wrong password")
    type_into(dialog.import_passphrase, PASSPHRASE)
    type_into(dialog.import_confirm, PASSPHRASE)
    press_enter(dialog.import_confirm)
    assert "password for this .p12 file is not right" in dialog.feedback.text()
    assert identities.current(workspace, agency.id) is None

    dialog.p12_password.clear()
    type_into(dialog.p12_password, "file password")
    press_enter(dialog.import_confirm)
    row = identities.current(workspace, agency.id)
    assert row is not None and row.origin == "imported"
    assert row.fingerprint == source.fingerprint_sha256
    assert "Imported" in dialog.origin.text()
    identities.unlock(row, PASSPHRASE)


# Sign-off ---------------------------------------------------------------------------------------------


def test_sign_off_is_blocked_until_complete_and_a_blocker_jumps_to_its_item(
    qtbot, workspace: Workspace, agency: Agency
) -> None:
    win = make_window(qtbot, workspace)
    form = next(f for f in workspace.forms.for_period("2026/27") if f.id == "section11")
    sub_id = win.agency.home.start_return(form, carry_forward=False)
    assert sub_id is not None
    editor = win.agency.editor
    assert editor is not None and win.agency_mode.act_sign_off.isEnabled()

    shortcut(qtbot, win, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    dialog = wait_for(qtbot, SignOffDialog)
    assert dialog.state == SignOffDialog.BLOCKED
    assert dialog.sign_button.isHidden()
    expected = {(p.item_id, p.message) for p in returns.problems(workspace, sub_id)}
    assert dialog.blockers.count() == len(expected) > 10
    assert "cannot be signed off yet" in dialog.blocked_title.text()

    # Choose a blocker in the third section with the keyboard.
    target_section = form.sections[2]
    row = next(
        r
        for r in range(dialog.blockers.count())
        if form.section_of(dialog.blockers.item(r).data(Qt.ItemDataRole.UserRole)) is target_section
    )
    item_id = dialog.blockers.item(row).data(Qt.ItemDataRole.UserRole)
    dialog.blockers.setFocus()
    dialog.blockers.setCurrentRow(row)
    press_enter(dialog.blockers)
    qtbot.waitUntil(lambda: closed(dialog))
    assert editor.current_section == 2
    frame = editor.frames[item_id]
    qtbot.waitUntil(lambda: win.focusWidget() is not None and frame.isAncestorOf(win.focusWidget()))
    assert returns.get_submission(workspace, sub_id).status == "draft"
    win.agency.close_editor()


def test_wrong_passphrase_then_the_right_one_signs_off_and_export_now_needs_no_passphrase(
    qtbot, ready_window: MainWindow, demo_ws: Workspace, tmp_path: Path, monkeypatch
) -> None:
    win = ready_window
    agency = demo_agency(1)
    sub = return_of(demo_ws, agency.id, "section11", "2026/27")
    assert sub.status == "draft"
    select_return(win, sub.id)
    assert win.agency_mode.act_sign_off.isEnabled() and not win.agency_mode.act_export.isEnabled()
    shortcut(qtbot, win, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    dialog = wait_for(qtbot, SignOffDialog)
    assert win.agency.editor is not None and win.agency.editor.submission.id == sub.id
    assert dialog.state == SignOffDialog.READY
    identity = identities.to_identity(identities.current(demo_ws, agency.id))
    assert dialog.name.text() == identity.subject_name
    title = identity.certificate.subject.get_attributes_for_oid(NameOID.TITLE)[0].value
    assert dialog.role.text() == title
    assert dialog.passphrase.echoMode() == QLineEdit.EchoMode.Password
    assert dialog.ratings.rowCount() == len(signoff.review_summary(demo_ws, sub.id).sections) > 5
    assert dialog.ratings.item(0, 2).text().endswith("%")
    assert "actions" in dialog.totals.text()

    type_into(dialog.passphrase, "not the passphrase")
    press_enter(dialog.passphrase)
    qtbot.waitUntil(lambda: dialog.job is None)  # the key is unlocked in the background
    assert not closed(dialog)
    assert not dialog.feedback.isHidden() and "passphrase is not right" in dialog.feedback.text()
    assert dialog.passphrase.text() == ""
    assert dialog.focusWidget() is dialog.passphrase
    assert returns.get_submission(demo_ws, sub.id).status == "draft"

    type_into(dialog.passphrase, demo.DEMO_PASSPHRASE)
    press_enter(dialog.passphrase)
    qtbot.waitUntil(lambda: closed(dialog))
    signed = returns.get_submission(demo_ws, sub.id)
    assert signed.status == "signed" and signed.signatory_name == identity.subject_name
    editor = win.agency.editor
    assert editor is not None and editor.submission.id == sub.id
    assert editor.read_only and editor.banner is not None and not editor.banner.isHidden()
    assert "Signed off" in editor.banner_text.text() and identity.subject_name in editor.banner_text.text()
    assert editor.sign_off_button.isHidden() and editor.status.text() == "Signed"
    home_row = next(r for r in win.agency.home.model.rows if r.id == sub.id)
    assert home_row.status_label == "Signed"
    assert (
        win.agency_mode.act_export.isEnabled()
        and win.agency_mode.act_reopen.isEnabled()
        and not win.agency_mode.act_sign_off.isEnabled()
    )

    box = wait_for(qtbot, QMessageBox, "was signed off by")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", Recorder((str(tmp_path / "signed"), "")))
    qtbot.mouseClick(button(box, "Export now…"), Qt.MouseButton.LeftButton)
    done = wait_for(qtbot, QMessageBox, "signed.oscb")
    assert not shown(PassphraseDialog)
    bundle = tmp_path / "signed.oscb"
    assert str(bundle) in done.text()
    assert verify_bundle(bundle, forms=demo_ws.forms, trusted=None).ok
    done.accept()


def test_sign_off_without_an_identity_offers_to_set_one_up(qtbot, ready_window: MainWindow, demo_ws: Workspace):
    win = ready_window
    agency = demo_agency(1)
    IdentityRow.update(retired_at="2026-01-01T00:00:00Z").where(IdentityRow.agency == agency.id).execute()
    sub = return_of(demo_ws, agency.id, "section11", "2026/27")
    win.agency.open_return(sub.id)
    win.agency_mode.act_sign_off.trigger()
    dialog = wait_for(qtbot, SignOffDialog)
    assert dialog.state == SignOffDialog.NO_IDENTITY and dialog.sign_button.isHidden()
    qtbot.mouseClick(dialog.setup_identity, Qt.MouseButton.LeftButton)
    setup = wait_for(qtbot, IdentityDialog)
    type_into(setup.name, "Robin Hale")
    type_into(setup.role, "Director of Adult Services")
    type_into(setup.passphrase, PASSPHRASE)
    type_into(setup.confirm, PASSPHRASE)
    press_enter(setup.confirm)
    assert identities.current(demo_ws, agency.id) is not None
    setup.reject()
    qtbot.waitUntil(lambda: dialog.state == SignOffDialog.READY)
    assert (dialog.name.text(), dialog.role.text()) == ("Robin Hale", "Director of Adult Services")
    assert not dialog.sign_button.isHidden()
    dialog.reject()


# Reopen, export, print --------------------------------------------------------------------------------


def test_reopen_makes_version_2_and_opens_it_for_editing(qtbot, window: MainWindow, demo_ws: Workspace) -> None:
    agency = demo_agency(0)
    old = return_of(demo_ws, agency.id, "section11", "2026/27")
    assert old.status == "signed"
    window.agency.open_return(old.id)
    editor = window.agency.editor
    assert editor is not None and editor.reopen_button is not None
    qtbot.mouseClick(editor.reopen_button, Qt.MouseButton.LeftButton)
    box = wait_for(qtbot, QMessageBox, "version 2")
    assert "stays exactly as it was signed" in box.informativeText()
    qtbot.mouseClick(button(box, "Create version 2"), Qt.MouseButton.LeftButton)

    new = Submission.get(Submission.supersedes == old.id)
    assert (new.version, new.status) == (2, "draft")
    assert returns.get_submission(demo_ws, old.id).status == "superseded"
    assert returns.load_answers(demo_ws, new.id) == returns.load_answers(demo_ws, old.id)
    editor = window.agency.editor
    assert editor is not None and editor.submission.id == new.id
    assert not editor.read_only and editor.banner is None and not editor.sign_off_button.isHidden()
    assert "version 2" in editor.title.text()
    assert window.agency_mode.act_sign_off.isEnabled() and not window.agency_mode.act_reopen.isEnabled()


def test_export_from_the_home_page_asks_for_the_passphrase_until_it_is_right(
    qtbot, window: MainWindow, demo_ws: Workspace, tmp_path: Path, monkeypatch
) -> None:
    sub = return_of(demo_ws, demo_agency(0).id, "section11", "2026/27")
    select_return(window, sub.id)
    assert window.agency_mode.act_export.isEnabled()
    save = Recorder((str(tmp_path / "bundle"), "OSCB bundles (*.oscb)"))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", save)
    shortcut(qtbot, window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    dialog = wait_for(qtbot, PassphraseDialog)
    assert Path(save.calls[0][2]).name == f"{signoff.file_stem(sub)}.oscb"
    assert save.calls[0][3] == "OSCB bundles (*.oscb)"

    type_into(dialog.passphrase, "not it")
    press_enter(dialog.passphrase)
    qtbot.waitUntil(lambda: dialog.job is None)  # the key is unlocked in the background
    assert not closed(dialog) and "not right" in dialog.feedback.text()
    assert dialog.passphrase.text() == ""
    assert not (tmp_path / "bundle.oscb").exists()

    type_into(dialog.passphrase, demo.DEMO_PASSPHRASE)
    press_enter(dialog.passphrase)
    done = wait_for(qtbot, QMessageBox, "bundle.oscb")
    bundle = tmp_path / "bundle.oscb"
    assert str(bundle) in done.text()
    result = verify_bundle(bundle, forms=demo_ws.forms, trusted=None)
    assert result.ok, result.reason
    opened = Recorder(True)
    monkeypatch.setattr(QDesktopServices, "openUrl", opened)
    qtbot.mouseClick(button(done, "Show in folder"), Qt.MouseButton.LeftButton)
    assert opened.calls == [(QUrl.fromLocalFile(str(tmp_path)),)]
    assert str(bundle) in window.statusBar().currentMessage()


def test_print_preview_and_save_pdf_of_a_signed_return(
    qtbot, window: MainWindow, demo_ws: Workspace, tmp_path: Path, monkeypatch
) -> None:
    sub = return_of(demo_ws, demo_agency(0).id, "section11", "2026/27")
    window.agency.open_return(sub.id)
    assert window.agency_mode.act_preview.isEnabled() and window.agency_mode.act_print.isEnabled()
    shortcut(qtbot, window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    preview = wait_for(qtbot, QPrintPreviewDialog)
    assert "Section 11 2026/27" in preview.windowTitle() and "version 1" in preview.windowTitle()
    preview.reject()
    qtbot.waitUntil(lambda: closed(preview))

    save = Recorder((str(tmp_path / "printed.pdf"), "PDF files (*.pdf)"))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", save)
    window.agency_mode.act_save_pdf.trigger()
    assert Path(save.calls[0][2]).name == f"{signoff.file_stem(sub)}.pdf"
    qtbot.waitUntil(lambda: not ops.running(), timeout=20_000)  # rendered and written in the background
    assert (tmp_path / "printed.pdf").read_bytes() == signoff.signed_pdf(
        demo_ws, returns.get_submission(demo_ws, sub.id)
    )


def test_actions_are_enabled_only_where_they_apply(qtbot, ready_window: MainWindow, demo_ws: Workspace, monkeypatch):
    win = ready_window
    agency = demo_agency(1)
    draft = return_of(demo_ws, agency.id, "section11", "2026/27")
    signed = return_of(demo_ws, agency.id, "section11", "2025/26")

    def enabled() -> dict[str, bool]:
        return {
            name: getattr(win.agency_mode, f"act_{name}").isEnabled()
            for name in ("sign_off", "reopen", "export", "preview", "print", "save_pdf")
        }

    select_return(win, draft.id)
    assert enabled() == dict(sign_off=True, reopen=False, export=False, preview=True, print=True, save_pdf=True)
    select_return(win, signed.id)
    assert enabled() == dict(sign_off=False, reopen=True, export=True, preview=True, print=True, save_pdf=True)
    win.agency.home.table.clearSelection()
    win.agency.home.table.setCurrentIndex(QModelIndex())
    assert not any(enabled().values())
    assert win.agency_mode.act_identity.isEnabled()

    win.agency.open_return(signed.id)
    assert enabled() == dict(sign_off=False, reopen=True, export=True, preview=True, print=True, save_pdf=True)
    assert win.agency.editor is not None and win.agency.editor.sign_off_button.isHidden()

    info = Recorder()
    monkeypatch.setattr(QMessageBox, "information", info)
    win._show_shortcuts()
    text = info.calls[0][2]
    for keys in ("Ctrl+Shift+S", "Ctrl+P", "Ctrl+Shift+P", "Ctrl+E"):
        assert keys in text
    shortcuts = [
        a.shortcut().toString() for a in win.findChildren(type(win.agency_mode.act_print)) if not a.shortcut().isEmpty()
    ]
    assert len(shortcuts) == len(set(shortcuts)), shortcuts


def test_every_input_in_the_signing_dialogs_has_an_accessible_name(qtbot, demo_ws: Workspace) -> None:
    agency = demo_agency(1)
    sub = return_of(demo_ws, agency.id, "section11", "2026/27")
    dialogs: list[QWidget] = [
        IdentityDialog(demo_ws, agency.id),
        PassphraseDialog(identities.current(demo_ws, agency.id), "Export a return."),
    ]
    newcomer = agencies.create_agency(demo_ws, "Thames Valley Police", sector="police")
    empty = returns.start_return(demo_ws, newcomer.id, "section11", "2026/27", carry_forward=False)
    dialogs += [SignOffDialog(demo_ws, empty.id), SignOffDialog(demo_ws, sub.id)]
    IdentityRow.update(retired_at="2026-01-01T00:00:00Z").where(IdentityRow.agency == agency.id).execute()
    dialogs.append(SignOffDialog(demo_ws, sub.id))
    assert [d.state for d in dialogs[2:]] == [SignOffDialog.BLOCKED, SignOffDialog.READY, SignOffDialog.NO_IDENTITY]
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        inputs = dialog.findChildren(QWidget)
        nameless = [
            f"{type(w).__name__} in {type(dialog).__name__}"
            for w in inputs
            if isinstance(w, QLineEdit | QPlainTextEdit | QComboBox | QListWidget)
            and not isinstance(w.parent(), QComboBox)
            and not w.accessibleName()
        ]
        nameless += [
            f"{type(w).__name__} in {type(dialog).__name__}"
            for w in inputs
            if isinstance(w, QAbstractButton) and not (w.text() or w.accessibleName())
        ]
        assert nameless == []

"""Every passphrase field of the window follows the one rule (at most 1,024 characters): a longer paste is refused
whole, with the rule shown, instead of being cut silently at Qt's 32,767 characters. Unlocking there re-protects
a key stored the old way."""

from __future__ import annotations

from helpers.old_keys import pkcs12_blob
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QLineEdit

from oscb_desktop.services import identities, returns
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.signing import MAX_PASSPHRASE_LENGTH, needs_reprotection
from oscb_desktop.store import Agency
from oscb_desktop.store.models import SigningIdentity as IdentityRow
from oscb_desktop.ui.signing import IdentityDialog, PassphraseDialog, SignOffDialog

PASSPHRASE = "a long enough passphrase"
MESSAGE = "A passphrase can be at most 1,024 characters"


def paste_into(field: QLineEdit, text: str) -> None:
    QGuiApplication.clipboard().setText(text)
    field.setFocus()
    field.end(False)
    field.paste()


def test_a_pasted_passphrase_over_the_limit_is_refused_with_the_rule(
    qtbot, workspace: Workspace, agency: Agency
) -> None:
    row = identities.create(
        workspace, agency.id, person_name="Sam Lead", role="Lead", email=None, passphrase=PASSPHRASE
    )
    sub = returns.start_return(workspace, agency.id, "section11", "2026/27", carry_forward=False)
    identity = IdentityDialog(workspace, agency.id)
    unlock = PassphraseDialog(row, "Export a return.")
    sign_off = SignOffDialog(workspace, sub.id)
    cases: list[tuple[QLineEdit, QLabel]] = [
        (field, identity.feedback)
        for field in (
            identity.passphrase,
            identity.confirm,
            identity.p12_password,
            identity.import_passphrase,
            identity.import_confirm,
        )
    ]
    cases += [(unlock.passphrase, unlock.feedback), (sign_off.passphrase, sign_off.feedback)]
    for dialog in (identity, unlock, sign_off):
        qtbot.addWidget(dialog)

    for field, feedback in cases:
        feedback.clear()
        field.setText("typed so far")
        paste_into(field, "x" * 1_000_000)
        assert field.text() == "typed so far", f"{field.accessibleName()}: refused whole, not cut"
        assert MESSAGE in feedback.text() and not feedback.isHidden(), field.accessibleName()

        field.clear()
        paste_into(field, "y" * MAX_PASSPHRASE_LENGTH)
        assert field.text() == "y" * MAX_PASSPHRASE_LENGTH, "the longest passphrase allowed is taken"


def test_unlocking_in_the_window_reprotects_a_key_stored_the_old_way(
    qtbot, workspace: Workspace, agency: Agency
) -> None:
    row = identities.create(
        workspace, agency.id, person_name="Sam Lead", role="Lead", email=None, passphrase=PASSPHRASE
    )
    key = identities.unlock(row, PASSPHRASE)
    IdentityRow.update(encrypted_key_pem=pkcs12_blob(key, PASSPHRASE).decode("ascii")).where(
        IdentityRow.id == row.id
    ).execute()
    old = identities.current(workspace, agency.id)
    assert old is not None and needs_reprotection(identities.to_identity(old))

    dialog = PassphraseDialog(old, "Export a return.", ws=workspace)
    qtbot.addWidget(dialog)
    dialog.passphrase.setText(PASSPHRASE)
    with qtbot.waitSignal(dialog.accepted, timeout=30_000):
        dialog.accept()
    assert dialog.key is not None and dialog.key.fingerprint_sha256 == row.fingerprint
    renewed = identities.current(workspace, agency.id)
    assert renewed is not None and not needs_reprotection(identities.to_identity(renewed))

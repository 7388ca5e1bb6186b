"""Encrypted returns in the window: the Business Unit's import asks once for its key's passphrase (a wrong one is
said in the dialog and asked again), opens every encrypted bundle with it and stores them; cancelling imports
nothing encrypted and says why. The agency's export dialog says whether its bundle will be encrypted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.answers import complete_answers
from helpers.partnership_kit import PASSPHRASE, agency_id, fingerprint, sign_and_export
from helpers.partnership_kit import agency_ws as agency_ws
from helpers.partnership_kit import bu_a as bu_a
from helpers.partnership_kit import pack_a as pack_a
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from oscb_desktop.services import partnerships, returns
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.ui.business_unit.importing import ImportRun, run_import
from oscb_desktop.ui.signing.export import PassphraseDialog, encryption_note


@pytest.fixture
def sealed(bu_a: Workspace, pack_a: Path, agency_ws: Workspace, tmp_path: Path) -> Iterator[Path]:
    joined = partnerships.join(agency_ws, pack_a, trust=fingerprint(bu_a)).partnership
    sub = returns.start_return(agency_ws, agency_id(agency_ws), "section11", "2026/27", partnership_id=joined.id)
    returns.save_answers(agency_ws, sub.id, complete_answers(returns.form_of(agency_ws, sub)))
    assert "only the Business Unit of Buckinghamshire" in encryption_note(agency_ws, sub)
    (tmp_path / "outbox").mkdir()
    yield sign_and_export(agency_ws, sub.id, tmp_path / "outbox" / "return.oscb")


def asked() -> bool:
    return any(isinstance(w, PassphraseDialog) and w.isVisible() for w in QApplication.topLevelWidgets())


def passphrase_dialog() -> PassphraseDialog:
    [dialog] = [w for w in QApplication.topLevelWidgets() if isinstance(w, PassphraseDialog) and w.isVisible()]
    return dialog


def test_the_key_is_asked_once_and_opens_the_encrypted_bundles(qtbot, bu_a: Workspace, sealed: Path) -> None:
    runs: list[ImportRun] = []
    assert run_import(None, bu_a, [sealed.parent], lambda _res, _path: True, runs.append) is None, "asks first"
    qtbot.waitUntil(
        lambda: any(isinstance(w, PassphraseDialog) and w.isVisible() for w in QApplication.topLevelWidgets())
    )
    dialog = passphrase_dialog()
    assert any(
        "1 of the bundles is encrypted for the Business Unit" in label.text() for label in dialog.findChildren(QLabel)
    )
    qtbot.keyClicks(dialog.passphrase, "not the passphrase")
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.feedback.isVisible() and dialog.isEnabled())
    assert "passphrase" in dialog.feedback.text().lower() and not runs
    qtbot.keyClicks(dialog.passphrase, PASSPHRASE)
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(runs), timeout=120_000)
    [run] = runs
    assert [(r.outcome, r.code) for r in run.results] == [("imported", "ok")]


def test_without_the_key_nothing_encrypted_is_imported(qtbot, bu_a: Workspace, sealed: Path) -> None:
    runs: list[ImportRun] = []
    run_import(None, bu_a, [sealed], lambda _res, _path: True, runs.append)
    qtbot.waitUntil(
        lambda: any(isinstance(w, PassphraseDialog) and w.isVisible() for w in QApplication.topLevelWidgets())
    )
    qtbot.keyClick(passphrase_dialog(), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: bool(runs), timeout=120_000)
    [result] = runs[0].results
    assert (result.outcome, result.code) == ("rejected", "key_needed") and "passphrase" in result.reason

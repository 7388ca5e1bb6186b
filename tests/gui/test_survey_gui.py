"""File ▸ Import practitioner survey responses… through the real window: the export read in a job, what was
understood shown (suppressed counts as "fewer than 5") before anything is stored, stored on request; the answers
then beside the statements in the editor, a divergence marked, and listed again in the sign-off review."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers.answers import complete_answers
from helpers.survey_kit import make_rows, sample, write
from PySide6.QtWidgets import QApplication, QMessageBox
from shiboken6 import isValid

from oscb_desktop.services import agencies, identities, returns, survey
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.store import Agency
from oscb_desktop.ui import file_dialogs, ops
from oscb_desktop.ui.agency.survey_import import SurveyPreviewDialog
from oscb_desktop.ui.main_window import MainWindow
from oscb_desktop.ui.signing import SignOffDialog
from oscb_desktop.ui.signing.signoff_dialog import divergence_text

SHOTS = os.environ.get("OSCB_SURVEY_SCREENSHOTS")
PASSPHRASE = "a long enough passphrase"


def _trigger(qtbot, monkeypatch: pytest.MonkeyPatch, win: MainWindow, path: Path) -> None:
    monkeypatch.setattr(file_dialogs, "ask_open_file", lambda *_a, **_k: path)
    [act] = [a for m in win.agency_mode.menus for a in m.actions() if "practitioner &survey" in a.text()]
    act.trigger()
    qtbot.waitUntil(lambda: not ops.running(), timeout=20_000)


def _preview(qtbot, win: MainWindow) -> SurveyPreviewDialog:
    qtbot.waitUntil(lambda: any(isValid(d) and d.isVisible() for d in win.findChildren(SurveyPreviewDialog)))
    return next(d for d in win.findChildren(SurveyPreviewDialog) if isValid(d) and d.isVisible())


def test_import_preview_store_and_beside_the_ratings(
    qtbot, monkeypatch: pytest.MonkeyPatch, workspace: Workspace, agency: Agency, tmp_path: Path
) -> None:
    ws = workspace
    agencies.set_current_agency(ws, agency.id)
    sub = returns.start_return(ws, agency.id, "section11", "2026/27", carry_forward=False)
    s11 = returns.form_of(ws, sub)
    returns.save_answers(ws, sub.id, complete_answers(s11))  # every statement rated Green
    form = survey.survey_form(ws, "2026/27")
    s = sample(form, tmp_path / "Staff survey.xlsx", 48, tool="msforms", favour=0.55, seed=21)

    win = MainWindow(ws)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    _trigger(qtbot, monkeypatch, win, s.path)
    dialog = _preview(qtbot, win)
    assert "48 respondents" in dialog.summary.text()
    assert "ID, Start time, Completion time, Email, Name" in dialog.summary.text()
    texts = [dialog.table.item(r, 3).text() for r in range(dialog.table.rowCount())]
    trained = next(
        r for r in range(dialog.table.rowCount()) if "safeguarding training" in dialog.table.item(r, 0).text()
    )
    assert dialog.table.item(trained, 1).text() == "Have you had safeguarding training in the last three years?"
    assert f"Yes: {s.counts['learning.trained']['yes']}" in texts[trained]
    assert any("fewer than 5" in t for t in texts), "small counts are suppressed before they are shown"
    assert survey.current(ws, agency.id, "2026/27") is None, "nothing stored before Store"
    if SHOTS:
        dialog.resize(1000, 640)
        QApplication.processEvents()
        dialog.grab().save(str(Path(SHOTS) / "survey-preview.png"))
    dialog.store_button.click()
    qtbot.waitUntil(lambda: not ops.running(), timeout=20_000)
    info = survey.current(ws, agency.id, "2026/27")
    assert info is not None and info.counts.respondents == 48
    for box in [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]:
        assert "respondents" in box.text()
        box.close()

    # beside the ratings, in the editor
    win.agency.open_return(sub.id)
    editor = win.agency.editor
    assert editor is not None
    editor.jump_to("s5.1")  # its section is built when shown
    note = editor.survey_notes.notes["s5.1"]
    text = note.text.text()
    assert "You rated Training (S5.1) Green" in text and "practitioners answered Yes to" in text
    assert "fewer than 5" not in text or "fewer than 5 of" in text
    yes = s.counts["learning.trained"]["yes"]
    answered = sum(s.counts["learning.trained"].values())
    assert f"{round(100 * yes / answered)} % of {answered} practitioners" in text
    assert note.property("diverges") is True, "Green, and fewer than 70 % said yes"
    # the rating changed to Amber: no longer divergent by the survey's rule
    frame = editor.frames["s5.1"]
    editor.answers["s5.1"] = {"level": "amber", "evidence": "x"}
    editor.survey_notes.refresh(editor.answers, "s5.1")
    assert "You rated Training (S5.1) Amber" in note.text.text() and note.property("diverges") is False
    if SHOTS:
        editor.go_to_section(s11.sections.index(s11.section("s5")))
        editor.answers["s5.1"] = returns.load_answers(ws, sub.id)["s5.1"]
        editor.survey_notes.refresh(editor.answers)
        win.resize(1400, 900)
        editor.scrolls[editor.current_section].ensureWidgetVisible(frame)
        QApplication.processEvents()
        win.grab().save(str(Path(SHOTS) / "survey-editor.png"))
    # and in the sign-off review, before the signatory signs
    words = divergence_text(survey.beside(ws, sub.id))
    assert words.startswith("Your practitioners' survey answers diverge from")
    assert "Training (S5.1) Green" in words
    identities.create(ws, agency.id, person_name="Jo Director", role="Director", email=None, passphrase=PASSPHRASE)
    review = SignOffDialog(ws, sub.id, win)
    qtbot.addWidget(review)
    review.show_state()
    review.show()
    assert review.state == review.READY
    assert review.divergences_box.isVisible() and review.divergences.text() == words
    if SHOTS:
        review.resize(900, 820)
        QApplication.processEvents()
        review.grab().save(str(Path(SHOTS) / "survey-signoff.png"))
    review.reject()


def test_a_file_that_cannot_be_mapped_is_refused_and_nothing_stored(
    qtbot, monkeypatch: pytest.MonkeyPatch, workspace: Workspace, agency: Agency, tmp_path: Path
) -> None:
    agencies.set_current_agency(workspace, agency.id)
    form = survey.survey_form(workspace, "2026/27")
    rows, _ = make_rows(form, 12, tool="google")
    rows[0].append("Team")
    for r in rows[1:]:
        r.append("North")
    rows[3][2] = "Perhaps"
    bad = write(rows, tmp_path / "bad.csv")
    win = MainWindow(workspace)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    _trigger(qtbot, monkeypatch, win, bad)
    qtbot.waitUntil(lambda: any(isinstance(w, QMessageBox) and w.isVisible() for w in QApplication.topLevelWidgets()))
    box = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible())
    assert "“Team” is not a question of the survey" in box.text()
    assert "“Perhaps” in row 4" in box.text()
    assert "Nothing was stored." in box.informativeText()
    assert survey.current(workspace, agency.id, "2026/27") is None
    box.close()


def test_the_business_units_glance_says_what_practitioners_said(qtbot, shipped_forms) -> None:
    from helpers.survey_kit import survey_collation

    from oscb_desktop.ui.business_unit.glance import GlancePage

    c = survey_collation(shipped_forms)[0]
    page = GlancePage(lambda _period: c)  # type: ignore[arg-type]  # the page only calls it
    qtbot.addWidget(page)
    page.set_period("2026/27")
    text = page.practitioners_text.text()
    p = c.practitioners
    assert p is not None
    assert f"{p.respondents} practitioners in all" in text
    assert "Southbank Council: S5.1 Training rated Green, but" in text
    assert "Northgate Council" not in text
    assert all(f"{q.code} " in text for q in p.questions if q.favourable is not None)

"""Moderation statement by statement in the Business Unit's review pane (issue 9, section 3): entered by keyboard
beside the agency's own rating, saved with Enter, stored apart from the signed return, and counted end to end by
the collation, the board report and the spreadsheet."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from oscb_desktop import demo
from oscb_desktop.collate import collate
from oscb_desktop.forms import FormRegistry
from oscb_desktop.report.board import render_collation_pdf
from oscb_desktop.report.collation_xlsx import RATINGS_HEADER, write_collation_xlsx
from oscb_desktop.services import review
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.store.models import Moderation, ReceivedReturn
from oscb_desktop.ui.business_unit.statement_review import AGREE, contrast, text_colour_on
from oscb_desktop.ui.business_unit.workspace import BusinessUnitWorkspace

PERIOD = "2026/27"


@pytest.fixture(scope="module")
def bu_template(tmp_path_factory: pytest.TempPathFactory, shipped_forms: FormRegistry) -> Path:
    folder = tmp_path_factory.mktemp("bu-statements") / "ws"
    demo.build_business_unit(folder, agencies=3, forms=shipped_forms)
    return folder


def focus(qtbot, viewer, widget) -> None:
    viewer.activateWindow()
    qtbot.waitUntil(viewer.isActiveWindow)
    widget.setFocus()
    qtbot.waitUntil(lambda: viewer.focusWidget() is widget)


def test_statement_moderation_by_keyboard_is_stored_and_counted(qtbot, bu_ws: Workspace, tmp_path: Path) -> None:
    widget = BusinessUnitWorkspace(bu_ws)
    qtbot.addWidget(widget)
    widget.resize(1400, 900)
    widget.show()
    row = next(
        r
        for r in review.list_received(bu_ws, period=PERIOD)
        if r.form_id == "section11" and not review.moderation_for(bu_ws, r.agency_id, r.form_id, r.period)
    )
    answers_before, digest_before = dict(row.answers), row.content_digest
    statements = {s.item_id: s for s in review.statements(bu_ws, row.id)}
    rated = [s for s in statements.values() if s.standard_id == "s2" and s.own is not None]
    assert len(rated) >= 2
    first, second = rated[0], rated[1]
    viewer = widget.open_return(row.id, "s2")
    qtbot.waitExposed(viewer)
    pane = viewer.review
    rows = pane.statement_rows
    assert list(rows) == list(statements)  # every rated statement, in form order

    # Beside each statement: the agency's own rating, in words, with readable text on its colour.
    own = rows[first.item_id].own
    assert own.text().strip() == f"Agency: {first.own.display}"
    assert f"color:{text_colour_on(first.own.colour)}" in own.styleSheet()
    assert contrast(text_colour_on(first.own.colour), first.own.colour) >= 4.5
    combo = rows[first.item_id].level
    assert combo.itemText(1) == f"Agree: {first.own.display}"
    assert [combo.itemData(n) for n in range(2, combo.count())] == [lv.id for lv in first.scale.choices]

    # Keyboard: Ctrl+Down from the standard reaches the statements; the level is chosen with the arrow keys,
    # Tab reaches the note, Enter saves.
    focus(qtbot, viewer, pane.standards["s2"].level)
    target = next(lv for lv in first.scale.choices if lv.id not in (first.own_level, "na"))
    QTest.keyClick(viewer.focusWidget(), Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    QApplication.processEvents()
    assert viewer.focusWidget() is rows[first.item_id].level  # the first statement of S2
    focus(qtbot, viewer, combo)
    while combo.currentData() != target.id:
        QTest.keyClick(combo, Qt.Key.Key_Down)
    QTest.keyClick(combo, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: viewer.focusWidget() is rows[first.item_id].note)
    QTest.keyClicks(rows[first.item_id].note, "No audit of the policy's use was offered.")
    assert viewer.dirty
    QTest.keyClick(rows[first.item_id].note, Qt.Key.Key_Return)
    assert not viewer.dirty
    assert rows[first.item_id].saved.text().startswith("✓ Saved")
    assert viewer.save_state.text().startswith("Saved.")

    # Ctrl+Down to the next statement; "agree" stores the agency's own level; Enter on the level saves.
    focus(qtbot, viewer, rows[first.item_id].note)
    QTest.keyClick(viewer.focusWidget(), Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert viewer.focusWidget() is rows[second.item_id].level
    second_combo = rows[second.item_id].level
    second_combo.setCurrentIndex(second_combo.findData(AGREE))
    QTest.keyClick(second_combo, Qt.Key.Key_Return)
    assert not viewer.dirty

    def stored(target_id: str) -> Moderation | None:
        return Moderation.get_or_none((Moderation.agency == row.agency_id) & (Moderation.target == target_id))

    m1, m2 = stored(first.item_id), stored(second.item_id)
    assert m1 is not None and m1.level == target.id and m1.note == "No audit of the policy's use was offered."
    assert m2 is not None and m2.level == second.own_level and m2.note == ""
    assert stored("s2") is None  # the standard itself was not moderated
    after = ReceivedReturn.get_by_id(row.id)
    assert after.answers == answers_before and after.content_digest == digest_before

    # Opened again, the pane shows what was stored ("agree" as agree).
    viewer.close()
    viewer = widget.open_return(row.id)
    rows = viewer.review.statement_rows
    assert rows[first.item_id].values() == (target.id, "No audit of the policy's use was offered.")
    assert rows[second.item_id].level.currentData() == AGREE
    viewer.close()

    # Counted: the collation, the board report and the spreadsheet use the statement's moderated level.
    c = collate(review.collation_input(bu_ws, PERIOD))
    rating = next(r for r in c.ratings if r.agency == row.agency.name and r.statement_id == first.item_id)
    assert rating.moderated_level is not None and rating.moderated_level.id == target.id
    agreed = next(r for r in c.ratings if r.agency == row.agency.name and r.statement_id == second.item_id)
    assert agreed.moderated_level is not None and agreed.moderated_level.id == second.own_level
    reason = f"{first.code} moderated {target.label}, self-rated {first.own.label}"
    challenged = next(ch for ch in c.headline.challenged if ch.agency == row.agency.name)
    assert reason in challenged.reasons
    cell = next(r for r in c.matrix if r.agency == row.agency.name).cell("s2")
    assert cell is not None and cell.moderated_level is not None

    xlsx = tmp_path / "board.xlsx"
    write_collation_xlsx(c, xlsx)
    sheet = openpyxl.load_workbook(xlsx)["Ratings"]
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert tuple(header[: len(RATINGS_HEADER)]) == RATINGS_HEADER
    code_col, agency_col, mod_col = (header.index(h) for h in ("Statement code", "Agency", "Moderated rating"))
    found = [
        r
        for r in sheet.iter_rows(min_row=2, values_only=True)
        if r[agency_col] == row.agency.name and r[code_col] == first.code
    ]
    assert len(found) == 1 and found[0][mod_col] == target.label

    pdftotext = shutil.which("pdftotext")
    if pdftotext is not None:
        pdf = tmp_path / "board.pdf"
        pdf.write_bytes(render_collation_pdf(c))
        text = subprocess.run([pdftotext, str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert f"{first.code} moderated {target.label}" in " ".join(text.split())


def test_wcag_contrast_of_the_shipped_levels() -> None:
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert contrast("#ffffff", "#f2b134") < 4.5  # white on the light amber fails…
    assert text_colour_on("#f2b134") == "#111827" and contrast("#111827", "#f2b134") >= 4.5  # …dark text passes

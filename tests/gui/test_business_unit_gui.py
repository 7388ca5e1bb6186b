"""The Business Unit workspace through its real widgets: the cycle, the matrix, the review pane, import with trust
confirmation, drag and drop, the register, the board report, and the switch into Business Unit mode.

A Business Unit workspace with five demo agencies is generated once per module (it takes seconds) and copied for
each test; fresh bundles signed by two other demo agencies' keys are made once too. Tests assert on what the
workspace stored, not only on what is shown.
"""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers.engines import open_bu
from helpers.pdf import run, squash
from PySide6.QtCore import QMimeData, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from oscb_desktop import demo
from oscb_desktop.forms import FormRegistry
from oscb_desktop.services import registry, review
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.signing import format_fingerprint
from oscb_desktop.store.models import Moderation, ReceivedReturn, TrustedCertificate
from oscb_desktop.ui import app
from oscb_desktop.ui.business_unit.common import REJECTED_BACKGROUND
from oscb_desktop.ui.business_unit.importing import FingerprintDialog, ImportRun
from oscb_desktop.ui.business_unit.models import CycleModel
from oscb_desktop.ui.business_unit.workspace import BusinessUnitWorkspace
from oscb_desktop.ui.main_window import MainWindow
from oscb_desktop.ui.table_model import SORT_ROLE

SECTION11 = "section11"
PERIOD = "2026/27"


# Fixtures ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bu_template(tmp_path_factory: pytest.TempPathFactory, shipped_forms: FormRegistry) -> Path:
    folder = tmp_path_factory.mktemp("bu-template") / "ws"
    demo.build_business_unit(folder, agencies=5, forms=shipped_forms)
    return folder


@pytest.fixture(scope="module")
def fresh_bundles(tmp_path_factory: pytest.TempPathFactory, shipped_forms: FormRegistry) -> Path:
    """Bundles exported by two demo agencies whose certificates no Business Unit has seen."""
    root = tmp_path_factory.mktemp("fresh-bundles")
    agency_ws = Workspace.open(root / "agency", forms=shipped_forms)
    try:
        agency_ws.bind()
        demo.generate(agency_ws, agencies=2, seed=7, sign_all=True)
        demo.export_signed(agency_ws, root / "bundles")
    finally:
        agency_ws.close()
    return root / "bundles"


@pytest.fixture
def empty_bu(
    request: pytest.FixtureRequest, engine: str, tmp_path: Path, shipped_forms: FormRegistry
) -> Iterator[Workspace]:
    ws = open_bu(request, engine, tmp_path / "empty-bu", shipped_forms)
    ws.bind()  # re-bound after any module fixture that bound another workspace
    registry.become_business_unit(ws)
    try:
        yield ws
    finally:
        ws.close()


def make_workspace(qtbot, ws: Workspace) -> BusinessUnitWorkspace:
    widget = BusinessUnitWorkspace(ws)
    qtbot.addWidget(widget)
    widget.resize(1400, 900)
    widget.show()
    return widget


def bundles_with_a_broken_one(fresh: Path, folder: Path) -> Path:
    shutil.copytree(fresh, folder)
    (folder / "broken.oscb").write_bytes(b"PK\x03\x04 this is not a bundle")
    return folder


def visible(kind: type[QWidget]) -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


def answer_trust_dialogs(accept: bool) -> tuple[list[str], QTimer]:
    """Answer every trust confirmation that opens (the import waits in its modal loop); return what they showed."""
    shown: list[str] = []

    def poll() -> None:
        for dialog in visible(FingerprintDialog):
            assert isinstance(dialog, FingerprintDialog)
            assert dialog.reject_button.isDefault() and not dialog.accept_button.isDefault()
            shown.append(dialog.fingerprint_label.text())
            (dialog.accept_button if accept else dialog.reject_button).click()

    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(poll)
    timer.start()
    return shown, timer


def import_and_wait(qtbot, widget: BusinessUnitWorkspace, paths) -> ImportRun:
    """Start an import (it runs in the background) and wait for its run to be reported."""
    with qtbot.waitSignal(widget.sig_imported, timeout=120_000) as blocker:
        assert widget.import_paths(paths) is not None
    return blocker.args[0]


def click_message_button(box: QMessageBox, text: str) -> None:
    button = next(b for b in box.buttons() if b.text() == text)
    button.click()


def nearest_label(scale, mean: float) -> str:
    """The rule the board report prints: nearest level by percentage, half way gives the lower one."""
    scored = [lv for lv in scale.levels if lv.percentage is not None]
    return min(scored, key=lambda lv: (abs(lv.percentage - mean), lv.percentage)).label


def expected_self_level(ws: Workspace, row: ReceivedReturn, section_id: str) -> str:
    form = ws.forms.get(row.form_id, row.form_version)
    section = next(s for s in form.sections if s.id == section_id)
    levels = []
    for item in section.items:
        if item.type == "rating" and isinstance(row.answers.get(item.id), dict):
            level = item.scale.level(row.answers[item.id]["level"])
            if level is not None and level.percentage is not None:
                levels.append(level)
    scale = next(i.scale for i in section.items if i.type == "rating")
    return nearest_label(scale, sum(lv.percentage for lv in levels) / len(levels)) if levels else "N/A"


def matrix_cell(widget: BusinessUnitWorkspace, agency: str, standard_id: str) -> str:
    model = widget.matrix.model
    column = 2 + [s.id for s in model.standards].index(standard_id)
    row = next(n for n, r in enumerate(model.rows) if r.agency == agency)
    return model.data(model.index(row, column))


# The cycle ------------------------------------------------------------------------------------------


def test_cycle_table_lists_every_agency_and_form_with_counts(qtbot, bu_ws: Workspace) -> None:
    widget = make_workspace(qtbot, bu_ws)
    page = widget.cycle
    assert widget.current_period == PERIOD
    rows = review.cycle(bu_ws, PERIOD)
    agencies = len(registry.list_agencies(bu_ws))
    assert page.model.rowCount() == len(rows) == agencies * 2
    returned = sum(1 for r in rows if r.form_id == SECTION11 and r.status != "not_received")
    assert returned == 5
    counts = page.counts.text()
    assert f"5 of {agencies}" in counts and "Section 11 self-assessment" in counts
    accepted = sum(1 for r in rows if r.form_id == SECTION11 and r.status == "accepted")
    with_issues = sum(1 for r in rows if r.form_id == SECTION11 and r.status == "has_issues")
    assert f"{accepted} accepted" in counts and f"{with_issues} with issues" in counts

    # Every row as stored, and "signed by" from the received return.
    texts = {(t[0], t[2]): t for t in page.model.texts()}
    for received in review.list_received(bu_ws, period=PERIOD):
        form = "Section 11" if received.form_id == SECTION11 else "Impact assessment"
        line = texts[(received.agency.name, form)]
        assert line[3] == review.REVIEW_STATUSES[received.review_status]
        assert line[4] == f"v{received.version}"
        assert line[6] == f"{received.signatory_name}, {received.signatory_role}"

    # Filters: status, then sector.
    page.status.setCurrentIndex(page.status.findData("accepted"))
    assert page.proxy.rowCount() == sum(1 for r in rows if r.status == "accepted") > 0
    page.status.setCurrentIndex(page.status.findData("not_received"))
    assert page.proxy.rowCount() == sum(1 for r in rows if r.status == "not_received")
    page.sector.setCurrentIndex(page.sector.findData("military"))
    shown = [page.proxy.index(n, 1).data() for n in range(page.proxy.rowCount())]
    assert shown and set(shown) == {"Military"}
    assert f"Showing {len(shown)} of {len(rows)}" == page.shown.text()

    # Sorting the status column sorts by status, not alphabetically by its words.
    page.status.setCurrentIndex(0)
    page.sector.setCurrentIndex(0)
    page.table.sortByColumn(CycleModel.STATUS_COLUMN, Qt.SortOrder.DescendingOrder)
    assert page.proxy.index(0, CycleModel.STATUS_COLUMN).data() == "Accepted"
    assert isinstance(page.proxy.index(0, CycleModel.STATUS_COLUMN).data(SORT_ROLE), int)

    # The chase list names everyone with something missing.
    chase = page.chase_list().splitlines()
    assert len(chase) - 1 == agencies - 5


# The matrix ------------------------------------------------------------------------------------------


def test_matrix_cells_match_the_received_answers_and_the_moderation(qtbot, bu_ws: Workspace) -> None:
    widget = make_workspace(qtbot, bu_ws)
    widget.tabs.setCurrentWidget(widget.matrix)
    received = [r for r in review.list_received(bu_ws, period=PERIOD) if r.form_id == SECTION11]
    assert len(received) == 5
    standards = [s.id for s in widget.matrix.model.standards]
    assert len(standards) >= 8
    assert widget.matrix.proxy.rowCount() == 5  # agencies without a return are hidden until asked for
    moderated_seen = 0
    for row in received:
        mods = review.moderation_for(bu_ws, row.agency_id, row.form_id, row.period)
        for standard in standards:
            own = expected_self_level(bu_ws, row, standard)
            text = matrix_cell(widget, row.agency.name, standard)
            m = mods.get(standard)
            if m is not None and m.level:
                moderated_seen += 1
                assert text == f"{own} / {m.level.capitalize()}"
            else:
                assert text == own
    assert moderated_seen >= 1

    # A new moderated rating shows at once after a refresh.
    row = received[0]
    review.set_moderation(bu_ws, row.agency_id, SECTION11, PERIOD, standards[1], level="red")
    widget.refresh()
    own = expected_self_level(bu_ws, row, standards[1])
    assert matrix_cell(widget, row.agency.name, standards[1]) == f"{own} / Red"

    # Filter by sector, show everyone, sort by a standard (numbers, not words).
    page = widget.matrix
    page.all_agencies.setChecked(True)
    assert page.proxy.rowCount() == len(registry.list_agencies(bu_ws))
    sector = row.agency.sector
    page.sector.setCurrentIndex(page.sector.findData(sector))
    assert {page.proxy.index(n, 1).data(Qt.ItemDataRole.UserRole + 1).sector for n in range(page.proxy.rowCount())} == {
        sector
    }
    page.sector.setCurrentIndex(0)
    page.all_agencies.setChecked(False)
    page.table.sortByColumn(2, Qt.SortOrder.DescendingOrder)
    means = [page.proxy.index(n, 2).data(SORT_ROLE) for n in range(page.proxy.rowCount())]
    assert means == sorted(means, reverse=True)

    # Activating a cell (double-click, Enter) opens the return, scrolled to that standard.
    index = page.proxy.index(0, 2 + 8)
    page.table.activated.emit(index)
    viewer = widget.viewer
    assert viewer is not None
    assert viewer.newest.agency.name == index.data(Qt.ItemDataRole.UserRole + 1).agency
    qtbot.waitExposed(viewer)
    target = viewer.review.standards[standards[8]]
    qtbot.waitUntil(lambda: not target.visibleRegion().isEmpty())
    viewer.close()


def test_year_on_year_shows_each_period_of_the_chosen_agency(qtbot, bu_ws: Workspace) -> None:
    widget = make_workspace(qtbot, bu_ws)
    page = widget.year_on_year
    assert page.agency.count() == 5
    name = page.agency.itemText(2)
    page.choose(name)
    assert page.model.periods == ["2025/26", PERIOD]
    old = next(r for r in review.list_received(bu_ws, period="2025/26") if r.agency.name == name)
    texts = page.model.texts()
    assert texts[0][1].split(" / ")[0] == expected_self_level(bu_ws, old, "s1")
    change, points = texts[0][3].split(" (")
    assert change in {"▲ Improved", "Same", "▼ Declined"}
    assert points.endswith("points)") or points.endswith("point)")  # the mean's change, apart from the level's


def test_year_on_year_says_improved_or_declined_only_when_the_level_changes(qtbot, bu_ws: Workspace) -> None:
    """Issue 13, item 2: a standard that stayed Green is "Same" however its mean moved inside Green; the move is
    shown apart, in points."""
    widget = make_workspace(qtbot, bu_ws)
    page = widget.year_on_year
    rank = {"Blue": 4, "Green": 3, "Amber": 2, "Red": 1}
    same_level_moved = 0
    for n in range(page.agency.count()):
        page.choose(page.agency.itemText(n))
        for _standard, *levels, change in page.model.texts():
            if change == "—":
                continue
            was, now = (rank[text.split(" / ")[0]] for text in levels[-2:])  # the agency's own level each year
            word, points = change.split(" (")
            assert word == ("Same" if was == now else "▲ Improved" if now > was else "▼ Declined"), (levels, change)
            if was == now and not points.startswith("0 "):
                same_level_moved += 1
    assert same_level_moved > 0, "the demo has a standard whose mean moved inside its level"


# Review pane ----------------------------------------------------------------------------------------


def test_review_pane_stores_moderation_apart_from_the_signed_return(qtbot, bu_ws: Workspace) -> None:
    widget = make_workspace(qtbot, bu_ws)
    row = next(
        r
        for r in review.list_received(bu_ws, period=PERIOD)
        if r.form_id == SECTION11 and not review.moderation_for(bu_ws, r.agency_id, r.form_id, r.period)
    )
    answers_before = dict(row.answers)
    digest_before = row.content_digest
    viewer = widget.open_return(row.id, "s2")
    qtbot.waitExposed(viewer)

    # The signed PDF is shown read-only, with its versions, and the pane says where the review goes.
    assert viewer.document.pageCount() > 1
    assert viewer.pdf_bytes == review.signed_pdf(bu_ws, row)
    assert viewer.history.rowCount() == 1
    assert "apart from the signed return" in viewer.review.findChild(type(viewer.save_state), "guidance").text()

    pane = viewer.review
    combo = pane.standards["s2"].level
    assert combo.itemText(0).startswith("—")
    assert [combo.itemData(n) for n in range(1, combo.count())] == ["blue", "green", "amber", "red", "na"]
    combo.setCurrentIndex(combo.findData("red"))
    qtbot.keyClicks(pane.standards["s2"].note, "Evidence of supervision audits was not offered.")
    qtbot.keyClicks(pane.whole, "Discussed at the challenge event on 12 May.")
    pane.status_buttons["accepted"].click()
    assert viewer.dirty and viewer.save_state.text() == "Unsaved changes."
    viewer.save_button.click()
    assert not viewer.dirty

    stored = Moderation.get(
        (Moderation.agency == row.agency_id) & (Moderation.period == PERIOD) & (Moderation.target == "s2")
    )
    assert stored.level == "red" and stored.note == "Evidence of supervision audits was not offered."
    whole = Moderation.get(
        (Moderation.agency == row.agency_id) & (Moderation.period == PERIOD) & (Moderation.target == "")
    )
    assert whole.level is None and whole.note == "Discussed at the challenge event on 12 May."
    after = ReceivedReturn.get_by_id(row.id)
    assert after.review_status == "accepted"
    assert after.answers == answers_before and after.content_digest == digest_before
    # Only what changed was written: the other standards have no moderation rows.
    assert {m.target for m in Moderation.select().where(Moderation.agency == row.agency_id)} == {"s2", ""}

    # The workspace refreshed: the matrix shows the moderated rating.
    assert matrix_cell(widget, row.agency.name, "s2").endswith(" / Red")

    # Clearing the level and the note removes the row.
    combo.setCurrentIndex(0)
    pane.standards["s2"].note.clear()
    assert viewer.save()
    assert Moderation.get_or_none((Moderation.agency == row.agency_id) & (Moderation.target == "s2")) is None
    viewer.close()


# Import ----------------------------------------------------------------------------------------------


def test_import_asks_to_trust_new_certificates_and_shows_the_results(
    qtbot, empty_bu: Workspace, fresh_bundles: Path, tmp_path: Path
) -> None:
    folder = bundles_with_a_broken_one(fresh_bundles, tmp_path / "incoming")
    widget = make_workspace(qtbot, empty_bu)
    shown, timer = answer_trust_dialogs(accept=True)
    try:
        run = import_and_wait(qtbot, widget, [folder])
    finally:
        timer.stop()
    assert run is not None

    # One question per agency's certificate (the second bundle of an agency is then trusted), with the
    # fingerprint of a certificate that signed them, in groups of four.
    fingerprints = {r.signer_fingerprint for r in run.results if r.signer_fingerprint}
    assert len(shown) == len(fingerprints) == 2
    for text in shown:
        groups = text.split()
        assert len(groups) == 16 and all(len(g) == 4 for g in groups)
        assert any(" ".join(groups) == format_fingerprint(fp) for fp in fingerprints)

    # The results table: every file, the broken one rejected and highlighted.
    dialog = widget.results
    assert dialog is not None and dialog.isVisible()
    texts = dialog.model.texts()
    assert len(texts) == 7
    rejected = [n for n, r in enumerate(dialog.model.rows) if r.outcome == "rejected"]
    assert [texts[n][0] for n in rejected] == ["broken.oscb"]
    index = dialog.model.index(rejected[0], 0)
    assert dialog.model.data(index, Qt.ItemDataRole.BackgroundRole).name() == REJECTED_BACKGROUND
    assert texts[rejected[0]][5] == "Rejected" and texts[rejected[0]][6]
    imported = [t for t in texts if t[5].startswith("Imported")]
    assert len(imported) == 6 and all(t[1] and t[3] for t in imported)
    assert "6 imported, 0 already imported, 1 rejected." in dialog.summary.text()

    # Stored: six returns, two certificates confirmed at import; the cycle shows them.
    assert ReceivedReturn.select().count() == 6
    assert sorted(c.source for c in TrustedCertificate.select()) == ["import", "import"]
    assert "2 of" in widget.cycle.counts.text()


def test_rejecting_an_unknown_certificate_imports_nothing(
    qtbot, empty_bu: Workspace, fresh_bundles: Path, tmp_path: Path
) -> None:
    widget = make_workspace(qtbot, empty_bu)
    agencies_before = len(registry.list_agencies(empty_bu))
    shown, timer = answer_trust_dialogs(accept=False)
    try:
        run = import_and_wait(qtbot, widget, [fresh_bundles])
    finally:
        timer.stop()
    assert run is not None
    assert len(shown) == 2  # asked once per certificate: a "Reject" holds for that signer's other bundles
    assert [r.outcome for r in run.results] == ["rejected"] * 6
    assert all(r.code == "untrusted_signer" for r in run.results)
    assert ReceivedReturn.select().count() == 0
    assert TrustedCertificate.select().count() == 0
    assert len(registry.list_agencies(empty_bu)) == agencies_before


def test_trust_confirmation_is_injectable_and_never_silent(qtbot, empty_bu: Workspace, fresh_bundles: Path) -> None:
    widget = make_workspace(qtbot, empty_bu)
    asked: list[tuple[str, str]] = []

    def confirm(res, path: Path) -> bool:
        asked.append((res.manifest.agency.name, path.name))
        return res.manifest.agency.name.endswith("Children's Services")

    widget.confirm_trust = confirm
    run = import_and_wait(qtbot, widget, sorted(fresh_bundles.glob("*.oscb")))
    assert run is not None
    assert len(asked) == 2
    imported = {r.agency for r in run.results if r.outcome == "imported"}
    assert imported == {"Oxfordshire County Council – Children's Services"}
    assert ReceivedReturn.select().count() == 3


def test_dropping_a_folder_imports_its_bundles(qtbot, empty_bu: Workspace, fresh_bundles: Path) -> None:
    widget = make_workspace(qtbot, empty_bu)
    widget.confirm_trust = lambda _res, _path: True
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(fresh_bundles))])
    enter = QDragEnterEvent(
        widget.rect().center(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    widget.dragEnterEvent(enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        QPointF(widget.rect().center()),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(widget.sig_imported, timeout=60_000) as blocker:
        widget.dropEvent(drop)
    assert drop.isAccepted()
    run = blocker.args[0]
    assert [r.outcome for r in run.results] == ["imported"] * 6
    assert ReceivedReturn.select().count() == 6
    assert widget.results is not None and widget.results.model.rowCount() == 6

    # Text that is not a file is refused.
    text = QMimeData()
    text.setText("not a file")
    refused = QDragEnterEvent(
        widget.rect().center(),
        Qt.DropAction.CopyAction,
        text,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    widget.dragEnterEvent(refused)
    assert not refused.isAccepted()


def test_import_menu_uses_the_file_dialog(qtbot, empty_bu: Workspace, fresh_bundles: Path, monkeypatch) -> None:
    from PySide6.QtWidgets import QFileDialog

    files = [str(p) for p in sorted(fresh_bundles.glob("*section11*"))]
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: (files, ""))
    widget = make_workspace(qtbot, empty_bu)
    widget.confirm_trust = lambda _res, _path: True
    with qtbot.waitSignal(widget.sig_imported, timeout=120_000):
        widget.import_files_dialog()
    assert ReceivedReturn.select().count() == len(files) == 4


# The register ----------------------------------------------------------------------------------------


def test_revoke_a_certificate_from_the_agencies_tab(qtbot, bu_ws: Workspace) -> None:
    widget = make_workspace(qtbot, bu_ws)
    page = widget.agencies
    widget.tabs.setCurrentWidget(page)
    cert = TrustedCertificate.select().order_by(TrustedCertificate.id).first()
    page.select_agency(cert.agency_id)
    assert page.selected_certificate() is not None and page.selected_certificate().id == cert.id
    assert page.revoke_button.isEnabled()
    page.revoke_button.click()
    box = page.dialog
    assert isinstance(box, QMessageBox)
    assert box.defaultButton().text() == "Cancel"
    assert format_fingerprint(cert.fingerprint).split()[0] in box.text()
    click_message_button(box, "Revoke certificate")
    assert TrustedCertificate.get_by_id(cert.id).revoked_at is not None
    line = next(a for a in page.model.rows if a.id == cert.agency_id)
    assert line.revoked == 1 and line.revoked_at
    assert page.certs.texts()[0][4].startswith("Revoked")
    assert not page.revoke_button.isEnabled()


def test_register_a_certificate_from_a_pem_file_after_seeing_its_fingerprint(
    qtbot, empty_bu: Workspace, fresh_bundles: Path, tmp_path: Path
) -> None:
    bundle = next(iter(sorted(fresh_bundles.glob("*.oscb"))))
    with zipfile.ZipFile(bundle) as z:
        pem = z.read("signer.pem")
    path = tmp_path / "agency.pem"
    path.write_bytes(pem)
    cert = registry.read_certificate(pem)
    widget = make_workspace(qtbot, empty_bu)
    page = widget.agencies
    page.register_pem(path)
    dialog = page.dialog
    assert isinstance(dialog, FingerprintDialog)
    assert dialog.fingerprint_label.text().split() == format_fingerprint(cert.fingerprint).split()
    assert "every group matches" in dialog.advice.text()
    assert dialog.agency_choice.currentText() == cert.organisation
    assert TrustedCertificate.select().count() == 0  # nothing before the officer confirms
    dialog.accept_button.click()
    row = TrustedCertificate.get()
    assert row.fingerprint == cert.fingerprint and row.source == "pem"
    assert row.agency.name == cert.organisation

    # A file that is not a certificate says so and registers nothing.
    (tmp_path / "junk.pem").write_text("hello")
    page.register_pem(tmp_path / "junk.pem")
    boxes = visible(QMessageBox)
    assert any("not a certificate" in b.text() for b in boxes)
    for b in boxes:
        b.close()
    assert TrustedCertificate.select().count() == 1


def test_add_an_agency_and_edit_its_contact(qtbot, empty_bu: Workspace) -> None:
    widget = make_workspace(qtbot, empty_bu)
    page = widget.agencies
    page.add_agency()
    dialog = page.dialog
    qtbot.keyClicks(dialog.name, "Oxford Youth Football League")
    dialog.sector.setCurrentIndex(dialog.sector.findData("voluntary"))
    qtbot.keyClicks(dialog.contact_email, "not an email")
    dialog.accept()
    assert dialog.error.isVisible() and registry.find_agency(empty_bu, "Oxford Youth Football League") is None
    dialog.contact_email.setText("lead@oyfl.example")
    dialog.accept()
    added = registry.find_agency(empty_bu, "Oxford Youth Football League")
    assert added is not None and added.sector == "voluntary" and added.contact_email.startswith("lead@")
    page.select_agency(added.id)
    page.edit_contact()
    qtbot.keyClicks(page.dialog.contact_name, "Robin Lead")
    page.dialog.accept()
    assert registry.find_agency(empty_bu, "Oxford Youth Football League").contact_name == "Robin Lead"
    assert "Robin Lead <lead@oyfl.example>" in [line.contact for line in page.model.rows]


# The window ------------------------------------------------------------------------------------------


def test_the_welcome_page_turns_an_empty_workspace_into_the_business_unit(qtbot, workspace: Workspace) -> None:
    window = MainWindow(workspace)
    qtbot.addWidget(window)
    window.show()
    assert window.modes.currentWidget() is window.agency
    menus = {a.text(): a for a in window.menuBar().actions()}
    assert menus["&Return"].isVisible()
    welcome = window.agency.welcome
    welcome.business_unit.click()
    box = welcome.question
    assert isinstance(box, QMessageBox) and box.defaultButton().text() == "Cancel"
    click_message_button(box, "Use it for the Business Unit")
    assert registry.is_business_unit(workspace)
    assert window.modes.currentWidget() is window.business_unit.workspace
    titles = [a.text() for a in window.menuBar().actions() if a.isVisible()]
    assert titles == ["&File", "&Business Unit", "&Help"]
    assert not menus["&Return"].isVisible()
    assert not window.agency_mode.act_sign_off.isEnabled() and not window.agency_mode.act_print.isEnabled()
    assert window.business_unit.act_import.shortcut().toString() == "Ctrl+I"


def test_a_business_unit_workspace_opens_in_business_unit_mode(qtbot, bu_ws: Workspace) -> None:
    window = MainWindow(bu_ws)
    qtbot.addWidget(window)
    assert window.business_unit.active
    assert "Business Unit" in window.windowTitle()


def test_app_business_unit_flag(qapp, tmp_path: Path) -> None:
    shot = tmp_path / "bu.png"
    folder = tmp_path / "ws"
    assert app.main(["--business-unit", "--data-dir", str(folder), "--screenshot", str(shot)]) == 0
    assert QImage(str(shot)).width() >= 1000
    with Workspace.open(folder) as ws:
        ws.bind()
        assert registry.is_business_unit(ws)


def test_app_demo_business_unit_screenshot(qapp, tmp_path: Path) -> None:
    shot = tmp_path / "bu-demo.png"
    folder = tmp_path / "demo"
    args = ["--demo", "--business-unit", "--demo-agencies", "2", "--data-dir", str(folder), "--screenshot", str(shot)]
    assert app.main(args) == 0
    assert QImage(str(shot)).width() >= 1000
    with Workspace.open(folder) as ws:
        ws.bind()
        assert registry.is_business_unit(ws) and ReceivedReturn.select().count() == 6


# The board report (collation; last, as it depends on the collation package) -----------------------


@pytest.mark.parametrize("kind", ["pdf", "xlsx"])
def test_board_report_files(qtbot, bu_ws: Workspace, tmp_path: Path, kind: str, monkeypatch) -> None:
    from PySide6.QtWidgets import QFileDialog

    target = tmp_path / "out" / "report"  # without its suffix: the page adds it
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    widget = make_workspace(qtbot, bu_ws)
    page = widget.report
    assert "5 of" in page.summary.text()
    export: Callable[[], None] = page.export_pdf if kind == "pdf" else page.export_xlsx
    with qtbot.waitSignal(page.sig_exported, timeout=120_000) as blocker:
        export()
    written = Path(blocker.args[0])
    assert written == target.with_name(f"report.{kind}")
    data = written.read_bytes()
    assert data.startswith(b"%PDF" if kind == "pdf" else b"PK")
    assert str(written) in page.result.text()
    for box in visible(QMessageBox):
        assert str(written) in box.text()
        box.close()


def test_board_report_word_button_writes_the_document(qtbot, bu_ws: Workspace, tmp_path: Path, monkeypatch) -> None:
    from docx import Document
    from PySide6.QtWidgets import QFileDialog

    from oscb_desktop.report.board_docx import CHAPTERS

    target = tmp_path / "out" / "report"  # without its suffix: the page adds it
    asked: list[str] = []

    def save_name(*args, **kwargs):
        asked.append(" ".join(str(a) for a in args[1:]))
        return str(target), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_name)
    widget = make_workspace(qtbot, bu_ws)
    page = widget.report
    assert page.docx_button.isEnabled() and page.docx_button.text() == "Board report (Word)…"
    with qtbot.waitSignal(page.sig_exported, timeout=120_000) as blocker:
        qtbot.mouseClick(page.docx_button, Qt.MouseButton.LeftButton)
    written = Path(blocker.args[0])
    assert written == target.with_name("report.docx") and asked and "Word" in asked[0]
    doc = Document(str(written))
    assert [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "Heading 1"] == list(CHAPTERS)
    c = review.collation_input(bu_ws, PERIOD)
    assert doc.core_properties.subject == c.partnership
    assert all(shape._inline.docPr.get("descr") for shape in doc.inline_shapes) and len(doc.inline_shapes) >= 3
    assert str(written) in page.result.text()
    for box in visible(QMessageBox):
        assert str(written) in box.text()
        box.close()


def test_feedback_letters_one_per_agency(qtbot, bu_ws: Workspace, tmp_path: Path, monkeypatch) -> None:
    from PySide6.QtWidgets import QFileDialog

    folder = tmp_path / "letters"
    folder.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    bu_ws.set_setting("user_name", "")
    widget = make_workspace(qtbot, bu_ws)
    page = widget.report
    assert page.feedback_button.isEnabled()
    # Nobody named yet: the letters are not signed by the computer's login, the officer is asked for a name.
    page.feedback_button.click()
    qtbot.waitUntil(lambda: any("Type your name" in b.text() for b in visible(QMessageBox)))
    for box in visible(QMessageBox):
        box.close()
    assert not list(folder.iterdir())
    page.officer.setFocus()
    QTest.keyClicks(page.officer, "  Priya   Shah ")
    with qtbot.waitSignal(page.sig_exported, timeout=120_000) as blocker:
        page.feedback_button.click()
    assert Path(blocker.args[0]) == folder
    assert bu_ws.setting("user_name") == "Priya Shah"
    letters = sorted(folder.glob("Feedback_*.pdf"))
    assert len(letters) == 5 and all(p.read_bytes().startswith(b"%PDF") for p in letters)
    contact = bu_ws.profile.contact_name
    assert contact  # the demo partnership names its contact
    for letter in letters:
        ending = squash(run("pdftotext", str(letter), "-"))
        assert "Priya Shah for the" in ending and f"please contact {contact}" in ending
    assert str(folder) in page.result.text()
    for box in visible(QMessageBox):
        assert str(folder) in box.text()
        box.close()


def test_the_matrix_fits_every_standard_at_1400_pixels(qtbot, bu_ws: Workspace) -> None:
    widget = make_workspace(qtbot, bu_ws)  # 1400 x 900, as the window opens
    widget.tabs.setCurrentWidget(widget.matrix)
    table = widget.matrix.table
    wanted = table.fontMetrics().horizontalAdvance("Green / Amber")
    qtbot.waitUntil(lambda: table.columnWidth(2) >= wanted)  # fitted once the tab is laid out
    assert table.horizontalScrollBar().maximum() == 0
    model = widget.matrix.model
    for column in range(2, model.columnCount()):
        assert table.columnWidth(column) >= wanted, model.headers()[column]
    first = widget.matrix.proxy.index(0, 0)
    assert first.data(Qt.ItemDataRole.ToolTipRole).startswith(first.data())  # the whole name, however elided


def test_the_cycle_at_a_glance_charts_the_board_reports_figures(qtbot, bu_ws: Workspace) -> None:
    from PySide6.QtCharts import QHorizontalBarSeries, QHorizontalPercentBarSeries, QLineSeries

    widget = make_workspace(qtbot, bu_ws)
    widget.tabs.setCurrentWidget(widget.glance)
    c = widget.collations(widget.current_period)

    ratings = [s for s in widget.glance.ratings_chart.chart().series() if isinstance(s, QHorizontalPercentBarSeries)]
    assert len(ratings) == 1
    assert c.scale is not None
    by_label = {bar.label(): [bar.at(i) for i in range(bar.count())] for bar in ratings[0].barSets()}
    for level in c.scale.choices:
        label = level.label if level.id != "na" else "Not applicable"
        assert by_label[label] == [st.counts.get(level.id, 0) for st in reversed(c.standards)]

    lines = {s.name(): s for s in widget.glance.returns_chart.chart().series() if isinstance(s, QLineSeries)}
    for f in c.headline.forms:
        series = next(s for name, s in lines.items() if name.startswith(f.title))
        assert series.count() == 0 or series.at(series.count() - 1).y() == len(f.returned)
    assert "Deadline" in " ".join(lines)

    assert c.impact.pressures is not None
    (pressures,) = [s for s in widget.glance.pressures_chart.chart().series() if isinstance(s, QHorizontalBarSeries)]
    points = [pressures.barSets()[0].at(i) for i in range(pressures.barSets()[0].count())]
    assert points == [t.points for t in reversed(c.impact.pressures.top())]
    # Every figure in words too (colour and bars never carry a figure alone).
    for theme in c.impact.pressures.top():
        assert f"{theme.label}: {theme.points} points" in widget.glance.pressures_text.text()
    assert all(st.code in widget.glance.ratings_text.text() for st in c.standards)


def test_a_signed_pdf_sent_alone_is_imported_then_completed_by_its_bundle(
    qtbot, empty_bu: Workspace, fresh_bundles: Path, tmp_path: Path
) -> None:
    """Issue 9 §1: someone forwards only the signed PDF; the results, the cycle and the viewer say what is missing,
    and the bundle, imported later, completes the same return."""
    bundle = sorted(fresh_bundles.glob("*section11_2026-27*.oscb"))[0]
    with zipfile.ZipFile(bundle) as z:
        pdf = tmp_path / "forwarded by email.pdf"
        pdf.write_bytes(z.read("submission.pdf"))
    widget = make_workspace(qtbot, empty_bu)
    shown, timer = answer_trust_dialogs(accept=True)
    try:
        run = import_and_wait(qtbot, widget, [pdf])
    finally:
        timer.stop()
    assert len(shown) == 1, "a PDF's signer is confirmed like a bundle's"
    [result] = run.results
    assert (result.outcome, result.code) == ("imported", "pdf_only")
    dialog = widget.results
    assert dialog is not None and dialog.model.texts()[0][5] == "Imported (signed PDF alone) (certificate trusted)"
    assert "came as a signed PDF alone" in dialog.summary.text()
    dialog.close()

    row = review.received(empty_bu, result.received_id or 0)
    assert not row.bundle_received
    lines = [line for line in widget.cycle.model.rows if line.row.received_id == row.id]
    assert len(lines) == 1 and lines[0].row.status_label == "Received (PDF only)"
    viewer = widget.open_return(row.id)
    assert "Received as the signed PDF alone" in viewer.showing.text()
    viewer.close()

    run = import_and_wait(qtbot, widget, [bundle])
    [completed] = run.results
    assert (completed.outcome, completed.code) == ("imported", "completed")
    assert widget.results is not None and widget.results.model.texts()[0][5] == "Completed by its bundle"
    assert review.received(empty_bu, row.id).bundle_received and ReceivedReturn.select().count() == 1

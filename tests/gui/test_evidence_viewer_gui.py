"""Evidence files at the Business Unit, with real widgets: the return viewer lists each statement's files, opens
one only when asked (from a read-only copy), warns before a kind of file that could run code, and shows the
"check this evidence" hints; and the whole trip from the agency's editor to the Business Unit's viewer."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.engines import open_bu
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from oscb_desktop import demo
from oscb_desktop.forms import FormRegistry
from oscb_desktop.services import identities, imports, returns, review, signoff
from oscb_desktop.services.agencies import create_agency
from oscb_desktop.services.workspace import Workspace, partnership
from oscb_desktop.ui import ops
from oscb_desktop.ui.business_unit.common import Collations
from oscb_desktop.ui.business_unit.viewer import ReturnViewer
from oscb_desktop.ui.editor.evidence import RatingWithFiles, open_in_viewer
from oscb_desktop.ui.editor.page import EditorPage

PERIOD = "2026/27"


@pytest.fixture(scope="module")
def bu_template(tmp_path_factory: pytest.TempPathFactory, shipped_forms: FormRegistry) -> Path:
    folder = tmp_path_factory.mktemp("bu-evidence") / "ws"
    demo.build_business_unit(folder, agencies=4, forms=shipped_forms)
    return folder


def wait_for_jobs(qtbot) -> None:
    qtbot.waitUntil(lambda: not ops._RUNNING, timeout=20_000)


def viewer_for(qtbot, ws: Workspace, agency_index: int) -> ReturnViewer:
    """The viewer of this year's Section 11 return of the demo's agency number ``agency_index``."""
    name = partnership().agencies[agency_index][0]
    rows = review.list_received(ws, period=PERIOD)
    row = next(r for r in rows if r.form_id == "section11" and r.agency.name == name)
    viewer = ReturnViewer(ws, row.id, Collations(ws))
    qtbot.addWidget(viewer)
    viewer.show()
    qtbot.waitExposed(viewer)
    wait_for_jobs(qtbot)
    return viewer


def test_the_viewer_lists_each_statements_files_and_opens_one_when_asked(
    qtbot, bu_ws: Workspace, opened: list[Path]
) -> None:
    viewer = viewer_for(qtbot, bu_ws, 0)  # the first demo agency keeps last year's policy
    assert opened == [], "nothing is opened by itself"
    tab = viewer.tabs.tabText(viewer.evidence_tab)
    assert tab == f"Evidence files ({len(viewer.evidence.files)})" and viewer.evidence.files
    tree = viewer.evidence.tree
    statements = [tree.topLevelItem(n).text(0) for n in range(tree.topLevelItemCount())]
    assert statements[0].startswith("S1.1  The agency has a named senior lead")
    assert any(s.startswith("S2.1") for s in statements)
    policy = next(f for f in viewer.evidence.files if f.item_id == "s2.1")
    assert policy.carried and policy.name.startswith("Safeguarding Children Policy")

    viewer.tabs.setCurrentIndex(viewer.evidence_tab)
    assert viewer.evidence.select("s2.1", policy.sha256)
    QTest.keyClick(tree, Qt.Key.Key_Return)
    wait_for_jobs(qtbot)
    (copy,) = opened
    assert copy.name == policy.name and copy.read_bytes()[:5] == b"%PDF-"
    assert bu_ws.folder not in copy.parents


def test_hints_name_the_same_file_as_last_year_and_show_it(qtbot, bu_ws: Workspace) -> None:
    viewer = viewer_for(qtbot, bu_ws, 0)
    hints = viewer.hints
    qtbot.waitUntil(lambda: hints.isVisible())
    assert [h.kind for h in hints.hints] == ["same_as_last_year"]
    assert "same SHA-256" in hints.hints[0].message and "S2.1" in hints.hints[0].message
    assert hints.title() == "Check this evidence (1)"
    qtbot.mouseClick(hints.buttons[0], Qt.MouseButton.LeftButton)
    assert viewer.tabs.currentIndex() == viewer.evidence_tab
    selected = viewer.evidence.selected()
    assert selected is not None and (selected.item_id, selected.sha256) == (
        hints.hints[0].item_id,
        hints.hints[0].sha256,
    )


def test_a_near_empty_file_is_a_hint(qtbot, bu_ws: Workspace) -> None:
    viewer = viewer_for(qtbot, bu_ws, 1)  # the second demo agency's note says only that the audit will follow
    qtbot.waitUntil(lambda: viewer.hints.isVisible())
    (hint,) = viewer.hints.hints
    assert (hint.kind, hint.code, hint.name) == ("near_empty", "S1.5", "Audit summary.txt")


def test_a_file_that_could_run_code_is_opened_only_after_a_warning(qtbot, tmp_path: Path, opened: list[Path]) -> None:
    parent = QPushButton("host")
    qtbot.addWidget(parent)
    parent.show()
    tool = tmp_path / "tool.exe"
    tool.write_bytes(b"MZ")
    open_in_viewer(parent, "tool.exe", lambda: tool, could_run_code=True)
    box = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible())
    assert "can run programs or macros" in box.text()
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    box.button(QMessageBox.StandardButton.Cancel).click()
    wait_for_jobs(qtbot)
    assert opened == []
    open_in_viewer(parent, "tool.exe", lambda: tool, could_run_code=True)
    box = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible())
    next(b for b in box.buttons() if b.text() == "Open anyway").click()
    wait_for_jobs(qtbot)
    assert opened == [tool]


def test_from_the_agencys_editor_to_the_business_units_viewer(
    qtbot,
    request: pytest.FixtureRequest,
    engine: str,
    tmp_path: Path,
    shipped_forms: FormRegistry,
    opened: list[Path],
) -> None:
    """Attach by drag and drop in the editor, sign off and export, verify and import, and open at the Business Unit."""
    minutes = tmp_path / "Board minutes May 2026.txt"
    minutes.write_text("Minutes of the board, 12 May 2026.\n" * 40, encoding="utf-8")
    with Workspace.open(tmp_path / "agency", forms=shipped_forms) as ws:
        ws.bind()
        agency = create_agency(ws, "Riverside District Council", sector="district_council")
        identities.create(
            ws, agency.id, person_name="Jo Chief", role="Chief Executive", email=None, passphrase="pass phrase 1"
        )
        sub = returns.start_return(ws, agency.id, "section11", PERIOD, carry_forward=False)
        page = EditorPage(ws, sub.id)
        qtbot.addWidget(page)
        page.show()
        rating = page.frames["s1.1"].input
        assert isinstance(rating, RatingWithFiles)
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(minutes))])
        args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(rating.files, QDragEnterEvent(QPoint(5, 5), *args))
        QApplication.sendEvent(rating.files, QDropEvent(QPointF(5, 5), *args))
        wait_for_jobs(qtbot)
        assert page.flush()
        page.close()
        answers = returns.load_answers(ws, sub.id)
        from_editor = answers["s1.1"]["files"]
        assert [f["name"] for f in from_editor] == [minutes.name]
        complete = {}
        for item in returns.form_of(ws, sub).items():
            if item.required and item.type == "rating":
                complete[item.id] = {
                    "level": "green",
                    "evidence": f"Evidence for {item.id}",
                    "example": "",
                    "reason": "",
                }
            elif item.required:
                complete[item.id] = f"Answer to {item.id}"
        complete["s1.1"] = {"level": "green", "evidence": "", "example": "", "reason": "", "files": from_editor}
        returns.save_answers(ws, sub.id, complete)
        assert returns.problems(ws, sub.id) == [], "the attached minutes are the Green's evidence"
        signoff.sign_off(
            ws, sub.id, signatory_name="Jo Chief", signatory_role="Chief Executive", passphrase="pass phrase 1"
        )
        bundle = tmp_path / "riverside.oscb"
        signoff.export(ws, sub.id, bundle, passphrase="pass phrase 1")
    with open_bu(request, engine, tmp_path / "bu", shipped_forms) as bu:  # the Business Unit on each engine
        bu.bind()
        (result,) = imports.import_paths(bu, [bundle], trust_new=True)
        assert result.outcome == "imported", result.reason
        viewer = ReturnViewer(bu, result.received_id, Collations(bu))
        qtbot.addWidget(viewer)
        viewer.show()
        wait_for_jobs(qtbot)
        (received,) = viewer.evidence.files
        assert (received.code, received.name, received.size) == ("S1.1", minutes.name, minutes.stat().st_size)
        viewer.evidence.open_selected()
        wait_for_jobs(qtbot)
        (copy,) = opened
        assert copy.read_bytes() == minutes.read_bytes()
        viewer.close()

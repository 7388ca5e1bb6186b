"""Every job that can take more than a moment runs in the background: driven through the real windows, each one
finishes while the event loop keeps turning (the longest gap between ticks of a 10 ms timer stays under 150 ms).

Set ``OSCB_GAP_REPORT=FILE`` to append each job's longest gap to FILE as JSON lines (for the figures in notes).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers.engines import open_bu, open_bu_copy
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit, QMessageBox, QWidget

from oscb_desktop import demo
from oscb_desktop.forms import FormRegistry
from oscb_desktop.services import agencies, returns
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.store import Agency
from oscb_desktop.store.models import ReceivedReturn
from oscb_desktop.ui import app, ops, printing
from oscb_desktop.ui.business_unit.workspace import BusinessUnitWorkspace
from oscb_desktop.ui.main_window import MainWindow
from oscb_desktop.ui.signing import PassphraseDialog, SignOffDialog

#: The longest the window may stand still while a job runs.
MAX_GAP_MS = 150


def record(job: str, gap_ms: int) -> None:
    target = os.environ.get("OSCB_GAP_REPORT")
    if target:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"job": job, "longest_gap_ms": gap_ms}) + "\n")


@pytest.fixture
def loop_watch(loop_watch, monkeypatch):
    """The watch counts while jobs run, not while their results are shown (opening the editor again after a
    sign-off, say, is the window's own work on the UI thread and has its own benchmark)."""
    complete = ops.Job._complete

    def paused(job: ops.Job, result: object, error: BaseException | None) -> None:
        loop_watch.pause()
        try:
            complete(job, result, error)
        finally:
            loop_watch.resume()

    monkeypatch.setattr(ops.Job, "_complete", paused)
    return loop_watch


def run_watched(qtbot, loop_watch, name: str, start: Callable[[], None], done: Callable[[], bool]) -> None:
    """Start a job, wait until ``done()``, and check the event loop never stood still for long meanwhile."""
    loop_watch.start()
    start()
    qtbot.waitUntil(done, timeout=120_000)
    qtbot.waitUntil(lambda: not ops.running(), timeout=120_000)
    gap = loop_watch.stop()
    record(name, gap)
    assert loop_watch.ticks > 0, "the watch did not run"
    assert gap < MAX_GAP_MS, f"{name}: the window stood still for {gap} ms"


def visible(kind: type[QWidget]) -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


def close_messages() -> None:
    for box in visible(QMessageBox):
        box.close()


@pytest.fixture
def agency_window(qtbot, workspace: Workspace) -> Iterator[MainWindow]:
    """Two demo agencies: the first with signed returns, the second with a Section 11 return ready to sign."""
    demo.generate(workspace, agencies=2)
    win = MainWindow(workspace)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.agency.close_editor()


def first_agency(index: int) -> Agency:
    return list(Agency.select().order_by(Agency.id))[index]


def signed_return(ws: Workspace) -> str:
    sub = returns.current_return(ws, first_agency(0).id, "section11", "2026/27")
    assert sub is not None and sub.locked
    return sub.id


# The agency's side ------------------------------------------------------------------------------------


def test_sign_off(qtbot, loop_watch, agency_window: MainWindow, workspace: Workspace) -> None:
    agencies.set_current_agency(workspace, first_agency(1).id)
    agency_window.agency.home.refresh()
    sub = returns.current_return(workspace, first_agency(1).id, "section11", "2026/27")
    assert sub is not None and not sub.locked
    agency_window.agency.open_return(sub.id)
    agency_window.agency_mode.sign_off()
    qtbot.waitUntil(lambda: bool(visible(SignOffDialog)))
    dialog = visible(SignOffDialog)[0]
    assert isinstance(dialog, SignOffDialog)
    dialog.passphrase.setText(demo.DEMO_PASSPHRASE)
    run_watched(
        qtbot,
        loop_watch,
        "sign-off",
        dialog.sign,
        lambda: returns.get_submission(workspace, sub.id).locked,
    )
    close_messages()


def test_export(qtbot, loop_watch, agency_window: MainWindow, workspace: Workspace, tmp_path: Path, monkeypatch):
    target = tmp_path / "return.oscb"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(target), ""))
    sub_id = signed_return(workspace)

    def start() -> None:
        from oscb_desktop.ui.signing import export_bundle

        export_bundle(agency_window, workspace, sub_id)
        qtbot.waitUntil(lambda: bool(visible(PassphraseDialog)))
        dialog = visible(PassphraseDialog)[0]
        assert isinstance(dialog, PassphraseDialog)
        field = dialog.findChild(QLineEdit)
        field.setText(demo.DEMO_PASSPHRASE)
        dialog.accept()

    run_watched(qtbot, loop_watch, "export", start, target.exists)
    close_messages()


def test_print_preview(qtbot, loop_watch, agency_window: MainWindow, workspace: Workspace) -> None:
    from PySide6.QtPrintSupport import QPrintPreviewDialog

    sub_id = signed_return(workspace)
    from oscb_desktop.ui.signing import print_preview

    run_watched(
        qtbot,
        loop_watch,
        "print preview",
        lambda: print_preview(agency_window, workspace, sub_id),
        lambda: bool(visible(QPrintPreviewDialog)),
    )
    for dialog in visible(QPrintPreviewDialog):
        dialog.close()


def test_print(qtbot, loop_watch, agency_window: MainWindow, workspace: Workspace, tmp_path: Path, monkeypatch):
    out = tmp_path / "printed.pdf"

    class Accepting:
        def __init__(self, printer: QPrinter, _parent: object) -> None:
            self.printer = printer

        def setWindowTitle(self, _title: str) -> None: ...

        def setMinMax(self, _low: int, _high: int) -> None: ...

        def exec(self) -> int:
            self.printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            self.printer.setOutputFileName(str(out))
            return QPrintDialog.DialogCode.Accepted

        def deleteLater(self) -> None: ...

    monkeypatch.setattr(printing, "QPrintDialog", Accepting)
    sub_id = signed_return(workspace)
    from oscb_desktop.ui.signing import print_return

    run_watched(
        qtbot, loop_watch, "print", lambda: print_return(agency_window, workspace, sub_id), lambda: out.exists()
    )


def test_save_pdf_of_a_draft(qtbot, loop_watch, agency_window: MainWindow, workspace: Workspace, tmp_path, monkeypatch):
    target = tmp_path / "draft.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(target), ""))
    draft = returns.current_return(workspace, first_agency(1).id, "section11", "2026/27")
    assert draft is not None and not draft.locked
    from oscb_desktop.ui.signing import save_pdf

    run_watched(
        qtbot, loop_watch, "save PDF (draft)", lambda: save_pdf(agency_window, workspace, draft.id), target.exists
    )


# The Business Unit's side -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory, shipped_forms: FormRegistry) -> Path:
    root = tmp_path_factory.mktemp("long-work-bundles")
    with Workspace.open(root / "agency", forms=shipped_forms) as ws:
        demo.generate(ws, agencies=4, seed=11, sign_all=True)
        demo.export_signed(ws, root / "bundles")
    return root / "bundles"


@pytest.fixture(scope="module")
def bu_template(tmp_path_factory: pytest.TempPathFactory, shipped_forms: FormRegistry) -> Path:
    folder = tmp_path_factory.mktemp("long-work-bu") / "ws"
    demo.build_business_unit(folder, agencies=5, forms=shipped_forms)
    return folder


@pytest.fixture
def bu_widget(
    qtbot, request: pytest.FixtureRequest, engine: str, bu_template: Path, tmp_path: Path, shipped_forms: FormRegistry
) -> Iterator[BusinessUnitWorkspace]:
    """The demo Business Unit's window, on each engine in turn."""
    with open_bu_copy(request, engine, bu_template, tmp_path / "bu", shipped_forms) as ws:
        widget = BusinessUnitWorkspace(ws)
        qtbot.addWidget(widget)
        widget.resize(1400, 900)
        widget.show()
        yield widget


def test_import(
    qtbot, loop_watch, request: pytest.FixtureRequest, engine: str, tmp_path: Path, bundles: Path, shipped_forms
) -> None:
    with open_bu(request, engine, tmp_path / "empty-bu", shipped_forms) as ws:
        widget = BusinessUnitWorkspace(ws)
        qtbot.addWidget(widget)
        widget.show()
        widget.confirm_trust = lambda _res, _path: True
        run_watched(
            qtbot, loop_watch, "import", lambda: widget.import_paths([bundles]), lambda: widget.results is not None
        )
        assert ReceivedReturn.select().count() == len(list(bundles.glob("*.oscb")))


@pytest.mark.parametrize("kind", ["pdf", "docx", "xlsx"])
def test_board_report(qtbot, loop_watch, bu_widget: BusinessUnitWorkspace, tmp_path: Path, kind: str) -> None:
    target = tmp_path / f"board.{kind}"
    page = bu_widget.report
    export = {"pdf": page.export_pdf, "docx": page.export_docx, "xlsx": page.export_xlsx}[kind]
    run_watched(qtbot, loop_watch, f"board report ({kind.upper()})", lambda: export(target), target.exists)
    close_messages()


def test_feedback_letters(qtbot, loop_watch, bu_widget: BusinessUnitWorkspace, tmp_path: Path) -> None:
    folder = tmp_path / "letters"
    folder.mkdir()
    page = bu_widget.report
    page.officer.setText("Bea Unit")  # the letters are signed by a named officer
    written: list[str] = []
    page.sig_exported.connect(written.append)
    run_watched(qtbot, loop_watch, "feedback letters", lambda: page.export_feedback(folder), lambda: bool(written))
    assert list(folder.glob("*.pdf"))
    close_messages()


# Start-up ---------------------------------------------------------------------------------------------


def test_the_demo_is_built_behind_a_progress_window(qtbot, loop_watch, tmp_path: Path) -> None:
    shot = tmp_path / "demo.png"
    loop_watch.start()
    code = app.main(["--demo", "--demo-agencies", "2", "--data-dir", str(tmp_path / "demo"), "--screenshot", str(shot)])
    gap = loop_watch.stop()
    record("demo build", gap)
    assert code == 0 and shot.is_file()
    assert loop_watch.ticks > 5
    assert gap < MAX_GAP_MS, f"demo build: the window stood still for {gap} ms"

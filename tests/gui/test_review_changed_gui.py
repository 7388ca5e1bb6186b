"""Two officers on one Business Unit workspace (each engine): a review saved from a screen another officer's save
made stale is refused, and the window offers to reload, which shows their change."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.engines import open_bu
from PySide6.QtWidgets import QApplication, QMessageBox

from oscb_desktop.forms import FormRegistry
from oscb_desktop.services import imports, review
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.store.models import ReceivedReturn
from oscb_desktop.ui.business_unit.workspace import BusinessUnitWorkspace


@pytest.fixture
def officers(
    request: pytest.FixtureRequest, engine: str, tmp_path: Path, shipped_forms: FormRegistry, agency_side: Path
) -> Iterator[tuple[Workspace, Workspace]]:
    bu = open_bu(request, engine, tmp_path / "bea", shipped_forms)
    bu.set_setting("user_name", "Bea Unit")
    results = imports.import_paths(bu, [agency_side / "bundles"], trust_new=True)
    assert {r.outcome for r in results} == {"imported"}
    if engine == "postgresql":
        other = Workspace.open(tmp_path / "olu", forms=shipped_forms, database=bu.db.url)  # type: ignore[union-attr]
        other.set_setting("user_name", "Olu Officer")
    else:
        other = Workspace.open(bu.folder, forms=shipped_forms)
    bu.bind()
    try:
        yield bu, other
    finally:
        other.close()
        bu.close()


def test_a_stale_review_is_refused_and_reload_shows_the_other_officers_change(
    qtbot, officers: tuple[Workspace, Workspace]
) -> None:
    bu, other = officers
    widget = BusinessUnitWorkspace(bu)
    qtbot.addWidget(widget)
    widget.show()
    row = next(r for r in review.list_received(bu, period="2026/27") if r.form_id == "section11")
    viewer = widget.open_return(row.id)
    qtbot.waitExposed(viewer)

    review.set_status(other, row.id, "has_issues", "Standard 3 is thin.")  # meanwhile, on another computer
    viewer.review.status_buttons["accepted"].click()
    assert not viewer.save()

    def refused() -> QMessageBox:
        boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
        assert boxes and boxes[0].windowTitle() == "Review changed by someone else"
        return boxes[0]

    qtbot.waitUntil(lambda: bool(refused()))
    box = refused()
    assert box.text().startswith(f"{other.user} changed the review of this return on ")
    with bu.bound():
        assert ReceivedReturn.get_by_id(row.id).review_status == "has_issues", "their save is kept"
    next(b for b in box.buttons() if b.text().replace("&", "") == "Reload").click()
    qtbot.waitUntil(lambda: viewer.review.status() == "has_issues")
    assert viewer.review.notes.toPlainText() == "Standard 3 is thin." and not viewer.dirty
    assert other.user in viewer.save_state.text()
    # Now up to date, the officer's own save goes through.
    viewer.review.status_buttons["accepted"].click()
    assert viewer.save()
    with bu.bound():
        assert ReceivedReturn.get_by_id(row.id).reviewed_by == bu.user
    viewer.close()

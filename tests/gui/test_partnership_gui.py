"""Partnerships through the real window and dialogs: a Business Unit sets its partnership up, adds next year's
form with a deadline and publishes its pack; an agency joins it (the fingerprint shown, Cancel joins nothing),
sees its returns grouped by partnership and starts one addressed to it; a second partnership's return is copied.

Packs, keys and workspaces are real; the file dialogs are the only stand-ins. Screenshots go to
``OSCB_SCREENSHOTS`` when it is set (looked at by hand).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.engines import open_bu
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget
from test_signoff_gui import button, closed, make_window, type_into, wait_for

from oscb_desktop.forms import FormRegistry
from oscb_desktop.packs import check_pack
from oscb_desktop.services import agencies, partnership_admin, partnerships, returns
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.signing import format_fingerprint
from oscb_desktop.ui import ops
from oscb_desktop.ui.agency.home import GroupHeading
from oscb_desktop.ui.agency.join import JoinDialog
from oscb_desktop.ui.business_unit.partnership_settings import AddFormDialog, PublishDialog, SettingsDialog
from oscb_desktop.ui.business_unit.partnership_setup import SetupDialog

PASSPHRASE = "correct horse battery"
AGENCY = "Example Community Health Trust"
SHIPPED_S11 = Path(__file__).resolve().parents[2] / "forms" / "section11" / "2026-27.yaml"


def next_year_form(folder: Path) -> Path:
    text = SHIPPED_S11.read_text(encoding="utf-8")
    text = text.replace('version: "2026.1"', 'version: "2027.1"').replace('period: "2026/27"', 'period: "2027/28"')
    path = folder / "section11-2027-28.yaml"
    path.write_text(text.replace('deadline: "2027-03-31"', 'deadline: "2028-03-31"'), encoding="utf-8")
    return path


def screenshot(widget: QWidget, name: str) -> None:
    folder = os.environ.get("OSCB_SCREENSHOTS")
    if folder:
        widget.grab().save(str(Path(folder) / f"{name}.png"))


def finish_jobs(qtbot) -> None:
    qtbot.waitUntil(lambda: not ops.running(), timeout=20_000)


@pytest.fixture
def bu_ws(tmp_path: Path, shipped_forms: FormRegistry) -> Iterator[Workspace]:
    ws = Workspace.open(tmp_path / "bu", forms=shipped_forms)
    ws.bind()
    yield ws
    ws.close()


@pytest.fixture
def bu_on_engine(
    request: pytest.FixtureRequest, engine: str, tmp_path: Path, shipped_forms: FormRegistry
) -> Iterator[Workspace]:
    """The Business Unit whose own screens are tested, on each engine in turn (``bu_ws`` only makes packs for the
    agency's side)."""
    ws = open_bu(request, engine, tmp_path / "bu", shipped_forms)
    ws.bind()
    yield ws
    ws.close()


@pytest.fixture
def agency_ws(workspace: Workspace) -> Workspace:
    agencies.create_agency(workspace, AGENCY, sector="health", lead_name="Sam Lead")
    return workspace


def set_up_partnership(ws: Workspace, name: str, short: str) -> str:
    """A Business Unit set up through the services (for the agency's side); its fingerprint."""
    partnership_admin.init(ws, name=name, short_name=short, passphrase=PASSPHRASE, members=[(AGENCY, "health")],
                           contact_name="Jo Bloggs", contact_email=f"jo@{short.lower()}.example")  # fmt: skip
    return partnership_admin.current_identity(ws).fingerprint


def test_business_unit_sets_up_adds_a_form_and_publishes(
    qtbot, bu_on_engine: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bu_ws = bu_on_engine
    members = tmp_path / "members.yaml"
    members.write_text(f"- {{name: {AGENCY}, sector: health}}\n- {{name: Thames Valley Police, sector: police}}\n")
    win = make_window(qtbot, bu_ws)
    win.business_unit.activate()  # as "I work in the Business Unit" on the welcome page does
    setup = win.business_unit.partnership_settings()
    assert isinstance(setup, SetupDialog)
    type_into(setup.name, "Buckinghamshire Safeguarding Children Partnership")
    type_into(setup.short_name, "BSCP")
    type_into(setup.contact_name, "Jo Bloggs")
    type_into(setup.contact_email, "jo.bloggs@bscp.example")
    type_into(setup.passphrase, PASSPHRASE)
    type_into(setup.confirm, PASSPHRASE + "x")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(members), ""))
    setup.choose_members.click()
    QTest.keyClick(setup.confirm, "\r")  # Enter sets up: refused, the passphrases differ
    assert "not the same" in setup.feedback.text() and partnerships.own(bu_ws) is None
    type_into(setup.passphrase, PASSPHRASE)
    type_into(setup.confirm, PASSPHRASE)
    button(setup, "Set &up").click()
    finish_jobs(qtbot)

    settings = wait_for(qtbot, SettingsDialog)
    own = partnerships.own(bu_ws)
    assert own is not None and own.short_name == "BSCP" and own.contact_name == "Jo Bloggs"
    assert {m for m, _ in own.members} == {AGENCY, "Thames Valley Police"}
    assert "Buckinghamshire" in win.windowTitle()
    assert settings.fingerprint.display == format_fingerprint(own.signer_fingerprint or "")

    # Next year's form, its period shown, a deadline picked.
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(next_year_form(tmp_path)), ""))
    add = settings.add_form()
    assert isinstance(add, AddFormDialog) and add.form is not None and add.form.period == "2027/28"
    add.deadline.setDate(add.deadline.date().fromString("2028-04-30", "yyyy-MM-dd"))
    button(add, "&Add form").click()
    assert closed(add)
    [form] = [f for f in partnerships.own(bu_ws).forms if f.version == "2027.1"]  # type: ignore[union-attr]
    assert (form.period, form.deadline.isoformat() if form.deadline else None) == ("2027/28", "2028-04-30")
    assert "2027.1" in settings.forms_note.text()
    # A broken form file: the reason is shown, nothing added.
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: x\nversion: [\n")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(broken), ""))
    bad = settings.add_form()
    assert bad is not None and not bad.ok.isEnabled() and "not added" in bad.feedback.text()
    bad.reject()

    # The profile edited, then published (the edit is saved first); a wrong passphrase is asked again.
    settings.contact_phone.setText("01234 567890")
    screenshot(settings, "partnership-settings")
    target = tmp_path / "out" / "bscp"
    target.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    publish = settings.publish()
    assert isinstance(publish, PublishDialog)
    type_into(publish.passphrase, "not the passphrase")
    button(publish, "&Publish").click()
    finish_jobs(qtbot)
    assert publish.isVisible() and "assphrase" in publish.feedback.text()
    assert not target.with_suffix(".oscbpack").exists()
    type_into(publish.passphrase, PASSPHRASE)
    button(publish, "&Publish").click()
    finish_jobs(qtbot)
    done = wait_for(qtbot, QMessageBox, "Version 1 of the pack")
    pack = target.with_suffix(".oscbpack")
    assert str(pack) in done.text()
    check = check_pack(pack)
    assert check.ok and check.pack_version == 1 and check.profile is not None
    assert check.profile.contact.phone == "01234 567890"
    assert ("section11", "2027.1") in {(f.entry.id, f.entry.version) for f in check.forms}


def test_agency_joins_after_comparing_and_starts_a_return_for_the_partnership(
    qtbot, bu_ws: Workspace, agency_ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fingerprint = set_up_partnership(bu_ws, "Buckinghamshire Safeguarding Children Partnership", "BSCP")
    partnership_admin.add_form(bu_ws, next_year_form(tmp_path), period="2027/28")
    pack = tmp_path / "bscp.oscbpack"
    partnership_admin.publish(bu_ws, pack, passphrase=PASSPHRASE)

    win = make_window(qtbot, agency_ws)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(pack), ""))
    win.agency_mode.act_join.trigger()
    finish_jobs(qtbot)
    dialog = wait_for(qtbot, JoinDialog)
    assert dialog.fingerprint.display == format_fingerprint(fingerprint) and dialog.fingerprint.isVisible()
    assert dialog.cancel_button.isDefault(), "Enter does not trust a key"
    screenshot(dialog, "join-dialog")
    dialog.cancel_button.click()
    assert closed(dialog) and partnerships.list_partnerships(agency_ws) == []

    win.agency_mode.act_join.trigger()
    finish_jobs(qtbot)
    dialog = wait_for(qtbot, JoinDialog)
    dialog.join_button.click()
    finish_jobs(qtbot)
    wait_for(qtbot, QMessageBox, "You joined Buckinghamshire")
    [joined] = partnerships.list_partnerships(agency_ws)
    assert joined.signer_fingerprint == fingerprint and joined.pack_version == 1

    home = win.agency.home
    headings = [r.text for r in home.model.rows if isinstance(r, GroupHeading)]
    assert headings and headings[0].startswith("Buckinghamshire Safeguarding Children Partnership (BSCP)")
    assert "pack version 1" in headings[0] and "Jo Bloggs" in headings[0]
    start = [b for b in home.start_buttons if b.text() == "Start the 2027/28 Section 11 return"]
    assert len(start) == 1
    start[0].click()
    agency_id = agencies.current_agency(agency_ws).id  # type: ignore[union-attr]
    sub = returns.current_return(agency_ws, agency_id, "section11", "2027/28", joined.id)
    assert sub is not None and sub.partnership_id == joined.id and sub.form_version == "2027.1"
    win.agency.show_home()
    home.refresh()
    assert any(isinstance(r, returns.ReturnSummary) and r.id == sub.id for r in home.model.rows)
    screenshot(win, "home-grouped")

    # The same pack again: nothing to change, said so.
    win.agency_mode.act_join.trigger()
    finish_jobs(qtbot)
    wait_for(qtbot, QMessageBox, "already have version 1")


def test_starting_for_a_second_partnership_offers_the_first_ones_answers(
    qtbot, bu_ws: Workspace, agency_ws: Workspace, tmp_path: Path, shipped_forms: FormRegistry
) -> None:
    bu_b = Workspace.open(tmp_path / "bu-b", forms=shipped_forms)
    try:
        keys = {
            "a": set_up_partnership(bu_ws, "Buckinghamshire Safeguarding Children Partnership", "BSCP"),
            "b": set_up_partnership(bu_b, "Milton Keynes Safeguarding Children Partnership", "MKSCP"),
        }
        for ws, name in ((bu_ws, "a"), (bu_b, "b")):
            partnership_admin.publish(ws, tmp_path / f"{name}.oscbpack", passphrase=PASSPHRASE)
    finally:
        bu_b.close()
    a = partnerships.join(agency_ws, tmp_path / "a.oscbpack", trust=keys["a"]).partnership
    b = partnerships.join(agency_ws, tmp_path / "b.oscbpack", trust=keys["b"]).partnership
    agency_id = agencies.current_agency(agency_ws).id  # type: ignore[union-attr]
    first = returns.start_return(agency_ws, agency_id, "section11", "2026/27", partnership_id=b.id)
    form = returns.form_of(agency_ws, first)
    texts = [i.id for i in form.items() if i.type in ("short_text", "long_text")][:3]
    returns.save_answers(agency_ws, first.id, {item: f"Our answer to {item}" for item in texts})

    win = make_window(qtbot, agency_ws)
    home = win.agency.home
    assert [r.text.split(" (")[0] for r in home.model.rows if isinstance(r, GroupHeading)] == [a.name, b.name]
    start = [b for b in home.start_buttons if b.accessibleName() == f"Start the 2026/27 Section 11 return for {a.name}"]
    assert len(start) == 1
    screenshot(win, "home-two-partnerships")
    start[0].click()
    question = wait_for(qtbot, QMessageBox, "Copy the answers of your MKSCP return?")
    assert "marked for you to review" in question.informativeText()
    question.button(QMessageBox.StandardButton.Yes).click()
    second = returns.current_return(agency_ws, agency_id, "section11", "2026/27", a.id)
    assert second is not None and second.copied_from == "MKSCP"
    copied = returns.load_answers(agency_ws, second.id)
    assert {item: copied.get(item) for item in texts} == {item: f"Our answer to {item}" for item in texts}
    assert returns.carried_items(agency_ws, second.id) >= set(texts)

"""Every command that opens a workspace first stores what the recovery journal holds, and says so in one line each
on stderr (stdout stays the command's own, so ``--json`` is still JSON)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from oscb_desktop.cli import main
from oscb_desktop.services import journal, returns
from oscb_desktop.services.agencies import create_agency
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.store import AuditEntry, Submission


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "ws"


def draft_with_journal(folder: Path, entries: dict[str, str], *, signed: bool = False) -> str:
    with Workspace.open(folder) as ws:
        ws.bind()
        agency = create_agency(ws, "Cherwell \x1b[2JDistrict Council", sector="district_council")
        sub = returns.start_return(ws, agency.id, "section11", "2026/27")
        if signed:
            Submission.update(status="signed").where(Submission.id == sub.id).execute()
        journal.write(folder, sub.id, entries)
        return sub.id


def test_a_command_replays_the_journal_and_says_so(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sub_id = draft_with_journal(folder, {"about.notes": "Typed before the crash"})
    assert main(["--data-dir", str(folder), "submissions", "list", "--json"]) == 0
    out, err = capsys.readouterr()
    json.loads(out)  # stdout is still the command's JSON
    [line] = err.splitlines()
    assert line.startswith("oscb: Recovered 1 answer to the Section 11 2026/27 return of Cherwell")
    assert "\x1b" not in line, "names are printed escaped"
    with Workspace.open(folder) as ws:
        ws.bind()
        assert returns.load_answers(ws, sub_id)["about.notes"] == "Typed before the crash"
        assert AuditEntry.get(AuditEntry.item_id == "about.notes").action == "recovered"
    assert main(["--data-dir", str(folder), "submissions", "list"]) == 0
    assert capsys.readouterr().err == "", "replayed once"


def test_a_signed_return_keeps_the_journal_aside_and_says_where(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    draft_with_journal(folder, {"about.notes": "Typed before the sign-off"}, signed=True)
    assert main(["--data-dir", str(folder), "submissions", "list"]) == 0
    err = capsys.readouterr().err
    assert "could not be put back" in err and "signed off meanwhile" in err
    kept = list((folder / journal.JOURNAL_DIR / journal.KEPT_ASIDE_DIR).glob("*.json"))
    assert len(kept) == 1 and str(kept[0]) in err

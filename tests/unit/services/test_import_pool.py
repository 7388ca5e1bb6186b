"""Many bundles are verified in a pool of processes and stored in file order: the results are exactly those of
checking them one after the other (duplicates, refusals, encrypted bundles opened with the key that never leaves
the importing process)."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import shutil
import zlib
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from helpers.partnership_kit import agency_id, bu_key, fingerprint, sign_and_export
from test_returns import complete_answers

from oscb_desktop.forms import FormRegistry
from oscb_desktop.services import checking, imports, partnerships, returns
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.store.models import ReceivedReturn


@pytest.fixture
def small_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pool for a handful of files (it starts at POOL_FROM_FILES otherwise)."""
    monkeypatch.setattr(checking, "POOL_FROM_FILES", 2)
    monkeypatch.setattr(checking, "AHEAD_PER_PROCESS", 1)  # few files waiting: the window moves along


@pytest.fixture
def mixed(agency_side: Path, tmp_path: Path) -> Path:
    """The demo agencies' bundles, one of them twice, a file that is not a zip and one cut short."""
    folder = tmp_path / "in"
    shutil.copytree(agency_side / "bundles", folder)
    bundles = sorted(folder.glob("*.oscb"))
    shutil.copy(bundles[0], folder / "zz-again.oscb")
    (folder / "aa-not-a-bundle.oscb").write_bytes(b"%PDF-1.7 not a zip")
    data = bundles[1].read_bytes()
    (folder / "mm-cut.oscb").write_bytes(data[: len(data) // 2])
    return folder


def outcomes(ws: Workspace, folder: Path, processes: int) -> list[tuple[str, str, str]]:
    results = imports.import_paths(ws, [folder], trust_new=True, processes=processes)
    return [(Path(r.file).name, r.outcome, r.code) for r in results]


def test_the_pool_decides_every_file_as_one_process_does(
    small_pool: None, mixed: Path, tmp_path: Path, shipped_forms: FormRegistry
) -> None:
    with Workspace.open(tmp_path / "one", forms=shipped_forms) as one:
        alone = outcomes(one, mixed, processes=1)
        stored_alone = sorted(r.content_digest for r in ReceivedReturn.select())
    with Workspace.open(tmp_path / "two", forms=shipped_forms) as two:
        pooled = outcomes(two, mixed, processes=2)
        two.bind()
        stored_pooled = sorted(r.content_digest for r in ReceivedReturn.select())
    assert pooled == alone
    codes = {name: code for name, _outcome, code in pooled}
    assert codes["aa-not-a-bundle.oscb"] == "not_zip" and codes["zz-again.oscb"] == "duplicate", codes
    assert codes["mm-cut.oscb"] != "ok", codes
    assert stored_pooled == stored_alone and len(stored_pooled) == len(list(mixed.glob("*.oscb"))) - 3


def test_check_files_keeps_the_order_and_stops_when_cancelled(
    small_pool: None, agency_side: Path, shipped_forms: FormRegistry
) -> None:
    files = sorted((agency_side / "bundles").glob("*.oscb"))
    pooled = list(checking.check_files(files, shipped_forms, processes=2))
    assert [c.path for c in pooled] == files and all(c.result.ok for c in pooled)
    assert [c.result.read_member("submission.json") for c in pooled] == [
        checking.check_file(f, shipped_forms).result.read_member("submission.json") for f in files
    ], "the verified bundle can be read after its trip back from the pool"
    seen: list[Path] = []
    for checked in checking.check_files(files, shipped_forms, processes=2, cancelled=lambda: len(seen) >= 2):
        seen.append(checked.path)
    assert seen[:2] == files[:2] and len(seen) < len(files)


def test_an_encrypted_bundle_is_opened_here_and_verified_in_the_pool(
    small_pool: None, bu_a: Workspace, pack_a: Path, agency_ws: Workspace, tmp_path: Path
) -> None:
    joined = partnerships.join(agency_ws, pack_a, trust=fingerprint(bu_a)).partnership
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    for form in ("section11", "impact"):
        sub = returns.start_return(agency_ws, agency_id(agency_ws), form, "2026/27", partnership_id=joined.id)
        returns.save_answers(agency_ws, sub.id, complete_answers(returns.form_of(agency_ws, sub)))
        sign_and_export(agency_ws, sub.id, outbox / f"{form}.oscb")
    sent = sorted(outbox.glob("*.p7m"))
    assert len(sent) == 2
    without = list(checking.check_files(sent, bu_a.forms, processes=2))
    assert [c.result.code for c in without] == ["key_needed", "key_needed"]
    results = imports.import_paths(bu_a, sent, trust_new=True, key=bu_key(bu_a), processes=2)
    assert [r.outcome for r in results] == [imports.Outcome.IMPORTED] * 2, [r.reason for r in results]


def test_the_pool_reads_the_signed_pdf_when_asked_and_runs_below_the_importing_process(
    small_pool: None, agency_side: Path, shipped_forms: FormRegistry
) -> None:
    """The importing process stores the bundles one by one (the import's narrowest step): the pool unpacks each
    signed PDF for it, and yields it the processor."""
    files = sorted((agency_side / "bundles").glob("*.oscb"))
    pooled = list(checking.check_files(files, shipped_forms, processes=2, with_pdf=True))
    assert [c.pdf for c in pooled] == [c.result.read_member("submission.pdf") for c in pooled]
    assert all(c.pdf is None for c in checking.check_files(files, shipped_forms, processes=2)), "only when asked"
    here = os.nice(0)
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), initializer=checking._start_worker,
                             initargs=(checking._packed(shipped_forms),)) as pool:  # fmt: skip
        assert pool.submit(os.nice, 0).result() == here + checking.WORKER_NICENESS


def test_starting_a_pool_process_does_not_wait_for_it(shipped_forms: FormRegistry) -> None:
    """What starting a process writes to its pipe, the forms with it, fits the pipe (64 kB): the import goes on
    while the process starts Python, instead of waiting, blocked, until it has read it (~1.2 s each)."""
    packed = checking._packed(shipped_forms)
    assert len(packed) < 32 * 1024
    assert pickle.loads(zlib.decompress(packed)).forms.keys() == shipped_forms.forms.keys()

"""The app's demo is made once and copied after that: the copy is the same workspace, a copy never lands in a
workspace that is not empty, and an unfinished or damaged entry is made again."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from oscb_desktop import paths
from oscb_desktop.demo import DemoError
from oscb_desktop.demo import cache as demo_cache
from oscb_desktop.forms import FormRegistry
from oscb_desktop.services import agencies
from oscb_desktop.services.workspace import Workspace


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(paths.CACHE_DIR_ENV, str(folder))
    return folder


def contents(folder: Path) -> list[tuple[object, ...]]:
    con = sqlite3.connect(f"{(folder / 'workspace.db').as_uri()}?mode=ro", uri=True)
    try:
        return con.execute(
            "SELECT s.id, s.form_id, s.status, s.signed_pdf_sha256, s.percent_complete, a.name "
            "FROM submission s JOIN agency a ON a.id = s.agency_id ORDER BY s.id"
        ).fetchall()
    finally:
        con.close()


def files(folder: Path) -> set[str]:
    return {p.name for p in (folder / "attachments").rglob("*") if p.is_file()}


def test_the_second_demo_is_a_copy_of_the_first(tmp_path: Path, shipped_forms: FormRegistry) -> None:
    progress: list[str] = []
    assert not demo_cache.build_or_copy(tmp_path / "one", business_unit=False, agencies=1, forms=shipped_forms)
    copied = demo_cache.build_or_copy(
        tmp_path / "two",
        business_unit=False,
        agencies=1,
        forms=shipped_forms,
        progress=lambda _d, _t, text: progress.append(text),
    )
    assert copied and progress == ["Copying the demo workspace…", "Copied the demo workspace."]
    assert contents(tmp_path / "two") == contents(tmp_path / "one") and contents(tmp_path / "one")
    assert files(tmp_path / "two") == files(tmp_path / "one") and files(tmp_path / "one")
    with Workspace.open(tmp_path / "two", forms=shipped_forms) as ws:  # a workspace like any other
        assert [a.name for a in agencies.list_agencies(ws)] == [r[5] for r in contents(tmp_path / "one")][:1]


def test_a_copy_never_goes_into_a_workspace_with_data(tmp_path: Path, shipped_forms: FormRegistry) -> None:
    demo_cache.build_or_copy(tmp_path / "one", business_unit=False, agencies=1, forms=shipped_forms)
    busy = tmp_path / "busy"
    with Workspace.open(busy, forms=shipped_forms) as ws:
        agencies.create_agency(ws, "Real Agency", sector="health")
    before = contents(busy)
    with pytest.raises(DemoError):
        demo_cache.build_or_copy(busy, business_unit=False, agencies=1, forms=shipped_forms)
    assert contents(busy) == before


def test_an_unfinished_entry_is_made_again(tmp_path: Path, shipped_forms: FormRegistry) -> None:
    demo_cache.build_or_copy(tmp_path / "one", business_unit=False, agencies=1, forms=shipped_forms)
    (entry,) = demo_cache.folder().iterdir()
    (entry / demo_cache.COMPLETE).unlink()  # as if the copy into the cache had been cut short
    assert not demo_cache.build_or_copy(tmp_path / "two", business_unit=False, agencies=1, forms=shipped_forms)
    assert (entry / demo_cache.COMPLETE).is_file(), "kept again, finished"
    made = [sorted((r[1], r[2], r[4], r[5]) for r in contents(tmp_path / name)) for name in ("one", "two")]
    assert made[0] == made[1], "a demo made again is the same demo (signed anew)"


def test_other_sizes_and_kinds_have_other_entries() -> None:
    one = demo_cache.key("agencies", agencies=1, seed=2026)
    assert one == demo_cache.key("agencies", agencies=1, seed=2026)
    assert (
        len(
            {
                one,
                demo_cache.key("agencies", agencies=2, seed=2026),
                demo_cache.key("business-unit", agencies=1, seed=2026),
                demo_cache.key("agencies", agencies=1, seed=1),
            }
        )
        == 4
    )

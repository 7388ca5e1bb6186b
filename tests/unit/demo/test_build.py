"""The folder-based demo builders: one open workspace at a time, progress reported, the result reopens."""

from __future__ import annotations

from pathlib import Path

import pytest

from oscb_desktop import demo
from oscb_desktop.forms import FormRegistry
from oscb_desktop.services import agencies, registry, review
from oscb_desktop.services.workspace import Workspace, partnership

Call = tuple[int, int, str]


@pytest.fixture
def open_count(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of workspaces open after each open; the builders must never hold two."""
    counts: list[int] = []
    live: set[int] = set()
    real_open, real_close = Workspace.open.__func__, Workspace.close  # type: ignore[attr-defined]

    def opened(cls: type[Workspace], *args: object, **kwargs: object) -> Workspace:
        ws = real_open(cls, *args, **kwargs)
        live.add(id(ws))
        counts.append(len(live))
        return ws

    def closed(self: Workspace) -> None:
        live.discard(id(self))
        real_close(self)

    monkeypatch.setattr(Workspace, "open", classmethod(opened))
    monkeypatch.setattr(Workspace, "close", closed)
    return counts


def assert_increasing(calls: list[Call], total: int) -> None:
    done = [d for d, _, _ in calls]
    assert done == sorted(done) and done[0] == 0 and done[-1] == total
    assert {t for _, t, _ in calls} == {total}
    assert all(text for _, _, text in calls)


def test_build_agencies_fills_the_folder_and_reports_each_agency(
    tmp_path: Path, shipped_forms: FormRegistry, open_count: list[int]
) -> None:
    calls: list[Call] = []
    summary = demo.build_agencies(
        tmp_path / "ws", agencies=3, forms=shipped_forms, progress=lambda *call: calls.append(call)
    )
    assert open_count == [1, 1, 1], "the target checked and closed, the demo Business Unit, then the workspace"
    assert summary.agencies == 3
    assert_increasing(calls, 3)
    assert [d for d, _, _ in calls] == [0, 1, 2, 3]
    assert summary.agency_names[1] in calls[1][2]
    with Workspace.open(tmp_path / "ws", forms=shipped_forms) as ws:
        ws.bind()
        assert [a.name for a in agencies.list_agencies(ws)] == sorted(summary.agency_names)
    with pytest.raises(demo.DemoError, match="already has agencies"):
        demo.build_agencies(tmp_path / "ws", agencies=1, forms=shipped_forms)


def test_build_business_unit_reopens_with_the_returns_received(
    tmp_path: Path, shipped_forms: FormRegistry, open_count: list[int]
) -> None:
    calls: list[Call] = []
    results = demo.build_business_unit(
        tmp_path / "bu", agencies=2, forms=shipped_forms, progress=lambda *call: calls.append(call)
    )
    assert max(open_count) == 1, "never two workspaces open at once"
    assert [r.outcome for r in results] == ["imported"] * 6
    assert_increasing(calls, 2 + 2)
    assert any(text.startswith("Importing ") for _, _, text in calls)
    with Workspace.open(tmp_path / "bu", forms=shipped_forms) as ws:
        ws.bind()
        assert registry.is_business_unit(ws)
        received = review.list_received(ws)
        assert len(received) == 6
        assert {r.agency.name for r in received} == {name for name, _ in partnership().agencies[:2]}

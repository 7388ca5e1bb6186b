"""Fixtures shared by the import tests: the demo agencies' bundles as a list, and a fresh Business Unit workspace."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.engines import open_bu
from helpers.partnership_kit import agency_ws, bu_a, bu_b, pack_a  # noqa: F401 (fixtures shared by the partnership tests)

from oscb_desktop.forms import FormRegistry
from oscb_desktop.services.workspace import Workspace


@pytest.fixture
def bundles(agency_side: Path) -> list[Path]:
    return sorted((agency_side / "bundles").glob("*.oscb"))


@pytest.fixture
def bu(request: pytest.FixtureRequest, engine: str, tmp_path: Path, shipped_forms: FormRegistry) -> Iterator[Workspace]:
    """A fresh Business Unit workspace, on each engine in turn (``helpers.engines``)."""
    ws = open_bu(request, engine, tmp_path / "bu", shipped_forms)
    ws.bind()
    ws.set_setting("user_name", "Bea Unit")
    try:
        yield ws
    finally:
        ws.close()

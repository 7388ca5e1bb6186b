"""The collation tests' shared input: the demo's signed bundles, read from the zips as the Business Unit receives
them, made once for the whole folder (the demo takes a few seconds)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from helpers.collation import read_bundles

from oscb_desktop import demo
from oscb_desktop.collate import Collation, CollationInput, RegisteredAgency, collate
from oscb_desktop.forms import FormRegistry
from oscb_desktop.services.workspace import Workspace, partnership

#: The period the demo's current returns are for, and the date the demo's actions are judged against.
DEMO_PERIOD = "2026/27"
DEMO_AS_OF = date(2026, 12, 1)


@pytest.fixture(scope="package")
def demo_input(tmp_path_factory: pytest.TempPathFactory, shipped_forms: FormRegistry) -> Iterator[CollationInput]:
    folder = tmp_path_factory.mktemp("collate-demo")
    ws = Workspace.open(folder / "ws", forms=shipped_forms)
    ws.bind()
    try:
        summary = demo.generate(ws, agencies=15, sign_all=True)
        demo.export_signed(ws, folder / "bundles")
    finally:
        ws.close()
    records = read_bundles(folder / "bundles")
    sectors = {r.agency: r.sector for r in records}
    register = [RegisteredAgency(name, sectors[name]) for name in summary.agency_names]
    register.append(RegisteredAgency("Army Welfare Service", "military"))  # registered, sent nothing
    p = partnership()
    yield CollationInput(
        period=DEMO_PERIOD,
        forms=shipped_forms,
        returns=records,
        agencies=register,
        sector_labels=p.sectors,
        partnership=p.name,
    )


@pytest.fixture(scope="package")
def demo_collation(demo_input: CollationInput) -> Collation:
    return collate(demo_input, as_of=DEMO_AS_OF)

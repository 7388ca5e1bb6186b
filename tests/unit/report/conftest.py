"""The board report tests' shared collation: real signed bundles made by the demo generator, read from the zips
as the Business Unit receives them, collated once for the folder (the demo takes a few seconds)."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from helpers.collation import read_bundles

from oscb_desktop import demo
from oscb_desktop.collate import Collation, CollationInput, RegisteredAgency, collate
from oscb_desktop.forms import FormRegistry
from oscb_desktop.services.workspace import Workspace, partnership

PERIOD = "2026/27"
AS_OF = date(2026, 12, 1)
AGENCIES = 10


@pytest.fixture(scope="package")
def collation(tmp_path_factory: pytest.TempPathFactory, shipped_forms: FormRegistry) -> Collation:
    folder = tmp_path_factory.mktemp("board-report")
    ws = Workspace.open(folder / "ws", forms=shipped_forms)
    ws.bind()
    try:
        summary = demo.generate(ws, agencies=AGENCIES, sign_all=True)
        demo.export_signed(ws, folder / "bundles")
    finally:
        ws.close()
    records = read_bundles(folder / "bundles")
    sectors = {r.agency: r.sector for r in records}
    # One statement moderated differently, so the matrix shows a moderated cell.
    first = next(r for r in records if r.form_id == "section11" and r.period == PERIOD)
    records = [dataclasses.replace(r, moderated={"s1": "red"}) if r is first else r for r in records]
    p = partnership()
    inp = CollationInput(
        period=PERIOD,
        forms=shipped_forms,
        returns=records,
        agencies=[RegisteredAgency(name, sectors[name]) for name in summary.agency_names],
        sector_labels=p.sectors,
        partnership=p.name,
    )
    return collate(inp, as_of=AS_OF)

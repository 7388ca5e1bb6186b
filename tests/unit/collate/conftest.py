"""The collation tests' shared input: the demo's signed bundles, read from the zips as the Business Unit receives
them, made once for the whole folder (the demo takes a few seconds)."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from oscb_desktop.collate import Collation, CollationInput, RegisteredAgency, ReturnRecord, collate
from oscb_desktop.forms import FormRegistry
from oscb_desktop.services import demo
from oscb_desktop.services.workspace import Workspace, partnership

#: The period the demo's current returns are for, and the date the demo's actions are judged against.
DEMO_PERIOD = "2026/27"
DEMO_AS_OF = date(2026, 12, 1)


def read_bundles(folder: Path) -> list[ReturnRecord]:
    records = []
    for path in sorted(folder.glob("*.oscb")):
        with zipfile.ZipFile(path) as z:
            manifest = json.loads(z.read("manifest.json"))
            submission = json.loads(z.read("submission.json"))
        records.append(
            ReturnRecord(
                agency=manifest["agency"]["name"],
                sector=manifest["agency"]["sector"],
                form_id=manifest["form"]["id"],
                form_version=manifest["form"]["version"],
                period=manifest["period"],
                version=manifest["submission"]["version"],
                submission_id=manifest["submission"]["id"],
                answers=submission["answers"],
                signed_at=manifest["signed_at"],
            )
        )
    return records


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

"""``oscb workspace copy --from DIR --to postgresql://…``: a Business Unit workspace moved to a real server, every
row and stored file verified, and then worked on there as before; refusals write nothing."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from helpers.pg_cluster import Cluster

from oscb_desktop import demo
from oscb_desktop.cli import main
from oscb_desktop.collate import collate
from oscb_desktop.forms import FormRegistry
from oscb_desktop.services import review
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.store.models import BusinessUnitLog


@pytest.fixture(scope="module")
def bu_folder(tmp_path_factory: pytest.TempPathFactory, shipped_forms: FormRegistry) -> Path:
    folder = tmp_path_factory.mktemp("bu-to-copy") / "ws"
    demo.build_business_unit(folder, agencies=3, forms=shipped_forms)
    return folder


def test_a_business_unit_workspace_is_copied_verified_and_works_there(
    pg_cluster: Cluster,
    bu_folder: Path,
    tmp_path: Path,
    shipped_forms: FormRegistry,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = pg_cluster.new_database()
    assert main(["workspace", "copy", "--from", str(bu_folder), "--to", url]) == 0
    out = capsys.readouterr().out
    assert "DIFFERENT" not in out and "Copied and verified" in out
    assert "received_return" in out and " same" in out

    with (
        Workspace.open(bu_folder, forms=shipped_forms) as lite,
        Workspace.open(tmp_path / "me", forms=shipped_forms, database=url) as pg,
    ):
        assert review.list_received(pg) == review.list_received(lite)
        assert review.periods(pg) == review.periods(lite)
        on_server = collate(review.collation_input(pg, "2026/27"))
        here = collate(review.collation_input(lite, "2026/27"))
        # The same figures; only the moment each was worked out may differ (by a second boundary).
        assert dataclasses.replace(on_server, generated_at="") == dataclasses.replace(here, generated_at="")
        row = review.list_received(lite)[0]
        assert review.signed_pdf(pg, row) == review.signed_pdf(lite, row)
        # New rows take new ids (the sequences were moved past the copied ones).
        changed = review.set_status(pg, row.id, "accepted", "Checked on the server.")
        assert changed.reviewed_by == pg.user
    # The board's report from the server, as from the folder.
    docx = tmp_path / "board.docx"
    args = ["--database", url, "--data-dir", str(tmp_path / "me"), "collate", "--period", "2026/27"]
    assert main([*args, "--docx", str(docx)]) == 0
    assert f"Wrote {docx}" in capsys.readouterr().out and docx.stat().st_size > 10_000
    counts = pg_cluster.psql(url.rsplit("/", 1)[1], "SELECT count(*) FROM business_unit_log").stdout.strip()
    with Workspace.open(bu_folder, forms=shipped_forms) as lite, lite.bound():
        assert int(counts) == BusinessUnitLog.select().count() + 1


def test_an_agency_workspace_with_signed_returns_is_copied_whole(
    pg_cluster: Cluster, agency_side: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Signed returns, their answers and their links, past the triggers that guard them."""
    folder = tmp_path / "agency"
    shutil.copytree(agency_side / "ws", folder)
    url = pg_cluster.new_database()
    assert main(["workspace", "copy", "--from", str(folder), "--to", url]) == 0
    assert "Copied and verified" in capsys.readouterr().out
    name = url.rsplit("/", 1)[1]
    statuses = pg_cluster.psql(name, "SELECT status, count(*) FROM submission GROUP BY 1 ORDER BY 1").stdout
    assert "signed|" in statuses
    refused = pg_cluster.psql(name, "UPDATE answer SET value = '1'", check=False)
    assert refused.returncode != 0 and "signed" in refused.stderr


def test_a_database_that_is_not_empty_or_a_damaged_file_is_refused_and_nothing_is_written(
    pg_cluster: Cluster, bu_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = pg_cluster.new_database()
    assert main(["workspace", "copy", "--from", str(bu_folder), "--to", url]) == 0
    capsys.readouterr()
    assert main(["workspace", "copy", "--from", str(bu_folder), "--to", url]) == 2
    assert "already holds a workspace" in capsys.readouterr().err

    damaged = tmp_path / "damaged"
    shutil.copytree(bu_folder, damaged)
    victim = next(p for p in (damaged / "attachments").glob("??/*") if p.is_file())
    victim.write_bytes(victim.read_bytes() + b"x")
    fresh = pg_cluster.new_database()
    assert main(["workspace", "copy", "--from", str(damaged), "--to", fresh]) == 2
    assert "has been damaged or changed" in capsys.readouterr().err
    name = fresh.rsplit("/", 1)[1]
    assert pg_cluster.psql(name, "SELECT count(*) FROM received_return").stdout.strip() == "0"
    assert pg_cluster.psql(name, "SELECT count(*) FROM stored_file").stdout.strip() == "0"

    assert main(["workspace", "copy", "--from", str(tmp_path / "nothing"), "--to", fresh]) == 2
    assert "There is no workspace in" in capsys.readouterr().err

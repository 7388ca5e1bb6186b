"""The whole pipeline through the command line: 15 demo agencies sign and export, the Business Unit imports
and collates, and the figures are checked against a count made here straight from the bundles' submission.json."""

from __future__ import annotations

import dataclasses
import json
import shutil
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from helpers.pg_cluster import Cluster
from openpyxl import load_workbook

from oscb_desktop import demo
from oscb_desktop.cli import main
from oscb_desktop.collate import Collation, collate
from oscb_desktop.forms import FormRegistry
from oscb_desktop.services import review
from oscb_desktop.services.workspace import Workspace

PERIOD = "2026/27"
AGENCIES = 15


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("pipeline")
    bundles = root / "bundles"
    assert (
        main(["--data-dir", str(root / "agencies"), "demo", "--agencies", str(AGENCIES), "--export", str(bundles)]) == 0
    )
    # The demo partnership's Business Unit, written beside the bundles, imports them (a workspace that is not
    # that partnership's Business Unit refuses returns addressed to it).
    bu = bundles / "business-unit"
    secret = root / "passphrase.txt"
    secret.write_text(demo.DEMO_PASSPHRASE + "\n", encoding="utf-8")
    shutil.copytree(bu, root / "bu-before-import")  # for the same import on a PostgreSQL server
    assert main(["--data-dir", str(root / "elsewhere"), "import", str(bundles), "--json"]) == 1
    assert main(["--data-dir", str(bu), "import", str(bundles), "--trust-new", "--json"]) == 1, "encrypted: key needed"
    args = ["--trust-new", "--passphrase-file", str(secret), "--json"]
    assert main(["--data-dir", str(bu), "import", str(bundles), *args]) == 0
    pdf, xlsx = root / "board.pdf", root / "board.xlsx"
    assert main(["--data-dir", str(bu), "collate", "--period", PERIOD, "--pdf", str(pdf), "--xlsx", str(xlsx)]) == 0
    assert len(list(bundles.glob("*.oscb.p7m"))) >= AGENCIES * 3 and not list(bundles.glob("*.oscb"))
    # What was sent is encrypted; the agencies keep the plain bundles, which the checks below read independently.
    plain = sorted((root / "agencies" / "sent").glob("*.oscb"))
    return {"root": root, "bu": bu, "bundles": plain, "pdf": pdf, "xlsx": xlsx, "sent": bundles, "secret": secret}


def submissions(paths: list[Path]) -> list[dict[str, Any]]:
    out = []
    for path in paths:
        with zipfile.ZipFile(path) as zf:
            out.append(json.loads(zf.read("submission.json")))
    return out


def newest(subs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    best: dict[tuple[str, str, str], dict[str, Any]] = {}
    for s in subs:
        key = (s["agency"]["name"], s["form"]["id"], s["period"])
        if key not in best or s["submission"]["version"] > best[key]["submission"]["version"]:
            best[key] = s
    return list(best.values())


def test_every_bundle_was_imported_and_listed(pipeline: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["--data-dir", str(pipeline["bu"]), "submissions", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["submissions"]
    assert len(listed) == len(pipeline["bundles"]) >= AGENCIES * 3
    assert {s["id"] for s in listed} == {s["submission"]["id"] for s in submissions(pipeline["bundles"])}


def test_collated_figures_match_an_independent_count(pipeline: dict[str, Any], shipped_forms: FormRegistry) -> None:
    subs = newest(submissions(pipeline["bundles"]))
    s11 = [s for s in subs if s["form"]["id"] == "section11" and s["period"] == PERIOD]
    impact = [s for s in subs if s["form"]["id"] == "impact" and s["period"] == PERIOD]
    assert len(s11) == len(impact) == AGENCIES

    with Workspace.open(pipeline["bu"], forms=shipped_forms) as ws:
        ws.bind()
        result = collate(review.collation_input(ws, PERIOD))

    # Who returned what.
    assert set(result.headline.form("section11").returned) == {s["agency"]["name"] for s in s11}
    assert set(result.headline.form("impact").returned) == {s["agency"]["name"] for s in impact}

    # Ratings per standard: count the level of every rated statement, by section.
    form = shipped_forms.get("section11", s11[0]["form"]["version"])
    for standard in result.standards:
        section = next(sec for sec in form.sections if sec.id == standard.id)
        rating_ids = [i.id for i in section.items if i.type == "rating"]
        counted = Counter(
            s["answers"][i]["level"] for s in s11 for i in rating_ids if isinstance(s["answers"].get(i), dict)
        )
        assert {k: v for k, v in standard.counts.items() if v} == dict(counted), standard.id
        percents = {lv.id: lv.percentage for lv in section.items[0].scale.levels}
        scored = [percents[lv] for lv, n in counted.items() if lv in percents for _ in range(n)]
        assert standard.rated == len(scored)
        assert standard.mean == pytest.approx(sum(scored) / len(scored))
        assert standard.good == sum(counted[lv] for lv in ("blue", "green"))

    # Impact: rank-weighted points and the number of agencies naming each pressure.
    ranks = shipped_forms.get("impact", impact[0]["form"]["version"]).item("impact.pressures").ranks
    points: Counter[str] = Counter()
    naming: Counter[str] = Counter()
    for s in impact:
        for rank, entry in enumerate(s["answers"]["impact.pressures"], start=1):
            points[entry["category"]] += ranks + 1 - rank
            naming[entry["category"]] += 1
    themes = {t.category: t for t in result.impact.pressures.themes}
    assert {c: t.points for c, t in themes.items()} == dict(points)
    assert {c: t.agencies for c, t in themes.items()} == dict(naming)
    top = result.impact.pressures.top(3)
    assert [t.points for t in top] == sorted(points.values(), reverse=True)[:3]


def test_spreadsheet_rows_match_the_bundles(pipeline: dict[str, Any], shipped_forms: FormRegistry) -> None:
    subs = newest(submissions(pipeline["bundles"]))
    s11 = [s for s in subs if s["form"]["id"] == "section11" and s["period"] == PERIOD]
    book = load_workbook(pipeline["xlsx"], read_only=True)
    assert {"Summary", "Standards", "Ratings", "Actions", "Impact", "Matrix", "Not received"} <= set(book.sheetnames)
    rows = list(book["Ratings"].iter_rows(values_only=True))
    header, body = rows[0], [r for r in rows[1:] if r and r[0]]
    col = {name: n for n, name in enumerate(header)}
    assert {"Agency", "Sector", "Period", "Statement id", "Self rating", "Moderated rating"} <= set(col)
    mine = {
        (r[col["Agency"]], r[col["Statement id"]]): r[col["Self rating"]] for r in body if r[col["Period"]] == PERIOD
    }
    form = shipped_forms.get("section11", s11[0]["form"]["version"])
    labels = {lv.id: lv.label for lv in next(i for i in form.items() if i.type == "rating").scale.choices}
    expected = {
        (s["agency"]["name"], item_id): labels.get(v["level"], v["level"])
        for s in s11
        for item_id, v in s["answers"].items()
        if isinstance(v, dict) and "level" in v
    }
    assert mine == expected
    impact_rows = [r for r in book["Impact"].iter_rows(values_only=True)][1:]
    expected_ranked = sum(
        len(s["answers"].get(q, []))
        for s in subs
        if s["form"]["id"] == "impact" and s["period"] == PERIOD
        for q in ("impact.pressures", "impact.enablers")
    )
    assert len([r for r in impact_rows if r and r[0]]) == expected_ranked


def test_the_board_report_names_every_agency(pipeline: dict[str, Any]) -> None:
    import subprocess

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed; .ci/run installs it")
    text = subprocess.run(["pdftotext", str(pipeline["pdf"]), "-"], check=True, capture_output=True, text=True).stdout
    flat = " ".join(text.split())
    for s in newest(submissions(pipeline["bundles"])):
        first_word = s["agency"]["name"].split()[0]
        assert first_word in flat


def test_on_a_server_the_business_unit_imports_and_collates_the_same(
    pipeline: dict[str, Any], pg_cluster: Cluster, tmp_path: Path, shipped_forms: FormRegistry
) -> None:
    """The Business Unit as it was before importing, moved to PostgreSQL (``oscb workspace copy``), imports the same
    encrypted bundles with ``--database``: the same returns, the same collation, the same spreadsheet."""
    url = pg_cluster.new_database()
    assert main(["workspace", "copy", "--from", str(pipeline["root"] / "bu-before-import"), "--to", url]) == 0
    server = ["--database", url, "--data-dir", str(tmp_path / "officer")]
    args = ["--trust-new", "--passphrase-file", str(pipeline["secret"]), "--json"]
    assert main([*server, "import", str(pipeline["sent"]), *args]) == 0
    xlsx = tmp_path / "board.xlsx"
    assert main([*server, "collate", "--period", PERIOD, "--xlsx", str(xlsx)]) == 0
    with (
        Workspace.open(pipeline["bu"], forms=shipped_forms) as lite,
        Workspace.open(tmp_path / "officer", forms=shipped_forms, database=url) as pg,
    ):
        assert [(r.agency.name, r.form_id, r.period, r.submission_id) for r in review.list_received(pg)] == [
            (r.agency.name, r.form_id, r.period, r.submission_id) for r in review.list_received(lite)
        ]
        on_server, here = (collate(review.collation_input(w, PERIOD)) for w in (pg, lite))

        def figures(c: Collation) -> Collation:
            """All but when it was worked out and when each return was imported (a minute apart here)."""
            returns = tuple(dataclasses.replace(r, received_at="") for r in c.returns)
            return dataclasses.replace(c, generated_at="", returns=returns)

        assert figures(on_server) == figures(here)

    def ratings(path: Path) -> list[tuple[Any, ...]]:
        return list(load_workbook(path, read_only=True)["Ratings"].iter_rows(values_only=True))

    assert ratings(xlsx) == ratings(pipeline["xlsx"])

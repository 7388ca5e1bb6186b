"""Several officers on one Business Unit workspace on a real PostgreSQL server, each in a process of their own:
the same 100 bundles imported at once are stored once each (the other officer sees "duplicate"), an import
killed half way leaves only whole returns, and of two saves of the same review from the same state one is refused,
naming the other officer."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.lineages import make_lineages
from helpers.pg_cluster import Cluster

from oscb_desktop.services import imports, review
from oscb_desktop.services.workspace import Workspace

ROOT = Path(__file__).resolve().parents[2]
CHILD = ROOT / "tests" / "helpers" / "import_child.py"
COUNT = 100


@pytest.fixture(scope="module")
def hundred(
    agency_side: Path, tmp_path_factory: pytest.TempPathFactory, make_signed_pdf: Callable[..., bytes]
) -> list[Path]:
    return make_lineages(agency_side, tmp_path_factory.mktemp("hundred"), COUNT, make_signed_pdf)


def spawn(url: str, local: Path, bundles: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "tests")}
    child = subprocess.Popen(
        [sys.executable, str(CHILD), url, str(local), str(bundles)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env,
    )  # fmt: skip
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "READY", child.stderr.read() if child.stderr else ""
    return child


def rows(cluster: Cluster, url: str, sql: str) -> list[list[str]]:
    out = cluster.psql(url.rsplit("/", 1)[1], sql).stdout
    return [line.split("|") for line in out.splitlines() if line]


def test_two_officers_importing_the_same_100_bundles_store_each_once(
    pg_cluster: Cluster, hundred: list[Path], tmp_path: Path
) -> None:
    url = pg_cluster.new_database()
    officers = [spawn(url, tmp_path / name, hundred[0].parent) for name in ("A", "B")]
    for child in officers:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    outcomes: dict[str, list[str]] = {}
    for child in officers:
        out, err = child.communicate(timeout=240)
        assert child.returncode == 0, err
        lines = out.splitlines()
        assert lines[-1] == "DONE", err
        for line in lines[:-1]:
            if line.startswith("AT "):
                continue
            outcome, code, name = line.split(" ", 2)
            outcomes.setdefault(name, []).append(f"{outcome}/{code}")
    assert len(outcomes) == COUNT
    for name, seen in outcomes.items():
        assert sorted(seen) == ["duplicate/duplicate", "imported/ok"], (name, seen)

    assert rows(pg_cluster, url, "SELECT count(*), count(DISTINCT (submission_id, version)) FROM received_return") == [
        [str(COUNT), str(COUNT)]
    ]
    # Every return's newest version alone counts; each officer's imports are named as theirs.
    per_lineage = rows(
        pg_cluster,
        url,
        "SELECT agency_id, form_id, period, max(version), count(*) FILTER (WHERE NOT superseded) "
        "FROM received_return GROUP BY 1, 2, 3",
    )
    assert len(per_lineage) == 6 and {r[4] for r in per_lineage} == {"1"}
    newest = rows(
        pg_cluster,
        url,
        "SELECT count(*) FROM received_return r WHERE NOT superseded AND version < "
        "(SELECT max(version) FROM received_return s WHERE s.agency_id = r.agency_id AND s.form_id = r.form_id "
        "AND s.period = r.period)",
    )
    assert newest == [["0"]]
    by = {r[0] for r in rows(pg_cluster, url, "SELECT DISTINCT imported_by FROM received_return")}
    assert by and all(b.startswith(("Officer A (", "Officer B (")) for b in by)
    assert rows(pg_cluster, url, "SELECT count(DISTINCT agency_id) FROM received_return") == [["2"]]
    assert rows(pg_cluster, url, "SELECT count(*) FROM trusted_certificate") == [["2"]]
    # Each file stored once, by its hash, and what each row names is there.
    stored = {r[0]: r[1] for r in rows(pg_cluster, url, "SELECT sha256, encode(sha256(data), 'hex') FROM stored_file")}
    assert all(sha == actual for sha, actual in stored.items())
    bundle_hashes = {hashlib.sha256(p.read_bytes()).hexdigest() for p in hundred}
    assert bundle_hashes <= set(stored)
    missing = rows(
        pg_cluster,
        url,
        "SELECT count(*) FROM received_return r WHERE NOT EXISTS (SELECT 1 FROM stored_file f WHERE f.sha256 = "
        "r.bundle_sha256) OR NOT EXISTS (SELECT 1 FROM stored_file f WHERE f.sha256 = r.pdf_sha256)",
    )
    assert missing == [["0"]]
    logged = rows(pg_cluster, url, "SELECT count(*) FROM business_unit_log WHERE action = 'import'")
    assert logged == [[str(COUNT)]]


def test_an_import_killed_half_way_leaves_whole_returns_and_the_next_one_completes_it(
    pg_cluster: Cluster, hundred: list[Path], tmp_path: Path
) -> None:
    url = pg_cluster.new_database()
    child = spawn(url, tmp_path / "A", hundred[0].parent)
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write("go\n")
    child.stdin.flush()
    while child.stdout.readline().strip() != "AT 30":  # some stored, then killed mid-way
        pass
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=30)  # reaps it and closes its pipes
    time.sleep(0.2)
    done = int(rows(pg_cluster, url, "SELECT count(*) FROM received_return")[0][0])
    assert 25 <= done < COUNT
    orphans = rows(
        pg_cluster,
        url,
        "SELECT count(*) FROM received_return r WHERE NOT EXISTS (SELECT 1 FROM stored_file f WHERE f.sha256 = "
        "r.bundle_sha256) OR NOT EXISTS (SELECT 1 FROM stored_file f WHERE f.sha256 = r.pdf_sha256)",
    )
    assert orphans == [["0"]]
    assert rows(pg_cluster, url, "SELECT count(*) FROM business_unit_log WHERE action = 'import'") == [[str(done)]]

    again = spawn(url, tmp_path / "B", hundred[0].parent)
    out, err = again.communicate("go\n", timeout=240)
    assert again.returncode == 0, err
    outcomes = [line.split(" ")[0] for line in out.splitlines()[:-1] if not line.startswith("AT ")]
    assert outcomes.count("duplicate") == done and outcomes.count("imported") == COUNT - done
    assert rows(pg_cluster, url, "SELECT count(*) FROM received_return") == [[str(COUNT)]]


REVIEW_CHILD = ROOT / "tests" / "helpers" / "review_child.py"


def test_two_officers_saving_the_same_review_at_once_one_is_refused_and_told_who(
    pg_cluster: Cluster, agency_side: Path, tmp_path: Path
) -> None:
    url = pg_cluster.new_database()
    with Workspace.open(tmp_path / "importer", database=url) as ws:
        assert {r.outcome for r in imports.import_paths(ws, [agency_side / "bundles"], trust_new=True)} == {"imported"}
        received_id = review.list_received(ws)[0].id
    env = {**os.environ, "PYTHONPATH": str(ROOT / "tests")}
    officers = {}
    for name, status in (("Bea Unit", "accepted"), ("Olu Officer", "has_issues")):
        child = subprocess.Popen(
            [sys.executable, str(REVIEW_CHILD), url, str(tmp_path / name), name, str(received_id), status],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env,
        )  # fmt: skip
        assert child.stdout is not None and child.stdout.readline().strip() == "READY"
        officers[name] = child
    for child in officers.values():  # both have read the return; now both save
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    said = {}
    for name, child in officers.items():
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
        said[name] = out.strip()
    assert sorted(v.split(" ")[0] for v in said.values()) == ["REFUSED", "SAVED"], said
    winner = next(n for n, v in said.items() if v == "SAVED")
    loser = next(n for n in said if n != winner)
    assert said[loser].startswith(f"REFUSED {winner} (") and "changed the review of this return on" in said[loser]
    row = rows(pg_cluster, url, f"SELECT review_notes, reviewed_by FROM received_return WHERE id = {received_id}")
    assert row[0][0] == f"by {winner}" and row[0][1].startswith(f"{winner} (")

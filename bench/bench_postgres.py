"""A Business Unit workspace on PostgreSQL as a ratio to the same workspace on SQLite, on the same machine.

Two measurements, each alternating the engines round by round so both see the same conditions:

- **import**: ``imports.import_paths(ws, [folder], trust_new=True)`` of ``--bundles`` (default 200) real bundles
  into a fresh workspace (a new SQLite folder, or a new database on the server; opening untimed). The bundles are
  the demo agencies' signed returns (``demo.generate(ws, agencies=2, sign_all=True)``) made again as versions
  1..k of each return, each PDF signed again carrying its version's answers (as ``tests/helpers/lineages.py``).
  Every result must be ``imported``. On PostgreSQL the bundles and PDFs go into the database (``stored_file``).
- **collation of 1,000 returns**: the 1,000 received returns of ``bench_collate.py`` (100 agencies x 2 forms x 5
  periods, real answers, every tenth moderated) written as rows of a SQLite workspace, then moved to the server
  with ``oscb workspace copy`` (timed too, once); per round (one warm-up round dropped)
  ``review.collation_input(ws, "2026/27")`` (reading every row: the database's part) and ``collate`` of it.

The server: ``--database URL`` (an empty database is made per import round with ``CREATE DATABASE``; the user must
be allowed to), else a throwaway cluster on a unix socket (``tests/helpers/pg_cluster.py``: ``initdb`` as an
unprivileged user, ``fsync=off`` as in the tests, which flatters the server's writes; ``--durable`` keeps
``fsync=on``).

    uv run python bench/bench_postgres.py [--bundles 200] [--rounds 3] [--durable]
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _common import summary, table, write_results
from bench_collate import FORMS, PERIODS, demo_answers, plan

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from helpers.lineages import make_lineages
from helpers.pg_cluster import Cluster, start_cluster

from oscb_desktop import demo
from oscb_desktop.bundle import SubmissionPayload, submission_attachment
from oscb_desktop.collate import collate
from oscb_desktop.forms import FormRegistry
from oscb_desktop.services import imports, registry, review
from oscb_desktop.services.server_copy import copy_to_server
from oscb_desktop.services.workspace import Workspace, now_iso
from oscb_desktop.signing import UnlockedKey, sign_pdf
from oscb_desktop.store.models import Moderation, ReceivedReturn, RegisteredAgency


def small_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pageCompression=0)
    pdf.drawString(72, 720, "Section 11 self-assessment")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def make_bundles(root: Path, count: int, forms: FormRegistry) -> Path:
    side = root / "agency-side"
    with Workspace.open(side / "ws", forms=forms) as ws:
        ws.bind()
        demo.generate(ws, agencies=2, sign_all=True)
        demo.export_signed(ws, side / "bundles")
    unsigned = small_pdf()

    def sign(key: UnlockedKey, carries: SubmissionPayload) -> bytes:
        embed = [submission_attachment(carries)]
        return sign_pdf(unsigned, key, reason="Section 11 sign-off", location="Oxford", box=(72, 72, 288, 136),
                        embed=embed)  # fmt: skip

    target = root / "bundles"
    make_lineages(side, target, count, sign)
    return target


def open_server_ws(cluster: Cluster, forms: FormRegistry, folder: Path) -> Workspace:
    return Workspace.open(folder, forms=forms, database=cluster.new_database())


def time_import(ws: Workspace, bundles: Path, count: int) -> float:
    ws.bind()
    t0 = time.perf_counter()
    results = imports.import_paths(ws, [bundles], trust_new=True)
    elapsed = time.perf_counter() - t0
    assert len(results) == count and {r.outcome for r in results} == {"imported"}, {r.reason for r in results}
    return elapsed


def fill_1000(folder: Path, forms: FormRegistry) -> int:
    """The 1,000 returns of bench_collate, as received rows of a Business Unit workspace in ``folder``."""
    records, texts = plan(demo_answers(forms), 100)
    with Workspace.open(folder, forms=forms) as ws, ws.bound():
        registry.become_business_unit(ws)
        ids: dict[str, int] = {}
        with ws.db.atomic():
            for rec, text in zip(records, texts, strict=True):
                if rec["agency"] not in ids:
                    found = RegisteredAgency.get_or_none(RegisteredAgency.name == rec["agency"])
                    ids[rec["agency"]] = (
                        found.id
                        if found
                        else RegisteredAgency.create(name=rec["agency"], sector=rec["sector"], created_at=now_iso()).id
                    )
                agency_id = ids[rec["agency"]]
                ReceivedReturn.create(
                    submission_id=rec["submission_id"], version=1, agency=agency_id, form_id=rec["form_id"],
                    form_version=rec["form_version"], period=rec["period"], signed_at=rec["signed_at"],
                    signatory_name="Jo Director", signatory_role="Director", signer_fingerprint="ab" * 32,
                    content_digest=rec["submission_id"], bundle_sha256="0" * 64, pdf_sha256="0" * 64,
                    answers=json.loads(text), file_name="x.oscb", imported_at=now_iso(), imported_by="bench",
                    review_status=rec["review_status"], review_notes="",
                )  # fmt: skip
                for target, level in rec["moderated"].items():
                    Moderation.create(agency=agency_id, form_id=rec["form_id"], period=rec["period"], target=target,
                                      level=level, note="", updated_at=now_iso(), updated_by="bench")  # fmt: skip
        return ReceivedReturn.select().count()


def time_collation(ws: Workspace) -> tuple[float, float]:
    ws.bind()
    t0 = time.perf_counter()
    inp = review.collation_input(ws, PERIODS[-1])
    t1 = time.perf_counter()
    c = collate(inp)
    t2 = time.perf_counter()
    assert len(inp.returns) == 1000 and c.matrix
    return t1 - t0, t2 - t1


def alternate(rounds: int, runs: dict[str, Callable[[], Any]]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {k: [] for k in runs}
    for n in range(rounds):
        order = list(runs) if n % 2 == 0 else list(reversed(runs))
        for key in order:
            out[key].append(runs[key]())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundles", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--durable", action="store_true", help="the throwaway server with fsync on")
    args = parser.parse_args()

    forms = FormRegistry.load()
    cluster = start_cluster(durable=args.durable)
    if cluster is None:
        sys.exit("PostgreSQL server binaries (initdb, pg_ctl, psql) are not installed")
    server_version = cluster.psql("postgres", "SHOW server_version").stdout.strip()
    fsync = cluster.psql("postgres", "SHOW fsync").stdout.strip()
    try:
        with tempfile.TemporaryDirectory(prefix="oscb-bench-postgres-") as tmp_name:
            tmp = Path(tmp_name)
            t0 = time.perf_counter()
            bundles = make_bundles(tmp, args.bundles, forms)
            print(f"made {args.bundles} bundles in {time.perf_counter() - t0:.0f} s", flush=True)
            counter = iter(range(10_000))

            def on_sqlite() -> float:
                with Workspace.open(tmp / f"lite-{next(counter)}", forms=forms) as ws:
                    return time_import(ws, bundles, args.bundles)

            def on_server() -> float:
                with open_server_ws(cluster, forms, tmp / f"pg-{next(counter)}") as ws:
                    return time_import(ws, bundles, args.bundles)

            imported = alternate(args.rounds, {"sqlite": on_sqlite, "postgresql": on_server})

            lite_folder = tmp / "thousand"
            rows = fill_1000(lite_folder, forms)
            url = cluster.new_database("thousand")
            t0 = time.perf_counter()
            report = copy_to_server(lite_folder, url, forms=forms)
            copy_seconds = time.perf_counter() - t0
            assert report.verified
            with (
                Workspace.open(lite_folder, forms=forms) as lite,
                Workspace.open(tmp / "pg-thousand", forms=forms, database=url) as pg,
            ):
                time_collation(lite), time_collation(pg)  # warm-up, dropped (forms parsed, caches filled)
                collated = alternate(args.rounds + 2, {"sqlite": lambda: time_collation(lite),
                                                       "postgresql": lambda: time_collation(pg)})  # fmt: skip
    finally:
        cluster.stop()
        shutil.rmtree(cluster.root, ignore_errors=True)

    med = {k: statistics.median(v) for k, v in imported.items()}
    read = {k: statistics.median(r for r, _ in v) for k, v in collated.items()}
    total = {k: statistics.median(r + c for r, c in v) for k, v in collated.items()}
    results = {
        "server": {"version": server_version, "fsync": fsync, "connection": "unix socket, same machine"},
        "import": {
            "bundles": args.bundles,
            "seconds": {k: summary(v) for k, v in imported.items()},
            "bundles_per_second": {k: args.bundles / m for k, m in med.items()},
            "ratio_postgresql_to_sqlite": med["postgresql"] / med["sqlite"],
        },
        "collation": {
            "returns": rows,
            "periods": list(PERIODS),
            "forms": [f"{f} {v}" for f, v in FORMS],
            "read_seconds": {k: summary([r for r, _ in v]) for k, v in collated.items()},
            "read_and_collate_seconds": {k: summary([r + c for r, c in v]) for k, v in collated.items()},
            "read_ratio_postgresql_to_sqlite": read["postgresql"] / read["sqlite"],
            "ratio_postgresql_to_sqlite": total["postgresql"] / total["sqlite"],
        },
        "workspace_copy_seconds": copy_seconds,
    }
    out = write_results("bench_postgres", results)
    print(
        table(
            [
                ["measure", "SQLite", "PostgreSQL", "ratio"],
                [
                    f"import {args.bundles} bundles (s)",
                    f"{med['sqlite']:.2f}",
                    f"{med['postgresql']:.2f}",
                    f"{med['postgresql'] / med['sqlite']:.2f}",
                ],
                [
                    "collation input, 1,000 returns (s)",
                    f"{read['sqlite']:.3f}",
                    f"{read['postgresql']:.3f}",
                    f"{read['postgresql'] / read['sqlite']:.2f}",
                ],
                [
                    "input + collate (s)",
                    f"{total['sqlite']:.3f}",
                    f"{total['postgresql']:.3f}",
                    f"{total['postgresql'] / total['sqlite']:.2f}",
                ],
            ]
        )
    )
    print(f"server {server_version}, fsync={fsync}; workspace copy of the 1,000 returns: {copy_seconds:.1f} s")
    print(f"results: {out}")


if __name__ == "__main__":
    main()

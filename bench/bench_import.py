"""Import of 1,000 bundles into a Business Unit workspace, as a ratio to hashing and checking their signatures.

The bundles are real ones: ``oscb_desktop.demo.generate(ws, agencies=40, sign_all=True)`` makes 40
agencies, each with its own signing identity and three signed returns (Section 11 2025/26, Section 11 and
the impact assessment 2026/27), exported with ``demo.export_signed``. Each exported return starts a
lineage; every lineage is made again as versions 1..k (distinct uuid4 submission ids, each superseding the
one before) with ``oscb_desktop.bundle.build_bundle``, the agency's own key, the return's answers, answer
history and evidence files, and the return's PDF signed again for each version (the signed PDF carries the
bundle's ``submission.json``, so every version needs its own signature; the PDF as rendered is the part of
the signed file before its signature's incremental update; the new signature is invisible), until there are
``--bundles`` (default 1,000). The bundles are cached in ``bench/results/`` under a version string, so only the
first run pays the few minutes this takes.

Per round, alternately:

- **floor**: for each bundle, read the file, open the zip and read every member, SHA-256 every member,
  check the detached CMS signature over ``manifest.json`` (``signing.verify_detached``) and the PDF
  signature (``signing.verify_pdf``): the bare cryptographic cost any import has to pay;
- **import**: ``imports.import_paths(ws, [folder], trust_new=True)`` on a fresh workspace
  (``Workspace.open`` + ``bind``, untimed): the full verification, the register's trust decision, the
  duplicate/conflict/replay checks, the bundle and its PDF stored as blobs, one transaction per bundle.
  Every result must be ``imported``.

Memory, two ways: the peak resident set size of the process during each timed phase (Linux: ``VmHWM``
reset through ``/proc/self/clear_refs`` before the phase), which includes the interpreter, the libraries
and the forms (~90 MiB before anything is imported); and, in one more untimed round of each with
``tracemalloc`` on (it slows Python down several times) over the first ``--trace-bundles`` (default 250),
the peak of what the phase itself allocated and what it still held at the end.

    uv run python bench/bench_import.py [--bundles 1000] [--agencies 40] [--rounds 2] [--trace-bundles 250]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import multiprocessing
import os
import resource
import shutil
import statistics
import tempfile
import time
import uuid
import zipfile
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from _common import RESULTS, reset_peak_rss, status_kb, table, traced_mib, write_results

from oscb_desktop import demo
from oscb_desktop.bundle import FORMAT_VERSION, Signatory, SubmissionPayload, build_bundle
from oscb_desktop.bundle.carried import submission_attachment
from oscb_desktop.bundle.model import attachment_refs, parse_json
from oscb_desktop.forms import FormRegistry
from oscb_desktop.services import identities, imports
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.signing import sign_pdf, verify_detached, verify_pdf
from oscb_desktop.store import Agency

#: Bump when the way the bundles are made changes, so a stale cache is not reused.
GENERATOR_VERSION = "2"


# Making the bundles -----------------------------------------------------------------------------------


def members_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def as_rendered(signed: bytes) -> bytes:
    """The PDF as it was before it was signed: a signature is an incremental update after the first ``%%EOF``."""
    end = signed.index(b"%%EOF") + len(b"%%EOF")
    while signed[end : end + 1] in (b"\r", b"\n"):
        end += 1
    return signed[:end]


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")


def make_bundles(target: Path, count: int, agencies: int, forms: FormRegistry) -> dict[str, Any]:
    """Write ``count`` bundles into ``target`` (files sort in import order: versions ascending per lineage)."""
    with tempfile.TemporaryDirectory(prefix="oscb-bench-import-demo-") as tmp_name:
        tmp = Path(tmp_name)
        t0 = time.perf_counter()
        ws = Workspace.open(tmp / "agencies", forms=forms)
        try:
            ws.bind()
            demo.generate(ws, agencies=agencies, sign_all=True)
            exported = demo.export_signed(ws, tmp / "demo")
            keys = {}
            for agency in Agency.select():
                row = identities.current(ws, agency.id)
                assert row is not None, agency.name
                keys[agency.name] = identities.unlock(row, demo.DEMO_PASSPHRASE)
        finally:
            ws.close()
        t_demo = time.perf_counter() - t0
        lineages = []
        for path in exported:
            members = members_of(path.read_bytes())
            lineages.append((parse_json(members["manifest.json"]), members))

    per_lineage, extra = divmod(count, len(lineages))
    target.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    written = 0
    for n, (manifest, members) in enumerate(lineages):
        submission = parse_json(members["submission.json"])
        audit = parse_json(members["audit.json"])
        by_hash = {hashlib.sha256(data).hexdigest(): data for name, data in members.items()}
        attachments = [(ref.name, by_hash[ref.sha256]) for ref in attachment_refs(submission["answers"])]
        rendered = as_rendered(members["submission.pdf"])
        agency = manifest["agency"]["name"]
        stem = f"{_slug(agency)}_{manifest['form']['id']}_{manifest['period'].replace('/', '-')}"
        previous = None
        for version in range(1, per_lineage + (1 if n < extra else 0) + 1):
            sid = str(uuid.uuid4())
            submission["submission"] = {"id": sid, "version": version, "supersedes": previous}
            signed_pdf = sign_pdf(
                rendered,
                keys[agency],
                reason=f"Sign-off of the return for {manifest['period']}, version {version}",
                location=agency,
                embed=[submission_attachment(SubmissionPayload.from_json(submission))],
            )
            data = build_bundle(
                submission=submission,
                audit=audit,
                signed_pdf=signed_pdf,
                key=keys[agency],
                form_title=manifest["form"]["title"],
                signatory=Signatory.from_json(manifest["signatory"]),
                signed_at=manifest["signed_at"],
                attachments=attachments,
            )
            (target / f"{stem}_v{version:03d}.oscb").write_bytes(data)
            previous = sid
            written += 1
    return {
        "bundles": written,
        "agencies": len(keys),
        "lineages": len(lineages),
        "demo_seconds": t_demo,
        "build_seconds": time.perf_counter() - t0,
    }


def bundles_folder(count: int, agencies: int, forms: FormRegistry) -> tuple[Path, dict[str, Any]]:
    """The cached bundles for this count and number of agencies, made first if missing."""
    key = f"import-bundles-g{GENERATOR_VERSION}-f{FORMAT_VERSION}-n{count}-a{agencies}"
    folder = RESULTS / key
    index = folder / "index.json"
    if index.exists():
        return folder / "bundles", json.loads(index.read_text(encoding="utf-8"))
    shutil.rmtree(folder, ignore_errors=True)
    print(f"making {count} bundles for {agencies} agencies into {folder} (once) ...", flush=True)
    info = make_bundles(folder / "bundles", count, agencies, forms)
    info["bytes"] = sum(p.stat().st_size for p in (folder / "bundles").iterdir())
    index.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    print(f"  demo workspace {info['demo_seconds']:.0f} s, bundles built in {info['build_seconds']:.0f} s")
    return folder / "bundles", info


# Measuring --------------------------------------------------------------------------------------------


def floor_one(path: Path) -> None:
    """Read, hash and check the two signatures of one bundle, as bare as it gets."""
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as zf:
        members = {info.filename: zf.read(info) for info in zf.infolist()}
    for data in members.values():
        hashlib.sha256(data).digest()
    verify_detached(members["manifest.sig"], members["manifest.json"])
    report = verify_pdf(members["submission.pdf"])
    if not report.ok:
        raise RuntimeError(f"{path.name}: {report.problem}")


def floor_pass(files: list[Path], processes: int = 1) -> None:
    """:func:`floor_one` for every bundle, in a pool of ``processes`` fresh processes (started within the time,
    as the import starts its own) when more than one."""
    if processes == 1:
        for path in files:
            floor_one(path)
        return
    with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn")) as pool:
        for _ in pool.map(floor_one, files, chunksize=8):
            pass


def import_pass(
    paths: list[Path], tmp: Path, forms: FormRegistry, processes: int = 1
) -> tuple[float, Counter[str], int]:
    """Import into a fresh workspace; seconds, outcomes and the stored size (workspace open untimed)."""
    ws_folder = tmp / "bu"
    shutil.rmtree(ws_folder, ignore_errors=True)
    ws = Workspace.open(ws_folder, forms=forms)
    try:
        ws.bind()
        t0 = time.perf_counter()
        results = imports.import_paths(ws, paths, trust_new=True, processes=processes)
        elapsed = time.perf_counter() - t0
    finally:
        ws.close()
    outcomes = Counter(r.outcome for r in results)
    bad = [r for r in results if r.outcome != imports.Outcome.IMPORTED]
    if bad:
        raise RuntimeError(f"{len(bad)} bundles not imported, e.g. {bad[0].file}: {bad[0].code} {bad[0].reason}")
    size = sum(p.stat().st_size for p in ws_folder.rglob("*") if p.is_file())
    return elapsed, outcomes, size


def measure(run: Any) -> tuple[float, dict[str, float | None], Any]:
    """Seconds, peak resident memory and the return value of ``run()``."""
    start_kb = reset_peak_rss()
    t0 = time.perf_counter()
    result = run()
    elapsed = time.perf_counter() - t0
    peak_kb = status_kb("VmHWM") if start_kb is not None else None
    return (
        elapsed,
        {
            "start_rss_mib": start_kb / 1024 if start_kb is not None else None,
            "peak_rss_mib": peak_kb / 1024 if peak_kb is not None else None,
            "growth_mib": (peak_kb - start_kb) / 1024 if peak_kb is not None and start_kb is not None else None,
        },
        result,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundles", type=int, default=1000)
    parser.add_argument("--agencies", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--trace-bundles", type=int, default=250, help="bundles in the tracemalloc round (0: none)")
    parser.add_argument(
        "--processes", type=int, default=os.cpu_count() or 1, help="processes verifying, for both (default: cores)"
    )
    args = parser.parse_args()
    procs = args.processes
    # The pools' processes keep their compiled bytecode, as an installed app has it (this machine sets
    # PYTHONDONTWRITEBYTECODE=1, which would make every process compile every module it loads, every time).
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(RESULTS / "pycache")

    forms = FormRegistry.load()
    folder, info = bundles_folder(args.bundles, args.agencies, forms)
    files = imports.expand_paths([folder])
    assert len(files) == args.bundles, (len(files), args.bundles)
    print(
        f"{len(files)} bundles, {info['agencies']} agencies, {info['lineages']} lineages, "
        f"{info['bytes'] / 2**20:.1f} MiB"
    )

    floor_s: list[float] = []
    import_s: list[float] = []
    memory: dict[str, list[dict[str, float | None]]] = {"floor": [], "import": []}
    stored = 0
    with tempfile.TemporaryDirectory(prefix="oscb-bench-import-") as tmp_name:
        tmp = Path(tmp_name)
        for rnd in range(args.rounds):
            elapsed, mem, _ = measure(lambda: floor_pass(files, procs))
            floor_s.append(elapsed)
            memory["floor"].append(mem)
            _, mem, (elapsed, outcomes, stored) = measure(lambda: import_pass([folder], tmp, forms, procs))
            import_s.append(elapsed)
            memory["import"].append(mem)
            print(
                f"round {rnd + 1}: floor {floor_s[-1]:.1f} s, import {elapsed:.1f} s "
                f"({dict(outcomes)}), peak RSS {mem['peak_rss_mib'] or 0:.0f} MiB",
                flush=True,
            )
        traced: dict[str, dict[str, float]] = {}
        if args.trace_bundles > 0:
            traced["floor"] = traced_mib(lambda: floor_pass(files[: args.trace_bundles]))
            traced["import"] = traced_mib(lambda: import_pass(files[: args.trace_bundles], tmp, forms))
            print(f"tracemalloc: {traced}", flush=True)

    n = len(files)
    f_med, i_med = statistics.median(floor_s), statistics.median(import_s)
    ratio = i_med / f_med

    def peak(name: str) -> str:
        values = [m["peak_rss_mib"] for m in memory[name] if m["peak_rss_mib"] is not None]
        return f"{max(values):.0f}" if values else "n/a"

    def traced_peak(name: str) -> str:
        return f"{traced[name]['peak']:.1f} / {traced[name]['retained']:.1f}" if name in traced else "n/a"

    round_ratios = [i / f for i, f in zip(import_s, floor_s, strict=True)]

    print(
        f"Import of {n} bundles into a fresh Business Unit workspace, {args.rounds} rounds (medians), "
        f"{procs} process{'es' if procs != 1 else ''} verifying"
    )
    print(
        table(
            [
                [
                    "",
                    "seconds",
                    "bundles/s",
                    "ms/bundle",
                    "peak RSS MiB",
                    f"tracemalloc peak / retained MiB ({min(args.trace_bundles, n)})",
                ],
                [
                    "hash + check signatures (floor)",
                    f"{f_med:.1f}",
                    f"{n / f_med:.1f}",
                    f"{f_med / n * 1000:.1f}",
                    peak("floor"),
                    traced_peak("floor"),
                ],
                [
                    "imports.import_paths",
                    f"{i_med:.1f}",
                    f"{n / i_med:.1f}",
                    f"{i_med / n * 1000:.1f}",
                    peak("import"),
                    traced_peak("import"),
                ],
            ]
        )
    )
    print(
        f"ratio import / floor: {ratio:.2f} (per round: {' '.join(f'{r:.2f}' for r in round_ratios)})   "
        f"workspace after import: {stored / 2**20:.1f} MiB"
    )
    out = write_results(
        "bench_import",
        {
            "bundles": info,
            "rounds": args.rounds,
            "processes": procs,
            "children_peak_rss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            "floor_s": floor_s,
            "import_s": import_s,
            "floor_median_s": f_med,
            "import_median_s": i_med,
            "bundles_per_s": n / i_med,
            "floor_bundles_per_s": n / f_med,
            "ratio_median": ratio,
            "ratio_per_round": round_ratios,
            "memory_rss": memory,
            "tracemalloc_bundles": min(args.trace_bundles, n),
            "tracemalloc_mib": traced,
            "workspace_bytes": stored,
        },
    )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()

"""Collation of 1,000 returns across 5 periods, as a ratio to just parsing their answers, with peak memory.

The input is built in memory, as ``oscb_desktop.services.business_unit`` would hand it over: 100 agencies
(the partnership's 42, then the same names numbered again), each with a Section 11 return and an impact
assessment in each of the 5 periods 2022/23 to 2026/27, so 1,000 ``ReturnRecord`` s, reporting on 2026/27
with the four earlier periods for the year-on-year comparison. The answers are real ones: the
``submission.json`` answers of ``demo.generate(ws, agencies=10, sign_all=True)`` (Section 11 2026.1 and
impact 2026.1, exported as bundles and read back; cached in ``bench/results/``), handed out in turn so that
each agency's answers differ from period to period. Every tenth agency's current Section 11 return is
moderated on one standard and flagged ``has_issues`` with a challenge note. Each record holds its own
copy of its answers, parsed from JSON.

Per round, in order (one warm-up round dropped):

- **floor**: ``json.loads`` of the 1,000 answers' JSON, the cost of just reading the data;
- **collate**: ``collate(inp, as_of=...)``;
- **collate + PDF + XLSX**: ``collate``, ``render_collation_pdf`` and ``write_collation_xlsx`` (to a file).

Memory: ``tracemalloc`` peak (and what the input itself holds) in one more untimed run of each, and the
peak resident set size of the process during each timed phase (Linux: ``VmHWM`` reset through
``/proc/self/clear_refs``), which includes the interpreter, the libraries, the forms and the input.

    uv run python bench/bench_collate.py [--agencies 100] [--rounds 5]
"""

from __future__ import annotations

import argparse
import io
import json
import tempfile
import time
import uuid
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

from _common import RESULTS, reset_peak_rss, status_kb, summary, table, traced_mib, write_results

from oscb_desktop import demo
from oscb_desktop.collate import CollationInput, RegisteredAgency, ReturnRecord, collate
from oscb_desktop.forms import FormRegistry
from oscb_desktop.report.board import render_collation_pdf
from oscb_desktop.report.collation_xlsx import write_collation_xlsx
from oscb_desktop.services.workspace import Workspace, partnership

#: Bump when the way the answers are gathered changes, so a stale cache is not reused.
GENERATOR_VERSION = "1"
DEMO_AGENCIES = 10
PERIODS = ("2022/23", "2023/24", "2024/25", "2025/26", "2026/27")
FORMS = (("section11", "2026.1"), ("impact", "2026.1"))
AS_OF = date(2027, 3, 1)
WARMUP = 1


def demo_answers(forms: FormRegistry) -> dict[str, list[dict[str, Any]]]:
    """Real answers (and signing times) of the demo's Section 11 2026.1 and impact 2026.1 returns, cached."""
    cache = RESULTS / f"collate-answers-g{GENERATOR_VERSION}-a{DEMO_AGENCIES}.json"
    if cache.exists():
        return json.loads(cache.read_text(encoding="utf-8"))
    print(f"gathering demo answers of {DEMO_AGENCIES} agencies into {cache} (once) ...", flush=True)
    found: dict[str, list[dict[str, Any]]] = {form_id: [] for form_id, _ in FORMS}
    with tempfile.TemporaryDirectory(prefix="oscb-bench-collate-demo-") as tmp_name:
        tmp = Path(tmp_name)
        ws = Workspace.open(tmp / "ws", forms=forms)
        try:
            ws.bind()
            demo.generate(ws, agencies=DEMO_AGENCIES, sign_all=True)
            exported = demo.export_signed(ws, tmp / "bundles")
        finally:
            ws.close()
        for path in exported:
            with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as zf:
                manifest = json.loads(zf.read("manifest.json"))
                submission = json.loads(zf.read("submission.json"))
            key = (manifest["form"]["id"], manifest["form"]["version"])
            if key in FORMS:
                found[key[0]].append({"answers": submission["answers"], "signed_at": manifest["signed_at"]})
    RESULTS.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(found), encoding="utf-8")
    return found


def _shift_year(stamp: str, years: int) -> str:
    return f"{int(stamp[:4]) - years:04d}{stamp[4:]}"


def agency_names(count: int) -> list[tuple[str, str]]:
    members = partnership().agencies
    return [
        (name if n < len(members) else f"{name} {n // len(members) + 1}", sector)
        for n, (name, sector) in ((n, members[n % len(members)]) for n in range(count))
    ]


def plan(answers: dict[str, list[dict[str, Any]]], agencies: int) -> tuple[list[dict[str, Any]], list[str]]:
    """The 1,000 records as keyword arguments without their answers, and each one's answers as JSON text."""
    records: list[dict[str, Any]] = []
    texts: list[str] = []
    for a, (name, sector) in enumerate(agency_names(agencies)):
        for p, period in enumerate(PERIODS):
            for f, (form_id, form_version) in enumerate(FORMS):
                pool = answers[form_id]
                source = pool[(a + p * (f + 1)) % len(pool)]
                current = period == PERIODS[-1]
                flagged = current and form_id == "section11" and a % 10 == 0
                records.append(
                    {
                        "agency": name,
                        "sector": sector,
                        "form_id": form_id,
                        "form_version": form_version,
                        "period": period,
                        "version": 1,
                        "submission_id": str(uuid.uuid4()),
                        "signed_at": _shift_year(source["signed_at"], len(PERIODS) - 1 - p),
                        "review_status": "has_issues" if flagged else "accepted",
                        "moderated": {"s1": "amber"} if flagged else {},
                        "challenge_notes": {"": "Asked at the challenge event for the evidence behind S1."}
                        if flagged
                        else {},
                    }
                )
                texts.append(json.dumps(source["answers"]))
    return records, texts


def build_input(forms: FormRegistry, records: list[dict[str, Any]], texts: list[str]) -> CollationInput:
    p = partnership()
    names = list(dict.fromkeys((r["agency"], r["sector"]) for r in records))
    register = [RegisteredAgency(name, sector) for name, sector in names]
    register.append(RegisteredAgency("Army Welfare Service", "military"))  # registered, sent nothing
    return CollationInput(
        period=PERIODS[-1],
        forms=forms,
        returns=[ReturnRecord(answers=json.loads(t), **r) for r, t in zip(records, texts, strict=True)],
        agencies=register,
        sector_labels=p.sectors,
        partnership=p.name,
    )


# Memory -----------------------------------------------------------------------------------------------


# Runs ---------------------------------------------------------------------------------------------------


def floor_run(texts: list[str]) -> list[Any]:
    return [json.loads(t) for t in texts]


def full_run(inp: CollationInput, out: Path) -> dict[str, float]:
    """collate + PDF + XLSX; the seconds of each part."""
    t0 = time.perf_counter()
    c = collate(inp, as_of=AS_OF)
    t1 = time.perf_counter()
    render_collation_pdf(c)
    t2 = time.perf_counter()
    write_collation_xlsx(c, out / "collation.xlsx")
    t3 = time.perf_counter()
    return {"part_collate": t1 - t0, "part_pdf": t2 - t1, "part_xlsx": t3 - t2}


def pdf_pages(data: bytes) -> int:
    from pyhanko.pdf_utils.reader import PdfFileReader

    return int(PdfFileReader(io.BytesIO(data)).root["/Pages"]["/Count"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    forms = FormRegistry.load()
    answers = demo_answers(forms)
    records, texts = plan(answers, args.agencies)
    inp = build_input(forms, records, texts)
    n = len(inp.returns)
    json_mib = sum(len(t.encode("utf-8")) for t in texts) / 2**20

    with tempfile.TemporaryDirectory(prefix="oscb-bench-collate-") as tmp_name:
        out = Path(tmp_name)
        c = collate(inp, as_of=AS_OF)
        pdf = render_collation_pdf(c)
        write_collation_xlsx(c, out / "collation.xlsx")
        shape = {
            "returns": n,
            "agencies": args.agencies,
            "periods": list(PERIODS),
            "forms": [f"{f} {v}" for f, v in FORMS],
            "answers_json_mib": json_mib,
            "answers": sum(len(r.answers) for r in inp.returns),
            "matrix_rows": len(c.matrix),
            "actions": len(c.actions),
            "compared_with": list(c.compared_with),
            "notes": len(c.notes),
            "pdf_pages": pdf_pages(pdf),
            "pdf_bytes": len(pdf),
            "xlsx_bytes": (out / "collation.xlsx").stat().st_size,
        }
        del c, pdf
        print(
            f"{n} returns ({shape['answers']} answers, {json_mib:.1f} MiB of JSON), {args.agencies} agencies, "
            f"periods {PERIODS[0]}..{PERIODS[-1]}; report: {shape['matrix_rows']} matrix rows, "
            f"{shape['pdf_pages']} PDF pages ({shape['pdf_bytes'] / 1024:.0f} KiB), "
            f"XLSX {shape['xlsx_bytes'] / 1024:.0f} KiB"
        )

        runs = {
            "floor": lambda: floor_run(texts),
            "collate": lambda: collate(inp, as_of=AS_OF),
            "full": lambda: full_run(inp, out),
        }
        times: dict[str, list[float]] = {name: [] for name in [*runs, "part_pdf", "part_xlsx"]}
        rss: dict[str, list[float]] = {name: [] for name in runs}
        for rnd in range(WARMUP + args.rounds):
            for name, run in runs.items():
                measured_rss = reset_peak_rss() is not None
                t0 = time.perf_counter()
                result = run()
                elapsed = time.perf_counter() - t0
                peak_kb = status_kb("VmHWM") if measured_rss else None
                if rnd >= WARMUP:
                    times[name].append(elapsed)
                    if name == "full":
                        times["part_pdf"].append(result["part_pdf"])
                        times["part_xlsx"].append(result["part_xlsx"])
                    if peak_kb is not None:
                        rss[name].append(peak_kb / 1024)
                del result
        traced = {name: traced_mib(run) for name, run in runs.items()}
    # What the 1,000 records' answers take in memory: the input the collation works on.
    input_mib = traced_mib(lambda: floor_run(texts))["retained"]

    stats = {name: summary(values) for name, values in times.items()}
    floor = stats["floor"]["median"]
    labels = {
        "floor": "json.loads of the answers (floor)",
        "collate": "collate()",
        "full": "collate + PDF + XLSX",
        "part_pdf": "  of which render_collation_pdf",
        "part_xlsx": "  of which write_collation_xlsx",
    }
    ms = lambda v: f"{v * 1000:.0f}" if v >= 0.1 else f"{v * 1000:.1f}"  # noqa: E731
    rows = [["", "median ms", "min ms", "max ms", "x floor", "tracemalloc peak MiB", "peak RSS MiB"]]
    for name, label in labels.items():
        s = stats[name]
        rows.append(
            [
                label,
                ms(s["median"]),
                ms(s["min"]),
                ms(s["max"]),
                f"{s['median'] / floor:.1f}",
                f"{traced[name]['peak']:.1f}" if name in traced else "",
                f"{max(rss[name]):.0f}" if rss.get(name) else "",
            ]
        )
    print(f"Collation of {n} returns, {args.rounds} rounds (after {WARMUP} warm-up)")
    print(table(rows))
    ratio_collate = stats["collate"]["median"] / floor
    ratio_full = stats["full"]["median"] / floor
    print(
        f"ratio collate / floor: {ratio_collate:.1f}   ratio collate+PDF+XLSX / floor: {ratio_full:.1f}   "
        f"answers held in memory: {input_mib:.1f} MiB"
    )
    out_file = write_results(
        "bench_collate",
        {
            "input": shape,
            "rounds": args.rounds,
            "warmup": WARMUP,
            "seconds": stats,
            "runs_s": times,
            "ratio_collate_median": ratio_collate,
            "ratio_full_median": ratio_full,
            "tracemalloc_mib": traced,
            "answers_in_memory_mib": input_mib,
            "peak_rss_mib": rss,
        },
    )
    print(f"wrote {out_file}")


if __name__ == "__main__":
    main()

"""Sign-off and export of a complete Section 11 return, as a ratio to rendering the same PDF alone.

The return is agency 2's Section 11 2026/27 return from ``oscb_desktop.demo.generate(ws,
agencies=2)``: complete but not signed (64 answers, a 24-page PDF). The demo workspace is made
once; every run signs a fresh copy of it (the folder is copied before the run, untimed), so each run
does exactly what a user's first sign-off and export of that return does. Per run, in order:

- **unlock**: ``identities.unlock(row, DEMO_PASSPHRASE)``, passphrase to usable key (the GUI pays it
  once per sign-off; sign-off and export below are given the unlocked key);
- **floor**: ``render_submission_pdf(signoff.document(ws, sub, ...), draft=False)``, the PDF that
  sign-off renders (same signatory, date and fingerprint on it), with reportlab and nothing else;
- **sign-off**: ``signoff.sign_off(ws, id, ..., key=key)``: checks, render, PDF signature, store the
  PDF, lock the return (one transaction);
- **export**: ``signoff.export(ws, id, path, key=key)``: re-read and check the signed PDF, build
  ``submission.json`` and the audit trail, sign the manifest, zip, write atomically.

**total** = sign-off + export of the same return, reported as a ratio to the floor.

The same is measured again on the same return **with evidence files**: 20 files, 5 MiB in all
(256 KiB each), attached to 20 rated statements spread over the form, once, in a second template
(untimed): 12 PDFs and 4 Word files that do not compress (scans and zipped documents are compressed
already) and 4 plain-text minutes that do. Sign-off then lists them in the PDF (so the floor, which
renders that PDF, grows a little too) and export hashes them and zips them under ``attachments/``.
Each repetition runs the plain return, then the one with evidence, so both see the same conditions;
each is a ratio to its own floor.

Two warm-up repetitions are dropped, then ``--reps`` (default 15); median and p95 (nearest rank) of each.

    uv run python bench/bench_export.py [--reps 15]
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import current_section11, summary, table, write_results

from oscb_desktop import demo
from oscb_desktop.forms import FormRegistry
from oscb_desktop.forms import files as ef
from oscb_desktop.report import render_submission_pdf
from oscb_desktop.services import evidence, identities, returns, signoff
from oscb_desktop.services.workspace import Workspace, now_iso
from oscb_desktop.signing import format_fingerprint
from oscb_desktop.store import Answer

WARMUP = 2
SIGNATORY = ("Alex Morgan", "Chief Executive")
#: The evidence run: this many files of this size (5 MiB in all), as (kind, suffix) in this proportion.
EVIDENCE_FILES = 20
EVIDENCE_FILE_BYTES = 256 * 1024
EVIDENCE_KINDS = [("Scanned audit", ".pdf")] * 12 + [("Policy", ".docx")] * 4 + [("Board minutes", ".txt")] * 4
MINUTES = (
    "Item 4. Safeguarding report. The lead presented the quarterly figures on training compliance and the "
    "outcome of the case file audit; the board agreed the actions and asked for an update in three months.\n"
)


def build_template(folder: Path, forms: FormRegistry) -> str:
    """The demo workspace; returns the name of the agency whose complete 2026/27 return is unsigned."""
    ws = Workspace.open(folder, forms=forms)
    try:
        ws.bind()
        made = demo.generate(ws, agencies=2)
    finally:
        ws.close()
    return made.agency_names[1]


def evidence_bytes(n: int, rng: random.Random) -> tuple[str, bytes]:
    """File number ``n``: its name and EVIDENCE_FILE_BYTES of content like that kind of file (text compresses,
    a scan or a .docx does not)."""
    stem, suffix = EVIDENCE_KINDS[n % len(EVIDENCE_KINDS)]
    head = {".pdf": b"%PDF-1.7\n", ".docx": b"PK\x03\x04", ".txt": b""}[suffix]
    if suffix == ".txt":
        body = (MINUTES * (EVIDENCE_FILE_BYTES // len(MINUTES) + 1)).encode()
    else:
        body = rng.randbytes(EVIDENCE_FILE_BYTES)
    return f"{stem} {n + 1:02d}{suffix}", (head + body)[:EVIDENCE_FILE_BYTES]


def add_evidence(folder: Path, forms: FormRegistry, agency_name: str, files: Path) -> None:
    """Attach EVIDENCE_FILES files to as many rated statements, spread evenly over the form."""
    rng = random.Random(11)
    files.mkdir()
    ws = Workspace.open(folder, forms=forms)
    try:
        ws.bind()
        sub = current_section11(agency_name)
        rated = [item.id for item in returns.form_of(ws, sub).items() if item.type == "rating"]
        step = len(rated) / EVIDENCE_FILES
        for n in range(EVIDENCE_FILES):
            name, data = evidence_bytes(n, rng)
            path = files / name
            path.write_bytes(data)
            evidence.add_file(ws, sub.id, rated[int(n * step)], path)
    finally:
        ws.close()


def one_run(folder: Path, forms: FormRegistry, agency_name: str, bundle: Path) -> dict[str, float | int]:
    """Open the copy, then time unlock, floor, sign-off and export of the unsigned return (seconds)."""
    ws = Workspace.open(folder, forms=forms)
    try:
        ws.bind()
        sub = current_section11(agency_name)
        if sub.status != "draft" or sub.percent_complete != 100:
            raise RuntimeError(f"expected a complete draft, found {sub.status} at {sub.percent_complete}%")
        row = identities.current(ws, sub.agency.id)
        assert row is not None

        info = returns.get_submission(ws, sub.id)

        t0 = time.perf_counter()
        key = identities.unlock(row, demo.DEMO_PASSPHRASE)
        t1 = time.perf_counter()
        stamp = now_iso()
        floor_pdf = render_submission_pdf(
            signoff.document(
                ws,
                info,
                status="signed",
                signatory_name=SIGNATORY[0],
                signatory_role=SIGNATORY[1],
                signed_at=stamp,
                certificate_fingerprint=format_fingerprint(row.fingerprint),
                generated_at=stamp,
            ),
            draft=False,
        )
        t2 = time.perf_counter()
        signed = signoff.sign_off(ws, sub.id, signatory_name=SIGNATORY[0], signatory_role=SIGNATORY[1], key=key)
        t3 = time.perf_counter()
        result = signoff.export(ws, sub.id, bundle, key=key)
        t4 = time.perf_counter()
        form = returns.form_of(ws, sub)
        answers = returns.load_answers(ws, sub.id)
        attached = [f for item in form.items() for f in ef.files_of(item, answers.get(item.id))]
        return {
            "unlock": t1 - t0,
            "floor": t2 - t1,
            "sign_off": t3 - t2,
            "export": t4 - t3,
            "total": t4 - t2,
            "answers": Answer.select().where(Answer.submission == sub.id).count(),
            "pages": floor_pdf.page_count,
            "floor_pdf_bytes": len(floor_pdf.data),
            "signed_pdf_bytes": len(signoff.signed_pdf(ws, signed)),
            "bundle_bytes": result.size,
            "evidence_files": len(attached),
            "evidence_bytes": sum(f["size"] for f in attached),
        }
    finally:
        ws.close()


TIMED = ("floor", "sign_off", "export", "total", "unlock")
LABELS = {
    "floor": "render PDF alone (floor)",
    "sign_off": "sign-off",
    "export": "export",
    "total": "sign-off + export",
    "unlock": "unlock (passphrase -> key)",
}
SCENARIOS = {"plain": "the return as the demo makes it", "evidence": f"with {EVIDENCE_FILES} evidence files added"}


def report(title: str, times: dict[str, list[float]], sizes: dict[str, int], reps: int) -> dict[str, Any]:
    """Print one scenario's table and ratios; its figures for the JSON."""
    stats = {name: summary(values) for name, values in times.items()}
    floor = stats["floor"]
    ms = lambda s: f"{s * 1000:.1f}"  # noqa: E731
    rows = [["", "median ms", "p95 ms", "min ms", "max ms", "x floor (median)"]]
    for name, label in LABELS.items():
        s = stats[name]
        rows.append(
            [label, ms(s["median"]), ms(s["p95"]), ms(s["min"]), ms(s["max"]), f"{s['median'] / floor['median']:.2f}"]
        )
    print(
        f"\nSign-off and export of a Section 11 return, {title} ({sizes['answers']} answers, "
        f"{sizes['evidence_files']} evidence files of {sizes['evidence_bytes'] / 2**20:.2f} MiB, "
        f"{sizes['pages']} pages, "
        f"signed PDF {sizes['signed_pdf_bytes'] / 1024:.0f} KiB, bundle {sizes['bundle_bytes'] / 1024:.0f} KiB), "
        f"{reps} runs"
    )
    print(table(rows))
    ratio = stats["total"]["median"] / floor["median"]
    ratio_p95 = stats["total"]["p95"] / floor["p95"]
    print(f"ratio (sign-off + export) / floor: median {ratio:.2f}, p95 {ratio_p95:.2f}")
    return {
        "return": sizes,
        "seconds": stats,
        "runs_s": times,
        "ratio_total_median": ratio,
        "ratio_total_p95": ratio_p95,
        "ratio_sign_off_median": stats["sign_off"]["median"] / floor["median"],
        "ratio_export_median": stats["export"]["median"] / floor["median"],
        "ratio_unlock_median": stats["unlock"]["median"] / floor["median"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=15)
    args = parser.parse_args()

    forms = FormRegistry.load()
    times: dict[str, dict[str, list[float]]] = {sc: {k: [] for k in TIMED} for sc in SCENARIOS}
    sizes: dict[str, dict[str, int]] = {}
    with tempfile.TemporaryDirectory(prefix="oscb-bench-export-") as tmp_name:
        tmp = Path(tmp_name)
        templates = {"plain": tmp / "template", "evidence": tmp / "template-evidence"}
        t0 = time.perf_counter()
        agency_name = build_template(templates["plain"], forms)
        shutil.copytree(templates["plain"], templates["evidence"])
        add_evidence(templates["evidence"], forms, agency_name, tmp / "evidence-files")
        print(f"demo workspaces built in {time.perf_counter() - t0:.1f} s; signing the return of {agency_name}")
        for rep in range(WARMUP + args.reps):
            for scenario, template in templates.items():
                run_folder = tmp / f"run{rep}-{scenario}"
                shutil.copytree(template, run_folder)
                bundle = tmp / f"run{rep}-{scenario}.oscb"
                run = one_run(run_folder, forms, agency_name, bundle)
                shutil.rmtree(run_folder)
                bundle.unlink()
                if rep >= WARMUP:
                    for name in TIMED:
                        times[scenario][name].append(float(run[name]))
                    sizes[scenario] = {k: int(v) for k, v in run.items() if k not in TIMED}

    results = {sc: report(title, times[sc], sizes[sc], args.reps) for sc, title in SCENARIOS.items()}
    plain, with_files = (results[sc]["seconds"] for sc in SCENARIOS)
    extra = {k: with_files[k]["median"] - plain[k]["median"] for k in ("floor", "sign_off", "export", "total")}
    print(
        "\nwhat the evidence files add (medians): "
        + ", ".join(f"{LABELS[k]} {v * 1000:+.1f} ms" for k, v in extra.items())
        + f"; export with / without: {with_files['export']['median'] / plain['export']['median']:.1f}x"
    )
    out = write_results(
        "bench_export",
        {"repetitions": args.reps, "warmup": WARMUP, **results["plain"], "with_evidence": results["evidence"]},
    )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()

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

**total** = sign-off + export of the same return, reported as a ratio to the floor. Two warm-up runs
are dropped, then ``--reps`` (default 15); median and p95 (nearest rank) of each.

    uv run python bench/bench_export.py [--reps 15]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from _common import summary, table, write_results

from oscb_desktop import demo
from oscb_desktop.forms import FormRegistry
from oscb_desktop.report import render_submission_pdf
from oscb_desktop.services import identities, signoff
from oscb_desktop.services.workspace import Workspace, now_iso
from oscb_desktop.signing import format_fingerprint
from oscb_desktop.store import Agency, Answer, Submission

WARMUP = 2
SIGNATORY = ("Alex Morgan", "Chief Executive")


def build_template(folder: Path, forms: FormRegistry) -> str:
    """The demo workspace; returns the name of the agency whose complete 2026/27 return is unsigned."""
    ws = Workspace.open(folder, forms=forms)
    try:
        ws.bind()
        made = demo.generate(ws, agencies=2)
    finally:
        ws.close()
    return made.agency_names[1]


def one_run(folder: Path, forms: FormRegistry, agency_name: str, bundle: Path) -> dict[str, float | int]:
    """Open the copy, then time unlock, floor, sign-off and export of the unsigned return (seconds)."""
    ws = Workspace.open(folder, forms=forms)
    try:
        ws.bind()
        sub = (
            Submission.select()
            .join(Agency)
            .where(
                (Agency.name == agency_name)
                & (Submission.form_id == "section11")
                & (Submission.period == demo.CURRENT_PERIOD)
            )
            .get()
        )
        if sub.status != "draft" or sub.percent_complete != 100:
            raise RuntimeError(f"expected a complete draft, found {sub.status} at {sub.percent_complete}%")
        row = identities.current(ws, sub.agency.id)
        assert row is not None

        t0 = time.perf_counter()
        key = identities.unlock(row, demo.DEMO_PASSPHRASE)
        t1 = time.perf_counter()
        stamp = now_iso()
        floor_pdf = render_submission_pdf(
            signoff.document(
                ws,
                sub,
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
        }
    finally:
        ws.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=15)
    args = parser.parse_args()

    forms = FormRegistry.load()
    times: dict[str, list[float]] = {k: [] for k in ("floor", "sign_off", "export", "total", "unlock")}
    sizes: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="oscb-bench-export-") as tmp_name:
        tmp = Path(tmp_name)
        template = tmp / "template"
        t0 = time.perf_counter()
        agency_name = build_template(template, forms)
        print(f"demo workspace built in {time.perf_counter() - t0:.1f} s; signing the return of {agency_name}")
        for rep in range(WARMUP + args.reps):
            run_folder = tmp / f"run{rep}"
            shutil.copytree(template, run_folder)
            run = one_run(run_folder, forms, agency_name, tmp / f"run{rep}.oscb")
            shutil.rmtree(run_folder)
            (tmp / f"run{rep}.oscb").unlink()
            if rep >= WARMUP:
                for name in times:
                    times[name].append(float(run[name]))
                sizes = {k: int(v) for k, v in run.items() if k not in times}

    stats = {name: summary(values) for name, values in times.items()}
    floor = stats["floor"]
    ms = lambda s: f"{s * 1000:.1f}"  # noqa: E731
    labels = {
        "floor": "render PDF alone (floor)",
        "sign_off": "sign-off",
        "export": "export",
        "total": "sign-off + export",
        "unlock": "unlock (passphrase -> key)",
    }
    rows = [["", "median ms", "p95 ms", "min ms", "max ms", "x floor (median)"]]
    for name, label in labels.items():
        s = stats[name]
        ratio_to_floor = f"{s['median'] / floor['median']:.2f}"
        rows.append([label, ms(s["median"]), ms(s["p95"]), ms(s["min"]), ms(s["max"]), ratio_to_floor])
    print(
        f"Sign-off and export of a Section 11 return ({sizes['answers']} answers, {sizes['pages']} pages, "
        f"signed PDF {sizes['signed_pdf_bytes'] / 1024:.0f} KiB, bundle {sizes['bundle_bytes'] / 1024:.0f} KiB), "
        f"{args.reps} runs"
    )
    print(table(rows))
    ratio = stats["total"]["median"] / floor["median"]
    ratio_p95 = stats["total"]["p95"] / floor["p95"]
    print(f"ratio (sign-off + export) / floor: median {ratio:.2f}, p95 {ratio_p95:.2f}")
    out = write_results(
        "bench_export",
        {
            "return": sizes,
            "repetitions": args.reps,
            "warmup": WARMUP,
            "seconds": stats,
            "runs_s": times,
            "ratio_total_median": ratio,
            "ratio_total_p95": ratio_p95,
            "ratio_sign_off_median": stats["sign_off"]["median"] / floor["median"],
            "ratio_export_median": stats["export"]["median"] / floor["median"],
            "ratio_unlock_median": stats["unlock"]["median"] / floor["median"],
        },
    )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()

"""Helpers shared by the benchmark scripts: statistics, the machine, writing results."""

from __future__ import annotations

import gc
import json
import os
import platform
import sqlite3
import statistics
import sys
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0-100)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "median": statistics.median(values),
        "p95": percentile(values, 95),
        "min": min(values),
        "max": max(values),
    }


def machine() -> dict[str, Any]:
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
    }


def write_results(name: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{name}.json"
    out.write_text(json.dumps({"benchmark": name, "machine": machine(), **data}, indent=2) + "\n", encoding="utf-8")
    return out


def table(rows: list[list[str]]) -> str:
    """A plain text table, first row the header, columns after the first right-aligned."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [row[0].ljust(widths[0]), *(c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True))]
        lines.append("  ".join(cells))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


# Memory --------------------------------------------------------------------------------------------


def status_kb(field: str) -> int | None:
    """A field of /proc/self/status in KiB (VmRSS, VmHWM...), or None off Linux."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def reset_peak_rss() -> int | None:
    """Reset the peak resident size (Linux) and return the current one in KiB; None where that cannot be done."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return None
    return status_kb("VmRSS")


def traced_mib(run: Any) -> dict[str, float]:
    """Peak of the memory Python allocated while ``run`` ran, and what was still held when it returned
    (tracemalloc, so slow: untimed)."""
    tracemalloc.start()
    try:
        result = run()
        peak = tracemalloc.get_traced_memory()[1]
        gc.collect()  # cyclic garbage (pyHanko's readers, zip files) is not "retained"
        current = tracemalloc.get_traced_memory()[0]
        del result
        return {"peak": peak / 2**20, "retained": current / 2**20}
    finally:
        tracemalloc.stop()


def current_section11(agency_name: str) -> Any:
    """The agency's Section 11 return (a ``Submission`` row) for the demo's current period, in the bound workspace."""
    from oscb_desktop import demo
    from oscb_desktop.store import Agency, Submission

    return (
        Submission.select()
        .join(Agency)
        .where(
            (Agency.name == agency_name)
            & (Submission.form_id == "section11")
            & (Submission.period == demo.CURRENT_PERIOD)
        )
        .get()
    )

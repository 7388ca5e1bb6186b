"""Import throughput of encrypted bundles (``.oscb.p7m``) as a ratio to the same bundles plain.

The bundles are real: ``demo.generate(ws, agencies=N, sign_all=True)`` and ``demo.export_signed`` (plain), then
each encrypted for a Business Unit's RSA-3072 key with :func:`oscb_desktop.signing.envelope.encrypt`, as an
agency's export does. Per round, alternately: **plain**: ``imports.import_paths`` of the plain folder into a fresh
Business Unit workspace; **encrypted**: the same for the encrypted folder with the key unlocked once (the unlock is
timed apart: it is once per import run, whatever the number of files). Every result must be ``imported``.

    uv run python bench/bench_import_encrypted.py [--agencies 20] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import summary, table, write_results

from oscb_desktop import demo
from oscb_desktop.services import imports, partnership_admin
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.signing import envelope

PASSPHRASE = "correct horse battery"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agencies", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="oscb-bench-enc-") as tmp:
        root = Path(tmp)
        with Workspace.open(root / "agencies") as ws:
            ws.bind()
            demo.generate(ws, agencies=args.agencies, sign_all=True)
            plain = demo.export_signed(ws, root / "plain")
        with Workspace.open(root / "key-holder") as bu:
            bu.bind()
            partnership_admin.init(bu, name="Bench Partnership", short_name="BENCH", passphrase=PASSPHRASE)
            identity = partnership_admin.current_identity(bu)
        key = partnership_admin.unlock(identity, PASSPHRASE)
        (root / "sealed").mkdir()
        for path in plain:
            (root / "sealed" / (path.name + envelope.ENVELOPE_SUFFIX)).write_bytes(
                envelope.encrypt(path.read_bytes(), [key.certificate])
            )
        count = len(plain)
        times: dict[str, list[float]] = {"plain": [], "encrypted": [], "unlock": []}
        for n in range(args.rounds):
            for kind in ("plain", "encrypted"):
                folder = root / f"bu-{kind}-{n}"
                with Workspace.open(folder) as ws:
                    ws.bind()
                    partnership_admin.init(ws, name="Bench Partnership", short_name="BENCH", passphrase=PASSPHRASE)
                    run_key = None
                    if kind == "encrypted":
                        started = time.perf_counter()
                        run_key = partnership_admin.unlock(identity, PASSPHRASE)  # same key: the bundles open
                        times["unlock"].append(time.perf_counter() - started)
                    started = time.perf_counter()
                    results = imports.import_paths(ws, [root / ("sealed" if run_key else "plain")], trust_new=True,
                                                   key=run_key)  # fmt: skip
                    times[kind].append(time.perf_counter() - started)
                assert len(results) == count and all(r.outcome == "imported" for r in results), results[:3]
    plain_s, sealed_s = statistics.median(times["plain"]), statistics.median(times["encrypted"])
    ratio = sealed_s / plain_s
    print(table([
        ["", "median s", "bundles/s"],
        ["plain", f"{plain_s:.2f}", f"{count / plain_s:.1f}"],
        ["encrypted", f"{sealed_s:.2f}", f"{count / sealed_s:.1f}"],
        ["unlock (once per run)", f"{statistics.median(times['unlock']):.2f}", ""],
    ]))  # fmt: skip
    print(f"{count} bundles; encrypted / plain = {ratio:.2f}")
    write_results(
        "import_encrypted",
        {
            "bundles": count,
            "ratio_encrypted_to_plain": round(ratio, 3),
            **{k: summary(v) for k, v in times.items()},
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

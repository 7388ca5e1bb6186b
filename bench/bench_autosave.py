"""Cost of one autosave, as a ratio to a bare SQLite commit measured in the same run.

One autosave: ``Autosaver.change`` + ``Autosaver.save`` of one text item on a Section 11 2026/27
return that holds ~60 answers: what the GUI's timer waits for before it shows "saved", one committed
transaction with the answer and its audit entry. The percent complete is stored just after
(``Autosaver.settle``, once the mark is shown); that is timed too, as ``settle_s``, and the whole
``flush`` (save + settle) as ``save_and_settle_s``, for comparison with earlier runs.

Floor: the ``sqlite3`` module on a file in the same temporary folder, same pragmas (WAL,
synchronous=FULL), one-row ``UPDATE`` + ``COMMIT``.

The two are interleaved (floor, autosave, floor, autosave ...) so both see the same disk and load.

    uv run python bench/bench_autosave.py [--reps 200]
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import summary, table, write_results

from oscb_desktop.forms import FormDefinition
from oscb_desktop.services import returns
from oscb_desktop.services.agencies import create_agency
from oscb_desktop.services.autosave import Autosaver
from oscb_desktop.services.workspace import Workspace

WARMUP = 10
LEVELS = ("green", "amber", "blue", "green", "red")


def filled_answers(form: FormDefinition, tables: int = 4) -> dict[str, Any]:
    """Plausible answers: every rating and text item, and two action rows in the first few tables."""
    answers: dict[str, Any] = {}
    for n, item in enumerate(form.items()):
        if item.type == "rating":
            level = LEVELS[n % len(LEVELS)]
            answers[item.id] = {
                "level": level,
                "evidence": f"Evidence for {item.id}: policy reviewed by the board, audit in March. " * 3,
                "example": f"Example for {item.id}: a case where the service escalated a concern."
                if level == "blue"
                else "",
                "reason": "",
            }
        elif item.type == "short_text":
            answers[item.id] = f"Answer to {item.id}"
        elif item.type == "long_text":
            answers[item.id] = f"Answer to {item.id}. " * 10
        elif item.type == "table" and tables > 0:
            tables -= 1
            answers[item.id] = [
                {
                    "action": f"Action {r} for {item.id}",
                    "lead": "Sam Lead",
                    "due": "2027-03-31",
                    "status": "in_progress",
                }
                for r in (1, 2)
            ]
    return answers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=200)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="oscb-bench-autosave-") as tmp:
        folder = Path(tmp)
        ws = Workspace.open(folder / "ws")
        ws.bind()
        agency = create_agency(ws, "Bench Community Trust", sector="health")
        sub = returns.start_return(ws, agency.id, "section11", "2026/27")
        form = returns.form_of(ws, sub)
        returns.save_answers(ws, sub.id, filled_answers(form))
        n_answers = len(returns.load_answers(ws, sub.id))
        text_item = next(i.id for i in form.items() if i.type == "long_text")
        saver = Autosaver(ws, sub.id)

        floor_db = sqlite3.connect(str(folder / "floor.db"))
        floor_db.execute("PRAGMA journal_mode=WAL")
        floor_db.execute("PRAGMA synchronous=FULL")
        floor_db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, value TEXT)")
        floor_db.execute("INSERT INTO t VALUES (1, '')")
        floor_db.commit()

        floor: list[float] = []
        autosave: list[float] = []
        settle: list[float] = []
        for rep in range(WARMUP + args.reps):
            value = f"Answer typed by the user, revision {rep}. " * 5
            t0 = time.perf_counter()
            floor_db.execute("UPDATE t SET value = ? WHERE id = 1", (value,))
            floor_db.commit()
            t1 = time.perf_counter()
            saver.change(text_item, value)
            saver.save()
            t2 = time.perf_counter()
            saver.settle()
            t3 = time.perf_counter()
            if rep >= WARMUP:
                floor.append(t1 - t0)
                autosave.append(t2 - t1)
                settle.append(t3 - t2)
        floor_db.close()
        ws.close()

    f, a, st = summary(floor), summary(autosave), summary(settle)
    whole = summary([x + y for x, y in zip(autosave, settle, strict=True)])
    ratio = a["median"] / f["median"]
    ms = lambda s: f"{s * 1000:.2f}"  # noqa: E731
    print(f"Autosave of one text item on a return holding {n_answers} answers, {args.reps} repetitions each")
    print(
        table(
            [
                ["", "median ms", "p95 ms", "min ms", "max ms"],
                ["bare SQLite commit (floor)", ms(f["median"]), ms(f["p95"]), ms(f["min"]), ms(f["max"])],
                ["Autosaver change+save (saved mark)", ms(a["median"]), ms(a["p95"]), ms(a["min"]), ms(a["max"])],
                ["then settle (percent complete)", ms(st["median"]), ms(st["p95"]), ms(st["min"]), ms(st["max"])],
                ["save + settle", ms(whole["median"]), ms(whole["p95"]), ms(whole["min"]), ms(whole["max"])],
            ]
        )
    )
    print(f"ratio of medians (autosave / floor): {ratio:.2f}   ratio of p95: {a['p95'] / f['p95']:.2f}")
    out = write_results(
        "bench_autosave",
        {
            "answers_in_return": n_answers,
            "repetitions": args.reps,
            "floor_s": f,
            "autosave_s": a,
            "settle_s": st,
            "save_and_settle_s": whole,
            "ratio_median": ratio,
            "ratio_save_and_settle_median": whole["median"] / f["median"],
            "ratio_p95": a["p95"] / f["p95"],
        },
    )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()

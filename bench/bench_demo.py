"""``oscb-desktop --demo`` and ``--demo --business-unit``: time to the first window and to the demo on screen.

Each run is a fresh Python child with ``QT_QPA_PLATFORM=offscreen`` and a fresh temporary workspace, measured by
this (parent) process from spawning it:

- **first window**: the first window of any kind is shown (the progress window of the demo);
- **ready**: the main window shows the demo workspace (``MainWindow.attached``), rendered once.

The demo is made once and then copied from the user's cache (``oscb_desktop.demo.cache``): the first run of each
kind (``cold``) makes it, the others (``warm``) copy it. The cache is a temporary folder of this run. Compiled
bytecode is kept as an installed app has it (see bench_startup.py).

    uv run python bench/bench_demo.py [--reps 5]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from _common import summary, table, write_results

ROOT = Path(__file__).resolve().parents[1]

CHILD = textwrap.dedent(
    """
    import sys, time
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    app = QApplication.instance() or QApplication([sys.argv[0]])

    class _Hook(QObject):
        first = False

        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Show and isinstance(obj, QWidget) and obj.isWindow():
                if not self.first:
                    self.first = True
                    print("FIRST", flush=True)
                if type(obj).__name__ == "MainWindow":
                    QTimer.singleShot(0, lambda: _when_attached(obj))
            return False

    def _when_attached(window):
        if window.attached:
            window.grab()
            print("READY", flush=True)
            app.exit(0)
        else:
            QTimer.singleShot(5, lambda: _when_attached(window))

    _hook = _Hook()
    app.installEventFilter(_hook)
    from oscb_desktop.ui import app as oscb_app
    sys.exit(oscb_app.main(sys.argv[1:]))
    """
)


def run(script: Path, args: list[str], env: dict[str, str]) -> dict[str, float]:
    t0 = time.perf_counter()
    command = [sys.executable, str(script), *args]
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    seen: dict[str, float] = {}
    for line in proc.stdout:
        word = line.strip()
        if word in ("FIRST", "READY"):
            seen[word.lower()] = time.perf_counter() - t0
        if word == "READY":
            break
    _, err = proc.communicate(timeout=300)
    if "ready" not in seen:
        raise RuntimeError(f"the demo never showed (exit {proc.returncode}):\n{err}")
    return seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    results: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory(prefix="oscb-bench-demo-") as tmp_name:
        tmp = Path(tmp_name)
        script = tmp / "child.py"
        script.write_text(CHILD, encoding="utf-8")
        env = dict(os.environ)
        env.update(QT_QPA_PLATFORM="offscreen", OSCB_CACHE_DIR=str(tmp / "cache"), PYTHONPYCACHEPREFIX=str(tmp / "pyc"))
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env.pop("DISPLAY", None)
        for kind, extra in (("agencies", []), ("business_unit", ["--business-unit"])):
            runs = []
            for n in range(args.reps + 1):
                folder = tmp / f"{kind}-{n}"
                runs.append(run(script, ["--demo", "--data-dir", str(folder), *extra], env))
            cold, warm = runs[0], runs[1:]
            results[kind] = {
                "cold": cold,
                "first_window_s": summary([r["first"] for r in warm]),
                "ready_s": summary([r["ready"] for r in warm]),
            }
    ms = lambda s: f"{s * 1000:.0f}"  # noqa: E731
    rows = [["", "first window ms", "ready ms", "first run (made): ready ms"]]
    for kind, r in results.items():
        first, ready, cold = r["first_window_s"], r["ready_s"], r["cold"]
        assert isinstance(first, dict) and isinstance(ready, dict) and isinstance(cold, dict)
        rows.append([f"--demo {kind.replace('_', '-')}", ms(first["median"]), ms(ready["median"]), ms(cold["ready"])])
    print(f"oscb-desktop --demo, {args.reps} runs each after the first (medians), offscreen")
    print(table(rows))
    out = write_results("bench_demo", {"repetitions": args.reps, **results})
    print(f"wrote {out}")


if __name__ == "__main__":
    main()

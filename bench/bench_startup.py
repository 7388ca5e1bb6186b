"""Start-up time of the app on a 40-agency workspace, as a ratio to a bare PySide6 window.

Every figure is wall-clock time measured by this (parent) process from spawning a fresh Python
child to an event in it, with ``QT_QPA_PLATFORM=offscreen``. The children, run alternately:

- **bare**: imports PySide6 only, creates QApplication + a QMainWindow of the app's size, shows it;
- **app**: ``oscb_desktop.ui.app.main(["--data-dir", WS, ...])``, the real entry point, on a workspace
  of 40 agencies made once with ``oscb_desktop.demo.generate``.

Two measurements of each:

- **shown**: until the child prints ``SHOWN``. It does that from a ``QTimer.singleShot(0)`` queued just after
  the first QMainWindow's ``show()`` (the hook wraps ``QMainWindow.show``), after rendering it once (``grab()``),
  so the window has been built, laid out, painted, and the event loop has turned. The child then exits. The
  same measured with the first version of the hook, an application-wide event filter in Python
  (``*_shown_filter``; see SHOWN_HOOK for why it was replaced);
- **screenshot exit**: until the process exits, running ``python -m oscb_desktop.ui.app --data-dir WS
  --screenshot FILE`` against a bare script that also waits the app's ``SCREENSHOT_SETTLE_MS``, then
  grabs and saves a PNG and exits. Both include that fixed settle delay, which compresses the ratio.

One warm-up run of each is discarded, then ``--reps`` (default 5) of each; median and ratio.

    uv run python bench/bench_startup.py [--reps 5] [--agencies 40]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from _common import summary, table, write_results

ROOT = Path(__file__).resolve().parents[1]

#: Wraps QMainWindow.show: after the first window's show(), once the event loop turns, render it, print SHOWN and
#: quit. It adds no Python to the app's event handling. (The first version of this bench filtered every event of
#: the application in Python to catch the Show event: that made Python wrappers for Qt's internal objects, e.g. a
#: style animation's QPropertyAnimation, and PySide6 then created some 150 enum types, ~25 ms the app without the
#: hook never spends. Kept as FILTER_HOOK and measured beside it: ``ratio_shown_filter_median``.)
SHOWN_HOOK = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

app = QApplication.instance() or QApplication([sys.argv[0]])
_show = QMainWindow.show
_first = []

def _show_then_mark(window):
    _show(window)
    if not _first:
        _first.append(window)
        QTimer.singleShot(0, lambda: _shown(window))

QMainWindow.show = _show_then_mark

def _shown(window):
    window.grab()
    print("SHOWN", flush=True)
    app.exit(0)
"""

#: The first version of the hook: an application-wide event filter in Python, waiting for a QMainWindow's Show.
FILTER_HOOK = """
import sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

app = QApplication.instance() or QApplication([sys.argv[0]])

class _Hook(QObject):
    done = False

    def eventFilter(self, obj, event):
        if not self.done and event.type() == QEvent.Type.Show and isinstance(obj, QMainWindow):
            self.done = True
            QTimer.singleShot(0, lambda: _shown(obj))
        return False

def _shown(window):
    window.grab()
    print("SHOWN", flush=True)
    app.exit(0)

_hook = _Hook()
app.installEventFilter(_hook)
"""

BARE_WINDOW = textwrap.dedent(
    """
    window = QMainWindow()
    window.resize(1400, 900)
    window.show()
    sys.exit(app.exec())
    """
)
BARE_SHOWN = SHOWN_HOOK + BARE_WINDOW
BARE_SHOWN_FILTER = FILTER_HOOK + BARE_WINDOW

#: Like SHOWN_HOOK, but waits until the window shows the open workspace (``MainWindow.attached``: its modes built,
#: the list of returns filled), renders it and prints READY.
READY_HOOK = (
    SHOWN_HOOK.replace("lambda: _shown(window)", "lambda: _when_attached(window)")
    + """
def _when_attached(window):
    if getattr(window, "attached", True):
        window.grab()
        print("READY", flush=True)
        app.exit(0)
    else:
        QTimer.singleShot(2, lambda: _when_attached(window))
"""
)

APP_READY = READY_HOOK + textwrap.dedent(
    """
    from oscb_desktop.ui import app as oscb_app
    sys.exit(oscb_app.main(sys.argv[1:]))
    """
)

APP_MAIN = textwrap.dedent(
    """
    from oscb_desktop.ui import app as oscb_app
    sys.exit(oscb_app.main(sys.argv[1:]))
    """
)
APP_SHOWN = SHOWN_HOOK + APP_MAIN
APP_SHOWN_FILTER = FILTER_HOOK + APP_MAIN

BARE_SCREENSHOT = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication([sys.argv[0]])
    window = QMainWindow()
    window.resize(1400, 900)
    window.show()

    def shoot():
        ok = window.grab().save(sys.argv[1], "PNG")
        app.exit(0 if ok else 1)

    QTimer.singleShot(int(sys.argv[2]), shoot)
    sys.exit(app.exec())
    """
)


#: Where the children keep compiled bytecode (set in main): an installed app has its modules compiled, so a start
#: does not compile them. Without it, a machine with PYTHONDONTWRITEBYTECODE=1 (this one has it) compiles every
#: module of the app and its libraries on every start, which is most of what such a start measures.
PYCACHE: Path | None = None


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    if PYCACHE is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    return env


def time_until_shown(cmd: list[str], word: str = "SHOWN") -> float:
    """Seconds from spawn until the child prints ``word`` (then wait for it to exit)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    elapsed = None
    for line in proc.stdout:
        if line.strip() == word:
            elapsed = time.perf_counter() - t0
            break
    _, err = proc.communicate(timeout=120)
    if elapsed is None:
        raise RuntimeError(f"{cmd} never printed {word} (exit {proc.returncode}):\n{err}")
    return elapsed


def time_until_exit(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, env=child_env(), capture_output=True, text=True, timeout=120)
    elapsed = time.perf_counter() - t0
    if done.returncode != 0:
        raise RuntimeError(f"{cmd} failed (exit {done.returncode}):\n{done.stderr}")
    return elapsed


def build_workspace(folder: Path, agencies: int) -> dict[str, int]:
    from oscb_desktop import demo
    from oscb_desktop.services.workspace import Workspace
    from oscb_desktop.store import Agency, Answer, Submission

    ws = Workspace.open(folder)
    try:
        ws.bind()
        demo.generate(ws, agencies=agencies)
        counts = {"agencies": Agency.select().count(), "returns": Submission.select().count()}
        counts["answers"] = Answer.select().count()
    finally:
        ws.close()
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--agencies", type=int, default=40)
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="compile every module on every start, as PYTHONDONTWRITEBYTECODE=1 does (the figures before 2026-12)",
    )
    args = parser.parse_args()
    global PYCACHE

    from oscb_desktop.ui.app import SCREENSHOT_SETTLE_MS

    with tempfile.TemporaryDirectory(prefix="oscb-bench-startup-") as tmp_name:
        tmp = Path(tmp_name)
        PYCACHE = None if args.no_bytecode_cache else tmp / "pycache"
        ws = tmp / "ws"
        t0 = time.perf_counter()
        counts = build_workspace(ws, args.agencies)
        print(f"workspace: {counts} (built in {time.perf_counter() - t0:.1f} s)")
        db_size = (ws / "workspace.db").stat().st_size
        scripts = {}
        for name, text in (
            ("bare_shown", BARE_SHOWN),
            ("app_shown", APP_SHOWN),
            ("app_ready", APP_READY),
            ("bare_shown_filter", BARE_SHOWN_FILTER),
            ("app_shown_filter", APP_SHOWN_FILTER),
            ("bare_shot", BARE_SCREENSHOT),
        ):
            scripts[name] = tmp / f"{name}.py"
            scripts[name].write_text(text, encoding="utf-8")
        png = str(tmp / "shot.png")
        py = sys.executable
        runs = {
            "bare_shown": lambda: time_until_shown([py, str(scripts["bare_shown"])]),
            "app_shown": lambda: time_until_shown([py, str(scripts["app_shown"]), "--data-dir", str(ws)]),
            "app_ready": lambda: time_until_shown([py, str(scripts["app_ready"]), "--data-dir", str(ws)], "READY"),
            "bare_shown_filter": lambda: time_until_shown([py, str(scripts["bare_shown_filter"])]),
            "app_shown_filter": lambda: time_until_shown([py, str(scripts["app_shown_filter"]), "--data-dir", str(ws)]),
            "bare_screenshot_exit": lambda: time_until_exit(
                [py, str(scripts["bare_shot"]), png, str(SCREENSHOT_SETTLE_MS)]
            ),
            "app_screenshot_exit": lambda: time_until_exit(
                [py, "-m", "oscb_desktop.ui.app", "--data-dir", str(ws), "--screenshot", png]
            ),
        }
        times: dict[str, list[float]] = {name: [] for name in runs}
        for rep in range(args.reps + 1):  # the first round warms the disk cache and is dropped
            for name, run in runs.items():
                elapsed = run()
                if rep:
                    times[name].append(elapsed)

    stats = {name: summary(values) for name, values in times.items()}
    ratio_shown = stats["app_shown"]["median"] / stats["bare_shown"]["median"]
    ratio_ready = stats["app_ready"]["median"] / stats["bare_shown"]["median"]
    ratio_exit = stats["app_screenshot_exit"]["median"] / stats["bare_screenshot_exit"]["median"]
    ratio_filter = stats["app_shown_filter"]["median"] / stats["bare_shown_filter"]["median"]
    ms = lambda s: f"{s * 1000:.0f}"  # noqa: E731
    print(f"Start-up on a workspace of {counts['agencies']} agencies, {args.reps} runs each (offscreen)")
    rows = [["", "median ms", "min ms", "max ms", "runs (ms)"]]
    for name in runs:
        s = stats[name]
        rows.append([name, ms(s["median"]), ms(s["min"]), ms(s["max"]), " ".join(ms(v) for v in times[name])])
    print(table(rows))
    print(f"ratio app/bare, window shown:      {ratio_shown:.2f}")
    print(f"ratio app/bare, workspace shown:   {ratio_ready:.2f}  (modes built, list of returns filled)")
    print(f"ratio app/bare, window shown, the first hook (an event filter): {ratio_filter:.2f}")
    print(f"ratio app/bare, screenshot + exit: {ratio_exit:.2f}  (both include a {SCREENSHOT_SETTLE_MS} ms settle)")
    out = write_results(
        "bench_startup",
        {
            "workspace": {**counts, "db_bytes": db_size},
            "bytecode_cached": not args.no_bytecode_cache,
            "repetitions": args.reps,
            "screenshot_settle_ms": SCREENSHOT_SETTLE_MS,
            "seconds": stats,
            "runs_s": times,
            "ratio_shown_median": ratio_shown,
            "ratio_ready_median": ratio_ready,
            "ratio_screenshot_exit_median": ratio_exit,
            "ratio_shown_filter_median": ratio_filter,
            "app_shown_minus_bare_shown_s": statistics.median(times["app_shown"])
            - statistics.median(times["bare_shown"]),
        },
    )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()

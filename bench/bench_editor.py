"""Opening a complete Section 11 return in the editor, ready for typing, as a ratio to building bare Qt widgets.

The return is the second demo agency's Section 11 2026/27 return from ``demo.generate(ws, agencies=2)``:
complete, not signed, with evidence files on its statements. In one process (offscreen), alternately:

- **open**: ``EditorPage(ws, id)`` in a 1400x900 window, shown, then ``QApplication.processEvents()`` and a
  ``grab()`` (laid out and painted), with the cursor put in the first item: what the user waits for between
  choosing the return and typing in it;
- **floor**: the same number of bare widgets the opened editor holds (``QLabel`` and ``QLineEdit`` in turn, in
  a ``QVBoxLayout`` in a ``QScrollArea``), in the same window, shown, processed and grabbed.

The editor builds a section's widgets when the section is first shown, so the figure also says how many
widgets the whole return would take (``widgets_all``) and the time to build every section (``all_sections``).
A warm-up pair is dropped.

    uv run python bench/bench_editor.py [--reps 15]
"""

from __future__ import annotations

import argparse
import gc
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from _common import current_section11, summary, table, write_results
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QMainWindow, QScrollArea, QVBoxLayout, QWidget

from oscb_desktop import demo
from oscb_desktop.forms import FormRegistry
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.ui.editor.page import EditorPage


def window() -> QMainWindow:
    w = QMainWindow()
    w.resize(1400, 900)
    return w


def open_editor(ws: Workspace, sub_id: str) -> tuple[float, int, EditorPage, QMainWindow]:
    """Seconds to a painted editor with the cursor in its first item; the widgets it holds then."""
    t0 = time.perf_counter()
    w = window()
    page = EditorPage(ws, sub_id)
    w.setCentralWidget(page)
    w.show()
    page.focus_first_item()
    QApplication.processEvents()
    w.grab()
    elapsed = time.perf_counter() - t0
    return elapsed, len(page.findChildren(QWidget)), page, w


def bare(count: int) -> float:
    t0 = time.perf_counter()
    w = window()
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    inner = QWidget()
    col = QVBoxLayout(inner)
    for n in range(count):
        col.addWidget(QLabel(f"Label {n}") if n % 2 else QLineEdit(f"Field {n}"))
    scroll.setWidget(inner)
    w.setCentralWidget(scroll)
    w.show()
    QApplication.processEvents()
    w.grab()
    return time.perf_counter() - t0


def close(w: QMainWindow) -> None:
    """Close and delete the window now (untimed), so the next run does not pay for this one's teardown."""
    w.close()
    w.deleteLater()
    QApplication.processEvents()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # processEvents leaves deletions queued
    gc.collect()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=15)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    forms = FormRegistry.load()
    with tempfile.TemporaryDirectory(prefix="oscb-bench-editor-") as tmp:
        ws = Workspace.open(Path(tmp) / "ws", forms=forms)
        try:
            ws.bind()
            made = demo.generate(ws, agencies=2)
            sub_id = str(current_section11(made.agency_names[1]).id)
            opened: list[float] = []
            floor: list[float] = []
            every: list[float] = []
            widgets = widgets_all = 0
            for rep in range(args.reps + 1):
                elapsed, widgets, page, w = open_editor(ws, sub_id)
                t0 = time.perf_counter()
                for n in range(len(page.form.sections)):
                    page.go_to_section(n)
                QApplication.processEvents()
                all_built = time.perf_counter() - t0 + elapsed
                widgets_all = len(page.findChildren(QWidget))
                page.autosave.stop()
                close(w)
                f = bare(widgets)
                close_bare = QApplication.topLevelWidgets()
                for top in close_bare:
                    if isinstance(top, QMainWindow):
                        close(top)
                if rep:
                    opened.append(elapsed)
                    floor.append(f)
                    every.append(all_built)
        finally:
            ws.close()
    o, fl, ev = summary(opened), summary(floor), summary(every)
    ratio = o["median"] / fl["median"]
    ms = lambda s: f"{s * 1000:.0f}"  # noqa: E731
    print(f"Opening a complete Section 11 return ({widgets} widgets when opened, {widgets_all} with every section)")
    print(
        table(
            [
                ["", "median ms", "p95 ms", "min ms", "max ms"],
                [f"{widgets} bare widgets (floor)", ms(fl["median"]), ms(fl["p95"]), ms(fl["min"]), ms(fl["max"])],
                ["open the editor, ready to type", ms(o["median"]), ms(o["p95"]), ms(o["min"]), ms(o["max"])],
                ["... and then every section", ms(ev["median"]), ms(ev["p95"]), ms(ev["min"]), ms(ev["max"])],
            ]
        )
    )
    print(f"ratio open / floor: {ratio:.2f}")
    out = write_results(
        "bench_editor",
        {
            "repetitions": args.reps,
            "widgets_opened": widgets,
            "widgets_all": widgets_all,
            "open_s": o,
            "floor_s": fl,
            "all_sections_s": ev,
            "ratio_median": ratio,
        },
    )
    print(f"wrote {out}")
    del app


if __name__ == "__main__":
    main()

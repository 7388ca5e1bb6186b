"""``oscb-desktop``: start the GUI."""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from oscb_desktop import __version__, demo, logs, paths
from oscb_desktop.services import agencies, imports, registry
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.store import DatabaseTooNewError
from oscb_desktop.ui import crash, ops
from oscb_desktop.ui.main_window import MainWindow

DEMO_AGENCIES = 12
DEMO_BU_AGENCIES = 15
#: Time the window is given to settle (layouts, first paint) before a --screenshot is taken.
SCREENSHOT_SETTLE_MS = 600


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="oscb-desktop", description="OSCB Desktop: Section 11 and impact returns.")
    p.add_argument("--version", action="version", version=f"oscb-desktop {__version__}")
    p.add_argument("--data-dir", type=Path, metavar="DIR", help="workspace folder (default: your user data folder)")
    p.add_argument("--demo", action="store_true", help="open a fresh temporary workspace filled with demo data")
    p.add_argument("--demo-agencies", type=int, default=None, metavar="N", help=argparse.SUPPRESS)
    p.add_argument(
        "--business-unit",
        action="store_true",
        help=(
            "open the Business Unit's workspace (with --demo: agencies' returns imported, some reviewed and "
            "moderated; otherwise an empty workspace becomes the Business Unit's)"
        ),
    )
    p.add_argument("--screenshot", type=Path, metavar="FILE.png", help="save a PNG of the main window, then exit")
    p.add_argument(
        "--open-first-return",
        action="store_true",
        help="open the current profile's first return in the editor (useful with --screenshot)",
    )
    return p


def load_stylesheet() -> str:
    try:
        return paths.resource("style", "app.qss").read_text(encoding="utf-8")
    except OSError:
        return ""


def open_workspace(args: argparse.Namespace) -> Workspace:
    """Raises ImportRefusedError for --business-unit on an agency's workspace."""
    if args.demo:
        folder = args.data_dir or Path(tempfile.mkdtemp(prefix="oscb-demo-"))
        if args.data_dir is None:
            atexit.register(shutil.rmtree, folder, True)
        with Workspace.open(folder) as ws:  # demo data goes only into an empty workspace
            empty, forms = not agencies.has_profiles(ws) and not registry.is_business_unit(ws), ws.forms
        if empty and args.business_unit:
            demo.build_business_unit(folder, agencies=args.demo_agencies or DEMO_BU_AGENCIES, forms=forms)
        elif empty:
            demo.build_agencies(folder, agencies=args.demo_agencies or DEMO_AGENCIES, forms=forms)
        ws = Workspace.open(folder, forms=forms)
        ws.bind()
        return ws
    ws = Workspace.open(args.data_dir)
    ws.bind()
    if args.business_unit:
        try:
            imports.check_can_import(ws)  # an empty workspace becomes the Business Unit's; an agency's is refused
        except imports.ImportRefusedError:
            ws.close()
            raise
    return ws


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logs.configure("oscb-desktop")
    ops.share_the_gil()
    if args.screenshot is not None and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        # A screenshot needs no screen: render offscreen on a headless machine.
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("OSCB Desktop")
    app.setOrganizationName("OSCB")
    app.setApplicationVersion(__version__)
    app.setStyleSheet(load_stylesheet())
    try:
        ws = open_workspace(args)
    except DatabaseTooNewError as exc:
        if args.screenshot is None:
            QMessageBox.critical(None, "Workspace made by a newer version", str(exc))
        print(f"oscb-desktop: {exc}", file=sys.stderr)
        return 2
    except imports.ImportRefusedError as exc:
        if args.screenshot is None:
            QMessageBox.critical(None, "Not a Business Unit workspace", str(exc))
        print(f"oscb-desktop: {exc}", file=sys.stderr)
        return 2
    for err in ws.forms.errors:
        print(f"oscb-desktop: form definition not loaded: {err}", file=sys.stderr)
    window = MainWindow(ws, ws.forms.errors)
    window.show()
    if args.open_first_return:
        first = window.agency.home.selected()
        if first is not None:
            window.agency.open_return(first.id)
    if args.screenshot is not None:
        target = args.screenshot

        def shoot() -> None:
            target.parent.mkdir(parents=True, exist_ok=True)
            ok = window.grab().save(str(target), "PNG")
            app.exit(0 if ok else 1)

        QTimer.singleShot(SCREENSHOT_SETTLE_MS, shoot)
    try:
        with crash.installed():
            return int(app.exec())
    finally:
        window.agency.close_editor()
        ws.close()


if __name__ == "__main__":
    sys.exit(main())

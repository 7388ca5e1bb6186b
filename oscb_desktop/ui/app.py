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

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from oscb_desktop import __version__, demo, logs, paths
from oscb_desktop.forms import FormRegistry
from oscb_desktop.services import agencies, imports, registry
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.store import DatabaseTooNewError
from oscb_desktop.ui import crash, ops, qt_messages
from oscb_desktop.ui.main_window import MainWindow
from oscb_desktop.ui.ops import Job

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


class StartError(Exception):
    """The workspace cannot be opened; ``title`` and the message are for the user."""

    def __init__(self, title: str, text: str) -> None:
        super().__init__(text)
        self.title = title


def demo_folder(args: argparse.Namespace) -> Path:
    folder: Path = args.data_dir or Path(tempfile.mkdtemp(prefix="oscb-demo-"))
    if args.data_dir is None:
        atexit.register(shutil.rmtree, folder, True)
    return folder


def demo_needed(folder: Path, forms: FormRegistry) -> bool:
    """Demo data goes only into an empty workspace."""
    with Workspace.open(folder, forms=forms) as ws:
        return not agencies.has_profiles(ws) and not registry.is_business_unit(ws)


def build_demo(args: argparse.Namespace, folder: Path, forms: FormRegistry, progress: demo.Progress | None) -> None:
    """Fill the empty workspace in ``folder`` with demo data (any thread; it opens and closes its workspaces)."""
    if args.business_unit:
        demo.build_business_unit(
            folder, agencies=args.demo_agencies or DEMO_BU_AGENCIES, forms=forms, progress=progress
        )
    else:
        demo.build_agencies(folder, agencies=args.demo_agencies or DEMO_AGENCIES, forms=forms, progress=progress)


def open_workspace(args: argparse.Namespace, folder: Path | None, forms: FormRegistry | None = None) -> Workspace:
    """Open the workspace the window shows. Raises :class:`StartError` with words for the user."""
    try:
        ws = Workspace.open(folder, forms=forms)
    except DatabaseTooNewError as exc:
        raise StartError("Workspace made by a newer version", str(exc)) from exc
    if args.business_unit and not args.demo:
        try:
            imports.check_can_import(ws)  # an empty workspace becomes the Business Unit's; an agency's is refused
        except imports.ImportRefusedError as exc:
            ws.close()
            raise StartError("Not a Business Unit workspace", str(exc)) from exc
    return ws


class Launcher(QObject):
    """Starts the app: the demo data built in the background behind a progress window when asked for, then the
    workspace opened and the main window shown (and, for --screenshot, grabbed)."""

    def __init__(self, app: QApplication, args: argparse.Namespace) -> None:
        super().__init__()
        self.app = app
        self.args = args
        self.ws: Workspace | None = None
        self.window: MainWindow | None = None
        self.exit_code = 0

    def start(self) -> None:
        args = self.args
        if not args.demo:
            self._open(args.data_dir)
            return
        folder = demo_folder(args)
        forms = FormRegistry.load()
        try:
            needed = demo_needed(folder, forms)
        except DatabaseTooNewError as exc:
            self._fail(StartError("Workspace made by a newer version", str(exc)))
            return
        if not needed:
            self._open(folder, forms)
            return
        what = "the Business Unit's demo workspace" if args.business_unit else "the demo agencies' returns"

        def work(job: Job[None]) -> None:
            build_demo(args, folder, forms, job.progress)

        job = Job(None, "OSCB Desktop", work, label=f"Preparing {what}…", modal=False)
        job.on_success(lambda _none: self._open(folder, forms))
        job.on_failure(lambda exc: self._fail(StartError("The demo could not be prepared", str(exc))))
        job.start()

    def _open(self, folder: Path | None, forms: FormRegistry | None = None) -> None:
        try:
            ws = open_workspace(self.args, folder, forms)
        except StartError as exc:
            self._fail(exc)
            return
        self.ws = ws
        for err in ws.forms.errors:
            print(f"oscb-desktop: form definition not loaded: {err}", file=sys.stderr)
        window = MainWindow(ws, ws.forms.errors)
        self.window = window
        window.show()
        window.agency.replay_journal()  # what an earlier run could not save: stored now, and said
        if self.args.open_first_return:
            first = window.agency.home.selected()
            if first is not None:
                window.agency.open_return(first.id)
        if self.args.screenshot is not None:
            QTimer.singleShot(SCREENSHOT_SETTLE_MS, self._shoot)

    def _shoot(self) -> None:
        assert self.window is not None
        target = self.args.screenshot
        target.parent.mkdir(parents=True, exist_ok=True)
        ok = self.window.grab().save(str(target), "PNG")
        self.exit_code = 0 if ok else 1
        self.app.exit(self.exit_code)

    def _fail(self, exc: StartError) -> None:
        print(f"oscb-desktop: {exc}", file=sys.stderr)
        self.exit_code = 2
        if self.args.screenshot is None:
            QMessageBox.critical(None, exc.title, str(exc))
        # Leave the event loop once it runs (this may be called before app.exec()).
        QTimer.singleShot(0, lambda: self.app.exit(2))

    def close(self) -> None:
        if self.window is not None:
            self.window.agency.close_editor()
        if self.ws is not None:
            self.ws.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logs.configure("oscb-desktop")
    qt_messages.install()
    ops.share_the_gil()
    if args.screenshot is not None and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        # A screenshot needs no screen: render offscreen on a headless machine.
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0]])
    app.setApplicationName("OSCB Desktop")
    app.setOrganizationName("OSCB")
    app.setApplicationVersion(__version__)
    app.setStyleSheet(load_stylesheet())
    launcher = Launcher(app, args)
    launcher.start()
    try:
        with crash.installed():
            code = int(app.exec())
    finally:
        launcher.close()
    return launcher.exit_code or code


if __name__ == "__main__":
    sys.exit(main())

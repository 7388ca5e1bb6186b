"""``oscb-desktop``: start the GUI."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from oscb_desktop import __version__, logs, paths
from oscb_desktop.textsafe import shown
from oscb_desktop.ui import crash, ops, qt_messages
from oscb_desktop.ui.common import keep_until_closed
from oscb_desktop.ui.icon import app_icon
from oscb_desktop.ui.main_window import MainWindow
from oscb_desktop.ui.opening import StartError, build_demo, demo_folder, demo_needed, open_workspace
from oscb_desktop.ui.ops import Job

# The window is on screen before any of these is loaded (the store, the forms and the modes' modules, about a
# second together): they load on a worker behind it (see Launcher.start; tests/gui/test_app.py checks).
if TYPE_CHECKING:
    from oscb_desktop.forms import FormRegistry
    from oscb_desktop.services import backups
    from oscb_desktop.services.workspace import Workspace
    from oscb_desktop.store import WorkspaceError
    from oscb_desktop.ui.instance import InstanceServer

#: Time the window is given to settle (layouts, first paint) before a --screenshot is taken.
SCREENSHOT_SETTLE_MS = 600


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="oscb-desktop", description="OSCB Desktop: Section 11 and impact returns.")
    p.add_argument("--version", action="version", version=f"oscb-desktop {__version__}")
    p.add_argument("--data-dir", type=Path, metavar="DIR", help="workspace folder (default: your user data folder)")
    p.add_argument(
        "--database",
        metavar="URL",
        default=os.environ.get("OSCB_DATABASE") or None,
        help="a Business Unit workspace on a PostgreSQL server: postgresql://user@host:port/dbname (the password "
        "from PGPASSWORD or ~/.pgpass, else asked; default: $OSCB_DATABASE)",
    )
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
    p.add_argument(
        "files",
        nargs="*",
        type=Path,
        metavar="FILE",
        help="bundles, packs or feedback files to open (handed to the window already open on the workspace, if any)",
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


class Launcher(QObject):
    """Starts the app: the demo data built in the background behind a progress window when asked for, then the
    workspace opened and the main window shown (and, for --screenshot, grabbed)."""

    sig_quit = Signal(int)
    """The app should end with this exit code (nothing could be opened, or the user chose to quit)."""

    def __init__(self, app: QApplication, args: argparse.Namespace) -> None:
        super().__init__()
        self.app = app
        self.args = args
        self.ws: Workspace | None = None
        #: the window, once it shows the open workspace
        self.window: MainWindow | None = None
        #: the window on screen while the workspace opens (it becomes :attr:`window`)
        self.frame: MainWindow | None = None
        self.exit_code = 0
        self.instance: InstanceServer | None = None
        #: the dialog asking what to do (a damaged workspace, one open elsewhere, a failed start), while open
        self.dialog: QMessageBox | None = None
        #: A PostgreSQL password the user typed (libpq had none): kept in memory only, never written.
        self._password: str | None = None
        #: Closed (the app is ending): nothing more is opened.
        self._closed = False

    def start(self) -> None:
        args = self.args
        if not args.demo:
            self._open(args.data_dir)
            return
        folder = demo_folder(args)
        what = "the Business Unit's demo workspace" if args.business_unit else "the demo agencies' returns"

        def work(job: Job[FormRegistry]) -> FormRegistry:
            from oscb_desktop.forms import FormRegistry

            configure_logs()
            forms = FormRegistry.load()
            if demo_needed(folder, forms):
                build_demo(args, folder, forms, job.progress)
            import oscb_desktop.ui.main_window  # noqa: F401  (loaded here, so the window opens without a pause)

            return forms

        def failed(exc: BaseException) -> None:
            from oscb_desktop.store import WorkspaceError

            if isinstance(exc, WorkspaceError):
                self._cannot_open(exc, folder, None)
            else:
                self._fail(StartError("The demo could not be prepared", str(exc)))

        # A window at once: everything the demo needs (its modules, signing and the PDF among them, take about
        # two seconds to load; then the agencies' returns are made and signed) happens behind it, on a worker.
        job = Job(None, "OSCB Desktop", work, label=f"Preparing {what}…", modal=False, show_after_ms=0)
        job.on_success(lambda forms: self._open(folder, forms)).on_failure(failed).start()

    def _open(
        self,
        folder: Path | None,
        forms: FormRegistry | None = None,
        *,
        read_only: bool = False,
        then: Callable[[MainWindow], None] | None = None,
    ) -> None:
        """Show the window at once, open the workspace on a worker (loading the modes' modules meanwhile), then
        build the window on it (and call ``then`` with it)."""
        if self.frame is None:
            self.frame = MainWindow()
            self.frame.show()
        args = self.args

        def work(_job: Job[Workspace]) -> Workspace:
            import importlib

            configure_logs()

            from oscb_desktop.services import registry

            ws = open_workspace(args, folder, forms, read_only=read_only, password=self._password)
            # Loaded here, so the window fills without a pause: the modes, and a Business Unit's page.
            import oscb_desktop.ui.agency
            import oscb_desktop.ui.business_unit  # noqa: F401
            from oscb_desktop.ui.business_unit.mode import PAGE_MODULES

            if registry.is_business_unit(ws):
                for name in PAGE_MODULES:
                    importlib.import_module(name)
            return ws

        def failed(exc: BaseException) -> None:
            from oscb_desktop.store import ServerUnavailableError, WorkspaceError

            if isinstance(exc, ServerUnavailableError) and exc.needs_password and self.args.screenshot is None:
                self._ask_password(str(exc), lambda: self._open(folder, forms, read_only=read_only, then=then))
                return
            if self.frame is not None:
                self.frame.opening.setText("The workspace could not be opened.")
            if isinstance(exc, ServerUnavailableError):
                self._fail(StartError("The database cannot be opened", str(exc)))
            elif isinstance(exc, StartError):
                self._fail(exc)
            elif isinstance(exc, WorkspaceError):
                self._cannot_open(exc, folder, forms)
            else:
                self._fail(StartError("The workspace cannot be opened", f"{type(exc).__name__}: {exc}"))

        job = Job(self.frame, "Opening the workspace", work, show_progress=False)
        # Started once the event loop turns: the window is painted first, without a busy worker beside it.
        job.on_success(lambda ws: self._show(ws, then)).on_failure(failed)
        QTimer.singleShot(0, lambda: None if self._closed else job.start())

    def _show(self, ws: Workspace, then: Callable[[MainWindow], None] | None = None) -> None:
        from oscb_desktop.ui import restore
        from oscb_desktop.ui.open_files import open_files

        window = self.frame
        assert window is not None
        self.frame = None
        self.ws = ws
        for err in ws.forms.errors:
            print(f"oscb-desktop: form definition not loaded: {shown(str(err))}", file=sys.stderr)
        window.attach(ws, ws.forms.errors)
        self.window = window
        restore.set_handler(self.restore_and_reopen)
        if not ws.read_only:  # files a second start on this workspace hands over open here
            from oscb_desktop.ui.instance import InstanceServer

            self.instance = InstanceServer(ws.folder, window)
            self.instance.sig_files.connect(lambda paths: open_files(window, ws, paths))
        if self.args.files:
            QTimer.singleShot(0, lambda: open_files(window, ws, list(self.args.files)))
        self.app.setQuitOnLastWindowClosed(True)
        if not ws.read_only:
            window.agency.replay_journal()  # what an earlier run could not save: stored now, and said
            # The first start of a day backs the database up, in the background.
            Job(window, "Daily backup", lambda _job: ws.daily_backup(), show_progress=False).start()
        if ws.engine != "sqlite" and not str(ws.setting("user_name") or "").strip() and self.args.screenshot is None:
            self._ask_officer_name(window, ws)  # several officers share the database: whose changes are whose
        if self.args.open_first_return:
            first = window.agency.home.selected()
            if first is not None:
                window.agency.open_return(first.id)
        if then is not None:
            then(window)
        if self.args.screenshot is not None:
            QTimer.singleShot(SCREENSHOT_SETTLE_MS, self._shoot)

    def _ask_officer_name(self, window: QWidget, ws: Workspace) -> None:
        """Ask, once on this computer, the officer's name that every change they make on a shared server records
        (window-modal, not blocking; kept in their own folder, see ``Workspace.set_setting``)."""
        from PySide6.QtWidgets import QInputDialog

        dialog = QInputDialog(window)
        dialog.setWindowTitle("Your name")
        dialog.setLabelText(
            f"Several officers work on {ws.where}.\nYour name is recorded with every import, review and moderation "
            "you make here\n(with your login), and signs your feedback letters.\n\nYour name:"
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)

        def typed(text: str) -> None:
            name = " ".join(text.split())[:200]
            if name:
                ws.set_setting("user_name", name)

        dialog.textValueSelected.connect(typed)
        self.name_dialog = dialog
        dialog.open()

    def _ask_password(self, why: str, then: Callable[[], None]) -> None:
        """Ask for the database password (window-modal, not blocking); ``then`` opens again with it."""
        from PySide6.QtWidgets import QInputDialog, QLabel, QLineEdit

        dialog = QInputDialog(self.frame)
        dialog.setWindowTitle("Database password")
        dialog.setLabelText(f"{why}\n\nPassword:")
        dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
        for label in dialog.findChildren(QLabel):  # the server's words can be long: wrapped, not one wide line
            label.setWordWrap(True)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def typed(text: str) -> None:
            self._password = text
            then()

        dialog.textValueSelected.connect(typed)
        dialog.rejected.connect(self._quit)
        self.password_dialog = dialog  # kept until answered
        dialog.open()

    def _shoot(self) -> None:
        assert self.window is not None
        target = self.args.screenshot
        target.parent.mkdir(parents=True, exist_ok=True)
        ok = self.window.grab().save(str(target), "PNG")
        self.exit_code = 0 if ok else 1
        self.app.exit(self.exit_code)

    def _fail(self, exc: StartError) -> None:
        print(f"oscb-desktop: {exc}", file=sys.stderr)
        if self.args.screenshot is not None:
            self._quit()
            return
        box = QMessageBox(QMessageBox.Icon.Critical, exc.title, str(exc), QMessageBox.StandardButton.Close)
        box.setTextFormat(Qt.TextFormat.PlainText)
        self._ask(box, {})

    def _ask(self, box: QMessageBox, choices: dict[object, Callable[[], None]]) -> None:
        """Show a start-up question without blocking; the button pressed picks the choice (quit by default)."""
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _r: self._answered(choices.get(box.clickedButton(), self._quit)))
        keep_until_closed(box)
        self.dialog = box
        box.open()

    def _answered(self, choice: Callable[[], None]) -> None:
        self.dialog = None
        choice()

    def _quit(self) -> None:
        self.exit_code = 2
        self.sig_quit.emit(2)

    # A workspace that cannot simply be opened ---------------------------------------------------------------

    def _cannot_open(self, exc: WorkspaceError, folder: Path | None, forms: FormRegistry | None) -> None:
        """Damaged: offer its newest good backup. Open elsewhere: offer to open it read-only. Else: say why."""
        from oscb_desktop.store import WorkspaceDamagedError, WorkspaceInUseError
        from oscb_desktop.ui import restore

        if self.args.screenshot is not None or not isinstance(exc, (WorkspaceDamagedError, WorkspaceInUseError)):
            self._fail(StartError("The workspace cannot be opened", str(exc)))
            return
        print(f"oscb-desktop: {exc}", file=sys.stderr)
        where = Path(folder) if folder else paths.default_data_dir()
        if isinstance(exc, WorkspaceInUseError):
            box = QMessageBox(QMessageBox.Icon.Warning, "Workspace already open", str(exc))
            box.setTextFormat(Qt.TextFormat.PlainText)
            read_only = box.addButton("Open read-only", QMessageBox.ButtonRole.AcceptRole)
            cancel = box.addButton(QMessageBox.StandardButton.Cancel)
            box.setDefaultButton(cancel)
            self._ask(box, {read_only: lambda: self._open(folder, forms, read_only=True), cancel: self._quit})
            return
        self.dialog = restore.offer_at_start(
            exc,
            restore=lambda backup: self._restore(where, forms, backup),
            keep=lambda: self._keep_current(where, forms),
            quit_app=self._quit,
        )

    def _restore(self, folder: Path, forms: FormRegistry | None, backup: Path) -> None:
        """Restore ``backup`` in the background, then open the workspace (the old one if it failed)."""

        from oscb_desktop.services import backups

        def opened(result: backups.RestoreResult) -> None:
            aside = ", ".join(p.name for p in result.set_aside) or "nothing"
            said = f"Restored the backup made {result.restored.describe()}. Set aside (not deleted): {aside}."
            self._open(folder, forms, then=lambda window: window.show_status(said, 30000))

        def failed(exc: BaseException) -> None:
            box = QMessageBox(QMessageBox.Icon.Critical, "The backup was not restored", str(exc))
            box.setTextFormat(Qt.TextFormat.PlainText)
            self._ask(box, {box.addButton("OK", QMessageBox.ButtonRole.AcceptRole): lambda: self._open(folder, forms)})

        job = Job(None, "Restoring a backup", lambda _job: backups.restore(folder, backup), modal=False)
        job.on_success(opened).on_failure(failed).start()

    def _keep_current(self, folder: Path, forms: FormRegistry | None) -> None:
        from oscb_desktop.services import backups
        from oscb_desktop.store import WorkspaceError

        try:
            backups.keep_current(folder)
        except WorkspaceError as exc:
            self._cannot_open(exc, folder, forms)
            return
        self._open(folder, forms)

    def restore_and_reopen(self, backup: Path) -> None:
        """File ▸ Restore from backup…: close the window and the workspace, restore ``backup``, open again."""
        window, ws = self.window, self.ws
        if window is None or ws is None:
            return
        self.app.setQuitOnLastWindowClosed(False)  # the window closes; the app stays for the one that follows
        if not window.close():  # unsaved changes the user keeps, or work still running
            self.app.setQuitOnLastWindowClosed(True)
            return
        self.window, self.ws = None, None
        window.deleteLater()
        ops.wait_for_all()
        folder, forms = ws.folder, ws.forms
        ws.close()
        self._restore(folder, forms, backup)

    def close(self) -> None:
        self._closed = True
        if "oscb_desktop.ui.restore" in sys.modules:
            from oscb_desktop.ui import restore

            restore.set_handler(None)
        if self.window is not None:
            self.window.agency.close_editor()
        ops.wait_for_all()
        if self.ws is not None:
            self.ws.close()


def configure_logs() -> None:
    """The log file (its folder is looked up with platformdirs): configured by the first job, on its worker, so
    the window is on screen first. Until then records are dropped, never printed in the terminal."""
    logs.configure("oscb-desktop")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logs.hold()
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
    app.setWindowIcon(app_icon())
    app.setDesktopFileName("oscb-desktop")  # the taskbar matches the window to oscb-desktop.desktop and its icon
    app.setStyleSheet(load_stylesheet())
    if args.files and not args.demo:
        from oscb_desktop.ui.instance import hand_over

        if hand_over(args.data_dir or paths.default_data_dir(), args.files):
            return 0  # the window already open on this workspace has them (and came to the front)
    launcher = Launcher(app, args)
    # Leave the event loop once it runs (the launcher may give up before app.exec()).
    launcher.sig_quit.connect(lambda code: QTimer.singleShot(0, lambda: app.exit(code)))
    launcher.start()
    try:
        with crash.installed():
            code = int(app.exec())
    finally:
        launcher.close()
    return launcher.exit_code or code


if __name__ == "__main__":
    sys.exit(main())

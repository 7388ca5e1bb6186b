"""What the start-up does besides the window: the demo workspace made (or copied) and the workspace opened, with
words for the user when it cannot be. No Qt here: the launcher (:mod:`.app`) runs these on its worker thread,
behind the window, and asks the questions they raise."""

from __future__ import annotations

import argparse
import atexit
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # loaded on the worker, behind the window (tests/gui/test_app.py checks the first window)
    from oscb_desktop import demo
    from oscb_desktop.forms import FormRegistry
    from oscb_desktop.services.workspace import Workspace

DEMO_AGENCIES = 12
DEMO_BU_AGENCIES = 15


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
    from oscb_desktop.services import agencies, registry  # on the worker thread, like build_demo
    from oscb_desktop.services.workspace import Workspace

    with Workspace.open(folder, forms=forms) as ws:
        return not agencies.has_profiles(ws) and not registry.is_business_unit(ws)


def build_demo(args: argparse.Namespace, folder: Path, forms: FormRegistry, progress: demo.Progress | None) -> None:
    """Fill the empty workspace in ``folder`` with demo data (any thread; it opens and closes its workspaces): a
    copy of the one made last time, if the user's cache holds it (see oscb_desktop.demo.cache)."""
    from oscb_desktop.demo import cache  # on the worker thread, behind the progress window (see Launcher.start)

    agencies = args.demo_agencies or (DEMO_BU_AGENCIES if args.business_unit else DEMO_AGENCIES)
    cache.build_or_copy(folder, business_unit=args.business_unit, agencies=agencies, forms=forms, progress=progress)


#: Titles of the dialogs for a workspace that cannot be opened at all.
UNAVAILABLE_TITLES = {
    "full": "The disk is full",
    "not-allowed": "The workspace folder cannot be written",
    "other": "The workspace cannot be opened",
}


def open_workspace(
    args: argparse.Namespace,
    folder: Path | None,
    forms: FormRegistry | None = None,
    *,
    read_only: bool = False,
    password: str | None = None,
) -> Workspace:
    """Open the workspace the window shows. Raises :class:`StartError` with words for the user, or the
    workspace's own :class:`~oscb_desktop.store.WorkspaceInUseError` and
    :class:`~oscb_desktop.store.WorkspaceDamagedError`, which have ways out (open read-only, restore).

    Any thread: the launcher opens it on a worker, with the modules of the window's modes loaded beside it."""
    from oscb_desktop.services.workspace import Workspace
    from oscb_desktop.store import (
        DatabaseAddressError,
        DatabaseTooNewError,
        ServerUnavailableError,
        WorkspaceUnavailableError,
    )

    database = None if args.demo else getattr(args, "database", None)
    try:
        ws = Workspace.open(
            folder, forms=forms, read_only=read_only, daily_backup=False, database=database, password=password
        )
    except ServerUnavailableError:
        raise  # the launcher may ask for the password
    except (DatabaseAddressError, DatabaseTooNewError) as exc:
        raise StartError("Workspace made by a newer version", str(exc)) from exc
    except WorkspaceUnavailableError as exc:
        raise StartError(UNAVAILABLE_TITLES[exc.kind], str(exc)) from exc
    if args.business_unit and not args.demo:
        from oscb_desktop.services import imports  # loads signing and pyHanko: not before the first window

        try:
            imports.check_can_import(ws)  # an empty workspace becomes the Business Unit's; an agency's is refused
        except imports.ImportRefusedError as exc:
            ws.close()
            raise StartError("Not a Business Unit workspace", str(exc)) from exc
    return ws

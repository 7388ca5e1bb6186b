"""What the ``oscb`` subcommands share."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from oscb_desktop import paths
from oscb_desktop.services import journal
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.store import WorkspaceInUseError

#: The commands that change the workspace. They need its lock (one writer per workspace) and are refused while
#: another program has it open; the others read, so they open it read-only then.
#: The environment variable a Business Unit officer may set instead of passing --database every time.
DATABASE_ENV = "OSCB_DATABASE"

WRITING_COMMANDS = frozenset({"import", "demo", "partnership", "feedback"})


class CommandError(Exception):
    """A command failed in a way the user can fix; printed without a traceback, exit 2."""


def iso_date(text: str) -> date:
    """An argparse type: a date written YYYY-MM-DD."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def data_dir(args: argparse.Namespace) -> Path:
    """The workspace folder the command works on."""
    return Path(args.data_dir) if args.data_dir else paths.default_data_dir()


def open_workspace(args: argparse.Namespace, *, daily_backup: bool = True) -> Workspace:
    """Open the workspace of ``--data-dir``; raises :class:`~oscb_desktop.store.WorkspaceError` with words for
    the user (a damaged database, a workspace open elsewhere for a writing command...)."""
    database = getattr(args, "database", None)
    if database:  # a Business Unit's shared server: several officers at once, no lock
        ws = Workspace.open(args.data_dir, daily_backup=False, database=database)
        ws.bind()
        return ws
    try:
        ws = Workspace.open(args.data_dir, daily_backup=daily_backup)
    except WorkspaceInUseError as exc:
        if getattr(args, "command", None) in WRITING_COMMANDS:
            raise
        who = exc.holder.describe() if exc.holder is not None else "another program"
        print(f"oscb: the workspace is open elsewhere ({who}); reading it read-only.", file=sys.stderr)
        ws = Workspace.open(args.data_dir, read_only=True)
    ws.bind()
    journal.replay(ws).print_to(sys.stderr)  # what an earlier run could not save: stored now, and said
    return ws

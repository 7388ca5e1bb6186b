"""What the ``oscb`` subcommands share."""

from __future__ import annotations

import argparse
import sys

from oscb_desktop.services import journal
from oscb_desktop.services.workspace import Workspace


class CommandError(Exception):
    """A command failed in a way the user can fix; printed without a traceback, exit 2."""


def open_workspace(args: argparse.Namespace) -> Workspace:
    ws = Workspace.open(args.data_dir)
    ws.bind()
    journal.replay(ws).print_to(sys.stderr)  # what an earlier run could not save: stored now, and said
    return ws

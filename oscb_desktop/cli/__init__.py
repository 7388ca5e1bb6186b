"""The ``oscb`` command: headless access to the same services the GUI uses."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from oscb_desktop import __version__, logs
from oscb_desktop.cli import collate_cmd, demo_cmd, export_cmd, forms_cmd, import_cmd, submissions_cmd, verify_cmd
from oscb_desktop.cli.common import CommandError
from oscb_desktop.store import DatabaseTooNewError

COMMAND_MODULES = (forms_cmd, submissions_cmd, demo_cmd, export_cmd, verify_cmd, import_cmd, collate_cmd)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="oscb",
        description="OSCB Desktop from the command line: forms, demo data, returns, export, verify, import, collate.",
    )
    parser.add_argument("--version", action="version", version=f"oscb {__version__}")
    parser.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        help="workspace folder (default: the platform's user data folder, or $OSCB_DATA_DIR)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logs.configure("oscb")
    try:
        return int(args.func(args) or 0)
    except (CommandError, DatabaseTooNewError) as exc:
        print(f"oscb: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

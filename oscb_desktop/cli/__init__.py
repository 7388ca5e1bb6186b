"""The ``oscb`` command: headless access to the same services the GUI uses."""

from __future__ import annotations

import argparse
import logging
import os
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

from oscb_desktop import __version__, logs
from oscb_desktop.cli import (
    collate_cmd,
    demo_cmd,
    export_cmd,
    feedback_cmd,
    forms_cmd,
    import_cmd,
    partnership_cmd,
    submissions_cmd,
    survey_cmd,
    verify_cmd,
    workspace_cmd,
)
from oscb_desktop.cli.common import DATABASE_ENV, CommandError, data_dir
from oscb_desktop.store import WorkspaceError
from oscb_desktop.store.errors import PeeweeDatabaseError, unavailable

COMMAND_MODULES = (
    forms_cmd,
    submissions_cmd,
    demo_cmd,
    export_cmd,
    verify_cmd,
    import_cmd,
    collate_cmd,
    partnership_cmd,
    feedback_cmd,
    survey_cmd,
    workspace_cmd,
)
log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="oscb",
        description=(
            "OSCB Desktop from the command line: forms, demo data, returns, export, verify, import, collate, backups."
        ),
    )
    parser.add_argument("--version", action="version", version=f"oscb {__version__}")
    parser.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        help="workspace folder (default: the platform's user data folder, or $OSCB_DATA_DIR)",
    )
    parser.add_argument(
        "--database",
        metavar="URL",
        default=os.environ.get(DATABASE_ENV) or None,
        help="a Business Unit workspace on a PostgreSQL server: postgresql://user@host:port/dbname (the password "
        f"from PGPASSWORD or ~/.pgpass; default: ${DATABASE_ENV}, else the SQLite workspace of --data-dir)",
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
    except BrokenPipeError:
        # The reader of the output stopped early (``oscb submissions list | head``): not an error of ours. Point
        # stdout at nothing so Python's own flush at exit does not fail on the closed pipe again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except (CommandError, WorkspaceError) as exc:
        return _fail(str(exc))
    except (OSError, sqlite3.Error, PeeweeDatabaseError) as exc:
        plain = _workspace_trouble(data_dir(args), exc)
        if plain is None:
            raise
        log.warning("%s", plain, exc_info=True)  # a full disk or a read-only folder met half way
        return _fail(plain)
    except KeyboardInterrupt:
        return 130


def _workspace_trouble(folder: Path, exc: BaseException) -> str | None:
    """The plain words for a full disk or an unwritable folder met in the workspace after it opened (the
    commands explain the files they were given themselves); None for anything else, which is a bug."""
    if isinstance(exc, OSError) and exc.filename is not None:
        try:
            Path(exc.filename).resolve().relative_to(folder.resolve())
        except ValueError:
            return None
    plain = unavailable(folder, exc)
    return None if plain.kind == "other" else str(plain)


def _fail(text: str) -> int:
    """The reason on one line (a script reads the last line; a person reads it whole), exit 2."""
    print(f"oscb: {' '.join(text.split())}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())

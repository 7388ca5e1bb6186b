"""``oscb workspace backup [--to DIR] | backups [--json] | restore BACKUP | keep-current | copy --from DIR --to URL``.

Scripts drive these: ``backup`` prints the backup's path as its last line; ``backups --json`` lists the kept
backups newest first with the result of each one's integrity check; ``restore`` sets the database in use (or
the damaged one) aside, never deleting it.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from oscb_desktop.cli.common import CommandError, data_dir, open_workspace
from oscb_desktop.services import backups
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.store import DB_FILENAME


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "workspace",
        help="back up the workspace's database, list its backups, restore one",
        description=(
            "The workspace keeps rolling backups of its database in backups/ (the first start of a day, before "
            "every sign-off and every import; the last 7 days and 4 weeks are kept), each checked with SQLite's "
            "integrity check. Restoring sets the database in use aside (renamed, never deleted)."
        ),
    )
    wsub = p.add_subparsers(dest="workspace_command", required=True, metavar="ACTION")
    b = wsub.add_parser("backup", help="back the database up now; prints the backup's path as the last line")
    b.add_argument("--to", type=Path, metavar="DIR", help="write the backup into DIR instead of backups/")
    b.set_defaults(func=cmd_backup)
    lp = wsub.add_parser("backups", help="the kept backups, newest first, with each one's integrity check")
    lp.add_argument("--json", action="store_true", help='print {"backups": [...]} instead of a table')
    lp.set_defaults(func=cmd_backups)
    r = wsub.add_parser(
        "restore", help="put a backup in the database's place; the database in use is set aside, not deleted"
    )
    r.add_argument("backup", metavar="BACKUP", help="the backup file (a path, or a name in the backups/ folder)")
    r.set_defaults(func=cmd_restore)
    k = wsub.add_parser(
        "keep-current",
        help="after a lost journal (workspace.db-wal): carry on with what workspace.db holds",
    )
    k.set_defaults(func=cmd_keep_current)
    c = wsub.add_parser(
        "copy",
        help="move a Business Unit workspace to a PostgreSQL server: copy every row and stored file, then verify",
        description=(
            "Copy the workspace in a folder into a new, empty PostgreSQL database (in one transaction), then check "
            "that every table has the same rows (counted and hashed) and every stored file its hash. The folder is "
            "not changed. The password comes from PGPASSWORD or ~/.pgpass."
        ),
    )
    c.add_argument("--from", dest="source", type=Path, required=True, metavar="DIR", help="the workspace folder")
    c.add_argument("--to", dest="target", required=True, metavar="URL", help="postgresql://user@host:port/dbname")
    c.set_defaults(func=cmd_copy)


def cmd_copy(args: argparse.Namespace) -> int:
    from oscb_desktop.services.server_copy import copy_to_server

    if not (args.source / DB_FILENAME).is_file():
        raise CommandError(f"There is no workspace in {args.source} ({DB_FILENAME} not found).")
    report = copy_to_server(args.source, args.target)
    for t in report.tables:
        verdict = "same" if t.same else "DIFFERENT"
        print(f"{t.table:<22} {t.rows:>7} rows  {t.copied:>7} copied  {verdict}")
    print(f"{'stored files':<22} {report.files:>7} files {report.files_found:>7} copied  "
          f"{'same' if report.files == report.files_found else 'DIFFERENT'} ({report.file_bytes:,} bytes)")  # fmt: skip
    if not report.verified:
        print(f"The copy to {report.target} does NOT match {report.source}: do not use it; copy again into a new "
              "database.")  # fmt: skip
        return 1
    print(f"Copied and verified: {report.source} -> {report.target}. Open it with: oscb --database {args.target}")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    with open_workspace(args, daily_backup=False) as ws:
        made = backups.backup_now(ws, to=args.to)
    verdict = "passed its integrity check" if made.ok else f"FAILED its integrity check: {made.integrity}"
    print(f"Backed up {ws.folder / DB_FILENAME} ({made.size_text}); the backup {verdict}.")
    print(made.path)
    return 0 if made.ok else 1


def cmd_backups(args: argparse.Namespace) -> int:
    folder = data_dir(args)
    found = backups.list_backups(folder)
    if args.json:
        print(json.dumps({"folder": str(folder), "backups": [b.as_json() for b in found]}, indent=2))
        return 0
    if not found:
        print(f"No backups of the workspace in {folder} yet (oscb workspace backup makes one).")
        return 0
    for b in found:
        check = "ok" if b.ok else f"DAMAGED ({b.integrity})"
        print(f"{b.made_at.astimezone():%Y-%m-%d %H:%M:%S}  {b.reason:<9} {check:<4} {b.size_text:>8}  {b.path}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    folder = data_dir(args)
    result = backups.restore(folder, args.backup)
    for path in result.set_aside:
        print(f"Set aside {path} (not deleted).")
    print(f"Restored {folder / DB_FILENAME} from {result.restored.path}, made {result.restored.describe()}.")
    with Workspace.open(folder, daily_backup=False):  # checks it, and brings an older backup up to date
        pass
    return 0


def cmd_keep_current(args: argparse.Namespace) -> int:
    folder = data_dir(args)
    kept = backups.keep_current(folder)
    print(
        f"Set aside {kept.set_aside} (not deleted). The workspace carries on with what {DB_FILENAME} holds; the "
        f"{kept.frames} changed page{'s' if kept.frames != 1 else ''} only the lost journal held are gone."
    )
    return 0

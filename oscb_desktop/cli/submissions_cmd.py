"""``oscb submissions list [--json]``."""

from __future__ import annotations

import argparse
import json

from oscb_desktop.cli.common import open_workspace
from oscb_desktop.services import returns


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("submissions", help="returns held in the workspace")
    ssub = p.add_subparsers(dest="submissions_command", required=True, metavar="ACTION")
    lp = ssub.add_parser("list", help="list returns")
    lp.add_argument("--json", action="store_true", help="print JSON instead of a table")
    lp.set_defaults(func=cmd_list)


def cmd_list(args: argparse.Namespace) -> int:
    with open_workspace(args) as ws:
        rows = returns.list_returns(ws)
    if args.json:
        out = [
            {
                "id": r.id,
                "agency": r.agency_name,
                "form_id": r.form_id,
                "form_version": r.form_version,
                "period": r.period,
                "version": r.version,
                "status": r.status,
                "status_label": r.status_label,
                "percent_complete": r.percent_complete,
                "deadline": r.deadline.isoformat() if r.deadline else None,
                "updated_at": r.updated_at,
                "signed_at": r.signed_at,
            }
            for r in rows
        ]
        print(json.dumps({"submissions": out}, indent=2, ensure_ascii=False))
        return 0
    if not rows:
        print("No returns in this workspace yet.")
        return 0
    for r in rows:
        print(
            f"{r.id[:8]}  {r.period:<8} {r.form_title:<18} v{r.version}  {r.status_label:<13} "
            f"{r.percent_complete:>3}%  {r.agency_name}"
        )
    return 0

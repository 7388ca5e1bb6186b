"""``oscb submissions list [--json]``."""

from __future__ import annotations

import argparse

from oscb_desktop.cli.common import open_workspace
from oscb_desktop.services import registry, returns, review
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.textsafe import json_text, shown


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("submissions", help="returns held in the workspace")
    ssub = p.add_subparsers(dest="submissions_command", required=True, metavar="ACTION")
    lp = ssub.add_parser("list", help="list returns")
    lp.add_argument("--json", action="store_true", help="print JSON instead of a table")
    lp.set_defaults(func=cmd_list)


def cmd_list(args: argparse.Namespace) -> int:
    with open_workspace(args) as ws:
        if registry.is_business_unit(ws):
            return _list_received(ws, as_json=args.json)
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
        print(json_text({"submissions": out}))
        return 0
    if not rows:
        print("No returns in this workspace yet.")
        return 0
    for r in rows:
        print(
            shown(
                f"{r.id[:8]}  {r.period:<8} {r.form_title:<18} v{r.version}  {r.status_label:<13} "
                f"{r.percent_complete:>3}%  {r.agency_name}"
            )
        )
    return 0


def _list_received(ws: Workspace, *, as_json: bool) -> int:
    """In the Business Unit's workspace: the returns imported from agencies, every version."""
    rows = review.list_received(ws, include_superseded=True)
    if as_json:
        out = [
            {
                "id": r.submission_id,
                "agency": r.agency.name,
                "sector": r.agency.sector,
                "form_id": r.form_id,
                "form_version": r.form_version,
                "period": r.period,
                "version": r.version,
                "supersedes": r.supersedes_id,
                "superseded": r.superseded,
                "status": "superseded" if r.superseded else "signed",
                "review_status": r.review_status,
                "signed_at": r.signed_at,
                "signatory": {"name": r.signatory_name, "role": r.signatory_role},
                "signer_fingerprint": r.signer_fingerprint,
                "imported_at": r.imported_at,
                "file": r.file_name,
            }
            for r in rows
        ]
        print(json_text({"submissions": out}))
        return 0
    if not rows:
        print("No returns imported into this Business Unit workspace yet (oscb import PATH...).")
        return 0
    for r in rows:
        state = "superseded" if r.superseded else review.REVIEW_STATUSES[r.review_status]
        print(shown(f"{r.submission_id[:8]}  {r.period:<8} {r.form_id:<10} v{r.version}  {state:<11} {r.agency.name}"))
    return 0

"""``oscb feedback export | import | list | required-action add|list|remove``: the partnership's signed feedback.

The Business Unit requires actions of an agency on its return and exports one signed ``.oscbfeedback`` per agency
for a period; the agency imports it and lists what it received (docs/feedback-format.md). ``import --json`` prints
``{"file", "outcome", "code", "reason", ...}`` (exit 2 when refused); ``list --json`` ``{"feedback": [...]}``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from oscb_desktop.cli.common import CommandError, iso_date, open_workspace
from oscb_desktop.cli.export_cmd import read_passphrase
from oscb_desktop.feedback import FeedbackError
from oscb_desktop.fsutil import WriteError
from oscb_desktop.services import feedback, feedback_received, review
from oscb_desktop.services.feedback import FeedbackExportError, RequiredActionInfo
from oscb_desktop.services.feedback_received import FeedbackInfo, FeedbackRefusedError
from oscb_desktop.services.partnership_admin import PartnershipAdminError
from oscb_desktop.signing import IdentityError
from oscb_desktop.textsafe import shown


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    top = sub.add_parser("feedback", help="the partnership's signed feedback to each agency")
    fsub = top.add_subparsers(dest="feedback_command", required=True, metavar="ACTION")

    p = fsub.add_parser("export", help="(Business Unit) one signed feedback file per agency with returns in a period")
    p.add_argument("--period", required=True, help="e.g. 2026/27")
    p.add_argument("--out", type=Path, required=True, metavar="DIR")
    p.add_argument("--passphrase-file", type=Path, metavar="F", help="first line: the Business Unit key's passphrase")
    p.set_defaults(func=cmd_export)

    p = fsub.add_parser("import", help="(agency) take the partnership's feedback on your returns")
    p.add_argument("file", type=Path, metavar="FILE.oscbfeedback")
    p.add_argument("--json", action="store_true", help="print the outcome as JSON")
    p.set_defaults(func=cmd_import)

    p = fsub.add_parser("list", help="(agency) the feedback received")
    p.add_argument("--json", action="store_true", help='print {"feedback": [...]}')
    p.set_defaults(func=cmd_list)

    ra = fsub.add_parser("required-action", help="(Business Unit) actions the partnership requires of an agency")
    rsub = ra.add_subparsers(dest="action_command", required=True, metavar="ACTION")
    p = rsub.add_parser("add", help="require an action on an agency's return")
    p.add_argument("--agency", required=True, help="the agency's name, as on the register")
    p.add_argument("--period", required=True)
    p.add_argument("--form", default="section11", help="the form id (default section11)")
    p.add_argument("--what", required=True, help="what the agency must do")
    p.add_argument("--due", type=iso_date, help="YYYY-MM-DD")
    p.add_argument("--standard", default="", help="the standard or statement it is about (s3, s3.2)")
    p.set_defaults(func=cmd_action_add)
    p = rsub.add_parser("list", help="the actions required for a period")
    p.add_argument("--period", required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_action_list)
    p = rsub.add_parser("remove", help="withdraw a required action")
    p.add_argument("id", type=int)
    p.set_defaults(func=cmd_action_remove)


def cmd_export(args: argparse.Namespace) -> int:
    if args.out.exists() and not args.out.is_dir():
        raise CommandError(f"{args.out} is a file; give the folder the feedback files go to.")
    with open_workspace(args) as ws:
        try:
            written = feedback.export_feedback(ws, args.period, args.out, read_passphrase(args.passphrase_file))
        except (FeedbackExportError, PartnershipAdminError, IdentityError, FeedbackError, WriteError) as exc:
            raise CommandError(f"{exc} No feedback was written.") from exc
    for item in written:
        actions = f", {item.required_actions} required action{'' if item.required_actions == 1 else 's'}"
        print(shown(f"Wrote {item.path.name}: {item.agency}, {item.returns} return(s){actions}"))
    print(f"Wrote {len(written)} signed feedback file{'' if len(written) == 1 else 's'} to {args.out}")
    return 0


def _info_json(info: FeedbackInfo) -> dict[str, Any]:
    f = info.feedback
    return {
        "partnership": {"id": info.partnership_id, "name": info.partnership},
        "agency": info.agency,
        "period": info.period,
        "submission": {"id": info.submission_id, "version": info.version},
        "form": {"id": f.form_id, "version": f.form_version, "title": f.form_title},
        "review_status": f.review_status,
        "review_notes": f.review_notes,
        "standards": [s.to_json() for s in f.standards],
        "statements": [s.to_json() for s in f.statements],
        "notes": [n.to_json() for n in f.notes],
        "required_actions": [a.to_json() for a in f.required_actions],
        "issued_at": info.issued_at,
        "issued_by": info.issued_by,
        "signer_fingerprint": info.signer_fingerprint,
        "file": info.file_name,
        "imported_at": info.imported_at,
    }


def cmd_import(args: argparse.Namespace) -> int:
    with open_workspace(args) as ws:
        try:
            result = feedback_received.import_feedback(ws, args.file)
        except FeedbackRefusedError as exc:
            if args.json:
                print(json.dumps({"file": args.file.name, "outcome": "rejected", "code": exc.code,
                                  "reason": exc.reason}, indent=2, ensure_ascii=False))  # fmt: skip
                return 2
            raise CommandError(f"{args.file.name} was refused ({exc.code}): {exc.reason} Nothing was stored.") from exc
    if args.json:
        out = {
            "file": args.file.name,
            "outcome": result.outcome,
            "code": "ok",
            "reason": result.message,
            "partnership": result.partnership,
            "agency": result.agency,
            "period": result.period,
            "returns": [_info_json(i) for i in result.returns],
        }
        print(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        print(shown(result.message))
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    with open_workspace(args) as ws:
        found = feedback_received.list_feedback(ws)
    if args.json:
        print(json.dumps({"feedback": [_info_json(i) for i in found]}, indent=2, ensure_ascii=False))
        return 0
    if not found:
        print("No feedback received yet: import it with oscb feedback import FILE.oscbfeedback.")
    for i in found:
        differ = sum(1 for s in i.feedback.standards if s.differs)
        print(shown(f"{i.period} {i.feedback.form_title} (version {i.version}) from {i.partnership}: "
                    f"{i.feedback.review_status_label}; {differ} standard(s) moderated differently; "
                    f"{len(i.feedback.required_actions)} required action(s)"))  # fmt: skip
    return 0


def _action_json(a: RequiredActionInfo) -> dict[str, Any]:
    return {"id": a.id, "uid": a.uid, "agency": a.agency, "form": a.form_id, "period": a.period,
            "standard": a.target, "what": a.what, "due": a.due.isoformat() if a.due else None}  # fmt: skip


def cmd_action_add(args: argparse.Namespace) -> int:
    with open_workspace(args) as ws:
        wanted = " ".join(args.agency.split()).casefold()
        rows = [
            r
            for r in review.list_received(ws, period=args.period)
            if r.form_id == args.form and r.agency.name.casefold() == wanted
        ]
        if not rows:
            raise CommandError(
                shown(f"No {args.form} return of {args.agency} for {args.period} has been received here.")
            )
        try:
            action = feedback.add_required_action(ws, rows[-1].id, args.what, due=args.due, target=args.standard)
        except FeedbackExportError as exc:
            raise CommandError(str(exc)) from exc
    print(shown(f"Required action {action.id} added for {action.agency}: {action.what}"))
    return 0


def cmd_action_list(args: argparse.Namespace) -> int:
    with open_workspace(args) as ws:
        found = feedback.required_actions(ws, period=args.period)
    if args.json:
        print(json.dumps({"required_actions": [_action_json(a) for a in found]}, indent=2, ensure_ascii=False))
        return 0
    for a in found:
        due = f", due {a.due.isoformat()}" if a.due else ""
        print(shown(f"{a.id}: {a.agency} ({a.form_id}{' ' + a.target if a.target else ''}): {a.what}{due}"))
    return 0


def cmd_action_remove(args: argparse.Namespace) -> int:
    with open_workspace(args) as ws:
        try:
            feedback.remove_required_action(ws, args.id)
        except FeedbackExportError as exc:
            raise CommandError(str(exc)) from exc
    print(f"Required action {args.id} withdrawn.")
    return 0

"""``oscb import PATH... [--trust-new] [--json]``: bring agencies' bundles into the Business Unit's workspace."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from oscb_desktop.cli.common import CommandError, open_workspace
from oscb_desktop.services import imports, write_failures
from oscb_desktop.signing import format_fingerprint
from oscb_desktop.textsafe import json_text, shown


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "import",
        help="import .oscb bundles into the Business Unit's workspace",
        description=(
            "Verify and import signed bundles. A PATH may be a folder (every *.oscb file in it and below), or a "
            "signed submission PDF sent without its bundle (imported without its evidence files and answer "
            "history; its bundle, imported later, completes it). Each file is imported in one transaction; a "
            "rejected one changes nothing. Exit 0 when nothing was rejected, 1 otherwise."
        ),
    )
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="bundle files, folders or signed PDFs")
    p.add_argument(
        "--trust-new",
        action="store_true",
        help=(
            "trust the certificate of an agency that has none registered yet (check the fingerprints printed "
            "with the agency afterwards); without it such bundles are rejected as untrusted"
        ),
    )
    p.add_argument("--json", action="store_true", help='print {"results": [...]} with one entry per file')
    p.set_defaults(func=cmd_import)


def cmd_import(args: argparse.Namespace) -> int:
    missing = [str(p) for p in args.paths if not p.exists()]
    ws = open_workspace(args)
    try:
        imports.check_can_import(ws)
        results = imports.import_paths(ws, [p for p in args.paths if p.exists()], trust_new=args.trust_new)
    except imports.ImportRefusedError as exc:
        raise CommandError(str(exc)) from exc
    finally:
        write_failures.close_quietly(ws)  # on a full disk too: the results are what the user waits for
    results += [
        imports.ImportResult(
            file=m,
            outcome="rejected",
            code="unreadable",
            reason="There is no such file or folder; nothing was imported.",
        )
        for m in missing
    ]
    if args.json:
        print(json_text({"results": [r.to_json() for r in results]}))
    else:
        for r in results:
            print(shown(_line(r)))
        counts = imports.summary_counts(results)
        print(
            f"{counts['imported']} imported, {counts['duplicate']} already there, {counts['rejected']} rejected.",
            file=sys.stderr,
        )
        if not results:
            print("No .oscb files found.", file=sys.stderr)
        if any(r.disk_full for r in results):
            print(
                "The disk is full: free some space on the disk that holds the workspace, then import again.",
                file=sys.stderr,
            )
    return 1 if any(r.outcome == "rejected" for r in results) else 0


def _line(r: imports.ImportResult) -> str:
    """One line per file; escaped as a whole by the caller (file names and manifests may hold anything)."""
    labels: dict[str, str] = {imports.ImportCode.NOT_STORED: "NOT STORED", imports.ImportCode.COMPLETED: "COMPLETED"}
    label = labels.get(r.code, r.outcome.upper())
    what = ", ".join(str(x) for x in (r.agency, r.form_id, r.period) if x)
    what += f", v{r.version}" if r.version else ""
    line = f"{label:<10} {r.file}"
    line += f"  — {what}" if what else ""
    told = r.outcome != "imported" or r.code in (imports.ImportCode.PDF_ONLY, imports.ImportCode.COMPLETED)
    line += f": {r.reason}" if told else ""
    if r.newly_trusted and r.signer_fingerprint:
        line += f"  [new certificate trusted: {format_fingerprint(r.signer_fingerprint)}]"
    return line

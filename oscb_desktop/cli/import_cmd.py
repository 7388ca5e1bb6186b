"""``oscb import PATH... [--trust-new] [--passphrase-file P] [--json]``: bring agencies' bundles (plain or
encrypted) into the Business Unit's workspace."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from oscb_desktop.cli.common import CommandError, open_workspace
from oscb_desktop.cli.export_cmd import read_passphrase
from oscb_desktop.services import imports, partnership_admin, write_failures
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.signing import IdentityError, UnlockedKey, format_fingerprint
from oscb_desktop.textsafe import json_text, shown


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "import",
        help="import .oscb bundles into the Business Unit's workspace",
        description=(
            "Verify and import signed bundles. A PATH may be a folder (every *.oscb and *.oscb.p7m file in it "
            "and below), or a "
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
    p.add_argument(
        "--passphrase-file",
        type=Path,
        metavar="P",
        help="first line: the passphrase of the Business Unit's key, which opens encrypted bundles (*.oscb.p7m); "
        "asked for in a terminal when encrypted bundles are found and this is not given",
    )
    p.add_argument("--json", action="store_true", help='print {"results": [...]} with one entry per file')
    p.set_defaults(func=cmd_import)


def cmd_import(args: argparse.Namespace) -> int:
    missing = [str(p) for p in args.paths if not p.exists()]
    ws = open_workspace(args)
    try:
        imports.check_can_import(ws)
        found = [p for p in args.paths if p.exists()]
        key = _business_unit_key(ws, args.passphrase_file, found)
        results = imports.import_paths(ws, found, trust_new=args.trust_new, key=key)
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


def _business_unit_key(ws: Workspace, passphrase_file: Path | None, paths: list[Path]) -> UnlockedKey | None:
    """The Business Unit's key, unlocked once for the run, when a passphrase is given or encrypted bundles are
    found and there is a terminal to ask in (without it, encrypted bundles are refused as ``key_needed``)."""
    asked = passphrase_file is not None
    if not asked:
        encrypted = any(imports.is_encrypted_name(p) for p in imports.expand_paths(paths))
        if not encrypted or sys.stdin is None or not sys.stdin.isatty():
            return None
    try:
        identity = partnership_admin.current_identity(ws)
    except partnership_admin.PartnershipAdminError as exc:
        if not asked:
            return None
        raise CommandError(f"{exc} Nothing was imported.") from exc
    passphrase = (
        read_passphrase(passphrase_file)
        if asked
        else getpass.getpass("Passphrase of the Business Unit's key (opens encrypted bundles): ")
    )
    try:
        return partnership_admin.unlock(identity, passphrase)
    except IdentityError as exc:  # a wrong passphrase among them
        raise CommandError(f"{exc} Nothing was imported.") from exc


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

"""``oscb export SUBMISSION_ID --out FILE.oscb [--passphrase-file F]``: a signed return as a bundle."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from oscb_desktop.bundle import BundleError
from oscb_desktop.cli.common import CommandError, open_workspace
from oscb_desktop.fsutil import WriteError
from oscb_desktop.services import signoff
from oscb_desktop.services.returns import ReturnError, get_submission
from oscb_desktop.signing import MAX_PASSPHRASE_LENGTH, PASSPHRASE_TOO_LONG, IdentityError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "export",
        help="write a signed return as a signed .oscb bundle",
        description=(
            "Write a signed return as one .oscb file for the Business Unit: the signed PDF, the answers, "
            "their history and evidence, with a manifest signed by the key that signed the return."
        ),
    )
    p.add_argument("submission_id", metavar="SUBMISSION_ID", help="the return's id, or its first 6+ characters")
    p.add_argument("--out", type=Path, required=True, metavar="FILE.oscb", help="where to write the bundle")
    p.add_argument(
        "--passphrase-file",
        type=Path,
        metavar="F",
        help="file whose first line is the signing key's passphrase (default: ask, if run in a terminal)",
    )
    p.set_defaults(func=cmd_export)


def read_passphrase(path: Path | None) -> str:
    """From ``--passphrase-file`` (first line), or asked for without echo when there is a terminal."""
    if path is not None:
        try:
            with path.open(encoding="utf-8") as fh:
                # Enough characters for the longest passphrase and its line break: a huge file is not read whole.
                text = fh.read(MAX_PASSPHRASE_LENGTH + 2)
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"The passphrase file {path} cannot be read: {exc}") from exc
        lines = text.splitlines()
        first = lines[0] if lines else ""
        if len(first) > MAX_PASSPHRASE_LENGTH:
            raise CommandError(
                f"{PASSPHRASE_TOO_LONG}; the first line of {path} is longer. The bundle was not written."
            )
        return first
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass("Passphrase of the signing key: ")
    raise CommandError("The signing key's passphrase is needed: give it with --passphrase-file F.")


def cmd_export(args: argparse.Namespace) -> int:
    out: Path = args.out
    if not out.name.lower().endswith((".oscb", ".oscb.p7m")):
        raise CommandError(f"{out} does not end in .oscb; bundles are named *.oscb (*.oscb.p7m when encrypted).")
    if out.is_dir():
        raise CommandError(f"{out} is a folder; give the bundle's file name.")
    with open_workspace(args) as ws:
        try:
            sub = get_submission(ws, args.submission_id)
            if not sub.locked:
                raise CommandError("Only a signed return can be exported. Sign it off in the app first.")
            result = signoff.export(ws, sub.id, out, passphrase=read_passphrase(args.passphrase_file))
        except IdentityError as exc:  # WrongPassphraseError among them
            raise CommandError(f"{exc} The bundle was not written.") from exc
        except (ReturnError, BundleError, WriteError) as exc:
            raise CommandError(str(exc)) from exc
    print(
        f"Wrote {result.path} ({result.size / 1024:.0f} KB): {sub.agency.name}, {sub.form_id} {sub.period}, "
        f"version {sub.version}."
    )
    if result.encrypted:
        print(f"Encrypted: only the partnership's Business Unit can open it. Your own plain copy: {result.kept_copy}")
    else:
        print("Not encrypted: the return's partnership has no Business Unit key for it (join its pack first).")
    return 0

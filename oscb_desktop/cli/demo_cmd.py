"""``oscb demo [--agencies N] [--seed S]``: fill an empty workspace with realistic demo data."""

from __future__ import annotations

import argparse
from pathlib import Path

from oscb_desktop import demo
from oscb_desktop.cli.common import CommandError, open_workspace
from oscb_desktop.services import agencies
from oscb_desktop.services.workspace import partnership

MAX_AGENCIES = 40


def _agency_count(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= n <= MAX_AGENCIES:
        raise argparse.ArgumentTypeError(f"choose between 1 and {MAX_AGENCIES} agencies, not {n}")
    return n


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "demo",
        help="fill an empty workspace with demo agencies and returns",
        description=(
            "Create partner agencies with last year's completed Section 11 returns, this year's returns at "
            "different stages and impact assessments, all written through the normal services (so audited). "
            "The same seed gives the same data. Every demo signing key has the passphrase "
            f"{demo.DEMO_PASSPHRASE!r}."
        ),
    )
    p.add_argument(
        "--agencies",
        type=_agency_count,
        default=12,
        metavar="N",
        help=f"how many partner agencies to create, 1 to {MAX_AGENCIES} (default 12)",
    )
    p.add_argument("--seed", type=int, default=2026, metavar="S", help="random seed (default 2026)")
    p.add_argument(
        "--export",
        type=Path,
        metavar="DIR",
        help=(
            "give every agency complete, signed 2026/27 returns and write every signed return to DIR as a "
            ".oscb bundle (for trying out the Business Unit's import)"
        ),
    )
    p.set_defaults(func=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    with open_workspace(args) as ws:
        folder, existing = ws.folder, agencies.list_agencies(ws)
    if existing:
        raise CommandError(
            f"The workspace in {folder} already has {len(existing)} "
            f"{'agency' if len(existing) == 1 else 'agencies'}; demo data is only added to an empty "
            "workspace. Pass an empty folder with --data-dir."
        )
    business_unit = pack = None
    if args.export is not None:
        if args.export.exists() and not args.export.is_dir():
            raise CommandError(f"{args.export} is a file; --export needs a folder.")
        business_unit = args.export / "business-unit"
        if business_unit.exists() and any(business_unit.iterdir()):
            raise CommandError(f"{business_unit} is not empty; give --export a new folder.")
        pack = args.export / demo.pack_name(partnership().short_name)
        args.export.mkdir(parents=True, exist_ok=True)
    try:
        # Built aside and moved into place when complete: a killed run leaves the workspace empty.
        summary = demo.build_agencies(
            folder,
            agencies=args.agencies,
            seed=args.seed,
            sign_all=args.export is not None,
            business_unit=business_unit,
            pack=pack,
        )
        print(summary.describe(folder))
        if args.export is not None:
            with open_workspace(args) as ws:
                written = demo.export_signed(ws, args.export)
            print(f"Exported {len(written)} signed returns to {args.export} (passphrase {demo.DEMO_PASSPHRASE!r}).")
            print(f"The partnership's pack: {pack}")
            print(
                f"Its Business Unit's workspace: {business_unit} (import with: oscb --data-dir {business_unit} "
                f"import {args.export} --trust-new --passphrase-file F, F holding {demo.DEMO_PASSPHRASE!r})"
            )
    except (demo.DemoError, OSError) as exc:
        raise CommandError(str(exc)) from exc
    return 0

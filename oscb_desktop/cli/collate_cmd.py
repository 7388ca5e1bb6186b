"""``oscb collate --period P --pdf FILE --xlsx FILE``: the board's assurance report and spreadsheet."""

from __future__ import annotations

import argparse
from pathlib import Path

from oscb_desktop.cli.common import CommandError, open_workspace
from oscb_desktop.collate import collate
from oscb_desktop.fsutil import WriteError, atomic_write
from oscb_desktop.report.collation_pdf import render_collation_pdf
from oscb_desktop.report.collation_xlsx import write_collation_xlsx
from oscb_desktop.services import registry, review


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "collate",
        help="the board's assurance report (PDF) and spreadsheet (XLSX) for a period",
        description=(
            "Collate every agency's newest received return for a period, with the Business Unit's moderation, "
            "into the board's assurance report and spreadsheet."
        ),
    )
    p.add_argument("--period", required=True, metavar="P", help="reporting period, e.g. 2026/27")
    p.add_argument("--pdf", type=Path, metavar="FILE", help="write the report here")
    p.add_argument("--xlsx", type=Path, metavar="FILE", help="write the spreadsheet here")
    p.set_defaults(func=cmd_collate)


def cmd_collate(args: argparse.Namespace) -> int:
    if args.pdf is None and args.xlsx is None:
        raise CommandError("Say what to write: --pdf FILE, --xlsx FILE, or both.")
    with open_workspace(args) as ws:
        if not registry.is_business_unit(ws):
            raise CommandError(
                "This is not a Business Unit workspace: there is nothing to collate. Import bundles first "
                "(oscb --data-dir DIR import PATH...)."
            )
        known = review.periods(ws)
        if args.period not in known:
            raise CommandError(f"There is no period {args.period!r}; choose one of {', '.join(known)}.")
        result = collate(review.collation_input(ws, args.period))
    try:
        if args.pdf is not None:
            atomic_write(args.pdf, render_collation_pdf(result))
            print(f"Wrote {args.pdf}")
        if args.xlsx is not None:
            write_collation_xlsx(result, args.xlsx)
            print(f"Wrote {args.xlsx}")
    except WriteError as exc:
        raise CommandError(str(exc)) from exc
    return 0

"""``oscb collate --period P [--pdf FILE] [--docx FILE] [--xlsx FILE] [--feedback-dir DIR]``: the board's assurance
report (PDF, Word) and spreadsheet, and a feedback letter to each agency that sent a return."""

from __future__ import annotations

import argparse
from pathlib import Path

from oscb_desktop.cli.common import CommandError, open_workspace
from oscb_desktop.collate import collate
from oscb_desktop.fsutil import WriteError, atomic_write
from oscb_desktop.report.board import render_collation_pdf
from oscb_desktop.report.board_docx import write_board_docx
from oscb_desktop.report.collation_xlsx import write_collation_xlsx
from oscb_desktop.services import registry, review


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "collate",
        help="the board's assurance report (PDF, Word), spreadsheet (XLSX) and feedback to each agency for a period",
        description=(
            "Collate every agency's newest received return for a period, with the Business Unit's moderation, "
            "into the board's assurance report and spreadsheet, and a feedback letter (PDF) to each agency that "
            "sent a return: its own ratings beside the moderated ones, the Business Unit's notes and its open "
            "actions. Say at least one of --pdf, --docx, --xlsx and --feedback-dir."
        ),
    )
    p.add_argument("--period", required=True, metavar="P", help="reporting period, e.g. 2026/27")
    p.add_argument("--pdf", type=Path, metavar="FILE", help="write the board's report here")
    p.add_argument(
        "--docx",
        type=Path,
        metavar="FILE",
        help="write the board's report as a Word document here, to edit into the annual report",
    )
    p.add_argument("--xlsx", type=Path, metavar="FILE", help="write the spreadsheet here")
    p.add_argument(
        "--feedback-dir",
        type=Path,
        metavar="DIR",
        help="write Feedback_<agency>_<period>.pdf here for each agency that sent a return for the period "
        "(the folder is made if needed; letters of the same name are replaced)",
    )
    p.add_argument(
        "--officer",
        metavar="NAME",
        help="your name, which signs the feedback letters (kept as this workspace's user name for next time)",
    )
    p.set_defaults(func=cmd_collate)


def cmd_collate(args: argparse.Namespace) -> int:
    if args.pdf is None and args.docx is None and args.xlsx is None and args.feedback_dir is None:
        raise CommandError(
            "Say what to write: --pdf FILE, --docx FILE, --xlsx FILE, --feedback-dir DIR, or several of them."
        )
    with open_workspace(args) as ws:
        if not registry.is_business_unit(ws):
            raise CommandError(
                "This is not a Business Unit workspace: there is nothing to collate. Import bundles first "
                "(oscb --data-dir DIR import PATH...)."
            )
        if args.officer is not None and args.officer.strip():
            ws.set_setting("user_name", " ".join(args.officer.split()))
        known = review.periods(ws)
        if args.period not in known:
            raise CommandError(f"There is no period {args.period!r}; choose one of {', '.join(known)}.")
        result = collate(review.collation_input(ws, args.period))
        signatories = review.signatories(ws, result) if args.feedback_dir is not None else {}
    try:
        if args.pdf is not None:
            atomic_write(args.pdf, render_collation_pdf(result))
            print(f"Wrote {args.pdf}")
        if args.docx is not None:
            write_board_docx(result, args.docx)
            print(f"Wrote {args.docx}")
        if args.xlsx is not None:
            write_collation_xlsx(result, args.xlsx)
            print(f"Wrote {args.xlsx}")
        if args.feedback_dir is not None:
            written = len(review.write_feedback_letters(result, args.feedback_dir, signatories))
            print(f"Wrote {written} feedback letter{'' if written == 1 else 's'} to {args.feedback_dir}")
    except WriteError as exc:
        raise CommandError(str(exc)) from exc
    return 0

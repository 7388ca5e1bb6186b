"""``oscb forms list`` and ``oscb forms check FILE``."""

from __future__ import annotations

import argparse
from pathlib import Path

from oscb_desktop.cli.common import data_dir
from oscb_desktop.forms import FormDefinitionError, FormRegistry, load_file
from oscb_desktop.forms.known import PRACTITIONER_SURVEY, SELF_ASSESSMENT
from oscb_desktop.forms.survey_rules import unknown_statements
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.store import DB_FILENAME
from oscb_desktop.textsafe import shown


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    forms = sub.add_parser("forms", help="installed form definitions")
    fsub = forms.add_subparsers(dest="forms_command", required=True, metavar="ACTION")
    p = fsub.add_parser(
        "list", help="list the forms installed and joined (with --data-dir: the workspace's) and any that failed"
    )
    p.set_defaults(func=cmd_list)
    p = fsub.add_parser("check", help="validate a form definition file (for whoever writes next year's form)")
    p.add_argument("file", type=Path)
    p.set_defaults(func=cmd_check)


def cmd_list(args: argparse.Namespace) -> int:
    """The forms shipped with the app and, when the workspace exists, those of the partnerships it set up or
    joined (their packs' forms and deadlines)."""
    reg = FormRegistry.load()
    if (data_dir(args) / DB_FILENAME).exists():
        with Workspace.open(data_dir(args), read_only=True, daily_backup=False) as ws:
            reg = ws.forms
    for form in reg:
        deadline = form.deadline.isoformat() if form.deadline else "-"
        n_items = sum(1 for _ in form.items())
        line = f"{form.id:<12} {form.version:<8} {form.period:<8} deadline {deadline}  {n_items:>3} items  {form.title}"
        print(shown(line))
    for err in reg.errors:
        print(shown(f"NOT LOADED: {err}"))
    return 1 if reg.errors else 0


def cmd_check(args: argparse.Namespace) -> int:
    try:
        form = load_file(args.file)
    except FormDefinitionError as exc:
        print(shown(f"INVALID {exc}"))
        return 1
    n_items = sum(1 for _ in form.items())
    n_rules = sum(1 for _ in form.all_rules())
    n_files = sum(1 for item in form.items() if item.files is not None)
    takes = f"{n_files} item{'s take' if n_files != 1 else ' takes'} evidence files"
    print(
        shown(
            f"OK {args.file}: {form.id} {form.version} for {form.period}, "
            f"{len(form.sections)} sections, {n_items} items, {n_rules} rules, {takes}"
        )
    )
    if form.kind == PRACTITIONER_SURVEY:
        installed = FormRegistry.load()
        s11 = [f for f in installed.for_period(form.period) if f.kind == SELF_ASSESSMENT]
        for where in unknown_statements(form, s11):
            print(shown(f"WARNING {where}, which no installed self-assessment for {form.period} rates"))
    return 0

"""``oscb survey questions | import | show``: the practitioner survey, run outside the app, brought back as counts.

``questions --out DIR`` writes the questionnaire as a printable PDF, a CSV of its questions and an empty
responses sheet. ``import FILE --agency NAME [--mapping FILE] [--json]`` reads a responses export (CSV or XLSX),
maps its columns onto the questions (by their text, the mapping file, or the mapping remembered from the last
import) and stores the counts only; ``--json`` prints ``{"file", "outcome", "agency", "period", "respondents",
"columns", "ignored", "missing", "survey"}`` or, refused (exit 2), ``{"file", "outcome": "rejected", "reason",
"problems"}``. ``show --agency NAME --json`` prints the stored counts, suppressed counts as ``"<5"``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from oscb_desktop.cli.common import CommandError, open_workspace
from oscb_desktop.forms.model import FormDefinition
from oscb_desktop.fsutil import WriteError
from oscb_desktop.services import survey
from oscb_desktop.services.survey import SurveyError
from oscb_desktop.services.survey_values import SurveyInfo
from oscb_desktop.survey.counts import SurveyCounts, in_words
from oscb_desktop.survey.responses import SurveyFileError, UnmappableResponsesError
from oscb_desktop.textsafe import shown


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    top = sub.add_parser("survey", help="the practitioner survey: its questions, and the responses as counts")
    ssub = top.add_subparsers(dest="survey_command", required=True, metavar="ACTION")

    p = ssub.add_parser("questions", help="write the survey as a printable PDF and a CSV layout")
    p.add_argument("--out", type=Path, required=True, metavar="DIR")
    p.add_argument("--period", help="the reporting period (default: the newest with a survey)")
    p.set_defaults(func=cmd_questions)

    p = ssub.add_parser("import", help="count a responses export (CSV or XLSX) for an agency; keeps counts only")
    p.add_argument("file", type=Path, metavar="FILE.csv|FILE.xlsx")
    p.add_argument("--agency", required=True, help="the agency's name, as in this workspace")
    p.add_argument("--mapping", type=Path, metavar="FILE", help="YAML/JSON: columns, answers and columns to ignore")
    p.add_argument("--period", help="the reporting period (default: the newest with a survey)")
    p.add_argument("--json", action="store_true", help="print the outcome as JSON")
    p.set_defaults(func=cmd_import)

    p = ssub.add_parser("show", help="the agency's stored survey counts")
    p.add_argument("--agency", required=True)
    p.add_argument("--period", help="the reporting period (default: the newest imported)")
    p.add_argument("--json", action="store_true", help='print the counts as JSON, suppressed ones as "<5"')
    p.set_defaults(func=cmd_show)


def cmd_questions(args: argparse.Namespace) -> int:
    if args.out.exists() and not args.out.is_dir():
        raise CommandError(f"{args.out} is a file; give the folder the questions go to.")
    with open_workspace(args, daily_backup=False) as ws:
        try:
            written = survey.write_questions(ws, args.out, args.period)
        except (SurveyError, WriteError) as exc:
            raise CommandError(str(exc)) from exc
    for path in written:
        print(shown(f"Wrote {path}"))
    return 0


def _questions_json(form: FormDefinition, counts: SurveyCounts) -> list[dict[str, Any]]:
    """Each question with its text and its answers' labels and counts (suppressed ones as ``"<5"``)."""
    data = counts.to_json()["questions"]
    out = []
    order = {item.id: n for n, item in enumerate(form.items())}
    for q in sorted(counts.questions, key=lambda q: (order.get(q.question, len(order)), q.question)):
        item = form.item(q.question) if form.has_item(q.question) else None
        out.append(
            {
                "id": q.question,
                "code": form.item_code(q.question) if item else "",
                "question": " ".join(item.label.split()) if item else q.question,
                "answered": data[q.question]["answered"],
                "answers": [
                    {"id": o, "label": label, "count": data[q.question]["counts"][o]}
                    for o, label, _n in counts.in_order(form, q.question)
                ],
            }
        )
    return out


def _info_json(info: SurveyInfo) -> dict[str, Any]:
    return {
        "agency": info.agency,
        "period": info.counts.period,
        "form": {"id": info.form.id, "version": info.form.version, "title": info.form.title},
        "file": info.file_name,
        "imported_at": info.imported_at,
        "imported_by": info.imported_by,
        "threshold": info.counts.threshold,
        "respondents": info.counts.to_json()["respondents"],
        "survey": info.counts.to_json(),
        "questions": _questions_json(info.form, info.counts),
    }


def cmd_import(args: argparse.Namespace) -> int:
    with open_workspace(args) as ws:
        if ws.read_only:
            raise CommandError("The workspace is open in another program; close it there and import again.")
        try:
            agency_id, _name = survey.find_agency(ws, args.agency)
            p = survey.preview(ws, agency_id, args.file, mapping_file=args.mapping, period=args.period)
            info = survey.store(ws, p)
        except SurveyFileError as exc:
            if args.json:
                problems = exc.problems if isinstance(exc, UnmappableResponsesError) else []
                out = {"file": args.file.name, "outcome": "rejected", "reason": str(exc), "problems": problems}
                print(json.dumps(out, indent=2, ensure_ascii=False))
                return 2
            raise CommandError(str(exc)) from exc
        except SurveyError as exc:
            raise CommandError(str(exc)) from exc
    if args.json:
        out = {
            "file": args.file.name,
            "outcome": "imported",
            **_info_json(info),
            "columns": p.columns,
            "ignored": list(p.ignored),
            "missing": list(p.missing),
        }
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return 0
    print(shown(_summary(info)))
    for qid in p.missing:
        print(shown(f"  not in the file: {info.form.item_code(qid)} {' '.join(info.form.item(qid).label.split())}"))
    return 0


def _summary(info: SurveyInfo) -> str:
    c = info.counts
    return (
        f"Stored the {c.period} practitioner survey of {info.agency}: {in_words(c.respondents, c.threshold)} "
        f"respondents, {len(c.questions)} questions (counts under {c.threshold} shown as fewer than {c.threshold}); "
        f"{info.file_name} itself was not kept."
    )


def cmd_show(args: argparse.Namespace) -> int:
    with open_workspace(args, daily_backup=False) as ws:
        try:
            agency_id, name = survey.find_agency(ws, args.agency)
        except SurveyError as exc:
            raise CommandError(str(exc)) from exc
        info = survey.current(ws, agency_id, args.period) if args.period else survey.latest_for_agency(ws, agency_id)
    if info is None:
        raise CommandError(f"{name} has no practitioner survey stored; import one with oscb survey import.")
    if args.json:
        print(json.dumps(_info_json(info), indent=2, ensure_ascii=False))
        return 0
    print(shown(_summary(info).replace("Stored the", "The")))
    t = info.counts.threshold
    for q in _questions_json(info.form, info.counts):
        answers = "; ".join(f"{a['label']}: {in_words(None if isinstance(a['count'], str) else a['count'], t)}"
                            for a in q["answers"])  # fmt: skip
        print(shown(f"  {q['code']} {q['question']}: {answers}"))
    return 0

"""Realistic practitioner survey responses exports, shaped like the common tools' (Microsoft Forms, Google Forms,
SurveyMonkey), written as CSV or XLSX, with the exact counts they hold so tests can check against them."""

from __future__ import annotations

import csv
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import openpyxl

from helpers.answers import complete_answers
from oscb_desktop.collate import Collation, CollationInput, RegisteredAgency, ReturnRecord, collate
from oscb_desktop.forms import FormRegistry
from oscb_desktop.forms.model import FormDefinition
from oscb_desktop.survey.counts import SurveyCounts

TOOLS = ("msforms", "google", "surveymonkey")


@dataclass(frozen=True)
class Sample:
    path: Path
    rows: list[list[str]]
    #: question id -> option id -> exact count
    counts: dict[str, Counter[str]]
    respondents: int


def _metadata(tool: str, n: int, rnd: random.Random) -> tuple[list[str], list[str]]:
    stamp = f"2027-01-{1 + n % 28:02d} 09:{n % 60:02d}:00"
    if tool == "msforms":
        return ["ID", "Start time", "Completion time", "Email", "Name"], [
            str(n), stamp, stamp, "anonymous", ""
        ]  # fmt: skip
    if tool == "google":
        return ["Timestamp", "Email address"], [stamp, f"p{n}@example.org" if rnd.random() < 0.3 else ""]
    return (
        [
            "Respondent ID",
            "Collector ID",
            "Start Date",
            "End Date",
            "IP Address",
            "Email Address",
            "First Name",
            "Last Name",
            "Custom Data 1",
        ],
        [str(11400000000 + n), "4321", stamp, stamp, "", "", "", "", ""],
    )


def make_rows(
    form: FormDefinition,
    n: int,
    *,
    tool: str = "msforms",
    seed: int = 7,
    favour: float = 0.8,
    skip: float = 0.03,
    numbered: bool = False,
) -> tuple[list[list[str]], dict[str, Counter[str]]]:
    """``n`` respondents: each question answered with its favourable options about ``favour`` of the time (the
    first question evenly), left blank ``skip`` of the time; answers written as the options' labels."""
    rnd = random.Random(seed)
    items = list(form.items())
    head, _ = _metadata(tool, 0, rnd)
    labels = [" ".join(i.label.split()) for i in items]
    if numbered:
        labels = [f"{k}. {label}" for k, label in enumerate(labels, start=1)]
    rows: list[list[str]] = [[*head, *labels]]
    if tool == "surveymonkey":
        rows.append(["" for _ in head] + ["Response" for _ in items])
    counts: dict[str, Counter[str]] = {i.id: Counter() for i in items}
    for k in range(1, n + 1):
        _, meta = _metadata(tool, k, rnd)
        answers = []
        for item in items:
            if rnd.random() < skip:
                answers.append("")
                continue
            fav = [o for o in item.options if o.id in item.favourable]
            other = [o for o in item.options if o.id not in item.favourable]
            pool = fav if fav and other and rnd.random() < favour else (other or fav)
            if not item.favourable:
                pool = list(item.options)
            option = rnd.choice(pool)
            counts[item.id][option.id] += 1
            answers.append(option.label)
        rows.append([*meta, *answers])
    return rows, counts


def write(rows: list[list[str]], path: Path) -> Path:
    if path.suffix == ".xlsx":
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "Form1"
        for row in rows:
            sheet.append(row)
        book.save(path)
    else:
        with open(path, "w", newline="", encoding="utf-8-sig") as fh:
            csv.writer(fh).writerows(rows)
    return path


def sample(form: FormDefinition, path: Path, n: int = 48, **kw: object) -> Sample:
    rows, counts = make_rows(form, n, **kw)  # type: ignore[arg-type]
    return Sample(write(rows, path), rows, counts, n)


#: (agency, sector, respondents, share giving favourable answers, level given to every statement)
AGENCIES = [
    ("Northgate Council", "local_authority", 240, 0.9, "green"),
    ("Southbank Council", "local_authority", 180, 0.5, "green"),  # its staff disagree: divergent
    ("Riverside Health Trust", "health", 150, 0.3, "amber"),  # low, but it said so itself: not divergent
    ("Hilltop School", "education", 30, 0.97, "green"),  # nearly all favourable: small counts suppressed
    ("Tiny Charity", "voluntary", 4, 0.9, "green"),  # too few to show anything
]


def survey_collation(
    forms: FormRegistry, *, earlier: bool = False
) -> tuple[Collation, dict[str, dict[str, Counter[str]]]]:
    """A collation of :data:`AGENCIES`' Section 11 returns carrying survey counts, and the exact counts
    (agency -> question id -> option id -> count) made from the responses themselves."""
    survey = forms.survey_for("2026/27")
    assert survey is not None
    s11 = forms.get("section11", "2026.1")
    exact, records = {}, []
    for n, (name, sector, respondents, favour, level) in enumerate(AGENCIES):
        _rows, counts = make_rows(survey, respondents, favour=favour, seed=n + 1, skip=0.0)
        exact[name] = counts
        answers = complete_answers(s11)
        for item in s11.items():
            if item.type == "rating" and item.id in answers:
                answers[item.id] = {"level": level, "evidence": "Evidence."}
        records.append(
            ReturnRecord(
                agency=name,
                sector=sector,
                form_id="section11",
                form_version="2026.1",
                period="2026/27",
                version=1,
                submission_id=f"sub-{n}",
                answers=answers,
                survey=SurveyCounts.from_raw(survey, respondents, counts).to_json(),
            )
        )
    if earlier:  # last year's returns of the two councils carried a survey too, answered less favourably
        last = forms.get("section11", "2025.1")
        for n, (name, sector, respondents, favour, _level) in enumerate(AGENCIES[:2]):
            _rows, counts = make_rows(survey, respondents, favour=favour - 0.2, seed=n + 50, skip=0.0)
            exact[f"{name} 2025/26"] = counts
            data = SurveyCounts.from_raw(survey, respondents, counts).to_json()
            data["period"] = "2025/26"
            records.append(
                ReturnRecord(agency=name, sector=sector, form_id="section11", form_version="2025.1",
                             period="2025/26", version=1, submission_id=f"old-{n}",
                             answers=complete_answers(last), survey=data)
            )  # fmt: skip
    inp = CollationInput(
        period="2026/27",
        forms=forms,
        returns=records,
        agencies=[RegisteredAgency(a[0], a[1]) for a in AGENCIES],
        sector_labels={
            "local_authority": "Local authorities",
            "health": "Health",
            "education": "Schools",
            "voluntary": "Voluntary sector",
        },
        partnership="Testshire Safeguarding Partnership",
    )
    return collate(inp), exact

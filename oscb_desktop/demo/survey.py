"""Demo practitioner survey counts: each agency's staff answered the partnership's survey, a few dozen people in
a large agency and a handful in a small one (a few hundred in all), mostly in line with the agency's own ratings
but not always: some agencies rate a statement Green or Blue that their practitioners do not recognise, which is
what the divergence list is for. One small agency's survey is too small to show anything but that."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping
from typing import Any

from oscb_desktop.demo.people import DemoAgency
from oscb_desktop.forms.model import FormDefinition
from oscb_desktop.services import survey as survey_service
from oscb_desktop.services.survey_values import SurveyPreview
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.survey.counts import SurveyCounts
from oscb_desktop.survey.responses import ColumnMapping

#: The favourable share practitioners give, by how the agency rated the statements a question bears on.
LIKELY = {"blue": 0.9, "green": 0.82, "amber": 0.6, "red": 0.4}


def respondents(ag: DemoAgency, rng: random.Random) -> int:
    """Staff who answered: more in councils, police and health, few in a small charity; one tiny survey."""
    if ag.index == 10:
        return 4
    base = {"local_authority": 40, "police": 45, "health": 45, "education": 30, "district_council": 22,
            "probation": 22}.get(ag.sector, 16)  # fmt: skip
    return max(6, int(base * (0.7 + 0.6 * rng.random())))


def plan_counts(
    ag: DemoAgency, form: FormDefinition, ratings: Mapping[str, Any], seed: int
) -> tuple[int, dict[str, dict[str, int]]]:
    """(respondents, question id -> option id -> exact count) for one agency."""
    rng = random.Random(seed * 101 + ag.index)
    n = respondents(ag, rng)
    # Every third agency's practitioners see two things quite differently from their agency's self-assessment.
    doubted = set(rng.sample([i.id for i in form.items() if i.bears_on], 2)) if ag.index % 3 == 1 else set()
    raw: dict[str, dict[str, int]] = {}
    for item in form.items():
        levels = [v.get("level") for s in item.bears_on if isinstance(v := ratings.get(s), dict)]
        likely = min((LIKELY.get(str(lv), 0.75) for lv in levels), default=0.75) * (0.8 + 0.4 * ag.maturity)
        if item.id in doubted:
            likely = 0.45 + 0.15 * rng.random()
        counts: Counter[str] = Counter()
        fav = [o.id for o in item.options if o.id in item.favourable]
        other = [o.id for o in item.options if o.id not in item.favourable]
        for _ in range(n):
            if rng.random() < 0.03:
                continue  # left blank
            if not item.favourable:
                counts[rng.choices([o.id for o in item.options], weights=[5, 2, 2, 1][: len(item.options)])[0]] += 1
            elif rng.random() < min(likely, 0.97):
                counts[rng.choice(fav)] += 1
            else:
                counts[rng.choice(other)] += 1
        raw[item.id] = dict(counts)
    return n, raw


def write(
    ws: Workspace, agency_id: int, ag: DemoAgency, form: FormDefinition, ratings: Mapping[str, Any], seed: int
) -> int:
    """Store the agency's survey counts (as an import would, suppressed); the number of respondents."""
    n, raw = plan_counts(ag, form, ratings, seed)
    counts = SurveyCounts.from_raw(form, n, raw)
    survey_service.store(
        ws,
        SurveyPreview(
            agency_id=agency_id,
            agency=ag.name,
            form=form,
            counts=counts,
            file_name="Practitioner survey responses.xlsx",
            columns={i.id: " ".join(i.label.split()) for i in form.items()},
            ignored=("ID", "Start time", "Completion time", "Email", "Name"),
            missing=(),
            mapping=ColumnMapping(),
        ),
    )
    return n

"""Planning the annual impact assessments: ranked pressures and enablers steered so that the totals across
agencies read as boards report them, areas for improvement, service changes, risks. The prose is in
``resources/demo/impact.yaml``."""

from __future__ import annotations

import functools
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from oscb_desktop.demo import data
from oscb_desktop.demo.common import PARTIAL
from oscb_desktop.demo.people import CURRENT, DemoAgency, answer_fields, fill, pick

FILE = "impact.yaml"


# The text ------------------------------------------------------------------------------------------


class SectorText(NamedTuple):
    """A text for every sector (``sectors`` is None), or for those sectors only."""

    sectors: tuple[str, ...] | None
    text: str


@dataclass(frozen=True)
class Ranked:
    """The categories an agency ranks its top three from (pressures, or enablers)."""

    #: The top three across agencies, in order, as boards report them.
    leaders: tuple[str, ...]
    #: Base weights for drawing the categories; ``sector_weights`` adjust them.
    weights: dict[str, int]
    sector_weights: dict[str, dict[str, int]]
    texts: dict[str, tuple[SectorText, ...]]


class ServiceChange(NamedTuple):
    change: str
    impact: str
    #: children, adults or both
    affects: str


class Risk(NamedTuple):
    risk: str
    likelihood: str
    mitigation: str


class EvidenceFile(NamedTuple):
    name: str
    #: Placeholders: {name} the agency, {a}, {b}, {c} figures.
    text: str


@dataclass(frozen=True)
class ImpactText:
    pressures: Ranked
    enablers: Ranked
    #: sector -> (text, themes)
    improvement: dict[str, tuple[str, tuple[str, ...]]]
    service_changes: dict[str, tuple[ServiceChange, ...]]
    restructures: dict[str, str]
    risks: tuple[Risk, ...]
    staff_trained: dict[str, tuple[int, int]]
    evidence_files: tuple[EvidenceFile, ...]


def _sector_text(node: data.Node) -> SectorText:
    if isinstance(node.value, str):
        return SectorText(None, node.text())
    return SectorText(node["sectors"].texts(), node["text"].text())


def _ranked(node: data.Node) -> Ranked:
    texts = {category: tuple(map(_sector_text, n.items())) for category, n in node["texts"].entries()}
    sector_weights = {sector: n.integer_map() for sector, n in node["sector_weights"].entries()}
    # Every category that can be drawn needs a text.
    for where in (node["weights"], *(n for _, n in node["sector_weights"].entries())):
        for category, weight in where.entries():
            if category not in texts:
                raise weight.wrong(f"a category of {node.key}.texts ({', '.join(texts)})")
    leaders = node["leaders"].texts(count=3)
    return Ranked(leaders, node["weights"].integer_map(), sector_weights, texts)


def _pair(node: data.Node) -> tuple[int, int]:
    low, high = (n.integer() for n in node.items(count=2))
    return low, high


def parse(top: data.Node) -> ImpactText:
    for key in ("improvement", "service_changes", "restructures"):
        top[key].require("other")  # for a sector without texts of its own
    return ImpactText(
        pressures=_ranked(top["pressures"]),
        enablers=_ranked(top["enablers"]),
        improvement={sector: (n["text"].text(), n["themes"].texts()) for sector, n in top["improvement"].entries()},
        service_changes={
            sector: tuple(ServiceChange(c["change"].text(), c["impact"].text(), c["affects"].text()) for c in n.items())
            for sector, n in top["service_changes"].entries()
        },
        restructures=top["restructures"].text_map(),
        risks=tuple(
            Risk(n["risk"].text(), n["likelihood"].text(), n["mitigation"].text())
            for n in top["risks"].items(at_least=2)
        ),
        staff_trained={sector: _pair(n) for sector, n in top["staff_trained"].entries()},
        evidence_files=tuple(EvidenceFile(n["name"].text(), n["text"].text()) for n in top["evidence_files"].items()),
    )


@functools.cache
def load() -> ImpactText:
    """``impact.yaml``, read and checked once."""
    return parse(data.read(FILE))


# Rankings ------------------------------------------------------------------------------------------


def weighted_ranks(rng: random.Random, weights: Mapping[str, int], k: int = 3) -> list[str]:
    pool = dict(weights)
    out = []
    for _ in range(k):
        cats = list(pool)
        choice = rng.choices(cats, weights=[pool[c] for c in cats])[0]
        out.append(choice)
        del pool[choice]
    return out


def ranking_ok(rankings: list[list[str]], leaders: Sequence[str], strict: bool) -> bool:
    """The board report's top three come out in order, and the leader is the most common rank 1."""
    if not rankings:
        return True
    mentions = Counter(c for r in rankings for c in r)
    firsts = Counter(r[0] for r in rankings)
    others = [n for c, n in mentions.items() if c not in leaders]
    best_other = max(others, default=0)
    a, b, c = (mentions[x] for x in leaders)
    order = a > b > c > best_other if strict else a >= b >= c >= best_other
    return order and firsts[leaders[0]] >= max(firsts.values())


def plan_rankings(rng: random.Random, sectors: list[str], ranked: Ranked) -> list[list[str]]:
    """Draw each agency's top three, again until the totals across agencies come out as boards report them."""
    rankings: list[list[str]] = []
    for strict in (True, False):  # ties only when there are too few agencies to avoid them
        for _ in range(300):
            rankings = [weighted_ranks(rng, {**ranked.weights, **ranked.sector_weights.get(s, {})}) for s in sectors]
            if ranking_ok(rankings, ranked.leaders, strict):
                return rankings
    return rankings


def pick_text(rng: random.Random, options: Sequence[SectorText], sector: str) -> str:
    fitting = [t.text for t in options if t.sectors is None or sector in t.sectors]
    return pick(rng, fitting)


# The assessment ------------------------------------------------------------------------------------


@dataclass
class ImpactPlan:
    #: Saves in the order the agency made them; a partial assessment stops early.
    steps: list[dict[str, Any]]


def plan_impact(
    rng: random.Random, ag: DemoAgency, pressures: list[str], enablers: list[str], low_sections: list[str]
) -> ImpactPlan:
    prose = load()
    period = CURRENT
    f = answer_fields(rng, ag, period)
    f["rise"] = rng.randint(8, 25)
    ranked_p = [
        {"category": c, "text": fill(pick_text(rng, prose.pressures.texts[c], ag.sector), f)} for c in pressures
    ]
    ranked_e = [{"category": c, "text": fill(pick_text(rng, prose.enablers.texts[c], ag.sector), f)} for c in enablers]
    sector_text, themes = prose.improvement.get(ag.sector, prose.improvement["other"])
    if low_sections:
        titles = low_sections[:2]
        joined = " and ".join(f'"{t}"' for t in titles)
        lead_in = f"Our Section 11 self-assessment rated parts of {joined} Amber or Red, and these are priorities."
    else:
        lead_in = "Our Section 11 self-assessment is mostly Green, but there is still work to do."
    improvement = f"{lead_in} {sector_text} Progress is reported to the {ag.words['board']}."
    pool = prose.service_changes.get(ag.sector, prose.service_changes["other"])
    changes = []
    for change, impact, affects in rng.sample(pool, rng.randint(1, min(2, len(pool)))):
        y, m = rng.choice([(2025, 10), (2025, 11), (2026, 1), (2026, 2), (2026, 4), (2026, 6), (2026, 9)])
        changes.append({"change": change, "date": date(y, m, 1).isoformat(), "impact": impact, "affects": affects})
    restructure = rng.random() < 0.3
    escalate = rng.random() < 0.3
    low, high = prose.staff_trained.get(ag.sector, (50, 500))
    steps: list[dict[str, Any]] = [
        {"impact.pressures": ranked_p},
        {"impact.enablers": ranked_e},
        {
            "impact.improvement_areas": improvement,
            "impact.improvement_themes": [t for t in themes if rng.random() < 0.8] or [themes[0]],
        },
        {
            "impact.service_changes": changes,
            "impact.staff_trained": rng.randint(low, high),
            "impact.restructure": restructure,
            **({"impact.restructure_detail": fill(prose.restructures.get(ag.sector, prose.restructures["other"]), f)}
               if restructure else {}),
        },
        {
            "impact.escalate": escalate,
            **({"impact.risks": [{"risk": r, "likelihood": lk, "mitigation": mi}
                                 for r, lk, mi in rng.sample(prose.risks, rng.randint(1, 2))]} if escalate else {}),
        },
        {"impact.contact_date": date(2026, rng.choice((9, 10, 11)), rng.randint(1, 13)).isoformat()},
    ]  # fmt: skip
    if ag.impact_stage == PARTIAL:
        steps = steps[: rng.randint(1, 3)]
    return ImpactPlan(steps)

"""The demo agencies and their people: leads, signatories, the words each agency uses, and the figures and
dates that fill the templates of an answer. The prose is in ``resources/demo/people.yaml``."""

from __future__ import annotations

import functools
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from oscb_desktop.demo import data
from oscb_desktop.demo.common import (
    ABSENT,
    BARELY_STARTED,
    COMPLETE,
    CURRENT_PERIOD,
    HALF_DONE,
    HISTORY_PERIOD,
    PARTIAL,
)
from oscb_desktop.services.workspace import partnership

FILE = "people.yaml"

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine"}


# The text ------------------------------------------------------------------------------------------


class YouSaid(NamedTuple):
    said: str
    did: str


class JointWork(NamedTuple):
    partner: str
    work: str


@dataclass(frozen=True)
class FillIns:
    """The choices behind the placeholders that are not the agency's own words."""

    reviews: tuple[str, ...]
    changes: tuple[str, ...]
    shaped: tuple[str, ...]
    you_said: tuple[YouSaid, ...]
    hard_reach: tuple[str, ...]
    places: tuple[str, ...]
    langs: tuple[str, ...]
    subgroups: tuple[str, ...]
    courses: tuple[str, ...]
    audit_topics: tuple[str, ...]
    joint_work: tuple[JointWork, ...]
    fte: tuple[str, ...]
    freq: tuple[str, ...]


@dataclass(frozen=True)
class PeopleText:
    first_names: tuple[str, ...]
    surnames: tuple[str, ...]
    signatory_roles: dict[str, str]
    #: (part of an agency's name, the role of its signatory)
    signatory_by_name: tuple[tuple[str, str], ...]
    services: dict[str, str]
    #: sector -> placeholder -> choices; "other" is the fallback.
    sector_words: dict[str, dict[str, tuple[str, ...]]]
    #: part of an agency's name -> placeholder -> word
    name_words: dict[str, dict[str, str]]
    maturity: dict[str, float]
    fill_ins: FillIns


def parse(top: data.Node) -> PeopleText:
    sector_words = {}
    for sector, node in top["sector_words"].entries():
        node.require("lead_role")  # every agency's lead is given a role from its sector's words
        sector_words[sector] = {key: choices.texts() for key, choices in node.entries()}
    top["sector_words"].require("other")  # for a sector without words of its own
    f = top["fill_ins"]
    return PeopleText(
        first_names=top["first_names"].texts(),
        surnames=top["surnames"].texts(),
        signatory_roles=top["signatory_roles"].text_map(),
        signatory_by_name=tuple((n["agency"].text(), n["role"].text()) for n in top["signatory_by_name"].items()),
        services=top["services"].text_map(),
        sector_words=sector_words,
        name_words={name: node.text_map() for name, node in top["name_words"].entries()},
        maturity={sector: node.number() for sector, node in top["maturity"].entries()},
        fill_ins=FillIns(
            reviews=f["reviews"].texts(),
            changes=f["changes"].texts(),
            shaped=f["shaped"].texts(),
            you_said=tuple(YouSaid(n["said"].text(), n["did"].text()) for n in f["you_said"].items()),
            hard_reach=f["hard_reach"].texts(),
            places=f["places"].texts(),
            langs=f["langs"].texts(),
            subgroups=f["subgroups"].texts(at_least=2),
            courses=f["courses"].texts(at_least=2),
            audit_topics=f["audit_topics"].texts(at_least=2),
            joint_work=tuple(JointWork(n["partner"].text(), n["work"].text()) for n in f["joint_work"].items()),
            fte=f["fte"].texts(),
            freq=f["freq"].texts(),
        ),
    )


@functools.cache
def load() -> PeopleText:
    """``people.yaml``, read and checked once."""
    return parse(data.read(FILE))


# The agencies --------------------------------------------------------------------------------------


def slug(text: str) -> str:
    text = text.lower().replace("'", "").replace("\u2019", "")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


@dataclass
class DemoAgency:
    index: int
    name: str
    sector: str
    lead: str
    role: str
    email: str
    phone: str
    services: str
    words: dict[str, str]
    maturity: float
    #: Who completed last year's return if the lead has changed since.
    former_lead: str | None = None
    former_role: str | None = None
    #: Statements that do not apply to it, with the reason it gives (see ``section11.not_applicable``).
    not_applicable: dict[str, str] = field(default_factory=dict)
    stage: str = COMPLETE
    impact_stage: str = COMPLETE


def pick(rng: random.Random, options: Sequence[str]) -> str:
    return options[rng.randrange(len(options))]


def plan_agencies(rng: random.Random, count: int) -> list[DemoAgency]:
    """The first ``count`` members of the partnership, each with a lead, contact details and its own words."""
    t = load()
    members = partnership().agencies[:count]
    firsts = rng.sample(t.first_names, len(t.first_names))
    lasts = rng.sample(t.surnames, len(t.surnames))
    out = []
    extra = count  # index of the next spare name, for former leads
    for i, (name, sector) in enumerate(members):
        words_src = t.sector_words.get(sector, t.sector_words["other"])
        words = {key: pick(rng, opts) for key, opts in words_src.items()}
        for fragment, override in t.name_words.items():
            if fragment in name:
                words.update(override)
        first, last = firsts[i % len(firsts)], lasts[i % len(lasts)]
        lead = f"{first} {last}"
        email = f"{slug(first)}.{slug(last).replace('-', '')}@{slug(name)}.example.org.uk"
        ag = DemoAgency(
            index=i,
            name=name,
            sector=sector,
            lead=lead,
            role=words["lead_role"],
            email=email,
            phone=f"01865 {rng.randint(200000, 899999)}",
            services=t.services.get(name, f"All services of {name} that work with children, adults or families."),
            words=words,
            maturity=min(0.95, max(0.25, t.maturity.get(sector, 0.6) + rng.uniform(-0.15, 0.15))),
        )
        if rng.random() < 0.18:
            ag.former_lead = f"{firsts[extra % len(firsts)]} {lasts[extra % len(lasts)]}"
            ag.former_role = pick(rng, words_src["lead_role"])
            extra += 1
        out.append(ag)
    assign_stages(out)
    return out


def assign_stages(agencies: list[DemoAgency]) -> None:
    """This year's progress by position: mostly complete, some half done, one or two barely started."""
    n = len(agencies)
    barely = set()
    if n >= 3:
        barely.add(round(n * 0.6))
    if n >= 10:
        barely.add(round(n * 0.85))
    for ag in agencies:
        i = ag.index
        if i in barely:
            ag.stage = BARELY_STARTED
        elif i % 5 in (0, 1, 3):
            ag.stage = COMPLETE
        else:
            ag.stage = HALF_DONE
        if n >= 4 and i % 7 == 4:
            ag.impact_stage = ABSENT
        elif i % 4 == 2 or ag.stage == BARELY_STARTED:
            ag.impact_stage = PARTIAL
        else:
            ag.impact_stage = COMPLETE


def signatory(rng: random.Random, ag: DemoAgency) -> tuple[str, str]:
    """The senior officer who signs the agency's returns off: (name, role)."""
    t = load()
    person = f"{pick(rng, t.first_names)} {pick(rng, t.surnames)}"
    role = next(
        (r for word, r in t.signatory_by_name if word in ag.name),
        t.signatory_roles.get(ag.sector, "Chief Executive"),
    )
    return person, role


# The fields of an answer ---------------------------------------------------------------------------


class Period:
    """The months that evidence written for a reporting period can refer to."""

    def __init__(self, period: str, *, in_progress: bool) -> None:
        self.period = period
        self.year = int(period[:4])
        if in_progress:  # this year's return, being written in the autumn
            self.months = [(self.year, m) for m in range(4, 11)]
        else:  # last year's, finished before the deadline at the end of March
            self.months = [(self.year, m) for m in range(4, 13)] + [(self.year + 1, m) for m in (1, 2)]

    def dates(self, rng: random.Random) -> list[str]:
        return [f"{MONTHS[m - 1]} {y}" for y, m in sorted(rng.sample(self.months, 3))]


HISTORY = Period(HISTORY_PERIOD, in_progress=False)
CURRENT = Period(CURRENT_PERIOD, in_progress=True)


def answer_fields(rng: random.Random, ag: DemoAgency, period: Period) -> dict[str, Any]:
    """What a template's placeholders are filled with: the agency's words, and dates and figures drawn afresh
    for each answer (so that no two agencies write the same sentence)."""
    t = load().fill_ins
    d1, d2, d3 = period.dates(rng)
    att_total = rng.randint(8, 12)
    courses = rng.sample(t.courses, 2)
    said, did = t.you_said[rng.randrange(len(t.you_said))]
    partner, joint = t.joint_work[rng.randrange(len(t.joint_work))]
    f: dict[str, Any] = dict(ag.words)
    f.update(
        period=period.period,
        y_prev=period.year - 1,
        y_old=period.year - rng.randint(4, 6),
        review_year=period.year + rng.choice((2, 3)),
        d1=d1,
        d2=d2,
        d3=d3,
        pct=rng.randint(86, 99),
        pct2=rng.randint(78, 96),
        pct_hi=rng.randint(94, 99),
        pct_low=rng.randint(52, 76),
        n=WORDS[rng.randint(3, 9)],
        n2=rng.randint(14, 60),
        small=WORDS[rng.randint(1, 3)],
        referrals=pick(rng, ("one referral", "two referrals")),
        days=rng.randint(2, 5),
        weeks=rng.choice((4, 6, 8)),
        att_total=att_total,
        att=att_total - rng.randint(0, 1),
        att_low=att_total - rng.randint(4, 6),
        subgroups=" and ".join(rng.sample(t.subgroups, 2)),
        courses=f"{courses[0]} and {courses[1]}",
        review=pick(rng, t.reviews),
        change=pick(rng, t.changes),
        shaped=pick(rng, t.shaped),
        said=said,
        did=did,
        hard_reach=pick(rng, t.hard_reach),
        places=pick(rng, t.places),
        langs=pick(rng, t.langs),
        audit_topics=" and ".join(rng.sample(t.audit_topics, 2)),
        partner=partner,
        joint=joint,
        fte=pick(rng, t.fte),
        freq=pick(rng, t.freq),
    )
    f["plan_cap"] = f["plan"][:1].upper() + f["plan"][1:]
    if ag.sector == "voluntary" and "our" in f["plan"]:
        f["plan_cap"] = "Our" + f["plan"][3:]
    return f


def fill(template: str, fields: Mapping[str, Any]) -> str:
    """The template with its placeholders filled, starting with a capital."""
    text = template.format_map(fields)
    return text[:1].upper() + text[1:]

"""What practitioners said, across the partnership: figures checked against counts made here from the exact
responses, small groups never shown, and the divergences the survey's rule names."""

from __future__ import annotations

import pytest
from helpers.survey_kit import AGENCIES, survey_collation

from oscb_desktop.collate import Collation
from oscb_desktop.forms import FormRegistry
from oscb_desktop.forms.model import FormDefinition


@pytest.fixture(scope="module")
def survey_form(shipped_forms: FormRegistry) -> FormDefinition:
    form = shipped_forms.survey_for("2026/27")
    assert form is not None
    return form


@pytest.fixture(scope="module")
def built(shipped_forms: FormRegistry) -> tuple[Collation, dict]:
    return survey_collation(shipped_forms)


@pytest.fixture(scope="module")
def collation(built: tuple[Collation, dict]) -> Collation:
    return built[0]


@pytest.fixture(scope="module")
def exact(built: tuple[Collation, dict]) -> dict:
    return built[1]


def test_partnership_figures_match_an_independent_count(
    collation: Collation, survey_form: FormDefinition, exact: dict
) -> None:
    p = collation.practitioners
    assert p is not None
    assert p.agencies == tuple(a[0] for a in AGENCIES) or set(p.agencies) == {a[0] for a in AGENCIES}
    assert p.respondents == sum(a[2] for a in AGENCIES if a[2] >= 5) and p.respondents_hidden == 1
    shown_agencies = [a[0] for a in AGENCIES if a[2] >= 5]
    for q in p.questions:
        item = survey_form.item(q.id)
        for option, (label, tally) in zip(item.options, q.answers, strict=True):
            assert label == option.label
            total = sum(exact[a][q.id][option.id] for a in shown_agencies)
            small = [exact[a][q.id][option.id] for a in shown_agencies if exact[a][q.id][option.id] < 5]
            if not small and tally.hidden == 1:  # only the tiny charity's is hidden: the rest add up exactly
                assert tally.known == total
            assert tally.known <= total
            assert all(ch.isdigit() for ch in tally.words) or tally.words.startswith(("at least", "fewer than"))
        if item.favourable:
            fav = sum(exact[a][q.id][o] for a in shown_agencies for o in item.favourable)
            answered = sum(sum(exact[a][q.id].values()) for a in shown_agencies)
            assert q.favourable is not None
            assert q.favourable.answered == answered
            assert q.favourable.low <= fav <= q.favourable.high
            if q.favourable.low == q.favourable.high:
                assert q.favourable.words == f"{round(100 * fav / answered)} %"


def test_by_sector_and_suppression(collation: Collation, exact: dict) -> None:
    p = collation.practitioners
    assert p is not None
    trained = next(q for q in p.questions if q.id == "learning.trained")
    sectors = dict(trained.by_sector)
    la = sectors["Local authorities"]
    fav = sum(exact[a]["learning.trained"]["yes"] for a in ("Northgate Council", "Southbank Council"))
    answered = sum(sum(exact[a]["learning.trained"].values()) for a in ("Northgate Council", "Southbank Council"))
    assert la.answered == answered and la.low <= fav <= la.high
    assert sectors["Voluntary sector"].words == "too few answers to show"
    assert sectors["Voluntary sector"].percent is None
    assert "Tiny Charity" not in {d.agency for d in p.divergences}


def test_divergences_follow_the_rule(collation: Collation, exact: dict) -> None:
    p = collation.practitioners
    assert p is not None
    assert "rated Blue or Green and fewer than 70 %" in p.rule
    agencies = {d.agency for d in p.divergences}
    assert agencies == {"Southbank Council"}, "Northgate's staff agree; Riverside rated itself Amber"
    training = [d for d in p.divergences if d.statement_code == "S5.1"]
    assert training and training[0].level == "Green" and training[0].favourable_label == "Yes"
    yes = exact["Southbank Council"]["learning.trained"]["yes"]
    answered = sum(exact["Southbank Council"]["learning.trained"].values())
    assert training[0].share == f"{round(100 * yes / answered)} %"


def test_year_on_year(shipped_forms: FormRegistry) -> None:
    c, exact = survey_collation(shipped_forms, earlier=True)
    p = c.practitioners
    assert p is not None and p.compared_with == ("2025/26",)
    trained = next(q for q in p.questions if q.id == "learning.trained")
    [(period, last)] = trained.earlier
    names = ("Northgate Council 2025/26", "Southbank Council 2025/26")
    yes = sum(exact[n]["learning.trained"]["yes"] for n in names)
    answered = sum(sum(exact[n]["learning.trained"].values()) for n in names)
    assert period == "2025/26" and last.answered == answered and last.low <= yes <= last.high
    assert p.respondents == sum(a[2] for a in AGENCIES if a[2] >= 5), "this year's respondents only"

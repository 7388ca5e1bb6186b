"""Collation: the board report's figures, checked against counts made here straight from the answers.

The first half collates real signed bundles made by the demo generator (read from the zips, as the
Business Unit receives them); the second half uses small hand-made inputs for the edge cases.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import Any

import pytest

from oscb_desktop.collate import (
    DECLINED,
    IMPROVED,
    SAME,
    Collation,
    CollationInput,
    RegisteredAgency,
    ReturnRecord,
    YearOnYear,
    collate,
    good_levels,
    nearest_level,
)
from oscb_desktop.forms import FormRegistry

PERIOD = "2026/27"
PREVIOUS = "2025/26"
AS_OF = date(2026, 12, 1)
PCT = {"blue": 100, "green": 75, "amber": 50, "red": 25}


# --- Demo bundles (the demo_input and demo_collation fixtures are in conftest.py) ---------------------


def newest(records: list[ReturnRecord], form_id: str, period: str) -> dict[str, ReturnRecord]:
    best: dict[str, ReturnRecord] = {}
    for r in records:
        if r.form_id == form_id and r.period == period and (r.agency not in best or r.version > best[r.agency].version):
            best[r.agency] = r
    return best


def levels_by_standard(answers: dict[str, Any]) -> dict[str, list[str]]:
    """Standard id -> the levels given to its statements, straight from the answer keys ('s3.2' -> 's3')."""
    out: dict[str, list[str]] = defaultdict(list)
    for key, value in answers.items():
        if isinstance(value, dict) and value.get("level"):
            out[key.split(".")[0]].append(value["level"])
    return out


def nearest(mean: float) -> str:
    """The level whose anchor is nearest the mean; a tie goes to the lower level."""
    return min(PCT, key=lambda lv: (abs(PCT[lv] - mean), PCT[lv]))


def mean_of(levels: list[str]) -> float | None:
    scores = [PCT[lv] for lv in levels if lv in PCT]
    return sum(scores) / len(scores) if scores else None


def test_headline_counts_returns_on_time_and_missing(demo_input: CollationInput, demo_collation: Collation) -> None:
    h = demo_collation.headline
    assert h.registered == 16
    assert h.not_received == ("Army Welfare Service",)
    for form_id in ("section11", "impact"):
        mine = newest(list(demo_input.returns), form_id, PERIOD)
        deadline = next(f for f in demo_input.forms.for_period(PERIOD) if f.id == form_id).deadline
        assert deadline is not None
        expected_on_time = {a for a, r in mine.items() if date.fromisoformat(r.signed_at[:10]) <= deadline}
        f = h.form(form_id)
        assert f is not None
        assert set(f.returned) == set(mine) and len(mine) == 15
        assert set(f.on_time) == expected_on_time
        assert set(f.late) == set(mine) - expected_on_time
        assert f.not_received == ("Army Welfare Service",)
    assert h.challenged == ()  # nothing moderated or flagged yet


def test_rating_distribution_share_and_mean_per_standard(demo_input: CollationInput, demo_collation: Collation) -> None:
    current = newest(list(demo_input.returns), "section11", PERIOD)
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for r in current.values():
        for standard, levels in levels_by_standard(dict(r.answers)).items():
            counts[standard].update(levels)
    assert [s.id for s in demo_collation.standards] == [f"s{n}" for n in range(1, 12)]
    assert [s.code for s in demo_collation.standards] == [f"S{n}" for n in range(1, 12)]
    for st in demo_collation.standards:
        expected = counts[st.id]
        assert {k: v for k, v in st.counts.items() if v} == dict(expected), st.id
        rated = sum(n for lv, n in expected.items() if lv != "na")
        assert st.rated == rated
        assert st.good == expected["blue"] + expected["green"]
        assert st.good_share == pytest.approx((expected["blue"] + expected["green"]) / rated)
        assert st.good_label == "Blue or Green"
        assert st.mean == pytest.approx(sum(PCT[lv] * n for lv, n in expected.items() if lv != "na") / rated)
        assert st.moderated_agencies == 0 and st.gap is None
    assert sum(s.na for s in demo_collation.standards) > 0  # the demo has some N/A; they are counted


def test_matrix_levels_are_the_nearest_level_to_each_agencys_mean(
    demo_input: CollationInput, demo_collation: Collation
) -> None:
    current = newest(list(demo_input.returns), "section11", PERIOD)
    assert {row.agency for row in demo_collation.matrix} == {a.name for a in demo_input.agencies}
    for row in demo_collation.matrix:
        if row.agency not in current:
            assert not row.returned and all(c.self_level is None for c in row.cells)
            continue
        levels = levels_by_standard(dict(current[row.agency].answers))
        for cell in row.cells:
            mean = mean_of(levels[cell.standard_id])
            if mean is None:
                assert cell.self_level is not None and cell.self_level.id == "na"
                continue
            # nearest anchor; a tie goes to the lower level
            expected = min(PCT, key=lambda lv: (abs(PCT[lv] - mean), PCT[lv]))
            assert cell.self_level is not None and cell.self_level.id == expected
            assert cell.self_mean == pytest.approx(mean)


def test_year_on_year_compares_each_agencys_standard_levels(
    demo_input: CollationInput, demo_collation: Collation
) -> None:
    """Improved / declined only when the level changes; a move of the mean within a level is the same."""
    current = newest(list(demo_input.returns), "section11", PERIOD)
    previous = newest(list(demo_input.returns), "section11", PREVIOUS)
    expected: dict[str, Counter[str]] = defaultdict(Counter)
    for agency, r in current.items():
        now_levels = levels_by_standard(dict(r.answers))
        before_levels = levels_by_standard(dict(previous[agency].answers)) if agency in previous else {}
        for standard, levels in now_levels.items():
            now, before = mean_of(levels), mean_of(before_levels.get(standard, []))
            if now is None or before is None:
                continue
            now_level, before_level = PCT[nearest(now)], PCT[nearest(before)]
            kind = IMPROVED if now_level > before_level else DECLINED if now_level < before_level else SAME
            expected[standard][kind] += 1
    for st in demo_collation.standards:
        y = st.year_on_year
        assert (y.improved, y.same, y.declined) == (
            expected[st.id][IMPROVED],
            expected[st.id][SAME],
            expected[st.id][DECLINED],
        ), st.id
    assert demo_collation.standard("s11").year_on_year.not_compared == 15  # new in 2026/27
    assert demo_collation.compared_with == (PREVIOUS,)
    assert sum(s.year_on_year.improved + s.year_on_year.declined for s in demo_collation.standards) > 0


def test_ranked_themes_are_weighted_by_rank(demo_input: CollationInput, demo_collation: Collation) -> None:
    impact = newest(list(demo_input.returns), "impact", PERIOD)
    form = demo_input.forms.get("impact", "2026.1")
    for item_id, question in (
        ("impact.pressures", demo_collation.impact.pressures),
        ("impact.enablers", demo_collation.impact.enablers),
    ):
        assert question is not None
        points: Counter[str] = Counter()
        agencies: dict[str, set[str]] = defaultdict(set)
        for r in impact.values():
            for n, entry in enumerate(r.answers[item_id]):
                points[entry["category"]] += 3 - n
                agencies[entry["category"]].add(r.agency)
        got = {t.category: (t.points, t.agencies) for t in question.themes}
        assert got == {c: (points[c], len(agencies[c])) for c in points}
        assert [t.points for t in question.themes] == sorted((t.points for t in question.themes), reverse=True)
        top = question.top()
        assert len(top) == 3 and top[0].points == max(points.values())
        assert top[0].label == form.item(item_id).option_label(top[0].category)
        for theme in top:  # the agencies' own words, under the theme they chose
            words = {
                (r.agency, e["text"])
                for r in impact.values()
                for e in r.answers[item_id]
                if e["category"] == theme.category
            }
            assert {(q.agency, q.text) for q in theme.quotes} == words
    # the demo is steered to the board report's known top three
    pressures = demo_collation.impact.pressures
    assert pressures is not None
    assert {t.category for t in pressures.top()} == {"complex_cases", "demand", "funding"}
    answers = demo_collation.impact.answers
    assert len(answers) == sum(
        len(r.answers["impact.pressures"]) + len(r.answers["impact.enablers"]) for r in impact.values()
    )


def test_improvement_changes_and_escalated_risks(demo_input: CollationInput, demo_collation: Collation) -> None:
    impact = newest(list(demo_input.returns), "impact", PERIOD)
    imp = demo_collation.impact
    assert imp.returned == 15
    assert {(q.agency, q.text) for q in imp.improvement_areas} == {
        (r.agency, r.answers["impact.improvement_areas"]) for r in impact.values()
    }
    themes: Counter[str] = Counter(t for r in impact.values() for t in r.answers.get("impact.improvement_themes", []))
    assert {t.id: t.count for t in imp.improvement_themes} == dict(themes)
    changes = [row for r in impact.values() for row in r.answers.get("impact.service_changes", [])]
    assert len(imp.service_changes) == len(changes)
    escalating = {a for a, r in impact.items() if r.answers.get("impact.escalate") is True}
    assert set(imp.escalating) == escalating
    assert len(imp.risks) == sum(len(impact[a].answers.get("impact.risks", [])) for a in escalating)
    assert all(r.likelihood in ("Low", "Medium", "High", "") for r in imp.risks)


def test_actions_open_and_overdue_by_standard(demo_input: CollationInput, demo_collation: Collation) -> None:
    current = newest(list(demo_input.returns), "section11", PERIOD)
    total: Counter[str] = Counter()
    still_open: Counter[str] = Counter()
    overdue: Counter[str] = Counter()
    for r in current.values():
        for key, rows in r.answers.items():
            if not key.endswith(".actions"):
                continue
            standard = key.split(".")[0]
            for row in rows:
                total[standard] += 1
                if row.get("status") != "complete":
                    still_open[standard] += 1
                    if row.get("due") and date.fromisoformat(row["due"]) < AS_OF:
                        overdue[standard] += 1
    for st in demo_collation.standards:
        assert (st.actions, st.open_actions, st.overdue_actions) == (
            total[st.id],
            still_open[st.id],
            overdue[st.id],
        ), st.id
    assert len(demo_collation.actions) == sum(total.values())
    assert sum(overdue.values()) > 0 and sum(still_open.values()) > sum(overdue.values())


def test_ratings_rows_are_agencies_times_statements(demo_input: CollationInput, demo_collation: Collation) -> None:
    form = demo_input.forms.get("section11", "2026.1")
    statements = [i for i in form.items() if i.type == "rating"]
    assert len(demo_collation.ratings) == 15 * len(statements)
    row = next(r for r in demo_collation.ratings if r.statement_id == "s2.1")
    assert row.standard_title == form.section("s2").title and row.statement == form.item("s2.1").label


# --- Hand-made inputs -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def forms(shipped_forms: FormRegistry) -> FormRegistry:
    return shipped_forms


def s11(forms: FormRegistry, level: str = "green", version: str = "2026.1", **levels: str) -> dict[str, Any]:
    """Answers rating every statement ``level``, except those given (``s1_1="red"`` for s1.1)."""
    form = forms.get("section11", version)
    overrides = {k.replace("_", "."): v for k, v in levels.items()}
    answers: dict[str, Any] = {}
    for item in form.items():
        if item.type == "rating":
            lv = overrides.get(item.id, level)
            answers[item.id] = {"level": lv, "evidence": "e", "example": "x", "reason": "r" if lv == "na" else ""}
    return answers


def record(agency: str, answers: dict[str, Any], **kw: Any) -> ReturnRecord:
    values: dict[str, Any] = {
        "sector": "health",
        "form_id": "section11",
        "form_version": "2026.1",
        "period": PERIOD,
        "version": 1,
        "submission_id": f"{agency}-{kw.get('period', PERIOD)}-{kw.get('form_id', 's11')}",
        "signed_at": "2026-11-01T10:00:00Z",
    }
    values.update(kw)
    return ReturnRecord(agency=agency, answers=answers, **values)


def make_input(forms: FormRegistry, returns: list[ReturnRecord], agencies: list[str] | None = None) -> CollationInput:
    names = agencies if agencies is not None else sorted({r.agency for r in returns})
    return CollationInput(
        period=PERIOD,
        forms=forms,
        returns=returns,
        agencies=[RegisteredAgency(n, "health") for n in names],
        sector_labels={"health": "Health"},
        partnership="Test partnership",
    )


def test_no_returns_at_all(forms: FormRegistry) -> None:
    c = collate(make_input(forms, [], ["A", "B"]), as_of=AS_OF)
    assert c.headline.registered == 2
    assert c.headline.not_received == ("A", "B")
    assert all(f.returned == () and f.not_received == ("A", "B") for f in c.headline.forms)
    assert [f.form_id for f in c.headline.forms] == ["section11", "impact"]
    assert len(c.standards) == 11
    assert all(st.rated == 0 and st.mean is None and st.good_share is None for st in c.standards)
    assert [row.returned for row in c.matrix] == [False, False]
    assert c.ratings == () and c.actions == () and c.impact.returned == 0
    assert c.impact.pressures is None


def test_an_agency_rating_a_whole_standard_not_applicable(forms: FormRegistry) -> None:
    na = {f"s9_{n}": "na" for n in range(1, 5)}
    c = collate(make_input(forms, [record("A", s11(forms, **na))]), as_of=AS_OF)
    cell = c.matrix[0].cell("s9")
    assert cell is not None and cell.self_level is not None and cell.self_level.id == "na"
    assert cell.self_mean is None
    st = c.standard("s9")
    assert st.na == 4 and st.rated == 0 and st.mean is None and st.good_share is None
    assert st.agencies_rated == 1
    assert c.standard("s1").mean == 75 and c.standard("s1").good_share == 1


def test_moderated_rating_differing_from_the_agencys_own(forms: FormRegistry) -> None:
    returns = [
        record("A", s11(forms), moderated={"s1": "amber"}),
        record("B", s11(forms), moderated={"s1": "amber", "s1.1": "blue"}),  # a statement's own wins
        record("C", s11(forms), moderated={"s1": "green"}),  # agreed
        record("D", s11(forms), review_status="has_issues"),
        record("E", s11(forms)),
    ]
    c = collate(make_input(forms, returns), as_of=AS_OF)
    cells = {row.agency: row.cell("s1") for row in c.matrix}
    assert cells["A"].moderated_level.id == "amber" and cells["A"].moderated_mean == 50  # type: ignore[union-attr]
    # B: s1.1 blue (100) and four statements amber (50): mean 60, nearest Amber
    assert cells["B"].moderated_mean == 60 and cells["B"].moderated_level.id == "amber"  # type: ignore[union-attr]
    assert cells["C"].moderated_level.id == "green" and not cells["C"].moderated_differs  # type: ignore[union-attr]
    assert cells["E"].moderated_level is None  # type: ignore[union-attr]
    st = c.standard("s1")
    assert st.moderated_agencies == 3
    assert st.self_mean_moderated == 75
    assert st.moderated_mean == pytest.approx((50 + 60 + 75) / 3)
    assert st.gap == pytest.approx(75 - (50 + 60 + 75) / 3)
    assert c.standard("s2").moderated_agencies == 0 and c.standard("s2").gap is None
    challenged = {ch.agency: ch.reasons for ch in c.headline.challenged}
    assert set(challenged) == {"A", "B", "D"}
    assert any("S1 moderated Amber, self-rated Green" in r for r in challenged["A"])
    assert any("S1.1 moderated Blue" in r for r in challenged["B"])
    assert [row.agency for row in c.matrix if row.challenged] == ["A", "B", "D"]
    # the statement rows carry the moderated level that applies to each statement
    rows = {(r.agency, r.statement_id): r for r in c.ratings}
    assert rows[("B", "s1.1")].moderated_level.id == "blue"  # type: ignore[union-attr]
    assert rows[("B", "s1.2")].moderated_level.id == "amber"  # type: ignore[union-attr]
    assert rows[("E", "s1.2")].moderated_level is None


def test_year_on_year_improved_declined_and_same(forms: FormRegistry) -> None:
    # s1: Amber (mean 60) -> Green; s2: Blue (mean 95) -> Green; s4: Green (mean 70) -> Green (75), a move of
    # five points inside Green, which is the same level and not an improvement.
    before = s11(
        forms, version="2025.1", s1_1="amber", s1_2="amber", s1_3="amber",
        s2_1="blue", s2_2="blue", s2_3="blue", s2_4="blue", s4_1="amber",
    )  # fmt: skip
    now = s11(forms, s3_1="green")
    older = s11(forms, "red", version="2025.1")  # an older period than the previous: ignored
    returns = [
        record("A", older, period="2024/25", form_version="2025.1", submission_id="old"),
        record("A", before, period=PREVIOUS, form_version="2025.1", submission_id="prev"),
        record("A", now),
        record("B", s11(forms)),  # no earlier return: nothing compared
    ]
    c = collate(make_input(forms, returns), as_of=AS_OF)
    row = c.matrix[0]
    assert row.agency == "A"
    assert row.cell("s1").change == IMPROVED  # type: ignore[union-attr]
    assert row.cell("s2").change == DECLINED  # type: ignore[union-attr]
    assert row.cell("s3").change == SAME  # type: ignore[union-attr]
    s4 = row.cell("s4")
    assert s4 is not None and s4.change == SAME and s4.points_change == pytest.approx(5)
    assert row.cell("s1").previous_period == PREVIOUS  # type: ignore[union-attr]
    assert row.cell("s1").previous_mean == pytest.approx((50 * 3 + 75 * 2) / 5)  # type: ignore[union-attr]
    assert row.cell("s11").change is None  # type: ignore[union-attr]  # not in the 2025/26 form
    assert c.standard("s1").year_on_year == YearOnYear(improved=1, same=0, declined=0, not_compared=1)
    assert c.standard("s4").year_on_year == YearOnYear(improved=0, same=1, declined=0, not_compared=1)
    assert c.standard("s11").year_on_year.not_compared == 2
    assert c.compared_with == (PREVIOUS,)


def test_open_and_overdue_actions_against_as_of(forms: FormRegistry) -> None:
    answers = s11(forms, s1_1="amber")
    answers["s1.actions"] = [
        {"action": "Late", "lead": "L", "due": "2026-11-30", "status": "in_progress"},
        {"action": "On the day", "lead": "L", "due": "2026-12-01", "status": "not_started"},
        {"action": "Done late", "lead": "L", "due": "2026-01-01", "status": "complete"},
        {"action": "No status", "lead": "L", "due": "2026-06-01"},
        {"action": "No date", "lead": "L", "status": "carried"},
        {"action": "", "lead": "", "due": "", "status": ""},  # an empty row is no action
    ]
    c = collate(make_input(forms, [record("A", answers)]), as_of=AS_OF)
    by_text = {a.action: a for a in c.actions}
    assert set(by_text) == {"Late", "On the day", "Done late", "No status", "No date"}
    assert [a for a, x in by_text.items() if x.open] == ["Late", "On the day", "No status", "No date"]
    assert [a for a, x in by_text.items() if x.overdue] == ["Late", "No status"]
    assert by_text["No date"].status_label == "Carried over" and by_text["No date"].due is None
    st = c.standard("s1")
    assert (st.actions, st.open_actions, st.overdue_actions) == (5, 4, 2)
    later = collate(make_input(forms, [record("A", answers)]), as_of=date(2027, 1, 1))
    assert later.standard("s1").overdue_actions == 3


def test_only_the_newest_version_counts(forms: FormRegistry) -> None:
    returns = [
        record("A", s11(forms, "red"), version=1, submission_id="v1"),
        record("A", s11(forms, "blue"), version=2, submission_id="v2"),
    ]
    c = collate(make_input(forms, returns), as_of=AS_OF)
    assert c.standard("s1").counts["blue"] == 5 and c.standard("s1").counts["red"] == 0
    assert c.headline.form("section11").returned == ("A",)  # type: ignore[union-attr]


def test_on_time_late_and_unknown(forms: FormRegistry) -> None:
    returns = [
        record("A", s11(forms), signed_at="2027-03-31T22:30:00Z"),  # deadline day
        record("B", s11(forms), signed_at="2027-04-01T09:00:00+01:00"),
        record("C", s11(forms), signed_at=None, received_at="2027-02-01T09:00:00Z"),
        record("D", s11(forms), signed_at=None, received_at=None),
    ]
    f = collate(make_input(forms, returns), as_of=AS_OF).headline.form("section11")
    assert f is not None
    assert (f.on_time, f.late, f.time_unknown) == (("A", "C"), ("B",), ("D",))


def test_ranked_answers_score_by_rank_with_form_labels(forms: FormRegistry) -> None:
    def impact(*cats: str) -> dict[str, Any]:
        return {
            "impact.pressures": [{"category": c, "text": f"{c} words"} for c in cats],
            "impact.escalate": False,
            "impact.risks": [{"risk": "not escalated, so not reported"}],
        }

    returns = [
        record("A", impact("funding", "demand", "housing"), form_id="impact"),
        record("B", impact("demand", "funding"), form_id="impact"),
        record("C", impact("housing"), form_id="impact"),
    ]
    c = collate(make_input(forms, returns), as_of=AS_OF)
    q = c.impact.pressures
    assert q is not None and q.respondents == 3 and q.ranks == 3
    assert [(t.category, t.points, t.agencies, t.first) for t in q.themes] == [
        ("demand", 5, 2, 1),  # 2 + 3
        ("funding", 5, 2, 1),  # 3 + 2: same points and agencies, ordered by label
        ("housing", 4, 2, 1),  # 1 + 3
    ]
    assert q.themes[0].label == "Increasing volume of work and demand"
    assert [(x.agency, x.rank) for x in q.themes[2].quotes] == [("C", 1), ("A", 3)]
    assert c.impact.risks == () and c.impact.escalating == ()
    assert c.impact.enablers is not None and c.impact.enablers.themes == ()


def test_unknown_form_versions_and_unregistered_agencies(forms: FormRegistry) -> None:
    returns = [
        record("A", s11(forms), form_version="1999.9"),
        record("Walk-in Agency", s11(forms), sector="voluntary"),
    ]
    c = collate(make_input(forms, returns, ["A"]), as_of=AS_OF)
    assert any("1999.9" in note for note in c.notes)
    assert c.headline.registered == 1
    assert c.headline.not_received == ("A",)
    assert [row.agency for row in c.matrix] == ["A", "Walk-in Agency"]  # registered sectors first
    assert c.matrix[1].returned and c.matrix[1].sector_label == "voluntary".capitalize()


def test_level_helpers_use_the_scale_data(forms: FormRegistry) -> None:
    scale = forms.get("section11", "2026.1").scales["bgar"]
    assert [lv.id for lv in good_levels(scale)] == ["blue", "green"]
    assert nearest_level(scale, 62.5).id == "amber"  # type: ignore[union-attr]  # half way: the lower
    assert nearest_level(scale, 63).id == "green"  # type: ignore[union-attr]
    assert nearest_level(scale, 100).id == "blue"  # type: ignore[union-attr]
    assert nearest_level(scale, None) is None

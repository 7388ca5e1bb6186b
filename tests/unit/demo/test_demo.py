"""The demo data generator: what it stores, through the services, reads like real returns."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from oscb_desktop import demo
from oscb_desktop.bundle import verify_bundle
from oscb_desktop.cli import main
from oscb_desktop.packs import check_pack
from oscb_desktop.services import agencies, partnership_admin, partnerships, returns, review
from oscb_desktop.services.workspace import Workspace, login_name, partnership
from oscb_desktop.signing import envelope
from oscb_desktop.store import Agency, AuditEntry, Submission

N = 15


@pytest.fixture(scope="module")
def demo_ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, demo.DemoSummary]]:
    ws = Workspace.open(tmp_path_factory.mktemp("demo"))
    ws.bind()
    summary = demo.generate(ws, agencies=N)
    yield ws, summary
    ws.close()


@pytest.fixture
def ws(demo_ws: tuple[Workspace, demo.DemoSummary]) -> Workspace:
    demo_ws[0].bind()  # other tests bind workspaces of their own
    return demo_ws[0]


def subs(form_id: str, period: str) -> list[Submission]:
    return list(Submission.select().where((Submission.form_id == form_id) & (Submission.period == period)))


def ratings(answers: dict[str, Any]) -> dict[str, dict[str, str]]:
    return {k: v for k, v in answers.items() if isinstance(v, dict) and "level" in v}


def complete_s11(ws: Workspace) -> list[Submission]:
    return subs("section11", "2025/26") + [s for s in subs("section11", "2026/27") if s.percent_complete == 100]


def test_agencies_are_the_first_partners_with_plausible_profiles(ws: Workspace) -> None:
    rows = agencies.list_agencies(ws)
    assert len(rows) == N
    expected = dict(partnership().agencies[:N])
    assert {a.name for a in rows} == set(expected)
    assert len({a.lead_name for a in rows}) == N
    for a in rows:
        assert a.sector == expected[a.name]
        assert a.services.strip()
        first, last = a.lead_name.split(" ", 1)
        assert re.fullmatch(rf"{first.lower()}\.{last.lower()}@[a-z0-9-]+\.example\.org\.uk", a.lead_email)
        assert re.fullmatch(r"01865 \d{6}", a.lead_phone)


def test_summary_counts_what_was_stored(demo_ws: tuple[Workspace, demo.DemoSummary], ws: Workspace) -> None:
    summary = demo_ws[1]
    listed = returns.list_returns(ws)
    assert summary.agencies == N
    assert summary.returns == len(listed) == Submission.select().count()
    assert summary.by_status == dict(Counter(r.status_label for r in listed))
    assert summary.describe("/x").startswith(f"Created {N} agencies and {len(listed)} returns in /x: ")


def test_every_history_return_is_complete(ws: Workspace) -> None:
    history = subs("section11", "2025/26")
    assert len(history) == N
    for s in history:
        assert s.form_version == "2025.1"
        assert returns.problems(ws, s.id) == []
        assert s.percent_complete == 100


def test_this_years_section11_returns_are_at_different_stages(ws: Workspace) -> None:
    current = subs("section11", "2026/27")
    assert len(current) == N
    ready = [s for s in current if s.percent_complete == 100]
    assert len(ready) >= 3
    for s in ready:
        assert s.carried_from_id is not None
        assert returns.problems(ws, s.id) == []
        assert returns.carried_items(ws, s.id) == set()
    labels = Counter(returns.summarise(ws, s).status_label for s in ready)
    assert set(labels) == {"Ready to sign", "Signed"}, "some complete returns are signed, some wait for it"
    audit = Counter((e.submission_id, e.action) for e in AuditEntry.select())
    with_carried = [s for s in current if returns.carried_items(ws, s.id)]
    untouched = [s for s in with_carried if audit[(s.id, "edit")] == 0 and audit[(s.id, "review")] == 0]
    half_done = [s for s in with_carried if audit[(s.id, "edit")] > 0]
    assert untouched, "one or two agencies have barely started"
    assert half_done, "some agencies are part way through"
    for s in ready + half_done:
        assert audit[(s.id, "review")] > 0, "some carried answers were confirmed as they were"


def test_low_ratings_have_actions_blue_has_examples_na_has_reasons(ws: Workspace) -> None:
    levels: Counter[str] = Counter()
    for s in complete_s11(ws):
        answers = returns.load_answers(ws, s.id)
        for item_id, value in ratings(answers).items():
            levels[value["level"]] += 1
            assert value["evidence"].strip() or value["level"] == "na", item_id
            if value["level"] == "blue":
                assert value["example"].strip(), item_id
            if value["level"] == "na":
                assert value["reason"].strip(), item_id
            if value["level"] in ("amber", "red"):
                rows = answers.get(item_id.split(".")[0] + ".actions") or []
                good = [r for r in rows if r.get("action") and r.get("lead") and r.get("due")]
                assert good, f"{item_id} is {value['level']} without an action"
                for r in good:
                    assert r["status"] in ("not_started", "in_progress", "complete", "carried")
                if s.period == "2026/27":
                    assert any("2026-04-01" <= r["due"] <= "2027-03-31" for r in good)
    total = sum(levels.values())
    assert levels["green"] > total / 2
    assert levels["blue"] > 0 and levels["amber"] > 0 and levels["na"] > 0
    assert 0 < levels["red"] < levels["amber"]


def test_ratings_mostly_hold_year_on_year(ws: Workspace) -> None:
    order = {"red": 0, "amber": 1, "green": 2, "blue": 3}
    moves: Counter[str] = Counter()
    for s in subs("section11", "2026/27"):
        if s.percent_complete != 100:
            continue
        before = ratings(returns.load_answers(ws, s.carried_from_id))
        after = ratings(returns.load_answers(ws, s.id))
        for item_id, value in after.items():
            old = before.get(item_id)
            if old is None or "na" in (old["level"], value["level"]):
                continue
            diff = order[value["level"]] - order[old["level"]]
            moves["same" if diff == 0 else "better" if diff > 0 else "worse"] += 1
    assert moves["same"] > 3 * (moves["better"] + moves["worse"])
    assert moves["better"] > moves["worse"] > 0


def test_impact_assessments_rank_the_pressures_boards_report(ws: Workspace) -> None:
    impact = subs("impact", "2026/27")
    assert N // 2 < len(impact) < N, "most agencies, not all"
    pct = [s.percent_complete for s in impact]
    assert pct.count(100) > len(pct) / 2 and any(p < 100 for p in pct)
    pressures: Counter[str] = Counter()
    firsts: Counter[str] = Counter()
    enablers: Counter[str] = Counter()
    escalated = attached = 0
    for s in impact:
        answers = returns.load_answers(ws, s.id)
        ranked = answers["impact.pressures"]
        assert len(ranked) == 3 and all(r["text"].strip() for r in ranked)
        firsts[ranked[0]["category"]] += 1
        pressures.update(r["category"] for r in ranked)
        enablers.update(r["category"] for r in answers.get("impact.enablers", []))
        if s.percent_complete == 100:
            assert returns.problems(ws, s.id) == []
            assert answers["impact.improvement_areas"].strip()
            assert answers["impact.contact_date"].startswith("2026-")
            if answers["impact.escalate"]:
                escalated += 1
                assert answers["impact.risks"]
        for ref in answers.get("impact.evidence") or []:
            attached += 1
            assert ws.blobs.exists(ref["sha256"]) and ref["name"].endswith(".txt")
    assert "complex_cases" in [c for c, _ in firsts.most_common(3)]
    assert [c for c, _ in pressures.most_common(3)] == ["complex_cases", "demand", "funding"]
    assert [c for c, _ in enablers.most_common(3)] == [
        "joint_working",
        "frank_conversations",
        "understanding_pressures",
    ]
    assert attached >= 1


def test_audit_trail_names_the_agency_leads(ws: Workspace) -> None:
    people = {a.id: f"{a.lead_name} ({login_name()})" for a in Agency.select()}
    for s in Submission.select():
        users = {e.user for e in AuditEntry.select().where(AuditEntry.submission == s.id)}
        assert users, f"no audit entries for {s.id}"
        if s.period == "2026/27":
            assert users == {people[s.agency_id]}
        else:  # last year's lead may have moved on
            completed_by = returns.load_answers(ws, s.id)["about.completed_by"]
            assert users == {f"{completed_by.split(',')[0]} ({login_name()})"}
    actions = Counter(e.action for e in AuditEntry.select())
    assert actions["edit"] and actions["review"] and actions["carry-forward"]
    assert not ws.setting("user_name"), "the user name setting is put back"


def test_text_reads_like_real_returns(ws: Workspace) -> None:
    texts: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    for s in Submission.select():
        walk(returns.load_answers(ws, s.id))
    prose = [t for t in texts if " " in t]
    assert len(prose) > 500
    for t in prose:
        assert "{" not in t and "}" not in t, t
        assert "lorem" not in t.lower() and not re.search(r"\bEvidence \d", t), t
        assert t[0].isupper() or t[0].isdigit() or t[0] == '"', t
    evidence = [
        v["evidence"]
        for s in subs("section11", "2025/26")
        for v in ratings(returns.load_answers(ws, s.id)).values()
        if v["level"] in ("green", "blue")
    ]
    assert len(set(evidence)) > 0.95 * len(evidence), "filled in per agency, not one sentence repeated"


def snapshot(folder: Path, agencies_: int, seed: int) -> dict[tuple[str, str, str], Any]:
    with Workspace.open(folder) as ws:
        ws.bind()
        demo.generate(ws, agencies=agencies_, seed=seed)
        out: dict[tuple[str, str, str], Any] = {}
        for a in Agency.select():
            out[(a.name, "profile", "")] = (a.lead_name, a.lead_email, a.lead_phone, a.services)
        for s in Submission.select(Submission, Agency).join(Agency):
            out[(s.agency.name, s.form_id, s.period)] = (returns.load_answers(ws, s.id), s.percent_complete)
        return out


def test_same_seed_same_data_other_seed_other_data(tmp_path: Path) -> None:
    first = snapshot(tmp_path / "a", 5, 7)
    assert first == snapshot(tmp_path / "b", 5, 7)
    other = snapshot(tmp_path / "c", 5, 8)
    assert other.keys() == first.keys(), "the same agencies and returns ..."
    assert all(other[k] != first[k] for k in first if k[1] != "impact"), "... with other people and answers"


def test_generate_refuses_a_workspace_with_agencies_or_a_bad_count(tmp_path: Path) -> None:
    with Workspace.open(tmp_path) as ws:
        ws.bind()
        with pytest.raises(demo.DemoError, match="between 1 and"):
            demo.generate(ws, agencies=0)
        agencies.create_agency(ws, "Somewhere Real")
        with pytest.raises(demo.DemoError, match="already has agencies"):
            demo.generate(ws, agencies=2)
        assert Submission.select().count() == 0


def test_cli_demo_then_refuses_a_second_time(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(tmp_path), "demo", "--agencies", "3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Created 3 agencies and ") and str(tmp_path) in out
    assert main(["--data-dir", str(tmp_path), "demo", "--agencies", "3"]) == 2
    err = capsys.readouterr().err
    assert "already has 3 agencies" in err and "--data-dir" in err
    with pytest.raises(SystemExit):
        main(["--data-dir", str(tmp_path), "demo", "--agencies", "41"])


def test_cli_demo_export_signs_every_agency_and_every_bundle_verifies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "bundles"
    assert main(["--data-dir", str(tmp_path / "ws"), "demo", "--agencies", "4", "--export", str(out_dir)]) == 0
    assert f"Exported 12 signed returns to {out_dir}" in capsys.readouterr().out
    with Workspace.open(tmp_path / "ws") as ws:
        ws.bind()
        for a in Agency.select():
            for form_id, period in (("section11", "2025/26"), ("section11", "2026/27"), ("impact", "2026/27")):
                first = Submission.get(
                    (Submission.agency == a.id)
                    & (Submission.form_id == form_id)
                    & (Submission.period == period)
                    & (Submission.version == 1)
                )
                assert first.status in ("signed", "superseded"), (a.name, form_id, period)
        reopened = list(Submission.select().where(Submission.version == 2))
        assert len(reopened) == 1 and reopened[0].status == "draft", "one agency reopened its return after signing"
        [joined] = partnerships.list_partnerships(ws)
        assert (joined.id, joined.own, joined.pack_version) == (demo.DEMO_PARTNERSHIP_ID, False, 1)
        forms = ws.forms
    bundles = sorted(out_dir.glob("*.oscb.p7m"))
    assert len(bundles) == 12 and not list(out_dir.glob("*.oscb")), "encrypted for the demo Business Unit"
    with Workspace.open(out_dir / "business-unit") as bu:
        key = partnership_admin.unlock(partnership_admin.current_identity(bu), demo.DEMO_PASSPHRASE)
    for path in bundles:
        result = verify_bundle(envelope.decrypt(path.read_bytes(), key), forms=forms, trusted=None)
        assert result.ok, (path.name, result.reason)
        assert result.manifest is not None and result.manifest.signatory.name and result.manifest.signatory.role
        assert result.manifest.partnership is not None
        assert result.manifest.partnership.id == demo.DEMO_PARTNERSHIP_ID, "addressed to the demo partnership"
    # The partnership's pack and its Business Unit's workspace, where the bundles import.
    [pack] = out_dir.glob("*.oscbpack")
    assert check_pack(pack).ok
    secret = tmp_path / "passphrase.txt"
    secret.write_text(demo.DEMO_PASSPHRASE, encoding="utf-8")
    imported = ["import", str(out_dir), "--trust-new", "--passphrase-file", str(secret)]
    assert main(["--data-dir", str(out_dir / "business-unit"), *imported]) == 0
    with Workspace.open(out_dir / "business-unit") as bu:
        own = partnerships.own(bu)
        assert (
            own is not None
            and own.id == demo.DEMO_PARTNERSHIP_ID
            and own.signer_fingerprint == joined.signer_fingerprint
        )
        assert len(review.list_received(bu)) == 12, "every bundle imported"
        identity = partnership_admin.current_identity(bu)
        partnership_admin.unlock(identity, demo.DEMO_PASSPHRASE)  # the documented demo passphrase


def test_business_unit_demo_imports_every_agency_and_reviews_some(tmp_path: Path) -> None:
    from oscb_desktop.services import registry, review

    results = demo.build_business_unit(tmp_path / "bu", agencies=5)
    assert [r.outcome for r in results] == ["imported"] * 15
    with Workspace.open(tmp_path / "bu") as ws:
        ws.bind()
        assert registry.is_business_unit(ws)
        rows = review.list_received(ws)
        assert {r.agency.name for r in rows} == set(partnership().agencies[i][0] for i in range(5))
        assert {r.review_status for r in rows} > {"received"}, "some returns were reviewed"
    with pytest.raises(demo.DemoError):
        demo.build_business_unit(tmp_path / "bu", agencies=2)

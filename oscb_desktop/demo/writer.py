"""Writing the planned demo through the services, as the agencies would have: profiles, answers saved section by
section (so every answer is audited), carried answers confirmed, identities made and returns signed off."""

from __future__ import annotations

import random
import tempfile
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from oscb_desktop.demo import evidence as demo_evidence
from oscb_desktop.demo import impact, people, section11
from oscb_desktop.demo import survey as demo_survey
from oscb_desktop.demo.common import (
    ABSENT,
    BARELY_STARTED,
    COMPLETE,
    CURRENT_PERIOD,
    DEMO_PASSPHRASE,
    HALF_DONE,
    HISTORY_PERIOD,
    IMPACT,
    SECTION11,
    DemoError,
    DemoSummary,
    Progress,
)
from oscb_desktop.demo.impact import ImpactPlan
from oscb_desktop.demo.people import DemoAgency
from oscb_desktop.demo.section11 import Section11Plan
from oscb_desktop.forms import FormDefinition
from oscb_desktop.services import agencies as agency_service
from oscb_desktop.services import evidence, identities, returns, signoff
from oscb_desktop.services.workspace import Workspace, partnership
from oscb_desktop.store import Submission
from oscb_desktop.store.models import dumps


def generate(
    ws: Workspace,
    agencies: int = 12,
    seed: int = 2026,
    *,
    sign_all: bool = False,
    progress: Progress | None = None,
) -> DemoSummary:
    """Fill an empty, open workspace with demo agencies and their returns; see the package docstring.

    With ``sign_all`` every agency completes and signs both of its 2026/27 returns (and some reopen their
    Section 11 return as a new draft version), so that every agency has bundles to export. ``progress`` is
    called before each agency is written and once at the end, with the number of agencies done.
    Raises :class:`DemoError` if the workspace already holds agencies or ``agencies`` is out of range.
    """
    members = partnership().agencies  # the demo agencies are the shipped template's members
    if not 1 <= agencies <= len(members):
        raise DemoError(f"The demo can create between 1 and {len(members)} agencies, not {agencies}.")
    if agency_service.list_agencies(ws):
        raise DemoError("This workspace already has agencies; demo data can only be added to an empty workspace.")
    rng = random.Random(seed)
    try:  # the newest version for each period, as start_return chooses
        s11_history = next(f for f in ws.forms.for_period(HISTORY_PERIOD) if f.id == SECTION11)
        s11_current = next(f for f in ws.forms.for_period(CURRENT_PERIOD) if f.id == SECTION11)
        next(f for f in ws.forms.for_period(CURRENT_PERIOD) if f.id == IMPACT)
    except StopIteration:
        raise DemoError(
            f"The demo needs the Section 11 forms for {HISTORY_PERIOD} and {CURRENT_PERIOD} and the impact "
            f"assessment for {CURRENT_PERIOD}; check `oscb forms list`."
        ) from None
    # A broken data file is reported before anything is written.
    people.load(), section11.load(), impact.load(), demo_evidence.load()
    planned = people.plan_agencies(rng, agencies)
    for ag in planned:
        ag.not_applicable = section11.not_applicable(ag.name)
    if sign_all:
        for ag in planned:
            ag.stage = ag.impact_stage = COMPLETE
    signatories = random.Random(seed + 1)

    # Plan everything first, so that the cross-agency totals can be steered before anything is written.
    histories = [section11.plan_history(rng, ag, s11_history) for ag in planned]
    currents = [section11.plan_current(rng, ag, s11_current, h) for ag, h in zip(planned, histories, strict=True)]
    with_impact = [ag for ag in planned if ag.impact_stage != ABSENT]
    sectors = [ag.sector for ag in with_impact]
    prose = impact.load()
    pressures = impact.plan_rankings(rng, sectors, prose.pressures)
    enablers = impact.plan_rankings(rng, sectors, prose.enablers)
    impacts: dict[int, ImpactPlan] = {}
    for ag, p, e in zip(with_impact, pressures, enablers, strict=True):
        cur = currents[ag.index]
        low = [
            s.title
            for s in s11_current.sections
            if any(isinstance(cur.get(i.id), dict) and cur[i.id].get("level") in ("amber", "red") for i in s.items)
        ]
        impacts[ag.index] = impact.plan_impact(rng, ag, p, e, low)
    evidence_for = [ag.index for ag in with_impact if ag.impact_stage == COMPLETE][:2]

    practitioner_survey = ws.forms.survey_for(CURRENT_PERIOD)
    previous_user = ws.setting("user_name")
    created = 0
    try:
        for ag in planned:
            if progress is not None:
                progress(created, len(planned), f"Writing the returns of {ag.name}…")
            agency_id = _write_agency(ws, rng, ag, histories[ag.index], currents[ag.index], s11_current)
            if ag.index in impacts:
                with_file = evidence_for.index(ag.index) if ag.index in evidence_for else None
                _write_impact(ws, agency_id, ag, impacts[ag.index], with_file)
            if practitioner_survey is not None:
                demo_survey.write(ws, agency_id, ag, practitioner_survey, currents[ag.index], seed)
            _sign(ws, agency_id, ag, signatories, sign_all=sign_all, reopen=sign_all and ag.index % 7 == 3)
            created += 1
    finally:
        ws.set_setting("user_name", previous_user or "")
    rows = returns.list_returns(ws)
    summary = DemoSummary(
        agencies=created,
        returns=len(rows),
        by_status=dict(Counter(r.status_label for r in rows)),
        agency_names=tuple(ag.name for ag in planned),
    )
    if progress is not None:
        progress(created, len(planned), summary.describe())
    return summary


def _save_in_sections(ws: Workspace, submission_id: str, form: FormDefinition, answers: Mapping[str, Any]) -> None:
    """One save per section, in form order, as someone working through the form would."""
    for section in form.sections:
        batch = {i.id: answers[i.id] for i in section.items if i.id in answers}
        if batch:
            returns.save_answers(ws, submission_id, batch)


def _write_agency(
    ws: Workspace,
    rng: random.Random,
    ag: DemoAgency,
    history: Section11Plan,
    current: dict[str, Any],
    form: FormDefinition,
) -> int:
    ws.set_setting("user_name", ag.former_lead or ag.lead)
    agency = agency_service.create_agency(
        ws,
        ag.name,
        sector=ag.sector,
        services=ag.services,
        lead_name=ag.lead,
        lead_email=ag.email,
        lead_phone=ag.phone,
    )
    # Last year's return, complete.
    to = ws.profile.id  # the demo partnership the agencies joined (None in a workspace that joined none)
    old = returns.start_return(ws, agency.id, SECTION11, HISTORY_PERIOD, carry_forward=False, partnership_id=to)
    _save_in_sections(ws, old.id, returns.form_of(ws, old), history.answers)
    demo_evidence.attach(ws, old.id, returns.form_of(ws, old), ag, people.HISTORY, history=True)
    _require_complete(ws, old.id, ag, HISTORY_PERIOD)

    # This year's, carried forward and reviewed as far as the agency's stage.
    ws.set_setting("user_name", ag.lead)
    sub = returns.start_return(ws, agency.id, SECTION11, CURRENT_PERIOD, carry_forward=True, partnership_id=to)
    if ag.stage == BARELY_STARTED:
        return agency.id
    carried = returns.load_answers(ws, sub.id)
    sections = list(form.sections)
    if ag.stage == HALF_DONE:
        sections = sections[: rng.randint(4, max(4, len(sections) - 4))]
    for section in sections:
        changed: dict[str, Any] = {}
        confirm: list[str] = []
        for item in section.items:
            if item.id in current:
                want = demo_evidence.keep_carried(form, ag, item.id, carried.get(item.id), current[item.id])
                if item.id in carried and dumps(carried[item.id]) == dumps(want):
                    confirm.append(item.id)
                else:
                    changed[item.id] = want
            elif item.id in carried:
                confirm.append(item.id)  # e.g. an optional note kept as it was
        if changed:
            returns.save_answers(ws, sub.id, changed)
        if confirm:
            returns.confirm_carried(ws, sub.id, confirm)
    demo_evidence.attach(ws, sub.id, form, ag, people.CURRENT, history=False)
    if ag.stage == COMPLETE:
        _require_complete(ws, sub.id, ag, CURRENT_PERIOD)
    return agency.id


def _write_impact(ws: Workspace, agency_id: int, ag: DemoAgency, plan: ImpactPlan, with_file: int | None) -> None:
    ws.set_setting("user_name", ag.lead)
    sub = returns.start_return(ws, agency_id, IMPACT, CURRENT_PERIOD, carry_forward=True, partnership_id=ws.profile.id)
    for step in plan.steps:
        returns.save_answers(ws, sub.id, step)
    if with_file is not None:
        files = impact.load().evidence_files
        name, template = files[with_file % len(files)]
        seed = sum(map(ord, ag.name))
        if with_file % len(files) == 0:  # training compliance, per cent
            a, b, c = 90 + seed % 9, 82 + seed % 13, 75 + seed % 17
        else:  # escalations: a few raised and received, most resolved early
            a, b = 3 + seed % 6, 1 + seed % 4
            c = a + b - seed % 2
        text = template.format(name=ag.name, a=a, b=b, c=c)
        with tempfile.TemporaryDirectory(prefix="oscb-demo-") as tmp:
            path = Path(tmp) / name
            path.write_text(text, encoding="utf-8")
            day = 1 + seed % 27
            evidence.add_file(
                ws, sub.id, "impact.evidence", path, added_at=f"{CURRENT_PERIOD[:4]}-10-{day:02d}T10:00:00.000Z"
            )
    if ag.impact_stage == COMPLETE:
        _require_complete(ws, sub.id, ag, CURRENT_PERIOD)


def _sign(ws: Workspace, agency_id: int, ag: DemoAgency, rng: random.Random, *, sign_all: bool, reopen: bool) -> None:
    """A senior officer's identity; last year's return signed, and this year's complete ones as chosen."""
    person, role = people.signatory(rng, ag)
    row = identities.create(ws, agency_id, person_name=person, role=role, email=None, passphrase=DEMO_PASSPHRASE)
    key = identities.unlock(row, DEMO_PASSPHRASE)
    chosen = [(SECTION11, HISTORY_PERIOD)]
    if sign_all or ag.index % 5 == 0:
        chosen += [(SECTION11, CURRENT_PERIOD), (IMPACT, CURRENT_PERIOD)]
    for form_id, period in chosen:
        sub = returns.current_return(ws, agency_id, form_id, period)
        if sub is None or sub.percent_complete < 100 or returns.problems(ws, sub.id):
            continue
        # Whoever filled the return in clicks "Sign off" with the senior officer beside them.
        ws.set_setting("user_name", (ag.former_lead or ag.lead) if period == HISTORY_PERIOD else ag.lead)
        signoff.sign_off(ws, sub.id, signatory_name=person, signatory_role=role, key=key)
        if reopen and form_id == SECTION11 and period == CURRENT_PERIOD:
            signoff.reopen(ws, sub.id)


def _require_complete(ws: Workspace, submission_id: str, ag: DemoAgency, period: str) -> None:
    found = returns.problems(ws, submission_id)
    if found:
        detail = "; ".join(f"{p.item_id}: {p.message}" for p in found[:5])
        raise DemoError(f"Demo data for {ag.name} ({period}) is incomplete, which is a bug: {detail}")


def export_signed(ws: Workspace, folder: str | Path) -> list[Path]:
    """Export every signed (or superseded) return as ``<agency>_<form>_<period>_v<N>.oscb`` into ``folder``
    (``.oscb.p7m``, encrypted, when the return's partnership has a Business Unit key)."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for sub in Submission.select().where(Submission.status.in_(["signed", "superseded"])).order_by(Submission.id):
        path = target / f"{signoff.file_stem(returns.get_submission(ws, sub.id))}.oscb"
        # Encrypted for the demo partnership's Business Unit when the agencies joined it: ``….oscb.p7m``.
        written.append(signoff.export(ws, sub.id, path, passphrase=DEMO_PASSPHRASE).path)
    return written

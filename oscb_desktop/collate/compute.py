"""Collation: from the returns received to the figures of the board's assurance report.

Pure functions over :class:`~oscb_desktop.collate.model.CollationInput`; no store, no Qt. Labels,
levels, percentages and deadlines come from the form definitions, never from code. The rules
(which level an agency gets for a standard, what counts as on time, moderated, improved...) are
written out in :data:`~oscb_desktop.collate.result.RULES`, which the report prints.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from oscb_desktop.collate.model import CollationInput, ReturnRecord
from oscb_desktop.collate.result import (
    DECLINED,
    IMPROVED,
    SAME,
    ActionRow,
    Challenge,
    Collation,
    FormReturns,
    Headline,
    ImpactSummary,
    MatrixCell,
    MatrixRow,
    Quote,
    RankedAnswer,
    RankedQuestion,
    RankedTheme,
    ReturnReceived,
    ReviewNote,
    Risk,
    ServiceChange,
    StandardSummary,
    StatementRating,
    StatementSummary,
    ThemeCount,
    YearOnYear,
)
from oscb_desktop.forms.model import NOT_APPLICABLE, FormDefinition, Item, Level, Scale, Section

SECTION11 = "section11"
IMPACT = "impact"
#: The action-plan status that closes an action.
COMPLETE = "complete"
#: Used only when a scale has no level called Green: "all met" on the anchors of DESIGN.md §2.
DEFAULT_GOOD_PERCENTAGE = 75
#: Two means closer than this are the same mean (float noise, not a change of rating).
_EPSILON = 1e-9

REVIEW_HAS_ISSUES = "has_issues"


def collate(inp: CollationInput, as_of: date | None = None) -> Collation:
    """Work out every figure of the board report for ``inp.period``.

    ``as_of`` is the date open actions are judged overdue against (today when not given).
    """
    return _Collator(inp, as_of or date.today()).run()


# --- Helpers on form data -------------------------------------------------------------------------


def nearest_level(scale: Scale, mean: float | None) -> Level | None:
    """The level whose percentage is nearest ``mean``; half way between two gives the lower one."""
    if mean is None:
        return None
    scored = [lv for lv in scale.levels if lv.percentage is not None]
    if not scored:
        return None
    return min(scored, key=lambda lv: (abs(lv.percentage - mean), lv.percentage))  # type: ignore[operator]


def good_levels(scale: Scale) -> tuple[Level, ...]:
    """Levels at least as good as Green (by percentage), found from the scale's data."""
    green = next(
        (lv for lv in scale.levels if "green" in (lv.id.lower(), lv.label.strip().lower())),
        None,
    )
    threshold = green.percentage if green and green.percentage is not None else DEFAULT_GOOD_PERCENTAGE
    return tuple(lv for lv in scale.levels if lv.percentage is not None and lv.percentage >= threshold)


def good_label(scale: Scale) -> str:
    """'Blue or Green', or 'Green or better' for a scale with many good levels."""
    levels = sorted(good_levels(scale), key=lambda lv: -(lv.percentage or 0))
    if not levels:
        return "Green or better"
    if len(levels) <= 2:
        return " or ".join(lv.label for lv in levels)
    return f"{levels[-1].label} or better"


def rating_level(item: Item, value: Any) -> Level | None:
    """The level of a rating answer, or None when unanswered or not a level of the item's scale."""
    if item.scale is None or not isinstance(value, Mapping):
        return None
    level_id = value.get("level")
    if not isinstance(level_id, str) or not level_id:
        return None
    return item.scale.level(level_id)


def rating_items(section: Section) -> list[Item]:
    return [i for i in section.items if i.type == "rating" and i.scale is not None]


def standard_scale(section: Section) -> Scale:
    """The scale of a standard: that of its first rated statement (percentages compare across scales)."""
    scale = rating_items(section)[0].scale
    assert scale is not None
    return scale


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _scored(levels: Iterable[Level | None]) -> list[float]:
    return [lv.percentage for lv in levels if lv is not None and lv.id != NOT_APPLICABLE and lv.percentage is not None]


def _period_key(period: str) -> tuple[tuple[int, ...], str]:
    return tuple(int(n) for n in re.findall(r"\d+", period)), period


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", version))


def _text(value: Any) -> str:
    if value is None:
        return ""
    return (value if isinstance(value, str) else str(value)).strip()


def _parse_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _when(record: ReturnRecord) -> date | None:
    """When a return was made: its signing time, else when it was received (UTC date)."""
    for stamp in (record.signed_at, record.received_at):
        if not stamp:
            continue
        try:
            moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        except ValueError:
            continue
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC)
        return moment.date()
    return None


def newest_records(records: Iterable[ReturnRecord]) -> list[ReturnRecord]:
    """Only the newest version of each (agency, form, period): highest version, then highest form version."""
    best: dict[tuple[str, str, str], ReturnRecord] = {}
    for r in records:
        key = (r.agency, r.form_id, r.period)
        old = best.get(key)
        if old is None or (r.version, _version_key(r.form_version)) > (old.version, _version_key(old.form_version)):
            best[key] = r
    return list(best.values())


# --- The collation --------------------------------------------------------------------------------


@dataclass
class _AgencyStandard:
    """One agency's ratings of one standard in one return."""

    self_levels: dict[str, Level | None]
    moderated_levels: dict[str, Level | None]
    moderated: bool
    self_mean: float | None
    moderated_mean: float | None
    self_level: Level | None
    moderated_level: Level | None


class _Collator:
    def __init__(self, inp: CollationInput, as_of: date) -> None:
        self.inp = inp
        self.period = inp.period
        self.as_of = as_of
        self.notes: list[str] = []
        self.sectors = dict(inp.sector_labels)
        self.records = self._usable(newest_records(inp.returns))
        self.current = [r for r in self.records if r.period == self.period]
        self.s11_form = self._period_form(SECTION11)
        self.impact_form = self._period_form(IMPACT)
        self.standards: list[Section] = [s for s in self.s11_form.sections if rating_items(s)] if self.s11_form else []
        self.codes = {s.id: f"S{n}" for n, s in enumerate(self.standards, start=1)}
        #: The register, one entry per name (a name registered twice is one agency).
        self.register = list({a.name: a for a in inp.agencies}.values())
        self.registered = {a.name for a in self.register}
        self.agency_sector = self._agencies()
        self.order = self._agency_order()
        self.rank = {name: n for n, name in enumerate(self.order)}
        self.s11 = {r.agency: r for r in self.current if r.form_id == SECTION11}
        self._cache: dict[tuple[str, str, str], _AgencyStandard | None] = {}

    # Setting up ---------------------------------------------------------------------------------

    def form(self, r: ReturnRecord) -> FormDefinition:
        return self.inp.forms.get(r.form_id, r.form_version)

    def _usable(self, records: list[ReturnRecord]) -> list[ReturnRecord]:
        out = []
        for r in records:
            try:
                self.form(r)
            except KeyError:
                self.notes.append(
                    f"{r.agency}: the {r.form_id} return for {r.period} uses form version {r.form_version}, "
                    "which is not installed; it is left out."
                )
                continue
            out.append(r)
        return out

    def _period_form(self, form_id: str) -> FormDefinition | None:
        """The newest installed version of a form for the period, or the newest any return of it uses."""
        candidates = [f for f in self.inp.forms.for_period(self.period) if f.id == form_id]
        candidates += [self.form(r) for r in self.current if r.form_id == form_id]
        if not candidates:
            return None
        return max(candidates, key=lambda f: _version_key(f.version))

    def sector_label(self, sector: str) -> str:
        return self.sectors.get(sector, sector.replace("_", " ").capitalize() if sector else "Other")

    def _agencies(self) -> dict[str, str]:
        out = {a.name: a.sector for a in self.register}
        for r in self.current:
            out.setdefault(r.agency, r.sector)
        return out

    def _agency_order(self) -> list[str]:
        """Agencies grouped by sector (in the partnership's order of sectors), then by name."""
        sector_rank = {s: n for n, s in enumerate(self.sectors)}

        def key(name: str) -> tuple[int, str, str]:
            sector = self.agency_sector[name]
            return sector_rank.get(sector, len(sector_rank)), self.sector_label(sector).casefold(), name.casefold()

        return sorted(self.agency_sector, key=key)

    # Ratings of one agency -------------------------------------------------------------------------

    def agency_standard(self, r: ReturnRecord, standard_id: str) -> _AgencyStandard | None:
        key = (r.agency, r.period, standard_id)
        if key not in self._cache:
            self._cache[key] = self._agency_standard(r, standard_id)
        return self._cache[key]

    def _agency_standard(self, r: ReturnRecord, standard_id: str) -> _AgencyStandard | None:
        form = self.form(r)
        section = next((s for s in form.sections if s.id == standard_id), None)
        if section is None:
            return None
        items = rating_items(section)
        if not items:
            return None
        scale = standard_scale(section)
        self_levels = {i.id: rating_level(i, r.answers.get(i.id)) for i in items}
        for i in items:
            if self_levels[i.id] is None and isinstance(r.answers.get(i.id), Mapping):
                level_id = r.answers[i.id].get("level")
                if level_id:
                    self.notes.append(f"{r.agency}: {i.id} has a rating {level_id!r} that its scale does not know.")
        section_mod = self._moderated_level(r, standard_id, scale)
        item_mod = {i.id: self._moderated_level(r, i.id, i.scale) for i in items}  # type: ignore[arg-type]
        moderated = section_mod is not None or any(v is not None for v in item_mod.values())
        moderated_levels: dict[str, Level | None] = {}
        if moderated:
            for i in items:
                moderated_levels[i.id] = item_mod[i.id] or section_mod or self_levels[i.id]
        self_mean = _mean(_scored(self_levels.values()))
        moderated_mean = _mean(_scored(moderated_levels.values())) if moderated else None
        return _AgencyStandard(
            self_levels=self_levels,
            moderated_levels=moderated_levels,
            moderated=moderated,
            self_mean=self_mean,
            moderated_mean=moderated_mean,
            self_level=self._standard_level(scale, self_mean, self_levels.values()),
            moderated_level=self._standard_level(scale, moderated_mean, moderated_levels.values())
            if moderated
            else None,
        )

    @staticmethod
    def _standard_level(scale: Scale, mean: float | None, levels: Iterable[Level | None]) -> Level | None:
        if mean is not None:
            return nearest_level(scale, mean)
        if any(lv is not None and lv.id == NOT_APPLICABLE for lv in levels):
            return scale.not_applicable
        return None

    def _moderated_level(self, r: ReturnRecord, key: str, scale: Scale) -> Level | None:
        level_id = r.moderated.get(key)
        if not level_id:
            return None
        level = scale.level(level_id)
        if level is None:
            self.notes.append(f"{r.agency}: the moderated rating {level_id!r} of {key} is not a level of its scale.")
        return level

    def previous_s11(self, agency: str) -> ReturnRecord | None:
        earlier = [
            r
            for r in self.records
            if r.agency == agency and r.form_id == SECTION11 and _period_key(r.period) < _period_key(self.period)
        ]
        return max(earlier, key=lambda r: _period_key(r.period)) if earlier else None

    # Output -----------------------------------------------------------------------------------------

    def run(self) -> Collation:
        matrix, compared_with = self._matrix()
        actions = self._actions()
        standards = self._standards(matrix, actions)
        challenged = self._challenged(matrix)
        matrix = [
            MatrixRow(
                agency=row.agency,
                sector=row.sector,
                sector_label=row.sector_label,
                returned=row.returned,
                cells=row.cells,
                challenged=row.agency in {c.agency for c in challenged},
            )
            for row in matrix
        ]
        forms = self._form_returns()
        return Collation(
            period=self.period,
            partnership=self.inp.partnership,
            as_of=self.as_of,
            generated_at=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            headline=Headline(
                registered=len(self.register),
                forms=forms,
                challenged=challenged,
                not_received=tuple(
                    a for a in self.order if self._registered(a) and not any(r.agency == a for r in self.current)
                ),
            ),
            standards=tuple(standards),
            matrix=tuple(matrix),
            ratings=self._ratings(),
            actions=tuple(actions),
            impact=self._impact(),
            scale=standard_scale(self.standards[0]) if self.standards else None,
            section11_form=self.s11_form.key if self.s11_form else None,
            compared_with=tuple(sorted(compared_with, key=_period_key)),
            notes=tuple(dict.fromkeys(self.notes)),
            returns=self._returns(forms),
        )

    def _form_returns(self) -> tuple[FormReturns, ...]:
        form_ids = [f.id for f in self.inp.forms.for_period(self.period)]
        form_ids += [r.form_id for r in self.current if r.form_id not in form_ids]
        order = {SECTION11: 0, IMPACT: 1}
        out = []
        for form_id in sorted(dict.fromkeys(form_ids), key=lambda f: (order.get(f, 2), f)):
            newest = self._period_form(form_id)
            records = sorted((r for r in self.current if r.form_id == form_id), key=lambda r: self.rank[r.agency])
            on_time, late, unknown = [], [], []
            for r in records:
                deadline = self.form(r).deadline or (newest.deadline if newest else None)
                made = _when(r)
                if made is None:
                    unknown.append(r.agency)
                elif deadline is None or made <= deadline:
                    on_time.append(r.agency)
                else:
                    late.append(r.agency)
            names = {r.agency for r in records}
            out.append(
                FormReturns(
                    form_id=form_id,
                    title=newest.short_title if newest else form_id,
                    deadline=newest.deadline if newest else None,
                    returned=tuple(r.agency for r in records),
                    on_time=tuple(on_time),
                    late=tuple(late),
                    time_unknown=tuple(unknown),
                    not_received=tuple(a for a in self.order if a not in names and self._registered(a)),
                )
            )
        return tuple(out)

    def _returns(self, forms: tuple[FormReturns, ...]) -> tuple[ReturnReceived, ...]:
        """The period's returns, by agency then form, with the review and the challenge-event notes."""
        order = {f.form_id: n for n, f in enumerate(forms)}
        out = []
        for r in sorted(self.current, key=lambda r: (self.rank[r.agency], order.get(r.form_id, len(order)))):
            form = self.form(r)
            timing = next((f for f in forms if f.form_id == r.form_id), None)
            on_time = None
            if timing is not None and r.agency in timing.on_time:
                on_time = True
            elif timing is not None and r.agency in timing.late:
                on_time = False
            out.append(
                ReturnReceived(
                    agency=r.agency,
                    form_id=r.form_id,
                    form_title=form.title,
                    form_version=r.form_version,
                    version=r.version,
                    submission_id=r.submission_id,
                    signed_at=r.signed_at,
                    received_at=r.received_at,
                    on_time=on_time,
                    review_status=r.review_status,
                    review_notes=_text(r.review_notes),
                    challenge_notes=self._review_notes(r, form),
                    moderated=dict(r.moderated),
                )
            )
        return tuple(out)

    def _review_notes(self, r: ReturnRecord, form: FormDefinition) -> tuple[ReviewNote, ...]:
        """Challenge-event notes in the order of the form: the whole return, then each section and its items."""
        places: dict[str, tuple[int, str, str]] = {"": (0, "", "The return as a whole")}
        for n, section in enumerate(form.sections, start=1):
            code = self.codes.get(section.id, "") if r.form_id == SECTION11 else ""
            places[section.id] = (n * 1000, section.id, f"{code} {section.title}".strip())
            for k, item in enumerate(section.items, start=1):
                places[item.id] = (n * 1000 + k, section.id, f"{item.id} {item.label}")
        notes = []
        for target, text in r.challenge_notes.items():
            if not _text(text):
                continue
            rank, section_id, label = places.get(target, (10**9, "", target))
            notes.append((rank, ReviewNote(target, section_id, label, _text(text))))
        return tuple(note for _, note in sorted(notes, key=lambda x: (x[0], x[1].target)))

    def _registered(self, agency: str) -> bool:
        return agency in self.registered

    def _matrix(self) -> tuple[list[MatrixRow], set[str]]:
        rows = []
        compared_with: set[str] = set()
        for agency in self.order:
            sector = self.agency_sector[agency]
            record = self.s11.get(agency)
            previous = self.previous_s11(agency) if record else None
            cells = []
            for standard in self.standards:
                now = self.agency_standard(record, standard.id) if record else None
                if now is None:
                    cells.append(MatrixCell(standard.id, None, None))
                    continue
                before = self.agency_standard(previous, standard.id) if previous else None
                change = None
                if before is not None and before.self_mean is not None and now.self_mean is not None:
                    diff = now.self_mean - before.self_mean
                    change = SAME if abs(diff) < _EPSILON else IMPROVED if diff > 0 else DECLINED
                    compared_with.add(previous.period)  # type: ignore[union-attr]
                cells.append(
                    MatrixCell(
                        standard_id=standard.id,
                        self_level=now.self_level,
                        self_mean=now.self_mean,
                        moderated_level=now.moderated_level,
                        moderated_mean=now.moderated_mean,
                        change=change,
                        previous_mean=before.self_mean if before else None,
                        previous_period=previous.period if previous and before else None,
                    )
                )
            rows.append(
                MatrixRow(
                    agency=agency,
                    sector=sector,
                    sector_label=self.sector_label(sector),
                    returned=record is not None,
                    cells=tuple(cells),
                )
            )
        return rows, compared_with

    def _standards(self, matrix: list[MatrixRow], actions: list[ActionRow]) -> list[StandardSummary]:
        out = []
        for standard in self.standards:
            items = rating_items(standard)
            scale = standard_scale(standard)
            good_ids = {lv.id for lv in good_levels(scale)}
            counts: dict[str, int] = {lv.id: 0 for lv in scale.choices}
            unanswered = 0
            scores: list[float] = []
            per_item: dict[str, list[Level | None]] = defaultdict(list)
            self_means, moderated_means = [], []
            agencies_rated = 0
            for record in self.s11.values():
                ags = self.agency_standard(record, standard.id)
                if ags is None:
                    continue
                for item_id, level in ags.self_levels.items():
                    per_item[item_id].append(level)
                    if level is None:
                        unanswered += 1
                    else:
                        counts[level.id] = counts.get(level.id, 0) + 1
                scores += _scored(ags.self_levels.values())
                if any(lv is not None for lv in ags.self_levels.values()):
                    agencies_rated += 1
                if ags.moderated and ags.self_mean is not None and ags.moderated_mean is not None:
                    self_means.append(ags.self_mean)
                    moderated_means.append(ags.moderated_mean)
            statements = []
            for item in items:
                levels = per_item.get(item.id, [])
                item_counts = {lv.id: 0 for lv in scale.choices}
                for lv in levels:
                    if lv is not None:
                        item_counts[lv.id] = item_counts.get(lv.id, 0) + 1
                statements.append(
                    StatementSummary(
                        id=item.id,
                        label=item.label,
                        counts=item_counts,
                        unanswered=sum(1 for lv in levels if lv is None),
                        mean=_mean(_scored(levels)),
                    )
                )
            changes = [row.cell(standard.id) for row in matrix if row.returned]
            mine = [a for a in actions if a.standard_id == standard.id]
            self_mod, mod = _mean(self_means), _mean(moderated_means)
            out.append(
                StandardSummary(
                    id=standard.id,
                    code=self.codes[standard.id],
                    title=standard.title,
                    scale=scale,
                    statements=tuple(statements),
                    counts=counts,
                    unanswered=unanswered,
                    rated=len(scores),
                    good=sum(n for level_id, n in counts.items() if level_id in good_ids),
                    good_label=good_label(scale),
                    mean=_mean(scores),
                    agencies_rated=agencies_rated,
                    moderated_agencies=len(self_means),
                    self_mean_moderated=self_mod,
                    moderated_mean=mod,
                    gap=self_mod - mod if self_mod is not None and mod is not None else None,
                    year_on_year=YearOnYear(
                        improved=sum(1 for c in changes if c and c.change == IMPROVED),
                        same=sum(1 for c in changes if c and c.change == SAME),
                        declined=sum(1 for c in changes if c and c.change == DECLINED),
                        not_compared=sum(1 for c in changes if c and c.self_mean is not None and c.change is None),
                    ),
                    actions=len(mine),
                    open_actions=sum(1 for a in mine if a.open),
                    overdue_actions=sum(1 for a in mine if a.overdue),
                )
            )
        return out

    def _challenged(self, matrix: list[MatrixRow]) -> tuple[Challenge, ...]:
        out = []
        rows = {row.agency: row for row in matrix}
        for agency in self.order:
            reasons: list[str] = []
            mine = [r for r in self.current if r.agency == agency]
            for r in sorted(mine, key=lambda r: r.form_id != SECTION11):
                if r.review_status == REVIEW_HAS_ISSUES:
                    reasons.append(f"{self.form(r).short_title}: issues raised at review")
            record = self.s11.get(agency)
            if record is not None and agency in rows:
                for standard in self.standards:
                    ags = self.agency_standard(record, standard.id)
                    if ags is None or not ags.moderated:
                        continue
                    scale = standard_scale(standard)
                    section_mod = self._moderated_level(record, standard.id, scale)
                    if section_mod is not None and _differs(section_mod, ags.self_level):
                        reasons.append(
                            f"{self.codes[standard.id]} moderated {section_mod.label}, "
                            f"self-rated {_label(ags.self_level)}"
                        )
                    for item_id, self_level in ags.self_levels.items():
                        if not record.moderated.get(item_id):
                            continue
                        mod_level = ags.moderated_levels.get(item_id)
                        if mod_level is not None and _differs(mod_level, self_level):
                            reasons.append(f"{item_id} moderated {mod_level.label}, self-rated {_label(self_level)}")
            if reasons:
                out.append(Challenge(agency, tuple(reasons)))
        return tuple(out)

    def _ratings(self) -> tuple[StatementRating, ...]:
        out = []
        for agency in self.order:
            record = self.s11.get(agency)
            if record is None:
                continue
            form = self.form(record)
            for section in form.sections:
                ags = self.agency_standard(record, section.id)
                for item in rating_items(section):
                    out.append(
                        StatementRating(
                            agency=agency,
                            sector=record.sector,
                            sector_label=self.sector_label(record.sector),
                            period=record.period,
                            form_id=record.form_id,
                            form_version=record.form_version,
                            standard_id=section.id,
                            standard_title=section.title,
                            statement_id=item.id,
                            statement=item.label,
                            self_level=ags.self_levels.get(item.id) if ags else None,
                            moderated_level=ags.moderated_levels.get(item.id) if ags else None,
                        )
                    )
        return tuple(out)

    def _actions(self) -> list[ActionRow]:
        out = []
        for agency in self.order:
            record = self.s11.get(agency)
            if record is None:
                continue
            form = self.form(record)
            for section in form.sections:
                for item in section.items:
                    status_col = next((c for c in item.columns if c.id == "status"), None)
                    if item.type != "table" or status_col is None:
                        continue
                    rows = record.answers.get(item.id)
                    for row in rows if isinstance(rows, list) else []:
                        if not isinstance(row, Mapping) or not any(_text(v) for v in row.values()):
                            continue
                        status = _text(row.get("status"))
                        due = _parse_date(row.get("due"))
                        is_open = status != COMPLETE
                        out.append(
                            ActionRow(
                                agency=agency,
                                sector_label=self.sector_label(record.sector),
                                standard_id=section.id,
                                standard_code=self.codes.get(section.id, ""),
                                standard_title=section.title,
                                item_id=item.id,
                                action=_text(row.get("action")),
                                lead=_text(row.get("lead")),
                                due=due,
                                due_text="" if due else _text(row.get("due")),
                                status=status,
                                status_label=next((o.label for o in status_col.options if o.id == status), status)
                                or "No status",
                                open=is_open,
                                overdue=is_open and due is not None and due < self.as_of,
                            )
                        )
        return out

    # Impact assessment --------------------------------------------------------------------------------

    def _impact(self) -> ImpactSummary:
        records = sorted((r for r in self.current if r.form_id == IMPACT), key=lambda r: self.rank[r.agency])
        if not records:
            return ImpactSummary()
        newest = self.impact_form

        def item_of(r: ReturnRecord, item_id: str) -> Item | None:
            for form in (newest, self.form(r)):
                if form is not None and form.has_item(item_id):
                    return form.item(item_id)
            return None

        ranked_ids: list[str] = []
        for form in [newest, *(self.form(r) for r in records)]:
            if form is not None:
                ranked_ids += [i.id for i in form.items() if i.type == "ranked" and i.id not in ranked_ids]
        questions, answers = [], []
        for item_id in ranked_ids:
            q, a = self._ranked(records, item_id, item_of)
            questions.append(q)
            answers += a

        areas = []
        themes: dict[str, list[str]] = defaultdict(list)
        changes, risks, escalating = [], [], []
        for r in records:
            label = self.sector_label(r.sector)
            text = _text(r.answers.get("impact.improvement_areas"))
            if text:
                areas.append(Quote(r.agency, text, sector_label=label))
            chosen = r.answers.get("impact.improvement_themes")
            for option in dict.fromkeys(chosen if isinstance(chosen, list) else []):
                themes[str(option)].append(r.agency)
            change_item = item_of(r, "impact.service_changes")
            for row in _rows(r.answers.get("impact.service_changes")):
                if not (_text(row.get("change")) or _text(row.get("impact"))):
                    continue
                changes.append(
                    ServiceChange(
                        agency=r.agency,
                        change=_text(row.get("change")),
                        when=_text(row.get("date")),
                        impact=_text(row.get("impact")),
                        affects=_column_label(change_item, "affects", row.get("affects")),
                    )
                )
            if r.answers.get("impact.escalate") is True:
                escalating.append(r.agency)
                risk_item = item_of(r, "impact.risks")
                for row in _rows(r.answers.get("impact.risks")):
                    if not _text(row.get("risk")):
                        continue
                    risks.append(
                        Risk(
                            agency=r.agency,
                            risk=_text(row.get("risk")),
                            likelihood=_column_label(risk_item, "likelihood", row.get("likelihood")),
                            mitigation=_text(row.get("mitigation")),
                        )
                    )
        theme_item = (
            newest.item("impact.improvement_themes")
            if newest and newest.has_item("impact.improvement_themes")
            else None
        )
        option_order = {o.id: n for n, o in enumerate(theme_item.options)} if theme_item else {}
        theme_counts = sorted(
            (
                ThemeCount(option, theme_item.option_label(option) if theme_item else option, tuple(names))
                for option, names in themes.items()
            ),
            key=lambda t: (-t.count, option_order.get(t.id, len(option_order)), t.label),
        )
        return ImpactSummary(
            returned=len(records),
            ranked=tuple(questions),
            answers=tuple(answers),
            improvement_areas=tuple(areas),
            improvement_themes=tuple(theme_counts),
            service_changes=tuple(changes),
            risks=tuple(risks),
            escalating=tuple(escalating),
        )

    def _ranked(
        self, records: list[ReturnRecord], item_id: str, item_of: Any
    ) -> tuple[RankedQuestion, list[RankedAnswer]]:
        points: dict[str, int] = defaultdict(int)
        named: dict[str, set[str]] = defaultdict(set)
        first: dict[str, int] = defaultdict(int)
        quotes: dict[str, list[Quote]] = defaultdict(list)
        labels: dict[str, str] = {}
        answers = []
        respondents = 0
        question: Item | None = None
        for r in records:
            item = item_of(r, item_id)
            if item is None:
                continue
            question = question or item
            value = r.answers.get(item_id)
            entries = [e for e in value if isinstance(e, Mapping)] if isinstance(value, list) else []
            ranks = item.ranks or len(entries)
            answered = False
            for rank, entry in enumerate(entries[:ranks], start=1):
                category = _text(entry.get("category"))
                text = _text(entry.get("text"))
                if not category:
                    continue
                answered = True
                label = item.option_label(category)
                labels.setdefault(category, label)
                points[category] += ranks - rank + 1
                named[category].add(r.agency)
                if rank == 1:
                    first[category] += 1
                if text:
                    quotes[category].append(Quote(r.agency, text, rank, self.sector_label(r.sector)))
                answers.append(
                    RankedAnswer(
                        agency=r.agency,
                        sector_label=self.sector_label(r.sector),
                        item_id=item_id,
                        question=item.label,
                        rank=rank,
                        category=category,
                        category_label=label,
                        text=text,
                    )
                )
            respondents += answered
        themes = sorted(
            (
                RankedTheme(
                    category=c,
                    label=labels[c],
                    points=points[c],
                    agencies=len(named[c]),
                    first=first[c],
                    quotes=tuple(sorted(quotes[c], key=lambda q: q.rank or 0)),
                )
                for c in points
            ),
            key=lambda t: (-t.points, -t.agencies, -t.first, t.label.casefold()),
        )
        return (
            RankedQuestion(
                item_id=item_id,
                label=question.label if question else item_id,
                ranks=question.ranks if question else 0,
                respondents=respondents,
                themes=tuple(themes),
            ),
            answers,
        )


def _rows(value: Any) -> list[Mapping[str, Any]]:
    return [row for row in value if isinstance(row, Mapping)] if isinstance(value, list) else []


def _column_label(item: Item | None, column_id: str, value: Any) -> str:
    text = _text(value)
    if item is None or not text:
        return text
    column = next((c for c in item.columns if c.id == column_id), None)
    if column is None:
        return text
    return next((o.label for o in column.options if o.id == text), text)


def _differs(moderated: Level, self_level: Level | None) -> bool:
    return self_level is None or moderated.id != self_level.id


def _label(level: Level | None) -> str:
    return level.label if level is not None else "not rated"

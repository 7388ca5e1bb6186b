"""Collation: from the returns received to the figures of the board's assurance report.

Pure functions over :class:`~oscb_desktop.collate.model.CollationInput`; no store, no Qt. Labels,
levels, percentages and deadlines come from the form definitions, never from code, and forms are
known by their ``kind`` (:mod:`oscb_desktop.forms.known`), never by id. The rules (which level an
agency gets for a standard, what counts as on time, moderated, improved...) are written out in
:data:`~oscb_desktop.collate.result.RULES`, which the report prints.

This module does the Section 11 self-assessment (matrix, standards, ratings, actions, challenges) and
the headline; the rules shared with the Cycle tab are in :mod:`.records`, the arithmetic of levels in
:mod:`.levels`, and the impact assessment in :mod:`.impact`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, date, datetime

from oscb_desktop.collate.headline import HeadlineParts
from oscb_desktop.collate.impact import ImpactContext, impact_summary
from oscb_desktop.collate.levels import (
    AgencyStandard,
    agency_standard,
    good_label,
    good_levels,
    mean,
    moderated_level,
    rating_items,
    scored,
    standard_scale,
)
from oscb_desktop.collate.model import CollationInput, ReturnRecord
from oscb_desktop.collate.practitioners import practitioners
from oscb_desktop.collate.records import (
    answer_date,
    answer_text,
    newest_records,
    period_key,
)
from oscb_desktop.collate.result import (
    DECLINED,
    IMPROVED,
    SAME,
    ActionRow,
    Challenge,
    Collation,
    Headline,
    ImpactSummary,
    MatrixCell,
    MatrixRow,
    StandardSummary,
    StatementRating,
    StatementSummary,
    YearOnYear,
)
from oscb_desktop.forms.known import IMPACT_ASSESSMENT, SELF_ASSESSMENT
from oscb_desktop.forms.model import FormDefinition, Level, Section
from oscb_desktop.forms.versions import version_key

#: The action-plan status that closes an action.
COMPLETE = "complete"

REVIEW_HAS_ISSUES = "has_issues"


def collate(inp: CollationInput, as_of: date | None = None) -> Collation:
    """Work out every figure of the board report for ``inp.period``.

    ``as_of`` is the date open actions are judged overdue against (today when not given).
    """
    return _Collator(inp, as_of or date.today()).run()


# --- The collation --------------------------------------------------------------------------------


class _Collator(HeadlineParts):
    def __init__(self, inp: CollationInput, as_of: date) -> None:
        self.inp = inp
        self.period = inp.period
        self.as_of = as_of
        self.notes: list[str] = []
        self.sectors = dict(inp.sector_labels)
        self.records = self._usable(newest_records(inp.returns))
        self.current = [r for r in self.records if r.period == self.period]
        #: The forms of the period: the newest installed version of each, and the versions the returns use.
        self.period_forms = [*inp.forms.for_period(self.period), *(self.form(r) for r in self.current)]
        #: Form id -> its newest version among those.
        self.newest_forms: dict[str, FormDefinition] = {}
        for f in self.period_forms:
            if f.id not in self.newest_forms or version_key(f.version) > version_key(self.newest_forms[f.id].version):
                self.newest_forms[f.id] = f
        self.s11_id = self._form_id_of_kind(SELF_ASSESSMENT)
        self.impact_id = self._form_id_of_kind(IMPACT_ASSESSMENT)
        self.s11_form = self._period_form(self.s11_id) if self.s11_id else None
        self.impact_form = self._period_form(self.impact_id) if self.impact_id else None
        self.standards: list[Section] = [s for s in self.s11_form.sections if rating_items(s)] if self.s11_form else []
        # The form's own codes (S3), as the agency's editor and signed PDF print them.
        self.codes = {s.id: self.s11_form.code_of(s) for s in self.standards} if self.s11_form else {}
        #: The register, one entry per name (a name registered twice is one agency).
        self.register = list({a.name: a for a in inp.agencies}.values())
        self.registered = {a.name for a in self.register}
        self.agency_sector = self._agencies()
        self.order = self._agency_order()
        self.rank = {name: n for n, name in enumerate(self.order)}
        self.s11 = {r.agency: r for r in self.current if r.form_id == self.s11_id}
        self._cache: dict[tuple[str, str, str], AgencyStandard | None] = {}

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
        return self.newest_forms.get(form_id)

    def _form_id_of_kind(self, kind: str) -> str | None:
        """The form of the period that is of ``kind``; of several, the first by id (and a note says so)."""
        ids = sorted({f.id for f in self.period_forms if f.kind == kind})
        if len(ids) > 1:
            self.notes.append(
                f"Forms {', '.join(ids)} are all of kind {kind}; the report counts only {ids[0]} as such."
            )
        return ids[0] if ids else None

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

    def agency_standard(self, r: ReturnRecord, standard_id: str) -> AgencyStandard | None:
        key = (r.agency, r.period, standard_id)
        if key not in self._cache:
            section = next((s for s in self.form(r).sections if s.id == standard_id), None)
            self._cache[key] = agency_standard(r, section, self.notes) if section is not None else None
        return self._cache[key]

    def previous_s11(self, agency: str) -> ReturnRecord | None:
        earlier = [
            r
            for r in self.records
            if r.agency == agency and r.form_id == self.s11_id and period_key(r.period) < period_key(self.period)
        ]
        return max(earlier, key=lambda r: period_key(r.period)) if earlier else None

    # Output -----------------------------------------------------------------------------------------

    def run(self) -> Collation:
        matrix, compared_with = self._matrix()
        actions = self._actions()
        standards = self._standards(matrix, actions)
        challenged = self._challenged(matrix)
        challenged_names = {c.agency for c in challenged}
        matrix = [replace(row, challenged=row.agency in challenged_names) for row in matrix]
        forms = self._form_returns()
        return Collation(
            period=self.period,
            partnership=self.inp.partnership,
            contact=self.inp.contact,
            officer=self.inp.officer,
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
            compared_with=tuple(sorted(compared_with, key=period_key)),
            notes=tuple(dict.fromkeys(self.notes)),
            returns=self._returns(forms),
            practitioners=practitioners(
                self.inp.forms, self.period, self.s11, self.records, self.s11_form, self.sector_label, self.order
            ),
        )

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
                    # By level: a point up or down inside Green is still Green (the points are shown apart).
                    was, became = _rank(before.self_level), _rank(now.self_level)
                    change = SAME if was == became else IMPROVED if became > was else DECLINED
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
                scores += scored(ags.self_levels.values())
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
                        mean=mean(scored(levels)),
                    )
                )
            changes = [row.cell(standard.id) for row in matrix if row.returned]
            mine = [a for a in actions if a.standard_id == standard.id]
            self_mod, mod = mean(self_means), mean(moderated_means)
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
                    mean=mean(scores),
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
            for r in sorted(mine, key=lambda r: r.form_id != self.s11_id):
                if r.review_status == REVIEW_HAS_ISSUES:
                    reasons.append(f"{self.form(r).short_title}: issues raised at review")
            record = self.s11.get(agency)
            if record is not None and agency in rows:
                for standard in self.standards:
                    ags = self.agency_standard(record, standard.id)
                    if ags is None or not ags.moderated:
                        continue
                    scale = standard_scale(standard)
                    section_mod = moderated_level(record, standard.id, scale, self.notes)
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
                            code = (
                                self.s11_form.item_code(item_id)
                                if self.s11_form and self.s11_form.has_item(item_id)
                                else item_id
                            )
                            reasons.append(f"{code} moderated {mod_level.label}, self-rated {_label(self_level)}")
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
                            standard_code=form.code_of(section),
                            statement_code=form.item_code(item.id),
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
                        if not isinstance(row, Mapping) or not any(answer_text(v) for v in row.values()):
                            continue
                        status = answer_text(row.get("status"))
                        due = answer_date(row.get("due"))
                        is_open = status != COMPLETE
                        out.append(
                            ActionRow(
                                agency=agency,
                                sector_label=self.sector_label(record.sector),
                                standard_id=section.id,
                                standard_code=self.codes.get(section.id, ""),
                                standard_title=section.title,
                                item_id=item.id,
                                action=answer_text(row.get("action")),
                                lead=answer_text(row.get("lead")),
                                due=due,
                                due_text="" if due else answer_text(row.get("due")),
                                status=status,
                                status_label=next((o.label for o in status_col.options if o.id == status), status)
                                or "No status",
                                open=is_open,
                                overdue=is_open and due is not None and due < self.as_of,
                            )
                        )
        return out

    def _impact(self) -> ImpactSummary:
        return impact_summary(
            ImpactContext(
                records=sorted(
                    (r for r in self.current if r.form_id == self.impact_id), key=lambda r: self.rank[r.agency]
                ),
                newest=self.impact_form,
                form_of=self.form,
                sector_label=self.sector_label,
            )
        )


def _rank(level: Level | None) -> float:
    """How good a level is, for comparing two years (its percentage; an unscored level as the lowest)."""
    return level.percentage if level is not None and level.percentage is not None else -1.0


def _differs(moderated: Level, self_level: Level | None) -> bool:
    return self_level is None or moderated.id != self_level.id


def _label(level: Level | None) -> str:
    return level.label if level is not None else "not rated"

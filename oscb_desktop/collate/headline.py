"""The headline of the collation: which returns came in for each form, on time or late, and the returns list
with each one's review and challenge-event notes, in the order of its form.

A part of :class:`oscb_desktop.collate.compute._Collator`, apart so that each file stays readable; it uses
the collator's period, records, forms and agency order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from oscb_desktop.collate.model import CollationInput, ReturnRecord
from oscb_desktop.collate.records import answer_text, deadline_for, on_time
from oscb_desktop.collate.result import FormReturns, ReturnReceived, ReviewNote
from oscb_desktop.forms.model import FormDefinition

if TYPE_CHECKING:
    from collections.abc import Mapping


class HeadlineParts:
    """The headline's figures; mixed into the collator, which provides the attributes below."""

    inp: CollationInput
    period: str
    current: list[ReturnRecord]
    order: list[str]
    rank: Mapping[str, int]
    s11_id: str | None
    impact_id: str | None

    def form(self, r: ReturnRecord) -> FormDefinition:
        raise NotImplementedError

    def _period_form(self, form_id: str) -> FormDefinition | None:
        raise NotImplementedError

    def _registered(self, agency: str) -> bool:
        raise NotImplementedError

    def _form_returns(self) -> tuple[FormReturns, ...]:
        form_ids = [f.id for f in self.inp.forms.for_period(self.period)]
        form_ids += [r.form_id for r in self.current if r.form_id not in form_ids]
        order = {self.s11_id: 0, self.impact_id: 1}
        out = []
        for form_id in sorted(dict.fromkeys(form_ids), key=lambda f: (order.get(f, 2), f)):
            newest = self._period_form(form_id)
            records = sorted((r for r in self.current if r.form_id == form_id), key=lambda r: self.rank[r.agency])
            timely: dict[bool | None, list[str]] = {True: [], False: [], None: []}
            for r in records:
                timely[self._on_time(r)].append(r.agency)
            names = {r.agency for r in records}
            out.append(
                FormReturns(
                    form_id=form_id,
                    title=newest.short_title if newest else form_id,
                    deadline=newest.deadline if newest else None,
                    returned=tuple(r.agency for r in records),
                    on_time=tuple(timely[True]),
                    late=tuple(timely[False]),
                    time_unknown=tuple(timely[None]),
                    not_received=tuple(a for a in self.order if a not in names and self._registered(a)),
                    kind=newest.kind if newest else None,
                )
            )
        return tuple(out)

    def _on_time(self, r: ReturnRecord) -> bool | None:
        """The lateness rule of :mod:`.records`, which the Cycle tab uses too."""
        return on_time(r.signed_at, r.received_at, deadline_for(self.form(r), self._period_form(r.form_id)))

    def _returns(self, forms: tuple[FormReturns, ...]) -> tuple[ReturnReceived, ...]:
        """The period's returns, by agency then form, with the review and the challenge-event notes."""
        order = {f.form_id: n for n, f in enumerate(forms)}
        out = []
        for r in sorted(self.current, key=lambda r: (self.rank[r.agency], order.get(r.form_id, len(order)))):
            form = self.form(r)
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
                    on_time=self._on_time(r),
                    review_status=r.review_status,
                    review_notes=answer_text(r.review_notes),
                    challenge_notes=self._review_notes(r, form),
                    moderated=dict(r.moderated),
                    form_kind=form.kind,
                )
            )
        return tuple(out)

    def _review_notes(self, r: ReturnRecord, form: FormDefinition) -> tuple[ReviewNote, ...]:
        """Challenge-event notes in the order of the form: the whole return, then each section and its items."""
        places: dict[str, tuple[int, str, str]] = {"": (0, "", "The return as a whole")}
        for n, section in enumerate(form.sections, start=1):
            places[section.id] = (n * 1000, section.id, form.section_label(section))
            for k, item in enumerate(section.items, start=1):
                places[item.id] = (n * 1000 + k, section.id, f"{form.item_code(item.id)} {item.label}")
        notes = []
        for target, text in r.challenge_notes.items():
            if not answer_text(text):
                continue
            rank, section_id, label = places.get(target, (10**9, "", target))
            notes.append((rank, ReviewNote(target, section_id, label, answer_text(text))))
        return tuple(note for _, note in sorted(notes, key=lambda x: (x[0], x[1].target)))

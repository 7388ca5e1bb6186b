"""The Business Unit's review of received returns: status and notes, moderated ratings, the cycle at a glance,
year-on-year, and the input for collation.

Moderation is stored apart from the signed return (table ``moderation``), which never changes.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from peewee import IntegrityError

from oscb_desktop.collate.levels import rating_items, standard_scale
from oscb_desktop.collate.model import CollationInput, RegisteredAgency, ReturnRecord
from oscb_desktop.collate.records import deadline_for, newest_by, on_time, version_rank
from oscb_desktop.collate.result import Collation
from oscb_desktop.forms import FormDefinition
from oscb_desktop.forms.model import Level, Scale
from oscb_desktop.fsutil import atomic_write
from oscb_desktop.services import registry, survey
from oscb_desktop.services.concurrency import UNCHECKED, StaleChangeError, Unchecked
from oscb_desktop.services.values import ModerationInfo, ReceivedInfo
from oscb_desktop.services.workspace import Workspace, now_iso, uses_workspace
from oscb_desktop.store.models import Moderation, ReceivedReturn
from oscb_desktop.store.models import RegisteredAgency as AgencyRow

REVIEW_STATUSES = {"received": "Received", "has_issues": "Has issues", "accepted": "Accepted"}
MAX_NOTE_CHARS = 20_000


class ReviewError(Exception):
    """A review change refused; the message is for the user."""


@uses_workspace
def received(ws: Workspace, received_id: int) -> ReceivedInfo:
    return ReceivedInfo.from_row(_row(received_id))


def _row(received_id: int) -> ReceivedReturn:
    row = ReceivedReturn.get_or_none(ReceivedReturn.id == received_id)
    if row is None:
        raise ReviewError("That return is not in this workspace.")
    return row


@uses_workspace
def list_received(ws: Workspace, *, period: str | None = None, include_superseded: bool = False) -> list[ReceivedInfo]:
    q = ReceivedReturn.select(ReceivedReturn, AgencyRow).join(AgencyRow)
    if period is not None:
        q = q.where(ReceivedReturn.period == period)
    if not include_superseded:
        q = q.where(ReceivedReturn.superseded == False)  # noqa: E712 - peewee expression
    q = q.order_by(ReceivedReturn.period.desc(), AgencyRow.name, ReceivedReturn.form_id, ReceivedReturn.version)
    return [ReceivedInfo.from_row(row, row.agency) for row in q]


@uses_workspace
def history(ws: Workspace, agency_id: int, form_id: str, period: str) -> list[ReceivedInfo]:
    """Every version received of one return, newest first (older versions stay viewable)."""
    rows = (
        ReceivedReturn.select(ReceivedReturn, AgencyRow)
        .join(AgencyRow)
        .where(
            (ReceivedReturn.agency == agency_id)
            & (ReceivedReturn.form_id == form_id)
            & (ReceivedReturn.period == period)
        )
        .order_by(ReceivedReturn.version.desc())
    )
    return [ReceivedInfo.from_row(row, row.agency) for row in rows]


@uses_workspace
def signed_pdf(ws: Workspace, row: ReceivedInfo) -> bytes:
    try:
        return ws.blobs.read(row.pdf_sha256)
    except OSError as exc:
        raise ReviewError(
            f"The PDF of this return is missing from the workspace ({exc.strerror}); import its bundle again."
        ) from exc


@uses_workspace
def set_status(
    ws: Workspace, received_id: int, status: str, notes: str | None = None, *, seen: ReceivedInfo | None = None
) -> ReceivedInfo:
    """Set the review status (and notes) of a received return, naming the officer (``ws.user``).

    ``seen``: the return as the screen showed it. If another officer has saved its review since, the save is
    refused with :class:`ReviewChangedError` (who and when), never silently lost.
    """
    if status not in REVIEW_STATUSES:
        raise ReviewError(f"{status!r} is not a review status ({', '.join(REVIEW_STATUSES)}).")
    if notes is not None and len(notes) > MAX_NOTE_CHARS:
        raise ReviewError(f"The notes are too long (at most {MAX_NOTE_CHARS:,} characters).")
    with ws.db.atomic():
        row = _row(received_id)
        fields = {"review_status": status, "reviewed_at": _after(row.reviewed_at), "reviewed_by": ws.user}
        if notes is not None:
            fields["review_notes"] = notes
        where = ReceivedReturn.id == row.id
        if seen is not None:  # the stamp is the row's version: unchanged since the screen read it, or refused
            where &= _same(ReceivedReturn.reviewed_at, seen.reviewed_at)
        if not ReceivedReturn.update(**fields).where(where).execute():
            now = _row(received_id)
            raise ReviewChangedError("the review of this return", now.reviewed_by, now.reviewed_at)
        registry.log(ws, "review", agency=row.agency.name, form=row.form_id, period=row.period, status=status)
        return ReceivedInfo.from_row(ReceivedReturn.get_by_id(row.id))


@uses_workspace
def set_moderation(
    ws: Workspace,
    agency_id: int,
    form_id: str,
    period: str,
    target: str,
    *,
    level: str | None,
    note: str | None = None,
    seen: ModerationInfo | Unchecked | None = UNCHECKED,
) -> ModerationInfo | None:
    """Set (or, with no level and no note, clear) the moderated rating / challenge note for a standard,
    a statement (``target`` = section or item id) or the return as a whole (``target`` = "").

    ``seen``: the entry as the screen showed it (None: there was none). Another officer's change since is
    refused with :class:`ReviewChangedError`."""
    if note is not None and len(note) > MAX_NOTE_CHARS:
        raise ReviewError(f"The note is too long (at most {MAX_NOTE_CHARS:,} characters).")
    with ws.db.atomic():
        _check_target(ws, agency_id, form_id, period, target, level)
        key = (
            (Moderation.agency == agency_id)
            & (Moderation.form_id == form_id)
            & (Moderation.period == period)
            & (Moderation.target == target)
        )
        existing = Moderation.get_or_none(key)
        if not isinstance(seen, Unchecked) and (seen.updated_at if seen else None) != (
            existing.updated_at if existing else None
        ):
            raise _moderation_changed(existing, agency_id, form_id, period, target)
        guard = key if existing is None else key & (Moderation.updated_at == existing.updated_at)
        note_value = note if note is not None else (existing.note if existing else "")
        if not level and not note_value:
            if existing is not None:
                if not Moderation.delete().where(guard).execute():
                    raise _moderation_changed(Moderation.get_or_none(key), agency_id, form_id, period, target)
                registry.log(
                    ws, "moderate", agency_id=agency_id, form=form_id, period=period, target=target, level=None
                )
            return None
        stamp = _after(existing.updated_at if existing else None)
        if existing is None:
            try:
                with ws.db.atomic():  # a savepoint: another officer may be creating the same entry
                    _create_moderation(agency_id, form_id, period, target, level, note_value, stamp, ws.user)
            except IntegrityError:
                raise _moderation_changed(Moderation.get_or_none(key), agency_id, form_id, period, target) from None
        elif not (
            Moderation.update(level=level or None, note=note_value, updated_at=stamp, updated_by=ws.user)
            .where(guard)
            .execute()
        ):
            raise _moderation_changed(Moderation.get_or_none(key), agency_id, form_id, period, target)
        registry.log(ws, "moderate", agency_id=agency_id, form=form_id, period=period, target=target, level=level)
        return ModerationInfo.from_row(Moderation.get(key))


def _create_moderation(
    agency_id: int, form_id: str, period: str, target: str, level: str | None, note: str, stamp: str, user: str
) -> None:
    Moderation.create(
        agency=agency_id,
        form_id=form_id,
        period=period,
        target=target,
        level=level or None,
        note=note,
        updated_at=stamp,
        updated_by=user,
    )


class ReviewChangedError(StaleChangeError, ReviewError):
    """Another officer saved this review or moderation since the screen read it; reload (the message says who)."""


def _moderation_changed(
    now: Moderation | None, agency_id: int, form_id: str, period: str, target: str
) -> ReviewChangedError:
    what = f"the moderation of {target or 'the return as a whole'}"
    if now is None:
        return ReviewChangedError(what + " (and cleared it)", None, None)
    return ReviewChangedError(what, now.updated_by, now.updated_at)


def _same(column: Any, value: str | None) -> Any:
    return column.is_null() if value is None else column == value


def _after(previous: str | None) -> str:
    """Now, as the new version stamp of a row: always other than the one it replaces (same millisecond)."""
    stamp = now_iso()
    while stamp == previous:
        time.sleep(0.001)
        stamp = now_iso()
    return stamp


def _check_target(ws: Workspace, agency_id: int, form_id: str, period: str, target: str, level: str | None) -> None:
    """Refuse moderation of anything but a received return, a standard or rated statement of its form, or a
    level its scale does not have: the collation would otherwise count (or silently drop) what nobody can see."""
    row = (
        ReceivedReturn.select()
        .where(
            (ReceivedReturn.agency == agency_id)
            & (ReceivedReturn.form_id == form_id)
            & (ReceivedReturn.period == period)
            & (ReceivedReturn.superseded == False)  # noqa: E712 - peewee expression
        )
        .first()
    )
    if row is None:
        raise ReviewError(
            f"No {form_id} return for {period} has been received from this agency: only a received return "
            "can be moderated. Import its bundle first."
        )
    if not target:
        if level:
            raise ReviewError("The return as a whole takes a note, not a rating: rate a standard or a statement.")
        return
    try:
        form = ws.forms.get(row.form_id, row.form_version)
    except KeyError:
        raise ReviewError(
            f"The form of this return ({row.form_id} {row.form_version}) is not installed here, so its standards "
            "and statements cannot be moderated. Install the form (or join the partnership pack that carries it)."
        ) from None
    scale: Scale | None = None
    if form.has_item(target):
        item = form.item(target)
        scale = item.scale if item.type == "rating" else None
    elif any(s.id == target for s in form.sections):
        rated = rating_items(form.section(target))
        scale = standard_scale(form.section(target)) if rated else None
    else:
        raise ReviewError(f"{target!r} is not a section or an item of {form.title}: nothing to moderate.")
    if level and scale is None:
        raise ReviewError(f"{target!r} is not a standard or a rated statement of {form.title}: it takes a note only.")
    if level and scale is not None and scale.level(level) is None:
        known = ", ".join(lv.label for lv in scale.levels)
        raise ReviewError(f"{level!r} is not a level of the scale of {target} ({known}).")


@uses_workspace
def moderation_for(ws: Workspace, agency_id: int, form_id: str, period: str) -> dict[str, ModerationInfo]:
    rows = Moderation.select().where(
        (Moderation.agency == agency_id) & (Moderation.form_id == form_id) & (Moderation.period == period)
    )
    return {r.target: ModerationInfo.from_row(r) for r in rows}


@dataclass(frozen=True)
class StatementToModerate:
    """A rated statement of a received return, as the agency rated it, for moderation statement by statement."""

    item_id: str
    #: "S3.2", as the agency's form and signed PDF print it.
    code: str
    label: str
    #: The standard (section id) it belongs to.
    standard_id: str
    scale: Scale
    #: The agency's level id, or None when it did not rate the statement.
    own_level: str | None
    #: The agency's evidence, as signed (for the moderator to read beside the rating).
    evidence: str

    @property
    def own(self) -> Level | None:
        return self.scale.level(self.own_level) if self.own_level else None


@uses_workspace
def statements(ws: Workspace, received_id: int) -> list[StatementToModerate]:
    """Every rated statement of a received return, in form order, with the agency's own level.

    Empty when the return's form is not installed here (nothing can be named or moderated then).
    """
    row = received(ws, received_id)
    try:
        form = ws.forms.get(row.form_id, row.form_version)
    except KeyError:
        return []
    out = []
    for section in form.sections:
        for item in section.items:
            if item.type != "rating" or item.scale is None:
                continue
            answer = row.answers.get(item.id)
            answer = answer if isinstance(answer, Mapping) else {}
            level = answer.get("level") if isinstance(answer.get("level"), str) else None
            out.append(
                StatementToModerate(
                    item_id=item.id,
                    code=form.item_code(item.id),
                    label=item.label,
                    standard_id=section.id,
                    scale=item.scale,
                    own_level=level or None,
                    evidence=str(answer.get("evidence") or ""),
                )
            )
    return out


# The cycle at a glance -----------------------------------------------------------------------------

CYCLE_STATUSES = {
    "not_received": "Not received",
    "received": "Received",
    "has_issues": "Has issues",
    "accepted": "Accepted",
}


@dataclass(frozen=True)
class CycleRow:
    agency_id: int
    agency: str
    sector: str
    form_id: str
    status: str
    overdue: bool
    version: int | None
    latest_import: str | None
    signed_at: str | None
    received_id: int | None
    #: False while the version that counts came as its signed PDF alone (no evidence files, no history yet).
    bundle_received: bool = True

    @property
    def status_label(self) -> str:
        label = CYCLE_STATUSES[self.status]
        if not self.bundle_received:
            label += " (PDF only)"
        return f"{label} — overdue" if self.overdue else label


@uses_workspace
def forms_for(ws: Workspace, period: str) -> list[FormDefinition]:
    """The newest version of each form used in a period."""
    seen: dict[str, FormDefinition] = {}
    for form in ws.forms.for_period(period):
        seen.setdefault(form.id, form)
    return list(seen.values())


@uses_workspace
def cycle(ws: Workspace, period: str, *, today: date | None = None) -> list[CycleRow]:
    """Every registered agency × every form of the period, with the state of the version that counts.

    Which version counts and whether it came late are the board report's rules (:mod:`oscb_desktop.collate.records`),
    so the Cycle tab and the report never disagree about a return. A missing return is overdue once the
    deadline of the period's newest version of the form has passed.
    """
    today = today or date.today()
    newest = newest_by(
        list_received(ws, period=period),
        lambda row: (row.agency_id, row.form_id),
        lambda row: version_rank(row.version, row.form_version, row.imported_at),
    )
    forms = forms_for(ws, period)
    out = []
    for agency in registry.list_agencies(ws):
        for form in forms:
            row = newest.get((agency.id, form.id))
            if row is None:
                status, overdue = "not_received", form.deadline is not None and today > form.deadline
            else:
                status = row.review_status
                own = ws.forms.forms.get((row.form_id, row.form_version))
                overdue = on_time(row.signed_at, row.imported_at, deadline_for(own, form)) is False
            out.append(
                CycleRow(
                    agency_id=agency.id,
                    agency=agency.name,
                    sector=agency.sector,
                    form_id=form.id,
                    status=status,
                    overdue=overdue,
                    version=row.version if row else None,
                    latest_import=row.imported_at if row else None,
                    signed_at=row.signed_at if row else None,
                    received_id=row.id if row else None,
                    bundle_received=row.bundle_received if row else True,
                )
            )
    return out


@uses_workspace
def periods(ws: Workspace) -> list[str]:
    """Periods with received returns or installed forms, newest first."""
    found = {r.period for r in ReceivedReturn.select(ReceivedReturn.period).distinct()}
    found |= {f.period for f in ws.forms}
    return sorted(found, reverse=True)


# Collation ---------------------------------------------------------------------------------------


def _record(row: ReceivedInfo, moderation: Mapping[str, Moderation], surveys: Mapping[int, Any]) -> ReturnRecord:
    return ReturnRecord(
        agency=row.agency.name,
        sector=row.agency.sector,
        form_id=row.form_id,
        form_version=row.form_version,
        period=row.period,
        version=row.version,
        submission_id=row.submission_id,
        answers=row.answers,
        signed_at=row.signed_at,
        received_at=row.imported_at,
        review_status=row.review_status,
        review_notes=row.review_notes,
        moderated={t: m.level for t, m in moderation.items() if m.level},
        challenge_notes={t: m.note for t, m in moderation.items() if m.note},
        survey=surveys.get(row.id),
    )


@uses_workspace
def collation_input(ws: Workspace, period: str) -> CollationInput:
    """The newest received version of every return, all periods (for year-on-year), with moderation."""
    mods: dict[tuple[int, str, str], dict[str, Moderation]] = {}
    for m in Moderation.select():
        mods.setdefault((m.agency_id, m.form_id, m.period), {})[m.target] = m
    surveys = survey.received_all(ws)
    records = [
        _record(row, mods.get((row.agency_id, row.form_id, row.period), {}), surveys)
        for row in list_received(ws)  # superseded versions left out
    ]
    return CollationInput(
        period=period,
        forms=ws.forms,
        returns=records,
        agencies=[RegisteredAgency(a.name, a.sector, a.contact_name) for a in registry.list_agencies(ws)],
        sector_labels=dict(ws.profile.sectors),
        partnership=ws.profile.name,
        contact=(ws.profile.contact_name, ws.profile.contact_email, ws.profile.contact_phone),
        officer=str(ws.setting("user_name") or "").strip(),
    )


# Feedback letters --------------------------------------------------------------------------------


@uses_workspace
def signatories(ws: Workspace, c: Collation) -> dict[str, dict[str, tuple[str, str]]]:
    """Agency -> form id -> (name, role) of whoever signed the version the collation counts."""
    counted = {(r.agency, r.form_id): r.version for r in c.returns}
    out: dict[str, dict[str, tuple[str, str]]] = {}
    for row in list_received(ws, period=c.period):
        if counted.get((row.agency.name, row.form_id)) == row.version:
            out.setdefault(row.agency.name, {})[row.form_id] = (row.signatory_name or "", row.signatory_role or "")
    return out


def write_feedback_letters(
    c: Collation, folder: Path, signed_by: Mapping[str, Mapping[str, tuple[str, str]]]
) -> list[Path]:
    """One ``Feedback_<agency>_<period>.pdf`` per agency with a return in the period, written crash-safe."""
    from oscb_desktop.report.feedback import feedback_file_name, render_feedback_pdf

    written: list[Path] = []
    used: set[str] = set()
    for agency in dict.fromkeys(r.agency for r in c.returns):
        name = feedback_file_name(agency, c.period)
        stem, n = name.removesuffix(".pdf"), 2
        while name.casefold() in used:  # two names that differ only in punctuation or case
            name, n = f"{stem}-{n}.pdf", n + 1
        used.add(name.casefold())
        atomic_write(folder / name, render_feedback_pdf(c, agency, signatories=dict(signed_by.get(agency, {}))))
        written.append(folder / name)
    return written

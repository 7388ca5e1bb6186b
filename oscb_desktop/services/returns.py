"""Use cases of an agency's returns: start (with carry-forward), save answers, check, list.

Every write is one transaction and leaves an audit entry per changed answer.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from peewee import JOIN

from oscb_desktop.forms import FormDefinition, Problem
from oscb_desktop.forms import files as evidence_files
from oscb_desktop.forms import rules as form_rules
from oscb_desktop.forms.known import PRACTITIONER_SURVEY
from oscb_desktop.forms.rules import is_answered
from oscb_desktop.forms.versions import version_key
from oscb_desktop.services.answer_checks import missing_file, refusal
from oscb_desktop.services.values import ReturnInfo, ReturnStatus
from oscb_desktop.services.workspace import Workspace, now_iso, uses_workspace
from oscb_desktop.store import Agency, Answer, AuditEntry, Submission, answer_writes
from oscb_desktop.store.answer_writes import SubmissionKey
from oscb_desktop.store.models import Partnership as PartnershipRow
from oscb_desktop.store.models import PartnershipForm, dumps

CARRIED_MESSAGE = "{origin}: review it, change it if needed, and confirm"


class ReturnError(Exception):
    """A use case refused; the message is for the user."""


class ReturnLockedError(ReturnError):
    pass


class AnswerRefusedError(ReturnError):
    """One answer cannot be stored as it is (no such item, wrong kind of value, too long)."""

    def __init__(self, item_id: str, message: str) -> None:
        super().__init__(message)
        self.item_id = item_id


@dataclass(frozen=True)
class SaveResult:
    """What :func:`save_accepted` did: the return's new percent complete, and the answers it refused (item id →
    the reason, for the user)."""

    #: None when the save was asked not to work it out (the autosave: :func:`refresh_percent` follows)
    percent: int | None
    refused: Mapping[str, str]


@dataclass(frozen=True)
class ReturnSummary:
    id: str
    agency_id: int
    agency_name: str
    form_id: str
    form_version: str
    form_title: str
    period: str
    version: int
    status: ReturnStatus
    percent_complete: int
    deadline: date | None
    updated_at: str
    signed_at: str | None

    @property
    def status_label(self) -> str:
        if self.status == ReturnStatus.DRAFT:
            return "Ready to sign" if self.percent_complete == 100 else "Draft"
        return {ReturnStatus.SIGNED: "Signed", ReturnStatus.SUPERSEDED: "Superseded"}.get(self.status, self.status)

    @property
    def overdue(self) -> bool:
        return self.status == ReturnStatus.DRAFT and self.deadline is not None and date.today() > self.deadline


@uses_workspace
def form_of(ws: Workspace, sub: ReturnInfo | Submission | SubmissionKey) -> FormDefinition:
    return ws.forms.get(sub.form_id, sub.form_version)


@uses_workspace
def get_submission(ws: Workspace, submission_id: str) -> ReturnInfo:
    """By full id or an unambiguous prefix of at least 6 characters (as the CLI accepts)."""
    return ReturnInfo.from_row(_row(submission_id))


@uses_workspace
def newer_version(ws: Workspace, submission_id: str) -> ReturnInfo | None:
    """The version that reopened this one, if it was reopened."""
    row = Submission.get_or_none(Submission.supersedes == submission_id)
    return ReturnInfo.from_row(row) if row is not None else None


def _row(submission_id: str) -> Submission:
    """The stored row (inside a service, where the workspace is bound)."""
    sub = Submission.get_or_none(Submission.id == submission_id)
    if sub is not None:
        return sub
    if len(submission_id) >= 6:
        matches = list(Submission.select().where(Submission.id.startswith(submission_id)).limit(2))
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise ReturnError(f"More than one return starts with {submission_id!r}; give more of the id.")
    raise ReturnError(f"There is no return with id {submission_id!r} in this workspace.")


@uses_workspace
def load_answers(ws: Workspace, submission_id: str) -> dict[str, Any]:
    return {a.item_id: a.value for a in Answer.select().where(Answer.submission == submission_id)}


@uses_workspace
def carried_items(ws: Workspace, submission_id: str) -> set[str]:
    q = Answer.select(Answer.item_id).where((Answer.submission == submission_id) & Answer.carried)
    return {a.item_id for a in q}


@uses_workspace
def problems(ws: Workspace, submission_id: str) -> list[Problem]:
    """Everything that stops the return being complete, in form order, including unreviewed carried answers."""
    sub = get_submission(ws, submission_id)
    form = form_of(ws, sub)
    return problems_for(form, load_answers(ws, sub.id), carried_items(ws, sub.id), carried_origin(sub))


def carried_origin(sub: ReturnInfo) -> str:
    """Where the answers still to review came from, as the editor says it: ``Carried forward from 2025/26``, or
    ``Copied from your BSCP return`` (answer once)."""
    if sub.copied_from is not None:
        return f"Copied from {copied_label(sub)}"
    return f"Carried forward from {sub.carried_from_period or 'last period'}"


def copied_label(sub: ReturnInfo) -> str:
    """``your BSCP return``: the return the answers were copied from (answer once)."""
    return f"your {sub.copied_from} return" if sub.copied_from else "your other return"


def problems_for(form: FormDefinition, answers: Mapping[str, Any], carried: set[str], origin: str) -> list[Problem]:
    found = form_rules.check(form, answers)
    order = {item.id: n for n, item in enumerate(form.items())}
    for item_id in carried:
        if form.has_item(item_id):
            found.append(Problem(item_id, form.section_of(item_id).id, CARRIED_MESSAGE.format(origin=origin), "review"))
    found.sort(key=lambda p: order.get(p.item_id, 0))
    return found


def percent_complete(form: FormDefinition, answers: Mapping[str, Any], carried: set[str]) -> int:
    return form_rules.completion(form, answers, problems_for(form, answers, carried, "")).percent


@uses_workspace
def refresh_percent(ws: Workspace, submission_id: str) -> int:
    """Work out and store the return's percent complete (after saves that left it to later); return it."""
    with ws.db.atomic():
        return _refresh_percent(ws, _row(submission_id))


def _refresh_percent(ws: Workspace, sub: ReturnInfo | Submission | SubmissionKey) -> int:
    pct = percent_complete(form_of(ws, sub), load_answers(ws, sub.id), carried_items(ws, sub.id))
    Submission.update(percent_complete=pct, updated_at=now_iso()).where(Submission.id == sub.id).execute()
    return pct


def check_writable(sub: ReturnInfo | Submission | SubmissionKey) -> None:
    """:class:`ReturnLockedError` for a signed (or superseded) return."""
    if sub.locked:
        raise ReturnLockedError(
            f"This return (version {sub.version}) is signed and cannot be changed. Reopen it to make a new version."
        )


@uses_workspace
def save_answers(ws: Workspace, submission_id: str, changes: Mapping[str, Any], *, action: str = "edit") -> int:
    """Store changed answers in one transaction with their audit entries; return the new percent complete.

    All or nothing: if the form refuses any of the values, :class:`AnswerRefusedError` names it and nothing
    is stored. A value equal to the stored one is skipped. Changing an answer also confirms a carried one.
    """
    percent = _save(ws, submission_id, changes, action, strict=True).percent
    assert percent is not None
    return percent


@uses_workspace
def save_accepted(
    ws: Workspace, submission_id: str, changes: Mapping[str, Any], *, action: str = "edit", percent: bool = True
) -> SaveResult:
    """Store every change the form accepts, in one transaction, and hand back the refused ones with their reasons.

    The autosave writes through this, so one answer that cannot be stored (an over-long paste, an item an
    older form had) never keeps the others from being saved. A signed return refuses everything
    (:class:`ReturnLockedError`). ``percent=False`` leaves the percent complete to a later
    :func:`refresh_percent`, so the commit the "saved" mark waits for holds only the answers and their audit.
    """
    return _save(ws, submission_id, changes, action, strict=False, percent=percent)


def _save(
    ws: Workspace,
    submission_id: str,
    changes: Mapping[str, Any],
    action: str,
    *,
    strict: bool,
    percent: bool = True,
) -> SaveResult:
    with ws.db.atomic():
        sub = answer_writes.submission(submission_id) or _row(submission_id)
        check_writable(sub)
        form = form_of(ws, sub)
        refused: dict[str, str] = {}
        for item_id, value in changes.items():
            reason = refusal(form, item_id, value) or missing_file(ws, form, item_id, value)
            if reason is not None:
                if strict:
                    raise AnswerRefusedError(item_id, reason)
                refused[item_id] = reason
        existing = answer_writes.answers(sub.id, [k for k in changes if k not in refused])
        stamp, user = now_iso(), ws.user
        for item_id, value in changes.items():
            if item_id in refused:
                continue
            row = existing.get(item_id)
            old = row.value if row is not None else None
            if row is not None and dumps(old) == dumps(value) and not row.carried:
                continue
            if row is None:
                answer_writes.insert(sub.id, item_id, value, stamp)
            else:
                answer_writes.update(row.id, value, stamp)
            # Same value but it was carried: the user has reviewed it and kept it.
            kind = action if dumps(old) != dumps(value) else "review"
            answer_writes.audit(sub.id, item_id, old, value, at=stamp, user=user, action=kind)
        return SaveResult(_refresh_percent(ws, sub) if percent else None, refused)


@uses_workspace
def confirm_carried(ws: Workspace, submission_id: str, item_ids: Iterable[str]) -> int:
    """The user has reviewed carried-forward answers and keeps them as they are."""
    with ws.db.atomic():
        sub = _row(submission_id)
        check_writable(sub)
        stamp, user = now_iso(), ws.user
        for row in Answer.select().where(
            (Answer.submission == sub.id) & Answer.carried & Answer.item_id.in_(list(item_ids))
        ):
            Answer.update(carried=False, updated_at=stamp).where(Answer.id == row.id).execute()
            AuditEntry.create(
                submission=sub.id,
                item_id=row.item_id,
                old_value=row.value,
                new_value=row.value,
                at=stamp,
                user=user,
                action="review",
            )
        return _refresh_percent(ws, sub)


# Starting a return -------------------------------------------------------------------------------


@uses_workspace
def previous_return(ws: Workspace, agency_id: int, form_id: str, before_period: str) -> ReturnInfo | None:
    """The latest version of the agency's most recent return of this form before a period."""
    row = (
        Submission.select()
        .where((Submission.agency == agency_id) & (Submission.form_id == form_id) & (Submission.period < before_period))
        .order_by(Submission.period.desc(), Submission.version.desc())
        .first()
    )
    return ReturnInfo.from_row(row) if row is not None else None


#: ``partnership_id`` of :func:`current_return` meaning "whichever partnership it is addressed to".
ANY_PARTNERSHIP = "*"


@uses_workspace
def current_return(
    ws: Workspace, agency_id: int, form_id: str, period: str, partnership_id: str | None = ANY_PARTNERSHIP
) -> ReturnInfo | None:
    """The newest version of the agency's return of this form for this period (to ``partnership_id``: an
    agency in several partnerships sends each its own return)."""
    where = (Submission.agency == agency_id) & (Submission.form_id == form_id) & (Submission.period == period)
    if partnership_id is None:
        where &= Submission.partnership.is_null()
    elif partnership_id != ANY_PARTNERSHIP:
        where &= Submission.partnership == partnership_id
    row = Submission.select().where(where).order_by(Submission.version.desc()).first()
    return ReturnInfo.from_row(row) if row is not None else None


@uses_workspace
def offered_forms(ws: Workspace, period: str | None = None, partnership_id: str | None = None) -> list[FormDefinition]:
    """The forms new returns can be started on (newest version of each form per period): a partnership's are
    those of its latest pack; without one, every form installed here."""
    if partnership_id is None:
        forms = list(ws.forms)
    else:
        rows = PartnershipForm.select().where(
            (PartnershipForm.partnership == partnership_id) & (PartnershipForm.active == True)  # noqa: E712
        )
        forms = [ws.forms.forms[key] for key in ((r.form_id, r.form_version) for r in rows) if key in ws.forms.forms]
    newest: dict[tuple[str, str], FormDefinition] = {}
    for form in sorted(forms, key=lambda f: (f.id, version_key(f.version))):
        if form.kind == PRACTITIONER_SURVEY:  # answered outside the app, never a return
            continue
        if period is None or form.period == period:
            newest[(form.id, form.period)] = form
    return sorted(newest.values(), key=lambda f: (f.period, f.id), reverse=False)


@uses_workspace
def copy_sources(ws: Workspace, agency_id: int, form: FormDefinition, partnership_id: str | None) -> list[ReturnInfo]:
    """Answer once: the agency's returns of the same period for its other partnerships whose answers ``form``
    can take (the same form, or one its ``same_as`` names), newest first — offered when it starts a return."""
    rows = (
        Submission.select()
        .where((Submission.agency == agency_id) & (Submission.period == form.period))
        .order_by(Submission.updated_at.desc(), Submission.version.desc())
    )
    found: dict[tuple[str | None, str], ReturnInfo] = {}
    for row in rows:
        if row.partnership_id == partnership_id or form.copies_from(row.form_id) is None:
            continue
        found.setdefault((row.partnership_id, row.form_id), ReturnInfo.from_row(row))
    return list(found.values())


@uses_workspace
def start_return(
    ws: Workspace,
    agency_id: int,
    form_id: str,
    period: str,
    *,
    carry_forward: bool = True,
    partnership_id: str | None = None,
    copy_from: str | None = None,
) -> ReturnInfo:
    """Create the draft of an agency's return for a period, from the newest form version for that period (of
    those the partnership ``partnership_id`` uses, when the return is addressed to one).

    With ``carry_forward``, last period's answers, evidence and open actions are copied for the items
    the new form still has, each marked as carried so the user reviews it. ``copy_from`` (answer once): the id
    of the agency's return of the same period for another partnership (:func:`copy_sources`), whose answers,
    evidence and open actions are copied instead, marked the same way.
    """
    candidates = [f for f in offered_forms(ws, period, partnership_id) if f.id == form_id]
    if not candidates:
        where = f" for {_partnership_name(partnership_id)}" if partnership_id else ""
        raise ReturnError(f"No {form_id} form is installed for {period}{where}.")
    form = candidates[-1]
    with ws.db.atomic():
        agency = Agency.get_or_none(Agency.id == agency_id)
        if agency is None:
            raise ReturnError("That agency profile no longer exists.")
        if current_return(ws, agency_id, form_id, period, partnership_id) is not None:
            where = f" for {_partnership_name(partnership_id)}" if partnership_id else ""
            raise ReturnError(f"{agency.name} already has a {form.short_title} return for {period}{where}.")
        source: ReturnInfo | None = None
        mapping: dict[str, str] | None = None
        if copy_from is not None:
            source = get_submission(ws, copy_from)
            mapping = form.copies_from(source.form_id)
            if source.agency_id != agency_id or source.period != period or mapping is None:
                raise ReturnError("Answers can only be copied from the agency's own return of that form and period.")
        elif carry_forward:
            source = previous_return(ws, agency_id, form_id, period)
        stamp = now_iso()
        sub = Submission.create(
            id=str(uuid.uuid4()),
            agency=agency_id,
            form_id=form.id,
            form_version=form.version,
            period=period,
            version=1,
            status=ReturnStatus.DRAFT,
            carried_from=source.id if source else None,
            created_at=stamp,
            updated_at=stamp,
            partnership=partnership_id,
        )
        if source is not None:
            _carry_forward(ws, form, source, sub, stamp, mapping)
        _refresh_percent(ws, sub)
        return get_submission(ws, sub.id)


def _partnership_name(partnership_id: str | None) -> str:
    row = PartnershipRow.get_or_none(PartnershipRow.id == partnership_id)
    return row.short_name if row is not None else "that partnership"


def _carry_forward(
    ws: Workspace,
    form: FormDefinition,
    previous: ReturnInfo,
    sub: Submission,
    stamp: str,
    mapping: dict[str, str] | None = None,
) -> None:
    """Copy ``previous``'s answers into ``sub``, marked carried: last period's (``mapping`` None: by item id, for
    the items that carry forward), or, answering once, another partnership's return of the period (``mapping``:
    this form's item id -> the other form's)."""
    user = ws.user
    theirs = {ans.item_id: ans for ans in Answer.select().where(Answer.submission == previous.id)}
    pairs = (
        [(item_id, theirs[item_id]) for item_id in theirs if form.has_item(item_id)]  # dropped items stay behind
        if mapping is None
        else [(mine, theirs[other]) for mine, other in mapping.items() if other in theirs]
    )
    for item_id, ans in pairs:
        item = form.item(item_id)
        if mapping is None and not item.carry_forward:
            continue
        if mapping is not None and item.type != _other_type(ws, previous, ans.item_id, item.type):
            continue  # a renamed item of another kind: nothing sensible to copy
        value = ans.value
        if item.type == "table" and any(c.id == "status" for c in item.columns):
            # Only open actions carry into next year.
            value = [r for r in value or [] if isinstance(r, dict) and r.get("status") != "complete"]
        if evidence_files.files_of(item, value):
            # Last year's files come along, marked carried; an item that takes none now leaves them behind.
            value = evidence_files.carried(item, value) if item.files else evidence_files.with_files(item, value, [])
        if not is_answered(item, value):
            continue
        Answer.create(submission=sub.id, item_id=item_id, value=value, carried=True, updated_at=stamp)
        AuditEntry.create(
            submission=sub.id,
            item_id=item_id,
            old_value=None,
            new_value=value,
            at=stamp,
            user=user,
            action="carry-forward" if mapping is None else "copy-from",
        )
    if mapping is None:  # last period's return: the actions its feedback required come too
        from oscb_desktop.services.feedback_received import carry_required_actions

        carry_required_actions(ws, form, previous.id, sub.id, stamp)


def _other_type(ws: Workspace, other: ReturnInfo, item_id: str, default: str) -> str:
    """The type of an item of another return's form (``default`` when that form is not installed here)."""
    try:
        return form_of(ws, other).item(item_id).type
    except KeyError:
        return default


# Listing -----------------------------------------------------------------------------------------


@uses_workspace
def summarise(ws: Workspace, sub: ReturnInfo | Submission) -> ReturnSummary:
    try:
        form = form_of(ws, sub)
        title, deadline = form.short_title, form.deadline
    except KeyError:
        title, deadline = f"{sub.form_id} {sub.form_version} (form not installed)", None
    return ReturnSummary(
        id=sub.id,
        agency_id=sub.agency_id,
        agency_name=sub.agency.name,
        form_id=sub.form_id,
        form_version=sub.form_version,
        form_title=title,
        period=sub.period,
        version=sub.version,
        status=ReturnStatus(sub.status),
        percent_complete=sub.percent_complete,
        deadline=deadline,
        updated_at=sub.updated_at,
        signed_at=sub.signed_at,
    )


@uses_workspace
def list_returns(ws: Workspace, agency_id: int | None = None) -> list[ReturnSummary]:
    """Returns, newest period first, then by agency and form."""
    q = Submission.select(Submission, Agency).join(Agency, JOIN.INNER)
    if agency_id is not None:
        q = q.where(Submission.agency == agency_id)
    q = q.order_by(Submission.period.desc(), Agency.name, Submission.form_id, Submission.version.desc())
    return [summarise(ws, s) for s in q]

"""The Business Unit's signed feedback to each agency: the actions it requires on a return, and the export of one
``.oscbfeedback`` file per agency with returns in a period (docs/feedback-format.md).

What a file says is what the board report and the feedback letter say: both are made from the same collation
(:func:`oscb_desktop.services.review.collation_input`), so the moderated levels, the notes and the letter never
disagree. Required actions are kept like moderation — per agency, form and period, apart from the signed
return — so they survive a reopened and re-sent return. The agency's side is :mod:`.feedback_received`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from oscb_desktop.bundle.model import PartnershipName
from oscb_desktop.collate import collate
from oscb_desktop.collate.result import Collation, ReturnReceived
from oscb_desktop.feedback import (
    FEEDBACK_SUFFIX,
    FeedbackDocument,
    LevelRef,
    Note,
    Rated,
    RequiredAction,
    ReturnFeedback,
    build_feedback,
)
from oscb_desktop.forms import FormDefinition
from oscb_desktop.forms.known import SELF_ASSESSMENT
from oscb_desktop.forms.model import Level
from oscb_desktop.fsutil import atomic_write, safe_stem
from oscb_desktop.services import partnership_admin, registry, review
from oscb_desktop.services.partnerships import own
from oscb_desktop.services.workspace import Workspace, now_iso, uses_workspace
from oscb_desktop.signing import UnlockedKey
from oscb_desktop.store.models import ReceivedReturn
from oscb_desktop.store.models import RequiredAction as ActionRow

__all__ = [
    "ExportedFeedback",
    "FeedbackExportError",
    "RequiredActionInfo",
    "add_required_action",
    "export_feedback",
    "feedback_file_name",
    "remove_required_action",
    "required_actions",
]

MAX_ACTION_CHARS = 2000


class FeedbackExportError(Exception):
    """Feedback cannot be exported, or a required action not changed; the message is for the officer."""


@dataclass(frozen=True)
class RequiredActionInfo:
    id: int
    #: The id the action travels under in feedback files.
    uid: str
    agency: str
    form_id: str
    period: str
    #: A standard or statement id, or "" for the return as a whole.
    target: str
    what: str
    due: date | None
    created_at: str

    @classmethod
    def from_row(cls, row: ActionRow) -> RequiredActionInfo:
        return cls(
            id=row.id,
            uid=row.uid,
            agency=row.agency.name,
            form_id=row.form_id,
            period=row.period,
            target=row.target,
            what=row.what,
            due=date.fromisoformat(row.due) if row.due else None,
            created_at=row.created_at,
        )


def _received(received_id: int) -> ReceivedReturn:
    row = ReceivedReturn.get_or_none(ReceivedReturn.id == received_id)
    if row is None:
        raise FeedbackExportError("That return is not in this workspace.")
    return row


@uses_workspace
def add_required_action(
    ws: Workspace, received_id: int, what: str, *, due: date | None = None, target: str = ""
) -> RequiredActionInfo:
    """Require an action of the agency on a received return: what, by when, about which standard or statement
    (``target``: its id, or "" for the return as a whole)."""
    what = " ".join((what or "").split())
    if not what:
        raise FeedbackExportError("Say what the agency must do.")
    if len(what) > MAX_ACTION_CHARS:
        raise FeedbackExportError(f"The action is too long (at most {MAX_ACTION_CHARS:,} characters).")
    row = _received(received_id)
    if target:
        try:
            form = ws.forms.get(row.form_id, row.form_version)
        except KeyError:
            raise FeedbackExportError(
                f"The form of this return ({row.form_id} {row.form_version}) is not installed here, so its "
                "standards cannot be named; leave the standard out."
            ) from None
        if not form.has_item(target) and not any(s.id == target for s in form.sections):
            known = ", ".join(s.id for s in form.sections)
            raise FeedbackExportError(f"{target!r} is not a standard or statement of {form.title} ({known}).")
    with ws.db.atomic():
        created = ActionRow.create(
            agency=row.agency_id,
            form_id=row.form_id,
            period=row.period,
            target=target,
            uid=str(uuid.uuid4()),
            what=what,
            due=due.isoformat() if due else None,
            created_at=now_iso(),
            created_by=ws.user,
        )
        registry.log(ws, "required-action-add", agency=row.agency.name, form=row.form_id, period=row.period,
                     target=target, what=what)  # fmt: skip
        return RequiredActionInfo.from_row(ActionRow.get_by_id(created.id))


@uses_workspace
def remove_required_action(ws: Workspace, action_id: int) -> None:
    with ws.db.atomic():
        row = ActionRow.get_or_none(ActionRow.id == action_id)
        if row is None:
            raise FeedbackExportError(f"There is no required action {action_id}.")
        ActionRow.delete().where(ActionRow.id == action_id).execute()
        registry.log(ws, "required-action-remove", agency=row.agency.name, form=row.form_id, period=row.period,
                     what=row.what)  # fmt: skip


@uses_workspace
def required_actions(
    ws: Workspace, received_id: int | None = None, *, period: str | None = None
) -> list[RequiredActionInfo]:
    """The actions required on one received return (any version of it), or on every return of a period."""
    q = ActionRow.select()
    if received_id is not None:
        row = _received(received_id)
        q = q.where(
            (ActionRow.agency == row.agency_id) & (ActionRow.form_id == row.form_id) & (ActionRow.period == row.period)
        )
    if period is not None:
        q = q.where(ActionRow.period == period)
    return [RequiredActionInfo.from_row(r) for r in q.order_by(ActionRow.id)]


# Export -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportedFeedback:
    agency: str
    path: Path
    returns: int
    required_actions: int


def feedback_file_name(agency: str, period: str) -> str:
    """``Feedback_<agency>_<period>.oscbfeedback``, like the letter's name."""
    return f"Feedback_{safe_stem(agency) or 'agency'}_{safe_stem(period) or 'period'}{FEEDBACK_SUFFIX}"


@uses_workspace
def export_feedback(
    ws: Workspace,
    period: str,
    out_dir: str | Path,
    passphrase: str = "",
    *,
    key: UnlockedKey | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> list[ExportedFeedback]:
    """Write one signed feedback file per agency with returns in ``period`` to ``out_dir``; the Business Unit's
    key is unlocked once (:class:`~oscb_desktop.signing.WrongPassphraseError` when the passphrase is wrong,
    before anything is written). ``key``: already unlocked (the window asks for the passphrase first)."""
    from oscb_desktop.report.feedback import render_feedback_pdf

    mine = own(ws)
    if mine is None:
        raise FeedbackExportError(
            "This workspace is not a partnership's Business Unit: set the partnership up first (oscb partnership "
            "init), so that the feedback is signed with the partnership's key."
        )
    if key is None:
        key = partnership_admin.unlock(partnership_admin.current_identity(ws), passphrase)
    c = collate(review.collation_input(ws, period))
    agencies = list(dict.fromkeys(r.agency for r in c.returns))
    if not agencies:
        raise FeedbackExportError(f"No return for {period} has been received: there is no feedback to send.")
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    signatories = review.signatories(ws, c)
    actions = _actions_by_return(ws, period)
    issued_by = str(ws.setting("user_name") or "").strip()
    out: list[ExportedFeedback] = []
    used: set[str] = set()
    for n, agency in enumerate(agencies):
        if progress is not None:
            progress(n, len(agencies), f"Feedback to {agency}…")
        entries = tuple(_return_feedback(ws, c, r, actions.get((agency, r.form_id), [])) for r in c.returns_of(agency))
        document = FeedbackDocument(PartnershipName(mine.id, mine.name), agency, period, issued_by, entries)
        required = [(a.label, a.what, a.due) for e in entries for a in e.required_actions]
        letter = render_feedback_pdf(
            c, agency, signatories=dict(signatories.get(agency, {})), required_actions=required
        )
        data = build_feedback(document, letter, key)
        name = feedback_file_name(agency, period)
        stem, k = name.removesuffix(FEEDBACK_SUFFIX), 2
        while name.casefold() in used:
            name, k = f"{stem}-{k}{FEEDBACK_SUFFIX}", k + 1
        used.add(name.casefold())
        atomic_write(folder / name, data)
        out.append(ExportedFeedback(agency, folder / name, len(entries), sum(len(e.required_actions) for e in entries)))
    registry.log(ws, "feedback-export", period=period, files=len(out))
    if progress is not None:
        progress(len(agencies), len(agencies), "Done")
    return out


def _actions_by_return(ws: Workspace, period: str) -> dict[tuple[str, str], list[RequiredActionInfo]]:
    found: dict[tuple[str, str], list[RequiredActionInfo]] = {}
    for action in required_actions(ws, period=period):
        found.setdefault((action.agency, action.form_id), []).append(action)
    return found


def _ref(level: Level | None) -> LevelRef | None:
    return LevelRef(level.id, level.label, level.colour) if level is not None else None


def _form(ws: Workspace, r: ReturnReceived) -> FormDefinition | None:
    try:
        return ws.forms.get(r.form_id, r.form_version)
    except KeyError:
        return None


def _label(form: FormDefinition | None, target: str) -> str:
    if not target or form is None:
        return target or "The return as a whole"
    if any(s.id == target for s in form.sections):
        return form.section_label(target)
    if form.has_item(target):
        return f"{form.item_code(target)} {form.item(target).label}"
    return target


def _return_feedback(
    ws: Workspace, c: Collation, r: ReturnReceived, actions: list[RequiredActionInfo]
) -> ReturnFeedback:
    form = _form(ws, r)
    notes = {n.target: n for n in r.challenge_notes}
    standards: list[Rated] = []
    statements: list[Rated] = []
    if r.form_kind == SELF_ASSESSMENT:
        row = next((m for m in c.matrix if m.agency == r.agency), None)
        for st in c.standards:
            cell = row.cell(st.id) if row is not None else None
            note = notes[st.id].text if st.id in notes else ""
            standards.append(
                Rated(st.id, st.code, st.title, st.id, _ref(cell.self_level if cell else None),
                      _ref(cell.moderated_level if cell else None), note)
            )  # fmt: skip
        for rating in c.ratings:
            if rating.agency != r.agency or rating.form_id != r.form_id:
                continue
            note = notes[rating.statement_id].text if rating.statement_id in notes else ""
            if rating.moderated_level is None and not note:
                continue
            statements.append(
                Rated(rating.statement_id, rating.statement_code, rating.statement, rating.standard_id,
                      _ref(rating.self_level), _ref(rating.moderated_level), note)
            )  # fmt: skip
    status_label = review.REVIEW_STATUSES.get(r.review_status, r.review_status)
    return ReturnFeedback(
        submission_id=r.submission_id,
        version=r.version,
        form_id=r.form_id,
        form_version=r.form_version,
        form_title=r.form_title,
        review_status=r.review_status,
        review_status_label=status_label,
        review_notes=r.review_notes,
        standards=tuple(standards),
        statements=tuple(statements),
        notes=tuple(Note(n.target, n.label, n.text) for n in r.challenge_notes),
        required_actions=tuple(RequiredAction(a.uid, a.target, _label(form, a.target), a.what, a.due) for a in actions),
    )

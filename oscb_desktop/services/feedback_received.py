"""The agency's side of feedback: take the partnership's signed feedback file, keep it beside the returns it is
about, show it, and carry the actions it requires into next year's return.

A file is checked whole first (:func:`oscb_desktop.feedback.check_feedback`: the signed zip, the signed letter,
``feedback.json``); then against this workspace, in order: the partnership is one this workspace joined
(``other_partnership``), the file is signed by the Business Unit key trusted when joining or the successor a pack
introduced (``untrusted_signer``), the agency is one of this workspace's profiles (``other_agency``), and every
return it names is one of that agency's, this version, addressed to that partnership (``unknown_return``,
``other_partnership``). Only then is it stored, in one transaction; a refused file stores nothing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oscb_desktop.bundle.codes import Code
from oscb_desktop.feedback import ReturnFeedback
from oscb_desktop.forms import FormDefinition
from oscb_desktop.forms.model import Item
from oscb_desktop.services.workspace import Workspace, now_iso, uses_workspace
from oscb_desktop.signing import format_fingerprint
from oscb_desktop.store.models import Agency, Answer, AuditEntry, Partnership, ReceivedFeedback, Submission
from oscb_desktop.textsafe import shown

if TYPE_CHECKING:
    from oscb_desktop.feedback import FeedbackCheck

__all__ = [
    "FeedbackImport",
    "FeedbackInfo",
    "FeedbackRefusedError",
    "carry_required_actions",
    "feedback_for",
    "import_feedback",
    "letter_pdf",
    "list_feedback",
    "returns_with_feedback",
]


class FeedbackRefusedError(Exception):
    """A feedback file this workspace does not accept; ``code`` is one of :class:`~oscb_desktop.bundle.codes
    .Code`, the message is for the user. Nothing was stored."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class FeedbackInfo:
    """The partnership's feedback on one of the agency's returns, as received."""

    id: int
    partnership_id: str
    partnership: str
    partnership_short: str
    submission_id: str
    version: int
    period: str
    agency: str
    issued_at: str
    issued_by: str
    signer_fingerprint: str
    file_name: str
    imported_at: str
    letter_sha256: str
    feedback: ReturnFeedback

    @classmethod
    def from_row(cls, row: ReceivedFeedback) -> FeedbackInfo:
        return cls(
            id=row.id,
            partnership_id=row.partnership_id,
            partnership=row.partnership.name,
            partnership_short=row.partnership.short_name,
            submission_id=row.submission_id,
            version=row.submission_version,
            period=row.period,
            agency=row.submission.agency.name,
            issued_at=row.issued_at,
            issued_by=row.issued_by,
            signer_fingerprint=row.signer_fingerprint,
            file_name=row.file_name,
            imported_at=row.imported_at,
            letter_sha256=row.letter_sha256,
            feedback=ReturnFeedback.from_json(row.feedback),
        )


@dataclass(frozen=True)
class FeedbackImport:
    #: "imported", or "unchanged" when this very file was taken before.
    outcome: str
    partnership: str
    agency: str
    period: str
    returns: tuple[FeedbackInfo, ...]
    message: str


def _normal(name: str) -> str:
    return " ".join(name.split()).casefold()


def _refuse(code: Code, reason: str) -> FeedbackRefusedError:
    return FeedbackRefusedError(code.value, reason)


def _check_here(check: FeedbackCheck) -> tuple[Partnership, Agency, list[Submission]]:
    """The workspace's checks (see the module doc); raises :class:`FeedbackRefusedError`."""
    document = check.document
    assert document is not None and check.signer_fingerprint is not None
    said = document.partnership
    row = Partnership.get_or_none((Partnership.id == said.id) & (Partnership.own == False))  # noqa: E712
    if row is None:
        raise _refuse(
            Code.OTHER_PARTNERSHIP,
            f"This feedback is from {shown(said.name)}, a partnership this workspace has not joined, so it cannot be "
            "checked or kept. If you are a member, join its pack first (File ▸ Join a partnership…).",
        )
    trusted = {row.signer_fingerprint, row.successor_fingerprint} - {None}
    if check.signer_fingerprint not in trusted:
        raise _refuse(
            Code.UNTRUSTED_SIGNER,
            f"This feedback claims to be from {shown(row.name)}, but it is not signed by the Business Unit key you "
            f"trusted when you joined ({format_fingerprint(row.signer_fingerprint or '')}). Do not rely on it; ask "
            "the partnership's Business Unit, by phone, whether it changed its key.",
        )
    agency = next((a for a in Agency.select() if _normal(a.name) == _normal(document.agency)), None)
    if agency is None:
        raise _refuse(
            Code.OTHER_AGENCY,
            f"This feedback is for {shown(document.agency)}, which is not an agency of this workspace. It was "
            f"probably sent to you by mistake: tell {shown(row.name)}'s Business Unit.",
        )
    subs = []
    for entry in document.returns:
        sub = Submission.get_or_none(
            (Submission.id == entry.submission_id)
            & (Submission.version == entry.version)
            & (Submission.agency == agency.id)
        )
        if sub is None:
            raise _refuse(
                Code.UNKNOWN_RETURN,
                f"This feedback is about a return of {shown(agency.name)} (version {entry.version} of "
                f"{shown(entry.form_title)} for {shown(document.period)}) that this workspace does not have. Open "
                "the feedback in the workspace the return was signed in.",
            )
        if sub.partnership_id is not None and sub.partnership_id != row.id:
            raise _refuse(
                Code.OTHER_PARTNERSHIP,
                f"This feedback from {shown(row.name)} is about a return you addressed to another partnership. Do "
                "not rely on it; tell the Business Unit that sent it.",
            )
        subs.append(sub)
    return row, agency, subs


@uses_workspace
def import_feedback(ws: Workspace, file: bytes | str | os.PathLike[str], *, name: str | None = None) -> FeedbackImport:
    """Check a feedback file and keep it; raises :class:`FeedbackRefusedError` (nothing stored) if refused."""
    from oscb_desktop.feedback import check_feedback  # brings pyHanko: not with the window

    check = check_feedback(file)
    if not check.ok:
        raise FeedbackRefusedError(check.code, check.reason)
    partnership, agency, subs = _check_here(check)
    document, manifest = check.document, check.manifest
    assert document is not None and manifest is not None and check.content_digest is not None
    file_name = name or (Path(file).name if not isinstance(file, bytes) else "feedback.oscbfeedback")
    held = ReceivedFeedback.select().where(ReceivedFeedback.content_digest == check.content_digest).exists()
    if not held:
        file_ref = ws.blobs.add_bytes(check.data, file_name)
        letter_ref = ws.blobs.add_bytes(check.letter_pdf, f"{Path(file_name).stem}.pdf")
        stamp = now_iso()
        with ws.db.atomic():
            for entry, sub in zip(document.returns, subs, strict=True):
                ReceivedFeedback.create(
                    partnership=partnership.id,
                    submission=sub.id,
                    submission_version=entry.version,
                    period=document.period,
                    issued_at=manifest.created_at,
                    issued_by=document.issued_by,
                    signer_fingerprint=check.signer_fingerprint,
                    content_digest=check.content_digest,
                    file_sha256=file_ref.sha256,
                    letter_sha256=letter_ref.sha256,
                    file_name=file_name,
                    feedback=entry.to_json(),
                    imported_at=stamp,
                    imported_by=ws.user,
                )
    rows = ReceivedFeedback.select().where(ReceivedFeedback.content_digest == check.content_digest)
    infos = tuple(FeedbackInfo.from_row(r) for r in rows.order_by(ReceivedFeedback.id))
    count = len(infos)
    returns = f"{count} return{'' if count == 1 else 's'}"
    message = (
        f"You already have this feedback of {partnership.name} on {returns} for {document.period}: nothing changed."
        if held
        else f"Received the feedback of {partnership.name} on {agency.name}'s {returns} for {document.period}."
    )
    return FeedbackImport(
        "unchanged" if held else "imported", partnership.name, agency.name, document.period, infos, message
    )


@uses_workspace
def list_feedback(ws: Workspace) -> list[FeedbackInfo]:
    """Everything received, newest first."""
    rows = ReceivedFeedback.select().order_by(ReceivedFeedback.issued_at.desc(), ReceivedFeedback.id.desc())
    return [FeedbackInfo.from_row(r) for r in rows]


@uses_workspace
def feedback_for(ws: Workspace, submission_id: str) -> FeedbackInfo | None:
    """The newest feedback received on a return (by when the Business Unit issued it)."""
    row = (
        ReceivedFeedback.select()
        .where(ReceivedFeedback.submission == submission_id)
        .order_by(ReceivedFeedback.issued_at.desc(), ReceivedFeedback.id.desc())
        .first()
    )
    return FeedbackInfo.from_row(row) if row is not None else None


@uses_workspace
def returns_with_feedback(ws: Workspace) -> set[str]:
    """The ids of the returns feedback was received on (for the home page's marker)."""
    return {r.submission_id for r in ReceivedFeedback.select(ReceivedFeedback.submission).distinct()}


@uses_workspace
def letter_pdf(ws: Workspace, info: FeedbackInfo) -> bytes:
    return ws.blobs.read(info.letter_sha256)


# Carry-forward ------------------------------------------------------------------------------------


def _action_tables(form: FormDefinition) -> dict[str, Item]:
    """Section id -> its action plan: the table with a text column, and a status column if it has one."""
    found: dict[str, Item] = {}
    for section in form.sections:
        for item in section.items:
            if item.type == "table" and any(c.type in ("long_text", "short_text") for c in item.columns):
                found.setdefault(section.id, item)
    return found


def _text_column(item: Item) -> str:
    return next(c.id for c in item.columns if c.type in ("long_text", "short_text"))


def _row(item: Item, text: str, due: str | None) -> dict[str, Any]:
    row: dict[str, Any] = {c.id: None for c in item.columns}
    row[_text_column(item)] = text
    date_column = next((c.id for c in item.columns if c.type == "date"), None)
    if date_column is not None:
        row[date_column] = due
    status = next((c for c in item.columns if c.id == "status"), None)
    if status is not None and any(o.id == "not_started" for o in status.options):
        row["status"] = "not_started"
    return row


def carry_required_actions(ws: Workspace, form: FormDefinition, previous_id: str, sub_id: str, stamp: str) -> None:
    """Put the actions the partnership required on ``previous_id`` into ``sub_id``'s action plans (of the same
    standard, else the first), marked as required by the partnership and as carried, once each. Runs inside
    the caller's transaction (start of a return with carry-forward)."""
    info = feedback_for(ws, previous_id)
    tables = _action_tables(form)
    if info is None or not tables or not info.feedback.required_actions:
        return
    first = next(iter(tables.values()))
    added: dict[str, list[dict[str, Any]]] = {}
    items = {item.id: item for item in tables.values()}
    for action in info.feedback.required_actions:
        section = action.target.split(".")[0] if action.target else ""
        item = tables.get(action.target) or tables.get(section) or first
        about = f" ({action.label})" if item is first and action.target not in tables and action.label else ""
        text = f"Required by the partnership ({info.partnership_short}, feedback on {info.period}){about}: "
        text += action.what
        due = action.due.isoformat() if action.due else None
        added.setdefault(item.id, []).append(_row(item, text, due))
    for item_id, rows in added.items():
        answer = Answer.get_or_none((Answer.submission == sub_id) & (Answer.item_id == item_id))
        old: Sequence[Mapping[str, Any]] = answer.value if answer is not None and answer.value else []
        column = _text_column(items[item_id])
        texts = {r.get(column) for r in old if isinstance(r, Mapping)}
        new = [r for r in rows if r[column] not in texts]
        if not new:
            continue
        value = [*old, *new]
        if answer is None:
            Answer.create(submission=sub_id, item_id=item_id, value=value, carried=True, updated_at=stamp)
        else:
            Answer.update(value=value, carried=True, updated_at=stamp).where(Answer.id == answer.id).execute()
        AuditEntry.create(
            submission=sub_id,
            item_id=item_id,
            old_value=list(old) or None,
            new_value=value,
            at=stamp,
            user=ws.user,
            action="carry-forward",
        )

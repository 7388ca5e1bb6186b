"""The answer history of one item, from the audit trail: who changed what and when, and restoring an earlier
version (itself an audited change: it can be undone by restoring the version it replaced).

The history of a reopened return includes the versions it supersedes, so an answer's story does not start
again at every reopening. A signed return cannot be changed, so nothing is restored into one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from oscb_desktop.forms.model import NOT_APPLICABLE, RATING_PARTS, Item
from oscb_desktop.forms.rules import is_blank
from oscb_desktop.services.returns import (
    ReturnError,
    ReturnLockedError,
    form_of,
    get_submission,
    load_answers,
    save_answers,
)
from oscb_desktop.services.values import ReturnInfo
from oscb_desktop.services.workspace import Workspace, uses_workspace
from oscb_desktop.store import AuditEntry, Submission
from oscb_desktop.store.models import dumps

RESTORE_ACTION = "restore"

#: What each audit action means to the person reading the history.
ACTIONS = {
    "edit": "Changed",
    "carry-forward": "Carried forward",
    "review": "Kept as it was",
    "restore": "Restored an earlier version",
    "reopen": "Reopened",
}

_PART_LABELS = {"evidence": "Evidence", "example": "Best-practice example", "reason": "Why it does not apply"}


@dataclass(frozen=True)
class AnswerVersion:
    """One change of an answer, as the audit trail holds it."""

    entry_id: int
    #: The version of the return the change was made in (a reopened return carries its older versions' history).
    return_version: int
    at: str
    user: str
    action: str
    #: The change in words ("Changed", "Carried forward" …).
    what: str
    value: Any
    #: The answer after the change, as text (several lines for a rating or a table).
    text: str
    #: This is the answer the item holds now.
    current: bool
    #: Restoring it would change the answer (it differs from the current one).
    restorable: bool


@dataclass(frozen=True)
class ItemHistory:
    submission_id: str
    item_id: str
    code: str
    label: str
    #: Newest first.
    versions: tuple[AnswerVersion, ...]
    #: Why nothing can be restored here (a signed return), or "".
    locked_reason: str


@dataclass(frozen=True)
class RestoreResult:
    value: Any
    #: The answer it replaced: restoring the version that held it undoes the restore.
    previous: Any
    percent: int
    #: The audit entry of the restore.
    entry_id: int


@uses_workspace
def item_history(ws: Workspace, submission_id: str, item_id: str) -> ItemHistory:
    """Every change of one item's answer in this return and the versions it supersedes, newest first."""
    sub = get_submission(ws, submission_id)
    form = form_of(ws, sub)
    if not form.has_item(item_id):
        raise ReturnError(f"The form {form.id} {form.version} has no item {item_id!r}.")
    item = form.item(item_id)
    current = load_answers(ws, sub.id).get(item_id)
    versions = _chain_versions(sub)
    rows = (
        AuditEntry.select()
        .where(AuditEntry.submission.in_(list(versions)) & (AuditEntry.item_id == item_id))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    )
    out: list[AnswerVersion] = []
    newest_seen = False
    for row in rows:
        is_current = not newest_seen and dumps(row.new_value) == dumps(current)
        newest_seen = True
        out.append(
            AnswerVersion(
                entry_id=row.id,
                return_version=versions[row.submission_id],
                at=row.at,
                user=row.user,
                action=row.action,
                what=ACTIONS.get(row.action, row.action.replace("-", " ").capitalize()),
                value=row.new_value,
                text=answer_text(item, row.new_value),
                current=is_current,
                restorable=dumps(row.new_value) != dumps(current),
            )
        )
    locked = ""
    if sub.locked:
        locked = _locked_message(sub)
    return ItemHistory(sub.id, item_id, form.item_code(item_id), item.label, tuple(out), locked)


def _locked_message(sub: ReturnInfo) -> str:
    return (
        f"Version {sub.version} of this return is signed and cannot be changed: reopen it as a new version to "
        "restore an earlier answer."
    )


def _chain_versions(sub: ReturnInfo) -> dict[str, int]:
    """Submission id -> return version, for this version and every version it supersedes."""
    chain: dict[str, int] = {sub.id: sub.version}
    node = sub.supersedes_id
    while node is not None and node not in chain:
        row = Submission.get_or_none(Submission.id == node)
        if row is None:
            break
        chain[row.id] = row.version
        node = row.supersedes_id
    return chain


@uses_workspace
def restore(ws: Workspace, submission_id: str, item_id: str, entry_id: int) -> RestoreResult:
    """Make the answer what it was after audit entry ``entry_id``: a change like any other, audited as a restore.

    Refused on a signed return (:class:`ReturnLockedError`), for an entry of another item or return, and when the
    answer already is that version.
    """
    with ws.db.atomic():
        sub = get_submission(ws, submission_id)
        if sub.locked:
            raise ReturnLockedError(_locked_message(sub))
        versions = _chain_versions(sub)
        entry = AuditEntry.get_or_none(AuditEntry.id == entry_id)
        if entry is None or entry.item_id != item_id or entry.submission_id not in versions:
            raise ReturnError("That version is not in the history of this answer.")
        previous = load_answers(ws, sub.id).get(item_id)
        if dumps(previous) == dumps(entry.new_value):
            raise ReturnError("The answer already is that version: there is nothing to restore.")
        percent = save_answers(ws, sub.id, {item_id: entry.new_value}, action=RESTORE_ACTION)
        made = (
            AuditEntry.select(AuditEntry.id)
            .where((AuditEntry.submission == sub.id) & (AuditEntry.item_id == item_id))
            .order_by(AuditEntry.id.desc())
            .scalar()
        )
        return RestoreResult(value=entry.new_value, previous=previous, percent=percent, entry_id=int(made))


__all__ = [
    "ACTIONS",
    "AnswerVersion",
    "ItemHistory",
    "RestoreResult",
    "ReturnError",
    "ReturnLockedError",
    "answer_text",
    "item_history",
    "restore",
]


# Answers as text --------------------------------------------------------------------------------------------


def answer_text(item: Item, value: Any) -> str:
    """An answer as a person reads it, in plain text: "Green (75%)" and its evidence, a table's rows, file names.

    Nothing is "Not answered"; a value of the wrong shape is shown as it is stored rather than hidden.
    """
    if is_blank(value):
        return "Not answered"
    try:
        return _text(item, value)
    except (AttributeError, KeyError, TypeError, ValueError):
        return dumps(value)


def _text(item: Item, value: Any) -> str:
    kind = item.type
    if kind == "rating":
        level_id = value.get("level") or ""
        level = item.scale.level(level_id) if item.scale is not None and level_id else None
        lines = [level.display if level is not None else ("Not rated" if not level_id else f"“{level_id}”")]
        if level_id == NOT_APPLICABLE and level is None:
            lines[0] = "Not applicable"
        for part in RATING_PARTS:
            text = str(value.get(part) or "").strip()
            if text:
                lines.append(f"{_PART_LABELS[part]}: {text}")
        return "\n".join(lines)
    if kind == "choice":
        return item.option_label(str(value))
    if kind == "multi_choice":
        return "; ".join(item.option_label(str(v)) for v in value)
    if kind == "ranked":
        return "\n".join(
            f"{n}. {item.option_label(r.get('category') or '') or '(no category)'}"
            + (f" — {str(r.get('text') or '').strip()}" if str(r.get("text") or "").strip() else "")
            for n, r in enumerate(value, start=1)
        )
    if kind == "yes_no":
        return "Yes" if value else "No"
    if kind == "number":
        return f"{value:,}{' ' + item.unit if item.unit else ''}"
    if kind == "table":
        rows = []
        for n, row in enumerate(value, start=1):
            cells = []
            for col in item.columns:
                cell = row.get(col.id)
                if is_blank(cell):
                    continue
                shown = next((o.label for o in col.options if o.id == cell), cell) if col.options else cell
                cells.append(f"{col.label}: {shown}")
            rows.append(f"{n}. " + "; ".join(cells) if cells else f"{n}. (empty row)")
        return "\n".join(rows)
    if kind == "attachments":
        return "\n".join(str(f.get("name", "?")) for f in value)
    return str(value)

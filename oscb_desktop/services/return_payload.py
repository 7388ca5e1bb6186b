"""What a return carries when it travels, read from the store: its ``submission.json`` (the answers, the
partnership it is addressed to, the practitioners' survey counts) and the history of its answers."""

from __future__ import annotations

from oscb_desktop.bundle import Agency as BundleAgency
from oscb_desktop.bundle import AuditRecord, FormRef, SubmissionPayload, SubmissionRef
from oscb_desktop.services import partnerships, survey
from oscb_desktop.services.returns import load_answers
from oscb_desktop.services.values import ReturnInfo
from oscb_desktop.services.workspace import Workspace, uses_workspace
from oscb_desktop.store import AuditEntry, Submission


@uses_workspace
def payload(ws: Workspace, sub: ReturnInfo) -> SubmissionPayload:
    """``submission.json`` of a return."""
    return SubmissionPayload(
        submission=SubmissionRef(id=sub.id, version=sub.version, supersedes=sub.supersedes_id),
        form=FormRef(id=sub.form_id, version=sub.form_version),
        period=sub.period,
        agency=BundleAgency(name=sub.agency.name, sector=sub.agency.sector or ""),
        answers=load_answers(ws, sub.id),
        partnership=partnerships.addressed_to(ws, sub),
        survey=survey.carried(ws, sub),
    )


@uses_workspace
def audit_records(ws: Workspace, sub: ReturnInfo) -> list[AuditRecord]:
    """The answer history of this version and the versions it supersedes, oldest first."""
    chain: list[str] = []
    node: str | None = sub.id
    while node is not None and node not in chain:
        chain.append(node)
        node = Submission.select(Submission.supersedes).where(Submission.id == node).scalar()
    rows = AuditEntry.select().where(AuditEntry.submission.in_(chain)).order_by(AuditEntry.at, AuditEntry.id)
    return [
        AuditRecord(
            item_id=r.item_id, old_value=r.old_value, new_value=r.new_value, at=r.at, user=r.user, action=r.action
        )
        for r in rows
    ]

"""Sign-off, reopening, the submission PDF of a stored return, and export as a signed ``.oscb`` bundle.

Sign-off renders the final PDF, signs it with the agency's key and stores it in the workspace before the
return is locked in one transaction; from then on that PDF is what prints and what travels in the bundle
("the PDF that is printed is the PDF that was signed"). Export re-reads it, checks it is intact, and builds
the bundle with a manifest signed by the same key.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oscb_desktop.bundle import (
    JsonError,
    Signatory,
    SubmissionPayload,
    parse_json,
)
from oscb_desktop.forms import FormDefinition, Problem
from oscb_desktop.forms import files as evidence_files
from oscb_desktop.forms.model import NOT_APPLICABLE
from oscb_desktop.fsutil import atomic_write, safe_stem
from oscb_desktop.services import backups, identities, partnerships, survey
from oscb_desktop.services.return_payload import audit_records, payload
from oscb_desktop.services.returns import (
    ReturnError,
    ReturnLockedError,
    form_of,
    get_submission,
    load_answers,
    problems,
)
from oscb_desktop.services.values import ReturnInfo, ReturnStatus
from oscb_desktop.services.workspace import Workspace, now_iso, uses_workspace
from oscb_desktop.signing import UnlockedKey, envelope, format_fingerprint
from oscb_desktop.signing.envelope import ENVELOPE_SUFFIX
from oscb_desktop.store import Answer, AuditEntry, Submission
from oscb_desktop.store.models import dumps

if TYPE_CHECKING:  # the PDF modules load when a return is first rendered, not with the window (oscb_desktop.lazy)
    from oscb_desktop.report import ReturnDocument

#: Longest signatory name or role (the certificate fields allow 64; the PDF and manifest are fine with more).
MAX_SIGNATORY_CHARS = 120

Progress = Callable[[str], None]


class SignOffBlockedError(ReturnError):
    """The return is not complete or breaks a rule; ``problems`` lists what blocks it, in form order."""

    def __init__(self, blockers: Sequence[Problem]) -> None:
        self.problems = list(blockers)
        n = len(self.problems)
        super().__init__(
            f"This return cannot be signed off yet: {n} {'thing needs' if n == 1 else 'things need'} "
            "attention first (see the list of what is still to do)."
        )


class NoIdentityError(ReturnError):
    pass


# Review summary ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionRatings:
    title: str
    #: (level label, count) in scale order, levels with no statements left out.
    counts: tuple[tuple[str, int], ...]
    #: Mean percentage of the rated statements (N/A left out), or None if none is rated.
    mean_percent: int | None


@dataclass(frozen=True)
class ReviewSummary:
    """What the signatory reviews before signing: ratings per standard, actions, evidence."""

    agency_name: str
    form_title: str
    period: str
    version: int
    sections: tuple[SectionRatings, ...]
    actions: int
    open_actions: int
    attachments: int
    percent_complete: int


@uses_workspace
def review_summary(ws: Workspace, submission_id: str) -> ReviewSummary:
    sub = get_submission(ws, submission_id)
    form = form_of(ws, sub)
    answers = load_answers(ws, sub.id)
    sections = []
    actions = open_actions = files = 0
    for section in form.sections:
        counts: dict[str, int] = {}
        percents: list[int] = []
        labels: dict[str, str] = {}
        order: list[str] = []
        for item in section.items:
            value = answers.get(item.id)
            if item.type == "rating" and item.scale is not None:
                for level in (*item.scale.levels, *([item.scale.not_applicable] if item.scale.not_applicable else [])):
                    if level.id not in labels:
                        labels[level.id] = level.label
                        order.append(level.id)
                level_id = value.get("level") if isinstance(value, dict) else None
                chosen = item.scale.level(str(level_id)) if level_id else None
                if chosen is not None:
                    counts[chosen.id] = counts.get(chosen.id, 0) + 1
                    if chosen.id != NOT_APPLICABLE and chosen.percentage is not None:
                        percents.append(chosen.percentage)
            elif item.type == "table" and any(c.id == "status" for c in item.columns):
                rows = [r for r in value or [] if isinstance(r, dict)]
                actions += len(rows)
                open_actions += sum(1 for r in rows if r.get("status") != "complete")
            files += len(evidence_files.files_of(item, value))  # a rating's files and an attachments item's
        if order:
            sections.append(
                SectionRatings(
                    title=form.section_label(section),
                    counts=tuple((labels[i], counts[i]) for i in order if counts.get(i)),
                    mean_percent=round(sum(percents) / len(percents)) if percents else None,
                )
            )
    return ReviewSummary(
        agency_name=sub.agency.name,
        form_title=form.title,
        period=sub.period,
        version=sub.version,
        sections=tuple(sections),
        actions=actions,
        open_actions=open_actions,
        attachments=files,
        percent_complete=sub.percent_complete,
    )


# The PDF -----------------------------------------------------------------------------------------


@uses_workspace
def document(ws: Workspace, sub: ReturnInfo, **overrides: Any) -> ReturnDocument:
    """The return as the PDF shows it, from the store (``overrides`` for the values sign-off is about to set)."""
    from oscb_desktop.report import ReturnDocument

    fingerprint = sub.signer_fingerprint
    profile = partnerships.profile_for(ws, sub.partnership_id)
    values: dict[str, Any] = {
        "form": form_of(ws, sub),
        "answers": load_answers(ws, sub.id),
        "agency_name": sub.agency.name,
        "agency_sector": profile.sector_label(sub.agency.sector) if sub.agency.sector else "",
        "period": sub.period,
        "version": sub.version,
        "submission_id": sub.id,
        "status": sub.status,
        "signatory_name": sub.signatory_name,
        "signatory_role": sub.signatory_role,
        "signed_at": sub.signed_at,
        "certificate_fingerprint": format_fingerprint(fingerprint) if fingerprint else None,
        "generated_at": now_iso(),
        "partnership": profile.name,
        "survey": survey.view(ws, sub),
    }
    values.update(overrides)
    return ReturnDocument(**values)


def carried_submission(pdf: bytes) -> SubmissionPayload | None:
    """The ``submission.json`` a signed PDF carries (None for a PDF signed before PDFs carried it)."""
    from oscb_desktop.bundle.carried import carried_bytes

    data = carried_bytes(pdf)
    return None if data is None else SubmissionPayload.from_json(parse_json(data))


@uses_workspace
def signed_pdf(ws: Workspace, sub: ReturnInfo) -> bytes:
    """The PDF stored at sign-off, checked against its recorded SHA-256."""
    if not sub.signed_pdf_sha256:
        raise ReturnError("This return has no signed PDF; it has not been signed off in this app.")
    try:
        data = ws.blobs.read(sub.signed_pdf_sha256)
    except OSError as exc:
        raise ReturnError(
            f"The signed PDF of this return is missing from the workspace ({exc.strerror}). Restore the "
            f"workspace folder {ws.folder} from a backup."
        ) from exc
    if hashlib.sha256(data).hexdigest() != sub.signed_pdf_sha256:
        raise ReturnError(
            f"The signed PDF of this return in {ws.folder} has been damaged or changed since it was signed. "
            "Restore the workspace folder from a backup."
        )
    return data


@uses_workspace
def pdf_for_print(ws: Workspace, submission_id: str) -> bytes:
    """What to print or save: the signed PDF of a signed return, else a draft preview marked DRAFT."""
    from oscb_desktop.report import render_submission_pdf

    sub = get_submission(ws, submission_id)
    if sub.signed_pdf_sha256:
        return signed_pdf(ws, sub)
    return render_submission_pdf(document(ws, sub), draft=True).data


def file_stem(sub: ReturnInfo) -> str:
    """A file name (no extension) that says whose return this is: ``Agency-name_section11_2026-27_v1``."""
    agency = safe_stem(sub.agency.name) or "agency"
    period = sub.period.replace("/", "-")
    return f"{agency}_{sub.form_id}_{period}_v{sub.version}"


# Sign-off ----------------------------------------------------------------------------------------


def _clean_signatory(value: str, what: str) -> str:
    cleaned = " ".join((value or "").split())
    if not cleaned:
        raise ReturnError(f"Enter the signatory's {what}.")
    if len(cleaned) > MAX_SIGNATORY_CHARS:
        raise ReturnError(f"The signatory's {what} is too long; use at most {MAX_SIGNATORY_CHARS} characters.")
    return cleaned


@uses_workspace
def sign_off(
    ws: Workspace,
    submission_id: str,
    *,
    signatory_name: str,
    signatory_role: str,
    passphrase: str | None = None,
    key: UnlockedKey | None = None,
    progress: Progress | None = None,
) -> ReturnInfo:
    """Sign a complete return off and lock it; returns the signed return.

    Raises :class:`SignOffBlockedError` (what to fix), :class:`ReturnLockedError` (already signed),
    :class:`NoIdentityError`, or :class:`~oscb_desktop.signing.WrongPassphraseError` — in every case the
    return stays exactly as it was.
    """
    from oscb_desktop.bundle.carried import submission_attachment
    from oscb_desktop.report import render_submission_pdf
    from oscb_desktop.signing.pdf import sign_pdf

    say = progress or (lambda _text: None)
    sub = get_submission(ws, submission_id)
    if sub.locked:
        raise ReturnLockedError(f"This return (version {sub.version}) is already signed.")
    blockers = problems(ws, sub.id)
    if blockers:
        raise SignOffBlockedError(blockers)
    name = _clean_signatory(signatory_name, "name")
    role = _clean_signatory(signatory_role, "role")
    row = identities.current(ws, sub.agency_id)
    if row is None:
        raise NoIdentityError(
            f"{sub.agency.name} has no signing identity yet. Create one, or import your organisation's "
            "certificate, under Return ▸ Signing identity…"
        )
    if key is None:
        say("Unlocking the signing key…")
        key = identities.unlock_and_upgrade(ws, row, passphrase or "")
    elif key.fingerprint_sha256 != row.fingerprint:
        raise ReturnError("That key is not this agency's current signing identity.")

    stamp = now_iso()
    answers_before = dumps(load_answers(ws, sub.id))
    say("Rendering the return as a PDF…")
    doc = document(
        ws,
        sub,
        status=ReturnStatus.SIGNED,
        signatory_name=name,
        signatory_role=role,
        signed_at=stamp,
        certificate_fingerprint=format_fingerprint(row.fingerprint),
        generated_at=stamp,
    )
    rendered = render_submission_pdf(doc, draft=False)
    say("Signing the PDF…")
    form = form_of(ws, sub)
    signed = sign_pdf(
        rendered.data,
        key,
        reason=f"Sign-off of the {form.short_title} return for {sub.period}, version {sub.version}",
        location=sub.agency.name,
        box=rendered.signature_box,
        page=rendered.signature_page,
        # The answers the PDF shows, as the exact bytes of the bundle's submission.json: signed with it.
        embed=[submission_attachment(data := payload(ws, sub))],
    )
    say("Saving…")
    backups.before(ws, "sign-off")
    ref = ws.blobs.add_bytes(signed, f"{file_stem(sub)}.pdf")
    with ws.db.atomic():
        current = Submission.get_by_id(sub.id)
        if current.locked:
            raise ReturnLockedError(f"This return (version {current.version}) was signed meanwhile.")
        if dumps(load_answers(ws, sub.id)) != answers_before:
            raise ReturnError("The return changed while it was being signed. Check it and sign it off again.")
        survey.freeze(ws, sub.id, data)  # the survey counts signed with it, for every later export
        AuditEntry.create(
            submission=sub.id,
            item_id="",
            old_value=None,
            new_value={"signatory": name, "role": role, "certificate": row.fingerprint, "pdf_sha256": ref.sha256},
            at=stamp,
            user=ws.user,
            action="sign",
        )
        Submission.update(
            status=ReturnStatus.SIGNED,
            signed_at=stamp,
            signatory_name=name,
            signatory_role=role,
            signed_pdf_sha256=ref.sha256,
            signer_fingerprint=row.fingerprint,
            updated_at=stamp,
        ).where(Submission.id == sub.id).execute()
    return get_submission(ws, sub.id)


@uses_workspace
def reopen(ws: Workspace, submission_id: str) -> ReturnInfo:
    """Make a new draft version of a signed return, starting from its answers; the signed one is superseded."""
    with ws.db.atomic():
        sub = get_submission(ws, submission_id)
        if sub.status == ReturnStatus.SUPERSEDED:
            newer = Submission.get_or_none(Submission.supersedes == sub.id)
            detail = f" as version {newer.version}" if newer is not None else ""
            raise ReturnError(f"Version {sub.version} of this return has already been reopened{detail}.")
        if sub.status != ReturnStatus.SIGNED:
            raise ReturnError("Only a signed return can be reopened; this one can still be changed as it is.")
        stamp, user = now_iso(), ws.user
        new = Submission.create(
            id=str(uuid.uuid4()),
            agency=sub.agency_id,
            form_id=sub.form_id,
            form_version=sub.form_version,
            period=sub.period,
            version=sub.version + 1,
            supersedes=sub.id,
            status=ReturnStatus.DRAFT,
            carried_from=sub.carried_from_id,
            created_at=stamp,
            updated_at=stamp,
            percent_complete=sub.percent_complete,
            partnership=sub.partnership_id,
        )
        for ans in Answer.select().where(Answer.submission == sub.id):
            Answer.create(submission=new.id, item_id=ans.item_id, value=ans.value, carried=False, updated_at=stamp)
            AuditEntry.create(
                submission=new.id,
                item_id=ans.item_id,
                old_value=None,
                new_value=ans.value,
                at=stamp,
                user=user,
                action="reopen",
            )
        Submission.update(status=ReturnStatus.SUPERSEDED).where(Submission.id == sub.id).execute()
        return get_submission(ws, new.id)


# Export ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportResult:
    path: Path
    size: int
    #: SHA-256 of the bundle's manifest.json, as the verifier reports it.
    content_digest: str
    #: Encrypted for the partnership's Business Unit (``path`` ends in ``.oscb.p7m``).
    encrypted: bool = False
    #: The plain bundle the agency keeps of what it sent encrypted.
    kept_copy: Path | None = None


#: The workspace's folder of plain copies of the bundles sent encrypted.
SENT_FOLDER = "sent"


@uses_workspace
def export(
    ws: Workspace,
    submission_id: str,
    path: str | Path,
    *,
    passphrase: str | None = None,
    key: UnlockedKey | None = None,
    progress: Progress | None = None,
    encrypt: bool = True,
) -> ExportResult:
    """Write a signed return as a ``.oscb`` bundle at ``path`` (crash-safe; nothing is written on failure).

    When the return's partnership has a Business Unit certificate (from its pack), the bundle is encrypted for
    it (``path`` + ``.p7m``, :mod:`oscb_desktop.signing.envelope`) and the plain bundle kept in the workspace's
    ``sent/`` folder; ``encrypt=False`` writes it plain anyway.

    The manifest is signed with the key that signed the return, unlocked with ``passphrase`` unless an
    already unlocked ``key`` is given (straight after sign-off). Raises :class:`ReturnError`,
    :class:`~oscb_desktop.bundle.BundleError`, :class:`~oscb_desktop.signing.WrongPassphraseError` or
    :class:`~oscb_desktop.fsutil.WriteError`, each with a message for the user.
    """
    from oscb_desktop.bundle.writer import bundle_and_digest
    from oscb_desktop.signing.pdf_data import EmbeddedDataError

    say = progress or (lambda _text: None)
    sub = get_submission(ws, submission_id)
    if not sub.locked:
        raise ReturnError("Only a signed return can be exported. Sign it off first.")
    pdf = signed_pdf(ws, sub)
    row = identities.for_fingerprint(ws, sub.agency_id, sub.signer_fingerprint or "")
    if row is None:
        raise NoIdentityError(
            "The signing identity that signed this return is no longer in this workspace, so the bundle "
            "cannot be signed. Reopen the return and sign it off again with the current identity."
        )
    if key is None:
        say("Unlocking the signing key…")
        key = identities.unlock_and_upgrade(ws, row, passphrase or "")
    elif key.fingerprint_sha256 != row.fingerprint:
        raise ReturnError("That key did not sign this return.")
    form: FormDefinition = form_of(ws, sub)
    say("Building the bundle…")
    target = Path(path)
    try:
        # What was signed is what travels: the answers the signed PDF carries, not a new reading of the store.
        submission = carried_submission(pdf) or payload(ws, sub)
    except (EmbeddedDataError, JsonError) as exc:
        raise ReturnError(
            f"The signed PDF of this return cannot be used: {exc}. Reopen it and sign it again."
        ) from None
    data, digest = bundle_and_digest(
        submission=submission,
        audit=audit_records(ws, sub),
        signed_pdf=pdf,
        key=key,
        form_title=form.title,
        signatory=Signatory(name=sub.signatory_name or "", role=sub.signatory_role or ""),
        signed_at=sub.signed_at,
        read_blob=ws.blobs.read,
    )
    recipients = partnerships.encryption_certificates(ws, sub.partnership_id) if encrypt else []
    if not recipients:
        atomic_write(target, data)
        return ExportResult(path=target, size=len(data), content_digest=digest)
    # Only the Business Unit can read what travels; the agency keeps the plain bundle it sent in its workspace.
    say("Encrypting the bundle for the Business Unit…")
    sealed = envelope.encrypt(data, recipients)
    target = encrypted_path(target)
    kept = sent_copy_path(ws, sub)
    atomic_write(kept, data)
    atomic_write(target, sealed)
    return ExportResult(path=target, size=len(sealed), content_digest=digest, encrypted=True, kept_copy=kept)


def encrypted_path(path: Path) -> Path:
    """``return.oscb`` -> ``return.oscb.p7m``: the name an encrypted bundle travels under."""
    return path if path.name.lower().endswith(ENVELOPE_SUFFIX) else path.with_name(path.name + ENVELOPE_SUFFIX)


def sent_copy_path(ws: Workspace, sub: ReturnInfo) -> Path:
    """Where the agency keeps the plain bundle of a return it sent encrypted (its own copy, in the workspace)."""
    return ws.folder / SENT_FOLDER / f"{file_stem(sub)}.oscb"

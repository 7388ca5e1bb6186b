"""A signed submission PDF on its own, as a return: someone forwarded the PDF but not the bundle.

Since bundle format version 2 the signed PDF carries the return's ``submission.json`` (:mod:`.carried`), so the
PDF alone is a complete, signed return: its one signature is the only signature, made by the agency's key,
covering the answers. :func:`verify_return_pdf` checks it with the bundle's own checks, in this order:

1. the file is at most the size a bundle's ``submission.pdf`` may be, and is a PDF;
2. it carries exactly one signature, intact, valid, covering the whole file (``bad_pdf_signature``,
   ``pdf_modified_after_signing``);
3. it carries ``submission.json`` (``not_a_return_pdf`` if not: a PDF signed before PDFs carried the answers,
   or not an OSCB return at all);
4. the signer is trusted for the agency ``submission.json`` names (skipped with ``trusted=None``);
5. ``submission.json`` is right (strict JSON, its schema, an installed form, answers to its items).

What a PDF cannot bring — the evidence files and the answer history — is said: the result lists the evidence
files the answers name as not received. The typed result looks like a bundle's, with a manifest made from what
the PDF proves (agency, form, period, ids from the signed answers; the signatory named by the certificate; the
signing time the signature states), so the importer treats both alike and the bundle, when it arrives,
completes the return (same submission id, version and answers).
"""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID

from oscb_desktop.bundle import limits
from oscb_desktop.bundle.carried import carried_bytes
from oscb_desktop.bundle.codes import Code, Rejection, shown
from oscb_desktop.bundle.model import FORMAT_VERSION, Manifest, Signatory, attachment_refs
from oscb_desktop.bundle.safezip import FileTooLargeError, read_bounded
from oscb_desktop.bundle.trust import TrustPolicy, decide
from oscb_desktop.bundle.verify import VerifyResult, check_pdf, check_submission, check_trust
from oscb_desktop.forms import FormRegistry
from oscb_desktop.signing import EmbeddedDataError, format_fingerprint, verify_pdf

#: What the importer reads from a PDF-only result through ``read_member``.
PDF_MEMBER, JSON_MEMBER = "submission.pdf", "submission.json"
#: Sent alone, the PDF is the whole return: say what to ask for instead when it cannot be used.
_ASK_FOR_BUNDLE = "Ask the agency for the .oscb bundle of the return."


def is_pdf(data: bytes) -> bool:
    """Does it look like a PDF (the header may follow a little junk, as readers allow)?"""
    return b"%PDF-" in data[:1024]


def verify_return_pdf(
    data_or_path: bytes | str | os.PathLike[str], *, forms: FormRegistry, trusted: TrustPolicy | None
) -> VerifyResult:
    """Check a signed submission PDF given alone (see the module doc); never raises for a bad file."""
    state: dict[str, Any] = {"source": "pdf"}
    try:
        return _verify(data_or_path, forms, trusted, state)
    except Rejection as rejection:
        return VerifyResult.refused(rejection, **state)


def _verify(
    data_or_path: bytes | str | os.PathLike[str],
    forms: FormRegistry,
    trusted: TrustPolicy | None,
    state: dict[str, Any],
) -> VerifyResult:
    pdf = _read(data_or_path)
    if not is_pdf(pdf):
        raise Rejection(Code.NOT_A_RETURN_PDF, f"This file is not a PDF. {_ASK_FOR_BUNDLE}", PDF_MEMBER)

    report = verify_pdf(pdf)
    if report.certificate is None:
        raise Rejection(
            Code.BAD_PDF_SIGNATURE, f"The PDF cannot be trusted as a return: {report.problem}. {_ASK_FOR_BUNDLE}"
        )
    fingerprint = report.certificate.fingerprint(hashes.SHA256()).hex()
    check_pdf(report, fingerprint)

    try:
        carried = carried_bytes(pdf)
    except EmbeddedDataError as exc:
        raise Rejection(
            Code.PDF_DATA_MISMATCH, f"The answers in this PDF cannot be read: {exc}. {_ASK_FOR_BUNDLE}", PDF_MEMBER
        ) from None
    if carried is None:
        raise Rejection(
            Code.NOT_A_RETURN_PDF,
            "This PDF does not carry the answers of a return (it was signed before OSCB Desktop put them in the "
            f"PDF, or it is not a return signed in OSCB Desktop), so it cannot be imported on its own. "
            f"{_ASK_FOR_BUNDLE}",
            PDF_MEMBER,
        )
    submission = check_submission(carried, None, forms, None)
    state["submission_id"] = submission.submission.id
    state["submission_version"] = submission.submission.version
    state["content_digest"] = hashlib.sha256(carried).hexdigest()
    state["signer_fingerprint"] = fingerprint
    state["signer_pem"] = report.certificate.public_bytes(serialization.Encoding.PEM)
    state["pdf_carries_data"] = True

    subject = report.certificate.subject
    signed_at = report.signed_at
    manifest = Manifest(
        agency=submission.agency,
        form=submission.form,
        form_title=forms.get(submission.form.id, submission.form.version).title,
        period=submission.period,
        submission=submission.submission,
        signatory=Signatory(name=_attribute(subject, NameOID.COMMON_NAME), role=_attribute(subject, NameOID.TITLE)),
        signed_at=_iso(signed_at) if signed_at is not None else "",
        created_at=_iso(signed_at) if signed_at is not None else "",
        app_version="",
        members=(),
        format_version=FORMAT_VERSION,
    )
    state["manifest"] = manifest

    if trusted is not None:
        decision = decide(trusted, fingerprint, manifest.agency.name)
        state["trust"] = decision
        check_trust(decision, fingerprint, manifest.agency.name)

    missing = tuple(ref.name for ref in attachment_refs(submission.answers))
    reason = (
        f"The signed PDF of the {manifest.form_title} return of {manifest.agency.name} for {manifest.period} "
        f"(version {manifest.submission.version}) is intact and was signed by {describe(manifest.signatory)}. It "
        "was sent without its bundle, so its answer history "
        + (f"and its {len(missing)} evidence file{'s' if len(missing) != 1 else ''} were" if missing else "was")
        + " not received; the bundle, when it comes, completes it."
    )
    if trusted is None:
        reason += (
            " Whether its certificate belongs to the agency was not checked: confirm the fingerprint "
            f"{format_fingerprint(fingerprint)} with {manifest.agency.name} before relying on it."
        )
    return VerifyResult(
        ok=True,
        code=Code.OK.value,
        reason=reason,
        submission=submission,
        audit=[],
        not_received=missing,
        loose={PDF_MEMBER: pdf, JSON_MEMBER: carried},
        **state,
    )


def describe(signatory: Signatory) -> str:
    return ", ".join(part for part in (signatory.name, signatory.role) if part) or "an unnamed signatory"


def _read(data_or_path: bytes | str | os.PathLike[str]) -> bytes:
    limit = limits.member_limit(PDF_MEMBER)
    if isinstance(data_or_path, bytes):
        if len(data_or_path) > limit:
            raise Rejection(Code.TOO_LARGE, f"The PDF is over {limits.megabytes(limit)}. {_ASK_FOR_BUNDLE}")
        return data_or_path
    path = Path(data_or_path)
    try:
        return read_bounded(path, limit)
    except FileTooLargeError:
        raise Rejection(
            Code.TOO_LARGE, f"{shown(path.name)} is over {limits.megabytes(limit)}. {_ASK_FOR_BUNDLE}"
        ) from None
    except OSError as exc:
        raise Rejection(Code.UNREADABLE, f"{shown(path.name)} cannot be read ({exc.strerror or exc}).") from None


def _attribute(subject: x509.Name, oid: x509.ObjectIdentifier) -> str:
    values = subject.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def _iso(moment: datetime) -> str:
    """As the bundle's manifest writes times: ISO 8601 UTC with milliseconds and ``Z``."""
    value = moment.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"

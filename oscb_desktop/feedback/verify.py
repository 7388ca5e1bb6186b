"""Check a feedback file before anything in it is believed (docs/feedback-format.md).

The checks of every signed file come first (:func:`oscb_desktop.bundle.signed_zip.open_signed`: a safe zip, the
members exactly those listed, every hash, the manifest signature by the certificate in ``signer.pem``), then the
feedback's own: ``letter.pdf`` carries one signature, intact, covering the whole file, by the certificate that
signed the manifest; ``feedback.json`` matches its schema, names each return once, and names the partnership,
agency and period the manifest names.

Whether to believe the signer — the Business Unit key of a partnership the agency joined, or its successor — and
whether the agency and its returns are this workspace's needs the workspace: :mod:`oscb_desktop.services
.feedback_received` decides that from the result.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import hashes

from oscb_desktop.bundle.codes import Code, Rejection
from oscb_desktop.bundle.model import JsonError, parse_json, schema_problem
from oscb_desktop.bundle.safezip import read_zip
from oscb_desktop.bundle.signed_zip import SIGNER, open_signed
from oscb_desktop.feedback.model import (
    FEEDBACK_MEMBER,
    FEEDBACK_RULES,
    FORMAT_VERSION,
    LETTER_MEMBER,
    MANIFEST_POINTER,
    SCHEMA,
    FeedbackDocument,
    FeedbackManifest,
)
from oscb_desktop.signing import verify_pdf

_RESEND = FEEDBACK_RULES.resend


@dataclass(frozen=True)
class FeedbackCheck:
    """The verdict on one feedback file; fields are filled as far as the checks got (rely on an ``ok`` one's)."""

    ok: bool
    code: str
    reason: str
    member: str | None = None
    manifest: FeedbackManifest | None = None
    document: FeedbackDocument | None = None
    signer_fingerprint: str | None = None
    #: SHA-256 of ``manifest.json``, which pins every other member: the same file gives the same digest.
    content_digest: str | None = None
    letter_pdf: bytes = field(default=b"", repr=False, compare=False)
    #: The file's own bytes, kept by the agency that accepts it.
    data: bytes = field(default=b"", repr=False, compare=False)


def check_feedback(data_or_path: bytes | str | os.PathLike[str]) -> FeedbackCheck:
    """Check a feedback file given as bytes or a path; never raises for a bad file."""
    state: dict[str, Any] = {}
    try:
        return _check(data_or_path, state)
    except Rejection as rejection:
        return FeedbackCheck(
            ok=False, code=rejection.code.value, reason=rejection.reason, member=rejection.member, **state
        )


def _check(data_or_path: bytes | str | os.PathLike[str], state: dict[str, Any]) -> FeedbackCheck:
    raw = read_zip(data_or_path, FEEDBACK_RULES)

    def claimed(manifest: FeedbackManifest, _bytes: bytes) -> None:
        state["manifest"] = manifest

    signed = open_signed(
        raw, FEEDBACK_RULES, _load_manifest, keep={FEEDBACK_MEMBER, LETTER_MEMBER}, on_manifest=claimed
    )
    manifest: FeedbackManifest = signed.manifest
    state["signer_fingerprint"] = signed.fingerprint
    letter = signed.data(LETTER_MEMBER)
    _check_letter(letter, signed.fingerprint)
    document = _load_document(signed.data(FEEDBACK_MEMBER), manifest)
    state["document"] = document
    returns = len(document.returns)
    reason = (
        f"The feedback of {document.partnership.name} to {document.agency} on {returns} return"
        f"{'' if returns == 1 else 's'} for {document.period} is intact."
    )
    return FeedbackCheck(
        ok=True,
        code=Code.OK.value,
        reason=reason,
        content_digest=hashlib.sha256(signed.manifest_bytes).hexdigest(),
        letter_pdf=letter,
        data=raw,
        **state,
    )


def _load_manifest(manifest_bytes: bytes) -> FeedbackManifest:
    try:
        data = parse_json(manifest_bytes)
    except JsonError as exc:
        raise Rejection(Code.BAD_MANIFEST, f"manifest.json cannot be read: {exc}. {_RESEND}", "manifest.json") from None
    problem = schema_problem(data, SCHEMA, MANIFEST_POINTER)
    if problem:
        newer = isinstance(data, dict) and isinstance(data.get("format_version"), int)
        newer = newer and data["format_version"] > FORMAT_VERSION
        hint = "It was made by a newer version of OSCB Desktop: update this one. " if newer else ""
        raise Rejection(
            Code.BAD_MANIFEST,
            f"This is not an OSCB feedback file this program can read ({problem}). {hint}{_RESEND}",
            "manifest.json",
        )
    manifest = FeedbackManifest.from_json(data)
    paths = [m.path for m in manifest.members]
    if len(set(paths)) != len(paths) or SIGNER not in paths:
        raise Rejection(
            Code.BAD_MANIFEST, f"manifest.json must list signer.pem, feedback.json and letter.pdf once each. {_RESEND}",
            "manifest.json",
        )  # fmt: skip
    return manifest


def _check_letter(letter: bytes, fingerprint: str) -> None:
    report = verify_pdf(letter)
    if report.certificate is None or not (report.intact and report.valid):
        raise Rejection(
            Code.BAD_PDF_SIGNATURE,
            f"The feedback letter's signature is not valid ({report.problem}). Do not rely on it. {_RESEND}",
            LETTER_MEMBER,
        )
    if report.certificate.fingerprint(hashes.SHA256()).hex() != fingerprint:
        raise Rejection(
            Code.PDF_SIGNER_MISMATCH,
            f"The feedback letter was signed with another certificate than the feedback file. {_RESEND}",
            LETTER_MEMBER,
        )
    if not report.covers_whole_file:
        raise Rejection(
            Code.PDF_MODIFIED_AFTER_SIGNING,
            f"Something was added to the feedback letter after it was signed. {_RESEND}",
            LETTER_MEMBER,
        )


def _load_document(data: bytes, manifest: FeedbackManifest) -> FeedbackDocument:
    try:
        value = parse_json(data)
    except JsonError as exc:
        raise Rejection(Code.BAD_FEEDBACK, f"feedback.json cannot be read: {exc}. {_RESEND}", FEEDBACK_MEMBER) from None
    problem = schema_problem(value, SCHEMA)
    if problem:
        raise Rejection(
            Code.BAD_FEEDBACK, f"feedback.json is not feedback this program can read ({problem}). {_RESEND}",
            FEEDBACK_MEMBER,
        )  # fmt: skip
    document = FeedbackDocument.from_json(value)
    said = (manifest.partnership, manifest.agency, manifest.period)
    if (document.partnership, document.agency, document.period) != said:
        raise Rejection(
            Code.BAD_FEEDBACK,
            f"feedback.json and manifest.json name a different partnership, agency or period. {_RESEND}",
            FEEDBACK_MEMBER,
        )
    ids = [(r.submission_id, r.version) for r in document.returns]
    if len(set(ids)) != len(ids):
        raise Rejection(Code.BAD_FEEDBACK, f"feedback.json names a return twice. {_RESEND}", FEEDBACK_MEMBER)
    return document

"""Make a signed feedback file (``.oscbfeedback``): the signed zip of bundles and packs (:mod:`oscb_desktop.bundle
.signed_zip`) holding ``feedback.json`` and the feedback letter, itself signed (PAdES) with the same key
(docs/feedback-format.md). The writer refuses to make a file the reader would refuse."""

from __future__ import annotations

from datetime import UTC, datetime

from cryptography.hazmat.primitives import serialization

from oscb_desktop import __version__
from oscb_desktop.bundle import signed_zip
from oscb_desktop.bundle.model import canonical_json, schema_problem
from oscb_desktop.feedback.model import (
    FEEDBACK_MEMBER,
    FEEDBACK_RULES,
    LETTER_MEMBER,
    MANIFEST_POINTER,
    SCHEMA,
    FeedbackDocument,
    FeedbackManifest,
)
from oscb_desktop.signing import PdfSigningError, UnlockedKey, sign_pdf


class FeedbackError(Exception):
    """A feedback file cannot be made; the message says why, for the Business Unit officer exporting it."""


def build_feedback(
    document: FeedbackDocument, letter_pdf: bytes, key: UnlockedKey, *, created_at: str | None = None
) -> bytes:
    """The bytes of a feedback file: ``document`` as ``feedback.json`` and ``letter_pdf`` (unsigned) signed with
    ``key``, the Business Unit's, which signs the manifest too."""
    data_json = document.to_json()
    problem = schema_problem(data_json, SCHEMA)
    if problem:
        raise FeedbackError(f"The feedback for {document.agency} cannot be made: it would not be valid ({problem}).")
    try:
        signed_letter = sign_pdf(
            letter_pdf,
            key,
            reason=f"Feedback of {document.partnership.name} to {document.agency} on its returns for {document.period}",
            location=document.partnership.name,
            field_name="OSCB-Feedback",
        )
    except PdfSigningError as exc:
        raise FeedbackError(f"The feedback letter to {document.agency} cannot be signed: {exc}") from exc
    members: list[tuple[str, bytes]] = [
        ("signer.pem", key.certificate.public_bytes(serialization.Encoding.PEM)),
        (FEEDBACK_MEMBER, canonical_json(data_json)),
        (LETTER_MEMBER, signed_letter),
    ]
    for path, data in members:
        if len(data) > FEEDBACK_RULES.member_limit(path):
            raise FeedbackError(f"The feedback for {document.agency}: {path} is too large ({len(data):,} bytes).")
    manifest = FeedbackManifest(
        partnership=document.partnership,
        agency=document.agency,
        period=document.period,
        created_at=created_at or datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        app_version=__version__,
        members=signed_zip.member_entries(members),
    )
    manifest_json = manifest.to_json()
    problem = schema_problem(manifest_json, SCHEMA, MANIFEST_POINTER)
    if problem:
        raise FeedbackError(f"The feedback for {document.agency} cannot be made: its manifest would not be valid "
                            f"({problem}).")  # fmt: skip
    data, _manifest_bytes = signed_zip.write(manifest_json, members, key)
    return data

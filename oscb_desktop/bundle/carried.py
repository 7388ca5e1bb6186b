"""The answers a signed submission PDF carries: ``submission.json`` embedded in the PDF before it is signed.

Since bundle format version 2 (docs/bundle-format.md) the PDF the senior officer signs off carries the exact
bytes of the bundle's ``submission.json``, so the signature over the PDF covers the answers the board counts.
This module is the one place that says how: what is embedded at sign-off (:func:`submission_attachment`) and
how it is read back by export, the verifier and the import of a PDF on its own (:func:`carried_bytes`).
"""

from __future__ import annotations

from oscb_desktop.bundle import limits
from oscb_desktop.bundle.model import SubmissionPayload, canonical_json
from oscb_desktop.signing import EmbeddedData, read_embedded

#: The name of the embedded file, as ``pdfdetach -list`` shows it.
CARRIED_NAME = "submission.json"


def submission_attachment(submission: SubmissionPayload) -> EmbeddedData:
    """``submission.json`` as the signed PDF carries it: the same bytes the bundle will hold."""
    return EmbeddedData(
        name=CARRIED_NAME,
        data=canonical_json(submission.to_json()),
        mime_type="application/json",
        description="The answers of this return as signed off, in the form the Business Unit collates "
        "(the bundle's submission.json, byte for byte)",
    )


def carried_bytes(pdf: bytes) -> bytes | None:
    """The ``submission.json`` a PDF carries, or None (a PDF signed before PDFs carried the answers).

    Raises :class:`~oscb_desktop.signing.EmbeddedDataError` when it is there but cannot be read safely.
    """
    return read_embedded(pdf, CARRIED_NAME, limit=limits.member_limit("submission.json"))

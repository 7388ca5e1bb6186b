"""Signed bundles (``*.oscb``): how a return travels from an agency to the Business Unit (DESIGN.md §5).

:func:`build_bundle` / :func:`write_bundle` make one from a signed return; :func:`verify_bundle` checks one
and says in plain words why it is refused. The format is documented in docs/bundle-format.md and its JSON
members have published schemas in ``resources/schemas/``. Plain Python, no Qt.

Modules: ``model`` (the typed JSON members, the same on the way out and in), ``writer``, ``verify`` (the
checks in order), ``safezip`` (the bounded hostile-zip reader, for every signed zip of the family),
``codes`` (the result codes and the refusal), ``trust`` (trust policies and the agency-name rule), ``limits``.
"""

from typing import TYPE_CHECKING

from oscb_desktop.bundle.codes import CODE_MEANINGS, Code, Rejection
from oscb_desktop.bundle.limits import (
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS,
    MAX_BUNDLE_BYTES,
    MAX_COMPRESSION_RATIO,
    MAX_ZIP_ENTRIES,
)
from oscb_desktop.bundle.model import (
    BUNDLE_FORMAT,
    FORMAT_VERSION,
    SUBMISSION_FORMAT,
    Agency,
    AuditRecord,
    FormRef,
    JsonError,
    Manifest,
    MemberEntry,
    Signatory,
    SubmissionPayload,
    SubmissionRef,
    canonical_json,
    parse_json,
)
from oscb_desktop.bundle.safezip import FileTooLargeError, SafeZip, ZipRules, read_bounded
from oscb_desktop.bundle.trust import Trust, TrustedCertsDir, TrustPolicy, normalise_agency_name
from oscb_desktop.lazy import lazy_getattr

if TYPE_CHECKING:
    from oscb_desktop.bundle.carried import CARRIED_NAME, carried_bytes, submission_attachment
    from oscb_desktop.bundle.signed_pdf import is_pdf, verify_return_pdf
    from oscb_desktop.bundle.verify import VerifyResult, verify_bundle, with_trust
    from oscb_desktop.bundle.writer import BundleError, build_bundle, safe_member_name, write_bundle

#: Loaded on first use: these bring pyHanko and the PDF modules (see oscb_desktop.lazy).
__getattr__ = lazy_getattr(
    __name__,
    {
        "CARRIED_NAME": "carried",
        "carried_bytes": "carried",
        "submission_attachment": "carried",
        "is_pdf": "signed_pdf",
        "verify_return_pdf": "signed_pdf",
        "VerifyResult": "verify",
        "verify_bundle": "verify",
        "with_trust": "verify",
        "BundleError": "writer",
        "build_bundle": "writer",
        "safe_member_name": "writer",
        "write_bundle": "writer",
    },
)

__all__ = [
    "BUNDLE_FORMAT",
    "CARRIED_NAME",
    "CODE_MEANINGS",
    "FORMAT_VERSION",
    "MAX_ATTACHMENTS",
    "MAX_ATTACHMENT_BYTES",
    "MAX_BUNDLE_BYTES",
    "MAX_COMPRESSION_RATIO",
    "MAX_ZIP_ENTRIES",
    "SUBMISSION_FORMAT",
    "Agency",
    "AuditRecord",
    "BundleError",
    "Code",
    "FileTooLargeError",
    "FormRef",
    "JsonError",
    "Manifest",
    "MemberEntry",
    "Rejection",
    "SafeZip",
    "Signatory",
    "SubmissionPayload",
    "SubmissionRef",
    "Trust",
    "TrustPolicy",
    "TrustedCertsDir",
    "VerifyResult",
    "ZipRules",
    "build_bundle",
    "canonical_json",
    "carried_bytes",
    "is_pdf",
    "normalise_agency_name",
    "parse_json",
    "read_bounded",
    "safe_member_name",
    "submission_attachment",
    "verify_bundle",
    "verify_return_pdf",
    "with_trust",
    "write_bundle",
]

"""Signed bundles (``*.oscb``): how a return travels from an agency to the Business Unit (DESIGN.md §5).

:func:`build_bundle` / :func:`write_bundle` make one from a signed return; :func:`verify_bundle` checks one
and says in plain words why it is refused. The format is documented in docs/bundle-format.md and its JSON
members have published schemas in ``resources/schemas/``. Plain Python, no Qt.
"""

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
    Manifest,
    MemberEntry,
    Signatory,
    SubmissionPayload,
    SubmissionRef,
    canonical_json,
)
from oscb_desktop.bundle.verify import (
    CODE_MEANINGS,
    Code,
    Trust,
    TrustedCertsDir,
    TrustPolicy,
    VerifyResult,
    verify_bundle,
)
from oscb_desktop.bundle.writer import BundleError, build_bundle, safe_member_name, write_bundle

__all__ = [
    "BUNDLE_FORMAT",
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
    "FormRef",
    "Manifest",
    "MemberEntry",
    "Signatory",
    "SubmissionPayload",
    "SubmissionRef",
    "Trust",
    "TrustPolicy",
    "TrustedCertsDir",
    "VerifyResult",
    "build_bundle",
    "canonical_json",
    "safe_member_name",
    "verify_bundle",
    "write_bundle",
]

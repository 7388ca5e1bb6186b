"""The verdict vocabulary of the signed-file family: every result code, what it means, and the refusal that
carries one.

Return bundles, partnership packs and feedback files (DESIGN.md §7) share the same
hostile-zip reader (:mod:`oscb_desktop.bundle.safezip`) and so the same codes. The values are part of the
format (docs/bundle-format.md): scripts read them from ``oscb verify --json``, so they never change.
"""

from __future__ import annotations

from enum import StrEnum

from oscb_desktop import textsafe
from oscb_desktop.bundle import limits


class Code(StrEnum):
    """Every result code. The values are part of the format (docs/bundle-format.md) and never change."""

    OK = "ok"
    UNREADABLE = "unreadable"
    NOT_ZIP = "not_zip"
    UNSUPPORTED_ZIP = "unsupported_zip"
    UNSAFE_PATH = "unsafe_path"
    SYMLINK = "symlink"
    DUPLICATE_MEMBER = "duplicate_member"
    TOO_MANY_MEMBERS = "too_many_members"
    TOO_LARGE = "too_large"
    MISSING_MEMBER = "missing_member"
    BAD_MANIFEST = "bad_manifest"
    UNEXPECTED_MEMBER = "unexpected_member"
    HASH_MISMATCH = "hash_mismatch"
    BAD_MANIFEST_SIGNATURE = "bad_manifest_signature"
    SIGNER_MISMATCH = "signer_mismatch"
    UNTRUSTED_SIGNER = "untrusted_signer"
    REVOKED_SIGNER = "revoked_signer"
    BAD_PDF_SIGNATURE = "bad_pdf_signature"
    PDF_SIGNER_MISMATCH = "pdf_signer_mismatch"
    PDF_MODIFIED_AFTER_SIGNING = "pdf_modified_after_signing"
    PDF_DATA_MISMATCH = "pdf_data_mismatch"
    BAD_SUBMISSION = "bad_submission"
    UNKNOWN_FORM = "unknown_form"
    MANIFEST_MISMATCH = "manifest_mismatch"
    BAD_AUDIT = "bad_audit"
    NOT_A_RETURN_PDF = "not_a_return_pdf"
    # Partnership packs (docs/pack-format.md).
    BAD_PACK = "bad_pack"
    BAD_FORM = "bad_form"
    OLDER_PACK = "older_pack"
    PACK_CONFLICT = "pack_conflict"
    FORM_CONFLICT = "form_conflict"
    # Feedback files (docs/feedback-format.md).
    BAD_FEEDBACK = "bad_feedback"
    OTHER_PARTNERSHIP = "other_partnership"
    OTHER_AGENCY = "other_agency"
    UNKNOWN_RETURN = "unknown_return"
    # Encrypted files (.oscb.p7m), before anything else is checked.
    KEY_NEEDED = "key_needed"
    BAD_ENVELOPE = "bad_envelope"
    ENCRYPTED_FOR_ANOTHER = "encrypted_for_another"


#: What each code means, in the order the checks run (the format document lists the same).
CODE_MEANINGS: dict[Code, str] = {
    Code.OK: "every check passed (trust too, unless it was not asked for)",
    Code.UNREADABLE: "the file could not be read from disk",
    Code.NOT_ZIP: "not a zip file, or a damaged or truncated one",
    Code.UNSUPPORTED_ZIP: "a zip using encryption or a compression other than stored/deflated",
    Code.UNSAFE_PATH: "a member name that is absolute, contains `..`, a backslash or control characters",
    Code.SYMLINK: "a member that is a symbolic link or another special file",
    Code.DUPLICATE_MEMBER: "two members with the same name (compared ignoring case)",
    Code.TOO_MANY_MEMBERS: f"more than {limits.MAX_ZIP_ENTRIES} zip entries",
    Code.TOO_LARGE: "a member or the whole bundle over its size limit, a compression ratio over "
    f"{limits.MAX_COMPRESSION_RATIO} (zip bomb), or a member holding more data than its header declares",
    Code.MISSING_MEMBER: "a member the manifest lists (or manifest.json / manifest.sig) is not in the zip",
    Code.BAD_MANIFEST: "manifest.json is not strict JSON or does not match manifest.schema.json",
    Code.UNEXPECTED_MEMBER: "the zip holds a member the manifest does not list, or an evidence file no answer names",
    Code.HASH_MISMATCH: "a member's size or SHA-256 differs from the manifest",
    Code.BAD_MANIFEST_SIGNATURE: "manifest.sig is not a valid detached CMS signature over manifest.json",
    Code.SIGNER_MISMATCH: "the certificate in manifest.sig is not the one in signer.pem",
    Code.UNTRUSTED_SIGNER: "the certificate is not trusted for the agency the manifest names",
    Code.REVOKED_SIGNER: "the certificate was revoked",
    Code.BAD_PDF_SIGNATURE: "submission.pdf is not signed exactly once, or its signature is broken",
    Code.PDF_SIGNER_MISMATCH: "submission.pdf was signed with another certificate than the bundle",
    Code.PDF_MODIFIED_AFTER_SIGNING: "something was added to submission.pdf after it was signed",
    Code.PDF_DATA_MISMATCH: "the submission.json the signed PDF carries differs from the bundle's, or (format "
    "version 2) the signed PDF carries none",
    Code.BAD_SUBMISSION: "submission.json is not strict JSON, does not match submission.schema.json, answers "
    "items the form does not have, or refers to evidence files the bundle does not hold",
    Code.UNKNOWN_FORM: "the form id and version are not installed",
    Code.MANIFEST_MISMATCH: "submission.json and manifest.json disagree (ids, version, form, period, agency)",
    Code.BAD_AUDIT: "audit.json is not strict JSON or not a list of answer changes",
    Code.NOT_A_RETURN_PDF: "a PDF given on its own is not a PDF, or does not carry the answers of a return",
    Code.BAD_PACK: "partnership.json is not a partnership profile, disagrees with the manifest, or lists other "
    "forms than the pack holds",
    Code.BAD_FORM: "a form definition in the pack is not valid, or not the form it is listed as",
    Code.OLDER_PACK: "the pack is not newer than the one already accepted from the partnership",
    Code.PACK_CONFLICT: "the pack has the version of the one already accepted, with other content",
    Code.FORM_CONFLICT: "a form in the pack has the id and version of an installed form with other content",
    Code.BAD_FEEDBACK: "feedback.json is not strict JSON, does not match feedback.schema.json, or disagrees with "
    "the manifest",
    Code.OTHER_PARTNERSHIP: "the feedback is from a partnership this workspace has not joined, or about a return "
    "addressed to another partnership",
    Code.OTHER_AGENCY: "the feedback is for an agency that is not one of this workspace's agencies",
    Code.UNKNOWN_RETURN: "the feedback is about a return (submission id and version) this workspace does not have",
    Code.KEY_NEEDED: "an encrypted bundle was given without the Business Unit key to open it",
    Code.BAD_ENVELOPE: "an encrypted bundle is damaged, cut short, or not CMS EnvelopedData",
    Code.ENCRYPTED_FOR_ANOTHER: "an encrypted bundle is for another key than this Business Unit's",
}

#: The advice that ends most refusals of a return bundle: only the agency can make a good file.
RESEND = "Ask the agency to export the return again and send the new file."


class Rejection(Exception):
    """A check failed: the code, the plain-language reason, and the member it is about (if it is about one).

    Raised deep inside the checks and turned into a verdict at the top (``verify_bundle``), so a check reads
    as a straight line of conditions instead of threading a result back through every caller.
    """

    def __init__(self, code: Code, reason: str, member: str | None = None) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.member = member


def shown(name: str, limit: int = 100) -> str:
    """A name from a hostile file as it may appear in a reason: control characters escaped, long names cut."""
    return textsafe.shown(name, limit)

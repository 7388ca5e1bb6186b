"""Check a signed bundle (``*.oscb``) before anything in it is believed, with a plain reason for every refusal.

The checks run in the order DESIGN.md §5 and docs/bundle-format.md give, and the first failure decides the
result: (1) the zip is safe to read, (2) its members are exactly those the manifest lists and the manifest
is well formed, (3) every listed member has its listed size and SHA-256, (4) ``manifest.sig`` is a valid
signature over ``manifest.json`` by the certificate in ``signer.pem``, (5) that certificate is trusted for
the agency the manifest names, (6) ``submission.pdf`` carries one valid signature by the same certificate,
covering the whole file, (7) ``submission.json`` (and ``audit.json``) match their schema and a known form
version and agree with the manifest.

A bad bundle never raises: every failure is a :class:`VerifyResult` with ``ok`` false, a stable ``code``
(:class:`~oscb_desktop.bundle.codes.Code`) and a ``reason`` that says what is wrong and what to do. Whether
a good bundle is a duplicate, a conflict or a replay needs the workspace database, so the importer decides
that from the result's ``submission_id``, ``submission_version`` and ``content_digest``.

The zip is read by the bounded hostile-zip reader (:mod:`oscb_desktop.bundle.safezip`); who may sign for
whom is the trust policy's business (:mod:`oscb_desktop.bundle.trust`). What the checks hand on is typed:
the manifest as a :class:`~oscb_desktop.bundle.model.Manifest`, the return as a
:class:`~oscb_desktop.bundle.model.SubmissionPayload`, the same types the writer exports.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from cryptography.hazmat.primitives import hashes

from oscb_desktop.bundle import limits
from oscb_desktop.bundle.carried import carried_bytes
from oscb_desktop.bundle.codes import RESEND, Code, Rejection, shown
from oscb_desktop.bundle.model import (
    MANIFEST_SCHEMA,
    SUBMISSION_SCHEMA,
    AuditRecord,
    JsonError,
    Manifest,
    MemberEntry,
    SubmissionPayload,
    parse_json,
    schema_problem,
)
from oscb_desktop.bundle.safezip import BUNDLE_RULES, SafeZip, read_zip
from oscb_desktop.bundle.signed_zip import open_signed
from oscb_desktop.bundle.trust import Trust, TrustPolicy, decide
from oscb_desktop.forms import FormDefinition, FormRegistry
from oscb_desktop.forms import files as evidence_files
from oscb_desktop.signing import (
    EmbeddedDataError,
    PdfSignatureReport,
    format_fingerprint,
    verify_pdf,
)
from oscb_desktop.survey.counts import SurveyCounts

_T = TypeVar("_T")


@dataclass(frozen=True)
class VerifyResult:
    """The verdict on one bundle.

    ``ok`` is true only when every check passed. With ``trusted=None`` the trust check is skipped and
    ``trust`` is ``None``: the caller must then show ``signer_fingerprint`` and ask before relying on the
    return. Fields are filled as far as the checks got: ``manifest`` once it matched its schema (before
    its signature was checked, so on a failure it only helps say what the bundle claims to be),
    ``signer_fingerprint`` and ``signer_pem`` once the manifest signature was valid, ``submission`` and
    ``audit`` only when they passed their checks.
    """

    ok: bool
    code: str
    reason: str
    manifest: Manifest | None = None
    submission: SubmissionPayload | None = None
    audit: list[AuditRecord] | None = None
    signer_fingerprint: str | None = None
    signer_pem: bytes | None = None
    trust: Trust | None = None
    #: The member a failure is about, if it is about one (e.g. which member's hash does not match).
    member: str | None = None
    #: For the importer's duplicate / conflict / replay check: the submission's id and version, and the
    #: SHA-256 of the exact manifest.json bytes (same id and version with another digest is a conflict).
    #: Filled as soon as the manifest parsed, so only an ``ok`` result's values can be relied on.
    submission_id: str | None = None
    submission_version: int | None = None
    content_digest: str | None = None
    #: "bundle", or "pdf" for a signed submission PDF checked on its own (:mod:`oscb_desktop.bundle.signed_pdf`).
    source: str = "bundle"
    #: The names of the evidence files the answers refer to that were not received (a PDF on its own).
    not_received: tuple[str, ...] = ()
    #: The signed PDF carries the bundle's submission.json (always for format version 2; a version-1 bundle's
    #: answers could not be compared with what was signed).
    pdf_carries_data: bool = False
    _zip: SafeZip | None = field(default=None, repr=False, compare=False)
    #: The members of a return that came as a PDF alone (its PDF and the submission.json it carries).
    loose: Mapping[str, bytes] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def refused(cls, rejection: Rejection, **known: Any) -> VerifyResult:
        """The verdict for a failed check, with whatever the checks before it established."""
        return cls(ok=False, code=rejection.code.value, reason=rejection.reason, member=rejection.member, **known)

    def read_member(self, path: str) -> bytes:
        """The bytes of a member of a verified bundle (e.g. an attachment to store), checked again
        against the manifest. Only for ``ok`` results."""
        if self.ok and self.loose is not None:
            if path not in self.loose:
                raise KeyError(f"{path} did not come with this signed PDF")
            return self.loose[path]
        if not self.ok or self._zip is None or self.manifest is None:
            raise ValueError("Only members of a bundle that passed verification can be read.")
        entry = self.manifest.member(path)
        if entry is None and path not in ("manifest.json", "manifest.sig"):
            raise KeyError(f"{path} is not a member of this bundle")
        data = self._zip.read(path)
        if entry is not None and hashlib.sha256(data).hexdigest() != entry.sha256:
            raise ValueError(f"{path} does not match the manifest")  # impossible: same bytes as verified
        return data

    @property
    def attachments(self) -> list[MemberEntry]:
        """The manifest entries (path, size, sha256) of the evidence files, for the importer."""
        if self.manifest is None:
            return []
        return [m for m in self.manifest.members if m.path.startswith(limits.ATTACHMENTS_FOLDER)]


def verify_bundle(
    data_or_path: bytes | bytearray | memoryview | str | os.PathLike[str],
    *,
    forms: FormRegistry,
    trusted: TrustPolicy | None,
) -> VerifyResult:
    """Check a bundle given as bytes or as a file path; never raises for a bad bundle (see the module doc)."""
    state: dict[str, Any] = {}
    try:
        return _verify(data_or_path, forms, trusted, state)
    except Rejection as rejection:
        return VerifyResult.refused(rejection, **state)


def _verify(
    data_or_path: bytes | bytearray | memoryview | str | os.PathLike[str],
    forms: FormRegistry,
    trusted: TrustPolicy | None,
    state: dict[str, Any],
) -> VerifyResult:
    raw = read_zip(data_or_path, BUNDLE_RULES)

    def claimed(manifest: Manifest, manifest_bytes: bytes) -> None:
        state["content_digest"] = hashlib.sha256(manifest_bytes).hexdigest()
        state["manifest"] = manifest
        state["submission_id"] = manifest.submission.id
        state["submission_version"] = manifest.submission.version

    # (1) zip safety, (2) members exactly as listed and the manifest well formed, (3) every hash,
    # (4) the manifest signature by the certificate in signer.pem: the checks of every signed file.
    signed = open_signed(raw, BUNDLE_RULES, _load_manifest, keep=limits.FIXED_MEMBERS, on_manifest=claimed)
    manifest: Manifest = signed.manifest
    contents, fingerprint, signer_pem = signed.contents, signed.fingerprint, signed.signer_pem
    listed = {m.path: m for m in manifest.members}
    state["signer_fingerprint"] = fingerprint
    state["signer_pem"] = signer_pem

    # (5) trust.
    agency_name = manifest.agency.name
    if trusted is not None:
        decision = decide(trusted, fingerprint, agency_name)
        state["trust"] = decision
        check_trust(decision, fingerprint, agency_name)

    # (6) the signed PDF, and the answers it carries.
    check_pdf(verify_pdf(contents.data["submission.pdf"]), fingerprint)
    state["pdf_carries_data"] = _check_pdf_data(
        contents.data["submission.pdf"], contents.data["submission.json"], manifest
    )

    # (7) submission.json and audit.json.
    state["submission"] = check_submission(contents.data["submission.json"], manifest, forms, listed)
    state["audit"] = _check_audit(contents.data["audit.json"])

    reason = _intact(
        manifest, fingerprint, trust_checked=trusted is not None, pdf_carries_data=state["pdf_carries_data"]
    )
    return VerifyResult(ok=True, code=Code.OK.value, reason=reason, _zip=signed.safe, **state)


def _intact(manifest: Manifest, fingerprint: str, *, trust_checked: bool, pdf_carries_data: bool) -> str:
    signatory, agency_name = manifest.signatory, manifest.agency.name
    reason = (
        f"The {manifest.form_title} return of {agency_name} for {manifest.period} "
        f"(version {manifest.submission.version}) is intact and was signed by {signatory.name}, {signatory.role}."
    )
    if not pdf_carries_data:
        reason += (
            " It was made before signed PDFs carried the answers (bundle format version 1), so its answers could "
            "not be compared with the signed PDF."
        )
    if not trust_checked:
        reason += (
            " Whether its certificate belongs to the agency was not checked: confirm the fingerprint "
            f"{format_fingerprint(fingerprint)} with {agency_name} before relying on it."
        )
    return reason


def with_trust(result: VerifyResult, trusted: TrustPolicy) -> VerifyResult:
    """The trust check (5) on a bundle that passed every other check with ``trusted=None``.

    The importer verifies a bundle whole first and asks about an unknown signer only then, so the user is
    never asked to vouch for a bundle that is broken anyway. The verdict is the one :func:`verify_bundle`
    would give with ``trusted`` (a failed trust check refuses it; the others were already passed).
    """
    if not result.ok or result.trust is not None:
        return result
    assert result.manifest is not None and result.signer_fingerprint is not None
    manifest, fingerprint = result.manifest, result.signer_fingerprint
    decision = decide(trusted, fingerprint, manifest.agency.name)
    try:
        check_trust(decision, fingerprint, manifest.agency.name)
    except Rejection as rejection:
        return VerifyResult.refused(
            rejection,
            manifest=manifest,
            signer_fingerprint=fingerprint,
            signer_pem=result.signer_pem,
            trust=decision,
            submission_id=result.submission_id,
            submission_version=result.submission_version,
            content_digest=result.content_digest,
        )
    reason = _intact(manifest, fingerprint, trust_checked=True, pdf_carries_data=result.pdf_carries_data)
    return dataclasses.replace(result, trust=decision, reason=reason)


def _typed(convert: Callable[[Any], _T], value: Any, code: Code, member: str) -> _T:
    """``from_json`` on a value that passed its schema. It cannot fail, short of a mismatch between the schema
    and the dataclasses; should one slip in, the bundle still gets a verdict rather than an exception."""
    try:
        return convert(value)
    except Exception:
        raise Rejection(
            code, f"{member} holds values this program cannot read, although they match its schema. {RESEND}", member
        ) from None


def _load_manifest(manifest_bytes: bytes) -> Manifest:
    try:
        data = parse_json(manifest_bytes)
    except JsonError as exc:
        raise Rejection(Code.BAD_MANIFEST, f"manifest.json cannot be read: {exc}. {RESEND}", "manifest.json") from None
    problem = schema_problem(data, MANIFEST_SCHEMA)
    if problem:
        raise Rejection(
            Code.BAD_MANIFEST,
            f"manifest.json is not an OSCB bundle manifest of a version this program knows ({problem}). "
            f"If the agency uses a newer version of OSCB Desktop, update this one; otherwise {RESEND.lower()}",
            "manifest.json",
        )
    manifest = _typed(Manifest.from_json, data, Code.BAD_MANIFEST, "manifest.json")
    paths = [m.path for m in manifest.members]
    folded = [p.casefold() for p in paths]
    if len(set(folded)) != len(folded):
        raise Rejection(Code.BAD_MANIFEST, f"manifest.json lists a member twice. {RESEND}", "manifest.json")
    for fixed in limits.LISTED_FIXED_MEMBERS:
        if fixed not in paths:
            raise Rejection(
                Code.BAD_MANIFEST,
                f"manifest.json does not list {fixed}, which every bundle must hold. {RESEND}",
                "manifest.json",
            )
    return manifest


def check_trust(decision: Trust, fingerprint: str, agency_name: str) -> None:
    fingerprint_shown = format_fingerprint(fingerprint)
    if decision is Trust.REVOKED:
        raise Rejection(
            Code.REVOKED_SIGNER,
            f"The return is signed with a certificate that was revoked (fingerprint {fingerprint_shown}). Ask "
            f"{agency_name} to sign it again with their current signing identity.",
            "signer.pem",
        )
    if decision is Trust.UNKNOWN:
        raise Rejection(
            Code.UNTRUSTED_SIGNER,
            f"The return is signed with a certificate that is not registered for {agency_name} (fingerprint "
            f"{fingerprint_shown}). Confirm this fingerprint with the agency by phone or in person; if it is "
            "theirs, register the certificate and import the bundle again.",
            "signer.pem",
        )


def check_pdf(report: PdfSignatureReport, fingerprint: str) -> None:
    if report.certificate is None or not report.intact or not report.valid:
        raise Rejection(
            Code.BAD_PDF_SIGNATURE,
            f"The signed PDF of the return cannot be trusted: {report.problem}. {RESEND}",
            "submission.pdf",
        )
    if report.certificate.fingerprint(hashes.SHA256()).hex() != fingerprint:
        raise Rejection(
            Code.PDF_SIGNER_MISMATCH,
            "The PDF of the return was signed with another certificate than the bundle, so it may not be the "
            f"return that was signed off. {RESEND}",
            "submission.pdf",
        )
    if not report.covers_whole_file:
        raise Rejection(
            Code.PDF_MODIFIED_AFTER_SIGNING,
            "Something was added to the PDF of the return after it was signed, so what it shows may not be what "
            f"was signed off. {RESEND}",
            "submission.pdf",
        )


#: The start of the reason for every ``pdf_data_mismatch``.
_NOT_WHAT_WAS_SIGNED = "The answers in this bundle are not the answers in the signed PDF"


def _check_pdf_data(pdf: bytes, submission: bytes, manifest: Manifest) -> bool:
    """The ``submission.json`` the signed PDF carries is the bundle's, byte for byte; True if it carries one.

    Format version 2 requires it. A version-1 bundle was made before PDFs carried the answers; should its PDF
    carry them anyway, they are compared too (the bundle's version does not switch a check off).
    """
    try:
        carried = carried_bytes(pdf)
    except EmbeddedDataError as exc:
        raise Rejection(Code.PDF_DATA_MISMATCH, f"{_NOT_WHAT_WAS_SIGNED}: {exc}. {RESEND}", "submission.pdf") from None
    if carried is None:
        if manifest.pdf_carries_data:
            raise Rejection(
                Code.PDF_DATA_MISMATCH,
                f"{_NOT_WHAT_WAS_SIGNED}: the signed PDF does not carry its submission.json, which every bundle of "
                f"format version {manifest.format_version} must. {RESEND}",
                "submission.pdf",
            )
        return False
    if carried != submission:
        raise Rejection(
            Code.PDF_DATA_MISMATCH,
            f"{_NOT_WHAT_WAS_SIGNED}: its submission.json differs from the one the signed PDF carries, so the "
            "board would count answers nobody signed off. Do not use this file. Ask the agency to export the "
            "signed return again from OSCB Desktop and send the new file.",
            "submission.json",
        )
    return True


def check_submission(
    data: bytes, manifest: Manifest | None, forms: FormRegistry, listed: Mapping[str, MemberEntry] | None
) -> SubmissionPayload:
    """``submission.json`` checked on its own and against the ``manifest``; every evidence file an answer names
    must be ``listed`` (a bundle's members) unless ``listed`` is None (a PDF alone: no evidence came with it)."""
    try:
        value = parse_json(data)
    except JsonError as exc:
        raise Rejection(
            Code.BAD_SUBMISSION, f"submission.json cannot be read: {exc}. {RESEND}", "submission.json"
        ) from None
    problem = schema_problem(value, SUBMISSION_SCHEMA)
    if problem:
        raise Rejection(
            Code.BAD_SUBMISSION,
            f"submission.json is not a return of a version this program knows ({problem}). If the agency uses a "
            f"newer version of OSCB Desktop, update this one; otherwise {RESEND.lower()}",
            "submission.json",
        )
    submission = _typed(SubmissionPayload.from_json, value, Code.BAD_SUBMISSION, "submission.json")
    form_id, version = submission.form.id, submission.form.version
    try:
        form = forms.get(form_id, version)
    except KeyError:
        raise Rejection(
            Code.UNKNOWN_FORM,
            f"The return answers the form {form_id} version {version}, which is not installed here. Add that form "
            "to the partnership (Partnership settings) or install the update of OSCB Desktop that brings it, then "
            "import the bundle again.",
            "submission.json",
        ) from None
    comparisons: list[tuple[str, Any, Any]] = (
        []
        if manifest is None
        else [
            ("submission id", submission.submission.id, manifest.submission.id),
            ("submission version", submission.submission.version, manifest.submission.version),
            ("superseded submission", submission.submission.supersedes, manifest.submission.supersedes),
            ("form", submission.form.id, manifest.form.id),
            ("form version", submission.form.version, manifest.form.version),
            ("reporting period", submission.period, manifest.period),
            ("agency", submission.agency.name, manifest.agency.name),
            ("agency sector", submission.agency.sector, manifest.agency.sector),
            ("partnership", submission.partnership, manifest.partnership),
        ]
    )
    for what, in_submission, in_manifest in comparisons:
        if in_submission != in_manifest:
            raise Rejection(
                Code.MANIFEST_MISMATCH,
                f"submission.json and manifest.json disagree about the {what} ({in_submission!r} against "
                f"{in_manifest!r}), so it is not clear what was signed. {RESEND}",
                "submission.json",
            )
    _check_survey(submission)
    unknown = sorted(item_id for item_id in submission.answers if not form.has_item(item_id))
    if unknown:
        names = ", ".join(unknown[:5]) + (", …" if len(unknown) > 5 else "")
        raise Rejection(
            Code.BAD_SUBMISSION,
            f"submission.json answers items that the form {form_id} {version} does not have ({names}). {RESEND}",
            "submission.json",
        )
    if listed is None:
        return submission
    _check_evidence_files(submission, form, listed)
    return submission


def _check_survey(submission: SubmissionPayload) -> None:
    """Survey counts must be for the return's period and never show a small group (they are not recomputed)."""
    if submission.survey is None:
        return
    counts = SurveyCounts.from_json(submission.survey)
    problems = counts.problems()
    if counts.period != submission.period:
        problems.append(f"they are for {counts.period}, not {submission.period}")
    if problems:
        raise Rejection(
            Code.BAD_SUBMISSION,
            f"The practitioner survey counts in submission.json cannot be kept ({'; '.join(problems[:3])}). {RESEND}",
            "submission.json",
        )


def _check_evidence_files(
    submission: SubmissionPayload, form: FormDefinition, listed: Mapping[str, MemberEntry]
) -> None:
    """Every file an answer names is in the bundle (same SHA-256 and size), and every file in the bundle is
    named by an answer: evidence nobody can place beside a statement is refused like any other stray member."""
    bundled = {(m.sha256, m.size): path for path, m in listed.items() if path.startswith(limits.ATTACHMENTS_FOLDER)}
    named: set[tuple[str, int]] = set()
    for item in form.items():
        value = submission.answers.get(item.id)
        if value is None or evidence_files.raw_files(item, value) is None:
            continue
        where = f"{form.item_code(item.id)} ({item.id})"
        problem = evidence_files.files_problem(item, value)
        if problem:
            raise Rejection(
                Code.BAD_SUBMISSION,
                f"submission.json: the evidence files of {where} are not in the expected form ({shown(problem)}). "
                f"{RESEND}",
                "submission.json",
            )
        for entry in evidence_files.files_of(item, value):
            key = (entry["sha256"], entry["size"])
            if key not in bundled:
                raise Rejection(
                    Code.BAD_SUBMISSION,
                    f"submission.json names the evidence file {shown(entry['name'])!r} on {where}, which the bundle "
                    f"does not hold. {RESEND}",
                    "submission.json",
                )
            named.add(key)
    for key, path in sorted(bundled.items(), key=lambda kv: kv[1]):
        if key not in named:
            raise Rejection(
                Code.UNEXPECTED_MEMBER,
                f"The bundle carries {shown(path)}, which no answer of the return names, so nobody can tell which "
                f"statement it is evidence for. Do not use this file. {RESEND}",
                path,
            )


def _check_audit(data: bytes) -> list[AuditRecord]:
    try:
        value = parse_json(data)
    except JsonError as exc:
        raise Rejection(Code.BAD_AUDIT, f"audit.json cannot be read: {exc}. {RESEND}", "audit.json") from None
    problem = schema_problem(value, SUBMISSION_SCHEMA, "/$defs/audit_log")
    if problem:
        raise Rejection(
            Code.BAD_AUDIT, f"audit.json is not a history of answer changes ({problem}). {RESEND}", "audit.json"
        )
    return _typed(lambda records: [AuditRecord.from_json(r) for r in records], value, Code.BAD_AUDIT, "audit.json")

"""Make a signed bundle (``*.oscb``) from a signed return, as DESIGN.md §5 and docs/bundle-format.md describe.

The writer is strict for the same reason the verifier is: a bundle the Business Unit would reject must fail
here, at the agency, with a message saying what to fix, rather than weeks later at import. So it checks the
JSON members against the published schemas, the PDF signature against the signing key, every evidence file
against the hash its answer names, and every limit in :mod:`.limits`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization

from oscb_desktop import __version__
from oscb_desktop.bundle import limits, signed_zip
from oscb_desktop.bundle.carried import carried_bytes
from oscb_desktop.bundle.model import (
    FORMAT_VERSION,
    MANIFEST_SCHEMA,
    SUBMISSION_SCHEMA,
    AuditRecord,
    Manifest,
    Signatory,
    SubmissionPayload,
    attachment_refs,
    audit_to_json,
    canonical_json,
    schema_problem,
)
from oscb_desktop.fsutil import atomic_write
from oscb_desktop.signing import EmbeddedDataError, UnlockedKey, verify_pdf

#: ``attachments/<12 hex digits>-`` prefix length after the folder.
_PREFIX_CHARS = 13
_UNSAFE_CHARS = re.compile(r"[^A-Za-z0-9._-]+")


class BundleError(Exception):
    """A bundle cannot be made; the message says why and what to do, for the person exporting."""


def build_bundle(
    *,
    submission: SubmissionPayload | Mapping[str, Any],
    audit: Sequence[AuditRecord | Mapping[str, Any]],
    signed_pdf: bytes,
    key: UnlockedKey,
    form_title: str,
    signatory: Signatory,
    signed_at: str,
    attachments: Sequence[tuple[str, bytes]] = (),
    read_blob: Callable[[str], bytes] | None = None,
    created_at: str | None = None,
    app_version: str = __version__,
) -> bytes:
    """Return the bytes of a signed bundle.

    The manifest's agency, form, period and submission id/version/supersedes are taken from ``submission``,
    so the two can never disagree. The bundle carries exactly the evidence files the answers name (an
    attachments item's list, a rating's ``files``), each once however often it is named; their bytes come from
    ``attachments`` (name, data) or ``read_blob`` (sha256 → bytes, e.g. ``BlobStore.read``). ``signed_pdf``
    must already be signed with ``key`` (:func:`oscb_desktop.signing.sign_pdf`). Raises :class:`BundleError`.
    """
    data, _manifest_bytes = _build(
        submission=submission,
        audit=audit,
        signed_pdf=signed_pdf,
        key=key,
        form_title=form_title,
        signatory=signatory,
        signed_at=signed_at,
        attachments=attachments,
        read_blob=read_blob,
        created_at=created_at,
        app_version=app_version,
    )
    return data


def bundle_and_digest(**kwargs: Any) -> tuple[bytes, str]:
    """:func:`build_bundle`'s bytes and the bundle's content digest (SHA-256 of its ``manifest.json``)."""
    data, manifest_bytes = _build(**kwargs)
    return data, hashlib.sha256(manifest_bytes).hexdigest()


def write_bundle(path: str | Path, **kwargs: Any) -> str:
    """Build a bundle (same arguments as :func:`build_bundle`) and save it at ``path`` atomically.

    Returns the bundle's content digest (SHA-256 of its ``manifest.json``), the value the verifier reports
    as ``content_digest``. Nothing is written if the bundle cannot be made; a failed write leaves any
    earlier file untouched (:class:`oscb_desktop.fsutil.WriteError`).
    """
    data, manifest_bytes = _build(**kwargs)
    atomic_write(path, data)
    return hashlib.sha256(manifest_bytes).hexdigest()


def safe_member_name(name: str, sha256: str) -> str:
    """The zip path for an evidence file: ``attachments/<first 12 hex of its SHA-256>-<safe name>``.

    The safe name keeps letters, digits, ``.``, ``_`` and ``-`` (accents dropped, anything else becomes
    ``_``), never holds a path separator or ``..``, and is shortened to fit
    :data:`limits.MAX_ATTACHMENT_NAME_CHARS` while keeping its extension. The original name travels in
    ``submission.json``; this one only has to be safe to unzip on any system.
    """
    base = re.split(r"[/\\]", name)[-1]
    ascii_name = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    cleaned = _UNSAFE_CHARS.sub("_", ascii_name)
    cleaned = re.sub(r"\.{2,}", ".", cleaned).strip("._-")
    stem, dot, ext = cleaned.rpartition(".")
    if not dot or not stem or not re.fullmatch(r"[A-Za-z0-9]{1,10}", ext):
        stem, ext = cleaned, ""
    room = limits.MAX_ATTACHMENT_NAME_CHARS - _PREFIX_CHARS - (len(ext) + 1 if ext else 0)
    stem = stem[:room].rstrip("._-") or "file"
    return f"{limits.ATTACHMENTS_FOLDER}{sha256[:12]}-{stem}{'.' + ext if ext else ''}"


def _build(
    *,
    submission: SubmissionPayload | Mapping[str, Any],
    audit: Sequence[AuditRecord | Mapping[str, Any]],
    signed_pdf: bytes,
    key: UnlockedKey,
    form_title: str,
    signatory: Signatory,
    signed_at: str,
    attachments: Sequence[tuple[str, bytes]] = (),
    read_blob: Callable[[str], bytes] | None = None,
    created_at: str | None = None,
    app_version: str = __version__,
) -> tuple[bytes, bytes]:
    payload_json = submission.to_json() if isinstance(submission, SubmissionPayload) else dict(submission)
    submission_bytes = _json_member("submission.json", payload_json)
    problem = schema_problem(payload_json, SUBMISSION_SCHEMA)
    if problem:
        raise BundleError(f"The return cannot be exported: its answers do not match the submission format ({problem}).")
    payload = SubmissionPayload.from_json(payload_json)

    audit_json = audit_to_json(audit)
    audit_bytes = _json_member("audit.json", audit_json)
    problem = schema_problem(audit_json, SUBMISSION_SCHEMA, "/$defs/audit_log")
    if problem:
        raise BundleError(f"The return cannot be exported: its answer history is not in the expected form ({problem}).")

    _check_pdf(signed_pdf, key)
    format_version = _format_for(signed_pdf, submission_bytes)
    files = _collect_attachments(payload, attachments, read_blob)

    members: list[tuple[str, bytes]] = [
        ("signer.pem", key.certificate.public_bytes(serialization.Encoding.PEM)),
        ("submission.json", submission_bytes),
        ("submission.pdf", signed_pdf),
        ("audit.json", audit_bytes),
        *files,
    ]
    for path, data in members:
        if len(data) > limits.member_limit(path):
            raise BundleError(
                f"{path} is {limits.megabytes(len(data))}; a bundle can hold at most "
                f"{limits.megabytes(limits.member_limit(path))} for it. Make it smaller and export again."
            )

    manifest = Manifest(
        agency=payload.agency,
        form=payload.form,
        form_title=form_title,
        period=payload.period,
        submission=payload.submission,
        signatory=signatory,
        signed_at=signed_at,
        created_at=created_at or _now_iso(),
        app_version=app_version,
        members=signed_zip.member_entries(members),
        format_version=format_version,
        partnership=payload.partnership,
    )
    manifest_json = manifest.to_json()
    problem = schema_problem(manifest_json, MANIFEST_SCHEMA)
    if problem:
        raise BundleError(f"The bundle cannot be made: its manifest would not be valid ({problem}).")
    ordered = [*signed_zip.sign_manifest(manifest_json, key), *members]
    total = sum(len(data) for _, data in ordered)
    if total > limits.MAX_BUNDLE_BYTES:
        raise BundleError(
            f"The return with its evidence comes to {limits.megabytes(total)}; a bundle can be at most "
            f"{limits.megabytes(limits.MAX_BUNDLE_BYTES)}. Remove or shrink some evidence files and export again."
        )
    data, manifest_bytes = signed_zip.zip_members(ordered), ordered[0][1]
    if len(data) > limits.MAX_BUNDLE_BYTES:
        raise BundleError(
            f"The bundle would be {limits.megabytes(len(data))}; it can be at most "
            f"{limits.megabytes(limits.MAX_BUNDLE_BYTES)}. Remove or shrink some evidence files and export again."
        )
    return data, manifest_bytes


def _json_member(path: str, value: Any) -> bytes:
    try:
        return canonical_json(value)
    except (TypeError, ValueError) as exc:
        raise BundleError(f"The return cannot be exported: {path} would not be plain JSON ({exc}).") from exc


def _check_pdf(signed_pdf: bytes, key: UnlockedKey) -> None:
    report = verify_pdf(signed_pdf)
    if not report.ok or report.certificate is None:
        raise BundleError(f"The signed PDF of the return cannot be used: {report.problem}. Sign the return again.")
    if report.certificate != key.certificate:
        raise BundleError(
            "The PDF of the return was signed with another certificate than the one signing the bundle. "
            "Sign the return again with the same signing identity."
        )


def _format_for(signed_pdf: bytes, submission_bytes: bytes) -> int:
    """Format version 2 when the signed PDF carries these answers; 1 for a PDF signed before PDFs carried them.

    A PDF carrying other answers than those to export is refused: the bundle would say one thing and the
    signed document another (the verifier rejects that as ``pdf_data_mismatch``).
    """
    try:
        carried = carried_bytes(signed_pdf)
    except EmbeddedDataError as exc:
        raise BundleError(f"The signed PDF of the return cannot be used: {exc}. Sign the return again.") from None
    if carried is None:
        return 1
    if carried != submission_bytes:
        raise BundleError(
            "The answers to export are not the answers in the signed PDF, so the bundle would not show what was "
            "signed off. Export the return from the workspace that signed it, or reopen it and sign it off again."
        )
    return FORMAT_VERSION


def _collect_attachments(
    payload: SubmissionPayload,
    attachments: Sequence[tuple[str, bytes]],
    read_blob: Callable[[str], bytes] | None,
) -> list[tuple[str, bytes]]:
    """Evidence files as (zip path, data), one per distinct content, sorted by path.

    Exactly the files the answers name: a file given in ``attachments`` that no answer names is refused, as the
    verifier refuses a bundle carrying one (nobody could tell which statement it is evidence for).
    """
    given: dict[str, tuple[str, bytes]] = {}
    for name, data in attachments:
        _check_attachment_size(name, len(data))
        given.setdefault(hashlib.sha256(data).hexdigest(), (name, data))
    refs = attachment_refs(payload.answers)
    named = {ref.sha256 for ref in refs}
    for sha256, (name, _data) in sorted(given.items()):
        if sha256 not in named:
            raise BundleError(
                f"The evidence file {name!r} was given to the bundle, but no answer of the return names it. "
                "Attach it to the statement it is evidence for, then export again."
            )

    by_hash: dict[str, tuple[str, bytes]] = {}
    for ref in refs:
        if ref.sha256 in by_hash:
            continue
        if ref.sha256 in given:
            data = given[ref.sha256][1]
            if len(data) != ref.size:
                raise BundleError(f"The evidence file {ref.name!r} is not the size the return names for it.")
            by_hash[ref.sha256] = (ref.name, data)
            continue
        if read_blob is None:
            raise BundleError(
                f"The return refers to the evidence file {ref.name!r}, but the file was not given to the bundle."
            )
        try:
            data = read_blob(ref.sha256)
        except (OSError, KeyError, ValueError) as exc:
            raise BundleError(
                f"The evidence file {ref.name!r} is missing from the workspace ({exc}). "
                "Attach it again, or remove it from the return, then export again."
            ) from exc
        _check_attachment_size(ref.name, len(data))
        if hashlib.sha256(data).hexdigest() != ref.sha256 or len(data) != ref.size:
            raise BundleError(
                f"The evidence file {ref.name!r} in the workspace is not the one the return refers to "
                "(it was changed or damaged). Attach it again, then export again."
            )
        by_hash[ref.sha256] = (ref.name, data)

    if len(by_hash) > limits.MAX_ATTACHMENTS:
        raise BundleError(
            f"The return has {len(by_hash)} evidence files; a bundle can hold at most {limits.MAX_ATTACHMENTS}. "
            "Combine some of them (for example into one PDF) and export again."
        )
    files: dict[str, tuple[str, bytes]] = {}
    taken: set[str] = set()
    for sha256, (name, data) in sorted(by_hash.items()):
        path = safe_member_name(name, sha256)
        stem, dot, ext = path.rpartition(".")
        if not dot or "/" in ext:
            stem, dot, ext = path, "", ""
        counter = 2
        while path.casefold() in taken:  # two contents with the same 12-digit prefix and name: practically never
            path = f"{stem}-{counter}{dot}{ext}"
            counter += 1
        taken.add(path.casefold())
        files[path] = (sha256, data)
    return [(path, data) for path, (_sha, data) in sorted(files.items())]


def _check_attachment_size(name: str, size: int) -> None:
    if size > limits.MAX_ATTACHMENT_BYTES:
        raise BundleError(
            f"The evidence file {name!r} is {limits.megabytes(size)}; each evidence file can be at most "
            f"{limits.megabytes(limits.MAX_ATTACHMENT_BYTES)}. Attach a smaller file or a summary."
        )


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")

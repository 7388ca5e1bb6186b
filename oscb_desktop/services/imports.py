"""Import of ``.oscb`` bundles into the Business Unit's workspace.

Every bundle goes through the full verification of DESIGN §5 with the register as trust policy, then the
checks only the workspace can make: a duplicate (same return, same content: a harmless no-op), a conflict
(same submission id and version, other content), a replay (an older version than one already received).
Each bundle is imported in one transaction; a rejected bundle writes nothing.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from oscb_desktop.bundle import Code, Rejection, Trust, VerifyResult, verify_bundle
from oscb_desktop.bundle.safezip import BUNDLE_RULES, read_zip
from oscb_desktop.services import registry
from oscb_desktop.services.registry import RegisterError, RegisterPolicy
from oscb_desktop.services.workspace import Workspace, now_iso
from oscb_desktop.store import Agency
from oscb_desktop.store.models import ReceivedReturn

BUNDLE_SUFFIX = ".oscb"


class Outcome(StrEnum):
    IMPORTED = "imported"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


class ImportCode(StrEnum):
    """Reasons only the workspace can give (the verifier's own codes are in :class:`oscb_desktop.bundle.Code`)."""

    DUPLICATE = "duplicate"
    CONFLICT = "conflict"
    OLDER_VERSION = "older_version"
    NOT_STORED = "not_stored"
    NOT_BUSINESS_UNIT = "not_business_unit"


class ImportRefusedError(Exception):
    """The whole import cannot run here (e.g. an agency's own workspace); the message is for the user."""


@dataclass(frozen=True)
class ImportResult:
    file: str
    outcome: str
    code: str
    reason: str
    agency: str | None = None
    form_id: str | None = None
    form_version: str | None = None
    period: str | None = None
    submission_id: str | None = None
    version: int | None = None
    signer_fingerprint: str | None = None
    #: Set when the signer's certificate was trusted during this import (confirmed on screen or --trust-new).
    newly_trusted: bool = False
    received_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


#: Asked when a bundle is intact but signed by a certificate not yet on the register: show the agency and
#: the fingerprint, and return True only if the user confirmed it matches what the agency gave them.
TrustDecision = Callable[[VerifyResult, Path], bool]
Progress = Callable[[int, int, str], None]


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given, and every ``*.oscb`` file under the folders given (symbolic links not followed)."""
    out: list[Path] = []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        found: list[Path]
        if path.is_dir():
            found = []
            for root, dirs, files in os.walk(path, followlinks=False):
                dirs.sort()
                found += [Path(root) / f for f in sorted(files) if f.lower().endswith(BUNDLE_SUFFIX)]
        else:
            found = [path]
        for f in found:
            key = f.absolute()
            if key not in seen:
                seen.add(key)
                out.append(f)
    return out


def check_can_import(ws: Workspace) -> None:
    """An agency's own workspace does not take other agencies' bundles; a fresh one becomes the Business Unit's."""
    if registry.is_business_unit(ws):
        return
    if Agency.select().exists():
        names = ", ".join(a.name for a in Agency.select().limit(2))
        raise ImportRefusedError(
            f"This workspace holds the returns of {names}, not the Business Unit's. Import bundles into a "
            "separate Business Unit workspace (start the app or oscb with --data-dir and an empty folder)."
        )
    registry.become_business_unit(ws)


def import_paths(
    ws: Workspace,
    paths: Iterable[str | Path],
    *,
    trust_new: bool | TrustDecision = False,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[ImportResult]:
    """Import every bundle found in ``paths``, one transaction each; one result per file, in order."""
    check_can_import(ws)
    files = expand_paths(paths)
    results = []
    for n, path in enumerate(files):
        if cancelled is not None and cancelled():
            break
        if progress is not None:
            progress(n, len(files), path.name)
        results.append(import_file(ws, path, trust_new=trust_new))
    if progress is not None:
        progress(len(results), len(files), "")
    return results


class _AlsoTrust:
    """The register, plus one certificate the user has just confirmed (saved only if the import succeeds)."""

    def __init__(self, base: RegisterPolicy, fingerprint: str, agency_name: str) -> None:
        self.base, self.fingerprint, self.agency = base, fingerprint, registry.normalise(agency_name)

    def __call__(self, fingerprint: str, agency_name: str, /) -> Trust:
        verdict = self.base(fingerprint, agency_name)
        if (
            verdict == Trust.UNKNOWN
            and fingerprint == self.fingerprint
            and registry.normalise(agency_name) == self.agency
        ):
            return Trust.TRUSTED
        return verdict


def _result(path: Path, res: VerifyResult, outcome: Outcome, code: str, reason: str, **extra: Any) -> ImportResult:
    """Agency, form and period as the bundle's manifest gives them (only proven when imported or duplicate)."""
    manifest = res.manifest
    return ImportResult(
        file=str(path),
        outcome=outcome.value,
        code=str(code),
        reason=reason,
        agency=manifest.agency.name if manifest else None,
        form_id=manifest.form.id if manifest else None,
        form_version=manifest.form.version if manifest else None,
        period=manifest.period if manifest else None,
        submission_id=res.submission_id,
        version=res.submission_version,
        signer_fingerprint=res.signer_fingerprint,
        **extra,
    )


def content_digest(res: VerifyResult) -> str:
    """Equal for every export of the same signed return: the answers and the signed PDF, not the manifest."""
    digest = hashlib.sha256()
    for member in ("submission.json", "submission.pdf"):
        digest.update(hashlib.sha256(res.read_member(member)).digest())
    return digest.hexdigest()


def import_file(ws: Workspace, path: str | Path, *, trust_new: bool | TrustDecision = False) -> ImportResult:
    path = Path(path)
    try:
        # Read once: the bytes verified are the bytes stored, even if the file changes meanwhile.
        data = read_zip(path, BUNDLE_RULES)
    except Rejection as rejection:
        refused = VerifyResult.refused(rejection)
        return _result(path, refused, Outcome.REJECTED, refused.code, refused.reason)
    policy = RegisterPolicy(ws)
    res = verify_bundle(data, forms=ws.forms, trusted=policy)
    confirmed = False
    if res.code == Code.UNTRUSTED_SIGNER and res.signer_fingerprint and res.manifest is not None:
        agency_name = res.manifest.agency.name
        confirmed = trust_new(res, path) if callable(trust_new) else bool(trust_new)
        if confirmed:
            res = verify_bundle(data, forms=ws.forms, trusted=_AlsoTrust(policy, res.signer_fingerprint, agency_name))
    if not res.ok:
        return _result(path, res, Outcome.REJECTED, res.code, res.reason)
    assert res.manifest is not None and res.submission is not None and res.signer_pem is not None
    manifest = res.manifest
    sid, version = manifest.submission.id, manifest.submission.version
    agency_name, form_id, period = manifest.agency.name, manifest.form.id, manifest.period
    digest = content_digest(res)

    existing = ReceivedReturn.get_or_none((ReceivedReturn.submission_id == sid) & (ReceivedReturn.version == version))
    if existing is not None:
        if existing.content_digest == digest:
            return _result(
                path,
                res,
                Outcome.DUPLICATE,
                ImportCode.DUPLICATE,
                f"Already imported on {existing.imported_at[:10]} (from {existing.file_name}); nothing was changed.",
                received_id=existing.id,
            )
        return _result(
            path,
            res,
            Outcome.REJECTED,
            ImportCode.CONFLICT,
            f"A different version {version} of this return (same submission id) was imported on "
            f"{existing.imported_at[:10]} from {existing.file_name}. Two different returns cannot carry the same "
            "id and version: ask the agency which one it signed off, and to reopen the return and send a new version.",
        )
    agency = registry.find_agency(ws, agency_name)
    if agency is not None:
        same_return = ReceivedReturn.select().where(
            (ReceivedReturn.agency == agency.id)
            & (ReceivedReturn.form_id == form_id)
            & (ReceivedReturn.period == period)
        )
        newest = max((r.version for r in same_return), default=0)
        if newest > version:
            return _result(
                path,
                res,
                Outcome.REJECTED,
                ImportCode.OLDER_VERSION,
                f"This is version {version}, but version {newest} of {agency.name}'s return for {period} has "
                "already been imported. An older version cannot replace a newer one; nothing was changed.",
            )
        if any(r.version == version for r in same_return):
            return _result(
                path,
                res,
                Outcome.REJECTED,
                ImportCode.CONFLICT,
                f"{agency.name} already sent a different version {version} of this return for {period} (another "
                "submission id). Ask the agency which one it signed off; it should reopen it and send version "
                f"{version + 1}.",
            )

    try:
        bundle_ref = ws.blobs.add_bytes(data, path.name)
        pdf_ref = ws.blobs.add_bytes(res.read_member("submission.pdf"), "submission.pdf")
        with ws.db.atomic():
            if confirmed:
                cert = registry.read_certificate(res.signer_pem)
                registry.trust_certificate(ws, agency_name, cert, source="import", sector=manifest.agency.sector)
            agency = registry.find_agency(ws, agency_name) or registry.add_agency(
                ws, agency_name, sector=manifest.agency.sector
            )
            stamp = now_iso()
            row = ReceivedReturn.create(
                submission_id=sid,
                version=version,
                supersedes_id=manifest.submission.supersedes,
                agency=agency.id,
                form_id=form_id,
                form_version=manifest.form.version,
                period=period,
                signed_at=manifest.signed_at,
                signatory_name=manifest.signatory.name,
                signatory_role=manifest.signatory.role,
                signer_fingerprint=res.signer_fingerprint,
                content_digest=digest,
                bundle_sha256=bundle_ref.sha256,
                pdf_sha256=pdf_ref.sha256,
                answers=dict(res.submission.answers),
                file_name=path.name,
                imported_at=stamp,
                imported_by=ws.user,
            )
            ReceivedReturn.update(superseded=True).where(
                (ReceivedReturn.agency == agency.id)
                & (ReceivedReturn.form_id == form_id)
                & (ReceivedReturn.period == period)
                & (ReceivedReturn.version < version)
            ).execute()
            registry.log(ws, "import", file=path.name, agency=agency.name, form=form_id, period=period, version=version)
    except (OSError, RegisterError) as exc:
        detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return _result(
            path,
            res,
            Outcome.REJECTED,
            ImportCode.NOT_STORED,
            f"The bundle is valid but could not be stored in the workspace ({detail}). Free some disk space or "
            "check the workspace folder, then import it again.",
        )
    return _result(
        path,
        res,
        Outcome.IMPORTED,
        Code.OK,
        f"Imported: {agency.name}, {manifest.form_title} {period}, version {version}.",
        newly_trusted=confirmed,
        received_id=row.id,
    )


def summary_counts(results: Sequence[ImportResult]) -> dict[str, int]:
    counts = {o.value: 0 for o in Outcome}
    for r in results:
        counts[r.outcome] += 1
    return counts

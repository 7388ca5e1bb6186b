"""What an import says about each file: the outcome and reason codes, the result row the window, the command line
and its JSON show, and the words for a bundle that is sound but could not be stored (kept apart from
:mod:`oscb_desktop.services.imports`, which decides them, so the import of a signed PDF alone can use them too)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from oscb_desktop.bundle import VerifyResult
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.services.write_failures import WriteFailure
from oscb_desktop.store.blobs import BlobStore

log = logging.getLogger(__name__)


class Outcome(StrEnum):
    IMPORTED = "imported"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


class ImportCode(StrEnum):
    """Reasons only the workspace can give (the verifier's own codes are in :class:`oscb_desktop.bundle.Code`)."""

    #: Imported from its signed PDF alone: the evidence files and answer history were not received.
    PDF_ONLY = "pdf_only"
    #: The bundle of a return imported earlier from its signed PDF alone: now complete.
    COMPLETED = "completed"
    DUPLICATE = "duplicate"
    CONFLICT = "conflict"
    OLDER_VERSION = "older_version"
    NOT_STORED = "not_stored"
    NOT_BUSINESS_UNIT = "not_business_unit"
    #: Addressed to another partnership than this Business Unit's.
    OTHER_PARTNERSHIP = "other_partnership"


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
    #: Not stored because the disk is full: nothing more can be stored until space is freed (not in the JSON;
    #: the code and reason say it).
    disk_full: bool = field(default=False, compare=False)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        del out["disk_full"]
        return out


def make_result(path: Path, res: VerifyResult, outcome: Outcome, code: str, reason: str, **extra: Any) -> ImportResult:
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


def not_imported_after_full_disk(paths: Iterable[Path]) -> list[ImportResult]:
    """The results of the files left when the disk filled up: not read, not stored (nothing more could be)."""
    return [
        ImportResult(
            file=str(path),
            outcome=Outcome.REJECTED.value,
            code=ImportCode.NOT_STORED.value,
            reason="Not imported: the disk became full while an earlier file was being stored, so nothing more "
            f"could be stored. {WHAT_TO_DO[True]}",
            disk_full=True,
        )
        for path in paths
    ]


#: What to do about a file that could not be stored, by whether the disk is full.
WHAT_TO_DO = {
    True: "Free some space on the disk that holds the workspace, then import again (bundles already imported "
    "are recognised and left as they are).",
    False: "Nothing of it was kept: once that is put right, import it again.",
}


def not_stored_reason(failure: WriteFailure) -> str:
    return f"The bundle is valid but could not be stored: {failure.detail}. {WHAT_TO_DO[failure.full]}"


def not_stored(path: Path, res: VerifyResult, failure: WriteFailure) -> ImportResult:
    """A sound file the workspace could not store (logged: the disk or the database said no)."""
    log.warning("%s could not be stored (%s)", path.name, failure.detail, exc_info=True)
    return make_result(
        path, res, Outcome.REJECTED, ImportCode.NOT_STORED, not_stored_reason(failure), disk_full=failure.full
    )


def remove_new_files(ws: Workspace, shas: Iterable[str]) -> None:
    """Files this import wrote before its rows could not be: no row points to them, so they go again. On a server
    they stay (another officer may have stored and named the same file meanwhile; see ``store.postgres``)."""
    if not isinstance(ws.blobs, BlobStore):
        return
    for sha in shas:
        try:
            ws.blobs.path(sha).unlink(missing_ok=True)
        except OSError:
            log.warning("could not remove the unused file %s", sha, exc_info=True)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def summary_counts(results: Sequence[ImportResult]) -> dict[str, int]:
    counts = {o.value: 0 for o in Outcome}
    for r in results:
        counts[r.outcome] += 1
    return counts

"""Import of ``.oscb`` bundles into the Business Unit's workspace, in three steps.

1. :func:`check_file` reads a bundle once and verifies it whole (DESIGN §5), except whether its signer is
   on the register. It needs no database, so it runs on any thread, and for many files in a pool of
   processes (:mod:`.checking`).
2. Whether the signer is trusted: the register decides (:func:`signer_is_unknown`); a signer not on it is
   asked about only now, when the rest of the bundle is known to be sound, and only once per signer.
3. :func:`store` applies the register's verdict (plus any signer just confirmed) and the checks only the
   workspace can make — a duplicate (same return, same content: a harmless no-op), a conflict (same
   submission id and version, other content), a replay (an older version than one already received) — and
   stores the bundle in one transaction. A rejected bundle writes nothing.

A bundle is verified once. :func:`import_paths` runs the three steps file by file (the command line), step 1
in the pool ahead of the file being stored; the window runs step 1 for every file in the background, asks its
questions, then runs step 3.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path

import peewee

from oscb_desktop.bundle import Code, Trust, VerifyResult, with_trust
from oscb_desktop.bundle.trust import decide, normalise_agency_name
from oscb_desktop.services import backups, import_pdf, partnerships, registry, survey, write_failures
from oscb_desktop.services.checking import (
    BUNDLE_SUFFIX,
    ENVELOPE_RULES,
    Checked,
    check_file,
    check_files,
    is_encrypted_name,
)
from oscb_desktop.services.concurrency import newer_stored, serialise
from oscb_desktop.services.import_pdf import PDF_SUFFIX
from oscb_desktop.services.import_results import (
    WHAT_TO_DO,
    ImportCode,
    ImportRefusedError,
    ImportResult,
    Outcome,
    make_result,
    not_imported_after_full_disk,
    not_stored,
    remove_new_files,
    sha256_hex,
    summary_counts,
)
from oscb_desktop.services.registry import RegisterError, RegisterPolicy
from oscb_desktop.services.workspace import Workspace, now_iso, uses_workspace
from oscb_desktop.services.write_failures import WRITE_ERRORS
from oscb_desktop.signing import UnlockedKey
from oscb_desktop.signing.envelope import ENVELOPE_SUFFIX
from oscb_desktop.store import Agency
from oscb_desktop.store.models import ReceivedReturn
from oscb_desktop.textsafe import shown

__all__ = [  # the results and the PDF-alone import have their own modules; import them from here as before
    "BUNDLE_SUFFIX",
    "ENVELOPE_RULES",
    "PDF_SUFFIX",
    "Checked",
    "ImportCode",
    "ImportRefusedError",
    "ImportResult",
    "Outcome",
    "Progress",
    "TrustDecision",
    "check_can_import",
    "check_file",
    "check_files",
    "content_digest",
    "expand_paths",
    "import_file",
    "import_paths",
    "is_encrypted_name",
    "not_imported_after_full_disk",
    "signer_is_unknown",
    "store",
    "summary_counts",
]

#: How long a run of imports keeps what it read of the register (seconds): another officer's change to the
#: register is seen within this; the run's own changes at once.
REGISTER_KEPT_FOR = 1.0
#: What a folder is searched for: plain and encrypted bundles.
BUNDLE_SUFFIXES = (BUNDLE_SUFFIX, BUNDLE_SUFFIX + ENVELOPE_SUFFIX)

log = logging.getLogger(__name__)


#: Asked when a bundle is intact but signed by a certificate not yet on the register: show the agency and
#: the fingerprint, and return True only if the user confirmed it matches what the agency gave them.
TrustDecision = Callable[[VerifyResult, Path], bool]
Progress = Callable[[int, int, str], None]


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given, and every ``*.oscb`` and ``*.oscb.p7m`` file under the folders given (symbolic links not
    followed)."""
    out: list[Path] = []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        found: list[Path]
        if path.is_dir():
            found = []
            for root, dirs, files in os.walk(path, followlinks=False):
                dirs.sort()
                found += [Path(root) / f for f in sorted(files) if f.lower().endswith(BUNDLE_SUFFIXES)]
        else:
            found = [path]
        for f in found:
            key = f.absolute()
            if key not in seen:
                seen.add(key)
                out.append(f)
    return out


@uses_workspace
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
    try:
        registry.become_business_unit(ws)
    except WRITE_ERRORS as exc:
        failure = write_failures.explain(exc, ws.folder)
        log.warning("the workspace could not become the Business Unit's (%s)", failure.detail, exc_info=True)
        raise ImportRefusedError(f"Nothing was imported: {failure.detail}. {WHAT_TO_DO[failure.full]}") from None


@uses_workspace
def addressed_elsewhere(ws: Workspace, res: VerifyResult) -> str | None:
    """Why a return addressed to another partnership is refused here (None: it is for this Business Unit, or
    names no partnership, as returns made before partnerships were joined)."""
    named = res.manifest.partnership if res.manifest is not None else None
    if named is None:
        return None
    mine = partnerships.own(ws)
    if mine is not None and mine.id == named.id:
        return None
    here = f"this workspace is the Business Unit of {mine.name}" if mine else "this workspace has no partnership set up"
    return (
        f"This return is addressed to {shown(named.name)}, and {here}. Send it to {shown(named.name)}'s Business "
        "Unit; nothing was stored."
    )


def register_for_run(ws: Workspace) -> RegisterPolicy:
    """The register as a run of many bundles reads it: once, and again after a second or after changing it."""
    return RegisterPolicy(ws, max_age=REGISTER_KEPT_FOR)


@uses_workspace
def signer_is_unknown(ws: Workspace, checked: Checked, register: RegisterPolicy | None = None) -> bool:
    """Step 2: a sound bundle whose signer the register does not know (neither trusted nor revoked).

    ``register``: the run's (:func:`register_for_run`); read afresh when not given."""
    signer = checked.signer
    if signer is None or addressed_elsewhere(ws, checked.result) is not None:
        return False  # refused whoever signed it: no question to ask
    assert checked.result.manifest is not None
    policy = register if register is not None else RegisterPolicy(ws)
    return decide(policy, signer[0], checked.result.manifest.agency.name) == Trust.UNKNOWN


@uses_workspace
def import_paths(
    ws: Workspace,
    paths: Iterable[str | Path],
    *,
    trust_new: bool | TrustDecision = False,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    key: UnlockedKey | None = None,
    processes: int | None = None,
) -> list[ImportResult]:
    """Import every bundle found in ``paths``, one transaction each; one result per file, in order.

    ``key``: the Business Unit's key, unlocked once for the run, which opens encrypted bundles (``.oscb.p7m``).
    ``processes``: how many processes verify the bundles (one per core by default, see :mod:`.checking`).

    ``trust_new`` answers for a sound bundle whose signer is not on the register: True trusts every such
    signer (``oscb import --trust-new``), a callable is asked once per signer and agency.
    """
    check_can_import(ws)
    backups.before(ws, "import")
    files = expand_paths(paths)
    results = []
    answers: dict[tuple[str, str], bool] = {}
    checks = check_files(files, ws.forms, key, processes=processes, cancelled=cancelled, with_pdf=True)
    register = register_for_run(ws)
    for n, checked in enumerate(checks):
        if cancelled is not None and cancelled():
            break
        path = checked.path
        if progress is not None:
            progress(n, len(files), path.name)
        confirmed = False
        if checked.signer is not None and signer_is_unknown(ws, checked, register):
            if checked.signer not in answers:
                answers[checked.signer] = trust_new(checked.result, path) if callable(trust_new) else bool(trust_new)
            confirmed = answers[checked.signer]
        result = store(ws, checked, confirmed=confirmed, register=register)
        results.append(result)
        if result.disk_full:
            results += not_imported_after_full_disk(files[n + 1 :])
            break
    if progress is not None:
        progress(len(results), len(files), "")
    return results


@uses_workspace
def import_file(ws: Workspace, path: str | Path, *, trust_new: bool | TrustDecision = False) -> ImportResult:
    """One file through the three steps."""
    return import_paths(ws, [path], trust_new=trust_new)[0]


class _AlsoTrust:
    """The register, plus one certificate the user has just confirmed (saved only if the import succeeds)."""

    def __init__(self, base: RegisterPolicy, fingerprint: str, agency_name: str) -> None:
        self.base, self.fingerprint, self.agency = base, fingerprint, normalise_agency_name(agency_name)

    def __call__(self, fingerprint: str, agency_name: str, /) -> Trust:
        verdict = self.base(fingerprint, agency_name)
        if (
            verdict == Trust.UNKNOWN
            and fingerprint == self.fingerprint
            and normalise_agency_name(agency_name) == self.agency
        ):
            return Trust.TRUSTED
        return verdict


def content_digest(res: VerifyResult) -> str:
    """Equal for every export of the same signed return: the answers and the signed PDF, not the manifest."""
    digest = hashlib.sha256()
    for member in ("submission.json", "submission.pdf"):
        # A bundle's members were checked against their SHA-256s in the manifest when it was verified.
        entry = res.manifest.member(member) if res.loose is None and res.manifest is not None else None
        sha = bytes.fromhex(entry.sha256) if entry is not None else hashlib.sha256(res.read_member(member)).digest()
        digest.update(sha)
    return digest.hexdigest()


class _LostRace(Exception):
    """Another officer stored the same return, agency or certificate, or a newer version, between the checks and
    this transaction (a Business Unit on a shared server): the checks are made again."""


@uses_workspace
def store(
    ws: Workspace, checked: Checked, *, confirmed: bool = False, register: RegisterPolicy | None = None
) -> ImportResult:
    """Step 3: the register's verdict on the signer (``confirmed``: the user has just vouched for an unknown
    one), then duplicate, conflict and replay, then the bundle stored in one transaction.

    Two officers importing the same bundle at once: one stores it, the other's transaction fails on the unique
    key and is checked again, finding a duplicate (or, for an older version that lost to a newer one, a replay).

    ``register``: the run's (:func:`register_for_run`); read afresh when not given.
    """
    policy = register if register is not None else RegisterPolicy(ws)
    try:
        return _store(ws, checked, policy, confirmed=confirmed)
    except _LostRace:
        policy.forget()
        return _store(ws, checked, policy, confirmed=confirmed, again=True)


def _store(
    ws: Workspace, checked: Checked, policy: RegisterPolicy, *, confirmed: bool, again: bool = False
) -> ImportResult:
    path, data = checked.path, checked.data
    res = checked.result
    newly_trusted = False
    if res.ok and res.signer_fingerprint and res.manifest is not None:
        unknown = decide(policy, res.signer_fingerprint, res.manifest.agency.name) == Trust.UNKNOWN
        newly_trusted = confirmed and unknown
        res = with_trust(
            res, _AlsoTrust(policy, res.signer_fingerprint, res.manifest.agency.name) if newly_trusted else policy
        )
    elsewhere = addressed_elsewhere(ws, res)
    if elsewhere is not None:
        return make_result(path, res, Outcome.REJECTED, ImportCode.OTHER_PARTNERSHIP, elsewhere)
    if not res.ok:
        return make_result(path, res, Outcome.REJECTED, res.code, res.reason)
    assert data is not None
    assert res.manifest is not None and res.submission is not None and res.signer_pem is not None
    manifest = res.manifest
    sid, version = manifest.submission.id, manifest.submission.version
    agency_name, form_id, period = manifest.agency.name, manifest.form.id, manifest.period
    digest = content_digest(res)

    agency = policy.find_agency(agency_name)
    # Read before the duplicate check: what another officer commits in between is then a duplicate, not a conflict.
    same_return = (
        list(
            ReceivedReturn.select(ReceivedReturn.version).where(
                (ReceivedReturn.agency == agency.id)
                & (ReceivedReturn.form_id == form_id)
                & (ReceivedReturn.period == period)
            )
        )
        if agency is not None
        else []
    )
    existing = ReceivedReturn.get_or_none((ReceivedReturn.submission_id == sid) & (ReceivedReturn.version == version))
    if existing is not None:
        if existing.content_digest == digest:
            if not existing.bundle_sha256 and res.source == "bundle":
                return import_pdf.complete(ws, path, data, res, existing)
            return make_result(
                path,
                res,
                Outcome.DUPLICATE,
                ImportCode.DUPLICATE,
                f"Already imported on {existing.imported_at[:10]} (from {existing.file_name}"
                + (", with its bundle" if existing.bundle_sha256 and res.source == "pdf" else "")
                + "); nothing was changed.",
                received_id=existing.id,
            )
        return make_result(
            path,
            res,
            Outcome.REJECTED,
            ImportCode.CONFLICT,
            f"A different version {version} of this return (same submission id) was imported on "
            f"{existing.imported_at[:10]} from {existing.file_name}. Two different returns cannot carry the same "
            "id and version: ask the agency which one it signed off, and to reopen the return and send a new version.",
        )
    if agency is not None:
        newest = max((r.version for r in same_return), default=0)
        if newest > version:
            return make_result(
                path,
                res,
                Outcome.REJECTED,
                ImportCode.OLDER_VERSION,
                f"This is version {version}, but version {newest} of {agency.name}'s return for {period} has "
                "already been imported. An older version cannot replace a newer one; nothing was changed.",
            )
        if any(r.version == version for r in same_return):
            return make_result(
                path,
                res,
                Outcome.REJECTED,
                ImportCode.CONFLICT,
                f"{agency.name} already sent a different version {version} of this return for {period} (another "
                "submission id). Ask the agency which one it signed off; it should reopen it and send version "
                f"{version + 1}.",
            )

    pdf = checked.pdf  # read by the pool's process, if it checked the bundle; else here
    entry = manifest.member("submission.pdf")
    if pdf is None or entry is None or sha256_hex(pdf) != entry.sha256:
        pdf = res.read_member("submission.pdf")
    pdf_alone = res.source == "pdf"
    # Files are written before the rows (a row never points to a missing file); those written here are removed
    # again if the rows cannot be written.
    new_files = [sha for sha in {sha256_hex(data), sha256_hex(pdf)} if not ws.blobs.exists(sha)]
    try:
        bundle_sha256 = "" if pdf_alone else ws.blobs.add_bytes(data, path.name).sha256
        pdf_ref = ws.blobs.add_bytes(pdf, "submission.pdf")
        with ws.db.atomic():
            lineage = (agency_name, form_id, period)
            serialise(ws, "import", *lineage)
            if agency is None or newly_trusted:
                policy.forget()  # the register changes here (or another officer's change since the checks is seen)
            if agency is None:
                agency = registry.find_agency(ws, agency_name)
            if not again and agency is not None and newer_stored(ws, agency.id, form_id, period, version):
                raise _LostRace()
            if newly_trusted:
                cert = registry.read_certificate(res.signer_pem)
                registry.trust_certificate(ws, agency_name, cert, source="import", sector=manifest.agency.sector)
                agency = agency or registry.find_agency(ws, agency_name)
            if agency is None:
                agency = registry.add_agency(ws, agency_name, sector=manifest.agency.sector)
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
                bundle_sha256=bundle_sha256,
                pdf_sha256=pdf_ref.sha256,
                answers=dict(res.submission.answers),
                file_name=path.name,
                imported_at=stamp,
                imported_by=ws.user,
            )
            survey.keep_received(ws, row.id, res.submission.survey)  # the practitioners' counts, if it brought them
            ReceivedReturn.update(superseded=True).where(
                (ReceivedReturn.agency == agency.id)
                & (ReceivedReturn.form_id == form_id)
                & (ReceivedReturn.period == period)
                & (ReceivedReturn.version < version)
            ).execute()
            registry.log(ws, "import", file=path.name, agency=agency.name, form=form_id, period=period, version=version)
    except (peewee.IntegrityError, _LostRace) as exc:
        if not again:
            raise _LostRace() from None
        remove_new_files(ws, new_files)
        return not_stored(path, res, write_failures.explain(exc, ws.folder))
    except RegisterError as exc:
        remove_new_files(ws, new_files)
        return make_result(
            path, res, Outcome.REJECTED, ImportCode.NOT_STORED, f"The bundle is valid but not stored: {exc}"
        )
    except WRITE_ERRORS as exc:
        remove_new_files(ws, new_files)
        return not_stored(path, res, write_failures.explain(exc, ws.folder))
    if pdf_alone:
        return make_result(
            path,
            res,
            Outcome.IMPORTED,
            ImportCode.PDF_ONLY,
            f"Imported from the signed PDF alone: {agency.name}, {manifest.form_title} {period}, version {version}. "
            f"{import_pdf.not_received(res)}; import the .oscb bundle when it comes to complete it.",
            newly_trusted=newly_trusted,
            received_id=row.id,
        )
    return make_result(
        path,
        res,
        Outcome.IMPORTED,
        Code.OK,
        f"Imported: {agency.name}, {manifest.form_title} {period}, version {version}.",
        newly_trusted=newly_trusted,
        received_id=row.id,
    )

"""The partnerships of a workspace: read them, and join or update one from its signed pack (agency side).

A pack is checked whole first (:func:`oscb_desktop.packs.check_pack`: the signed zip, the profile, every form);
then against this workspace (:func:`preview`): who signed it — the first time, the person joining compares the
fingerprint with the one the partnership published, nothing is trusted silently; afterwards only the key trusted
then, or a new key a pack signed with it introduced — whether it is newer than the pack held, and whether its forms
clash with installed ones. Only then :func:`join` stores it, in one transaction: a refused pack changes nothing.
The Business Unit's side (setting a partnership up, its forms, publishing) is :mod:`.partnership_admin`.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from cryptography import x509

from oscb_desktop import packs
from oscb_desktop.bundle.codes import Code
from oscb_desktop.bundle.model import PartnershipName
from oscb_desktop.forms import FormDefinition
from oscb_desktop.forms.loader import same_definition
from oscb_desktop.partnership import Partnership as Profile
from oscb_desktop.services.values import PartnershipInfo, ReturnInfo
from oscb_desktop.services.workspace import Workspace, now_iso, profile_of, uses_workspace
from oscb_desktop.signing import envelope, format_fingerprint
from oscb_desktop.store.models import Partnership, PartnershipForm, PartnershipIdentity, RegisteredAgency

__all__ = [
    "JoinOutcome",
    "JoinPreview",
    "PackRefusedError",
    "get",
    "join",
    "list_partnerships",
    "normalise_fingerprint",
    "own",
    "preview",
]


class PackRefusedError(Exception):
    """A pack this workspace does not accept; ``code`` is one of :class:`~oscb_desktop.bundle.codes.Code`, the
    message is for the user. Nothing was changed."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class JoinOutcome(StrEnum):
    JOINED = "joined"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class JoinPreview:
    """What joining a pack would do here, before anything is stored."""

    check: packs.PackCheck
    #: JOINED (a partnership new to this workspace), UPDATED or UNCHANGED
    outcome: JoinOutcome
    #: The first time: the fingerprint the person joining must compare with the one the partnership published.
    needs_trust: bool
    held_version: int

    @property
    def fingerprint(self) -> str:
        return self.check.signer_fingerprint or ""

    @property
    def name(self) -> str:
        return self.check.profile.name if self.check.profile else ""

    def describe(self) -> str:
        profile, check = self.check.profile, self.check
        assert profile is not None
        forms = ", ".join(f"{f.id} {f.version} for {f.period}" for f in profile.forms) or "no forms"
        if self.outcome is JoinOutcome.UNCHANGED:
            return f"You already have version {check.pack_version} of the pack of {profile.name}: nothing changes."
        verb = "Join" if self.outcome is JoinOutcome.JOINED else f"Update from version {self.held_version} to"
        return f"{verb} {profile.name} (pack version {check.pack_version}): {len(profile.agencies)} members; {forms}."


def normalise_fingerprint(text: str) -> str:
    """A fingerprint as typed or pasted (colons, spaces, any case) as lower-case hex."""
    return re.sub(r"[^0-9a-f]", "", (text or "").lower())


@uses_workspace
def own(ws: Workspace) -> PartnershipInfo | None:
    """The partnership this workspace is the Business Unit of, if any."""
    row = Partnership.get_or_none(Partnership.own == True)  # noqa: E712 (peewee expression)
    return _info(row) if row is not None else None


@uses_workspace
def get(ws: Workspace, partnership_id: str) -> PartnershipInfo | None:
    row = Partnership.get_or_none(Partnership.id == partnership_id)
    return _info(row) if row is not None else None


@uses_workspace
def list_partnerships(ws: Workspace) -> list[PartnershipInfo]:
    """The Business Unit's own partnership first, then those joined, oldest first."""
    rows = Partnership.select().order_by(Partnership.own.desc(), Partnership.joined_at, Partnership.name)
    return [_info(row) for row in rows]


@uses_workspace
def profile_for(ws: Workspace, partnership_id: str | None) -> Profile:
    """The partnership a return is addressed to, as documents name it (the workspace's own when it names none)."""
    if partnership_id is not None:
        row = Partnership.get_or_none(Partnership.id == partnership_id)
        if row is not None:
            return profile_of(row, ws.profile.agencies if row.own else None)
    return ws.profile


@uses_workspace
def addressed_to(ws: Workspace, sub: ReturnInfo) -> PartnershipName | None:
    """What the return's ``submission.json`` and manifest say of its partnership (None when it names none)."""
    if sub.partnership_id is None:
        return None
    row = Partnership.get_or_none(Partnership.id == sub.partnership_id)
    return PartnershipName(row.id, row.name) if row is not None else None


@uses_workspace
def encryption_certificates(ws: Workspace, partnership_id: str | None) -> list[x509.Certificate]:
    """The Business Unit certificates a return to this partnership is encrypted for: the key the agency trusts
    and, while the Business Unit changes keys, its successor (either can open it). Empty when the return names no
    partnership, or its Business Unit's key cannot receive encrypted files (not RSA)."""
    row = Partnership.get_or_none(Partnership.id == partnership_id) if partnership_id else None
    if row is None or row.own:
        return []
    found = []
    for pem in (row.signer_pem, row.successor_pem):
        if pem:
            certificate = x509.load_pem_x509_certificate(pem.encode("ascii"))
            if envelope.can_encrypt_to(certificate):
                found.append(certificate)
    return found


def _info(row: Partnership) -> PartnershipInfo:
    forms = list(PartnershipForm.select().where(PartnershipForm.partnership == row.id).order_by(PartnershipForm.id))
    if not row.own:
        return PartnershipInfo.from_row(row, forms)
    # A Business Unit's members are its register, and its fingerprint that of the key it signs with now.
    members = [(a.name, a.sector) for a in RegisteredAgency.select().order_by(RegisteredAgency.name)]
    signer = (
        PartnershipIdentity.select()
        .where((PartnershipIdentity.partnership == row.id) & PartnershipIdentity.retired_at.is_null())
        .order_by(PartnershipIdentity.id.desc())
        .first()
    )
    info = PartnershipInfo.from_row(row, forms, members)
    return dataclasses.replace(info, signer_fingerprint=signer.fingerprint if signer else None)


@uses_workspace
def preview(ws: Workspace, pack: bytes | str | os.PathLike[str]) -> JoinPreview:
    """Check a pack and what it would do here; raises :class:`PackRefusedError` for one that is not accepted."""
    check = packs.check_pack(pack)
    if not check.ok:
        raise PackRefusedError(check.code, check.reason)
    profile = check.profile
    assert profile is not None and check.signer_fingerprint is not None
    row = Partnership.get_or_none(Partnership.id == profile.id)
    if row is not None and row.own:
        raise PackRefusedError(
            Code.PACK_CONFLICT.value,
            f"This workspace is the Business Unit of {row.name}: it publishes that partnership's pack, and does not "
            "join it.",
        )
    _check_forms(ws, check, profile.id)
    if row is None:
        return JoinPreview(check, JoinOutcome.JOINED, needs_trust=True, held_version=0)
    trusted = {row.signer_fingerprint, row.successor_fingerprint} - {None}
    if check.signer_fingerprint not in trusted:
        raise PackRefusedError(
            Code.UNTRUSTED_SIGNER.value,
            f"This pack of {row.name} is not signed by the Business Unit key you trusted when you joined "
            f"({format_fingerprint(row.signer_fingerprint or '')}), nor by a new key a pack signed with it introduced. "
            "Do not use it; ask the partnership's Business Unit, by phone, whether it changed its key.",
        )
    if check.pack_version < row.pack_version:
        raise PackRefusedError(
            Code.OLDER_PACK.value,
            f"This is version {check.pack_version} of the pack of {row.name}; you already have version "
            f"{row.pack_version}, which is newer. Nothing was changed.",
        )
    if check.pack_version == row.pack_version:
        if _held_digest(ws, row) != check.content_digest:
            raise PackRefusedError(
                Code.PACK_CONFLICT.value,
                f"This pack of {row.name} has the version you already have ({row.pack_version}) but other content. "
                "A Business Unit publishes each change under a new version: ask it which pack is current.",
            )
        return JoinPreview(check, JoinOutcome.UNCHANGED, needs_trust=False, held_version=row.pack_version)
    return JoinPreview(check, JoinOutcome.UPDATED, needs_trust=False, held_version=row.pack_version)


def _held_digest(ws: Workspace, row: Partnership) -> str | None:
    if not row.pack_sha256 or not ws.blobs.exists(row.pack_sha256):
        return None
    return packs.check_pack(ws.blobs.read(row.pack_sha256)).content_digest


def _check_forms(ws: Workspace, check: packs.PackCheck, partnership_id: str) -> None:
    """A form of the pack must not be another definition under an id and version this workspace has (shipped
    with the app, or from another partnership): returns name forms by id and version."""
    theirs: dict[tuple[str, str], FormDefinition] = dict(ws.base_forms.forms)
    for row in PartnershipForm.select().where(PartnershipForm.partnership != partnership_id):
        known = ws.forms.forms.get((row.form_id, row.form_version))
        if known is not None:
            theirs.setdefault((row.form_id, row.form_version), known)
    for form in check.forms:
        known = theirs.get(form.definition.key)
        if known is not None and not same_definition(known, form.definition):
            raise PackRefusedError(
                Code.FORM_CONFLICT.value,
                f"The pack's form {form.entry.id} {form.entry.version} differs from the form of that id and version "
                "already installed. Ask the partnership's Business Unit to publish its changed form under a new "
                "version.",
            )


TrustAnswer = str | Callable[[JoinPreview], bool] | None


@dataclass(frozen=True)
class JoinResult:
    partnership: PartnershipInfo
    outcome: JoinOutcome
    #: What changed, in words for the user.
    message: str


@uses_workspace
def join(ws: Workspace, pack: bytes | str | os.PathLike[str], *, trust: TrustAnswer = None) -> JoinResult:
    """Join a partnership from its pack, or update from a newer one.

    ``trust``: needed the first time only — the fingerprint the partnership published (compared with the pack's
    signer), or a callable shown the :class:`JoinPreview` that answers whether the person compared it and it
    matched. Without it, the first join is refused with the fingerprint to compare (``untrusted_signer``).
    """
    found = preview(ws, pack)
    check, profile = found.check, found.check.profile
    assert profile is not None and check.signer_fingerprint is not None
    if found.needs_trust and not _trusted(found, trust):
        raise PackRefusedError(
            Code.UNTRUSTED_SIGNER.value,
            f"Compare the Business Unit's fingerprint with the one {profile.name} published before you join: "
            f"{format_fingerprint(check.signer_fingerprint)}. It was not confirmed, so nothing was changed.",
        )
    if found.outcome is JoinOutcome.UNCHANGED:
        info = get(ws, profile.id)
        assert info is not None
        return JoinResult(info, found.outcome, found.describe())
    ref = ws.blobs.add_bytes(check.data, f"{profile.short_name} pack {check.pack_version}.oscbpack")
    stamp = now_iso()
    with ws.db.atomic():
        row = Partnership.get_or_none(Partnership.id == profile.id)
        signer, signer_pem = check.signer_fingerprint, (check.signer_pem or b"").decode("ascii")
        fields = dict(
            name=profile.name,
            short_name=profile.short_name,
            contact_name=profile.contact.name,
            contact_email=profile.contact.email,
            contact_phone=profile.contact.phone,
            sectors=[list(s) for s in profile.sectors],
            members=[{"name": n, "sector": s} for n, s in profile.agencies],
            pack_version=check.pack_version,
            pack_sha256=ref.sha256,
            signer_fingerprint=signer,
            signer_pem=signer_pem,
            successor_fingerprint=check.successor_fingerprint,
            successor_pem=check.successor_pem.decode("ascii") if check.successor_pem else None,
            updated_at=stamp,
        )
        if row is None:
            Partnership.create(id=profile.id, own=False, joined_at=stamp, **fields)
        else:
            Partnership.update(**fields).where(Partnership.id == profile.id).execute()
        in_pack = set()
        for form in check.forms:
            key = (form.entry.id, form.entry.version)
            in_pack.add(key)
            deadline = form.entry.deadline.isoformat() if form.entry.deadline else None
            existing = PartnershipForm.get_or_none(
                (PartnershipForm.partnership == profile.id)
                & (PartnershipForm.form_id == key[0])
                & (PartnershipForm.form_version == key[1])
            )
            values = dict(period=form.entry.period, deadline=deadline, source=form.source, sha256=form.sha256)
            if existing is None:
                PartnershipForm.create(
                    partnership=profile.id, form_id=key[0], form_version=key[1], active=True, added_at=stamp, **values
                )
            else:
                PartnershipForm.update(active=True, **values).where(PartnershipForm.id == existing.id).execute()
        for old in PartnershipForm.select().where(PartnershipForm.partnership == profile.id):
            if (old.form_id, old.form_version) not in in_pack:
                PartnershipForm.update(active=False).where(PartnershipForm.id == old.id).execute()
    ws.refresh_partnerships()
    info = get(ws, profile.id)
    assert info is not None
    return JoinResult(info, found.outcome, found.describe())


def _trusted(found: JoinPreview, trust: TrustAnswer) -> bool:
    if trust is None:
        return False
    if callable(trust):
        return bool(trust(found))
    return normalise_fingerprint(trust) == found.fingerprint

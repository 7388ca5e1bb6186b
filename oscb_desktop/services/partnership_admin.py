"""The Business Unit's side of a partnership: set one up, keep its profile and forms, publish its pack.

A Business Unit workspace holds one partnership of its own (``partnership.own``): its name, contact, sectors, its
member agencies (the register, :mod:`.registry`), the forms it uses with their periods and deadlines (the exact
YAML of each), and its signing identity (kept like an agency's: the key encrypted with a passphrase that is never
stored). :func:`publish` puts all of it but the key into a signed pack (:mod:`oscb_desktop.packs`) whose version
only goes up. The agencies' side is :mod:`.partnerships`.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization

from oscb_desktop import datafiles, signing
from oscb_desktop.forms import FormDefinition, FormDefinitionError
from oscb_desktop.forms.loader import load_text, same_definition
from oscb_desktop.fsutil import atomic_write
from oscb_desktop.packs import Contact, PackForm, PackProfile, build_pack
from oscb_desktop.services import registry
from oscb_desktop.services.partnerships import own
from oscb_desktop.services.values import PartnershipIdentityInfo, PartnershipInfo
from oscb_desktop.services.workspace import Workspace, now_iso, partnership, uses_workspace
from oscb_desktop.signing import UnlockedKey
from oscb_desktop.store.models import (
    Partnership,
    PartnershipForm,
    PartnershipIdentity,
    ReceivedReturn,
    RegisteredAgency,
    Submission,
)

__all__ = [
    "PartnershipAdminError",
    "PublishResult",
    "add_form",
    "current_identity",
    "init",
    "publish",
    "read_members_file",
    "remove_form",
    "rotate_key",
    "set_deadline",
    "unlock",
    "update_profile",
]

#: The role printed in the Business Unit's certificate.
BU_ROLE = "Business Unit"


class PartnershipAdminError(Exception):
    """A change to the partnership refused; the message is for the Business Unit officer."""


# Setting up -------------------------------------------------------------------------------------------


def read_members_file(path: str | Path) -> tuple[list[tuple[str, str]] | None, list[tuple[str, str]]]:
    """``(sectors or None, members)`` from a YAML file: a list of ``{name, sector}``, or a mapping with
    ``agencies`` (that list) and optionally ``sectors`` (``[{id, label}, ...]``)."""
    try:
        data = datafiles.parse_yaml(datafiles.read_text(path), str(path))
    except datafiles.DataFileError as exc:
        raise PartnershipAdminError(str(exc)) from None
    sectors = None
    if isinstance(data, dict):
        raw_sectors = data.get("sectors")
        if raw_sectors is not None:
            if not isinstance(raw_sectors, list) or not all(
                isinstance(s, dict) and isinstance(s.get("id"), str) and isinstance(s.get("label"), str)
                for s in raw_sectors
            ):
                raise PartnershipAdminError(f"{Path(path).name}: sectors must be a list of {{id, label}}.")
            sectors = [(s["id"], s["label"]) for s in raw_sectors]
        data = data.get("agencies")
    if not isinstance(data, list) or not all(
        isinstance(a, dict) and isinstance(a.get("name"), str) and isinstance(a.get("sector", ""), str) for a in data
    ):
        raise PartnershipAdminError(
            f"{Path(path).name}: the member agencies must be a list of {{name, sector}} (e.g. "
            "'- {name: Thames Valley Police, sector: police}')."
        )
    members = [(" ".join(a["name"].split()), a.get("sector", "")) for a in data]
    return sectors, [(n, s) for n, s in members if n]


@uses_workspace
def init(
    ws: Workspace,
    *,
    name: str,
    short_name: str,
    passphrase: str,
    members: Sequence[tuple[str, str]] | None = None,
    sectors: Sequence[tuple[str, str]] | None = None,
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    partnership_id: str | None = None,
) -> PartnershipInfo:
    """Make this workspace the Business Unit of a new partnership, with its signing identity and the newest form
    of each kind shipped with the app (its deadline as shipped; change them with :func:`add_form`).

    ``members``/``sectors``: the partnership's own; the shipped template's sectors when not given, and no members.
    """
    name, short_name = " ".join(name.split()), " ".join(short_name.split())
    if not name or not short_name:
        raise PartnershipAdminError("The partnership needs a name and a short name.")
    if len(short_name) > 20:
        raise PartnershipAdminError("The short name is at most 20 characters (it names files and columns).")
    if own(ws) is not None:
        raise PartnershipAdminError(f"This workspace is already the Business Unit of {own(ws).name}.")  # type: ignore[union-attr]
    if Partnership.select().exists():
        raise PartnershipAdminError(
            "This workspace has joined a partnership as an agency; set a new partnership up in a workspace of its "
            "own (File ▸ New workspace, or another --data-dir)."
        )
    template = partnership()
    sector_list = list(sectors) if sectors else list(template.sectors.items())
    known = {s for s, _ in sector_list}
    for member, sector in members or []:
        if sector and sector not in known:
            raise PartnershipAdminError(
                f"{member}: the sector {sector!r} is not one of the partnership's ({', '.join(sorted(known))})."
            )
    identity = signing.create_identity(
        contact_name.strip() or f"{short_name} Business Unit",
        BU_ROLE,
        name,
        contact_email or None,
        passphrase,
        for_encryption=True,  # agencies encrypt their returns to it (signing/envelope.py)
    )
    pid = partnership_id or str(uuid.uuid4())
    stamp = now_iso()
    with ws.db.atomic():
        registry.become_business_unit(ws, register_template=False)
        Partnership.create(
            id=pid,
            own=True,
            name=name,
            short_name=short_name,
            contact_name=contact_name.strip(),
            contact_email=contact_email.strip(),
            contact_phone=contact_phone.strip(),
            sectors=[list(s) for s in sector_list],
            members=[],
            joined_at=stamp,
            updated_at=stamp,
        )
        for member, sector in members or []:
            if registry.find_agency(ws, member) is None:
                registry.add_agency(ws, member, sector=sector)
        _store_identity(pid, identity, "created", stamp)
        for form in _newest_shipped(ws):
            _put_form(pid, form, _source_of(form), form.period, form.deadline, stamp)
        registry.log(ws, "partnership-init", partnership=name, id=pid)
    ws.refresh_partnerships()
    info = own(ws)
    assert info is not None
    return info


def _newest_shipped(ws: Workspace) -> list[FormDefinition]:
    newest: dict[str, FormDefinition] = {}
    for form in ws.base_forms:  # sorted by id, then version
        newest[form.id] = form
    return list(newest.values())


def _source_of(form: FormDefinition) -> str:
    try:
        return Path(form.source).read_text(encoding="utf-8")
    except OSError as exc:
        raise PartnershipAdminError(f"The form file {form.source} cannot be read ({exc.strerror}).") from None


def _store_identity(pid: str, identity: signing.SigningIdentity, origin: str, stamp: str) -> None:
    PartnershipIdentity.update(retired_at=stamp).where(
        (PartnershipIdentity.partnership == pid) & PartnershipIdentity.retired_at.is_null()
    ).execute()
    PartnershipIdentity.create(
        partnership=pid,
        fingerprint=identity.fingerprint_sha256,
        certificate_pem=identity.certificate_pem.decode("ascii"),
        encrypted_key_pem=identity.encrypted_key_pem.decode("ascii"),
        origin=origin,
        created_at=stamp,
    )


def _own_row(ws: Workspace) -> Partnership:
    row = Partnership.get_or_none(Partnership.own == True)  # noqa: E712 (peewee expression)
    if row is None:
        raise PartnershipAdminError(
            "This workspace is not a partnership's Business Unit yet: set the partnership up first "
            "(Business Unit ▸ Partnership settings…, or oscb partnership init)."
        )
    return row


@uses_workspace
def current_identity(ws: Workspace) -> PartnershipIdentityInfo:
    row = _own_row(ws)
    ident = (
        PartnershipIdentity.select()
        .where((PartnershipIdentity.partnership == row.id) & PartnershipIdentity.retired_at.is_null())
        .order_by(PartnershipIdentity.id.desc())
        .first()
    )
    if ident is None:
        raise PartnershipAdminError(f"{row.name} has no signing identity.")
    return PartnershipIdentityInfo.from_row(ident)


def unlock(identity: PartnershipIdentityInfo, passphrase: str) -> UnlockedKey:
    """Raises :class:`~oscb_desktop.signing.WrongPassphraseError` when the passphrase is not right."""
    return signing.unlock(
        signing.SigningIdentity(identity.certificate_pem.encode(), identity.encrypted_key_pem.encode()), passphrase
    )


# The profile and its forms ----------------------------------------------------------------------------

_PROFILE_FIELDS = ("name", "short_name", "contact_name", "contact_email", "contact_phone")


@uses_workspace
def update_profile(ws: Workspace, **fields: str) -> PartnershipInfo:
    """Change the name, short name or contact (``contact_name``, ``contact_email``, ``contact_phone``)."""
    unknown = set(fields) - set(_PROFILE_FIELDS)
    if unknown:
        raise PartnershipAdminError(f"Only {', '.join(_PROFILE_FIELDS)} can be changed here.")
    values = {k: " ".join((v or "").split()) for k, v in fields.items()}
    if ("name" in values and not values["name"]) or ("short_name" in values and not values["short_name"]):
        raise PartnershipAdminError("The partnership needs a name and a short name.")
    if len(values.get("short_name", "")) > 20:
        raise PartnershipAdminError("The short name is at most 20 characters (it names files and columns).")
    email = values.get("contact_email", "")
    if email and "@" not in email:
        raise PartnershipAdminError(f"{email!r} does not look like an email address.")
    with ws.db.atomic():
        row = _own_row(ws)
        Partnership.update(updated_at=now_iso(), **values).where(Partnership.id == row.id).execute()
        registry.log(ws, "partnership-update", **values)
    ws.refresh_partnerships()
    info = own(ws)
    assert info is not None
    return info


def _put_form(pid: str, form: FormDefinition, source: str, period: str, deadline: date | None, stamp: str) -> None:
    existing = PartnershipForm.get_or_none(
        (PartnershipForm.partnership == pid)
        & (PartnershipForm.form_id == form.id)
        & (PartnershipForm.form_version == form.version)
    )
    values: dict[str, Any] = dict(
        period=period,
        deadline=deadline.isoformat() if deadline else None,
        source=source,
        sha256=hashlib.sha256(source.encode("utf-8")).hexdigest(),
        active=True,
    )
    if existing is None:
        PartnershipForm.create(partnership=pid, form_id=form.id, form_version=form.version, added_at=stamp, **values)
    else:
        PartnershipForm.update(**values).where(PartnershipForm.id == existing.id).execute()


@uses_workspace
def add_form(ws: Workspace, path: str | Path, *, period: str | None = None, deadline: date | None = None) -> str:
    """Add a form definition (YAML, checked as ``oscb forms check`` does) to the partnership, for ``period`` (it
    must be the period the file is written for) with its deadline; a form already added gets the new deadline.
    Returns a sentence saying what was done."""
    path = Path(path)
    try:
        source = datafiles.read_text(path)
        form = load_text(source, source=str(path))
    except (FormDefinitionError, datafiles.DataFileError) as exc:
        raise PartnershipAdminError(f"The form was not added: {exc}") from None
    if period is not None and period != form.period:
        raise PartnershipAdminError(
            f"{path.name} is the {form.short_title} form for {form.period}, not for {period}: a form's questions "
            "are written for its period. Give --period " + form.period + " or choose the file for " + period + "."
        )
    known = ws.forms.forms.get(form.key)
    row = _own_row(ws)
    mine = PartnershipForm.get_or_none(
        (PartnershipForm.partnership == row.id)
        & (PartnershipForm.form_id == form.id)
        & (PartnershipForm.form_version == form.version)
    )
    if known is not None and not same_definition(known, form):
        raise PartnershipAdminError(
            f"{form.id} {form.version} is already installed with other questions ({known.source}). A changed form "
            "needs a new version number: change 'version' in the file."
        )
    with ws.db.atomic():
        _put_form(row.id, form, source if mine is None else mine.source, form.period, deadline, now_iso())
        Partnership.update(updated_at=now_iso()).where(Partnership.id == row.id).execute()
        registry.log(ws, "partnership-add-form", form=form.id, version=form.version, deadline=str(deadline))
    ws.refresh_partnerships()
    due = f", due {deadline.isoformat()}" if deadline else ", no deadline set"
    verb = "Deadline set for" if mine is not None else "Added"
    return f"{verb} {form.title} ({form.id} {form.version}) for {form.period}{due}. Publish the pack to send it."


def _own_form(ws: Workspace, form_id: str, version: str) -> tuple[Partnership, PartnershipForm]:
    row = _own_row(ws)
    mine = PartnershipForm.get_or_none(
        (PartnershipForm.partnership == row.id)
        & (PartnershipForm.form_id == form_id)
        & (PartnershipForm.form_version == version)
    )
    if mine is None:
        raise PartnershipAdminError(f"{row.name} does not use the form {form_id} {version}.")
    return row, mine


@uses_workspace
def set_deadline(ws: Workspace, form_id: str, version: str, deadline: date | None) -> None:
    """Change the deadline of a form the partnership uses (None: no deadline), without its file at hand."""
    row, mine = _own_form(ws, form_id, version)
    with ws.db.atomic():
        PartnershipForm.update(deadline=deadline.isoformat() if deadline else None).where(
            PartnershipForm.id == mine.id
        ).execute()
        Partnership.update(updated_at=now_iso()).where(Partnership.id == row.id).execute()
        registry.log(ws, "partnership-set-deadline", form=form_id, version=version, deadline=str(deadline))
    ws.refresh_partnerships()


@uses_workspace
def remove_form(ws: Workspace, form_id: str, version: str) -> None:
    """Take a form out of the partnership: refused while returns on it were received or started here."""
    _row, mine = _own_form(ws, form_id, version)
    received = (
        ReceivedReturn.select()
        .where((ReceivedReturn.form_id == form_id) & (ReceivedReturn.form_version == version))
        .count()
    )
    started = Submission.select().where((Submission.form_id == form_id) & (Submission.form_version == version)).count()
    if received or started:
        raise PartnershipAdminError(
            f"The form {form_id} {version} cannot be removed: {received} return(s) on it were received"
            + (f" and {started} started here" if started else "")
            + ". Add the next version instead; agencies keep the returns they started."
        )
    with ws.db.atomic():
        PartnershipForm.delete().where(PartnershipForm.id == mine.id).execute()
        registry.log(ws, "partnership-remove-form", form=form_id, version=version)
    ws.refresh_partnerships()


# Publishing -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishResult:
    path: Path
    pack_version: int
    fingerprint: str
    forms: int
    members: int


def _profile(row: Partnership, *, has_successor: bool = False) -> tuple[PackProfile, dict[tuple[str, str], bytes]]:
    forms = list(
        PartnershipForm.select()
        .where((PartnershipForm.partnership == row.id) & (PartnershipForm.active == True))  # noqa: E712
        .order_by(PartnershipForm.form_id, PartnershipForm.id)
    )
    members = [(a.name, a.sector) for a in RegisteredAgency.select().order_by(RegisteredAgency.name)]
    profile = PackProfile(
        id=row.id,
        name=row.name,
        short_name=row.short_name,
        contact=Contact(row.contact_name, row.contact_email, row.contact_phone),
        sectors=tuple((str(a), str(b)) for a, b in row.sectors),
        agencies=tuple(members),
        forms=tuple(
            PackForm(f.form_id, f.form_version, f.period, date.fromisoformat(f.deadline) if f.deadline else None)
            for f in forms
        ),
        has_successor=has_successor,
    )
    return profile, {(f.form_id, f.form_version): f.source.encode("utf-8") for f in forms}


@uses_workspace
def publish(ws: Workspace, out: str | Path, *, passphrase: str, successor: UnlockedKey | None = None) -> PublishResult:
    """Write the partnership's pack, the next version, signed with the Business Unit's key, to ``out``.

    The version is taken and the file written in one transaction: a pack that could not be written leaves the
    version where it was. ``successor``: a new key this pack introduces (see :func:`rotate_key`)."""
    out = Path(out)
    row = _own_row(ws)
    key = unlock(current_identity(ws), passphrase)
    successor_pem = successor.certificate.public_bytes(serialization.Encoding.PEM) if successor else None
    with ws.db.atomic():
        row = Partnership.get_by_id(row.id)
        version = row.pack_version + 1
        profile, sources = _profile(row, has_successor=successor_pem is not None)
        if not profile.agencies:
            raise PartnershipAdminError("The partnership has no member agencies yet: add them before publishing.")
        data = build_pack(profile, sources, key, pack_version=version, successor_pem=successor_pem)
        ref = ws.blobs.add_bytes(data, f"{row.short_name} pack {version}.oscbpack")
        Partnership.update(pack_version=version, pack_sha256=ref.sha256, updated_at=now_iso()).where(
            Partnership.id == row.id
        ).execute()
        registry.log(ws, "partnership-publish", version=version, file=out.name)
        atomic_write(out, data)
    return PublishResult(out, version, key.fingerprint_sha256, len(profile.forms), len(profile.agencies))


@uses_workspace
def rotate_key(ws: Workspace, out: str | Path, *, passphrase: str, new_passphrase: str) -> PublishResult:
    """Change the Business Unit's key: a new identity, introduced to the members by a pack signed with the old
    key (its ``successor.pem``). Members who take that pack accept packs signed with the new key afterwards."""
    old = current_identity(ws)
    unlock(old, passphrase)  # the old passphrase first: nothing is made if it is wrong
    row = _own_row(ws)
    identity = signing.create_identity(
        row.contact_name or f"{row.short_name} Business Unit", BU_ROLE, row.name, row.contact_email or None,
        new_passphrase, for_encryption=True,
    )  # fmt: skip
    successor = signing.unlock(identity, new_passphrase)
    with ws.db.atomic():
        result = publish(ws, out, passphrase=passphrase, successor=successor)
        _store_identity(row.id, identity, "rotated", now_iso())
    return result

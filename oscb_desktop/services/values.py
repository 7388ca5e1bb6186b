"""The plain values the services hand out: frozen dataclasses, never live peewee rows.

A peewee row loads its foreign keys lazily, so ``sub.agency.name`` in a paint event would be a query on the
UI thread, against whichever database happens to be bound. These values carry what their readers need and
nothing else; the services build them from rows in one place (the ``from_row`` constructors).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from oscb_desktop.store.models import (
        Agency,
        Moderation,
        Partnership,
        PartnershipForm,
        PartnershipIdentity,
        ReceivedReturn,
        RegisteredAgency,
        SigningIdentity,
        Submission,
        TrustedCertificate,
    )


class ReturnStatus(StrEnum):
    """Where a return is in its life. (A ``StrEnum``: it equals the text stored in the database.)"""

    DRAFT = "draft"
    SIGNED = "signed"
    #: a signed version that a newer version replaced
    SUPERSEDED = "superseded"

    @property
    def locked(self) -> bool:
        return self is not ReturnStatus.DRAFT


@dataclass(frozen=True)
class AgencyInfo:
    """An agency or service profile held in an agency's workspace."""

    id: int
    name: str
    sector: str
    services: str
    lead_name: str
    lead_email: str
    lead_phone: str
    created_at: str

    @classmethod
    def from_row(cls, row: Agency) -> AgencyInfo:
        return cls(
            id=row.id,
            name=row.name,
            sector=row.sector or "",
            services=row.services or "",
            lead_name=row.lead_name or "",
            lead_email=row.lead_email or "",
            lead_phone=row.lead_phone or "",
            created_at=row.created_at,
        )


@dataclass(frozen=True)
class ReturnInfo:
    """One version of one agency's return of one form for one period."""

    id: str
    agency: AgencyInfo
    form_id: str
    form_version: str
    period: str
    version: int
    status: ReturnStatus
    supersedes_id: str | None
    carried_from_id: str | None
    #: the period of the return its answers were carried forward from
    carried_from_period: str | None
    created_at: str
    updated_at: str
    percent_complete: int
    signed_at: str | None
    signatory_name: str | None
    signatory_role: str | None
    signed_pdf_sha256: str | None
    signer_fingerprint: str | None
    #: The partnership the return is addressed to (None: the app's one partnership, before any was joined).
    partnership_id: str | None = None
    #: Answer once: the short name of the partnership whose return of the same period the answers were copied
    #: from ("" for a return addressed to none; None when they were carried forward from last period, or not
    #: copied at all).
    copied_from: str | None = None

    @property
    def agency_id(self) -> int:
        return self.agency.id

    @property
    def locked(self) -> bool:
        return self.status.locked

    @classmethod
    def from_row(
        cls, row: Submission, agency: Agency | None = None, carried_from_period: str | None = None
    ) -> ReturnInfo:
        """Reads the agency and the carried-from period unless given (one query each)."""
        copied_from = None
        if row.carried_from_id is not None and carried_from_period is None:
            source = type(row).get_or_none(type(row).id == row.carried_from_id)
            carried_from_period = source.period if source is not None else None
            if source is not None and source.period == row.period:
                other = source.partnership if source.partnership_id else None
                copied_from = other.short_name if other is not None else ""
        return cls(
            id=row.id,
            agency=AgencyInfo.from_row(agency if agency is not None else row.agency),
            form_id=row.form_id,
            form_version=row.form_version,
            period=row.period,
            version=row.version,
            status=ReturnStatus(row.status),
            supersedes_id=row.supersedes_id,
            carried_from_id=row.carried_from_id,
            carried_from_period=carried_from_period,
            created_at=row.created_at,
            updated_at=row.updated_at,
            percent_complete=row.percent_complete,
            signed_at=row.signed_at,
            signatory_name=row.signatory_name,
            signatory_role=row.signatory_role,
            signed_pdf_sha256=row.signed_pdf_sha256,
            signer_fingerprint=row.signer_fingerprint,
            partnership_id=row.partnership_id,
            copied_from=copied_from,
        )


@dataclass(frozen=True)
class IdentityInfo:
    """An agency's signing certificate and its passphrase-encrypted key, as stored."""

    id: int
    agency_id: int
    fingerprint: str
    certificate_pem: str
    encrypted_key_pem: str
    #: created (in the app) or imported (from a PKCS#12 file)
    origin: str
    created_at: str
    retired_at: str | None

    @classmethod
    def from_row(cls, row: SigningIdentity) -> IdentityInfo:
        return cls(
            id=row.id,
            agency_id=row.agency_id,
            fingerprint=row.fingerprint,
            certificate_pem=row.certificate_pem,
            encrypted_key_pem=row.encrypted_key_pem,
            origin=row.origin,
            created_at=row.created_at,
            retired_at=row.retired_at,
        )


# The Business Unit's side ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisteredAgencyInfo:
    """A partner agency on the Business Unit's register."""

    id: int
    name: str
    sector: str
    contact_name: str
    contact_email: str
    created_at: str

    @classmethod
    def from_row(cls, row: RegisteredAgency) -> RegisteredAgencyInfo:
        return cls(
            id=row.id,
            name=row.name,
            sector=row.sector or "",
            contact_name=row.contact_name or "",
            contact_email=row.contact_email or "",
            created_at=row.created_at,
        )


@dataclass(frozen=True)
class TrustedCertificateInfo:
    """A certificate the Business Unit trusts for one agency, by fingerprint, until revoked."""

    id: int
    agency_id: int
    agency_name: str
    fingerprint: str
    certificate_pem: str
    subject: str
    #: pem (registered from a file) or import (confirmed on screen at first import)
    source: str
    registered_at: str
    registered_by: str
    revoked_at: str | None
    revoked_by: str | None

    @classmethod
    def from_row(cls, row: TrustedCertificate, agency_name: str | None = None) -> TrustedCertificateInfo:
        return cls(
            id=row.id,
            agency_id=row.agency_id,
            agency_name=agency_name if agency_name is not None else row.agency.name,
            fingerprint=row.fingerprint,
            certificate_pem=row.certificate_pem,
            subject=row.subject,
            source=row.source,
            registered_at=row.registered_at,
            registered_by=row.registered_by,
            revoked_at=row.revoked_at,
            revoked_by=row.revoked_by,
        )


@dataclass(frozen=True)
class ReceivedInfo:
    """One verified bundle the Business Unit imported: a signed version of an agency's return, with its review."""

    id: int
    submission_id: str
    version: int
    supersedes_id: str | None
    agency: RegisteredAgencyInfo
    form_id: str
    form_version: str
    period: str
    signed_at: str
    signatory_name: str
    signatory_role: str
    signer_fingerprint: str
    content_digest: str
    bundle_sha256: str
    pdf_sha256: str
    answers: Mapping[str, Any]
    file_name: str
    imported_at: str
    imported_by: str
    superseded: bool
    #: received, has_issues or accepted
    review_status: str
    review_notes: str
    reviewed_at: str | None
    reviewed_by: str | None

    @property
    def agency_id(self) -> int:
        return self.agency.id

    @property
    def bundle_received(self) -> bool:
        """False for a return imported from its signed PDF alone: its evidence files and answer history did not
        come; importing its bundle completes it."""
        return bool(self.bundle_sha256)

    @classmethod
    def from_row(cls, row: ReceivedReturn, agency: RegisteredAgency | None = None) -> ReceivedInfo:
        return cls(
            id=row.id,
            submission_id=row.submission_id,
            version=row.version,
            supersedes_id=row.supersedes_id,
            agency=RegisteredAgencyInfo.from_row(agency if agency is not None else row.agency),
            form_id=row.form_id,
            form_version=row.form_version,
            period=row.period,
            signed_at=row.signed_at,
            signatory_name=row.signatory_name,
            signatory_role=row.signatory_role,
            signer_fingerprint=row.signer_fingerprint,
            content_digest=row.content_digest,
            bundle_sha256=row.bundle_sha256,
            pdf_sha256=row.pdf_sha256,
            answers=row.answers,
            file_name=row.file_name,
            imported_at=row.imported_at,
            imported_by=row.imported_by,
            superseded=bool(row.superseded),
            review_status=row.review_status,
            review_notes=row.review_notes or "",
            reviewed_at=row.reviewed_at,
            reviewed_by=row.reviewed_by,
        )


@dataclass(frozen=True)
class ModerationInfo:
    """The Business Unit's moderated rating or challenge note on a standard, a statement or the whole return."""

    target: str
    level: str | None
    note: str
    updated_at: str
    updated_by: str

    @classmethod
    def from_row(cls, row: Moderation) -> ModerationInfo:
        return cls(
            target=row.target,
            level=row.level,
            note=row.note or "",
            updated_at=row.updated_at,
            updated_by=row.updated_by,
        )


# Partnerships ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnershipFormInfo:
    """A form a partnership uses: which definition, for which period, due when."""

    form_id: str
    version: str
    period: str
    deadline: date | None
    sha256: str
    #: In the partnership's latest pack (offered for new returns); a dropped form stays for returns started on it.
    active: bool

    @classmethod
    def from_row(cls, row: PartnershipForm) -> PartnershipFormInfo:
        return cls(
            form_id=row.form_id,
            version=row.form_version,
            period=row.period,
            deadline=date.fromisoformat(row.deadline) if row.deadline else None,
            sha256=row.sha256,
            active=bool(row.active),
        )


@dataclass(frozen=True)
class PartnershipInfo:
    """A partnership: the Business Unit's own (``own``), or one this agency joined from its pack."""

    id: str
    own: bool
    name: str
    short_name: str
    contact_name: str
    contact_email: str
    contact_phone: str
    sectors: tuple[tuple[str, str], ...]
    members: tuple[tuple[str, str], ...]
    pack_version: int
    #: The Business Unit's certificate an agency trusts for this partnership (None on the Business Unit's side).
    signer_fingerprint: str | None
    #: A new key of the Business Unit a pack introduced, trusted too until a pack signed with it arrives.
    successor_fingerprint: str | None
    joined_at: str
    updated_at: str
    forms: tuple[PartnershipFormInfo, ...]

    @property
    def contact(self) -> str:
        return ", ".join(p for p in (self.contact_name, self.contact_email, self.contact_phone) if p)

    @classmethod
    def from_row(
        cls, row: Partnership, forms: Sequence[PartnershipForm], members: Sequence[tuple[str, str]] | None = None
    ) -> PartnershipInfo:
        return cls(
            id=row.id,
            own=bool(row.own),
            name=row.name,
            short_name=row.short_name,
            contact_name=row.contact_name,
            contact_email=row.contact_email,
            contact_phone=row.contact_phone,
            sectors=tuple((str(a), str(b)) for a, b in row.sectors),
            members=tuple(members) if members is not None else tuple((m["name"], m["sector"]) for m in row.members),
            pack_version=row.pack_version,
            signer_fingerprint=row.signer_fingerprint,
            successor_fingerprint=row.successor_fingerprint,
            joined_at=row.joined_at,
            updated_at=row.updated_at,
            forms=tuple(PartnershipFormInfo.from_row(f) for f in forms),
        )


@dataclass(frozen=True)
class PartnershipIdentityInfo:
    """The Business Unit's signing certificate and its passphrase-encrypted key, as stored."""

    id: int
    partnership_id: str
    fingerprint: str
    certificate_pem: str
    encrypted_key_pem: str
    origin: str
    created_at: str
    retired_at: str | None

    @classmethod
    def from_row(cls, row: PartnershipIdentity) -> PartnershipIdentityInfo:
        return cls(
            id=row.id,
            partnership_id=row.partnership_id,
            fingerprint=row.fingerprint,
            certificate_pem=row.certificate_pem,
            encrypted_key_pem=row.encrypted_key_pem,
            origin=row.origin,
            created_at=row.created_at,
            retired_at=row.retired_at,
        )


# Evidence files ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceFile:
    """One evidence file on an item of a return (a stored file entry, see :mod:`oscb_desktop.forms.model`)."""

    item_id: str
    sha256: str
    name: str
    size: int
    #: When it was attached (ISO 8601 UTC), if known.
    added: str | None
    #: It came with last year's answer (carry-forward).
    carried: bool

    @classmethod
    def from_entry(cls, item_id: str, entry: Mapping[str, Any]) -> EvidenceFile:
        return cls(
            item_id=item_id,
            sha256=entry["sha256"],
            name=entry["name"],
            size=entry["size"],
            added=entry.get("added"),
            carried=bool(entry.get("carried", False)),
        )

    def as_entry(self) -> dict[str, Any]:
        """The entry as an answer stores it."""
        entry: dict[str, Any] = {"sha256": self.sha256, "name": self.name, "size": self.size}
        if self.added:
            entry["added"] = self.added
        if self.carried:
            entry["carried"] = True
        return entry


@dataclass(frozen=True)
class ReceivedFile:
    """One evidence file of a received return, beside the statement it is attached to."""

    item_id: str
    #: ``S3.2``: the statement's code in its form.
    code: str
    #: The statement (or item) it is attached to.
    label: str
    sha256: str
    name: str
    size: int
    added: str | None
    carried: bool
    #: It is a kind of file the form allows (PDF, Word...); False for anything else (it may run code).
    allowed_type: bool
    #: Its bytes are in the workspace. False while the return came as its signed PDF alone: the signed answers
    #: name the file (name, size, SHA-256) but the bundle that carries it has not been imported yet.
    received: bool = True


@dataclass(frozen=True)
class EvidenceHint:
    """A "check this evidence" hint: something about a received file the Business Unit may want to look at."""

    item_id: str
    code: str
    name: str
    sha256: str
    #: ``same_as_last_year``, ``near_empty`` or ``no_text``
    kind: str
    message: str

"""The Business Unit's register of agencies and the certificates it trusts for each.

Trust is by SHA-256 fingerprint, per agency: a certificate registered for one agency never vouches for
another's return. Registering happens from a ``.pem`` file the agency sent, or at first import after the
officer has compared the fingerprint on screen with the agency (never silently). Revoking keeps the row.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from oscb_desktop.bundle import FileTooLargeError, Trust, normalise_agency_name, read_bounded
from oscb_desktop.services.values import RegisteredAgencyInfo, TrustedCertificateInfo
from oscb_desktop.services.workspace import Workspace, now_iso, partnership, uses_workspace
from oscb_desktop.signing import CertificateError, format_fingerprint, load_certificate
from oscb_desktop.store.models import BusinessUnitLog, RegisteredAgency, TrustedCertificate

BUSINESS_UNIT = "business_unit"
ROLE_SETTING = "workspace_role"
#: Largest certificate file read for registering (a certificate is a few kilobytes).
MAX_CERTIFICATE_BYTES = 64 * 1024

#: Whether two agency names are the same agency: one rule, shared with the verifier's trust checks.
normalise = normalise_agency_name


class RegisterError(Exception):
    """A register change refused; the message is for the user."""


@uses_workspace
def is_business_unit(ws: Workspace) -> bool:
    return ws.setting(ROLE_SETTING) == BUSINESS_UNIT


@uses_workspace
def become_business_unit(ws: Workspace, *, register_template: bool = True) -> None:
    """Mark the workspace as the Business Unit's, with the partnership's member agencies on its register
    (``register_template``: the shipped demo partnership's; a partnership set up from scratch brings its own)."""
    if not is_business_unit(ws):
        with ws.db.atomic():
            ws.set_setting(ROLE_SETTING, BUSINESS_UNIT)
            if register_template:
                register_partnership(ws)


@uses_workspace
def log(ws: Workspace, action: str, **detail: Any) -> None:
    BusinessUnitLog.create(at=now_iso(), user=ws.user, action=action, detail=detail)


@uses_workspace
def find_agency(ws: Workspace, name: str) -> RegisteredAgencyInfo | None:
    row = _find(name)
    return RegisteredAgencyInfo.from_row(row) if row is not None else None


def _find(name: str) -> RegisteredAgency | None:
    key = normalise(name)
    # The names alone are read and compared (case folded, which SQL's lower() is not); the one row that matches
    # is then read whole: an import looks agencies up several times per bundle.
    for named in RegisteredAgency.select(RegisteredAgency.id, RegisteredAgency.name):
        if normalise(named.name) == key:
            return RegisteredAgency.get_or_none(RegisteredAgency.id == named.id)
    return None


@uses_workspace
def get_agency(ws: Workspace, agency_id: int) -> RegisteredAgencyInfo:
    row = RegisteredAgency.get_or_none(RegisteredAgency.id == agency_id)
    if row is None:
        raise RegisterError("That agency is no longer on the register.")
    return RegisteredAgencyInfo.from_row(row)


@uses_workspace
def list_agencies(ws: Workspace) -> list[RegisteredAgencyInfo]:
    return [RegisteredAgencyInfo.from_row(r) for r in RegisteredAgency.select().order_by(RegisteredAgency.name)]


@uses_workspace
def add_agency(
    ws: Workspace, name: str, *, sector: str = "", contact_name: str = "", contact_email: str = ""
) -> RegisteredAgencyInfo:
    name = " ".join((name or "").split())
    if not name:
        raise RegisterError("The agency needs a name.")
    if len(name) > 200:
        raise RegisterError("The agency's name is too long (at most 200 characters).")
    if contact_email and ("@" not in contact_email or " " in contact_email.strip()):
        raise RegisterError(f"{contact_email!r} does not look like an email address.")
    with ws.db.atomic():
        if _find(name) is not None:
            raise RegisterError(f"{name} is already on the register.")
        row = RegisteredAgency.create(
            name=name,
            sector=sector or _known_sector(name),
            contact_name=contact_name.strip(),
            contact_email=contact_email.strip(),
            created_at=now_iso(),
        )
        log(ws, "register-agency", agency=name)
        return RegisteredAgencyInfo.from_row(row)


@uses_workspace
def update_agency(ws: Workspace, agency_id: int, **fields: str) -> RegisteredAgencyInfo:
    allowed = {"sector", "contact_name", "contact_email"}
    if set(fields) - allowed:
        raise RegisterError(f"Only {', '.join(sorted(allowed))} can be changed.")
    with ws.db.atomic():
        RegisteredAgency.update(**{k: (v or "").strip() for k, v in fields.items()}).where(
            RegisteredAgency.id == agency_id
        ).execute()
        return RegisteredAgencyInfo.from_row(RegisteredAgency.get_by_id(agency_id))


@uses_workspace
def register_partnership(ws: Workspace) -> int:
    """Put every member agency of the partnership on the register (those not there yet); return how many."""
    added = 0
    with ws.db.atomic():
        for name, sector in partnership().agencies:
            if _find(name) is None:
                RegisteredAgency.create(
                    name=name, sector=sector, contact_name="", contact_email="", created_at=now_iso()
                )
                added += 1
        if added:
            log(ws, "register-partnership", added=added)
    return added


def _known_sector(name: str) -> str:
    key = normalise(name)
    return next((sector for n, sector in partnership().agencies if normalise(n) == key), "")


# Certificates --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CertificateInfo:
    fingerprint: str
    subject: str
    organisation: str | None
    pem: str

    @property
    def fingerprint_display(self) -> str:
        return format_fingerprint(self.fingerprint)


def read_certificate(data: bytes) -> CertificateInfo:
    """A single certificate from PEM (or DER) bytes, with a plain message if it is not one."""
    try:
        certificate = load_certificate(data)
    except CertificateError:
        raise RegisterError(
            "This file is not a certificate. Ask the agency for the .pem file that OSCB Desktop saves under "
            "Return ▸ Signing identity ▸ Save certificate."
        ) from None
    orgs = certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    return CertificateInfo(
        fingerprint=certificate.fingerprint(hashes.SHA256()).hex(),
        subject=certificate.subject.rfc4514_string(),
        organisation=str(orgs[0].value) if orgs else None,
        pem=certificate.public_bytes(Encoding.PEM).decode("ascii"),
    )


@uses_workspace
def certificates(ws: Workspace, agency_id: int) -> list[TrustedCertificateInfo]:
    rows = TrustedCertificate.select(TrustedCertificate, RegisteredAgency).join(RegisteredAgency)
    rows = rows.where(TrustedCertificate.agency == agency_id).order_by(TrustedCertificate.id)
    return [TrustedCertificateInfo.from_row(r, r.agency.name) for r in rows]


@uses_workspace
def trust_certificate(
    ws: Workspace, agency_name: str, cert: CertificateInfo, *, source: str, sector: str = ""
) -> TrustedCertificateInfo:
    """Trust ``cert`` for the agency (put on the register if it is not yet). Refuses a revoked certificate."""
    with ws.db.atomic():
        agency = find_agency(ws, agency_name) or add_agency(ws, agency_name, sector=sector)
        existing = TrustedCertificate.get_or_none(
            (TrustedCertificate.agency == agency.id) & (TrustedCertificate.fingerprint == cert.fingerprint)
        )
        if existing is not None:
            if existing.revoked_at:
                raise RegisterError(
                    f"This certificate was revoked for {agency.name} on {existing.revoked_at[:10]}; it cannot be "
                    "trusted again. Ask the agency to create a new signing identity."
                )
            return TrustedCertificateInfo.from_row(existing, agency.name)
        row = TrustedCertificate.create(
            agency=agency.id,
            fingerprint=cert.fingerprint,
            certificate_pem=cert.pem,
            subject=cert.subject,
            source=source,
            registered_at=now_iso(),
            registered_by=ws.user,
        )
        log(ws, "trust-certificate", agency=agency.name, fingerprint=cert.fingerprint, source=source)
        return TrustedCertificateInfo.from_row(row, agency.name)


def read_certificate_file(path: str | Path) -> CertificateInfo:
    """The certificate in a ``.pem``/``.crt``/``.cer`` file; :class:`RegisterError` with words for the user if the
    file cannot be read, is too large to be a certificate (refused unread) or holds none."""
    try:
        data = read_bounded(path, MAX_CERTIFICATE_BYTES)
    except FileTooLargeError:
        raise RegisterError(f"{Path(path).name} is too large to be a certificate.") from None
    except OSError as exc:
        raise RegisterError(f"{path} cannot be read ({exc.strerror or exc}).") from exc
    return read_certificate(data)


@uses_workspace
def register_pem(ws: Workspace, path: str | Path, agency_name: str | None = None) -> TrustedCertificateInfo:
    """Register a certificate from a file, for the agency it names (O=) unless another is given."""
    cert = read_certificate_file(path)
    name = agency_name or cert.organisation
    if not name:
        raise RegisterError("The certificate does not name an agency (O=); choose the agency it belongs to.")
    return trust_certificate(ws, name, cert, source="pem")


@uses_workspace
def revoke(ws: Workspace, certificate_id: int) -> TrustedCertificateInfo:
    with ws.db.atomic():
        row = TrustedCertificate.get_or_none(TrustedCertificate.id == certificate_id)
        if row is None:
            raise RegisterError("That certificate is not on the register.")
        if row.revoked_at is None:
            TrustedCertificate.update(revoked_at=now_iso(), revoked_by=ws.user).where(
                TrustedCertificate.id == certificate_id
            ).execute()
            log(ws, "revoke-certificate", agency=row.agency.name, fingerprint=row.fingerprint)
        return TrustedCertificateInfo.from_row(TrustedCertificate.get_by_id(certificate_id))


class RegisterPolicy:
    """The register as the bundle verifier's trust policy, and where an import finds its agencies.

    ``max_age`` 0 (the default) reads the register on every question. An import of many bundles passes a second
    or so: the agencies and certificates are then read once and kept that long (read again sooner when a name
    or fingerprint is not in what was read, and after :meth:`forget`, which the import calls when it changed
    the register itself). A profile put a third of storing a bundle in looking the same few rows up again.
    """

    def __init__(self, ws: Workspace, *, max_age: float = 0.0) -> None:
        self.ws, self.max_age = ws, max_age
        self._read_at: float | None = None
        self._agencies: dict[str, RegisteredAgencyInfo] = {}
        self._certificates: dict[str, list[tuple[int, bool]]] = {}

    def __call__(self, fingerprint: str, agency_name: str, /) -> Trust:
        key = normalise(agency_name)
        self._fresh(lambda: fingerprint in self._certificates and key in self._agencies)
        rows, agency = self._certificates.get(fingerprint, []), self._agencies.get(key)
        if any(revoked for _agency_id, revoked in rows):
            return Trust.REVOKED  # revoked for one agency: refused for all
        if agency is not None and any(agency_id == agency.id for agency_id, _revoked in rows):
            return Trust.TRUSTED
        return Trust.UNKNOWN

    def find_agency(self, name: str) -> RegisteredAgencyInfo | None:
        key = normalise(name)
        self._fresh(lambda: key in self._agencies)
        return self._agencies.get(key)

    def forget(self) -> None:
        """The register was changed here: the next question reads it again."""
        self._read_at = None

    def _fresh(self, has_it: Callable[[], bool]) -> None:
        """Read the register unless what was read is recent enough and holds what is looked for."""
        now = time.monotonic()
        if self._read_at is None or now - self._read_at > self.max_age or not has_it():
            self._read(now)

    def _read(self, now: float) -> None:
        with self.ws.bound():
            agencies = {normalise(r.name): RegisteredAgencyInfo.from_row(r) for r in RegisteredAgency.select()}
            certificates: dict[str, list[tuple[int, bool]]] = {}
            query = TrustedCertificate.select(
                TrustedCertificate.fingerprint, TrustedCertificate.agency, TrustedCertificate.revoked_at
            )
            for row in query:
                certificates.setdefault(row.fingerprint, []).append((row.agency_id, bool(row.revoked_at)))
        self._agencies, self._certificates, self._read_at = agencies, certificates, now


@uses_workspace
def log_entries(ws: Workspace, limit: int = 200) -> list[dict[str, Any]]:
    rows = BusinessUnitLog.select().order_by(BusinessUnitLog.id.desc()).limit(limit)
    return [{"at": r.at, "user": r.user, "action": r.action, "detail": json.loads(json.dumps(r.detail))} for r in rows]

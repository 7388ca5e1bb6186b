"""An agency's signing identity: create or import it, find it, unlock it, hand out its certificate.

Only the certificate and the passphrase-encrypted key are stored (table ``signing_identity``); the clear
key lives in memory inside :class:`~oscb_desktop.signing.UnlockedKey` while a signature is made.
"""

from __future__ import annotations

import logging
from pathlib import Path

import peewee

from oscb_desktop import signing
from oscb_desktop.bundle import FileTooLargeError, read_bounded
from oscb_desktop.fsutil import atomic_write
from oscb_desktop.services.values import IdentityInfo
from oscb_desktop.services.workspace import Workspace, now_iso, uses_workspace
from oscb_desktop.signing import IdentityError, SigningIdentity, UnlockedKey, WrongPassphraseError
from oscb_desktop.signing.identity import KDF_ROUNDS
from oscb_desktop.store import Agency
from oscb_desktop.store.models import SigningIdentity as IdentityRow

__all__ = [
    "IdentityError",
    "WrongPassphraseError",
    "create",
    "current",
    "for_fingerprint",
    "import_pkcs12",
    "read_pkcs12_file",
    "save_certificate",
    "to_identity",
    "unlock",
    "unlock_and_upgrade",
]

log = logging.getLogger(__name__)


def to_identity(row: IdentityInfo) -> SigningIdentity:
    return SigningIdentity(
        certificate_pem=row.certificate_pem.encode(), encrypted_key_pem=row.encrypted_key_pem.encode()
    )


@uses_workspace
def current(ws: Workspace, agency_id: int) -> IdentityInfo | None:
    """The identity the agency signs with now: its newest one not retired."""
    row = (
        IdentityRow.select()
        .where((IdentityRow.agency == agency_id) & IdentityRow.retired_at.is_null())
        .order_by(IdentityRow.id.desc())
        .first()
    )
    return IdentityInfo.from_row(row) if row is not None else None


@uses_workspace
def for_fingerprint(ws: Workspace, agency_id: int, fingerprint: str) -> IdentityInfo | None:
    row = IdentityRow.get_or_none((IdentityRow.agency == agency_id) & (IdentityRow.fingerprint == fingerprint))
    return IdentityInfo.from_row(row) if row is not None else None


def _store(ws: Workspace, agency_id: int, identity: SigningIdentity, origin: str) -> IdentityInfo:
    """Keep a new identity and retire the agency's previous one, in one transaction."""
    with ws.db.atomic():
        if Agency.get_or_none(Agency.id == agency_id) is None:
            raise IdentityError("That agency profile no longer exists.")
        fp = identity.fingerprint_sha256
        if for_fingerprint(ws, agency_id, fp) is not None:
            raise IdentityError("This certificate is already this agency's signing identity.")
        stamp = now_iso()
        IdentityRow.update(retired_at=stamp).where(
            (IdentityRow.agency == agency_id) & IdentityRow.retired_at.is_null()
        ).execute()
        row = IdentityRow.create(
            agency=agency_id,
            fingerprint=fp,
            certificate_pem=identity.certificate_pem.decode("ascii"),
            encrypted_key_pem=identity.encrypted_key_pem.decode("ascii"),
            origin=origin,
            created_at=stamp,
        )
        return IdentityInfo.from_row(row)


@uses_workspace
def create(
    ws: Workspace, agency_id: int, *, person_name: str, role: str, email: str | None, passphrase: str
) -> IdentityInfo:
    """A new ECDSA P-256 key and self-signed certificate naming the person and the agency."""
    agency = Agency.get_or_none(Agency.id == agency_id)
    if agency is None:
        raise IdentityError("That agency profile no longer exists.")
    identity = signing.create_identity(person_name, role, agency.name, email, passphrase)
    return _store(ws, agency_id, identity, "created")


@uses_workspace
def import_pkcs12(ws: Workspace, agency_id: int, data: bytes, *, p12_password: str, passphrase: str) -> IdentityInfo:
    """The organisation's own certificate and key from a .p12/.pfx file, re-encrypted with ``passphrase``."""
    identity = signing.import_pkcs12(data, p12_password, passphrase)
    return _store(ws, agency_id, identity, "imported")


#: A .p12/.pfx holds a key and a few certificates: a few kilobytes. Larger files are refused unread.
MAX_PKCS12_BYTES = 1024 * 1024


def read_pkcs12_file(path: str | Path) -> bytes:
    """The bytes of a .p12/.pfx file; :class:`IdentityError` with words for the user if it cannot be read or is
    too large to be one."""
    try:
        return read_bounded(path, MAX_PKCS12_BYTES)
    except FileTooLargeError:
        raise IdentityError(f"{Path(path).name} is too large to be a .p12 or .pfx certificate file.") from None
    except OSError as exc:
        why = exc.strerror or exc
        raise IdentityError(f"{Path(path).name} could not be read ({why}). Choose the file again.") from exc


def unlock(row: IdentityInfo, passphrase: str) -> UnlockedKey:
    """Raises :class:`WrongPassphraseError` (nothing changes) when the passphrase is not right."""
    return signing.unlock(to_identity(row), passphrase)


@uses_workspace
def unlock_and_upgrade(ws: Workspace, row: IdentityInfo, passphrase: str) -> UnlockedKey:
    """:func:`unlock`, and a key stored the old ways (see :func:`oscb_desktop.signing.needs_reprotection`)
    encrypted again the current way and stored in its place, under the same passphrase.

    What every unlock with a workspace at hand uses (sign-off, export), so old keys are re-protected the first
    time they are used after an upgrade. The key is unlocked whatever happens to the store: if the new form
    cannot be written (a full disk), the old one stays and is upgraded at a later unlock.
    """
    key, renewed = signing.unlock_and_reprotect(to_identity(row), passphrase)
    if renewed is not None:
        try:
            with ws.db.atomic():
                IdentityRow.update(encrypted_key_pem=renewed.encrypted_key_pem.decode("ascii")).where(
                    (IdentityRow.id == row.id) & (IdentityRow.encrypted_key_pem == row.encrypted_key_pem)
                ).execute()
        except (OSError, peewee.DatabaseError):
            log.warning("the signing key %s could not be re-protected now; it will be at a later unlock", row.id)
        else:
            log.info("the signing key %s was re-protected (PKCS#8, %s PBKDF2 rounds)", row.id, KDF_ROUNDS)
    return key


def save_certificate(row: IdentityInfo, path: str | Path) -> Path:
    """Write the certificate as ``.pem`` for the Business Unit to register (crash-safe)."""
    target = Path(path)
    atomic_write(target, row.certificate_pem.encode("ascii"))
    return target

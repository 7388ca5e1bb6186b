"""Who may sign for whom: the trust policy a verifier asks, and the one rule for comparing agency names.

A certificate is trusted per agency, by its SHA-256 fingerprint (DESIGN.md §5). The verifier asks a
:class:`TrustPolicy`; the Business Unit's register is one (``services.registry.RegisterPolicy``), a folder
of ``.pem`` files is another (:class:`TrustedCertsDir`, for ``oscb verify --trusted-certs``). Both compare
agency names with :func:`normalise_agency_name`, so "Oxford  City Council" and "oxford city council" are the
same agency everywhere.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Protocol

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID

#: Largest file read from a trusted-certificates folder (a certificate is one or two kilobytes; a chain a few).
MAX_PEM_BYTES = 256 * 1024


class Trust(StrEnum):
    """What a :class:`TrustPolicy` says about a certificate for an agency."""

    TRUSTED = "trusted"
    UNKNOWN = "unknown"
    REVOKED = "revoked"


class TrustPolicy(Protocol):
    """Decides whether a certificate (by SHA-256 fingerprint, lower-case hex) may sign for an agency.

    Any callable with this shape will do; returning ``True``/``False`` means trusted/unknown.
    """

    def __call__(self, fingerprint: str, agency_name: str, /) -> Trust | bool: ...


def normalise_agency_name(name: str) -> str:
    """The form of an agency's name that decides whether two names are the same agency: runs of white space
    as one space, no space at the ends, case folded. The register and the trust checks both use it."""
    return " ".join(name.split()).casefold()


def same_agency(a: str, b: str) -> bool:
    return normalise_agency_name(a) == normalise_agency_name(b)


def decide(policy: TrustPolicy, fingerprint: str, agency_name: str) -> Trust:
    """The policy's answer as a :class:`Trust` (``True``/``False`` mean trusted/unknown)."""
    decision = policy(fingerprint, agency_name)
    if decision is True:
        return Trust.TRUSTED
    if decision is False:
        return Trust.UNKNOWN
    return Trust(decision)


class TrustedCertsDir:
    """Trust the certificates saved as ``*.pem`` files in one folder; revoke those in its ``revoked/`` folder.

    A certificate in the folder is trusted only for the agency its subject's organisation (``O=``) names,
    compared ignoring case and extra spaces, so one agency's certificate can never vouch for another's
    return. A certificate in ``revoked/`` is refused for every agency, whether or not it is also trusted.
    Files that are not PEM certificates are skipped and listed in :attr:`problems`. The folder is read
    once, when the object is made.
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.problems: list[str] = []
        self.trusted: dict[str, x509.Certificate] = self._load(self.folder)
        self.revoked: set[str] = set(self._load(self.folder / "revoked"))

    def __call__(self, fingerprint: str, agency_name: str, /) -> Trust:
        if fingerprint in self.revoked:
            return Trust.REVOKED
        certificate = self.trusted.get(fingerprint)
        if certificate is None:
            return Trust.UNKNOWN
        organisations = certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
        if any(same_agency(str(o.value), agency_name) for o in organisations):
            return Trust.TRUSTED
        return Trust.UNKNOWN

    def _load(self, folder: Path) -> dict[str, x509.Certificate]:
        found: dict[str, x509.Certificate] = {}
        if not folder.is_dir():
            return found
        for path in sorted(folder.glob("*.pem")):
            try:
                certificates = x509.load_pem_x509_certificates(_read_pem(path))
            except (OSError, ValueError) as exc:
                self.problems.append(f"{path.name}: not a readable PEM certificate ({exc})")
                continue
            for certificate in certificates:
                found[certificate.fingerprint(hashes.SHA256()).hex()] = certificate
        return found


def _read_pem(path: Path) -> bytes:
    """A file of the folder, read only if it is a regular file (a named pipe would make reading wait for ever)
    and not larger than :data:`MAX_PEM_BYTES`."""
    if not path.is_file():
        raise ValueError("it is not a regular file, so it was not read")
    with path.open("rb") as fh:
        data = fh.read(MAX_PEM_BYTES + 1)
    if len(data) > MAX_PEM_BYTES:
        raise ValueError(f"it is larger than {MAX_PEM_BYTES // 1024} KB, which no certificate file is")
    return data

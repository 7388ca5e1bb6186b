"""What a partnership pack's JSON members hold: ``manifest.json`` and ``partnership.json`` (docs/pack-format.md).

Typed like the bundle's members (:mod:`oscb_desktop.bundle.model`): ``to_json`` gives the plain value, ``from_json``
converts a value that passed its schema (``resources/schemas/pack-manifest.schema.json`` and
``partnership-pack.schema.json``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from oscb_desktop.bundle.model import MemberEntry
from oscb_desktop.bundle.safezip import ZipRules
from oscb_desktop.datafiles import MAX_DATA_FILE_BYTES

PACK_FORMAT = "oscb-partnership-pack"
PROFILE_FORMAT = "oscb-partnership"
FORMAT_VERSION = 1
MANIFEST_SCHEMA = "pack-manifest.schema.json"
PROFILE_SCHEMA = "partnership-pack.schema.json"
PACK_SUFFIX = ".oscbpack"
PROFILE_MEMBER = "partnership.json"
SUCCESSOR_MEMBER = "successor.pem"

#: A pack holds a profile and a few form definitions: megabytes at most.
MAX_PACK_BYTES = 20 * 1024 * 1024
PACK_RULES = ZipRules(
    max_bytes=MAX_PACK_BYTES,
    max_entries=64,
    member_bytes={
        "manifest.json": 256 * 1024,
        "manifest.sig": 64 * 1024,
        "signer.pem": 64 * 1024,
        SUCCESSOR_MEMBER: 64 * 1024,
        PROFILE_MEMBER: MAX_DATA_FILE_BYTES,
    },
    other_member_bytes=MAX_DATA_FILE_BYTES,  # each form definition, as the form loader allows
    noun="pack",
    kind="an OSCB partnership pack",
    not_zip_hint="Check that you chose the .oscbpack file your partnership's Business Unit published.",
    resend="Ask the partnership's Business Unit for the pack again.",
)


def form_path(form_id: str, version: str) -> str:
    """Where a form definition is in a pack: ``forms/<id>/<version>.yaml``."""
    return f"forms/{form_id}/{version}.yaml"


@dataclass(frozen=True)
class PartnershipRef:
    id: str
    name: str
    short_name: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "short_name": self.short_name}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PartnershipRef:
        return cls(id=data["id"], name=data["name"], short_name=data["short_name"])


@dataclass(frozen=True)
class PackManifest:
    partnership: PartnershipRef
    pack_version: int
    created_at: str
    app_version: str
    members: tuple[MemberEntry, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": PACK_FORMAT,
            "format_version": FORMAT_VERSION,
            "partnership": self.partnership.to_json(),
            "pack_version": self.pack_version,
            "created_at": self.created_at,
            "app_version": self.app_version,
            "members": [m.to_json() for m in sorted(self.members, key=lambda m: m.path)],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PackManifest:
        return cls(
            partnership=PartnershipRef.from_json(data["partnership"]),
            pack_version=int(data["pack_version"]),
            created_at=data["created_at"],
            app_version=data["app_version"],
            members=tuple(MemberEntry.from_json(m) for m in data["members"]),
        )


@dataclass(frozen=True)
class Contact:
    name: str = ""
    email: str = ""
    phone: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "email": self.email, "phone": self.phone}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Contact:
        return cls(name=data["name"], email=data["email"], phone=data["phone"])

    def describe(self) -> str:
        """``Name, email, phone``, with what is known."""
        return ", ".join(part for part in (self.name, self.email, self.phone) if part)


@dataclass(frozen=True)
class PackForm:
    """A form the partnership uses: which definition, for which period, due when; its YAML is at ``path``."""

    id: str
    version: str
    period: str
    deadline: date | None

    @property
    def path(self) -> str:
        return form_path(self.id, self.version)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "version": self.version,
            "period": self.period,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "path": self.path,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PackForm:
        deadline = date.fromisoformat(data["deadline"]) if data["deadline"] else None
        return cls(id=data["id"], version=data["version"], period=data["period"], deadline=deadline)


@dataclass(frozen=True)
class PackProfile:
    """``partnership.json``: the partnership as its members see it (no private key is ever in a pack)."""

    id: str
    name: str
    short_name: str
    contact: Contact
    sectors: tuple[tuple[str, str], ...]
    agencies: tuple[tuple[str, str], ...]
    forms: tuple[PackForm, ...]
    has_successor: bool = False

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "format": PROFILE_FORMAT,
            "format_version": FORMAT_VERSION,
            "id": self.id,
            "name": self.name,
            "short_name": self.short_name,
            "contact": self.contact.to_json(),
            "sectors": [{"id": i, "label": label} for i, label in self.sectors],
            "agencies": [{"name": n, "sector": s} for n, s in self.agencies],
            "forms": [f.to_json() for f in self.forms],
        }
        if self.has_successor:
            data["successor"] = SUCCESSOR_MEMBER
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PackProfile:
        return cls(
            id=data["id"],
            name=data["name"],
            short_name=data["short_name"],
            contact=Contact.from_json(data["contact"]),
            sectors=tuple((s["id"], s["label"]) for s in data["sectors"]),
            agencies=tuple((a["name"], a["sector"]) for a in data["agencies"]),
            forms=tuple(PackForm.from_json(f) for f in data["forms"]),
            has_successor="successor" in data,
        )

    @property
    def ref(self) -> PartnershipRef:
        return PartnershipRef(self.id, self.name, self.short_name)


def sectors_from(pairs: Sequence[Sequence[str]]) -> tuple[tuple[str, str], ...]:
    return tuple((str(a), str(b)) for a, b in pairs)

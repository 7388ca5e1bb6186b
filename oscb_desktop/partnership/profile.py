"""A partnership profile (``resources/partnership/*.yaml``): checked against its JSON Schema and for
cross-references, with named errors like the form definitions have (``file: agencies[3].sector: ...``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from oscb_desktop import paths
from oscb_desktop.datafiles import DataFileError, parse_yaml, read_text, validate

SCHEMA_FILE = "partnership.schema.json"
#: The profile shipped with the app (the demo partnership, and a template for others).
SHIPPED = "oxfordshire.yaml"


class PartnershipError(DataFileError):
    """A partnership profile that cannot be used, with where and why."""


@dataclass(frozen=True)
class Partnership:
    """Who a partnership is, as documents and screens name it. ``id`` is None for the profile shipped with the
    app when no partnership has been set up or joined (the demo partnership, and the template for others)."""

    name: str
    short_name: str
    sectors: dict[str, str]
    agencies: list[tuple[str, str]]
    id: str | None = None
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""

    def sector_label(self, sector_id: str) -> str:
        return self.sectors.get(sector_id, sector_id)

    @property
    def contact(self) -> str:
        """``Name, email, phone`` of the Business Unit's contact, with what is known ("" if nothing is)."""
        return ", ".join(p for p in (self.contact_name, self.contact_email, self.contact_phone) if p)


@cache
def profile_schema() -> dict[str, Any]:
    with open(paths.resource("partnership", SCHEMA_FILE), encoding="utf-8") as fh:
        schema: dict[str, Any] = json.load(fh)
    return schema


def load_profile(file: str | Path) -> Partnership:
    """Read and check a profile file. Raises :class:`PartnershipError`."""
    text = read_text(file, error=PartnershipError)
    return load_profile_data(parse_yaml(text, str(file), error=PartnershipError), str(file))


def load_profile_data(data: Any, source: str = "<data>") -> Partnership:
    if not isinstance(data, dict):
        raise PartnershipError(source, "", "must be a mapping with partnership, short_name, sectors and agencies")
    validate(data, profile_schema(), source, error=PartnershipError)
    sectors: dict[str, str] = {}
    for n, sector in enumerate(data["sectors"]):
        if sector["id"] in sectors:
            raise PartnershipError(source, f"sectors[{n}].id", f"sector {sector['id']!r} is listed twice")
        sectors[sector["id"]] = sector["label"]
    names: set[str] = set()
    agencies: list[tuple[str, str]] = []
    for n, agency in enumerate(data["agencies"]):
        if agency["sector"] not in sectors:
            raise PartnershipError(
                source, f"agencies[{n}].sector", f"{agency['sector']!r} is not one of the sectors listed above"
            )
        key = " ".join(agency["name"].split()).casefold()
        if key in names:
            raise PartnershipError(source, f"agencies[{n}].name", f"{agency['name']!r} is listed twice")
        names.add(key)
        agencies.append((agency["name"], agency["sector"]))
    return Partnership(name=data["partnership"], short_name=data["short_name"], sectors=sectors, agencies=agencies)


@cache
def shipped_profile() -> Partnership:
    """The partnership shipped with the app. Raises :class:`PartnershipError` for a damaged installation."""
    return load_profile(paths.resource("partnership", SHIPPED))

"""Make a signed partnership pack (``.oscbpack``): the same signed zip as a return bundle (:mod:`oscb_desktop.bundle
.signed_zip`), holding ``partnership.json``, every form definition the partnership uses, and the Business Unit's
certificate (docs/pack-format.md). The writer refuses to make a pack the reader would refuse."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from cryptography.hazmat.primitives import serialization

from oscb_desktop import __version__
from oscb_desktop.bundle import signed_zip
from oscb_desktop.bundle.model import canonical_json, schema_problem
from oscb_desktop.packs.model import (
    MANIFEST_SCHEMA,
    PACK_RULES,
    PROFILE_MEMBER,
    PROFILE_SCHEMA,
    SUCCESSOR_MEMBER,
    PackManifest,
    PackProfile,
)
from oscb_desktop.signing import UnlockedKey


class PackError(Exception):
    """A pack cannot be made; the message says why, for the Business Unit officer publishing it."""


def build_pack(
    profile: PackProfile,
    sources: Mapping[tuple[str, str], bytes],
    key: UnlockedKey,
    *,
    pack_version: int,
    successor_pem: bytes | None = None,
    created_at: str | None = None,
) -> bytes:
    """The bytes of a pack: ``sources`` maps (form id, version) to the exact YAML of every form in ``profile``.

    ``successor_pem``: the certificate of the Business Unit's new key, introduced by this pack (signed with
    ``key``, the old one) so that members accept packs signed with the new key afterwards.
    """
    if successor_pem is not None and not profile.has_successor:
        raise PackError("A successor certificate needs the profile to name it.")
    profile_json = profile.to_json()
    problem = schema_problem(profile_json, PROFILE_SCHEMA)
    if problem:
        raise PackError(f"The pack cannot be made: the partnership's profile is not valid ({problem}).")
    members: list[tuple[str, bytes]] = [
        ("signer.pem", key.certificate.public_bytes(serialization.Encoding.PEM)),
        (PROFILE_MEMBER, canonical_json(profile_json)),
    ]
    for form in profile.forms:
        source = sources.get((form.id, form.version))
        if source is None:
            raise PackError(f"The definition of the form {form.id} {form.version} is missing; add it again.")
        members.append((form.path, source))
    if successor_pem is not None:
        members.append((SUCCESSOR_MEMBER, successor_pem))
    for path, data in members:
        if len(data) > PACK_RULES.member_limit(path):
            raise PackError(f"{path} is too large for a pack ({len(data):,} bytes).")
    manifest = PackManifest(
        partnership=profile.ref,
        pack_version=pack_version,
        created_at=created_at or datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        app_version=__version__,
        members=signed_zip.member_entries(members),
    )
    manifest_json = manifest.to_json()
    problem = schema_problem(manifest_json, MANIFEST_SCHEMA)
    if problem:
        raise PackError(f"The pack cannot be made: its manifest would not be valid ({problem}).")
    data, _manifest_bytes = signed_zip.write(manifest_json, members, key)
    if len(data) > PACK_RULES.max_bytes:
        raise PackError("The pack would be larger than a pack can be; remove forms the partnership no longer uses.")
    return data

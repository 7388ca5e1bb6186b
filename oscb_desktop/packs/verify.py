"""Check a partnership pack before anything in it is believed (docs/pack-format.md).

The checks of every signed file come first (:func:`oscb_desktop.bundle.signed_zip.open_signed`: a safe zip, the
members exactly those listed, every hash, the manifest signature by the certificate in ``signer.pem``), then the
pack's own: ``partnership.json`` matches its schema and the manifest, it lists exactly the form definitions the
pack holds, each is a valid form definition (the same checks and messages as ``oscb forms check``) of the id,
version and period it is listed with, and a ``successor.pem`` is there exactly when the profile names one.

Whether to believe the signer — the fingerprint the agency confirmed when it joined, or a successor a pack signed
by that key introduced — and whether the pack is newer than the one held needs the agency's workspace: the
joining service decides that from the result (:mod:`oscb_desktop.services.partnerships`).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from oscb_desktop.bundle.codes import Code, Rejection, shown
from oscb_desktop.bundle.model import JsonError, canonical_json, parse_json, schema_problem
from oscb_desktop.bundle.safezip import read_zip
from oscb_desktop.bundle.signed_zip import SIGNER, open_signed
from oscb_desktop.forms import FormDefinition
from oscb_desktop.forms.loader import FormDefinitionError, load_text
from oscb_desktop.packs.model import (
    FORMAT_VERSION,
    MANIFEST_SCHEMA,
    PACK_RULES,
    PROFILE_MEMBER,
    PROFILE_SCHEMA,
    SUCCESSOR_MEMBER,
    PackForm,
    PackManifest,
    PackProfile,
)

_RESEND = PACK_RULES.resend


@dataclass(frozen=True)
class CheckedForm:
    """A form definition carried by a pack: as listed, its exact YAML, and the definition it makes."""

    entry: PackForm
    source: str
    sha256: str
    definition: FormDefinition


@dataclass(frozen=True)
class PackCheck:
    """The verdict on one pack; fields are filled as far as the checks got (only an ``ok`` one's can be relied on)."""

    ok: bool
    code: str
    reason: str
    member: str | None = None
    manifest: PackManifest | None = None
    profile: PackProfile | None = None
    forms: tuple[CheckedForm, ...] = ()
    signer_fingerprint: str | None = None
    signer_pem: bytes | None = None
    successor_fingerprint: str | None = None
    successor_pem: bytes | None = None
    #: SHA-256 over what the pack says (profile, forms, successor) — equal for the same content however signed.
    content_digest: str | None = None
    #: The pack file's own bytes, kept by a member who accepts it.
    data: bytes = field(default=b"", repr=False, compare=False)

    @property
    def pack_version(self) -> int:
        return self.manifest.pack_version if self.manifest is not None else 0


def check_pack(data_or_path: bytes | str | os.PathLike[str]) -> PackCheck:
    """Check a pack given as bytes or a path; never raises for a bad pack."""
    state: dict[str, Any] = {}
    try:
        return _check(data_or_path, state)
    except Rejection as rejection:
        return PackCheck(ok=False, code=rejection.code.value, reason=rejection.reason, member=rejection.member, **state)


def _check(data_or_path: bytes | str | os.PathLike[str], state: dict[str, Any]) -> PackCheck:
    raw = read_zip(data_or_path, PACK_RULES)

    def claimed(manifest: PackManifest, _bytes: bytes) -> None:
        state["manifest"] = manifest

    signed = open_signed(raw, PACK_RULES, _load_manifest, keep={PROFILE_MEMBER, SUCCESSOR_MEMBER}, on_manifest=claimed)
    manifest: PackManifest = signed.manifest
    state["signer_fingerprint"] = signed.fingerprint
    state["signer_pem"] = signed.signer_pem
    listed = {m.path for m in manifest.members}

    if PROFILE_MEMBER not in listed:
        raise Rejection(Code.BAD_PACK, f"The pack has no partnership.json. {_RESEND}", PROFILE_MEMBER)
    profile = _load_profile(signed.data(PROFILE_MEMBER), manifest)
    state["profile"] = profile

    form_members = {p for p in listed if p.startswith("forms/")}
    for entry in profile.forms:
        if entry.path not in form_members:
            raise Rejection(
                Code.BAD_PACK,
                f"partnership.json lists the form {entry.id} {entry.version}, but the pack does not hold its "
                f"definition ({entry.path}). {_RESEND}",
                PROFILE_MEMBER,
            )
    unlisted = sorted(form_members - {e.path for e in profile.forms})
    if unlisted:
        raise Rejection(
            Code.BAD_PACK, f"The pack holds {shown(unlisted[0])}, which partnership.json does not list. {_RESEND}",
            unlisted[0],
        )  # fmt: skip
    forms = tuple(_check_form(entry, signed.data(entry.path)) for entry in profile.forms)
    state["forms"] = forms

    if profile.has_successor != (SUCCESSOR_MEMBER in listed):
        raise Rejection(
            Code.BAD_PACK,
            f"partnership.json and the pack disagree about a new key for the Business Unit (successor.pem). {_RESEND}",
            SUCCESSOR_MEMBER,
        )
    if profile.has_successor:
        successor_pem = signed.data(SUCCESSOR_MEMBER)
        state["successor_pem"] = successor_pem
        state["successor_fingerprint"] = _successor(successor_pem, signed.fingerprint)

    content = {m.path: m.sha256 for m in manifest.members if m.path != SIGNER}
    digest = hashlib.sha256(canonical_json(content)).hexdigest()
    return PackCheck(ok=True, code=Code.OK.value, reason=_intact(manifest, profile), content_digest=digest, data=raw,
                     **state)  # fmt: skip


def _intact(manifest: PackManifest, profile: PackProfile) -> str:
    forms = ", ".join(f"{f.id} {f.version} ({f.period})" for f in profile.forms) or "no forms"
    return (
        f"The pack of {profile.name} (version {manifest.pack_version}) is intact: {len(profile.agencies)} member "
        f"agencies, forms: {forms}."
    )


def _load_manifest(manifest_bytes: bytes) -> PackManifest:
    try:
        data = parse_json(manifest_bytes)
    except JsonError as exc:
        raise Rejection(Code.BAD_MANIFEST, f"manifest.json cannot be read: {exc}. {_RESEND}", "manifest.json") from None
    problem = schema_problem(data, MANIFEST_SCHEMA)
    if problem:
        newer = isinstance(data, dict) and isinstance(data.get("format_version"), int)
        newer = newer and data["format_version"] > FORMAT_VERSION
        hint = "It was made by a newer version of OSCB Desktop: update this one. " if newer else ""
        raise Rejection(
            Code.BAD_MANIFEST,
            f"This is not an OSCB partnership pack this program can read ({problem}). {hint}{_RESEND}",
            "manifest.json",
        )
    manifest = PackManifest.from_json(data)
    paths = [m.path for m in manifest.members]
    if len(set(paths)) != len(paths):
        raise Rejection(Code.BAD_MANIFEST, f"manifest.json lists a member twice. {_RESEND}", "manifest.json")
    if SIGNER not in paths:
        raise Rejection(Code.BAD_MANIFEST, f"manifest.json does not list signer.pem. {_RESEND}", "manifest.json")
    return manifest


def _load_profile(data: bytes, manifest: PackManifest) -> PackProfile:
    try:
        value = parse_json(data)
    except JsonError as exc:
        raise Rejection(Code.BAD_PACK, f"partnership.json cannot be read: {exc}. {_RESEND}", PROFILE_MEMBER) from None
    problem = schema_problem(value, PROFILE_SCHEMA)
    if problem:
        raise Rejection(
            Code.BAD_PACK, f"partnership.json is not a partnership profile ({problem}). {_RESEND}", PROFILE_MEMBER
        )
    profile = PackProfile.from_json(value)
    if profile.ref != manifest.partnership:
        raise Rejection(
            Code.BAD_PACK,
            f"partnership.json and manifest.json name different partnerships. {_RESEND}",
            PROFILE_MEMBER,
        )
    sectors = [s for s, _label in profile.sectors]
    if len(set(sectors)) != len(sectors):
        raise Rejection(Code.BAD_PACK, f"partnership.json lists a sector twice. {_RESEND}", PROFILE_MEMBER)
    keys = [(f.id, f.version) for f in profile.forms]
    if len(set(keys)) != len(keys):
        raise Rejection(Code.BAD_PACK, f"partnership.json lists a form twice. {_RESEND}", PROFILE_MEMBER)
    return profile


def _check_form(entry: PackForm, data: bytes) -> CheckedForm:
    where = f"the form {entry.id} {entry.version} in the pack"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise Rejection(Code.BAD_FORM, f"{where} is not UTF-8 text. {_RESEND}", entry.path) from None
    try:
        definition = load_text(text, source=entry.path)
    except FormDefinitionError as exc:
        raise Rejection(
            Code.BAD_FORM, f"{where} is not a valid form definition: {exc}. {_RESEND}", entry.path
        ) from None
    found = (definition.id, definition.version, definition.period)
    if found != (entry.id, entry.version, entry.period):
        raise Rejection(
            Code.BAD_FORM,
            f"{where} is listed for {entry.period}, but its file is {definition.id} {definition.version} for "
            f"{definition.period}. {_RESEND}",
            entry.path,
        )
    return CheckedForm(entry, text, hashlib.sha256(data).hexdigest(), definition)


def _successor(pem: bytes, signer_fingerprint: str) -> str:
    try:
        certificates = x509.load_pem_x509_certificates(pem)
    except ValueError:
        certificates = []
    if len(certificates) != 1:
        raise Rejection(
            Code.BAD_PACK, f"successor.pem does not hold exactly one certificate. {_RESEND}", SUCCESSOR_MEMBER
        )
    fingerprint = certificates[0].fingerprint(hashes.SHA256()).hex()
    if fingerprint == signer_fingerprint:
        raise Rejection(Code.BAD_PACK, f"successor.pem is the key that signed the pack. {_RESEND}", SUCCESSOR_MEMBER)
    return fingerprint

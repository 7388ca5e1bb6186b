"""Helpers for the bundle tests: take a bundle apart, change it the way an attacker would, and zip it again."""

from __future__ import annotations

import hashlib
import stat
import warnings
import zipfile
from collections.abc import Iterable, Mapping
from io import BytesIO
from typing import Any

from cryptography.hazmat.primitives import serialization

from oscb_desktop.bundle import Agency, AuditRecord, FormRef, SubmissionPayload, SubmissionRef
from oscb_desktop.bundle.model import canonical_json, parse_json
from oscb_desktop.signing import UnlockedKey, sign_detached

PASSPHRASE = "correct horse battery"
AGENCY_A = "Example Community Health Trust"
AGENCY_B = "Riverside District Council"
SUBMISSION_ID = "6f1c2a4e-8b7d-4f3a-9c2e-1d5b7a9e0c42"
SIGNED_AT = "2027-02-14T10:30:00.000Z"
CREATED_AT = "2027-02-14T10:31:05.250Z"


ATTACHMENT_NAME = "Safeguarding policy (2026).pdf"
ATTACHMENT_DATA = b"%PDF-1.4\n% evidence: the agency's safeguarding policy, reviewed 2026\n"
#: How the standard return's S1.1 names the file (its rating's ``files``).
ATTACHMENT_REF = {
    "sha256": hashlib.sha256(ATTACHMENT_DATA).hexdigest(),
    "name": ATTACHMENT_NAME,
    "size": len(ATTACHMENT_DATA),
    "added": "2027-02-01T09:15:00.000Z",
}


def members_of(bundle: bytes) -> dict[str, bytes]:
    """Every member of a zip, in zip order."""
    with zipfile.ZipFile(BytesIO(bundle)) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def make_zip(
    members: Mapping[str, bytes] | Iterable[tuple[str, bytes] | tuple[str, bytes, int]],
    *,
    compress_type: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """A zip of exactly these entries (duplicates allowed, names taken as they are).

    An entry may carry a third item, its Unix mode (file type and permissions); the default is a plain file.
    """
    items = members.items() if isinstance(members, Mapping) else members
    buffer = BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate names some tests need
        with zipfile.ZipFile(buffer, "w") as zf:
            for name, data, *mode in items:
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.create_system = 3
                info.external_attr = (mode[0] if mode else stat.S_IFREG | 0o644) << 16
                info.compress_type = compress_type
                zf.writestr(info, data)
    return buffer.getvalue()


def rebuild(
    bundle: bytes,
    *,
    replace: Mapping[str, bytes] | None = None,
    remove: Iterable[str] = (),
    add: Mapping[str, bytes] | None = None,
    rename: Mapping[str, str] | None = None,
    fix_manifest: bool = False,
    sign_with: UnlockedKey | None = None,
    compress_type: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """Zip a bundle again with some members changed.

    ``fix_manifest`` lists the members as they now are (as an attacker with a text editor would);
    ``sign_with`` then signs the new manifest with that key, as an attacker holding a key would.
    """
    members = members_of(bundle)
    for name in remove:
        del members[name]
    for old, new in (rename or {}).items():
        members = {new if name == old else name: data for name, data in members.items()}
    members.update(replace or {})
    members.update(add or {})
    if fix_manifest:
        manifest = parse_json(members["manifest.json"])
        manifest["members"] = [
            {"path": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for name, data in sorted(members.items())
            if name not in ("manifest.json", "manifest.sig")
        ]
        members["manifest.json"] = canonical_json(manifest)
    if sign_with is not None:
        members["manifest.sig"] = sign_detached(members["manifest.json"], sign_with)
    return make_zip(members, compress_type=compress_type)


def flip_byte(data: bytes, offset: int) -> bytes:
    """``data`` with one byte changed (its lowest bit flipped)."""
    offset %= len(data)
    return data[:offset] + bytes([data[offset] ^ 0x01]) + data[offset + 1 :]


def pem(key: UnlockedKey) -> bytes:
    return key.certificate.public_bytes(serialization.Encoding.PEM)


def payload(
    *,
    agency: str = AGENCY_A,
    form: tuple[str, str] = ("section11", "2026.1"),
    answers: dict[str, Any] | None = None,
) -> SubmissionPayload:
    return SubmissionPayload(
        submission=SubmissionRef(SUBMISSION_ID, version=2, supersedes="0b9d7c1e-2f4a-4c6b-8e1d-3a5f7b9c1d2e"),
        form=FormRef(*form),
        period="2026/27",
        agency=Agency(agency, "health"),
        answers=answers
        if answers is not None
        else {
            "about.completed_by": "Jane Doe, Director of Nursing",
            "about.services": "Community nursing, health visiting and school nursing across Oxfordshire.",
            "s1.1": {
                "level": "green",
                "evidence": "Board minutes, March 2027; safeguarding policy v4.",
                "example": "",
                "reason": "",
                "files": [ATTACHMENT_REF],
            },
            "s1.2": {"level": "amber", "evidence": "Draft only.", "example": "", "reason": ""},
            "s1.actions": [
                {"action": "Publish the revised policy — “final” version", "lead": "J. Doe", "due": "2027-06-30"}
            ],
        },
        ratings={"s1": {"score": 62.5, "rated": 2, "not_applicable": 0, "levels": {"green": 1, "amber": 1}}},
    )


def file_ref(name: str, data: bytes) -> dict[str, Any]:
    return {"sha256": hashlib.sha256(data).hexdigest(), "name": name, "size": len(data)}


def payload_naming(*files: tuple[str, bytes], item_id: str = "s1.2") -> SubmissionPayload:
    """The standard return with these files (also) named on one rating (S1.2 by default)."""
    answers = dict(payload().answers)
    answers[item_id] = {**answers[item_id], "files": [file_ref(name, data) for name, data in files]}
    return payload(answers=answers)


AUDIT = [
    AuditRecord("s1.1", None, {"level": "amber", "evidence": "", "example": "", "reason": ""}, SIGNED_AT, "jdoe"),
    AuditRecord(
        "s1.1",
        {"level": "amber", "evidence": "", "example": "", "reason": ""},
        {
            "level": "green",
            "evidence": "Board minutes, March 2027; safeguarding policy v4.",
            "example": "",
            "reason": "",
        },
        SIGNED_AT,
        "jdoe",
    ),
    AuditRecord("about.completed_by", None, "Jane Doe, Director of Nursing", SIGNED_AT, "jdoe", "carry-forward"),
]

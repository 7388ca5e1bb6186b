"""What a feedback file's JSON members hold: ``manifest.json`` and ``feedback.json`` (docs/feedback-format.md).

Typed like the bundle's and the pack's members: ``to_json`` gives the plain value, ``from_json`` converts a value
that passed its schema (``resources/schemas/feedback.schema.json``; the manifest is its ``$defs/manifest``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from oscb_desktop.bundle.model import MemberEntry, PartnershipName
from oscb_desktop.bundle.safezip import ZipRules

FEEDBACK_FORMAT = "oscb-feedback"
DATA_FORMAT = "oscb-feedback-data"
FORMAT_VERSION = 1
SCHEMA = "feedback.schema.json"
MANIFEST_POINTER = "/$defs/manifest"
FEEDBACK_SUFFIX = ".oscbfeedback"
FEEDBACK_MEMBER = "feedback.json"
LETTER_MEMBER = "letter.pdf"

#: Feedback is a letter and some JSON: a few megabytes at most.
MAX_FEEDBACK_BYTES = 40 * 1024 * 1024
FEEDBACK_RULES = ZipRules(
    max_bytes=MAX_FEEDBACK_BYTES,
    max_entries=16,
    member_bytes={
        "manifest.json": 64 * 1024,
        "manifest.sig": 64 * 1024,
        "signer.pem": 64 * 1024,
        FEEDBACK_MEMBER: 8 * 1024 * 1024,
        LETTER_MEMBER: 30 * 1024 * 1024,
    },
    other_member_bytes=0,
    noun="feedback file",
    kind="an OSCB feedback file",
    not_zip_hint="Check that you chose the .oscbfeedback file your partnership's Business Unit sent.",
    resend="Ask the partnership's Business Unit to export the feedback again and send the new file.",
)


def _level(data: Mapping[str, Any] | None) -> LevelRef | None:
    return LevelRef.from_json(data) if data is not None else None


@dataclass(frozen=True)
class LevelRef:
    """A level of the form's scale as the Business Unit's app named it: id, words and colour."""

    id: str
    label: str
    colour: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "colour": self.colour}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LevelRef:
        return cls(data["id"], data["label"], data["colour"])


@dataclass(frozen=True)
class Rated:
    """A standard or a statement: the agency's own level beside the moderated one, and the note on it."""

    id: str
    code: str
    title: str
    #: The standard (section id) it belongs to; a standard's own id for a standard.
    standard: str
    own: LevelRef | None
    moderated: LevelRef | None
    note: str = ""

    @property
    def differs(self) -> bool:
        return self.moderated is not None and (self.own is None or self.own.id != self.moderated.id)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "code": self.code,
            "title": self.title,
            "standard": self.standard,
            "own": self.own.to_json() if self.own else None,
            "moderated": self.moderated.to_json() if self.moderated else None,
            "note": self.note,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Rated:
        return cls(
            id=data["id"],
            code=data["code"],
            title=data["title"],
            standard=data["standard"],
            own=_level(data["own"]),
            moderated=_level(data["moderated"]),
            note=data["note"],
        )


@dataclass(frozen=True)
class Note:
    """A challenge-event note: on the whole return (``target`` ""), a standard or a statement."""

    target: str
    label: str
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"target": self.target, "label": self.label, "text": self.text}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Note:
        return cls(data["target"], data["label"], data["text"])


@dataclass(frozen=True)
class RequiredAction:
    """What the partnership requires the agency to do, by when; ``target`` is a standard or statement id, or ""."""

    id: str
    target: str
    #: "S3 A clear line of accountability…" (or "" for the return as a whole).
    label: str
    what: str
    due: date | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "target": self.target,
            "label": self.label,
            "what": self.what,
            "due": self.due.isoformat() if self.due else None,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RequiredAction:
        due = date.fromisoformat(data["due"]) if data["due"] else None
        return cls(data["id"], data["target"], data["label"], data["what"], due)


@dataclass(frozen=True)
class ReturnFeedback:
    """The feedback on one return the agency sent (the version the partnership counted)."""

    submission_id: str
    version: int
    form_id: str
    form_version: str
    form_title: str
    review_status: str
    review_status_label: str
    review_notes: str
    standards: tuple[Rated, ...] = ()
    #: Only the statements the partnership moderated or wrote a note on.
    statements: tuple[Rated, ...] = ()
    notes: tuple[Note, ...] = ()
    required_actions: tuple[RequiredAction, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "submission": {"id": self.submission_id, "version": self.version},
            "form": {"id": self.form_id, "version": self.form_version, "title": self.form_title},
            "review": {"status": self.review_status, "label": self.review_status_label, "notes": self.review_notes},
            "standards": [s.to_json() for s in self.standards],
            "statements": [s.to_json() for s in self.statements],
            "notes": [n.to_json() for n in self.notes],
            "required_actions": [a.to_json() for a in self.required_actions],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReturnFeedback:
        return cls(
            submission_id=data["submission"]["id"],
            version=int(data["submission"]["version"]),
            form_id=data["form"]["id"],
            form_version=data["form"]["version"],
            form_title=data["form"]["title"],
            review_status=data["review"]["status"],
            review_status_label=data["review"]["label"],
            review_notes=data["review"]["notes"],
            standards=tuple(Rated.from_json(s) for s in data["standards"]),
            statements=tuple(Rated.from_json(s) for s in data["statements"]),
            notes=tuple(Note.from_json(n) for n in data["notes"]),
            required_actions=tuple(RequiredAction.from_json(a) for a in data["required_actions"]),
        )


@dataclass(frozen=True)
class FeedbackDocument:
    """``feedback.json``: the partnership's feedback to one agency on its returns for one period."""

    partnership: PartnershipName
    agency: str
    period: str
    #: The Business Unit officer who exported it (may be empty).
    issued_by: str
    returns: tuple[ReturnFeedback, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": DATA_FORMAT,
            "format_version": FORMAT_VERSION,
            "partnership": self.partnership.to_json(),
            "agency": {"name": self.agency},
            "period": self.period,
            "issued_by": self.issued_by,
            "returns": [r.to_json() for r in self.returns],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FeedbackDocument:
        return cls(
            partnership=PartnershipName(data["partnership"]["id"], data["partnership"]["name"]),
            agency=data["agency"]["name"],
            period=data["period"],
            issued_by=data["issued_by"],
            returns=tuple(ReturnFeedback.from_json(r) for r in data["returns"]),
        )


@dataclass(frozen=True)
class FeedbackManifest:
    partnership: PartnershipName
    agency: str
    period: str
    created_at: str
    app_version: str
    members: tuple[MemberEntry, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FEEDBACK_FORMAT,
            "format_version": FORMAT_VERSION,
            "partnership": self.partnership.to_json(),
            "agency": {"name": self.agency},
            "period": self.period,
            "created_at": self.created_at,
            "app_version": self.app_version,
            "members": [m.to_json() for m in sorted(self.members, key=lambda m: m.path)],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FeedbackManifest:
        return cls(
            partnership=PartnershipName(data["partnership"]["id"], data["partnership"]["name"]),
            agency=data["agency"]["name"],
            period=data["period"],
            created_at=data["created_at"],
            app_version=data["app_version"],
            members=tuple(MemberEntry.from_json(m) for m in data["members"]),
        )

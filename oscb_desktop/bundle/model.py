"""What a bundle's JSON members hold: ``manifest.json``, ``submission.json`` and ``audit.json``.

The dataclasses mirror the JSON Schemas in ``resources/schemas/`` one to one. ``to_json`` gives the plain
JSON value; ``from_json`` expects a value that already passed the schema (the verifier checks first), so it
only converts, it does not validate. It converts everything the schema admits, including integers written
as ``2.0`` (JSON Schema counts those as integers), which become ``int``. :func:`canonical_json` turns a value
into the exact bytes stored.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from oscb_desktop import paths
from oscb_desktop.bundle import fast_schema

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
from oscb_desktop.forms import FormDefinition
from oscb_desktop.forms import files as evidence_files

BUNDLE_FORMAT = "oscb-bundle"
SUBMISSION_FORMAT = "oscb-submission"
#: The bundle format this program writes (``manifest.json``'s ``format_version``). Version 2 adds one rule to
#: version 1: the signed PDF carries ``submission.json`` as an embedded file, byte for byte the bundle's
#: (docs/bundle-format.md). Every version in :data:`READABLE_FORMAT_VERSIONS` is still verified and imported.
FORMAT_VERSION = 2
READABLE_FORMAT_VERSIONS = (1, 2)
#: The first bundle format whose signed PDF must carry the answers.
PDF_CARRIES_DATA_SINCE = 2
#: ``submission.json``'s own ``format_version`` (its shape did not change with the bundle's version 2).
SUBMISSION_FORMAT_VERSION = 1

MANIFEST_SCHEMA = "manifest.schema.json"
SUBMISSION_SCHEMA = "submission.schema.json"


def canonical_json(value: Any) -> bytes:
    """The one byte form of a JSON value used in bundles: UTF-8, keys sorted, 2-space indent, final newline.

    The same value always gives the same bytes, so a re-exported return hashes the same and people can
    diff two bundles' members. NaN and infinities are refused: they are not JSON.
    """
    text = json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")


class JsonError(ValueError):
    """Bytes that are not strict JSON; the message says why in plain words."""


def parse_json(data: bytes) -> Any:
    """Parse untrusted bytes as strict JSON: UTF-8, no duplicate keys, no NaN or infinities, no number beyond
    :data:`MAX_JSON_INTEGER` or too large to be finite, nothing nested deeper than :data:`MAX_JSON_DEPTH`.

    Raises :class:`JsonError` (never anything else) so callers can turn it into a reason.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise JsonError("it is not UTF-8 text") from None
    if text.startswith("\ufeff"):
        raise JsonError("it starts with a byte order mark")
    try:
        value = json.loads(
            text,
            object_pairs_hook=_no_duplicate_keys,
            parse_constant=_no_constants,
            parse_int=_bounded_int,
            parse_float=_finite_float,
        )
    except JsonError:
        raise
    except json.JSONDecodeError as exc:
        raise JsonError(f"it is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise JsonError(_TOO_DEEP) from None
    except ValueError:
        raise JsonError("it is not JSON that can be read safely") from None
    if _deeper_than(value, MAX_JSON_DEPTH):
        raise JsonError(_TOO_DEEP)
    return value


#: Deepest nesting of lists and objects accepted (a return's deepest value, a cell of a table row in the
#: answer history, is six levels down).
MAX_JSON_DEPTH = 32
#: Largest whole number accepted: the largest every JSON reader holds exactly (2**53, I-JSON, RFC 7493).
MAX_JSON_INTEGER = 2**53
_TOO_DEEP = f"it is nested more than {MAX_JSON_DEPTH} levels deep, which no part of a bundle is"


def _too_large(text: str) -> JsonError:
    shown = text if len(text) <= 30 else text[:27] + "…"
    return JsonError(f"it holds a number too large to be a count, a score or an answer ({shown})")


def _bounded_int(text: str) -> int:
    # The length first: Python refuses to convert more than 4,300 digits, and converting is quadratic.
    if len(text.lstrip("-")) > len(str(MAX_JSON_INTEGER)) or abs(int(text)) > MAX_JSON_INTEGER:
        raise _too_large(text)
    return int(text)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400 is infinity to Python, and no number to anyone else
        raise _too_large(text)
    return value


def _deeper_than(value: Any, limit: int) -> bool:
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth >= limit:
                return True
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise JsonError(f"the key {key!r} appears twice")
        result[key] = value
    return result


def _no_constants(name: str) -> Any:
    raise JsonError(f"it contains {name}, which is not a JSON number")


@cache
def schema(name: str) -> dict[str, Any]:
    """One of the published JSON Schemas (``manifest.schema.json``, ``submission.schema.json``)."""
    with paths.resource("schemas", name).open(encoding="utf-8") as fh:
        loaded: dict[str, Any] = json.load(fh)
    return loaded


@cache
def _validator(name: str, pointer: str) -> Draft202012Validator:
    import jsonschema  # on first use (about 0.1 s of imports): the first window opens without it

    root = schema(name)
    target = root if not pointer else {"$ref": f"#{pointer}", "$defs": root["$defs"]}
    return jsonschema.Draft202012Validator(target)


@cache
def _quick_check(name: str, pointer: str) -> Callable[[Any], bool] | None:
    try:
        return fast_schema.compile_schema(schema(name), pointer)
    except fast_schema.Unsupported:
        return None  # jsonschema alone


def schema_problem(value: Any, name: str, pointer: str = "") -> str | None:
    """``None`` if ``value`` matches the schema (or its ``$defs`` part at ``pointer``), else the first problem.

    The problem names where it is (``members[2].sha256``) and what is wrong, for a reason shown to people.
    A valid value is said valid by the schema compiled to Python (:mod:`.fast_schema`); ``jsonschema`` finds
    what is wrong with an invalid one.
    """
    try:
        quick = _quick_check(name, pointer)
        if quick is not None and quick(value):
            return None
        errors = list(_validator(name, pointer).iter_errors(value))
    except RecursionError:
        return "it is nested too deeply"
    if not errors:
        return None
    from jsonschema.exceptions import best_match

    best = best_match(errors)
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in best.absolute_path).lstrip(".")
    message = best.message
    if len(message) > 200:
        message = message[:200] + "…"
    return f"{where or 'the top level'}: {message}"


@dataclass(frozen=True)
class Agency:
    name: str
    sector: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "sector": self.sector}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Agency:
        return cls(name=data["name"], sector=data["sector"])


@dataclass(frozen=True)
class PartnershipName:
    """The partnership a return is addressed to: its id (from its pack) and name."""

    id: str
    name: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> PartnershipName | None:
        return cls(id=data["id"], name=data["name"]) if data else None


@dataclass(frozen=True)
class FormRef:
    """Which form definition a return answers: id and version, as in ``forms/``."""

    id: str
    version: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "version": self.version}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FormRef:
        return cls(id=data["id"], version=data["version"])


@dataclass(frozen=True)
class SubmissionRef:
    """A submission's identity: ``version`` counts reopenings; ``supersedes`` is the id it replaces, if any."""

    id: str
    version: int = 1
    supersedes: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "version": self.version, "supersedes": self.supersedes}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SubmissionRef:
        return cls(id=data["id"], version=int(data["version"]), supersedes=data["supersedes"])


@dataclass(frozen=True)
class Signatory:
    name: str
    role: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "role": self.role}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Signatory:
        return cls(name=data["name"], role=data["role"])


@dataclass(frozen=True)
class MemberEntry:
    """One member listed in the manifest: its path in the zip, size in bytes and lower-case hex SHA-256."""

    path: str
    size: int
    sha256: str

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "size": self.size, "sha256": self.sha256}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> MemberEntry:
        return cls(path=data["path"], size=int(data["size"]), sha256=data["sha256"])


@dataclass(frozen=True)
class Manifest:
    """``manifest.json``: what the bundle is, who signed it, and every other member with its hash.

    It lists every member except itself and ``manifest.sig`` (so ``signer.pem`` is listed too), sorted by path.
    """

    agency: Agency
    form: FormRef
    form_title: str
    period: str
    submission: SubmissionRef
    signatory: Signatory
    signed_at: str
    created_at: str
    app_version: str
    members: tuple[MemberEntry, ...]
    format_version: int = FORMAT_VERSION
    partnership: PartnershipName | None = None

    @property
    def pdf_carries_data(self) -> bool:
        """Must the signed PDF carry ``submission.json``? (Bundles of format version 1 were made before it did.)"""
        return self.format_version >= PDF_CARRIES_DATA_SINCE

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "format": BUNDLE_FORMAT,
            "format_version": self.format_version,
            "agency": self.agency.to_json(),
            "form": {**self.form.to_json(), "title": self.form_title},
            "period": self.period,
            "submission": self.submission.to_json(),
            "signatory": self.signatory.to_json(),
            "signed_at": self.signed_at,
            "created_at": self.created_at,
            "app_version": self.app_version,
            "members": [m.to_json() for m in sorted(self.members, key=lambda m: m.path)],
        }
        if self.partnership is not None:
            data["partnership"] = self.partnership.to_json()
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Manifest:
        return cls(
            agency=Agency.from_json(data["agency"]),
            form=FormRef.from_json(data["form"]),
            form_title=data["form"]["title"],
            period=data["period"],
            submission=SubmissionRef.from_json(data["submission"]),
            signatory=Signatory.from_json(data["signatory"]),
            signed_at=data["signed_at"],
            created_at=data["created_at"],
            app_version=data["app_version"],
            members=tuple(MemberEntry.from_json(m) for m in data["members"]),
            format_version=int(data["format_version"]),
            partnership=PartnershipName.from_json(data.get("partnership")),
        )

    def member(self, path: str) -> MemberEntry | None:
        return next((m for m in self.members if m.path == path), None)


@dataclass(frozen=True)
class SubmissionPayload:
    """``submission.json``: the return itself, answers keyed by the form's item ids.

    ``answers`` is the source of truth; the value shapes are those in :mod:`oscb_desktop.forms.model`.
    ``ratings`` is an optional per-section summary for readers without the form definition, never used to
    decide anything.
    """

    submission: SubmissionRef
    form: FormRef
    period: str
    agency: Agency
    answers: Mapping[str, Any]
    ratings: Mapping[str, Any] | None = None
    partnership: PartnershipName | None = None
    #: The agency's practitioner survey counts (suppressed), set beside a self-assessment; absent in older bundles.
    survey: Mapping[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "format": SUBMISSION_FORMAT,
            "format_version": SUBMISSION_FORMAT_VERSION,
            "submission": self.submission.to_json(),
            "form": self.form.to_json(),
            "period": self.period,
            "agency": self.agency.to_json(),
            "answers": dict(self.answers),
        }
        if self.partnership is not None:
            data["partnership"] = self.partnership.to_json()
        if self.ratings is not None:
            data["ratings"] = dict(self.ratings)
        if self.survey is not None:
            data["survey"] = dict(self.survey)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SubmissionPayload:
        return cls(
            submission=SubmissionRef.from_json(data["submission"]),
            form=FormRef.from_json(data["form"]),
            period=data["period"],
            agency=Agency.from_json(data["agency"]),
            answers=dict(data["answers"]),
            ratings=data.get("ratings"),
            partnership=PartnershipName.from_json(data.get("partnership")),
            survey=data.get("survey"),
        )


@dataclass(frozen=True)
class AuditRecord:
    """One change of one answer, as kept by the workspace (``store.models.AuditEntry``)."""

    item_id: str
    old_value: Any
    new_value: Any
    at: str
    user: str
    action: str = "edit"

    def to_json(self) -> dict[str, Any]:
        return {
            "item_id": self.item_id,
            "old_value": self.old_value,
            "new_value": self.new_value,
            "at": self.at,
            "user": self.user,
            "action": self.action,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AuditRecord:
        return cls(**{k: data[k] for k in ("item_id", "old_value", "new_value", "at", "user", "action")})


def audit_to_json(records: Sequence[AuditRecord | Mapping[str, Any]]) -> list[Any]:
    return [r.to_json() if isinstance(r, AuditRecord) else dict(r) for r in records]


@dataclass(frozen=True)
class AttachmentRef:
    """An evidence file as an answer names it (by content), and the item it is on."""

    sha256: str
    name: str
    size: int
    item_id: str = ""


def attachment_refs(answers: Mapping[str, Any], form: FormDefinition | None = None) -> list[AttachmentRef]:
    """Every well-formed evidence file entry the answers name, in answer order (a file on two items twice).

    With ``form`` (the verifier's), the files of every item that takes them or holds them, read as
    :func:`oscb_desktop.forms.files.files_of` reads them. Without it (the writer, which has no form), by shape: an
    answer that is a list of file entries (an attachments item), or a mapping with a ``files`` list (a rating).
    """
    refs = []
    for item_id, value in answers.items():
        if form is not None:
            if not form.has_item(item_id):
                continue
            entries: list[Any] = evidence_files.files_of(form.item(item_id), value)
        elif isinstance(value, list):
            entries = value
        elif isinstance(value, dict) and isinstance(value.get("files"), list):
            entries = value["files"]
        else:
            continue
        for entry in entries:
            if evidence_files.entry_problem(entry) is None:
                refs.append(AttachmentRef(entry["sha256"], entry["name"], entry["size"], item_id))
    return refs

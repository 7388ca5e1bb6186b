"""The evidence files of the returns the Business Unit received: listed beside their statements, read from the
stored bundle (checked against the SHA-256 the signed answers name), copied read-only to open, and the "check this
evidence" hints: a file identical to the one the agency sent for the same statement last year, and a file that is
empty or nearly so (a tiny file, or a PDF with no text in it).

Nothing in an agency's file is run: the hints read a PDF's bytes for text-showing operators and nothing more,
and a file is only ever opened by the system's viewer when the user asks for it.
"""

from __future__ import annotations

import base64
import hashlib
import re
import zlib
from collections.abc import Iterator
from pathlib import Path

from oscb_desktop.bundle import limits
from oscb_desktop.bundle.codes import Rejection
from oscb_desktop.bundle.model import JsonError, parse_json
from oscb_desktop.bundle.safezip import BUNDLE_RULES, SafeZip, read_zip
from oscb_desktop.forms import FormDefinition
from oscb_desktop.forms import files as ef
from oscb_desktop.services import evidence, review
from oscb_desktop.services.review import ReviewError
from oscb_desktop.services.values import EvidenceHint, ReceivedFile, ReceivedInfo
from oscb_desktop.services.workspace import Workspace, uses_workspace
from oscb_desktop.store.blobs import AttachmentError
from oscb_desktop.store.models import ReceivedReturn

#: What a file named by the signed answers but not yet received is, in words (the viewer lists it so).
NOT_RECEIVED = "not received yet: import the .oscb bundle"


class EvidenceNotReceivedError(ReviewError):
    """The return came as its signed PDF alone: the file is named in it, but its bytes come with the bundle."""


#: A file smaller than this is "near-empty": too small to be the policy, audit or minutes it stands for.
NEAR_EMPTY_BYTES = 1024


def _form(ws: Workspace, row: ReceivedInfo) -> FormDefinition | None:
    try:
        return ws.forms.get(row.form_id, row.form_version)
    except KeyError:
        return None


def _files(form: FormDefinition, row: ReceivedInfo) -> Iterator[ReceivedFile]:
    for item in form.items():
        label = item.label if len(item.label) <= 140 else item.label[:139] + "…"
        for entry in ef.files_of(item, row.answers.get(item.id)):
            if ef.entry_problem(entry) is not None:
                continue
            name = entry["name"]
            yield ReceivedFile(
                item_id=item.id,
                code=form.item_code(item.id),
                label=label,
                sha256=entry["sha256"],
                name=name,
                size=entry["size"],
                added=entry.get("added"),
                carried=bool(entry.get("carried", False)),
                allowed_type=ef.allowed(item.files or ef.default_policy(), name),
                received=row.bundle_received,
            )


@uses_workspace
def received_files(ws: Workspace, received_id: int) -> list[ReceivedFile]:
    """The evidence files of a received return, in form order (statement by statement); those of a return that came
    as its signed PDF alone are listed all the same (the signed answers name them), marked not received."""
    row = review.received(ws, received_id)
    form = _form(ws, row)
    return list(_files(form, row)) if form is not None else []


@uses_workspace
def read_file(ws: Workspace, received_id: int, sha256: str) -> bytes:
    """The bytes of one evidence file of a received return, from the bundle as it was imported.

    :raises EvidenceNotReceivedError: the return came as its signed PDF alone (its bundle completes it).
    """
    row = review.received(ws, received_id)
    if not row.bundle_received:
        raise EvidenceNotReceivedError(
            f"This file is {NOT_RECEIVED}. The return came as its signed PDF alone, which names the file but does "
            "not carry it: import the agency's .oscb file for this return (ask them for it) and the file opens here."
        )
    try:
        bundle = ws.blobs.read(row.bundle_sha256)
    except (OSError, AttachmentError) as exc:
        raise ReviewError("The bundle of this return is missing from the workspace; import it again.") from exc
    try:
        safe = SafeZip.open(read_zip(bundle, BUNDLE_RULES), BUNDLE_RULES)
        manifest = parse_json(safe.read("manifest.json")) if "manifest.json" in safe.infos else {}
    except (Rejection, JsonError) as exc:
        raise ReviewError(f"The stored bundle of this return cannot be read ({exc}); import it again.") from exc
    members = manifest.get("members") if isinstance(manifest, dict) else None
    path = next(
        (
            m.get("path")
            for m in members or []
            if isinstance(m, dict)
            and m.get("sha256") == sha256
            and str(m.get("path", "")).startswith(limits.ATTACHMENTS_FOLDER)
            and m.get("path") in safe.infos
        ),
        None,
    )
    if path is None:
        raise ReviewError(
            "This file was not received with the return: the bundle imported does not carry it. Ask the agency to "
            "send the whole .oscb file again."
        )
    data = safe.read(path)
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ReviewError("The stored copy of this file is damaged; import the return's bundle again.")
    return data


@uses_workspace
def open_copy(ws: Workspace, received_id: int, sha256: str, name: str) -> Path:
    """A read-only temporary copy of a received evidence file, for the system's viewer (never the bundle itself)."""
    return evidence.temporary_copy(read_file(ws, received_id, sha256), name, sha256)


# Hints -------------------------------------------------------------------------------------------------------


def _last_year(ws: Workspace, row: ReceivedInfo) -> ReceivedInfo | None:
    """The newest version received of the same agency's return of the same form for the latest earlier period."""
    earlier = (
        ReceivedReturn.select()
        .where(
            (ReceivedReturn.agency == row.agency_id)
            & (ReceivedReturn.form_id == row.form_id)
            & (ReceivedReturn.period < row.period)
        )
        .order_by(ReceivedReturn.period.desc(), ReceivedReturn.version.desc())
        .first()
    )
    return review.received(ws, earlier.id) if earlier is not None else None


@uses_workspace
def evidence_hints(ws: Workspace, received_id: int) -> list[EvidenceHint]:
    """The "check this evidence" hints of a received return, in form order. It reads the return's PDFs: run it off
    the UI thread."""
    row = review.received(ws, received_id)
    form = _form(ws, row)
    if form is None:
        return []
    before = _last_year(ws, row)
    sent_before: dict[str, set[str]] = {}
    if before is not None and (old_form := _form(ws, before)) is not None:
        for f in _files(old_form, before):
            sent_before.setdefault(f.item_id, set()).add(f.sha256)
    hints: list[EvidenceHint] = []
    for f in _files(form, row):
        if f.sha256 in sent_before.get(f.item_id, set()):
            assert before is not None
            hints.append(
                EvidenceHint(
                    f.item_id,
                    f.code,
                    f.name,
                    f.sha256,
                    "same_as_last_year",
                    f"{f.name} on {f.code} is the very file (same SHA-256) sent for this statement last year "
                    f"({before.period}). Check that it still shows this year's practice.",
                )
            )
        if f.size < NEAR_EMPTY_BYTES:
            what = "empty" if f.size == 0 else f"only {ef.size_text(f.size)}"
            hints.append(
                EvidenceHint(
                    f.item_id,
                    f.code,
                    f.name,
                    f.sha256,
                    "near_empty",
                    f"{f.name} on {f.code} is {what}: check that it holds the evidence it stands for.",
                )
            )
        elif ef.kind_of(f.name) == "pdf" and f.received:
            try:
                shows_text = pdf_has_text(read_file(ws, row.id, f.sha256))
            except ReviewError:
                continue  # the stored bundle cannot be read: opening the file says why
            if shows_text is False:
                hints.append(
                    EvidenceHint(
                        f.item_id,
                        f.code,
                        f.name,
                        f.sha256,
                        "no_text",
                        f"{f.name} on {f.code} is a PDF with no text in it (a scan, or blank pages): open it and "
                        "check that it can be read.",
                    )
                )
    return hints


#: A text-showing operator after its operand: ``(Hello) Tj``, ``[(A) 10 (B)] TJ``, ``<48656c6c6f> Tj``.
_SHOWS_TEXT = re.compile(rb"[)\]>]\s*(?:Tj|TJ|'|\")(?![A-Za-z])")
#: A stream's start: the keyword right after its dictionary (the letters "stream" at a line's end inside another
#: stream's ASCII85 data are not one: taken for one, a scan's pixels were read as text).
_STREAM = re.compile(rb">>\s*stream\r?\n")
#: Bounds on the work one PDF can cause: decompressed bytes per stream and in all.
_STREAM_BYTES = 8 * 1024 * 1024
_TOTAL_BYTES = 64 * 1024 * 1024


def _known_filters(header: bytes) -> bool:
    """Only deflate and ASCII85 (in any order reportlab and office programs use): nothing else is decoded."""
    filters = re.findall(rb"/(\w+Decode)\b", header)
    return bool(filters) and all(f in (b"FlateDecode", b"ASCII85Decode") for f in filters)


def pdf_has_text(data: bytes) -> bool | None:
    """Does the PDF show any text? None when it cannot be told (encrypted, or too much to look through).

    Looks for text-showing operators in its streams that are not images, plain or deflated; parses nothing else.
    """
    if b"/Encrypt" in data:
        return None
    view = memoryview(data)
    budget = _TOTAL_BYTES
    for match in _STREAM.finditer(data):
        head = data[max(0, match.start() - 4096) : match.end()]
        opened = head.rfind(b" obj")
        if opened < 0:
            continue  # no object opens before it: not a stream of the file's own
        header = head[opened + 1 :]  # the stream's dictionary, after "n 0 obj"
        if b"/Image" in header:
            continue  # pixels, not page content
        body = view[match.end() : match.end() + _STREAM_BYTES]
        if b"/Filter" not in header:
            end = data.find(b"endstream", match.end(), match.end() + _STREAM_BYTES)
            content = bytes(body[: end - match.end()] if end >= 0 else body)
        elif _known_filters(header):
            try:
                raw = bytes(body)
                if b"/ASCII85Decode" in header:  # reportlab's default: ASCII85 over deflate
                    end = raw.find(b"~>")
                    raw = base64.a85decode(raw[: end if end >= 0 else None].removeprefix(b"<~"))
                content = zlib.decompressobj().decompress(raw, _STREAM_BYTES) if b"/FlateDecode" in header else raw
            except (zlib.error, ValueError):
                continue  # damaged
        else:
            continue  # another filter (a scan's JPEG, say)
        if _SHOWS_TEXT.search(content):
            return True
        budget -= len(content)
        if budget <= 0:
            return None
    return False

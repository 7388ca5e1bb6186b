"""Evidence files on the items of an agency's return: add, remove, list, and a read-only copy to open.

A file is checked against its item's :class:`~oscb_desktop.forms.model.FilesPolicy` (kind, size, count, and
that its contents are what its name says), copied into the workspace's blob store by its SHA-256 (crash-safe:
a ``.part`` file, fsync, rename, before any answer names it), and named in the item's answer (see the value
shapes in :mod:`oscb_desktop.forms.model`). Adding or removing a file is one transaction with its audit entry,
like any answer change; a signed return refuses both (:class:`~oscb_desktop.services.returns.ReturnLockedError`).

The editor checks and copies a file on a worker thread with :func:`store_file` and adds it to the answer it
holds, which its autosave writes; the CLI and scripts use :func:`add_file` and :func:`remove_file`.
"""

from __future__ import annotations

import atexit
import dataclasses
import hashlib
import os
import re
import shutil
import stat
import tempfile
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from oscb_desktop.bundle import limits
from oscb_desktop.forms import FormDefinition
from oscb_desktop.forms import files as ef
from oscb_desktop.forms.model import FilesPolicy, Item
from oscb_desktop.fsutil import WriteError
from oscb_desktop.services import returns
from oscb_desktop.services.returns import ReturnError
from oscb_desktop.services.values import EvidenceFile
from oscb_desktop.services.workspace import Workspace, now_iso, uses_workspace
from oscb_desktop.store.blobs import AttachmentError

#: Most evidence files one return can hold: what one bundle can carry.
RETURN_MAX_FILES = limits.MAX_ATTACHMENTS
#: Most bytes of evidence one return can hold, leaving room in the bundle for the PDF and the answer history.
RETURN_MAX_BYTES = limits.MAX_BUNDLE_BYTES - 20 * limits.MIB


class EvidenceRefusedError(ReturnError):
    """A file cannot be attached; the message names the file and the rule it breaks (for the user)."""

    def __init__(self, file_name: str, rule: str, message: str) -> None:
        super().__init__(message)
        self.file_name = file_name
        #: ``type``, ``content``, ``empty``, ``size``, ``count``, ``return_count``, ``return_size``,
        #: ``duplicate`` or ``unreadable``
        self.rule = rule


def policy_of(form: FormDefinition, item_id: str) -> tuple[Item, FilesPolicy]:
    """The item and the files it takes; :class:`ReturnError` when it takes none."""
    if not form.has_item(item_id):
        raise ReturnError(f"The form {form.id} {form.version} has no item {item_id!r}.")
    item = form.item(item_id)
    if item.files is None:
        raise ReturnError(f"{form.item_code(item_id)} does not take evidence files.")
    return item, item.files


def check_file(
    form: FormDefinition,
    item_id: str,
    path: str | Path,
    *,
    current: Sequence[Mapping[str, Any]],
    elsewhere: Sequence[Mapping[str, Any]] = (),
) -> int:
    """Everything about a file that can be checked before it is copied; returns its size.

    ``current``: the files the item holds now; ``elsewhere``: those of the return's other items (for the
    limits of a bundle). Raises :class:`EvidenceRefusedError` naming the file and the rule.
    """
    _item, policy = policy_of(form, item_id)
    path = Path(path)
    name, where = path.name, form.item_code(item_id)
    if not ef.allowed(policy, name):
        kind = ef.extension(name) or "without an extension"
        raise EvidenceRefusedError(
            name,
            "type",
            f"{name} cannot be attached: files {kind} are not accepted. {where} takes {ef.types_text(policy)} only. "
            "Save it as one of those (for example as PDF) and attach that.",
        )
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise EvidenceRefusedError(name, "unreadable", f"{name} is not a file, so it cannot be attached.")
        with open(path, "rb") as fh:
            head = fh.read(ef.HEAD_BYTES)
    except OSError as exc:
        raise EvidenceRefusedError(name, "unreadable", f"{name} cannot be read ({exc.strerror}).") from exc
    size = info.st_size
    if size == 0:
        raise EvidenceRefusedError(
            name, "empty", f"{name} is empty (0 bytes), so it shows nothing. Attach the real file."
        )
    if size > policy.max_file_bytes:
        shown, limit = ef.size_text(size), ef.size_text(policy.max_file_bytes)
        if shown == limit:  # "10 MB; at most 10 MB" would read as no reason at all
            shown, limit = f"{size:,} bytes", f"{limit} ({policy.max_file_bytes:,} bytes)"
        raise EvidenceRefusedError(
            name,
            "size",
            f"{name} is {shown}; files on {where} can be at most {limit}. "
            "Attach a smaller file (for example a PDF of the pages that matter) or a summary.",
        )
    problem = ef.content_problem(name, head)
    if problem:
        raise EvidenceRefusedError(
            name, "content", f"{name} cannot be attached: {problem}. Save it again in its real format and attach that."
        )
    if policy.max_files is not None and len(current) >= policy.max_files:
        raise EvidenceRefusedError(
            name,
            "count",
            f"{name} cannot be attached: {where} already has {len(current)} files, the most it takes. "
            "Remove one first, or combine some into one PDF.",
        )
    _check_return_limits(name, size, [*current, *elsewhere])
    return size


def _check_return_limits(name: str, size: int, others: Sequence[Mapping[str, Any]]) -> None:
    distinct = {f["sha256"]: f.get("size", 0) for f in others if isinstance(f.get("sha256"), str)}
    if len(distinct) >= RETURN_MAX_FILES:
        raise EvidenceRefusedError(
            name,
            "return_count",
            f"{name} cannot be attached: this return already holds {len(distinct)} evidence files, the most a signed "
            "return can carry. Combine some of them into one PDF first.",
        )
    total = sum(s for s in distinct.values() if isinstance(s, int))
    if total + size > RETURN_MAX_BYTES:
        raise EvidenceRefusedError(
            name,
            "return_size",
            f"{name} cannot be attached: the return's evidence files would come to {ef.size_text(total + size)}, "
            f"more than the {ef.size_text(RETURN_MAX_BYTES)} a signed return can carry. Attach smaller files.",
        )


def _other_files(form: FormDefinition, answers: Mapping[str, Any], item_id: str) -> list[dict[str, Any]]:
    return [
        f
        for other in form.items()
        if other.id != item_id and other.files
        for f in ef.files_of(other, answers.get(other.id))
    ]


@uses_workspace
def store_file(
    ws: Workspace,
    submission_id: str,
    item_id: str,
    path: str | Path,
    *,
    current: Sequence[Mapping[str, Any]] | None = None,
) -> EvidenceFile:
    """Check a file for an item and copy it into the workspace; the answer is not changed.

    ``current``: the item's files as the caller holds them (the editor's, which may be ahead of the store);
    by default those stored. Slow for a large file (it is read and hashed): the editor runs it in a job.
    """
    sub = returns.get_submission(ws, submission_id)
    returns.check_writable(sub)
    form = returns.form_of(ws, sub)
    answers = returns.load_answers(ws, sub.id)
    item, policy = policy_of(form, item_id)
    held = list(current) if current is not None else ef.files_of(item, answers.get(item_id))
    check_file(form, item_id, path, current=held, elsewhere=_other_files(form, answers, item_id))
    name = Path(path).name
    try:
        ref = ws.blobs.add_file(path, max_bytes=policy.max_file_bytes)
    except AttachmentError as exc:
        raise EvidenceRefusedError(name, "size", str(exc)) from exc
    except WriteError as exc:
        raise ReturnError(str(exc)) from exc
    if any(f.get("sha256") == ref.sha256 for f in held):
        raise EvidenceRefusedError(
            name,
            "duplicate",
            f"{name} is already attached to {form.item_code(item_id)} (the same file, perhaps by another name).",
        )
    return EvidenceFile(item_id, ref.sha256, ref.name, ref.size, now_iso(), False)


@uses_workspace
def add_file(
    ws: Workspace, submission_id: str, item_id: str, path: str | Path, *, added_at: str | None = None
) -> EvidenceFile:
    """Attach a file to an item: checked, stored, and added to the answer in one audited transaction
    (``added_at``: when it was attached, if not now — the demo's dates)."""
    sub = returns.get_submission(ws, submission_id)
    form = returns.form_of(ws, sub)
    added = store_file(ws, sub.id, item_id, path)
    if added_at is not None:
        added = dataclasses.replace(added, added=added_at)
    item = form.item(item_id)
    with ws.db.atomic():
        value = returns.load_answers(ws, sub.id).get(item_id)
        files = ef.files_of(item, value)
        if any(f["sha256"] == added.sha256 for f in files):  # attached meanwhile
            raise EvidenceRefusedError(
                added.name, "duplicate", f"{added.name} is already attached to {form.item_code(item_id)}."
            )
        returns.save_answers(
            ws, sub.id, {item_id: ef.with_files(item, value, [*files, added.as_entry()])}, action="add-file"
        )
    return added


@uses_workspace
def remove_file(ws: Workspace, submission_id: str, item_id: str, sha256: str) -> EvidenceFile:
    """Take a file off an item (one audited transaction); the file stays in the workspace, as every file does."""
    with ws.db.atomic():
        sub = returns.get_submission(ws, submission_id)
        returns.check_writable(sub)
        form = returns.form_of(ws, sub)
        item, _policy = policy_of(form, item_id)
        value = returns.load_answers(ws, sub.id).get(item_id)
        files = ef.files_of(item, value)
        gone = next((f for f in files if f["sha256"] == sha256), None)
        if gone is None:
            raise ReturnError(f"That file is not attached to {form.item_code(item_id)}.")
        kept = [f for f in files if f["sha256"] != sha256]
        returns.save_answers(ws, sub.id, {item_id: ef.with_files(item, value, kept)}, action="remove-file")
        return EvidenceFile.from_entry(item_id, gone)


@uses_workspace
def list_files(ws: Workspace, submission_id: str, item_id: str | None = None) -> list[EvidenceFile]:
    """The files of a return (or of one item), in form order, then in the order they were attached."""
    sub = returns.get_submission(ws, submission_id)
    form = returns.form_of(ws, sub)
    answers = returns.load_answers(ws, sub.id)
    out = []
    for item in form.items():
        if item_id is not None and item.id != item_id:
            continue
        out += [
            EvidenceFile.from_entry(item.id, f)
            for f in ef.files_of(item, answers.get(item.id))
            if not ef.entry_problem(f)
        ]
    return out


def count_files(form: FormDefinition, answers: Mapping[str, Any]) -> int:
    """How many evidence files a return's answers name (a file on two items counts twice, as the user sees it)."""
    return sum(len(ef.files_of(item, answers.get(item.id))) for item in form.items() if item.files is not None)


# Opening a copy ----------------------------------------------------------------------------------------------

_copies_lock = threading.Lock()
_copies_folder: Path | None = None
_UNSAFE_NAME = re.compile(r'[\x00-\x1f<>:"/\\|?*]+')


def _copies() -> Path:
    """This process's folder of read-only copies, removed when the program ends."""
    global _copies_folder
    with _copies_lock:
        if _copies_folder is None or not _copies_folder.is_dir():
            _copies_folder = Path(tempfile.mkdtemp(prefix="oscb-evidence-"))
            atexit.register(_remove_copies, _copies_folder)
        return _copies_folder


def _remove_copies(folder: Path) -> None:
    def writable_again(func: Any, path: str, _exc: Any) -> None:
        os.chmod(path, stat.S_IWRITE | stat.S_IREAD | stat.S_IEXEC)
        func(path)

    shutil.rmtree(folder, onerror=writable_again)


def copy_name(name: str) -> str:
    """A file name safe on every system that keeps the original's extension (so the system picks its viewer)."""
    base = _UNSAFE_NAME.sub("_", re.split(r"[/\\]", name)[-1]).strip(" .")
    ext = base[len(base) - len(ef.extension(base)) :] if ef.extension(base) else ""
    stem = base[: len(base) - len(ext)] if ext else base
    return (stem[: 120 - len(ext)].strip(" .") or "evidence") + ext


def temporary_copy(data: bytes, name: str, sha256: str) -> Path:
    """Write ``data`` as a read-only file in a temporary folder, under (a safe form of) ``name``, for the
    system's viewer. The bytes are checked against ``sha256`` first. Each content gets its own folder."""
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ReturnError(f"{name} in the workspace is not the file that was attached (it was damaged or changed).")
    folder = _copies() / sha256[:16]
    folder.mkdir(exist_ok=True)
    target = folder / copy_name(name)
    if target.exists():
        return target
    part = folder / f".{sha256[:8]}.part"
    part.write_bytes(data)
    part.chmod(stat.S_IREAD)
    part.replace(target)
    return target


@uses_workspace
def open_copy(ws: Workspace, sha256: str, name: str) -> Path:
    """A temporary read-only copy of an evidence file of this workspace, to open with the system's viewer."""
    try:
        data = ws.blobs.read(sha256)
    except (OSError, AttachmentError) as exc:
        raise ReturnError(
            f"{name} is missing from the workspace. Attach it again, or restore the workspace from a backup."
        ) from exc
    return temporary_copy(data, name, sha256)

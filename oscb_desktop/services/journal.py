"""The recovery journal: changes that could not be saved yet, kept in a file beside the workspace.

When the autosave cannot write the database (the disk is full, the folder is read-only, another program holds
the lock, or the store refuses a value), :class:`~oscb_desktop.services.autosave.Autosaver` writes everything
still unsaved for that return to ``<workspace>/journal/<return id>.json`` — one file per return, rewritten
whole through :func:`oscb_desktop.fsutil.atomic_write`, so a crash leaves the old file or the new one, never half
of either — and clears it once those changes are saved.

At the next start (the GUI's and every CLI command's), :func:`replay` stores what the journal still holds,
through the same :func:`~oscb_desktop.services.returns.save_accepted` as the autosave, audited as "recovered",
and says what it did. What must not be applied — the return was signed off meanwhile or is gone, the form no
longer has the item, the value is refused — is kept aside in ``journal/kept-aside/`` (never deleted) and said.
An entry older than the answer stored since (the journal could not be cleared after a later save) is dropped:
the stored answer is the newer one.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import peewee

from oscb_desktop.fsutil import WriteError, atomic_write, safe_stem
from oscb_desktop.services import returns
from oscb_desktop.services.workspace import Workspace, now_iso, uses_workspace
from oscb_desktop.store import Answer, Submission

log = logging.getLogger(__name__)

JOURNAL_DIR = "journal"
KEPT_ASIDE_DIR = "kept-aside"
FORMAT = "oscb-journal"
VERSION = 1

#: The errors that mean "the workspace could not be written" (as opposed to a bug).
WRITE_ERRORS: tuple[type[BaseException], ...] = (peewee.DatabaseError, sqlite3.Error, OSError, WriteError)


@dataclass(frozen=True)
class Entry:
    """One unsaved answer: its value, when it was journaled (UTC, as stored), and why the store refused it."""

    value: Any
    at: str
    refused: str | None = None


class JournalDamagedError(ValueError):
    """A journal file that cannot be read (cut short, not ours)."""


def journal_dir(folder: Path) -> Path:
    return folder / JOURNAL_DIR


def journal_path(folder: Path, submission_id: str) -> Path:
    return journal_dir(folder) / f"{safe_stem(submission_id) or 'return'}.json"


def write(
    folder: Path, submission_id: str, values: Mapping[str, Any], refused: Mapping[str, str] | None = None
) -> None:
    """Make the journal of a return hold exactly ``values`` (an empty mapping removes it).

    Raises :class:`~oscb_desktop.fsutil.WriteError` (its message is for the user) if it cannot be written.
    """
    path = journal_path(folder, submission_id)
    if not values:
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise WriteError(f"The recovery file {path} could not be cleared ({exc.strerror or exc}).") from exc
        return
    stamp = now_iso()
    refused = refused or {}
    data = {
        "format": FORMAT,
        "version": VERSION,
        "submission": submission_id,
        "written_at": stamp,
        "entries": {
            item_id: {"value": value, "at": stamp, **({"refused": refused[item_id]} if item_id in refused else {})}
            for item_id, value in values.items()
        },
    }
    atomic_write(path, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))


def entries(folder: Path, submission_id: str) -> dict[str, Entry]:
    """What the journal of a return holds ({} if there is none or it cannot be read)."""
    path = journal_path(folder, submission_id)
    if not path.exists():
        return {}
    try:
        return _load(path)[1]
    except JournalDamagedError:
        log.warning("damaged recovery journal %s (set aside at the next start)", path)
        return {}


def read(folder: Path, submission_id: str) -> dict[str, Any]:
    """The values the journal of a return holds, by item id."""
    return {item_id: e.value for item_id, e in entries(folder, submission_id).items()}


def _load(path: Path) -> tuple[str, dict[str, Entry]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("submission"), str):
            raise JournalDamagedError(f"{path} is not a recovery journal")
        found = {
            str(item_id): Entry(e["value"], str(e["at"]), e.get("refused")) for item_id, e in data["entries"].items()
        }
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise JournalDamagedError(f"{path} could not be read ({exc})") from exc
    return data["submission"], found


def has_entries(folder: Path) -> bool:
    """Does the workspace in ``folder`` have a journal to replay? (A look at the folder: no database.)"""
    directory = journal_dir(folder)
    return directory.is_dir() and any(directory.glob("*.json"))


@uses_workspace
def unsaved_for(ws: Workspace, submission_id: str) -> dict[str, Any]:
    """The journal's values for a return that are newer than its stored answers (what an editor takes up again)."""
    found = entries(ws.folder, submission_id)
    if not found:
        return {}
    stored_at = _stored_at(submission_id)
    return {item_id: e.value for item_id, e in found.items() if not _stale(e, stored_at.get(item_id))}


def _stored_at(submission_id: str) -> dict[str, str]:
    query = Answer.select(Answer.item_id, Answer.updated_at).where(Answer.submission == submission_id)
    return {a.item_id: a.updated_at for a in query}


def _stale(entry: Entry, stored_at: str | None) -> bool:
    """The stored answer was written after the entry was journaled: it is the newer one."""
    return stored_at is not None and stored_at > entry.at


# Replay -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recovered:
    submission_id: str
    what: str
    items: tuple[str, ...]
    codes: tuple[str, ...]


@dataclass(frozen=True)
class KeptAside:
    submission_id: str
    what: str
    items: tuple[str, ...]
    reason: str
    path: Path


@dataclass(frozen=True)
class Recovery:
    """What :func:`replay` did, for the user."""

    recovered: tuple[Recovered, ...] = ()
    kept_aside: tuple[KeptAside, ...] = ()
    #: (what, why) for journals that could not be replayed yet and stay for the next start.
    waiting: tuple[tuple[str, str], ...] = field(default=())

    def __bool__(self) -> bool:
        return bool(self.recovered or self.kept_aside or self.waiting)

    def sentences(self) -> list[str]:
        out = []
        for r in self.recovered:
            out.append(
                f"Recovered {_answers(len(r.items))} to {r.what} that could not be saved before: {', '.join(r.codes)}."
            )
        for k in self.kept_aside:
            if not k.items:
                out.append(f"A recovery file could not be read; it is kept in {k.path}.")
                continue
            out.append(
                f"{_answers(len(k.items)).capitalize()} to {k.what} could not be put back: {k.reason} "
                f"The text is kept in {k.path}."
            )
        for what, why in self.waiting:
            out.append(
                f"Unsaved changes to {what} could not be recovered yet: {why} They stay in the recovery journal "
                "and are tried again next time."
            )
        return out

    def print_to(self, stream: TextIO, prefix: str = "oscb: ") -> None:
        """One line per sentence (for the command line), names escaped so no control character reaches a
        terminal."""
        for sentence in self.sentences():
            print(prefix + _escaped(sentence), file=stream)


def _escaped(text: str) -> str:
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _answers(n: int) -> str:
    return "1 answer" if n == 1 else f"{n} answers"


@uses_workspace
def replay(ws: Workspace) -> Recovery:
    """Store what the workspace's journal holds (see the module's docstring) and say what happened."""
    if ws.read_only or not has_entries(ws.folder):
        return Recovery()  # a read-only opening leaves the journal for the next start that may write
    folder = journal_dir(ws.folder)
    recovered: list[Recovered] = []
    kept: list[KeptAside] = []
    waiting: list[tuple[str, str]] = []
    for path in sorted(folder.glob("*.json")):
        try:
            submission_id, found = _load(path)
        except JournalDamagedError as exc:
            log.warning("%s", exc)
            damaged = _set_aside_damaged(ws.folder, path)
            if damaged is not None:
                kept.append(KeptAside("", "a return", (), "the recovery file could not be read.", damaged))
            continue
        done, aside, wait = _replay_one(ws, path, submission_id, found)
        recovered += [done] if done is not None else []
        kept += [aside] if aside is not None else []
        waiting += [wait] if wait is not None else []
    return Recovery(tuple(recovered), tuple(kept), tuple(waiting))


def _replay_one(
    ws: Workspace, path: Path, submission_id: str, found: dict[str, Entry]
) -> tuple[Recovered | None, KeptAside | None, tuple[str, str] | None]:
    """Replay one journal file: (what was recovered, what was kept aside, or what waits for the next start)."""
    row = Submission.get_or_none(Submission.id == submission_id)
    what = _describe(ws, row, submission_id)
    refused: dict[str, str] = {}
    applied: list[str] = []
    if row is None:
        refused = dict.fromkeys(found, "the return is no longer in this workspace.")
    elif row.locked:
        refused = dict.fromkeys(found, "the return was signed off meanwhile (reopen it to change it).")
    else:
        stored_at = _stored_at(submission_id)
        fresh = {item_id: e for item_id, e in found.items() if not _stale(e, stored_at.get(item_id))}
        try:
            result = returns.save_accepted(
                ws, submission_id, {k: e.value for k, e in fresh.items()}, action="recovered"
            )
        except returns.ReturnLockedError:
            refused = dict.fromkeys(found, "the return was signed off meanwhile (reopen it to change it).")
        except KeyError:
            return None, None, (what, "its form is not installed.")
        except WRITE_ERRORS as exc:
            log.warning("recovery journal %s not replayed yet: %s", path, exc)
            return None, None, (what, explain_write_error(exc, ws.folder))
        else:
            refused = dict(result.refused)
            applied = [item_id for item_id in fresh if item_id not in refused]
    aside = None
    if refused:
        reason = _common_reason(refused)
        try:
            target = _write_kept_aside(ws.folder, submission_id, found, refused)
        except WriteError as exc:
            return None, None, (what, str(exc))
        aside = KeptAside(submission_id, what, tuple(refused), reason, target)
    try:
        path.unlink()
    except OSError as exc:
        log.warning("recovery journal %s replayed but not removed: %s", path, exc)
    done = None
    if applied:
        form = _form(ws, row)
        codes = tuple(form.item_code(i) if form is not None and form.has_item(i) else i for i in applied)
        done = Recovered(submission_id, what, tuple(applied), codes)
    return done, aside, None


def _common_reason(refused: Mapping[str, str]) -> str:
    reasons = list(dict.fromkeys(refused.values()))
    return reasons[0] if len(reasons) == 1 else " ".join(reasons)


def _form(ws: Workspace, row: Submission | None) -> Any:
    if row is None:
        return None
    try:
        return returns.form_of(ws, row)
    except KeyError:
        return None


def _describe(ws: Workspace, row: Submission | None, submission_id: str) -> str:
    if row is None:
        return f"a return that is no longer in this workspace ({submission_id[:8]})"
    form = _form(ws, row)
    title = form.short_title if form is not None else row.form_id
    return f"the {title} {row.period} return of {row.agency.name} (version {row.version})"


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def _write_kept_aside(folder: Path, submission_id: str, found: Mapping[str, Entry], refused: Mapping[str, str]) -> Path:
    target = journal_dir(folder) / KEPT_ASIDE_DIR / f"{safe_stem(submission_id) or 'return'}-{_stamp()}.json"
    data = {
        "format": FORMAT,
        "version": VERSION,
        "submission": submission_id,
        "kept_aside_at": now_iso(),
        "entries": {
            item_id: {"value": found[item_id].value, "at": found[item_id].at, "refused": reason}
            for item_id, reason in refused.items()
        },
    }
    atomic_write(target, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))
    return target


def _set_aside_damaged(folder: Path, path: Path) -> Path | None:
    target = journal_dir(folder) / KEPT_ASIDE_DIR / f"{path.stem}.damaged-{_stamp()}.json"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
    except OSError as exc:
        log.warning("damaged recovery journal %s could not be set aside: %s", path, exc)
        return None
    return target


# Plain words for a failed write -----------------------------------------------------------------------


def explain_write_error(exc: BaseException, folder: Path) -> str:
    """Why the workspace could not be written, for the user.

    SQLite's own words are found anywhere in the chain of causes: after a full disk makes a COMMIT fail,
    SQLite has already rolled the transaction back, so peewee's own ROLLBACK fails with "cannot rollback - no
    transaction is active", and that is the error raised; the full disk is its context.
    """
    chain = list(_chain(exc))
    for e in chain:
        if isinstance(e, WriteError):
            return str(e)
        if isinstance(e, OSError) and e.errno is not None:
            if e.errno in (errno.ENOSPC, errno.EDQUOT):
                return _FULL.format(folder=folder)
            if e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                return _READ_ONLY.format(folder=folder)
        text = str(e).lower()
        for words, message in _SQLITE_WORDS:
            if words in text:
                return message.format(folder=folder)
    first = str(chain[0]) if chain else ""
    return f"The workspace in {folder} could not be written ({first})."


_FULL = "The disk is full, so the workspace could not be written. Free some space on the disk that holds {folder}."
_READ_ONLY = (
    "The workspace folder {folder} is read-only, so nothing can be written to it. Make it writable again, "
    "or ask your IT team."
)
_SQLITE_WORDS = (
    ("database or disk is full", _FULL),
    ("readonly database", _READ_ONLY),
    ("database is locked", "The workspace is busy: another program (or another OSCB Desktop window) is writing to it."),
    (
        "database table is locked",
        "The workspace is busy: another program (or another OSCB Desktop window) is writing to it.",
    ),
    (
        "disk i/o error",
        "The disk that holds {folder} reported an error while the workspace was written. Check that it (or the "
        "network drive) is still there.",
    ),
    (
        "unable to open database file",
        "The workspace file in {folder} could not be opened for writing. Check that the folder is still there.",
    ),
)


def is_busy(exc: BaseException) -> bool:
    """The write failed because another connection holds the database's lock."""
    return any("locked" in str(e).lower() for e in _chain(exc) if isinstance(e, (peewee.DatabaseError, sqlite3.Error)))


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(seen) < 20:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__

"""Rolling backups of a workspace database in its ``backups/`` folder, and restoring one.

A backup is made with SQLite's online backup API from an open connection (so it is consistent and includes
what is still in the WAL), written beside its final name as a ``.part`` file, switched to a single-file
journal, checked with ``PRAGMA integrity_check`` and only then given its name. The check's result is
recorded beside it (``<name>.json``). Kept: the newest five, the newest of each of the last seven days that
have one, and the newest of each of the last four weeks (see :func:`prune`).

Restoring never deletes: the database in use (and its WAL) is renamed ``workspace.db.set-aside-<time>``
before the backup is copied into its place. The evidence files a backup names are never deleted either
(see :mod:`.blobs`), so a restored database finds all of them.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from oscb_desktop import dates
from oscb_desktop.fsutil import WriteError, atomic_write, explain_os_error, fsync_dir, make_folder
from oscb_desktop.store.errors import WorkspaceError
from oscb_desktop.store.migrations import CURRENT_VERSION

BACKUP_DIR = "backups"
KEEP_NEWEST, KEEP_DAILY, KEEP_WEEKLY = 5, 7, 4
#: Bad backups (failed their check) kept for whoever looks into why; older ones go.
KEEP_BAD = 2
_NAME = re.compile(r"workspace-(\d{8})-(\d{6})(?:-\d+)?-([a-z][a-z0-9-]*)\.db")
_CHUNK = 1024 * 1024


class BackupError(WorkspaceError):
    """A backup could not be made or restored; the message says why. Nothing was changed."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    #: when it was made (aware, UTC)
    made_at: datetime
    #: why: "daily", "sign-off", "import", "manual"...
    reason: str
    #: "ok", or what ``PRAGMA integrity_check`` found
    integrity: str
    size: int
    schema_version: int | None

    @property
    def ok(self) -> bool:
        return self.integrity == "ok"

    @property
    def size_text(self) -> str:
        """``432 KB``, ``12.3 MB``"""
        n = self.size
        return f"{n / 1048576:.1f} MB" if n >= 1048576 else f"{max(1, round(n / 1024))} KB"

    def describe(self) -> str:
        """``14 Mar 2027, 09:12 (before a sign-off)``"""
        why = {"daily": "daily", "manual": "made by hand"}.get(self.reason, f"before {_a(self.reason)}")
        local = self.made_at.astimezone()
        return f"{dates.day_long(local)} at {local:%H:%M:%S} ({why})"

    def as_json(self) -> dict[str, object]:
        return {
            "path": str(self.path),
            "made_at": self.made_at.isoformat().replace("+00:00", "Z"),
            "reason": self.reason,
            "integrity": self.integrity,
            "ok": self.ok,
            "size": self.size,
            "schema_version": self.schema_version,
        }


def _a(reason: str) -> str:
    return {"sign-off": "a sign-off", "import": "an import", "restore": "a restore"}.get(reason, reason)


@dataclass(frozen=True)
class RestoreResult:
    restored: BackupInfo
    #: the files that were in use, renamed (never deleted)
    set_aside: list[Path]


def record_path(backup: Path) -> Path:
    return backup.with_name(backup.name + ".json")


# Making -------------------------------------------------------------------------------------------------------


def make_backup(source: sqlite3.Connection, folder: Path, reason: str, *, now: datetime | None = None) -> BackupInfo:
    """Back up the database of the open connection ``source`` into ``folder``; check it; record the result.

    Raises :class:`BackupError` (a full disk, a folder that cannot be written) with nothing left behind.
    """
    made = now or datetime.now(UTC)
    try:
        make_folder(folder, private=True)
        target = _free_name(folder, made, reason)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)  # 0600
        os.close(fd)
    except OSError as exc:
        raise BackupError(f"No backup was made: {explain_os_error(exc, folder / 'backup')}") from exc
    tmp = Path(tmp_name)
    try:
        dst = sqlite3.connect(tmp)
        try:
            source.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")  # one file on its own: no -wal or -shm to read it
            integrity, version = _check(dst)
        finally:
            dst.close()
        _fsync(tmp)
        os.replace(tmp, target)
        fsync_dir(folder)
    except (OSError, sqlite3.Error) as exc:
        tmp.unlink(missing_ok=True)
        text = explain_os_error(exc, target) if isinstance(exc, OSError) else str(exc)
        raise BackupError(f"No backup was made: {text}") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    info = BackupInfo(target, made, reason, integrity, target.stat().st_size, version)
    with contextlib.suppress(WriteError):  # without its record, the check is made again when it is listed
        atomic_write(record_path(target), json.dumps(info.as_json(), indent=1).encode("utf-8"), private=True)
    return info


def _free_name(folder: Path, made: datetime, reason: str) -> Path:
    stamp = made.astimezone().strftime("%Y%m%d-%H%M%S")
    slug = re.sub(r"[^a-z0-9-]+", "-", reason.lower()).strip("-") or "manual"
    for n in range(1000):
        name = f"workspace-{stamp}{f'-{n}' if n else ''}-{slug}.db"
        if not (folder / name).exists():
            return folder / name
    raise BackupError(f"No backup was made: {folder} already holds too many backups made this second.")


def _check(con: sqlite3.Connection) -> tuple[str, int | None]:
    """(``"ok"`` or the problems ``integrity_check`` found, the schema version or None)."""
    try:
        rows = [str(r[0]) for r in con.execute("PRAGMA integrity_check(5)").fetchall()]
        integrity = "ok" if rows == ["ok"] else problems(rows)
    except sqlite3.DatabaseError as exc:
        return f"not readable ({exc})", None
    try:
        row = con.execute("SELECT version FROM schema_version").fetchone()
        version = int(row[0]) if row else None
    except sqlite3.DatabaseError:
        version = None
    return integrity, version


def problems(rows: list[str]) -> str:
    """What an integrity check reported, on one line (SQLite's own heading lines left out)."""
    lines = [line.strip() for row in rows for line in row.splitlines()]
    return "; ".join(line for line in lines if line and not line.startswith("***"))


def check_file(path: Path) -> tuple[str, int | None]:
    """Check a backup file without changing it: (integrity, schema version)."""
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error as exc:
        return f"not readable ({exc})", None
    try:
        return _check(con)
    finally:
        con.close()


def _fsync(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


# Listing and pruning ------------------------------------------------------------------------------------------


def list_backups(folder: Path) -> list[BackupInfo]:
    """The backups in ``folder``, newest first (a backup whose record is missing is checked now)."""
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        match = _NAME.fullmatch(path.name)
        if match is None or not path.is_file():
            continue
        info = _read_record(path) or _describe_unrecorded(path, match)
        if info is not None:
            found.append(info)
    return sorted(found, key=lambda b: (b.made_at, b.path.name), reverse=True)


def _read_record(path: Path) -> BackupInfo | None:
    try:
        data = json.loads(record_path(path).read_text(encoding="utf-8"))
        made = dates.parse_moment(str(data["made_at"]))
        if made is None:
            return None
        version = data.get("schema_version")
        return BackupInfo(
            path,
            made,
            str(data["reason"]),
            str(data["integrity"]),
            path.stat().st_size,
            int(version) if version is not None else None,
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _describe_unrecorded(path: Path, match: re.Match[str]) -> BackupInfo | None:
    try:
        made = datetime.strptime(match[1] + match[2], "%Y%m%d%H%M%S").astimezone().astimezone(UTC)
        size = path.stat().st_size
    except (OSError, ValueError):
        return None
    integrity, version = check_file(path)
    return BackupInfo(path, made, match[3], integrity, size, version)


def newest_good(folder: Path) -> BackupInfo | None:
    return next((b for b in list_backups(folder) if b.ok), None)


def prune(folder: Path) -> list[Path]:
    """Remove the backups no longer kept; return them.

    Kept among the good backups: the :data:`KEEP_NEWEST` newest (so the copy made before a sign-off survives
    an import the same day), the newest of each of the :data:`KEEP_DAILY` most recent days that have one,
    and the newest of each of the :data:`KEEP_WEEKLY` most recent weeks. Of the bad ones, the newest
    :data:`KEEP_BAD`. Days and weeks are the computer's local ones.
    """
    backups = list_backups(folder)
    good = [b for b in backups if b.ok]
    keep = {b.path for b in good[:KEEP_NEWEST]}
    keep |= {b.path for b in [b for b in backups if not b.ok][:KEEP_BAD]}
    days: dict[object, Path] = {}
    weeks: dict[object, Path] = {}
    for b in good:  # newest first: the first seen of a day or week is its newest
        local = b.made_at.astimezone()
        if len(days) < KEEP_DAILY or local.date() in days:
            days.setdefault(local.date(), b.path)
        week = local.isocalendar()[:2]
        if len(weeks) < KEEP_WEEKLY or week in weeks:
            weeks.setdefault(week, b.path)
    keep |= set(days.values()) | set(weeks.values())
    removed = []
    for b in backups:
        if b.path in keep:
            continue
        try:
            b.path.unlink()
            record_path(b.path).unlink(missing_ok=True)
        except OSError:
            continue
        removed.append(b.path)
    return removed


# Restoring ----------------------------------------------------------------------------------------------------


def restore(db_path: Path, backup: Path) -> RestoreResult:
    """Put the backup file ``backup`` in the place of the database ``db_path`` (which may be damaged or
    missing). The files in use are set aside first. The caller holds the workspace lock.

    Raises :class:`BackupError` before changing anything if the backup is missing, fails its check or was made
    by a newer version of the app.
    """
    if not backup.is_file():
        raise BackupError(f"There is no backup at {backup}; nothing was restored.")
    integrity, version = check_file(backup)
    if integrity != "ok":
        raise BackupError(
            f"The backup {backup} is damaged ({integrity}), so it was not restored and nothing was changed. "
            "Choose another backup (oscb workspace backups lists them)."
        )
    if version is None or version > CURRENT_VERSION:
        raise BackupError(
            f"The backup {backup} was made by a newer version of OSCB Desktop (or is not a workspace), so it was "
            "not restored and nothing was changed."
        )
    made = datetime.now(UTC)
    stamp = made.astimezone().strftime("%Y%m%d-%H%M%S")
    set_aside: list[tuple[Path, Path]] = []
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{db_path.name}.", suffix=".part", dir=db_path.parent)
        with os.fdopen(fd, "wb") as out, open(backup, "rb") as src:
            shutil.copyfileobj(src, out, _CHUNK)
            out.flush()
            os.fsync(out.fileno())
    except OSError as exc:
        raise BackupError(f"The backup was not restored: {explain_os_error(exc, db_path)}") from exc
    tmp = Path(tmp_name)
    try:
        for suffix in ("", "-wal", "-shm"):
            current = db_path.with_name(db_path.name + suffix)
            if current.exists():
                aside = aside_name(current, stamp)
                os.replace(current, aside)
                set_aside.append((current, aside))
        os.replace(tmp, db_path)
        fsync_dir(db_path.parent)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        for current, aside in reversed(set_aside):  # put back what was moved
            with contextlib.suppress(OSError):
                os.replace(aside, current)
        raise BackupError(f"The backup was not restored: {explain_os_error(exc, db_path)}") from exc
    size = db_path.stat().st_size
    info = _read_record(backup) or BackupInfo(backup, made, "manual", integrity, size, version)
    return RestoreResult(restored=info, set_aside=[aside for _, aside in set_aside])


def aside_name(path: Path, stamp: str) -> Path:
    """``<path>.set-aside-<stamp>`` (with a number if that exists): where a file replaced by a restore goes."""
    for n in range(1000):
        candidate = path.with_name(f"{path.name}.set-aside-{stamp}{f'-{n}' if n else ''}")
        if not candidate.exists():
            return candidate
    raise BackupError(f"{path} could not be set aside: too many files set aside this second.")

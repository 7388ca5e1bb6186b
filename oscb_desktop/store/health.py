"""Is a workspace database fit to open? Checked before SQLite touches it, so a damaged file is never taken for
a new workspace, never written to, and a lost write-ahead log is noticed.

- A file that exists is a workspace, never a new one: empty, not an SQLite file, cut short or failing
  ``PRAGMA quick_check`` raises :class:`WorkspaceDamagedError`, which names the file, the newest good backup
  and the command that restores it.
- A WAL file (``workspace.db-wal``) holds the saves not yet copied into ``workspace.db``. If it is missing
  while the shared-memory index beside it (``workspace.db-shm``) says it held such saves, SQLite would quietly
  start without them; :class:`WalMissingError` says so instead. The index header is read as
  https://www.sqlite.org/walformat.html describes it: two copies of a 48-byte header (native byte order)
  whose ``mxFrame`` counts the valid frames, checksummed, followed by the checkpoint information whose
  ``nBackfill`` counts the frames already copied into the database. Frames beyond ``nBackfill`` are the saves
  only the WAL holds.
"""

from __future__ import annotations

import shlex
import sqlite3
import struct
from dataclasses import dataclass
from pathlib import Path

from oscb_desktop.store.backup import BACKUP_DIR, BackupInfo, newest_good, problems
from oscb_desktop.store.errors import WorkspaceError

_MAGIC = b"SQLite format 3\x00"
_HEADER = struct.Struct("=IIIBBHII2I2I2I")  # WalIndexHdr: 48 bytes, native byte order
_WAL_INDEX_VERSION = 3007000


class WorkspaceDamagedError(WorkspaceError):
    """The database file exists but cannot be trusted; nothing was written to it."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path, self.problem = path, problem
        self.folder = path.parent
        #: the newest backup that passed its check, if any
        self.backup: BackupInfo | None = newest_good(self.folder / BACKUP_DIR)
        super().__init__(f"{self.summary} {self.advice(command=True)}")

    @property
    def summary(self) -> str:
        return f"The workspace database {self.path} {self.problem}, so it was not opened and nothing was written to it."

    def restore_command(self) -> str | None:
        if self.backup is None:
            return None
        return f"oscb --data-dir {shlex.quote(str(self.folder))} workspace restore {shlex.quote(str(self.backup.path))}"

    def advice(self, *, command: bool) -> str:
        """What to do; with ``command``, the ``oscb`` command line that does it (the GUI offers a button)."""
        if self.backup is None:
            return (
                f"There is no backup of it in {self.folder / BACKUP_DIR}: keep the file as it is and ask your IT "
                "support to recover it from their own backups."
            )
        text = f"The newest good backup is {self.backup.path}, made {self.backup.describe()}"
        if command:
            return f"{text}; restore it with: {self.restore_command()} (the damaged file is set aside, not deleted)."
        return f"{text}. Restoring it sets the damaged file aside; it is not deleted."


class WalMissingError(WorkspaceDamagedError):
    """The WAL is gone although its index says it held saves that are not in the database."""

    def __init__(self, path: Path, frames: int) -> None:
        self.frames = frames
        super().__init__(
            path,
            f"has lost its journal: {path.name}-wal is missing, but {path.name}-shm shows it held {frames} "
            f"changed page{'s' if frames != 1 else ''} not yet copied into {path.name}, so the last saves made "
            "since it was last brought up to date may be lost",
        )

    def keep_command(self) -> str:
        return f"oscb --data-dir {shlex.quote(str(self.folder))} workspace keep-current"

    def advice(self, *, command: bool) -> str:
        text = f"If you moved or deleted {self.path.name}-wal, put it back beside {self.path.name} and try again."
        keep = f"carry on with what {self.path.name} holds"
        if command:
            keep += f": {self.keep_command()}"
        if self.backup is None:
            return f"{text} Otherwise {keep}."
        restore = f"restore the newest good backup, made {self.backup.describe()}"
        if command:
            restore += f": {self.restore_command()}"
        return f"{text} Otherwise {keep}; or {restore}."


@dataclass(frozen=True)
class WalIndex:
    """What a WAL's shared-memory index says about it."""

    max_frame: int
    backfilled: int
    page_size: int

    @property
    def frames(self) -> int:
        """Frames the WAL holds that the database file does not (yet)."""
        return max(0, self.max_frame - self.backfilled)


def read_wal_index(shm: Path) -> WalIndex | None:
    """The index header of a ``-shm`` file, or None if there is none SQLite wrote (missing, short, its two
    copies differ, a bad checksum: then it says nothing about the WAL)."""
    try:
        with open(shm, "rb") as fh:
            raw = fh.read(136)
    except OSError:
        return None
    if len(raw) < 136 or raw[:48] != raw[48:96]:
        return None
    version, _unused, _change, is_init, _big_end, page_size, max_frame, _pages, *rest = _HEADER.unpack(raw[:48])
    if version != _WAL_INDEX_VERSION or not is_init or tuple(rest[4:6]) != _checksum(raw[:40]):
        return None
    (backfilled,) = struct.unpack("=I", raw[96:100])
    return WalIndex(max_frame=max_frame, backfilled=backfilled, page_size=65536 if page_size == 1 else page_size)


def _checksum(data: bytes) -> tuple[int, int]:
    """SQLite's WAL checksum over ``data`` in native byte order (what it stores in the index header)."""
    s1 = s2 = 0
    words = struct.unpack(f"={len(data) // 4}I", data)
    for i in range(0, len(words), 2):
        s1 = (s1 + words[i] + s2) & 0xFFFFFFFF
        s2 = (s2 + words[i + 1] + s1) & 0xFFFFFFFF
    return s1, s2


def check_file(path: Path) -> bool:
    """Check the database file at ``path`` before it is opened; True if it exists, False if it is new.

    Reads only. Raises :class:`WorkspaceDamagedError` or :class:`WalMissingError`.
    """
    wal, shm = path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")
    wal_size = wal.stat().st_size if wal.exists() else None
    if not path.exists():
        if wal_size:
            raise WorkspaceDamagedError(
                path, f"is missing, though its journal {wal.name} is still there (was it moved or deleted?)"
            )
        return False
    size = path.stat().st_size
    if size == 0:
        raise WorkspaceDamagedError(path, "is empty (0 bytes): its contents were lost")
    with open(path, "rb") as fh:
        header = fh.read(100)
    if len(header) < 100 or not header.startswith(_MAGIC):
        raise WorkspaceDamagedError(path, "is not a database (another file may have been saved over it)")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        raise WorkspaceDamagedError(path, "has a damaged header")
    if size % page_size:
        raise WorkspaceDamagedError(path, f"is cut short ({size:,} bytes is not a whole number of pages)")
    pages = int.from_bytes(header[28:32], "big")
    header_size_valid = header[24:28] == header[92:96]
    if header_size_valid and pages * page_size > size and not wal_size:
        raise WorkspaceDamagedError(path, f"is cut short: it holds {size // page_size:,} of its {pages:,} pages")
    if wal_size is None and shm.exists():
        index = read_wal_index(shm)
        if index is not None and index.frames > 0:
            raise WalMissingError(path, index.frames)
    return True


def quick_check(path: Path) -> None:
    """``PRAGMA quick_check`` on the file, read-only. Raises :class:`WorkspaceDamagedError` naming the first
    problem found."""
    uri = path.resolve().as_uri()
    has_wal = path.with_name(path.name + "-wal").exists()
    # Without a WAL the file alone is the database: read it as immutable, which makes no -wal or -shm files.
    mode = "mode=ro" if has_wal else "mode=ro&immutable=1"
    try:
        con = sqlite3.connect(f"{uri}?{mode}", uri=True)
        try:
            rows = [str(r[0]) for r in con.execute("PRAGMA quick_check(3)").fetchall()]
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorname", "").startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
            raise WorkspaceDamagedError(path, f"is damaged ({exc})") from exc
        raise
    if rows != ["ok"]:
        raise WorkspaceDamagedError(path, f"fails SQLite's integrity check ({problems(rows)})")

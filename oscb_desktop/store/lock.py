"""One writer per workspace: ``workspace.lock`` beside the database.

The lock is an operating-system lock on that file (``flock`` on POSIX, ``LockFileEx`` through ``msvcrt`` on
Windows), held for as long as the workspace is open. The system drops it when its process ends however it
ends, so a lock left by a crashed process is simply free: the next process takes it, and sees in the file
whom it took it from. The file's text says who holds it (name and login, computer, process, since when) so
that a second process can tell its user; the text is cleared when the holder closes.

Within one process the lock is shared: a second ``Workspace.open`` of the same folder (a worker, a check)
takes another reference, and the lock goes when the last is released.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

from oscb_desktop import dates
from oscb_desktop.store.errors import WorkspaceError, unavailable

LOCK_FILENAME = "workspace.lock"
#: Windows locks a byte range, and a locked range cannot be read by others: lock a byte far past the text.
_WINDOWS_LOCK_OFFSET = 1 << 20
_MAX_INFO = 4096


@dataclass(frozen=True)
class LockHolder:
    """Who holds (or held) a workspace lock."""

    user: str
    host: str
    pid: int
    since: str

    @classmethod
    def parse(cls, text: str) -> LockHolder | None:
        try:
            data = json.loads(text)
            return cls(str(data["user"]), str(data["host"]), int(data["pid"]), str(data["since"]))
        except (ValueError, KeyError, TypeError):
            return None

    def describe(self) -> str:
        """``Sam Lead (sam) on LAPTOP-7 (process 4242) since 14 Mar 2027, 09:12``"""
        where = "this computer" if self.host == socket.gethostname() else self.host
        return f"{self.user} on {where} (process {self.pid}) since {dates.local_moment(self.since)}"


class WorkspaceInUseError(WorkspaceError):
    """Another process has the workspace open for writing."""

    def __init__(self, folder: Path, holder: LockHolder | None) -> None:
        self.folder, self.holder = folder, holder
        who = holder.describe() if holder is not None else "someone (who and since when is not recorded yet)"
        super().__init__(
            f"The workspace in {folder} is already open: {who}. Only one program at a time may change a "
            "workspace: close it there first, or open it read-only to look without changing anything."
        )


class _Held:
    def __init__(self, fd: int, key: str) -> None:
        self.fd, self.key, self.count = fd, key, 1


class WorkspaceLock:
    """A held workspace lock; :meth:`release` it when the workspace closes."""

    _registry: ClassVar[dict[str, _Held]] = {}
    _guard: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, folder: Path, held: _Held, took_over: LockHolder | None, *, first: bool) -> None:
        self.folder = folder
        self._held: _Held | None = held
        #: True for the first holder in this process (others share its lock: another window, a check)
        self.first = first
        #: The holder named in the file when this process took the lock: a process that ended without closing.
        self.took_over = took_over

    @classmethod
    def acquire(cls, folder: Path, *, user: str) -> WorkspaceLock:
        """Take the lock of the workspace in ``folder`` (which exists) for ``user``.

        Raises :class:`WorkspaceInUseError` naming the holder if another process has it, and
        :class:`~oscb_desktop.store.errors.WorkspaceUnavailableError` if the lock file cannot be made.
        """
        folder = Path(folder)
        key = os.path.realpath(folder)
        with cls._guard:
            held = cls._registry.get(key)
            if held is not None:
                held.count += 1
                return cls(folder, held, None, first=False)
            path = folder / LOCK_FILENAME
            try:
                fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o600)
            except OSError as exc:
                raise unavailable(folder, exc) from exc
            try:
                if not _try_lock(fd):
                    raise WorkspaceInUseError(folder, LockHolder.parse(_read(fd)))
                previous = LockHolder.parse(_read(fd))
                _write(fd, _info(user))
            except OSError as exc:  # a disk full or a file system without locks
                os.close(fd)
                raise unavailable(folder, exc) from exc
            except BaseException:
                os.close(fd)
                raise
            held = cls._registry[key] = _Held(fd, key)
            return cls(folder, held, previous, first=True)

    @staticmethod
    def holder(folder: Path) -> LockHolder | None:
        """Who the lock file of ``folder`` names (the holder, or a crashed one), without taking the lock."""
        try:
            return LockHolder.parse((Path(folder) / LOCK_FILENAME).read_text(encoding="utf-8")[:_MAX_INFO])
        except (OSError, UnicodeDecodeError):
            return None

    @property
    def held(self) -> bool:
        return self._held is not None

    def update(self, user: str) -> None:
        """Name ``user`` as the holder (once the workspace has told who is at the keyboard)."""
        if self._held is not None:
            with contextlib.suppress(OSError):  # the text only informs others; the lock itself is held
                _write(self._held.fd, _info(user))

    def release(self) -> None:
        with self._guard:
            held, self._held = self._held, None
            if held is None:
                return
            held.count -= 1
            if held.count > 0:
                return
            del self._registry[held.key]
            with contextlib.suppress(OSError):
                _write(held.fd, b"")  # closed cleanly: nobody to take over from
            _unlock(held.fd)
            os.close(held.fd)


def _info(user: str) -> bytes:
    since = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    holder = LockHolder(user=user, host=socket.gethostname(), pid=os.getpid(), since=since)
    return json.dumps(asdict(holder), ensure_ascii=False).encode("utf-8")


def _read(fd: int) -> str:
    os.lseek(fd, 0, os.SEEK_SET)
    return os.read(fd, _MAX_INFO).decode("utf-8", errors="replace")


def _write(fd: int, data: bytes) -> None:
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, data)
    os.ftruncate(fd, len(data))


if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        with contextlib.suppress(OSError):
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)

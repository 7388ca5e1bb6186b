"""Crash-safe file writing with plain-language errors, and the owner-only files of a workspace."""

from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

_UNSAFE = re.compile(r"[^A-Za-z0-9]+")
#: ``.<name>.<8 random characters>.part``: the temporary file :func:`atomic_write` writes beside its target
#: (``tempfile.mkstemp`` draws the 8 characters from a-z, 0-9 and _). Only a killed process leaves one behind.
_PART = re.compile(r"\..+\.[a-z0-9_]{8}\.part")
PRIVATE_FILE, PRIVATE_DIR = 0o600, 0o700


def safe_stem(text: str, limit: int = 60) -> str:
    """``text`` as a file name part that is safe on every system: letters and digits, each run of anything
    else one hyphen, no hyphen at either end, at most ``limit`` characters ("" when nothing is left).

    "Zoë's Trust (Łódź)" gives "Zo-s-Trust-d". Callers give their own fallback for "".
    """
    return _UNSAFE.sub("-", text).strip("-")[:limit].strip("-")


class WriteError(Exception):
    """A file could not be written; the message says what to do. Any earlier file is untouched."""


def explain_os_error(exc: OSError, target: Path) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"The disk is full, so {target.name} could not be saved. Free some space and try again."
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"OSCB Desktop is not allowed to write to {target.parent}. Choose another folder."
    return f"{target} could not be written ({exc.strerror or exc}). Nothing was changed."


def atomic_write(target: str | Path, chunks: bytes | Iterable[bytes], *, private: bool = False) -> None:
    """Write to a temporary file beside ``target``, fsync, then rename over it.

    A crash or a full disk leaves either the old file or the new one, never half of either (a killed process
    may leave the temporary ``.part`` file, which :func:`remove_leftover_parts` finds). ``private``: a file of
    the workspace, readable by its owner alone (0600, in folders made 0700); otherwise the file has the
    permissions of any document the user saves (0666 less the umask), as an exported bundle or PDF should.
    """
    target = Path(target)
    try:
        if private:
            make_folder(target.parent, private=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise WriteError(explain_os_error(exc, target)) from exc
    try:
        if not private and os.name == "posix":
            os.fchmod(fd, 0o666 & ~current_umask())  # mkstemp makes 0600
        with os.fdopen(fd, "wb") as fh:
            for chunk in [chunks] if isinstance(chunks, bytes) else chunks:
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise WriteError(explain_os_error(exc, target)) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(target.parent)


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (where the system allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # not possible on Windows; the rename is still atomic there
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# Permissions and leftovers ------------------------------------------------------------------------------------


def current_umask() -> int:
    """The process's umask, read without changing it (``os.umask`` can only be read by setting it, which would
    race with other threads creating files); 0o022 where it cannot be read."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return _UMASK_AT_START


def _read_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


#: Read once at import, before the app starts any thread.
_UMASK_AT_START = _read_umask()


def make_folder(folder: Path, *, private: bool) -> None:
    """``mkdir -p``; the folders made are the owner's alone when ``private`` (the umask can only take away)."""
    if not private:
        folder.mkdir(parents=True, exist_ok=True)
        return
    missing = []
    while not folder.is_dir():  # Path.mkdir gives the parents it makes the default mode, so one at a time
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir(mode=PRIVATE_DIR, exist_ok=True)


def make_private(folder: Path) -> int:
    """Make ``folder`` and everything in it its owner's alone: folders 0700, files 0600 (POSIX; elsewhere the
    user's profile folder already is). Returns how many modes were changed. Links are left alone."""
    if os.name != "posix":
        return 0
    changed = 0
    for root, dirs, files in os.walk(folder):
        here = Path(root)
        for path, want in [(here, PRIVATE_DIR), *((here / name, PRIVATE_FILE) for name in files)]:
            try:
                mode = path.lstat().st_mode
                if stat.S_ISLNK(mode) or stat.S_IMODE(mode) == want:
                    continue
                path.chmod(want)
                changed += 1
            except OSError:
                continue  # gone meanwhile, or not ours: nothing to tighten
        dirs[:] = [d for d in dirs if not (here / d).is_symlink()]
    return changed


def is_leftover_part(path: Path) -> bool:
    return _PART.fullmatch(path.name) is not None


def remove_leftover_parts(folder: Path) -> list[Path]:
    """Remove the temporary files of writes that a killed process never finished (:func:`atomic_write`'s
    ``.<name>.<random>.part``) anywhere under ``folder``; returns them. Only call this while no other process
    can be writing there (the workspace lock is held)."""
    removed = []
    for root, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(root) / name
            if is_leftover_part(path):
                try:
                    path.unlink()
                except OSError:
                    continue
                removed.append(path)
    return removed

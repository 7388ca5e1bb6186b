"""Crash-safe file writing with plain-language errors."""

from __future__ import annotations

import errno
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

_UNSAFE = re.compile(r"[^A-Za-z0-9]+")


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


def atomic_write(target: str | Path, chunks: bytes | Iterable[bytes]) -> None:
    """Write to a temporary file beside ``target``, fsync, then rename over it.

    A crash or a full disk leaves either the old file or the new one, never half of either.
    """
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise WriteError(explain_os_error(exc, target)) from exc
    try:
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
    _fsync_dir(target.parent)


def _fsync_dir(folder: Path) -> None:
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

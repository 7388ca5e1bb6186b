"""Evidence files kept in the workspace, named by their SHA-256 (so carried-forward files are shared).

Files are only ever added, never deleted: a return, an older version of it, or a backup of the database
(``backups/``) may name any of them, and restoring a backup must find every file it names. Keep it so: a
clean-up that deletes files would have to look in every backup first.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from oscb_desktop.fsutil import WriteError, atomic_write, explain_os_error, fsync_dir, make_folder

#: Largest single evidence file accepted (bundles set their own overall limit).
MAX_FILE_BYTES = 25 * 1024 * 1024
_CHUNK = 1024 * 1024


class AttachmentError(Exception):
    pass


@dataclass(frozen=True)
class BlobRef:
    sha256: str
    name: str
    size: int

    def as_json(self) -> dict[str, object]:
        return {"sha256": self.sha256, "name": self.name, "size": self.size}


class BlobStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise AttachmentError(f"{sha256!r} is not a SHA-256 digest")
        return self.folder / sha256[:2] / sha256

    def add_file(self, source: str | Path, name: str | None = None, *, max_bytes: int = MAX_FILE_BYTES) -> BlobRef:
        """Copy a file in, named by its SHA-256, in one pass: what is stored is exactly what was hashed, even if
        the file changes meanwhile. Crash-safe (a ``.part`` file, fsync, rename). Refuses files over ``max_bytes``
        (:class:`AttachmentError`, naming the file and the limit)."""
        source = Path(source)
        try:
            size = source.stat().st_size
        except OSError as exc:
            raise AttachmentError(f"{source.name} cannot be read ({exc.strerror}).") from exc
        limit = min(max_bytes, MAX_FILE_BYTES)
        if size > limit:
            raise _too_large(source.name, size, limit)
        make_folder(self.folder, private=True)
        try:
            fd, tmp_name = tempfile.mkstemp(prefix=f".{source.name[:40]}.", suffix=".part", dir=self.folder)
        except OSError as exc:
            raise WriteError(explain_os_error(exc, self.folder / source.name)) from exc
        tmp = Path(tmp_name)
        try:
            digest, copied = hashlib.sha256(), 0
            with os.fdopen(fd, "wb") as out, open(source, "rb") as fh:
                for chunk in iter(lambda: fh.read(_CHUNK), b""):
                    copied += len(chunk)
                    if copied > limit:  # it grew while being read
                        raise _too_large(source.name, copied, limit)
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            target = self.path(sha)
            if target.exists():
                tmp.unlink()
            else:
                make_folder(target.parent, private=True)
                os.replace(tmp, target)
                fsync_dir(target.parent)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            if exc.filename == str(source):
                raise AttachmentError(f"{source.name} cannot be read ({exc.strerror}).") from exc
            raise WriteError(explain_os_error(exc, self.folder / source.name)) from exc
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return BlobRef(sha, name or source.name, copied)

    def add_bytes(self, data: bytes, name: str) -> BlobRef:
        sha = hashlib.sha256(data).hexdigest()
        target = self.path(sha)
        if not target.exists():
            atomic_write(target, data, private=True)
        return BlobRef(sha, name, len(data))

    def read(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()


def _too_large(name: str, size: int, limit: int) -> AttachmentError:
    return AttachmentError(
        f"{name} is {size / 1048576:.1f} MB; evidence files can be at most {_mb(limit)} MB. "
        "Attach a smaller file or a summary."
    )


def _mb(size: int) -> str:
    value = size / 1048576
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"

"""Evidence files kept in the workspace, named by their SHA-256 (so carried-forward files are shared).

Files are only ever added, never deleted: a return, an older version of it, or a backup of the database
(``backups/``) may name any of them, and restoring a backup must find every file it names. Keep it so: a
clean-up that deletes files would have to look in every backup first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from oscb_desktop.fsutil import atomic_write

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

    def add_file(self, source: str | Path, name: str | None = None) -> BlobRef:
        source = Path(source)
        try:
            size = source.stat().st_size
        except OSError as exc:
            raise AttachmentError(f"{source.name} cannot be read ({exc.strerror}).") from exc
        if size > MAX_FILE_BYTES:
            raise AttachmentError(
                f"{source.name} is {size / 1048576:.1f} MB; evidence files can be at most "
                f"{MAX_FILE_BYTES // 1048576} MB. Attach a smaller file or a summary."
            )
        digest = hashlib.sha256()
        with open(source, "rb") as fh:
            for chunk in iter(lambda: fh.read(_CHUNK), b""):
                digest.update(chunk)
        sha = digest.hexdigest()
        target = self.path(sha)
        if not target.exists():
            atomic_write(target, _read_chunks(source), private=True)
        return BlobRef(sha, name or source.name, size)

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


def _read_chunks(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as fh:
        yield from iter(lambda: fh.read(_CHUNK), b"")

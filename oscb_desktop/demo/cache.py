"""A demo workspace made once and copied after that (``oscb-desktop --demo``).

Making the demo writes every agency's returns and signs them (the Business Unit's demo also exports and imports
them): several seconds. The finished workspace (its database and its evidence files) is kept in the user's
cache folder, keyed by what it is made from: the app's version, the kind of demo and its size and seed, the demo's
own code and texts, and the shipped form definitions. A later demo of the same key is a copy, moved into place
the same crash-safe way as a build. The copy is the very workspace a build makes, signatures and all: the
returns were signed when it was first made.

The cache is a convenience: an entry that cannot be read is ignored (and made again); one that cannot be written
is left out.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from oscb_desktop import __version__, paths
from oscb_desktop.demo import build
from oscb_desktop.demo.common import DemoError, Progress
from oscb_desktop.forms import FormRegistry
from oscb_desktop.fsutil import fsync_dir
from oscb_desktop.store import DB_FILENAME

log = logging.getLogger(__name__)

#: Bumped when what an entry holds changes.
ENTRY_FORMAT = 1
#: Written last into an entry: an entry without it was not finished and is not used.
COMPLETE = "complete"


def key(kind: str, *, agencies: int, seed: int) -> str:
    """The entry's name: the app, the demo's code and texts, the shipped forms, the kind, size and seed."""
    h = hashlib.sha256(f"{ENTRY_FORMAT}\0{__version__}\0{kind}\0{agencies}\0{seed}\0".encode())
    here = Path(__file__).resolve().parent
    sources = sorted(here.glob("*.py"))
    sources += sorted(paths.resource("demo").rglob("*"))
    sources += sorted(paths.forms_dir().rglob("*"))
    for source in sources:
        if source.is_file():
            h.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
    return h.hexdigest()[:32]


def folder() -> Path:
    return paths.cache_dir() / "demo"


def build_or_copy(
    target: Path,
    *,
    business_unit: bool,
    agencies: int,
    forms: FormRegistry,
    progress: Progress | None = None,
    seed: int = 2026,
) -> bool:
    """The demo (the Business Unit's, or the agencies') in the empty workspace ``target``: copied from the cache
    when it holds one, else built and kept there. True if it was copied."""
    kind = "business-unit" if business_unit else "agencies"
    entry = folder() / key(kind, agencies=agencies, seed=seed)
    if (entry / COMPLETE).is_file():
        try:
            _copy_in(entry, target, forms, progress)
            return True
        except DemoError:
            raise
        except OSError as exc:
            log.warning("demo cache entry %s not used: %s", entry.name, exc)
    make: Callable[..., object] = build.build_business_unit if business_unit else build.build_agencies
    make(target, agencies=agencies, seed=seed, forms=forms, progress=progress)
    _keep(target, entry)
    return False


def _copy_in(entry: Path, target: Path, forms: FormRegistry, progress: Progress | None) -> None:
    if progress is not None:
        progress(0, 1, "Copying the demo workspace…")
    empty = f"The workspace in {target} is not empty; demo data can only be added to an empty one."
    with build._built_aside(target, forms, empty) as scratch:
        shutil.copy2(entry / DB_FILENAME, scratch / DB_FILENAME)
        if (entry / "attachments").is_dir():
            shutil.copytree(entry / "attachments", scratch / "attachments", dirs_exist_ok=True)
    if progress is not None:
        progress(1, 1, "Copied the demo workspace.")


def _keep(workspace: Path, entry: Path) -> None:
    """Copy the built workspace (closed) into the cache as ``entry``, in one rename when complete."""
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{entry.name}-", dir=entry.parent))
        try:
            shutil.copy2(workspace / DB_FILENAME, work / DB_FILENAME)
            if (workspace / "attachments").is_dir():
                shutil.copytree(workspace / "attachments", work / "attachments")
            (work / COMPLETE).write_text(__version__, encoding="utf-8")
            shutil.rmtree(entry, ignore_errors=True)
            os.replace(work, entry)
            fsync_dir(entry.parent)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    except OSError as exc:
        log.info("demo workspace not kept in the cache: %s", exc)

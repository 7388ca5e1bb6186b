"""Checked form definitions, kept so a start does not check them again.

Checking a form definition against its JSON Schema takes most of the time loading it takes (about 30 ms of
40 for the three shipped forms, plus a tenth of a second to import jsonschema and yaml). A definition that
passed is kept in the user's cache folder as the plain data the YAML gave, keyed by the SHA-256 of the YAML
text, of the schema and the app's version: a changed file, schema or app has another key, so it is checked
again. The data is still built into a form by the loader (which checks its references) every time.

The cache is a convenience: an entry that cannot be read, or is not what was written (a damaged file, a
partial write), is ignored and the definition checked again; a cache that cannot be written is left alone.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

from oscb_desktop import __version__, paths
from oscb_desktop.fsutil import WriteError, atomic_write

log = logging.getLogger(__name__)

#: Bumped when what an entry holds changes.
ENTRY_FORMAT = 1


def key(text: str, schema_text: str) -> str:
    """The entry's name for a definition's YAML ``text`` checked against ``schema_text`` by this app."""
    h = hashlib.sha256()
    for part in (f"{ENTRY_FORMAT}", __version__, schema_text, text):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def folder() -> Path:
    return paths.cache_dir() / "forms"


def get(entry: str) -> dict[str, Any] | None:
    """The checked data kept under ``entry``, or None (none kept, or not readable as what was written)."""
    file = folder() / f"{entry}.json"
    try:
        kept = json.loads(file.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.info("form cache entry %s ignored: %s", file.name, exc)
        return None
    if not isinstance(kept, dict) or kept.get("key") != entry or not isinstance(kept.get("data"), dict):
        log.info("form cache entry %s ignored: not an entry of this app", file.name)
        return None
    data: dict[str, Any] = kept["data"]
    return data


def encode(entry: str, data: Any) -> bytes | None:
    """The entry for ``data`` as it is now (before anything builds on it), or None when JSON would not give back
    the same data (e.g. a number as a mapping's key, which JSON makes text)."""
    try:
        text = json.dumps({"key": entry, "data": data}, ensure_ascii=False, separators=(",", ":"))
        if json.loads(text)["data"] != data:
            return None
    except (TypeError, ValueError):
        return None
    return text.encode("utf-8")


def put(entry: str, encoded: bytes) -> None:
    """Keep an entry made by :func:`encode` (for a definition that passed every check)."""
    try:
        target = folder()
        target.mkdir(parents=True, exist_ok=True)
        atomic_write(target / f"{entry}.json", encoded)
    except (OSError, WriteError) as exc:
        log.info("form cache entry not written: %s", exc)

"""What a workspace holds, to compare before and after: every row of every table and every stored file."""

from __future__ import annotations

import json
from typing import Any

from oscb_desktop.services.workspace import Workspace
from oscb_desktop.store.models import ALL_MODELS
from oscb_desktop.store.postgres import PgBlobStore


def stored_files(ws: Workspace) -> list[str]:
    """Every file under the workspace's blob store (temporary ``.part`` files included), relative to the workspace;
    on PostgreSQL, the SHA-256 of every stored file."""
    if isinstance(ws.blobs, PgBlobStore):
        return sorted(ws.blobs.hashes())
    if not ws.blobs.folder.is_dir():
        return []
    return sorted(str(p.relative_to(ws.folder)) for p in ws.blobs.folder.rglob("*") if p.is_file())


def snapshot(ws: Workspace) -> dict[str, Any]:
    """Every row of every table and every stored file: equal before and after means nothing was written."""
    with ws.bound():
        tables = {
            m.__name__: sorted(json.dumps(r, sort_keys=True, default=str) for r in m.select().dicts())
            for m in ALL_MODELS
        }
    return {"tables": tables, "files": stored_files(ws)}

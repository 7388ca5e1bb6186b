"""Many real bundles fast: the demo agencies' signed returns (``agency_side``), each made again as versions
1..k of its return (distinct submission ids, each superseding the one before), signed with the agency's own key
(as ``bench/bench_import.py`` makes them; here each PDF is signed again carrying its version's answers). Files
sort in import order: versions ascending per return."""

from __future__ import annotations

import hashlib
import io
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path

from oscb_desktop import demo
from oscb_desktop.bundle import Signatory, SubmissionPayload, build_bundle
from oscb_desktop.bundle.model import attachment_refs, parse_json
from oscb_desktop.services import identities
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.store import Agency


def members_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def make_lineages(agency_side: Path, target: Path, count: int, sign: Callable[..., bytes]) -> list[Path]:
    """``count`` bundles in ``target`` from the returns of the ``agency_side`` fixture's workspace; ``sign``: the
    ``make_signed_pdf`` fixture (each version's PDF carries its own answers, as sign-off makes it)."""
    with Workspace.open(agency_side / "ws", read_only=True, daily_backup=False) as ws, ws.bound():
        keys = {}
        for agency in Agency.select():
            row = identities.current(ws, agency.id)
            assert row is not None, agency.name
            keys[agency.name] = identities.unlock(row, demo.DEMO_PASSPHRASE)
    lineages = [members_of(p.read_bytes()) for p in sorted((agency_side / "bundles").glob("*.oscb"))]
    per_lineage, extra = divmod(count, len(lineages))
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for n, members in enumerate(lineages):
        manifest = parse_json(members["manifest.json"])
        submission = parse_json(members["submission.json"])
        by_hash = {hashlib.sha256(data).hexdigest(): data for data in members.values()}
        attachments = [(ref.name, by_hash[ref.sha256]) for ref in attachment_refs(submission["answers"])]
        agency = manifest["agency"]["name"]
        previous = None
        for version in range(1, per_lineage + (1 if n < extra else 0) + 1):
            sid = str(uuid.uuid4())
            submission["submission"] = {"id": sid, "version": version, "supersedes": previous}
            data = build_bundle(
                submission=submission,
                audit=parse_json(members["audit.json"]),
                signed_pdf=sign(keys[agency], SubmissionPayload.from_json(submission)),
                key=keys[agency],
                form_title=manifest["form"]["title"],
                signatory=Signatory.from_json(manifest["signatory"]),
                signed_at=manifest["signed_at"],
                attachments=attachments,
            )
            path = target / f"{n:02d}_v{version:03d}.oscb"
            path.write_bytes(data)
            written.append(path)
            previous = sid
    return written

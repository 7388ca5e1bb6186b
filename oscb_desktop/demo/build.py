"""Demo workspaces made in a folder: the agencies' side, and the Business Unit's with the agencies' signed
returns imported.

Each builder opens one workspace at a time and closes it before opening the next, so that it never holds
two databases open in one process; a caller opens the finished workspace afterwards.

A build is crash-safe: the workspace is built in a scratch folder inside the target (``.demo-building-…``)
and moved into place only once complete, while the target's lock is held. A build that was killed leaves the
target as empty as it was; the next build clears the scratch folder away and starts again.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from oscb_desktop.demo import partnership as demo_partnership
from oscb_desktop.demo.common import CURRENT_PERIOD, DEMO_PASSPHRASE, SECTION11, DemoError, DemoSummary, Progress
from oscb_desktop.demo.writer import export_signed, generate
from oscb_desktop.forms import FormRegistry
from oscb_desktop.fsutil import fsync_dir, make_folder
from oscb_desktop.services import imports, partnership_admin, registry, review
from oscb_desktop.services.imports import ImportResult
from oscb_desktop.services.workspace import Workspace, login_name
from oscb_desktop.store import DB_FILENAME, Agency, Submission
from oscb_desktop.store.lock import WorkspaceLock

#: The scratch folder a build works in, inside the target folder.
SCRATCH_PREFIX = ".demo-building-"


@contextmanager
def _built_aside(folder: Path, forms: FormRegistry | None, empty: str) -> Iterator[Path]:
    """Hold the lock of the workspace in ``folder`` (which must be empty: ``empty`` is the error otherwise),
    yield a fresh scratch folder to build a workspace in, and when the block ends normally move the built
    workspace into ``folder``: its evidence files first, then its database in one rename."""
    make_folder(folder, private=True)
    lock = WorkspaceLock.acquire(folder, user=login_name())
    try:
        with Workspace.open(folder, forms=forms, daily_backup=False) as ws:
            if Submission.select().exists() or Agency.select().exists() or ws.setting(registry.ROLE_SETTING):
                raise DemoError(empty)
        for old in folder.glob(f"{SCRATCH_PREFIX}*"):  # a build that was killed
            shutil.rmtree(old, ignore_errors=True)
        scratch = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX, dir=folder))
        try:
            yield scratch
            _move_into_place(scratch, folder)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    finally:
        lock.release()


def _move_into_place(scratch: Path, folder: Path) -> None:
    for blob in sorted((scratch / "attachments").rglob("*")):
        if blob.is_file():
            target = folder / blob.relative_to(scratch)
            make_folder(target.parent, private=True)
            os.replace(blob, target)
    os.replace(scratch / DB_FILENAME, folder / DB_FILENAME)  # over the empty one (closed: no -wal left)
    fsync_dir(folder)


def build_agencies(
    folder: Path,
    *,
    agencies: int = 12,
    seed: int = 2026,
    sign_all: bool = False,
    forms: FormRegistry | None = None,
    progress: Progress | None = None,
    business_unit: Path | None = None,
    pack: Path | None = None,
) -> DemoSummary:
    """Fill the workspace in ``folder`` with demo agencies and their returns (see :func:`generate`), built
    aside and moved into place when complete. Raises :class:`DemoError` if it already holds agencies.

    The agencies have joined the demo partnership from the pack its Business Unit published: that Business Unit's
    workspace is made in ``business_unit`` (kept, to import the agencies' bundles into) or thrown away, and its
    pack written to ``pack`` (or thrown away)."""
    with (
        _built_aside(folder, forms, "The workspace already has agencies; demo data goes into an empty one.") as scratch,
        tempfile.TemporaryDirectory(prefix="oscb-demo-bu-") as tmp,
    ):
        pack = pack or Path(tmp) / demo_partnership.pack_name("demo")
        fingerprint = demo_partnership.make_business_unit(business_unit or Path(tmp) / "business-unit", forms, pack)
        with Workspace.open(scratch, forms=forms, daily_backup=False) as ws:
            demo_partnership.join(ws, pack, fingerprint)
            return generate(ws, agencies=agencies, seed=seed, sign_all=sign_all, progress=progress)


def build_business_unit(
    folder: Path,
    *,
    agencies: int = 15,
    seed: int = 2026,
    forms: FormRegistry | None = None,
    progress: Progress | None = None,
) -> list[ImportResult]:
    """Make the workspace in ``folder`` the Business Unit's, with demo returns received and some reviewed.

    The agencies sign and export every return in a temporary agency workspace, which is closed; then the
    Business Unit's workspace imports the bundles, confirming the certificates, and a few returns are reviewed
    and moderated as after a challenge event. ``progress`` counts the agencies written, then the export and
    the import as one step each. Raises :class:`DemoError` if the workspace in ``folder`` is not empty.
    Returns the import results.
    """
    forms = forms if forms is not None else FormRegistry.load()
    total = agencies + 2  # each agency's returns written, then the export, then the import

    def report(done: int, text: str) -> None:
        if progress is not None:
            progress(done, total, text)

    not_empty = f"The workspace in {folder} is not empty; demo data can only be added to an empty one."
    with _built_aside(folder, forms, not_empty) as scratch:
        bundles = scratch / "bundles"
        pack = scratch / demo_partnership.pack_name("demo")
        fingerprint = demo_partnership.make_business_unit(scratch, forms, pack)
        with Workspace.open(scratch / "agencies", forms=forms, daily_backup=False) as agency_ws:
            demo_partnership.join(agency_ws, pack, fingerprint)
            generate(agency_ws, agencies, seed, sign_all=True, progress=lambda done, _, text: report(done, text))
            report(agencies, "Exporting the signed returns…")
            export_signed(agency_ws, bundles)

        def importing(_done: int, _of: int, name: str) -> None:
            report(agencies + 1, f"Importing {name}…" if name else "Reviewing some of the returns…")

        with Workspace.open(scratch, forms=forms, daily_backup=False) as ws:
            key = partnership_admin.unlock(partnership_admin.current_identity(ws), DEMO_PASSPHRASE)
            results = imports.import_paths(ws, [bundles], trust_new=True, progress=importing, key=key)
            _review(ws, random.Random(seed + 2))
    report(total, f"Imported {len(results)} returns from {agencies} agencies.")
    return results


def _review(ws: Workspace, rng: random.Random) -> None:
    """About a quarter of this year's Section 11 returns have issues (one standard moderated down) and just
    under half are accepted, as after a challenge event; the rest wait to be reviewed."""
    for row in review.list_received(ws, period=CURRENT_PERIOD):
        if row.form_id != SECTION11:
            continue
        roll = rng.random()
        if roll < 0.25:
            review.set_status(
                ws, row.id, "has_issues", "Evidence for the Amber ratings was not attached; asked for it."
            )
            sections = [k.split(".")[0] for k, v in row.answers.items() if isinstance(v, dict) and v.get("level")]
            target = rng.choice(sorted(set(sections)))
            review.set_moderation(
                ws, row.agency_id, row.form_id, row.period, target, level="amber",
                note="Challenge event: the evidence offered does not yet show this is met across all services.",
            )  # fmt: skip
        elif roll < 0.7:
            review.set_status(ws, row.id, "accepted", "Discussed at the challenge event; ratings agreed.")

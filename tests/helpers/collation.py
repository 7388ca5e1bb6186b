"""Signed bundles read back as the collation's input, as the Business Unit receives them.

Reads each ``*.oscb`` in a folder without verifying it (the tests that use this make the bundles themselves,
with the demo generator) through the same typed members the verifier hands on.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from oscb_desktop.bundle import Manifest, SubmissionPayload
from oscb_desktop.bundle.model import parse_json
from oscb_desktop.collate import ReturnRecord


def return_record(bundle: Path) -> ReturnRecord:
    """One bundle's return as a :class:`ReturnRecord`: agency, form, period and version from its manifest,
    the answers from its ``submission.json``."""
    with zipfile.ZipFile(bundle) as z:
        manifest = Manifest.from_json(parse_json(z.read("manifest.json")))
        submission = SubmissionPayload.from_json(parse_json(z.read("submission.json")))
    return ReturnRecord(
        agency=manifest.agency.name,
        sector=manifest.agency.sector,
        form_id=manifest.form.id,
        form_version=manifest.form.version,
        period=manifest.period,
        version=manifest.submission.version,
        submission_id=manifest.submission.id,
        answers=dict(submission.answers),
        signed_at=manifest.signed_at,
        survey=submission.survey,
    )


def read_bundles(folder: Path) -> list[ReturnRecord]:
    """Every ``*.oscb`` in ``folder``, in file-name order."""
    return [return_record(path) for path in sorted(folder.glob("*.oscb"))]

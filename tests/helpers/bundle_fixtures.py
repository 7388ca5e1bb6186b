"""Fixtures for every test that needs a real bundle (the bundle, CLI and import tests): two agencies' signing
keys, a small PDF made with reportlab and signed, a Section 11 2026.1 return with a few answers, its answer
history and one evidence file; and the bundles two demo agencies export (``agency_side``). Loaded as a plugin by
tests/conftest.py; the helpers are in helpers.bundle_kit."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from reportlab.pdfgen import canvas

from helpers.bundle_kit import (
    AGENCY_A,
    AGENCY_B,
    ATTACHMENT_DATA,
    ATTACHMENT_NAME,
    AUDIT,
    CREATED_AT,
    PASSPHRASE,
    SIGNED_AT,
    payload,
    pem,
)
from oscb_desktop import demo
from oscb_desktop.bundle import (
    Signatory,
    SubmissionPayload,
    build_bundle,
    submission_attachment,
)
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.signing import UnlockedKey, create_identity, sign_pdf, unlock


def _key(person: str, role: str, agency: str) -> UnlockedKey:
    return unlock(create_identity(person, role, agency, None, PASSPHRASE), PASSPHRASE)


@pytest.fixture(scope="session")
def key_a() -> UnlockedKey:
    return _key("Jane Doe", "Director of Nursing", AGENCY_A)


@pytest.fixture(scope="session")
def key_b() -> UnlockedKey:
    return _key("Sam Patel", "Head of Housing", AGENCY_B)


@pytest.fixture(scope="session")
def unsigned_pdf() -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pageCompression=0)
    pdf.drawString(72, 720, f"Section 11 self-assessment 2026/27: {AGENCY_A}")
    pdf.drawString(72, 700, "Standard 1: senior management commitment. Rating: Green (75%)")
    pdf.showPage()
    pdf.drawString(72, 720, "Signed off by Jane Doe, Director of Nursing")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


@pytest.fixture(scope="session")
def make_signed_pdf(unsigned_pdf: bytes) -> Callable[..., bytes]:
    """``sign(key, carries=payload())``: the small PDF signed by ``key``, carrying ``carries`` (a payload, or
    any bytes) as its submission.json (format version 2); ``carries=None`` signs it as version 1 did."""

    def sign(key: UnlockedKey, carries: SubmissionPayload | bytes | None = payload()) -> bytes:  # noqa: B008
        if isinstance(carries, bytes):
            embed = [dataclasses.replace(submission_attachment(payload()), data=carries)]
        else:
            embed = [submission_attachment(carries)] if carries is not None else []
        return sign_pdf(
            unsigned_pdf, key, reason="Section 11 sign-off", location="Oxford", box=(72, 72, 288, 136), embed=embed
        )

    return sign


@pytest.fixture(scope="session")
def signed_pdf(make_signed_pdf: Callable[[UnlockedKey], bytes], key_a: UnlockedKey) -> bytes:
    return make_signed_pdf(key_a)


@pytest.fixture(scope="session")
def build(key_a: UnlockedKey, signed_pdf: bytes, make_signed_pdf: Callable[..., bytes]) -> Callable[..., bytes]:
    """Build a bundle like the standard one, with any argument changed. Given another ``submission`` (and no
    ``signed_pdf``), the PDF is signed again carrying it, as sign-off would have signed that return."""

    def make(**changes: Any) -> bytes:
        if "submission" in changes and "signed_pdf" not in changes:
            submission = changes["submission"]
            try:
                carried = submission_attachment(
                    submission if isinstance(submission, SubmissionPayload) else SubmissionPayload.from_json(submission)
                ).data
            except (KeyError, TypeError, ValueError):
                carried = None  # not a return at all: the writer refuses it before it looks at the PDF
            if carried is not None:
                changes["signed_pdf"] = make_signed_pdf(changes.get("key", key_a), carried)
        arguments: dict[str, Any] = {
            "submission": payload(),
            "audit": AUDIT,
            "signed_pdf": signed_pdf,
            "key": key_a,
            "form_title": "Section 11 self-assessment",
            "signatory": Signatory("Jane Doe", "Director of Nursing"),
            "signed_at": SIGNED_AT,
            "created_at": CREATED_AT,
            "attachments": [(ATTACHMENT_NAME, ATTACHMENT_DATA)],
        }
        arguments.update(changes)
        return build_bundle(**arguments)

    return make


@pytest.fixture(scope="session")
def bundle(build: Callable[..., bytes]) -> bytes:
    """The standard bundle: agency A's Section 11 2026.1 return, signed by A, with one evidence file."""
    return build()


@pytest.fixture
def trust_a(tmp_path: Path, key_a: UnlockedKey) -> Path:
    """A trusted-certificates folder holding only agency A's certificate."""
    folder = tmp_path / "trusted"
    folder.mkdir()
    (folder / "agency-a.pem").write_bytes(pem(key_a))
    return folder


@pytest.fixture(scope="session")
def agency_side(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two demo agencies that signed everything, their bundles exported to ``bundles/``; the workspace kept."""
    folder = tmp_path_factory.mktemp("agency-side")
    with Workspace.open(folder / "ws") as ws:
        ws.bind()
        demo.generate(ws, agencies=2, sign_all=True)
        demo.export_signed(ws, folder / "bundles")
    return folder

"""Real signed bundles for the ``oscb`` command tests, made with the bundle tests' kit (tests/unit/bundle).

The kit is a plain module next to the bundle tests; that folder is put on ``sys.path`` so ``bundle_testkit``
imports the same way here as there (pytest's default import mode does the same when it collects those tests).
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

_BUNDLE_TESTS = Path(__file__).resolve().parents[1] / "unit" / "bundle"
if str(_BUNDLE_TESTS) not in sys.path:
    sys.path.insert(0, str(_BUNDLE_TESTS))

from bundle_testkit import (  # noqa: E402
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
from reportlab.pdfgen import canvas  # noqa: E402

from oscb_desktop.bundle import Signatory, build_bundle  # noqa: E402
from oscb_desktop.signing import UnlockedKey, create_identity, sign_pdf, unlock  # noqa: E402


def _key(person: str, role: str, agency: str) -> UnlockedKey:
    return unlock(create_identity(person, role, agency, None, PASSPHRASE), PASSPHRASE)


@pytest.fixture(scope="session")
def key_a() -> UnlockedKey:
    """Agency A's signing key: it signs the standard bundle."""
    return _key("Jane Doe", "Director of Nursing", AGENCY_A)


@pytest.fixture(scope="session")
def key_b() -> UnlockedKey:
    """Another agency's signing key."""
    return _key("Sam Patel", "Head of Housing", AGENCY_B)


@pytest.fixture(scope="session")
def unsigned_pdf() -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pageCompression=0)
    pdf.drawString(72, 720, f"Section 11 self-assessment 2026/27: {AGENCY_A}")
    pdf.drawString(72, 700, "Standard 1: senior management commitment. Rating: Green (75%)")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


@pytest.fixture(scope="session")
def bundle(key_a: UnlockedKey, unsigned_pdf: bytes) -> bytes:
    """Agency A's Section 11 2026.1 return (version 2), signed by A, with one evidence file."""
    signed_pdf = sign_pdf(unsigned_pdf, key_a, reason="Section 11 sign-off", location="Oxford", box=(72, 72, 288, 136))
    return build_bundle(
        submission=payload(),
        audit=AUDIT,
        signed_pdf=signed_pdf,
        key=key_a,
        form_title="Section 11 self-assessment",
        signatory=Signatory("Jane Doe", "Director of Nursing"),
        signed_at=SIGNED_AT,
        created_at=CREATED_AT,
        attachments=[(ATTACHMENT_NAME, ATTACHMENT_DATA)],
    )


@pytest.fixture
def trust_a(tmp_path: Path, key_a: UnlockedKey) -> Path:
    """A trusted-certificates folder holding only agency A's certificate."""
    folder = tmp_path / "trusted"
    folder.mkdir()
    (folder / "agency-a.pem").write_bytes(pem(key_a))
    return folder

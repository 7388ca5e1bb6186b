"""Evidence files in the submission PDF: under each statement, every file with its name, size, when it was added,
whether it was carried forward, and its full SHA-256 (in a monospace font, wrapped in two even lines)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest
from helpers.pdf import run, squash

from oscb_desktop.forms import FormRegistry
from oscb_desktop.report import ReturnDocument, render_submission_pdf

POLICY = b"%PDF-1.4 safeguarding policy"
MINUTES = b"Minutes of the Trust Board"


def entry(name: str, data: bytes, **extra: Any) -> dict[str, Any]:
    return {"sha256": hashlib.sha256(data).hexdigest(), "name": name, "size": len(data), **extra}


@pytest.fixture(scope="module")
def pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    form = FormRegistry.load().get("section11", "2026.1")
    answers: dict[str, Any] = {
        "s1.1": {
            "level": "green",
            "evidence": "Board minutes, May 2026.",
            "files": [
                entry("Safeguarding policy 2026 — Łódź.pdf", POLICY, added="2026-05-14T09:00:00.000Z", carried=True),
                entry("Board minutes.txt", MINUTES, added="2026-11-02T16:45:00.000Z"),
            ],
        },
        # A Green whose only evidence is a file: no "No evidence given".
        "s1.2": {"level": "green", "evidence": "", "files": [entry("Business plan.docx", b"PK\x03\x04plan" * 300)]},
        "s1.3": {"level": "green", "evidence": ""},
    }
    doc = ReturnDocument(
        form=form,
        answers=answers,
        agency_name="Example Trust",
        agency_sector="Health",
        period="2026/27",
        version=1,
        submission_id="evidence-1",
        status="draft",
    )
    path = tmp_path_factory.mktemp("evidence-pdf") / "return.pdf"
    path.write_bytes(render_submission_pdf(doc, draft=True).data)
    return path


def statement(text: str, code: str, following: str) -> str:
    return text[text.index(code) : text.index(following)]


def test_each_statement_lists_its_files(pdf: Path) -> None:
    text = run("pdftotext", "-layout", str(pdf), "-")
    s11 = squash(statement(text, "S1.1 ", "S1.2 "))
    assert "Evidence files (2)" in s11
    assert "Safeguarding policy 2026 — Łódź.pdf" in s11 and "Board minutes.txt" in s11
    assert "Added 14 May 2026; carried forward from the previous return" in s11
    assert "Added 2 Nov 2026" in s11 and "26 bytes" in s11
    for data in (POLICY, MINUTES):
        sha = hashlib.sha256(data).hexdigest()
        assert re.search(rf"{sha[:32]}\s*\n(.*\n)*?.*{sha[32:]}", statement(text, "S1.1 ", "S1.2 ")), sha
    s12 = squash(statement(text, "S1.2 ", "S1.3 "))
    assert "Evidence files (1) File Size SHA-256 Business plan.docx 2.3 KB" in s12
    assert "No evidence given" not in s12, "the file is the evidence"
    assert "No evidence given" in squash(statement(text, "S1.3 ", "S1.4 "))


def test_the_hash_is_in_the_embedded_monospace_font(pdf: Path) -> None:
    fonts = run("pdffonts", str(pdf))
    mono = [line for line in fonts.splitlines() if "DejaVuSansMono" in line]
    assert mono and all(re.search(r"\byes\s+yes\s+yes\b", line) for line in mono)
    # The full hex reads back from the raw text as one string per line: wrapped in halves, never mid-group.
    raw = run("pdftotext", str(pdf), "-")
    sha = hashlib.sha256(MINUTES).hexdigest()
    assert sha[:32] in raw and sha[32:] in raw

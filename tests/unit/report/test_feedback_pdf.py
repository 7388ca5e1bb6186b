"""The feedback letter to one agency, read back with poppler as the agency would read it, and ``oscb collate
--feedback-dir`` on a small Business Unit workspace.

``pdftotext`` and ``pdfinfo`` come from poppler-utils (installed in CI); the tests that need them skip without.
"""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from helpers.pdf import tool
from pyhanko.pdf_utils.reader import PdfFileReader

from oscb_desktop import demo
from oscb_desktop.cli import main
from oscb_desktop.collate import Collation, CollationInput, RegisteredAgency, ReturnRecord, collate
from oscb_desktop.forms import FormRegistry
from oscb_desktop.report.feedback import feedback_file_name, render_feedback_pdf

PERIOD = "2026/27"
AS_OF = date(2026, 12, 1)
AGENCY = "Riverside & District NHS Trust"
OTHER = "Hilltop Borough Council"
SILENT = "Quiet Valley Academy Trust"

REVIEW_NOTE = "Please send the training records behind statement 5.2 by the end of January."
WHOLE_NOTE = "A thoughtful return overall; the board thanks the safeguarding lead."
STANDARD_NOTE = "Leaders could not show the board minutes where safeguarding was discussed."
STATEMENT_NOTE = "The annual report to the board was not yet written."
OPEN_ACTION = "Write the annual safeguarding report for the trust board"
OVERDUE_ACTION = "Refresh the allegations policy and publish it on the intranet"
DONE_ACTION = "Appoint a named lead for allegations"


def _text(pdf: bytes, tmp_path: Path, name: str = "feedback.pdf") -> list[str]:
    """The text of each page, whitespace squashed (words wrap inside table cells)."""
    path = tmp_path / name
    path.write_bytes(pdf)
    out = subprocess.run(
        [tool("pdftotext"), "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [re.sub(r"\s+", " ", page).strip() for page in out.split("\f")[:-1]]


def _s11(forms: FormRegistry, level: str = "green", **levels: str) -> dict[str, Any]:
    """Answers rating every statement ``level``, except those given (``s1_1="red"`` for s1.1)."""
    overrides = {k.replace("_", "."): v for k, v in levels.items()}
    answers: dict[str, Any] = {}
    for item in forms.get("section11", "2026.1").items():
        if item.type == "rating":
            lv = overrides.get(item.id, level)
            answers[item.id] = {"level": lv, "evidence": "e", "example": "x", "reason": "r" if lv == "na" else ""}
    return answers


def _record(agency: str, answers: dict[str, Any], **kw: Any) -> ReturnRecord:
    values: dict[str, Any] = {
        "sector": "health",
        "form_id": "section11",
        "form_version": "2026.1",
        "period": PERIOD,
        "version": 1,
        "submission_id": f"{agency}-{kw.get('form_id', 's11')}",
        "signed_at": "2026-11-01T10:00:00Z",
        "received_at": "2026-11-02T09:00:00Z",
    }
    values.update(kw)
    return ReturnRecord(agency=agency, answers=answers, **values)


@pytest.fixture(scope="module")
def collation(shipped_forms: FormRegistry) -> Collation:
    answers = _s11(shipped_forms, s6_1="amber")
    answers["s6.actions"] = [
        {"action": OPEN_ACTION, "lead": "Chief Nurse", "due": "2027-02-28", "status": "in_progress"},
        {"action": OVERDUE_ACTION, "lead": "Head of HR", "due": "2026-09-30", "status": "not_started"},
        {"action": DONE_ACTION, "lead": "Head of HR", "due": "2026-06-30", "status": "complete"},
    ]
    other = _s11(shipped_forms)
    other["s1.actions"] = [{"action": "Another agency's action", "due": "2026-01-01", "status": "in_progress"}]
    returns = [
        _record(
            AGENCY,
            answers,
            version=2,
            review_status="has_issues",
            review_notes=REVIEW_NOTE,
            moderated={"s1": "amber", "s5.2": "red"},  # a standard, and one statement of another
            challenge_notes={"": WHOLE_NOTE, "s1": STANDARD_NOTE, "s1.3": STATEMENT_NOTE},
        ),
        _record(AGENCY, _s11(shipped_forms, "red"), submission_id="v1"),  # superseded by version 2
        _record(AGENCY, {"impact.escalate": False}, form_id="impact", review_status="accepted"),
        _record(OTHER, other, sector="local_authority", review_notes="Another agency's review note."),
    ]
    inp = CollationInput(
        period=PERIOD,
        forms=shipped_forms,
        returns=returns,
        agencies=[
            RegisteredAgency(AGENCY, "health"),
            RegisteredAgency(OTHER, "local_authority"),
            RegisteredAgency(SILENT, "education"),
        ],
        sector_labels={"health": "Health", "local_authority": "Local authorities", "education": "Education"},
        partnership="Test Safeguarding Partnership",
    )
    return collate(inp, as_of=AS_OF)


def test_the_collation_carries_the_returns_with_their_review(collation: Collation) -> None:
    mine = collation.returns_of(AGENCY)
    assert [(r.form_id, r.version) for r in mine] == [("section11", 2), ("impact", 1)]
    s11 = mine[0]
    assert s11.form_title == "Section 11 self-assessment" and s11.on_time is True
    assert (s11.review_status, s11.review_notes) == ("has_issues", REVIEW_NOTE)
    assert [(n.target, n.section_id, n.text) for n in s11.challenge_notes] == [
        ("", "", WHOLE_NOTE),
        ("s1", "s1", STANDARD_NOTE),
        ("s1.3", "s1", STATEMENT_NOTE),
    ]
    assert s11.challenge_notes[1].label.startswith("S1 ")
    assert dict(s11.moderated) == {"s1": "amber", "s5.2": "red"}
    assert collation.returns_of(SILENT) == ()


def test_feedback_shows_both_ratings_notes_and_open_actions(collation: Collation, tmp_path: Path) -> None:
    pdf = render_feedback_pdf(collation, AGENCY, signatories={"section11": ("Dr Ann Patel", "Chief Nurse")})
    assert pdf.startswith(b"%PDF-")
    pages = _text(pdf, tmp_path)
    text = " ".join(pages)
    assert AGENCY in text and OTHER not in text and SILENT not in text
    assert "Test Safeguarding Partnership Business Unit" in text and PERIOD in text
    # the returns received, with version, signing date and signatory
    assert "Section 11 self-assessment" in text and "Annual impact assessment" in text
    assert "1 Nov 2026 by Dr Ann Patel, Chief Nurse" in text
    assert "Issues raised" in text and "Accepted" in text
    # S1: own Green, moderated Amber as a whole; S5: one statement moderated Red, in words
    s1 = collation.standard("s1")
    assert f"S1 {s1.title} Green mean 75% Amber mean 50%" in text and "Moderated lower" in text
    assert "Same level; 1 statement rated differently" in text  # S5: Green either way, s5.2 Red
    assert "s5.2" in text and "Red 25%" in text and "rated on its own" in text
    assert "moderated the standard as a whole as Amber (50%)" in text
    assert "Not moderated" in text
    # the Business Unit's notes: review, whole return, standard and statement
    for note in (REVIEW_NOTE, WHOLE_NOTE, STANDARD_NOTE, STATEMENT_NOTE):
        assert note in text
    # open actions, the overdue one marked; the completed one and other agencies' left out
    assert OPEN_ACTION in text and OVERDUE_ACTION in text
    assert DONE_ACTION not in text and "Another agency's" not in text
    assert "2 open actions" in text and "1 of them overdue" in text
    assert re.search(r"30 Sep 2026 Not started Overdue", text)
    assert text.index(OVERDUE_ACTION) < text.index(OPEN_ACTION)  # overdue first
    assert "keep children and adults safe" in pages[-1]
    for n, page in enumerate(pages, start=1):
        assert f"Page {n} of {len(pages)}" in page


def test_feedback_is_a_tagged_a4_document_in_embedded_fonts(collation: Collation, tmp_path: Path) -> None:
    path = tmp_path / "feedback.pdf"
    path.write_bytes(render_feedback_pdf(collation, AGENCY))
    info = subprocess.run(
        [tool("pdfinfo"), "-enc", "UTF-8", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert f"Title:           Feedback to {AGENCY} on its returns for {PERIOD}" in info
    assert "Page size:       595.276 x 841.89 pts (A4)" in info
    fonts = subprocess.run([tool("pdffonts"), str(path)], capture_output=True, text=True, check=True).stdout
    lines = fonts.splitlines()[2:]
    assert lines and all("DejaVuSans" in line and " yes " in line for line in lines), lines


def test_an_agency_without_a_return_gets_one_page_saying_so(collation: Collation, tmp_path: Path) -> None:
    pdf = render_feedback_pdf(collation, SILENT)
    assert _page_count(pdf) == 1
    text = " ".join(_text(pdf, tmp_path))
    assert SILENT in text and f"We have not received any returns from {SILENT} for {PERIOD}" in text
    assert "Section 11 (deadline 31 Mar 2027)" in text
    assert AGENCY not in text and "Your ratings" not in text and "Your open actions" not in text


def test_an_agency_with_no_section11_return_is_told_so(shipped_forms: FormRegistry, tmp_path: Path) -> None:
    records = [_record(AGENCY, {"impact.escalate": False}, form_id="impact")]
    c = collate(
        CollationInput(PERIOD, shipped_forms, records, [RegisteredAgency(AGENCY, "health")], partnership="P"),
        as_of=AS_OF,
    )
    text = " ".join(_text(render_feedback_pdf(c, AGENCY), tmp_path))
    assert "We have not received your Section 11 return" in text
    assert "Your ratings and the moderated ratings" not in text and "Your open actions" not in text


def test_a_name_not_on_the_register_is_refused(collation: Collation) -> None:
    with pytest.raises(ValueError, match="no agency called “Nobody Trust” on the register"):
        render_feedback_pdf(collation, "Nobody Trust")


def test_file_names_are_safe() -> None:
    assert feedback_file_name("Oxfordshire County Council – Children's Services", "2026/27") == (
        "Feedback_Oxfordshire-County-Council-Children-s-Services_2026-27.pdf"
    )
    assert feedback_file_name("../../etc", "///") == "Feedback_etc_period.pdf"


def _page_count(pdf: bytes) -> int:
    return int(PdfFileReader(io.BytesIO(pdf)).root["/Pages"]["/Count"])


# --- oscb collate --feedback-dir ------------------------------------------------------------------


def test_cli_writes_one_letter_per_agency_that_returned(
    tmp_path: Path, shipped_forms: FormRegistry, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "bu"
    demo.build_business_unit(data, agencies=3, forms=shipped_forms)
    out = tmp_path / "letters"
    assert main(["--data-dir", str(data), "collate", "--period", PERIOD, "--feedback-dir", str(out)]) == 0
    assert f"Wrote 3 feedback letters to {out}" in capsys.readouterr().out
    letters = sorted(out.glob("Feedback_*_2026-27.pdf"))
    assert len(letters) == 3 and sorted(out.iterdir()) == letters  # no temporary files left
    for path in letters:
        assert _page_count(path.read_bytes()) >= 2  # opens, and has more than the no-return page
    if shutil.which("pdftotext"):
        for path in letters:
            text = " ".join(_text(path.read_bytes(), tmp_path, "check.pdf"))
            assert "Feedback on your safeguarding returns" in text and "Your open actions" in text


def test_cli_needs_something_to_write(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["collate", "--period", PERIOD]) == 2
    assert "--feedback-dir DIR" in capsys.readouterr().err


def test_letters_name_the_partnerships_contact_and_are_signed_by_the_reviewing_officer(
    collation: Collation, tmp_path: Path
) -> None:
    named = dataclasses.replace(
        collation, contact=("Alex Morgan", "business.unit@oscb-demo.example", "01865 815 843"), officer="Priya Shah"
    )
    for agency in (AGENCY, SILENT):
        text = " ".join(_text(render_feedback_pdf(named, agency), tmp_path))
        assert (
            "please contact Alex Morgan at the Business Unit (business.unit@oscb-demo.example, 01865 815 843)" in text
        )
        assert "Priya Shah for the" in text and "root" not in text
    # A profile that names nobody still says whom to ask.
    text = " ".join(_text(render_feedback_pdf(collation, SILENT), tmp_path))
    assert "please contact the Business Unit so that" in text

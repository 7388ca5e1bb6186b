"""The submission PDF, read back as a reader (and a verifier) would: with poppler's tools.

``pdftotext``, ``pdfinfo`` and ``pdffonts`` come from poppler-utils (installed in CI); the tests
that need them skip when they are missing.
"""

from __future__ import annotations

import dataclasses
import re
import time
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from helpers.pdf import run, squash
from pyhanko.pdf_utils.reader import PdfFileReader

from oscb_desktop.forms import FormDefinition, FormRegistry, load_text
from oscb_desktop.report import RenderedPdf, ReturnDocument, render_submission_pdf

AGENCY = "Zoë Ødegård-Nguyễn Health Trust (Łódź & Aberystwyth)"
SIGNATORY = "Siân Llewelyn-Øst"
FINGERPRINT = " ".join(["3F2A", "9C01", "77AB", "12CD"] * 4)
EXAMPLE = "Our ‘Think Family’ huddles are shared with partners; Ysgrifennodd y tîm adroddiad."
NA_REASON = "The agency commissions no services from other providers."
LEVEL_CYCLE = ["green", "blue", "amber", "red", "na", "green", "amber"]
A4_WIDTH, A4_HEIGHT = 595.28, 841.89


@dataclasses.dataclass
class Rendered:
    pdf: RenderedPdf
    path: Path

    def text(self, *options: str) -> str:
        return run("pdftotext", "-layout", *options, str(self.path), "-")

    def page_text(self, page: int) -> str:  # 1-based
        return self.text("-f", str(page), "-l", str(page))

    def info(self) -> dict[str, str]:
        out = run("pdfinfo", "-enc", "UTF-8", str(self.path))
        return {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in out.splitlines() if ":" in line)}


def _render(tmp: Path, name: str, doc: ReturnDocument, *, draft: bool) -> Rendered:
    pdf = render_submission_pdf(doc, draft=draft)
    path = tmp / f"{name}.pdf"
    path.write_bytes(pdf.data)
    return Rendered(pdf, path)


# --- Returns to render ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def registry() -> FormRegistry:
    return FormRegistry.load()


@pytest.fixture(scope="module")
def s11_form(registry: FormRegistry) -> FormDefinition:
    return registry.get("section11", "2026.1")


def _section11_answers(form: FormDefinition) -> dict[str, Any]:
    answers: dict[str, Any] = {
        "about.completed_by": "Zoë Ødegård-Nguyễn, Head of Safeguarding",
        "about.services": "Community nursing in Łódź Street clinics.\n\nAll services work with children and adults.",
        # about.notes is left unanswered on purpose
    }
    n = 0
    for section in form.sections:
        ratings = [item for item in section.items if item.type == "rating"]
        low = False
        for item in ratings:
            level = LEVEL_CYCLE[n % len(LEVEL_CYCLE)]
            n += 1
            value: dict[str, Any] = {"level": level}
            if level == "na":
                value["reason"] = NA_REASON
            else:
                value["evidence"] = f"Evidence for {item.id}: minutes of 14 May 2026 & the audit <2026>."
            if level == "blue":
                value["example"] = EXAMPLE
            low |= level in ("amber", "red")
            answers[item.id] = value
        if low:
            answers[f"{section.id}.actions"] = [
                {
                    "action": f"Refresh the policy for {section.id} and brief every team.",
                    "lead": "Łucja Wiśniewska",
                    "due": "2027-03-31",
                    "status": "in_progress",
                },
            ]
    return answers


def _section11(form: FormDefinition, *, signed: bool = False, **changes: Any) -> ReturnDocument:
    doc = ReturnDocument(
        form=form,
        answers=_section11_answers(form),
        agency_name=AGENCY,
        agency_sector="Health",
        period="2026/27",
        version=2,
        submission_id="0b9f8c2e-5d1a-4e7b-9a44-1c2d3e4f5a6b",
        status="draft",
        generated_at="2027-02-14T10:29:00+00:00",
        partnership="Oxfordshire Safeguarding Children Board",
    )
    if signed:
        doc = dataclasses.replace(
            doc,
            status="signed",
            signatory_name=SIGNATORY,
            signatory_role="Chief Nurse",
            signed_at="2027-02-14T10:30:00+00:00",
            certificate_fingerprint=FINGERPRINT,
        )
    return dataclasses.replace(doc, **changes)


@pytest.fixture(scope="module")
def tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pdf")


@pytest.fixture(scope="module")
def s11_draft(tmp: Path, s11_form: FormDefinition) -> Rendered:
    return _render(tmp, "s11-draft", _section11(s11_form), draft=True)


@pytest.fixture(scope="module")
def s11_final(tmp: Path, s11_form: FormDefinition) -> Rendered:
    return _render(tmp, "s11-final", _section11(s11_form, signed=True), draft=False)


@pytest.fixture(scope="module")
def impact(tmp: Path, registry: FormRegistry) -> Rendered:
    answers = {
        "impact.pressures": [
            {"category": "complex_cases", "text": "More children with several needs at once."},
            {"category": "demand", "text": "Referrals rose by 18% in a year."},
            {"category": "funding", "text": "Short-term grants end in March."},
        ],
        "impact.enablers": [
            {"category": "joint_working", "text": "Joint visits with the police."},
            {"category": "frank_conversations", "text": "A regular practitioners' forum."},
        ],
        "impact.improvement_areas": "Recording the voice of the child.",
        "impact.improvement_themes": ["voice", "recording"],
        "impact.service_changes": [
            {
                "change": "Moved the front door to one phone line.",
                "date": "2026-09-01",
                "impact": "Fewer dropped calls.",
                "affects": "both",
            },
        ],
        "impact.staff_trained": 1250,
        "impact.restructure": True,
        "impact.restructure_detail": "Two locality teams merged.",
        "impact.escalate": False,
        "impact.contact_date": "2027-02-10",
        "impact.evidence": [
            {"name": "Annual report — Łódź.pdf", "size": 1834221, "sha256": "3f2a9c0177ab12cd" + "e" * 48},
        ],
    }
    doc = ReturnDocument(
        form=registry.get("impact", "2026.1"),
        answers=answers,
        agency_name=AGENCY,
        agency_sector="Health",
        period="2026/27",
        version=1,
        submission_id="impact-1",
        status="draft",
    )
    return _render(tmp, "impact", doc, draft=True)


# --- What a reader sees ---------------------------------------------------------------------------


def test_agency_name_prints_exactly(s11_final: Rendered) -> None:
    text = s11_final.text()
    assert AGENCY in text
    assert SIGNATORY in text
    assert "Łucja Wiśniewska" in text
    assert "Ysgrifennodd y tîm adroddiad" in squash(text)


def test_every_page_after_the_cover_says_page_n_of_m(s11_final: Rendered) -> None:
    pages = int(s11_final.info()["Pages"])
    assert s11_final.pdf.page_count == pages
    assert pages >= 10
    text = s11_final.text()
    for n in range(2, pages + 1):
        assert f"Page {n} of {pages}" in text
    assert f"Page 1 of {pages}" not in text  # the cover has no footer
    assert f"Page {pages + 1} of" not in text


def test_running_header_names_agency_form_period_and_version(s11_final: Rendered) -> None:
    page = s11_final.page_text(3)
    assert AGENCY in page
    assert "Section 11 · 2026/27 · version 2" in page


def test_statements_are_numbered_and_in_reading_order(s11_final: Rendered, s11_form: FormDefinition) -> None:
    text = squash(s11_final.text())
    position = 0
    for section in s11_form.sections:
        for item in section.items:
            label = f"{s11_form.item_code(item.id)} {squash(item.label)}"  # S3.2, as the Business Unit says it
            found = text.find(label, position)
            assert found > position, f"{label!r} is missing or out of order"
            position = found


def test_ratings_show_word_and_percentage_not_colour_alone(s11_final: Rendered) -> None:
    text = squash(s11_final.text())
    for chip in ("Green · 75%", "Blue · 100%", "Amber · 50%", "Red · 25%", "Not applicable"):
        assert chip in text
    assert NA_REASON in text
    assert squash(EXAMPLE) in text
    assert "Evidence for s1.1: minutes of 14 May 2026 & the audit <2026>." in text  # escaped, not eaten as markup
    assert "Not answered" in text  # about.notes


def test_action_plan_is_a_table_with_labels_and_dates(s11_final: Rendered) -> None:
    text = s11_final.text()
    assert re.search(r"Action\s+Lead\s+Due by\s+Status", text)
    assert "31 Mar 2027" in text
    assert "In progress" in text


def test_summary_counts_every_level_of_the_scale(s11_final: Rendered, s11_form: FormDefinition) -> None:
    page = s11_final.page_text(3)
    assert "Summary of ratings" in page
    assert re.search(r"Blue\s+Green\s+Amber\s+Red\s+Standard\s+N/A\s+Mean\s+100%\s+75%\s+50%\s+25%", page)
    answers = _section11_answers(s11_form)
    levels = [v["level"] for k, v in answers.items() if isinstance(v, dict) and "level" in v]
    counts = [str(levels.count(level)) for level in ("blue", "green", "amber", "red", "na")]
    percentages = {"blue": 100, "green": 75, "amber": 50, "red": 25}
    rated = [percentages[level] for level in levels if level != "na"]
    mean = round(sum(rated) / len(rated))
    assert re.search(r"All standards\s+" + r"\s+".join(counts) + rf"\s+{mean}%", page)
    for section in s11_form.sections:
        if any(item.type == "rating" for item in section.items):
            assert f"{s11_form.code_of(section)} {section.title[:20]}" in page


def test_contents_page_numbers_are_right(s11_final: Rendered) -> None:
    contents = s11_final.page_text(2)
    entries = re.findall(r"^\s*((?:S\d+|A) [A-Z][^.\n]*?|Summary of ratings|Sign-off)[ .]+(\d+)\s*$", contents, re.M)
    assert len(entries) >= 10
    for title, page in entries:
        heading = squash(title)[:30]
        assert heading in squash(s11_final.page_text(int(page))), f"{title!r} is not on page {page}"


def test_draft_mark_only_on_drafts(s11_draft: Rendered, s11_final: Rendered) -> None:
    draft_text = s11_draft.text()
    assert "DRAFT" in draft_text
    assert "Not signed yet — this is a draft preview" in draft_text
    pages = int(s11_draft.info()["Pages"])
    assert draft_text.count("DRAFT") >= pages - 1  # the running header of every page
    final_text = s11_final.text()
    assert "DRAFT" not in final_text
    half = " ".join(FINGERPRINT.split()[:8])  # printed in two lines of eight groups
    assert re.search(rf"Certificate fingerprint\s+{half}\n", final_text)
    assert re.search(rf"\(SHA-256\)\s+{half}\n", final_text)


def test_metadata(s11_final: Rendered) -> None:
    info = s11_final.info()
    assert info["Title"] == f"Section 11 self-assessment 2026/27 — {AGENCY}"
    assert info["Author"] == AGENCY
    assert info["Subject"] == "Section 11 self-assessment return, version 2"
    assert info["Creator"] == "OSCB Desktop"
    assert info["Page size"].startswith("595.276 x 841.89")


def test_all_fonts_are_embedded_dejavu(s11_draft: Rendered, impact: Rendered) -> None:
    for rendered in (s11_draft, impact):
        rows = run("pdffonts", str(rendered.path)).splitlines()[2:]
        assert rows
        for row in rows:
            assert "DejaVuSans" in row
            assert re.search(r"\byes\s+yes\s+yes\b", row), row  # emb sub uni


def test_signature_box_is_on_the_sign_off_page_inside_the_page(s11_final: Rendered) -> None:
    pdf = s11_final.pdf
    assert pdf.signature_page == pdf.page_count - 1
    x1, y1, x2, y2 = pdf.signature_box
    assert 0 <= x1 < x2 <= A4_WIDTH
    assert 0 <= y1 < y2 <= A4_HEIGHT
    assert x2 - x1 >= 150 and y2 - y1 >= 50  # room for a readable stamp
    assert "Digital signature" in s11_final.page_text(pdf.signature_page + 1)


def test_signing_draws_the_signature_in_the_reserved_box(s11_final: Rendered) -> None:
    from oscb_desktop.signing import create_identity, sign_pdf, unlock, verify_pdf

    identity = create_identity(SIGNATORY, "Chief Nurse", AGENCY, "sian@example.org", "correct horse battery")
    key = unlock(identity, "correct horse battery")
    pdf = s11_final.pdf
    signed = sign_pdf(pdf.data, key, reason="Sign-off", location=None, box=pdf.signature_box, page=pdf.signature_page)
    assert verify_pdf(signed).ok
    pages = PdfFileReader(BytesIO(signed)).root["/Pages"]["/Kids"]
    annots = pages[pdf.signature_page].get_object()["/Annots"]
    rect = [float(v) for v in annots[0].get_object()["/Rect"]]
    assert rect == pytest.approx(list(pdf.signature_box), abs=0.01)


# --- The impact assessment and other forms ---------------------------------------------------------


def test_impact_assessment_renders_every_item_type(impact: Rendered) -> None:
    text = squash(impact.text())
    assert "1. Increasingly vulnerable people and complex cases — More children with several needs at once." in text
    assert "2. Increasing volume of work and demand — Referrals rose by 18% in a year." in text
    assert "1. Improved joint working — Joint visits with the police." in text
    assert "Voice of the child or adult" in text and "Recording and case audit" in text
    assert re.search(r"What changed\s+When\s+Impact on children, adults or\s+Who it affects", impact.text())
    assert "1 Sep 2026" in text and "Both" in text
    assert "1,250 staff" in text
    assert "Has the agency restructured in the last twelve months? Yes" in text
    assert "Are there risks you want escalated to the board? No" in text
    assert "10 Feb 2027" in text
    assert "Annual report — Łódź.pdf" in text and "1.7 MB" in text
    assert "3f2a9c0177ab12cd" + "e" * 16 in text and "e" * 32 in text  # the full SHA-256, in two lines of 32
    assert "Summary of ratings" not in text  # no ratings, no summary


def test_an_empty_return_renders(tmp: Path, s11_form: FormDefinition) -> None:
    doc = dataclasses.replace(_section11(s11_form), answers={})
    rendered = _render(tmp, "empty", doc, draft=True)
    text = squash(rendered.text())
    assert "Not answered" in text
    assert "Ratings in this section: not answered 5" in text


def test_scales_come_from_the_definition(tmp: Path) -> None:
    form = load_text(
        """
format: 1
id: custom
version: "1"
title: Partnership self-check
short_title: Self-check
period: "2026/27"
scales:
  mpn:
    name: Met / Partly / Not met
    levels:
      - {id: met, label: Met, percentage: 100, colour: "#0e7490"}
      - {id: partly, label: Partly met, percentage: 50, colour: "#fde047"}
      - {id: not_met, label: Not met, percentage: 0, colour: "#111827"}
sections:
  - id: one
    title: Leadership & culture
    guidance: ""
    items:
      - {id: one.a, type: rating, scale: mpn, label: "Leaders <really> lead", guidance: ""}
      - {id: one.b, type: rating, scale: mpn, label: Staff are supported, guidance: ""}
      - {id: one.c, type: rating, scale: mpn, label: Learning is shared, guidance: ""}
"""
    )
    answers = {"one.a": {"level": "met"}, "one.b": {"level": "partly"}, "one.c": {"level": "not_met"}}
    doc = ReturnDocument(
        form=form,
        answers=answers,
        agency_name="Cyngor Sir Ynys Môn",
        agency_sector="Local authority",
        period="2026/27",
        version=1,
        submission_id="x",
        status="draft",
    )
    rendered = _render(tmp, "custom", doc, draft=False)
    text = squash(rendered.text())
    assert "Met · 100%" in text and "Partly met · 50%" in text and "Not met · 0%" in text
    assert "1.1 Leaders <really> lead" in text
    assert "1. Leadership & culture" in text
    assert "50%" in text  # the mean of 100, 50 and 0
    assert "Blue" not in text and "Amber" not in text


# --- Long and awkward text ----------------------------------------------------------------------------


def _body_text(rendered: Rendered, *, layout: bool = True) -> str:
    """All text without the running header and footer, whitespace removed, for containment checks."""
    args = ["-layout"] if layout else []
    raw = run("pdftotext", *args, str(rendered.path), "-")
    lines = [
        line
        for line in raw.splitlines()
        if not re.search(r"Page \d+ of \d+|· version \d+$", line.strip()) and AGENCY not in line
    ]
    return re.sub(r"\s+", "", "\n".join(lines))


def test_long_text_wraps_splits_and_is_all_extractable(tmp: Path, s11_form: FormDefinition) -> None:
    paragraph = (
        "Łódź and Aberystwyth teams audited 40 files; see https://example.org/"
        + "very-long-path-" * 12
        + " and Zażółć gęślą jaźń. "
    )
    evidence = "\n\n".join([paragraph * 2] * 30)[:3900] + " " + "x" * 99
    assert len(evidence) == 4000
    cell = ("The action has a long description with a path/" + "segment" * 30 + " and more words. ") * 8
    cell = cell[:1000]
    doc = _section11(s11_form)
    answers = dict(doc.answers)
    answers["s1.1"] = {"level": "green", "evidence": evidence}
    answers["s1.actions"] = [{"action": cell, "lead": "Lead " * 40, "due": "2027-01-31", "status": "carried"}] * 3
    rendered = _render(tmp, "long", dataclasses.replace(doc, answers=answers), draft=True)

    body = _body_text(rendered)
    for block in evidence.split("\n\n"):
        assert re.sub(r"\s+", "", block) in body
    # A table cell is read down its column in poppler's reading order (not side by side with -layout).
    assert re.sub(r"\s+", "", cell) in _body_text(rendered, layout=False)
    assert "Carried over" in rendered.text()


def test_the_cover_names_the_partnership_and_keeps_jargon_to_the_document_details(s11_final: Rendered) -> None:
    cover = squash(s11_final.page_text(1))
    assert cover.startswith("Oxfordshire Safeguarding Children Board")
    assert "0b9f8c2e" not in cover and "definition" not in cover and "2026.1" not in cover
    last = squash(s11_final.page_text(s11_final.pdf.page_count))
    assert "Document details" in last and "0b9f8c2e-5d1a-4e7b-9a44-1c2d3e4f5a6b" in last and "section11 2026.1" in last


def test_an_empty_action_plan_is_one_line_and_never_a_page_of_its_own(tmp: Path, s11_form: FormDefinition) -> None:
    answers = _section11_answers(s11_form)
    empty = [s for s in s11_form.sections if any(i.id == f"{s.id}.actions" for i in s.items)][::2]
    for section in empty:
        answers.pop(f"{section.id}.actions", None)
    rendered = _render(tmp, "s11-few-actions", _section11(s11_form, signed=True, answers=answers), draft=False)
    text = squash(rendered.text())
    for section in empty:
        assert f"{s11_form.item_code(section.id + '.actions')} Action plan: none recorded." in text
    furniture = re.compile(r"Page \d+ of \d+|Section 11|2026/27|version 2|Signed|generated[^·]*|" + re.escape(AGENCY))
    for page in range(2, rendered.pdf.page_count + 1):
        body = furniture.sub("", squash(rendered.page_text(page)))
        assert "none recorded" not in body or len(body) > 300, f"page {page} holds little but an empty action plan"


def test_times_are_printed_in_local_time_with_the_zone(
    tmp: Path, s11_form: FormDefinition, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 13, item 3: the data keeps UTC; the cover, the sign-off, the footer and the document details say
    the time as the reader's computer does, with its zone (13:30 BST for 12:30 UTC in summer)."""
    if not hasattr(time, "tzset"):
        pytest.skip("time zones can only be switched on POSIX")
    monkeypatch.setenv("TZ", "Europe/London")
    time.tzset()
    try:
        doc = _section11(s11_form, signed=True, generated_at="2026-07-01T12:29:00Z", signed_at="2026-07-01T12:30:00Z")
        rendered = _render(tmp, "s11-bst", doc, draft=False)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    text = squash(rendered.text())
    assert "UTC" not in text
    assert "Signed on 1 Jul 2026, 13:30 BST" in squash(rendered.page_text(1))
    assert "generated 1 Jul 2026, 13:29 BST" in squash(rendered.page_text(2))
    last = squash(rendered.page_text(rendered.pdf.page_count))
    assert "Date 1 Jul 2026, 13:30 BST" in last and "PDF made 1 Jul 2026, 13:29 BST" in last

"""The house style's page furniture, read back with poppler's pdftotext as a reader would.

The three documents are tested through their own tests; these pin what the shared pieces promise on their
own: page numbers from the right page, header, footer and band, the contents and the bookmarks.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, NextPageTemplate, PageBreak, Paragraph

from oscb_desktop.report import fonts
from oscb_desktop.report.house.styles import Styles, contents
from oscb_desktop.report.house.tables import key_value_table
from oscb_desktop.report.house.template import HouseTemplate

CHAPTERS = ["Zoë’s first chapter", "Second & last <chapter>"]


def _pages(pdf: bytes, tmp_path: Path) -> list[str]:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("poppler's pdftotext is not installed")
    path = tmp_path / "house.pdf"
    path.write_bytes(pdf)
    out = subprocess.run([tool, "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return out.split("\f")[:-1]


def _template(**changes: object) -> HouseTemplate:
    values: dict[str, object] = {
        "title": "A title",
        "author": "An author",
        "subject": "A subject",
        "keywords": ["one", "two"],
        "header_left": "Left of the header",
        "header_right": "Right of the header",
        "footer": "The footer of every body page",
        "first_top": 40 * mm,
    }
    values.update(changes)
    return HouseTemplate(**values)  # type: ignore[arg-type]


def _story(s: Styles, *, pages_per_chapter: int = 2) -> list[Flowable]:
    story: list[Flowable] = [NextPageTemplate("body"), Paragraph("The cover", s.cover_title), PageBreak()]
    story += contents(s, gap=3 * mm)
    for n, title in enumerate(CHAPTERS):
        story += [PageBreak(), s.heading(title, f"chapter-{n}"), s.heading(f"Part of {n}", f"part-{n}", level=1)]
        for _ in range(pages_per_chapter - 1):
            story += [PageBreak(), Paragraph("More text.", s.body)]
    return story


@pytest.fixture(scope="module", autouse=True)
def _fonts() -> None:
    fonts.register_fonts()


def test_pages_after_the_cover_are_numbered_n_of_m(tmp_path: Path) -> None:
    template = _template()
    pdf = template.render(_story(Styles()))
    pages = _pages(pdf, tmp_path)
    assert len(pages) == template.page_count == 6  # cover, contents, two chapters of two pages
    assert "Page 1 of" not in pages[0]
    for n, page in enumerate(pages[1:], start=2):
        assert re.search(rf"Page {n} of 6\s*$", page.rstrip()), page
    assert pdf.count(b"%PDF-") == 1  # each layout pass started an empty file


def test_every_page_can_be_numbered(tmp_path: Path) -> None:
    pages = _pages(_template(number_from=1).render(_story(Styles())), tmp_path)
    assert all(f"Page {n} of {len(pages)}" in page for n, page in enumerate(pages, start=1))


def test_body_pages_have_the_header_and_footer_and_the_first_page_has_neither(tmp_path: Path) -> None:
    pages = _pages(_template(header_mark="DRAFT · ").render(_story(Styles())), tmp_path)
    assert "Left of the header" not in pages[0] and "footer" not in pages[0]
    for page in pages[1:]:
        lines = [line for line in page.splitlines() if line.strip()]
        assert re.fullmatch(r"Left of the header\s+DRAFT · Right of the header", lines[0].strip())
        assert lines[-1].strip().startswith("The footer of every body page")


def test_a_letterhead_and_a_footer_on_the_first_page(tmp_path: Path) -> None:
    template = _template(band=30 * mm, band_title="Oxfordshire Partnership", band_subtitle="Business Unit")
    template.footer_on_first = True
    pages = _pages(template.render(_story(Styles())), tmp_path)
    assert re.search(r"Oxfordshire Partnership\s+Business Unit", pages[0])
    assert "The footer of every body page" in pages[0]
    assert "Oxfordshire Partnership" not in pages[1]


def test_a_long_header_is_cut_short_to_its_room(tmp_path: Path) -> None:
    long = "A very long right-hand header " * 6
    pages = _pages(
        _template(header_left="Agency " * 30, header_right=long, header_right_room=60 * mm).render(_story(Styles())),
        tmp_path,
    )
    left, right = re.split(r"\s{3,}", pages[1].splitlines()[0].strip())
    assert left.startswith("Agency Agency") and left.endswith("…")
    assert right.startswith("A very long right-hand header A") and right.endswith("…")
    assert len(right) < len(long.strip()) / 2


def test_contents_and_bookmarks_name_every_heading_with_its_page(tmp_path: Path) -> None:
    pdf = _template().render(_story(Styles()))
    pages = _pages(pdf, tmp_path)
    listed = dict(re.findall(r"^\s*(\S.*?)[ .]{2,}(\d+)\s*$", pages[1], re.M))
    assert listed == {"Zoë’s first chapter": "3", "Part of 0": "3", "Second & last <chapter>": "5", "Part of 1": "5"}
    outline = PdfFileReader(io.BytesIO(pdf)).root["/Outlines"]
    first = outline["/First"]
    assert [first["/Title"], first["/Next"]["/Title"]] == CHAPTERS
    assert first["/First"]["/Title"] == "Part of 0"  # a part sits under its chapter


def test_metadata(tmp_path: Path) -> None:
    info = PdfFileReader(io.BytesIO(_template().render(_story(Styles())))).trailer["/Info"]
    assert (info["/Title"], info["/Author"], info["/Subject"]) == ("A title", "An author", "A subject")
    assert info["/Creator"] == "OSCB Desktop"


def test_key_value_table_spans_the_width_it_is_given(tmp_path: Path) -> None:
    s = Styles()
    table = key_value_table(
        s, [("Label", "<b>Value</b>"), ("Other", "x")], width=150 * mm, label_width=40 * mm, padding=(3, 4)
    )
    assert table._colWidths == [40 * mm, 110 * mm]
    story: list[Flowable] = [NextPageTemplate("body"), table]
    pages = _pages(_template().render(story), tmp_path)
    assert re.search(r"Label\s+Value\n", pages[0]) and re.search(r"Other\s+x\n", pages[0])


def test_styles_derive_from_their_parameters() -> None:
    s = Styles(space_after=5, cell_size=8, cell_leading=10.5, h2_size=11.5, h2_leading=15)
    assert (s.body.spaceAfter, s.small.spaceAfter) == (5, 5)
    assert (s.cell.fontSize, s.cell_head_centre.fontSize, s.cell_zero.leading) == (8, 8, 10.5)
    assert (s.h2.fontSize, s.h2.leading) == (11.5, 15)
    assert s.heading("x", "k").style is s.h1 and s.heading("x", "k", level=1).style is s.h2

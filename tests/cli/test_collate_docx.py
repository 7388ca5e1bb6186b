"""``oscb collate --docx``: the board's report as a Word document from a real Business Unit workspace, with the
same figures as the collation, beside the PDF and the spreadsheet."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from helpers.engines import Place, copied_place

from oscb_desktop import demo
from oscb_desktop.cli import main
from oscb_desktop.collate import collate
from oscb_desktop.forms import FormRegistry
from oscb_desktop.report.board_docx import CHAPTERS
from oscb_desktop.services import review

PERIOD = "2026/27"


@pytest.fixture(scope="module")
def bu_dir(tmp_path_factory: pytest.TempPathFactory, shipped_forms: FormRegistry) -> Path:
    folder = tmp_path_factory.mktemp("collate-docx") / "bu"
    demo.build_business_unit(folder, agencies=3, forms=shipped_forms)
    return folder


@pytest.fixture
def bu(request: pytest.FixtureRequest, engine: str, bu_dir: Path, tmp_path: Path) -> Place:
    """The demo Business Unit on each engine in turn: its folder (the tests only read it), or a copy on the server."""
    return Place(bu_dir) if engine == "sqlite" else copied_place(request, engine, bu_dir, tmp_path / "officer")


def test_collate_writes_the_word_report(bu: Place, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, pdf = tmp_path / "board.docx", tmp_path / "board.pdf"
    assert main([*bu.args, "collate", "--period", PERIOD, "--docx", str(out), "--pdf", str(pdf)]) == 0
    said = capsys.readouterr().out
    assert f"Wrote {out}" in said and f"Wrote {pdf}" in said
    doc = Document(str(out))
    chapters = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "Heading 1"]
    assert chapters == list(CHAPTERS)
    with bu.open() as ws:
        ws.bind()
        c = collate(review.collation_input(ws, PERIOD))
    assert doc.core_properties.subject == c.partnership
    returns = next(t for t in doc.tables if t.rows[0].cells[0].text == "Form")
    received = [row.cells[2].text for row in list(returns.rows)[1:]]
    assert received == [f"{len(f.returned)} of {c.headline.registered}" for f in c.headline.forms]


def test_collate_names_docx_when_nothing_is_asked(bu: Place, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*bu.args, "collate", "--period", PERIOD]) == 2
    assert "--docx FILE" in capsys.readouterr().err


def test_collate_docx_onto_a_folder_says_so(bu: Place, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "board.docx"
    target.mkdir()  # a folder where the file should go: the write fails, in words, and the folder is left alone
    assert main([*bu.args, "collate", "--period", PERIOD, "--docx", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("oscb: ") and "Traceback" not in err
    assert target.is_dir() and list(target.iterdir()) == []

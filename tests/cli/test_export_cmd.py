"""``oscb export``: a signed return of a real workspace written as a bundle, and every way it refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from oscb_desktop import demo
from oscb_desktop.bundle import verify_bundle
from oscb_desktop.cli import main
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.store import Submission


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("export-ws")
    with Workspace.open(folder) as ws:
        ws.bind()
        demo.generate(ws, agencies=2)
    return folder


def ids(folder: Path, status: str) -> list[str]:
    with Workspace.open(folder) as ws:
        ws.bind()
        return [s.id for s in Submission.select().where(Submission.status == status)]


@pytest.fixture
def passphrase_file(tmp_path: Path) -> Path:
    path = tmp_path / "passphrase.txt"
    path.write_text(demo.DEMO_PASSPHRASE + "\n", encoding="utf-8")
    return path


def test_export_writes_a_bundle_that_verifies(
    demo_dir: Path, passphrase_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    signed = ids(demo_dir, "signed")[0]
    out = tmp_path / "return.oscb"
    args = [
        "--data-dir",
        str(demo_dir),
        "export",
        signed[:8],
        "--out",
        str(out),
        "--passphrase-file",
        str(passphrase_file),
    ]
    assert main(args) == 0
    assert f"Wrote {out}" in capsys.readouterr().out
    with Workspace.open(demo_dir) as ws:
        result = verify_bundle(out, forms=ws.forms, trusted=None)
    assert result.ok and result.submission_id == signed
    assert main(["verify", str(out)]) == 0


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("draft", "Only a signed return can be exported"),
        ("wrong-passphrase", "passphrase is not right"),
        ("no-passphrase", "--passphrase-file"),
        ("unknown-id", "no return with id"),
        ("not-oscb", "does not end in .oscb"),
    ],
)
def test_export_refuses_with_a_reason_and_writes_nothing(
    demo_dir: Path, passphrase_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str, message: str
) -> None:
    sub_id = ids(demo_dir, "draft" if case == "draft" else "signed")[0]
    out = tmp_path / ("return.zip" if case == "not-oscb" else "return.oscb")
    if case == "wrong-passphrase":
        passphrase_file.write_text("not the passphrase\n", encoding="utf-8")
    if case == "unknown-id":
        sub_id = "ffffffff-0000"
    args = ["--data-dir", str(demo_dir), "export", sub_id, "--out", str(out)]
    if case != "no-passphrase":
        args += ["--passphrase-file", str(passphrase_file)]
    assert main(args) == 2  # stdin is not a terminal under pytest, so nothing is asked
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_a_passphrase_file_over_the_limit_is_refused_with_the_rule(
    demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same rule as the window's field: at most 1,024 characters; a 1 MB file is not read whole."""
    huge = tmp_path / "huge.txt"
    huge.write_text("x" * 1_000_000 + "\n", encoding="utf-8")
    out = tmp_path / "return.oscb"
    signed = ids(demo_dir, "signed")[0]
    args = ["--data-dir", str(demo_dir), "export", signed[:8], "--out", str(out), "--passphrase-file", str(huge)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "A passphrase can be at most 1,024 characters" in err and "Traceback" not in err
    assert not out.exists()

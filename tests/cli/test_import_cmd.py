"""``oscb import`` with hostile names: a file name (or a manifest) that would clear the terminal and print a fake
"IMPORTED" line is shown escaped, in the text output and in the JSON, which still gives the exact name back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.bundle_kit import members_of, rebuild
from helpers.engines import Place, new_place
from helpers.workspace_state import snapshot

from oscb_desktop.bundle.model import canonical_json, parse_json
from oscb_desktop.cli import main

#: Clears the screen, homes the cursor and prints what looks like a successful import of another agency.
EVIL_NAME = "a\x1b[2J\x1b[HIMPORTED  Thames Valley Police, section11, 2026-27, v1\r\n\x9b\u202etxt.oscb"


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def bu(request: pytest.FixtureRequest, engine: str, tmp_path: Path) -> Place:
    """A fresh Business Unit workspace, on each engine in turn (``--data-dir``, and ``--database`` on PostgreSQL)."""
    return new_place(request, engine, tmp_path / "bu")


def _evil_file(tmp_path: Path, bundle: bytes, bu: Place) -> tuple[Path, list[str]]:
    """The bundle saved under the evil name, and the options that name the Business Unit's workspace."""
    evil = tmp_path / EVIL_NAME
    evil.write_bytes(bundle)
    return evil, bu.args


def _unsafe(text: str) -> list[str]:
    return sorted({c for c in text if not (c.isprintable() or c == "\n")})


def test_a_file_name_cannot_clear_the_screen_or_fake_a_line(
    tmp_path: Path, bundle: bytes, bu: Place, capsys: pytest.CaptureFixture[str]
) -> None:
    evil, data_dir = _evil_file(tmp_path, bundle, bu)
    code, out, err = _run(capsys, *data_dir, "import", str(evil))
    assert code == 1, "untrusted signer: rejected"
    assert "\x1b" not in out + err and _unsafe(out + err) == []
    [line] = out.splitlines()
    assert line.startswith("REJECTED") and "\\x1b[2J" in line, line
    assert not any(row.startswith("IMPORTED") for row in out.splitlines())

    code, out, err = _run(capsys, *data_dir, "import", str(evil), "--json")
    assert "\x1b" not in out + err and _unsafe(out) == []
    assert json.loads(out)["results"][0]["file"] == str(evil), "the JSON still names the file exactly"


def test_names_in_a_manifest_are_escaped_too(
    tmp_path: Path, bundle: bytes, bu: Place, capsys: pytest.CaptureFixture[str]
) -> None:
    """A rejected bundle's manifest is an unproven claim, but its agency is shown: escaped."""
    manifest = parse_json(members_of(bundle)["manifest.json"])
    manifest["agency"]["name"] = "Evil\x1b[2J\nIMPORTED  Somebody"
    forged = rebuild(bundle, replace={"manifest.json": canonical_json(manifest)})
    path = tmp_path / "forged.oscb"
    path.write_bytes(forged)
    code, out, err = _run(capsys, *bu.args, "import", str(path))
    assert code == 1 and _unsafe(out + err) == []
    assert len(out.splitlines()) == 1


def test_received_returns_list_escapes_the_file_names(
    tmp_path: Path, bundle: bytes, bu: Place, capsys: pytest.CaptureFixture[str]
) -> None:
    evil, data_dir = _evil_file(tmp_path, bundle, bu)
    assert _run(capsys, *data_dir, "import", str(evil), "--trust-new")[0] == 0
    with bu.open() as ws:
        assert snapshot(ws)["tables"]["ReceivedReturn"], "imported under its evil name"
    for extra in ([], ["--json"]):
        code, out, err = _run(capsys, *data_dir, "submissions", "list", *extra)
        assert code == 0 and _unsafe(out + err) == []
    assert json.loads(out)["submissions"][0]["file"] == EVIL_NAME

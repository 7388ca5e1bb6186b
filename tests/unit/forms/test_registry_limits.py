"""A hostile or huge file in the forms folder costs every command nothing much: it is refused after reading at
most the size cap, named as not loaded, and the other forms load as before (issue 17, item 10)."""

from __future__ import annotations

import os
import shutil
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from oscb_desktop import datafiles, paths
from oscb_desktop.cli import main
from oscb_desktop.forms import FormRegistry


def alias_bomb() -> str:
    """The issue's 10.5 KB "billion laughs" form: ten levels of ten aliases over nine 1 KB strings, put where
    the schema expects text, so a check that prints the bad value would write out 9 GB of it."""
    strings = ", ".join(['"' + "lol" * 360 + '"'] * 9)
    levels = [f"&a [{strings}]"]
    levels += [f"&{chr(97 + n)} [" + ", ".join([f"*{chr(96 + n)}"] * 10) + "]" for n in range(1, 10)]
    return (
        'format: 1\nid: bomb\nversion: "1"\ntitle: Bomb\nperiod: "2026/27"\nsections: []\n'
        "description: [" + ", ".join(levels) + "]\n"
    )


def write_huge(path: Path, size: int = 50 * 1024 * 1024) -> None:
    """A 50 MB YAML file of plain text (a block scalar), the kind a mistaken export could leave behind."""
    line = "  " + "x" * 97 + "\n"
    with path.open("w", encoding="utf-8") as fh:
        fh.write("id: huge\nnotes: |\n")
        for _ in range(size // len(line)):
            fh.write(line)


@pytest.fixture
def forms_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the shipped forms folder, used as the app's forms folder."""
    folder = tmp_path / "forms"
    shutil.copytree(paths.forms_dir(), folder)
    monkeypatch.setattr(paths, "forms_dir", lambda: folder)
    yield folder


def _load_timed(folder: Path) -> tuple[FormRegistry, float, int]:
    """The registry, the seconds and the peak bytes allocated (Python's own allocations) loading it took."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        registry = FormRegistry.load(folder)
        return registry, time.perf_counter() - started, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_an_alias_bomb_in_the_forms_folder_is_refused_fast_and_the_rest_load(forms_folder: Path) -> None:
    clean, clean_seconds, _ = _load_timed(forms_folder)
    bomb = forms_folder / "bomb" / "bomb.yaml"
    bomb.parent.mkdir()
    bomb.write_text(alias_bomb(), encoding="utf-8")
    assert 10_000 < bomb.stat().st_size < 11_000

    registry, seconds, peak = _load_timed(forms_folder)
    assert sorted(registry.forms) == sorted(clean.forms), "every other form still loads"
    [error] = registry.errors
    assert error.file == str(bomb) and "aliases" in error.message
    assert seconds < clean_seconds + 2, f"the bomb added {seconds - clean_seconds:.2f} s"
    assert peak < 100 * 1024 * 1024, f"{peak / 1048576:.0f} MB"


def test_a_50_mb_yaml_is_refused_after_reading_at_most_the_cap(forms_folder: Path) -> None:
    clean, clean_seconds, _ = _load_timed(forms_folder)
    huge = forms_folder / "huge.yaml"
    write_huge(huge)

    registry, seconds, peak = _load_timed(forms_folder)
    assert sorted(registry.forms) == sorted(clean.forms)
    [error] = registry.errors
    assert error.file == str(huge) and "larger than" in error.message
    assert seconds < clean_seconds + 1, f"the 50 MB file added {seconds - clean_seconds:.2f} s"
    assert peak < 4 * datafiles.MAX_DATA_FILE_BYTES + 30 * 1024 * 1024, f"{peak / 1048576:.0f} MB read"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_something_that_is_not_a_file_is_named_not_read(forms_folder: Path) -> None:
    """A named pipe called *.yaml would make reading it wait for ever (every command would hang)."""
    pipe = forms_folder / "pipe.yaml"
    os.mkfifo(pipe)
    registry = FormRegistry.load(forms_folder)
    [error] = registry.errors
    assert error.file == str(pipe) and "not a regular file" in error.message
    assert registry.forms


def test_forms_list_names_the_bomb_as_not_loaded(forms_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (forms_folder / "bomb.yaml").write_text(alias_bomb(), encoding="utf-8")
    (forms_folder / "evil\x1b[2J.yaml").write_text("id: [", encoding="utf-8")
    started = time.perf_counter()
    assert main(["forms", "list"]) == 1
    seconds = time.perf_counter() - started
    out = capsys.readouterr().out
    assert "section11" in out and "impact" in out
    not_loaded = [line for line in out.splitlines() if line.startswith("NOT LOADED")]
    assert len(not_loaded) == 2 and any("bomb.yaml" in line and "aliases" in line for line in not_loaded)
    assert "\x1b" not in out and "evil\\x1b[2J.yaml" in out, "file names escaped"
    assert seconds < 10

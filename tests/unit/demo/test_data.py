"""The demo's prose files: a broken one is reported by file and key, before anything is written."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from oscb_desktop import demo, paths
from oscb_desktop.demo import data, impact, people, section11
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.store import Agency


def _clear_caches() -> None:
    for module in (people, section11, impact):
        module.load.cache_clear()


@pytest.fixture
def broken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str, Callable[[Any], object]], Path]]:
    """``broken(name, change)``: the demo folder is a copy in which ``change`` was applied to file ``name``."""
    folder = tmp_path / "demo-data"
    shutil.copytree(paths.resource("demo"), folder)
    monkeypatch.setattr(data, "folder", lambda: folder)
    _clear_caches()

    def make(name: str, change: Callable[[Any], Any]) -> Path:
        path = folder / name
        top = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(top)
        path.write_text(yaml.safe_dump(top, allow_unicode=True), encoding="utf-8")
        return path

    yield make
    _clear_caches()  # the next test reads the shipped files again


def test_the_shipped_files_load() -> None:
    assert len(people.load().first_names) >= 40
    assert "s1.1" in section11.load().statements
    assert impact.load().pressures.leaders == ("complex_cases", "demand", "funding")


def test_a_value_of_the_wrong_type_names_the_file_and_key(broken: Callable[..., Path]) -> None:
    path = broken("people.yaml", lambda top: top["sector_words"].__setitem__("police", ["a", "list"]))
    with pytest.raises(demo.DemoError) as caught:
        people.load()
    message = str(caught.value)
    assert str(path) in message and "sector_words.police" in message and "expected a mapping" in message


def test_a_missing_key_names_the_file_and_key(broken: Callable[..., Path]) -> None:
    path = broken("section11.yaml", lambda top: top["statements"]["s1.1"].pop("gap"))
    with pytest.raises(demo.DemoError, match=r"section11\.yaml is missing statements\.s1\.1\.gap") as caught:
        section11.load()
    assert str(path) in str(caught.value)


def test_list_items_and_cross_references_are_checked(broken: Callable[..., Path]) -> None:
    broken("section11.yaml", lambda top: top["statements"]["s2.1"]["evidence"].__setitem__(1, 42))
    with pytest.raises(demo.DemoError, match=r"at statements\.s2\.1\.evidence\[1\]: expected text, found a number"):
        section11.load()
    _clear_caches()
    broken("impact.yaml", lambda top: top["pressures"]["weights"].__setitem__("volcanoes", 3))
    with pytest.raises(demo.DemoError, match=r"impact\.yaml is broken, at pressures\.weights\.volcanoes"):
        impact.load()


def test_a_file_that_is_not_yaml_is_named(broken: Callable[..., Path]) -> None:
    (data.folder() / "impact.yaml").write_text("pressures: [unclosed\n", encoding="utf-8")
    with pytest.raises(demo.DemoError, match=r"impact\.yaml is not valid YAML"):
        impact.load()


def test_generate_writes_nothing_when_a_file_is_broken(broken: Callable[..., Path], workspace: Workspace) -> None:
    broken("impact.yaml", lambda top: top.pop("risks"))
    with pytest.raises(demo.DemoError, match=r"impact\.yaml is missing risks"):
        demo.generate(workspace, agencies=2)
    assert Agency.select().count() == 0


def test_an_alias_bomb_or_a_huge_file_is_refused_at_once(broken: Callable[..., Path]) -> None:
    """The same limits as every other data file (oscb_desktop.datafiles): no billion laughs, nothing over 2 MB."""
    levels = ['&a ["' + "lol" * 300 + '"]'] + [
        f"&{chr(97 + n)} [" + ", ".join([f"*{chr(96 + n)}"] * 10) + "]" for n in range(1, 10)
    ]
    (data.folder() / "people.yaml").write_text("first_names: [" + ", ".join(levels) + "]\n", encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(demo.DemoError, match=r"people\.yaml .*aliases"):
        people.load()
    assert time.perf_counter() - started < 5

    (data.folder() / "impact.yaml").write_text("risks: |\n" + ("  " + "x" * 98 + "\n") * 30_000, encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(demo.DemoError, match=r"impact\.yaml .*larger than"):
        impact.load()
    assert time.perf_counter() - started < 1

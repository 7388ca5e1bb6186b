"""Checked form definitions come from the cache on the next load; a changed or damaged entry is checked again."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from oscb_desktop import paths
from oscb_desktop.forms import FormRegistry, loader
from oscb_desktop.forms import cache as form_cache
from oscb_desktop.forms.loader import FormDefinitionError


@pytest.fixture
def forms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped forms and an empty cache folder of the test's own."""
    monkeypatch.setenv(paths.CACHE_DIR_ENV, str(tmp_path / "cache"))
    folder = tmp_path / "forms"
    shutil.copytree(paths.forms_dir(), folder)
    return folder


def entries() -> list[Path]:
    return sorted(form_cache.folder().glob("*.json"))


def refuse_parsing(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every YAML text parsed (a load from the cache parses none)."""
    parsed: list[str] = []
    real = loader.parse_yaml

    def spy(text: str, source: str, **kw: object) -> object:
        parsed.append(source)
        return real(text, source, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(loader, "parse_yaml", spy)
    return parsed


def test_the_second_load_takes_the_checked_forms_from_the_cache(forms: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = FormRegistry.load(forms)
    assert first.errors == [] and len(entries()) == len(first.forms)
    parsed = refuse_parsing(monkeypatch)
    second = FormRegistry.load(forms)
    assert parsed == [], "nothing parsed or checked again"
    assert second.forms == first.forms, "the same forms, built from the kept data"


def test_a_changed_file_is_checked_again(forms: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    FormRegistry.load(forms)
    (target,) = [f for f in forms.rglob("*.yaml") if "impact" in f.parts]
    target.write_text(target.read_text(encoding="utf-8").replace("sections:", "sectionz:", 1), encoding="utf-8")
    parsed = refuse_parsing(monkeypatch)
    again = FormRegistry.load(forms)
    assert parsed == [str(target)]
    (error,) = again.errors
    assert str(target) in str(error) and "sectionz" in str(error)


@pytest.mark.parametrize(
    "damage",
    [b"", b"{not json", b'{"key": "another", "data": {}}', b'{"key": "%s", "data": []}', b"\xff\xfe\x00"],
    ids=["empty", "cut", "other key", "not a mapping", "not text"],
)
def test_a_damaged_entry_is_ignored_and_made_again(forms: Path, monkeypatch: pytest.MonkeyPatch, damage: bytes) -> None:
    first = FormRegistry.load(forms)
    victim = entries()[0]
    victim.write_bytes(damage.replace(b"%s", victim.stem.encode()))
    parsed = refuse_parsing(monkeypatch)
    again = FormRegistry.load(forms)
    assert again.forms == first.forms and again.errors == []
    assert len(parsed) == 1, "the one form whose entry was damaged is checked again"
    assert form_cache.get(victim.stem) is not None, "and its entry made again"


def test_kept_data_that_no_longer_builds_is_checked_from_the_text(forms: Path) -> None:
    """An entry is only a shortcut: data the builder refuses sends the load back to the YAML itself."""
    first = FormRegistry.load(forms)
    victim = entries()[0]
    victim.write_text(json.dumps({"key": victim.stem, "data": {"id": "x"}}), encoding="utf-8")
    assert FormRegistry.load(forms).forms == first.forms


def test_a_new_app_version_or_schema_has_other_entries(monkeypatch: pytest.MonkeyPatch) -> None:
    text, schema = "id: x\n", loader.definition_schema_text()
    now = form_cache.key(text, schema)
    assert form_cache.key(text, schema + " ") != now
    monkeypatch.setattr(form_cache, "__version__", "99.0")
    assert form_cache.key(text, schema) != now


def test_a_cache_that_cannot_be_written_changes_nothing(
    forms: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder would be", encoding="utf-8")
    monkeypatch.setenv(paths.CACHE_DIR_ENV, str(blocked))
    registry = FormRegistry.load(forms)
    assert registry.errors == [] and len(registry.forms) == len(list(forms.rglob("*.yaml")))
    assert blocked.read_text(encoding="utf-8").startswith("a file")


def test_a_broken_definition_is_never_kept(forms: Path) -> None:
    with pytest.raises(FormDefinitionError):
        loader.load_text("format: 1\nid: broken\n", "broken.yaml")
    assert entries() == []

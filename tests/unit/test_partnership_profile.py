"""The partnership profile has a schema and named errors, like the form definitions."""

from __future__ import annotations

from pathlib import Path

import pytest

from oscb_desktop import paths
from oscb_desktop.partnership import PartnershipError, load_profile, shipped_profile
from oscb_desktop.partnership.profile import SCHEMA_FILE


def test_the_shipped_profile_loads() -> None:
    p = shipped_profile()
    assert p.name == "Oxfordshire Safeguarding Children Board" and p.short_name == "OSCB"
    assert len(p.agencies) >= 15 and all(sector in p.sectors for _name, sector in p.agencies)
    assert (paths.resources_dir() / "partnership" / SCHEMA_FILE).is_file()


@pytest.mark.parametrize(
    ("text", "where", "what"),
    [
        ("partnership: X\nshort_name: X\nsectors: []\nagencies: []\n", "sectors", "should be non-empty"),
        (
            "partnership: X\nshort_name: X\nsectors: [{id: a, label: A}]\nagencies: [{name: B, sector: z}]\n",
            "agencies[0].sector",
            "'z' is not one of the sectors",
        ),
        (
            "partnership: X\nshort_name: X\nsectors: [{id: a, label: A}]\n"
            "agencies: [{name: B, sector: a}, {name: ' b ', sector: a}]\n",
            "agencies[1].name",
            "listed twice",
        ),
        ("partnership: X\nshort_name: X\nsectors: [{id: a, label: A}]\nagencies: []\ncolour: red\n", "", "unknown key"),
        ("partnership: X\nsectors: [{id: a, label: A}]\nagencies: []\n", "", "missing key"),
    ],
)
def test_a_broken_profile_names_the_file_and_the_key(tmp_path: Path, text: str, where: str, what: str) -> None:
    file = tmp_path / "p.yaml"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(PartnershipError) as caught:
        load_profile(file)
    assert caught.value.file == str(file) and caught.value.path == where
    assert what in caught.value.message

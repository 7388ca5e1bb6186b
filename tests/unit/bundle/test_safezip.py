"""The bounded reader on its own: files read no further than their limit, and zips of any kind of the signed-file
family (not only return bundles) checked against their own limits and refused in their own words. The hostile
zips themselves are in test_bundle_hostile_zip.py, through the verifier."""

from __future__ import annotations

import hashlib
import os
import tracemalloc
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from helpers.bundle_kit import make_zip

from oscb_desktop.bundle import FileTooLargeError, Rejection, SafeZip, ZipRules, limits, read_bounded
from oscb_desktop.bundle.codes import RESEND
from oscb_desktop.bundle.safezip import BUNDLE_RULES, read_zip

PACK = ZipRules(
    max_bytes=10_000,
    max_entries=3,
    member_bytes={"pack.json": 100},
    other_member_bytes=1_000,
    noun="partnership pack",
    kind="an OSCB partnership pack",
    not_zip_hint="Check that you chose the .oscbpack file the Business Unit published.",
    resend="Ask the Business Unit to publish the pack again.",
)


# --- read_bounded ----------------------------------------------------------------------------------------------


def test_read_bounded_reads_a_file_up_to_its_limit(tmp_path: Path) -> None:
    path = tmp_path / "file.bin"
    path.write_bytes(b"x" * 100)
    assert read_bounded(path, 100) == b"x" * 100
    assert read_bounded(str(path), 1000) == b"x" * 100
    with pytest.raises(FileTooLargeError) as caught:
        read_bounded(path, 99)
    assert caught.value.limit == 99 and caught.value.path == path


def test_read_bounded_raises_oserror_for_what_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_bounded(tmp_path / "missing.bin", 100)
    with pytest.raises(IsADirectoryError):
        read_bounded(tmp_path, 100)


def test_read_bounded_notices_a_file_that_grew_after_it_was_measured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "growing.bin"
    path.write_bytes(b"y" * 50)
    # The file is measured at 10 bytes, then found to hold 50: read on, but never past the limit.
    monkeypatch.setattr(os, "fstat", lambda _fd: SimpleNamespace(st_size=10))
    assert read_bounded(path, 50) == b"y" * 50
    with pytest.raises(FileTooLargeError):
        read_bounded(path, 30)


def test_read_bounded_allocates_the_file_not_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "small.bin"
    path.write_bytes(b"z" * 1024)
    tracemalloc.start()
    try:
        read_bounded(path, limits.MAX_BUNDLE_BYTES)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1024 * 1024


def test_read_zip_says_why_in_the_family_members_words(tmp_path: Path) -> None:
    with pytest.raises(Rejection) as caught:
        read_zip(tmp_path / "gone.oscb")
    assert caught.value.code == "unreadable" and caught.value.reason.startswith("gone.oscb could not be read")

    with pytest.raises(Rejection) as caught:
        read_zip(b"x" * (PACK.max_bytes + 1), PACK)
    assert caught.value.code == "too_large"
    assert "the most a partnership pack can be" in caught.value.reason
    assert caught.value.reason.endswith("Check that it is an OSCB partnership pack.")


# --- SafeZip ---------------------------------------------------------------------------------------------------


def test_any_zip_can_be_read_without_a_manifest() -> None:
    members = {"pack.json": b'{"forms": []}', "forms/section11.yaml": b"id: section11\n"}
    safe = SafeZip.open(make_zip(members), PACK)
    contents = safe.read_all(keep={"pack.json"})
    assert contents.data == {"pack.json": members["pack.json"]}
    assert contents.sizes == {name: len(data) for name, data in members.items()}
    assert contents.hashes == {name: hashlib.sha256(data).hexdigest() for name, data in members.items()}
    assert safe.read("forms/section11.yaml") == members["forms/section11.yaml"]


def refusal(raw: bytes, rules: ZipRules) -> Rejection:
    with pytest.raises(Rejection) as caught:
        SafeZip.open(raw, rules)
    return caught.value


@pytest.mark.parametrize(
    ("members", "code", "words"),
    [
        ({f"{i}.txt": b"x" for i in range(4)}, "too_many_members", "a partnership pack has at most 3"),
        ({"pack.json": b"x" * 101}, "too_large", "a partnership pack allows for it"),
        ({"other.bin": bytes(range(256)) * 4}, "too_large", "a partnership pack allows for it"),
        ({"../evil": b"x"}, "unsafe_path", "The partnership pack holds a file named '../evil'"),
    ],
    ids=["count", "named-member", "other-member", "name"],
)
def test_limits_and_words_are_the_rules(members: dict[str, bytes], code: str, words: str) -> None:
    refused = refusal(make_zip(members), PACK)
    assert refused.code == code
    assert words in refused.reason
    assert refused.reason.endswith(PACK.resend)


def test_not_a_zip_gets_the_rules_hint() -> None:
    refused = refusal(b"This is a spreadsheet.", PACK)
    assert refused.code == "not_zip"
    assert refused.reason == (
        "This file is not an OSCB partnership pack (it is not a zip file). Check that you chose the .oscbpack "
        "file the Business Unit published."
    )


def test_the_default_rules_are_a_bundles(bundle: bytes) -> None:
    assert (BUNDLE_RULES.max_bytes, BUNDLE_RULES.max_entries, BUNDLE_RULES.max_ratio) == (
        limits.MAX_BUNDLE_BYTES,
        limits.MAX_ZIP_ENTRIES,
        limits.MAX_COMPRESSION_RATIO,
    )
    assert all(BUNDLE_RULES.member_limit(name) == limits.member_limit(name) for name in limits.FIXED_MEMBERS)
    assert BUNDLE_RULES.member_limit("attachments/x.pdf") == limits.MAX_ATTACHMENT_BYTES
    assert SafeZip.open(bundle).rules is BUNDLE_RULES
    entries: list[Any] = [(f"attachments/{i:03d}.txt", b"x") for i in range(limits.MAX_ZIP_ENTRIES + 1)]
    refused = refusal(make_zip(entries), BUNDLE_RULES)
    assert refused.reason == (
        f"The bundle holds {limits.MAX_ZIP_ENTRIES + 1} files; a bundle has at most {limits.MAX_ZIP_ENTRIES}. "
        f"It was not made by OSCB Desktop, or not as it is now. {RESEND}"
    )

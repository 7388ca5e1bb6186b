"""Random damage never makes the verifier raise: every outcome is ``ok`` or a clean, explained refusal."""

from __future__ import annotations

import pytest
from helpers.bundle_kit import members_of, rebuild
from hypothesis import given, settings
from hypothesis import strategies as st

from oscb_desktop.bundle import Code, VerifyResult, verify_bundle
from oscb_desktop.forms import FormRegistry
from oscb_desktop.signing import UnlockedKey

FIXED = ["manifest.json", "manifest.sig", "signer.pem", "submission.json", "submission.pdf", "audit.json"]

#: One edit: ("flip", position, bit), ("insert", position, byte) or ("delete", position, length).
EDITS = st.lists(
    st.tuples(
        st.sampled_from(["flip", "insert", "delete"]),
        st.integers(min_value=0, max_value=2**31),
        st.integers(min_value=0, max_value=255),
    ),
    min_size=1,
    max_size=8,
)


def damage(data: bytes, edits: list[tuple[str, int, int]]) -> bytes:
    buffer = bytearray(data)
    for kind, position, value in edits:
        at = position % (len(buffer) + 1)
        if kind == "insert":
            buffer[at:at] = bytes([value])
        elif not buffer:
            continue
        elif kind == "flip":
            at %= len(buffer)
            buffer[at] ^= 1 << (value % 8)
        else:
            del buffer[at : at + 1 + value % 16]
    return bytes(buffer)


def assert_clean(result: VerifyResult) -> None:
    assert result.code in set(Code)
    assert result.ok == (result.code == Code.OK)
    assert result.reason.endswith(".")


class Target:
    """The standard bundle and what checking it needs, with a short repr for hypothesis's reports."""

    def __init__(self, bundle: bytes, forms: FormRegistry, key: UnlockedKey) -> None:
        self.bundle, self.forms, self.key = bundle, forms, key

    def __repr__(self) -> str:
        return "<the standard bundle>"


@pytest.fixture(scope="module")
def target(bundle: bytes, shipped_forms: FormRegistry, key_a: UnlockedKey) -> Target:
    return Target(bundle, shipped_forms, key_a)


@settings(max_examples=100, deadline=None)
@given(edits=EDITS)
def test_damaged_bundle_bytes(target: Target, edits: list[tuple[str, int, int]]) -> None:
    damaged = damage(target.bundle, edits)
    result = verify_bundle(damaged, forms=target.forms, trusted=None)
    assert_clean(result)
    if result.ok:
        # Only zip bookkeeping no signature covers (a version field, a time) can change and still pass.
        assert members_of(damaged) == members_of(target.bundle)


@settings(max_examples=100, deadline=None)
@given(member=st.sampled_from(FIXED), edits=EDITS, resign=st.booleans())
def test_damaged_member_inside_an_intact_zip(
    target: Target, member: str, edits: list[tuple[str, int, int]], resign: bool
) -> None:
    """The zip stays well formed, so the damage reaches the JSON, CMS, certificate and PDF parsers; re-signing
    the manifest with the right key lets it reach the later checks too."""
    bundle = target.bundle
    damaged = damage(members_of(bundle)[member], edits)
    if member in ("manifest.json", "manifest.sig"):
        tampered = rebuild(bundle, replace={member: damaged})
    else:
        key = target.key if resign else None
        tampered = rebuild(bundle, replace={member: damaged}, fix_manifest=True, sign_with=key)
    result = verify_bundle(tampered, forms=target.forms, trusted=lambda fp, agency: True)
    assert_clean(result)


@pytest.mark.parametrize("member", FIXED)
def test_empty_member(bundle: bytes, shipped_forms: FormRegistry, key_a: UnlockedKey, member: str) -> None:
    listed = member not in ("manifest.json", "manifest.sig")
    tampered = rebuild(bundle, replace={member: b""}, fix_manifest=listed, sign_with=key_a if listed else None)
    result = verify_bundle(tampered, forms=shipped_forms, trusted=None)
    assert_clean(result)
    assert not result.ok

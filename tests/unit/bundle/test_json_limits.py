"""JSON from a bundle is parsed without trusting it: the zip limits cap its size; here, its shape. Absurd nesting,
numbers too large to mean anything and numbers JSON cannot hold (1e400 is infinity to Python) are refused with a
reason, quickly, and never reach the schema check, the database or a report."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from helpers.bundle_kit import members_of, rebuild

from oscb_desktop.bundle import Code, verify_bundle
from oscb_desktop.bundle.model import MAX_JSON_DEPTH, JsonError, parse_json
from oscb_desktop.forms import FormRegistry
from oscb_desktop.signing import UnlockedKey


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("1e400", "too large"),
        ("[-1e400]", "too large"),
        ('{"n": 1.5e309}', "too large"),
        (str(10**16), "too large"),
        (f'{{"n": -{10**30}}}', "too large"),
        ("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1), "nested"),
        ('{"a":' * 500 + "1" + "}" * 500, "nested"),
        ("[" * 100_000 + "]" * 100_000, "nested"),
        ("1" * 5000, "too large"),
    ],
)
def test_absurd_json_is_refused_with_a_reason(text: str, why: str) -> None:
    started = time.perf_counter()
    with pytest.raises(JsonError, match=why):
        parse_json(text.encode())
    assert time.perf_counter() - started < 1


def test_ordinary_numbers_and_nesting_are_fine() -> None:
    value = {"n": [2**53, -(2**53), 1.5e10, 0.1, -3, {"rows": [[{"x": [1]}]]}]}
    assert parse_json(b'{"n": [9007199254740992, -9007199254740992, 1.5e10, 0.1, -3, {"rows": [[{"x": [1]}]]}]}') == (
        value
    )
    deep = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert parse_json(deep.encode()) is not None


def test_a_signed_bundle_with_an_infinite_answer_is_refused(
    bundle: bytes, key_a: UnlockedKey, shipped_forms: FormRegistry, make_signed_pdf: Callable[..., bytes]
) -> None:
    """Signed by the agency's own key, its PDF too, so only the parse can catch it."""
    submission = members_of(bundle)["submission.json"]
    assert b'"score": 62.5' in submission
    infinite = submission.replace(b'"score": 62.5', b'"score": 1e400')
    forged = rebuild(
        bundle,
        replace={"submission.json": infinite, "submission.pdf": make_signed_pdf(key_a, infinite)},
        fix_manifest=True,
        sign_with=key_a,
    )
    result = verify_bundle(forged, forms=shipped_forms, trusted=None)
    assert result.code == Code.BAD_SUBMISSION and "too large" in result.reason

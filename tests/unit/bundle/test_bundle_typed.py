"""What the verifier hands on is typed (``Manifest``, ``SubmissionPayload``, ``AuditRecord``, the types the writer
exports), built by ``from_json`` right after the schema check: for every value the schema admits, and with a
verdict, never an exception, should a value ever slip between the schema and the dataclasses."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from helpers.bundle_kit import AUDIT, members_of, payload, rebuild
from hypothesis import given, settings
from hypothesis import strategies as st

from oscb_desktop.bundle import Code, Manifest, SubmissionPayload, canonical_json, verify_bundle
from oscb_desktop.bundle.model import MANIFEST_SCHEMA, SUBMISSION_SCHEMA, parse_json, schema_problem
from oscb_desktop.forms import FormRegistry
from oscb_desktop.signing import UnlockedKey


def test_the_verdict_carries_the_types_the_writer_wrote(bundle: bytes, shipped_forms: FormRegistry) -> None:
    result = verify_bundle(bundle, forms=shipped_forms, trusted=None)
    assert result.ok, result.reason
    written = Manifest.from_json(parse_json(members_of(bundle)["manifest.json"]))
    assert result.manifest == written
    assert result.submission == payload()
    assert result.audit == AUDIT


def test_integers_written_as_floats_are_read_as_integers(
    bundle: bytes, shipped_forms: FormRegistry, key_a: UnlockedKey, make_signed_pdf: Callable[..., bytes]
) -> None:
    """JSON Schema counts ``2.0`` as an integer, so another writer may send it; the types still say ``int``."""
    members = members_of(bundle)
    submission = parse_json(members["submission.json"])
    submission["submission"]["version"] = 2.0
    submission_bytes = canonical_json(submission)
    pdf = make_signed_pdf(key_a, submission_bytes)  # that writer's PDF carries its own bytes
    manifest = parse_json(members["manifest.json"])
    manifest["submission"]["version"] = 2.0
    for member in manifest["members"]:
        new = {"submission.json": submission_bytes, "submission.pdf": pdf}.get(member["path"])
        if new is not None:
            member["sha256"] = hashlib.sha256(new).hexdigest()
            member["size"] = len(new)
        member["size"] = float(member["size"])
    changed = {"manifest.json": canonical_json(manifest), "submission.json": submission_bytes, "submission.pdf": pdf}
    floats = rebuild(bundle, replace=changed, sign_with=key_a)
    assert b'"version": 2.0' in members_of(floats)["manifest.json"]

    result = verify_bundle(floats, forms=shipped_forms, trusted=None)
    assert result.ok, result.reason
    assert result.manifest is not None and result.submission is not None
    assert type(result.manifest.submission.version) is int and result.submission_version == 2
    assert type(result.submission.submission.version) is int
    assert all(type(m.size) is int for m in result.manifest.members)
    assert "(version 2)" in result.reason


def _labels(max_size: int = 200) -> st.SearchStrategy[str]:
    return st.text(min_size=1, max_size=max_size)


def _integer(low: int, high: int) -> st.SearchStrategy[int | float]:
    return st.integers(low, high).flatmap(lambda n: st.sampled_from([n, float(n)]))


SUBMISSION_IDS = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9._-]{0,63}\Z")


@settings(max_examples=60, deadline=None)
@given(
    agency=_labels(),
    sector=st.text(max_size=200),
    version=_integer(1, 1_000_000),
    supersedes=st.none() | SUBMISSION_IDS,
    signatory=st.tuples(_labels(), _labels()),
    sizes=st.lists(_integer(0, 209_715_200), min_size=4, max_size=4),
    title=_labels(300),
)
def test_every_manifest_the_schema_admits_converts(
    agency: str,
    sector: str,
    version: int | float,
    supersedes: str | None,
    signatory: tuple[str, str],
    sizes: list[int | float],
    title: str,
) -> None:
    data = payload().to_json()  # any valid start; the manifest is built from the standard values
    manifest: dict[str, Any] = {
        "format": "oscb-bundle",
        "format_version": 1,
        "agency": {"name": agency, "sector": sector},
        "form": {"id": data["form"]["id"], "version": data["form"]["version"], "title": title},
        "period": data["period"],
        "submission": {"id": data["submission"]["id"], "version": version, "supersedes": supersedes},
        "signatory": {"name": signatory[0], "role": signatory[1]},
        "signed_at": "2027-02-14T10:30:00.000Z",
        "created_at": "2027-02-14T10:31:05+01:00",
        "app_version": "0.1.0",
        "members": [
            {"path": path, "size": size, "sha256": "0" * 64}
            for path, size in zip(["audit.json", "signer.pem", "submission.json", "submission.pdf"], sizes, strict=True)
        ],
    }
    assert schema_problem(manifest, MANIFEST_SCHEMA) is None
    model = Manifest.from_json(manifest)
    assert model.to_json() == manifest  # 2.0 == 2: the same value, now an int
    assert type(model.submission.version) is int and all(type(m.size) is int for m in model.members)


@settings(max_examples=40, deadline=None)
@given(
    answers=st.dictionaries(
        st.from_regex(r"\A[a-z][a-z0-9_]{0,8}(\.[a-z0-9_]{1,8}){0,2}\Z"),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=20),
            lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
            max_leaves=8,
        ),
        max_size=8,
    ),
    with_ratings=st.booleans(),
)
def test_every_submission_the_schema_admits_converts(answers: Mapping[str, Any], with_ratings: bool) -> None:
    data = payload().to_json()
    data["answers"] = dict(answers)
    if not with_ratings:
        del data["ratings"]
    assert schema_problem(data, SUBMISSION_SCHEMA) is None
    assert SubmissionPayload.from_json(data).to_json() == data


@pytest.mark.parametrize(
    ("target", "code", "member"),
    [
        (Manifest, Code.BAD_MANIFEST, "manifest.json"),
        (SubmissionPayload, Code.BAD_SUBMISSION, "submission.json"),
    ],
)
def test_a_conversion_that_fails_is_still_a_verdict(
    bundle: bytes, shipped_forms: FormRegistry, monkeypatch: pytest.MonkeyPatch, target: type, code: Code, member: str
) -> None:
    def broken(cls: type, data: Mapping[str, Any]) -> Any:
        raise KeyError("a key the schema did not require")

    monkeypatch.setattr(target, "from_json", classmethod(broken))
    result = verify_bundle(bundle, forms=shipped_forms, trusted=None)
    assert (result.ok, result.code, result.member) == (False, code, member)
    assert result.reason.endswith(".")

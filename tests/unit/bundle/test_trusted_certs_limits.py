"""``oscb verify --trusted-certs DIR`` reads a folder it did not write: a huge file or a named pipe called *.pem
is named as a problem and skipped, quickly, and the real certificates are still trusted."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from helpers.bundle_kit import AGENCY_A

from oscb_desktop.bundle import Trust, TrustedCertsDir
from oscb_desktop.bundle.trust import MAX_PEM_BYTES
from oscb_desktop.signing import UnlockedKey


def test_a_huge_file_is_skipped_after_reading_at_most_the_cap(trust_a: Path, key_a: UnlockedKey) -> None:
    with (trust_a / "huge.pem").open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    started = time.perf_counter()
    policy = TrustedCertsDir(trust_a)
    assert time.perf_counter() - started < 1
    assert policy(key_a.fingerprint_sha256, AGENCY_A) == Trust.TRUSTED
    [problem] = policy.problems
    assert problem.startswith("huge.pem:") and f"{MAX_PEM_BYTES // 1024} KB" in problem


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_is_skipped_not_waited_on(trust_a: Path, key_a: UnlockedKey) -> None:
    os.mkfifo(trust_a / "pipe.pem")
    policy = TrustedCertsDir(trust_a)
    assert policy(key_a.fingerprint_sha256, AGENCY_A) == Trust.TRUSTED
    assert [p.split(":")[0] for p in policy.problems] == ["pipe.pem"]

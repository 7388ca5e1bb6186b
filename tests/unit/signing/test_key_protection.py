"""The stored key costs a passphrase guess as much as an unlock: no PKCS#12 MAC that a guess can be tested
against 2,048 iterations deep (issue 17, item 14), only the key's own 600,000 PBKDF2-SHA256 rounds. Keys stored
the earlier ways still unlock and are re-protected on the next unlock with the right passphrase."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from collections.abc import Callable

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import pem as asn1_pem
from helpers.old_keys import pkcs8_blob, pkcs12_blob, stored_as

from oscb_desktop.signing import (
    SigningIdentity,
    UnlockedKey,
    WrongPassphraseError,
    needs_reprotection,
    unlock,
    unlock_and_reprotect,
)
from oscb_desktop.signing.identity import KDF_ROUNDS


def _encrypted_key_info(identity: SigningIdentity) -> asn1_keys.EncryptedPrivateKeyInfo:
    kind, _headers, der = asn1_pem.unarmor(identity.encrypted_key_pem)
    assert kind == "ENCRYPTED PRIVATE KEY", "standard PKCS#8 armour"
    return asn1_keys.EncryptedPrivateKeyInfo.load(der)


def test_the_stored_key_is_pkcs8_under_the_full_kdf_and_nothing_else(identity: SigningIdentity) -> None:
    info = _encrypted_key_info(identity)
    algorithm = info["encryption_algorithm"]
    assert algorithm["algorithm"].native == "pbes2"
    kdf = algorithm["parameters"]["key_derivation_func"]
    assert kdf["algorithm"].native == "pbkdf2"
    assert kdf["parameters"]["iteration_count"].native >= KDF_ROUNDS
    assert kdf["parameters"]["prf"]["algorithm"].native == "sha256"
    assert algorithm["parameters"]["encryption_scheme"]["algorithm"].native == "aes256_cbc"
    assert not needs_reprotection(identity)


def test_openssl_reads_the_stored_key(identity: SigningIdentity, passphrase: str, tmp_path) -> None:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed (CI installs it)")
    path = tmp_path / "key.pem"
    path.write_bytes(identity.encrypted_key_pem)
    result = subprocess.run(
        ["openssl", "pkcs8", "-in", str(path), "-passin", "stdin", "-nocrypt", "-topk8"],
        input=passphrase,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0 and "BEGIN PRIVATE KEY" in result.stdout, result.stderr


def _seconds_per_try(attempt: Callable[[], object], tries: int) -> float:
    started = time.perf_counter()
    for _ in range(tries):
        with contextlib.suppress(WrongPassphraseError):
            attempt()
    return (time.perf_counter() - started) / tries


def test_a_wrong_guess_costs_as_much_as_an_unlock(identity: SigningIdentity, passphrase: str, unlocked) -> None:
    right = _seconds_per_try(lambda: unlock(identity, passphrase), 3)
    wrong = _seconds_per_try(lambda: unlock(identity, "a wrong guess"), 3)
    assert wrong > 0.5 * right, f"a guess costs {wrong * 1000:.0f} ms, an unlock {right * 1000:.0f} ms"
    assert right < 1.0, "unlocking stays quick for the person who knows the passphrase"

    # The key as version 0.1 stored it: its 2,048-round MAC answers a guess far sooner than the key's KDF.
    old = stored_as(identity, pkcs12_blob(unlocked, passphrase))
    old_wrong = _seconds_per_try(lambda: unlock(old, "a wrong guess"), 20)
    assert old_wrong * 20 < right, "why the MAC had to go"


@pytest.mark.parametrize("blob", [pkcs12_blob, pkcs8_blob], ids=["pkcs12-with-weak-mac", "pkcs8-few-rounds"])
def test_a_key_stored_the_old_way_unlocks_and_is_reprotected(
    identity: SigningIdentity, passphrase: str, unlocked: UnlockedKey, blob: Callable[[UnlockedKey, str], bytes]
) -> None:
    old = stored_as(identity, blob(unlocked, passphrase))
    assert needs_reprotection(old)
    with pytest.raises(WrongPassphraseError):
        unlock_and_reprotect(old, "not the passphrase")

    key, renewed = unlock_and_reprotect(old, passphrase)
    assert key.fingerprint_sha256 == identity.fingerprint_sha256
    assert renewed is not None and renewed.certificate_pem == old.certificate_pem
    assert not needs_reprotection(renewed)
    assert _encrypted_key_info(renewed)["encryption_algorithm"]["algorithm"].native == "pbes2"
    assert unlock(renewed, passphrase).private_key.private_numbers() == key.private_key.private_numbers()

    _key, again = unlock_and_reprotect(renewed, passphrase)
    assert again is None, "a key already protected is left as it is"

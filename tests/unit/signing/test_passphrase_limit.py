"""One rule for passphrases everywhere: at most MAX_PASSPHRASE_LENGTH characters, refused with a message when
longer (the GUI's field kept only 32,767 characters of a pasted 1 MB passphrase while the command line took it
all, so a key made on one could not be unlocked on the other)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

from oscb_desktop.signing import (
    MAX_PASSPHRASE_LENGTH,
    IdentityError,
    SigningIdentity,
    change_passphrase,
    create_identity,
    import_pkcs12,
    unlock,
)

MESSAGE = "A passphrase can be at most 1,024 characters"
LONGEST = "x" * MAX_PASSPHRASE_LENGTH
TOO_LONG = "x" * (MAX_PASSPHRASE_LENGTH + 1)


def test_the_limit_is_stated() -> None:
    assert MAX_PASSPHRASE_LENGTH == 1024


def test_create_takes_the_longest_and_refuses_one_more() -> None:
    identity = create_identity("Jane Doe", "Lead", "Example Agency", None, LONGEST)
    assert unlock(identity, LONGEST).fingerprint_sha256 == identity.fingerprint_sha256
    with pytest.raises(IdentityError, match=MESSAGE):
        create_identity("Jane Doe", "Lead", "Example Agency", None, TOO_LONG)
    with pytest.raises(IdentityError, match=MESSAGE):
        create_identity("Jane Doe", "Lead", "Example Agency", None, "x" * 1_000_000)


def test_unlock_refuses_a_passphrase_over_the_limit(identity: SigningIdentity) -> None:
    with pytest.raises(IdentityError, match=MESSAGE):
        unlock(identity, TOO_LONG)


def test_change_and_import_keep_the_same_rule(identity: SigningIdentity, passphrase: str, unlocked) -> None:
    with pytest.raises(IdentityError, match=MESSAGE):
        change_passphrase(identity, passphrase, TOO_LONG)
    data = pkcs12.serialize_key_and_certificates(
        b"x", unlocked.private_key, unlocked.certificate, None, BestAvailableEncryption(b"p12-secret")
    )
    with pytest.raises(IdentityError, match=MESSAGE):
        import_pkcs12(data, "p12-secret", TOO_LONG)
    with pytest.raises(IdentityError, match=MESSAGE):
        import_pkcs12(data, TOO_LONG, passphrase)

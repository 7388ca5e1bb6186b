"""Encrypted PKCS#8 (PBES2: PBKDF2-HMAC-SHA256, AES-CBC), with the key derivation done by :mod:`hashlib`.

Why not cryptography's own serialisation: its PBKDF2 runs inside one call that holds Python's GIL for the
whole 600,000 rounds (about 70 ms here), and the app unlocks keys on a worker thread while the window should
keep painting. ``hashlib.pbkdf2_hmac`` releases the GIL while it works. The structures are standard
``EncryptedPrivateKeyInfo`` (RFC 5958, PBES2 from RFC 8018), read and written with asn1crypto; ``openssl
pkcs8`` and cryptography read what this writes, and this reads what cryptography writes. Anything else
(another KDF, another cipher) is handed back to cryptography by the caller.
"""

from __future__ import annotations

import hashlib
import os

from asn1crypto import algos as asn1_algos
from asn1crypto import keys as asn1_keys
from asn1crypto import pem as asn1_pem
from cryptography.hazmat.primitives import padding, serialization
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

PEM_NAME = "ENCRYPTED PRIVATE KEY"
#: PRFs hashlib can run (the PKCS#5 default, when none is named, is HMAC-SHA1).
_PRF = {"sha1": "sha1", "sha224": "sha224", "sha256": "sha256", "sha384": "sha384", "sha512": "sha512"}
_AES_CBC = {"aes128_cbc": 16, "aes192_cbc": 24, "aes256_cbc": 32}


class NotHandled(Exception):
    """The structure is encrypted some other way; let cryptography read it."""


def encrypt(private_key_der: bytes, passphrase: bytes, rounds: int) -> bytes:
    """An unencrypted PKCS#8 ``PrivateKeyInfo`` (DER) as an encrypted PKCS#8 PEM: PBKDF2-HMAC-SHA256 with
    ``rounds`` rounds and a 16-byte salt, AES-256-CBC."""
    salt, iv = os.urandom(16), os.urandom(16)
    key = hashlib.pbkdf2_hmac("sha256", passphrase, salt, rounds, 32)
    padder = padding.PKCS7(128).padder()
    plain = padder.update(private_key_der) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    secret = encryptor.update(plain) + encryptor.finalize()
    info = asn1_keys.EncryptedPrivateKeyInfo(
        {
            "encryption_algorithm": {
                "algorithm": "pbes2",
                "parameters": {
                    "key_derivation_func": {
                        "algorithm": "pbkdf2",
                        "parameters": {
                            "salt": asn1_algos.Pbkdf2Salt(name="specified", value=salt),
                            "iteration_count": rounds,
                            "prf": {"algorithm": "sha256"},
                        },
                    },
                    "encryption_scheme": {"algorithm": "aes256_cbc", "parameters": iv},
                },
            },
            "encrypted_data": secret,
        }
    )
    return asn1_pem.armor(PEM_NAME, info.dump())


def decrypt(stored_pem: bytes, passphrase: bytes) -> object:
    """The private key from an encrypted PKCS#8 PEM made with PBES2 / PBKDF2 / AES-CBC.

    Raises :class:`NotHandled` for any other kind, and ``ValueError`` when the passphrase is wrong (the
    padding or the decrypted structure does not check out), as cryptography does.
    """
    try:
        kind, _headers, der = asn1_pem.unarmor(stored_pem.strip())
        if kind != PEM_NAME:
            raise NotHandled(kind)
        info = asn1_keys.EncryptedPrivateKeyInfo.load(der)
        algorithm = info["encryption_algorithm"]
        if algorithm["algorithm"].native != "pbes2":
            raise NotHandled(algorithm["algorithm"].native)
        params = algorithm["parameters"]
        kdf = params["key_derivation_func"]
        scheme = params["encryption_scheme"]
        if kdf["algorithm"].native != "pbkdf2" or scheme["algorithm"].native not in _AES_CBC:
            raise NotHandled("kdf or cipher")
        kdf_params = kdf["parameters"]
        prf = kdf_params["prf"]["algorithm"].native if kdf_params["prf"].native else "sha1"
        if prf not in _PRF:
            raise NotHandled(prf)
        salt = kdf_params["salt"].native
        rounds = kdf_params["iteration_count"].native
        key_length = _AES_CBC[scheme["algorithm"].native]
        iv = scheme["parameters"].native
        secret = info["encrypted_data"].native
    except (ValueError, TypeError, KeyError) as exc:
        raise NotHandled(str(exc)) from exc
    if not isinstance(salt, bytes) or not isinstance(iv, bytes) or not isinstance(rounds, int) or rounds < 1:
        raise NotHandled("parameters")
    key = hashlib.pbkdf2_hmac(_PRF[prf], passphrase, salt, rounds, key_length)
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    plain = decryptor.update(secret) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        der_key = unpadder.update(plain) + unpadder.finalize()
    except ValueError:
        raise ValueError("wrong passphrase") from None
    return serialization.load_der_private_key(der_key, None)

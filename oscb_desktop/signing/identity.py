"""Signing identities: a certificate plus a private key that is encrypted at rest.

An agency signs its returns with an identity it either creates in the app (an
ECDSA P-256 key and a self-signed certificate) or imports from its own PKCS#12
file. Either way only two things are ever stored: the certificate, and the
private key encrypted with the user's passphrase (PKCS#8, PBES2 with
:data:`KDF_ROUNDS` rounds of PBKDF2-SHA256 and AES-256, and nothing else a guess
could be tested against). The clear key exists only in memory, inside an
:class:`UnlockedKey`, for as long as a signature is being made.

Self-signed certificates are fine here because trust is not decided by a CA:
the Business Unit registers or confirms each agency's certificate by its SHA-256
fingerprint (DESIGN.md §5), which is why fingerprints have a readable display
form.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field, replace

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from oscb_desktop.signing.certificates import load_certificate
from oscb_desktop.signing.errors import IdentityError, WrongPassphraseError

#: Private key types we can sign with: the CMS builder and pdfsig both handle these.
SigningPrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

MIN_PASSPHRASE_LENGTH = 8
#: Longest passphrase (or .p12 password) taken anywhere: the window's fields, ``--passphrase-file``, the key store.
#: Longer than any passphrase a person types or a password manager makes; one rule, so that a key made in one
#: place always unlocks in the other.
MAX_PASSPHRASE_LENGTH = 1024
#: The rule in words: the start of every refusal of a passphrase that is too long.
PASSPHRASE_TOO_LONG = f"A passphrase can be at most {MAX_PASSPHRASE_LENGTH:,} characters"
#: PBKDF2-SHA256 rounds protecting a stored key (OWASP's 2023 figure); about 0.1 s per unlock.
KDF_ROUNDS = 600_000
#: The armour of keys stored by version 0.1: a PKCS#12 container whose outer MAC took only 2,048 iterations.
_PKCS12_BEGIN = b"-----BEGIN PKCS12 ENCRYPTED PRIVATE KEY-----"
_PKCS12_END = b"-----END PKCS12 ENCRYPTED PRIVATE KEY-----"
MIN_RSA_KEY_BITS = 2048
#: X.520 upper bound for common name, organisation and title.
_MAX_NAME_LENGTH = 64
#: Backdating absorbs small clock differences between the signer's and the verifier's machines.
_BACKDATE = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class SigningIdentity:
    """What is stored for a signing identity: the certificate and the encrypted private key.

    Deliberately holds no clear key material, so an instance can be saved,
    logged or passed around without risk. Use :func:`unlock` to sign.
    """

    certificate_pem: bytes
    encrypted_key_pem: bytes

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.certificate_pem)

    @property
    def fingerprint_sha256(self) -> str:
        """Lower-case hex SHA-256 of the certificate's DER: the identity's trust key."""
        return self.certificate.fingerprint(hashes.SHA256()).hex()

    @property
    def fingerprint_display(self) -> str:
        """The fingerprint as people read it aloud over the phone: ``3F2A 9C01 ...``."""
        return format_fingerprint(self.fingerprint_sha256)

    @property
    def subject_name(self) -> str:
        """The signatory's name (certificate CN), or the whole subject if it has no CN."""
        cert = self.certificate
        return _name_attribute(cert.subject, NameOID.COMMON_NAME) or cert.subject.rfc4514_string()

    @property
    def organisation(self) -> str | None:
        """The agency (certificate O); imported certificates may not carry one."""
        return _name_attribute(self.certificate.subject, NameOID.ORGANIZATION_NAME)

    @property
    def not_valid_after(self) -> dt.datetime:
        """End of the certificate's validity, timezone-aware UTC."""
        return self.certificate.not_valid_after_utc


@dataclass(frozen=True)
class UnlockedKey:
    """A private key in clear, in memory only, with its certificate.

    ``repr`` hides the key so it cannot leak into logs or tracebacks.
    """

    private_key: SigningPrivateKey = field(repr=False)
    certificate: x509.Certificate

    @property
    def fingerprint_sha256(self) -> str:
        return self.certificate.fingerprint(hashes.SHA256()).hex()


def create_identity(
    person_name: str,
    role: str,
    agency_name: str,
    email: str | None,
    passphrase: str,
    valid_years: int = 3,
    *,
    for_encryption: bool = False,
) -> SigningIdentity:
    """Create a new ECDSA P-256 key and a self-signed certificate for one signatory.

    ``for_encryption``: an RSA-3072 key instead, whose certificate also allows key encipherment — the Business
    Unit's, to which agencies encrypt their returns (CMS EnvelopedData with key transport, which
    ``cryptography`` and ``openssl cms`` both make and open; neither makes ECDH-based CMS envelopes).

    The certificate names the person (CN), their role (title) and their agency
    (O), so anyone opening the signed PDF in a standard viewer sees who signed.
    Key usage is limited to digital signature and non-repudiation because the
    key only ever signs returns.
    """
    _check_new_passphrase(passphrase)
    person_name = _required_name(person_name, "the signatory's name")
    role = _required_name(role, "the signatory's role")
    agency_name = _required_name(agency_name, "the agency's name")
    email = (email or "").strip() or None
    if email is not None and ("@" not in email or not email.isascii()):
        raise IdentityError("The email address does not look right; use a plain address like name@example.org.")
    if valid_years < 1:
        raise IdentityError("The certificate must be valid for at least one year.")

    attributes = [
        x509.NameAttribute(NameOID.COMMON_NAME, person_name),
        x509.NameAttribute(NameOID.TITLE, role),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, agency_name),
    ]
    if email is not None:
        attributes.append(x509.NameAttribute(NameOID.EMAIL_ADDRESS, email))
    name = x509.Name(attributes)

    key: SigningPrivateKey = (
        rsa.generate_private_key(public_exponent=65537, key_size=3072)
        if for_encryption
        else ec.generate_private_key(ec.SECP256R1())
    )
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _BACKDATE)
        .not_valid_after(_add_years(now, valid_years))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=for_encryption,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return SigningIdentity(
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM),
        encrypted_key_pem=_encrypt_key(key, passphrase),
    )


def import_pkcs12(data: bytes, p12_password: str, passphrase: str) -> SigningIdentity:
    """Import an organisation's own certificate and key from a .p12/.pfx file.

    The file is checked up front (key present and matching, certificate in
    date and allowed to sign) so that problems surface at import, not when a
    return is being signed or, worse, verified by the Business Unit.
    ``p12_password`` opens the file; ``passphrase`` protects the key from now on.
    """
    _check_new_passphrase(passphrase)
    _check_length(p12_password, "so this cannot be the file's password")
    if not _is_pkcs12(data):
        raise IdentityError("This file is not a certificate file in PKCS#12 format (.p12 or .pfx).")
    try:
        key, certificate, _chain = pkcs12.load_key_and_certificates(data, p12_password.encode() or None)
    except ValueError:
        raise IdentityError("The password for this .p12 file is not right.") from None

    if key is None:
        raise IdentityError("This .p12 file has no private key, so it cannot be used to sign.")
    if certificate is None:
        raise IdentityError("This .p12 file has a private key but no certificate for it.")
    if not isinstance(key, SigningPrivateKey):
        raise IdentityError("This kind of key is not supported; use an RSA or elliptic-curve (EC) key.")
    if isinstance(key, rsa.RSAPrivateKey) and key.key_size < MIN_RSA_KEY_BITS:
        raise IdentityError(
            f"This RSA key is too short ({key.key_size} bits) to be safe; it needs at least {MIN_RSA_KEY_BITS} bits."
        )
    if _public_key_der(key) != certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ):
        raise IdentityError("The certificate in this .p12 file does not belong to its private key.")
    _check_certificate_usable(certificate)
    return SigningIdentity(
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM),
        encrypted_key_pem=_encrypt_key(key, passphrase),
    )


def unlock(identity: SigningIdentity, passphrase: str) -> UnlockedKey:
    """Decrypt the private key into memory for signing; wrong passphrase → :class:`WrongPassphraseError`."""
    _check_length(passphrase, "so this one cannot be right; nothing was changed")
    try:
        key = _decrypt_key(identity.encrypted_key_pem, passphrase)
    except (ValueError, TypeError):
        # TypeError: cryptography's way of saying an empty password was given for an encrypted key.
        raise WrongPassphraseError() from None
    if not isinstance(key, SigningPrivateKey):
        raise IdentityError("The stored key is of a kind that cannot sign; create or import the identity again.")
    return UnlockedKey(private_key=key, certificate=identity.certificate)


def needs_reprotection(identity: SigningIdentity) -> bool:
    """Whether the stored key is protected less well than a new one: stored by an earlier version (a PKCS#12
    MAC of 2,048 iterations, or PKCS#8 with the library's few rounds) or under anything but PBES2 with at least
    :data:`KDF_ROUNDS` rounds of PBKDF2."""
    # asn1crypto (and pbes2 below) load on first use: about 0.1 s the first window does without.
    from asn1crypto import keys as asn1_keys
    from asn1crypto import pem as asn1_pem

    try:
        kind, _headers, der = asn1_pem.unarmor(identity.encrypted_key_pem.strip())
        if kind != "ENCRYPTED PRIVATE KEY":
            return True
        algorithm = asn1_keys.EncryptedPrivateKeyInfo.load(der)["encryption_algorithm"]
        if algorithm["algorithm"].native != "pbes2":
            return True
        kdf = algorithm["parameters"]["key_derivation_func"]
        return bool(kdf["algorithm"].native != "pbkdf2" or kdf["parameters"]["iteration_count"].native < KDF_ROUNDS)
    except (ValueError, TypeError, KeyError):
        return True


def unlock_and_reprotect(identity: SigningIdentity, passphrase: str) -> tuple[UnlockedKey, SigningIdentity | None]:
    """:func:`unlock`, and when the stored key :func:`needs_reprotection`, the identity with the key encrypted
    again the current way under the same passphrase (to be stored in place of the old one); None otherwise.

    Only the right passphrase can do this, so a key is re-protected on its first unlock after an upgrade.
    """
    key = unlock(identity, passphrase)
    if not needs_reprotection(identity):
        return key, None
    return key, replace(identity, encrypted_key_pem=_encrypt_key(key.private_key, passphrase))


def change_passphrase(identity: SigningIdentity, old: str, new: str) -> SigningIdentity:
    """Re-encrypt the key under a new passphrase; the certificate (and so the fingerprint) is unchanged."""
    _check_new_passphrase(new)
    key = unlock(identity, old).private_key
    return replace(identity, encrypted_key_pem=_encrypt_key(key, new))


def fingerprint(cert_pem_or_der: bytes) -> str:
    """Lower-case hex SHA-256 of a certificate's DER, given the certificate as PEM or DER."""
    return load_certificate(cert_pem_or_der).fingerprint(hashes.SHA256()).hex()


def format_fingerprint(hex_digest: str) -> str:
    """Upper-case hex in groups of four (``3F2A 9C01 ...``), easy to compare by eye or read aloud."""
    clean = hex_digest.replace(":", "").replace(" ", "").upper()
    return " ".join(clean[i : i + 4] for i in range(0, len(clean), 4))


def _check_new_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise IdentityError(
            f"Choose a passphrase of at least {MIN_PASSPHRASE_LENGTH} characters to protect the signing key."
        )
    _check_length(passphrase, "choose a shorter one")


def _check_length(passphrase: str, then: str) -> None:
    if len(passphrase) > MAX_PASSPHRASE_LENGTH:
        raise IdentityError(f"{PASSPHRASE_TOO_LONG}; {then}.")


def _required_name(value: str, what: str) -> str:
    value = value.strip()
    if not value:
        raise IdentityError(f"Enter {what}; it is written into the certificate.")
    if len(value) > _MAX_NAME_LENGTH:
        raise IdentityError(f"{what[0].upper()}{what[1:]} is too long (at most {_MAX_NAME_LENGTH} characters).")
    return value


def _add_years(moment: dt.datetime, years: int) -> dt.datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February in a non-leap target year
        return moment.replace(year=moment.year + years, day=28)


def _encrypt_key(key: SigningPrivateKey, passphrase: str) -> bytes:
    """The key as a standard encrypted PKCS#8 PEM (``openssl pkcs8`` reads it): PBES2, PBKDF2-SHA256 with
    :data:`KDF_ROUNDS` rounds, AES-256-CBC.

    Nothing else is derived from the passphrase, so every guess costs the full :data:`KDF_ROUNDS`. (A PKCS#12
    container, as version 0.1 stored, adds a MAC over the whole, which cryptography computes with 2,048
    iterations whatever the KDF: a guess could be tested against it hundreds of times faster.) The rounds run
    in :mod:`hashlib`, which lets other threads run meanwhile (see :mod:`.pbes2`).
    """
    from oscb_desktop.signing import pbes2

    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return pbes2.encrypt(der, passphrase.encode(), KDF_ROUNDS)


def _decrypt_key(stored: bytes, passphrase: str) -> object:
    from oscb_desktop.signing import pbes2

    text = stored.strip()
    if text.startswith(_PKCS12_BEGIN) and text.endswith(_PKCS12_END):  # version 0.1; re-protected on unlock
        der = base64.b64decode(b"".join(text[len(_PKCS12_BEGIN) : -len(_PKCS12_END)].split()))
        key, _cert, _chain = pkcs12.load_key_and_certificates(der, passphrase.encode())
        return key
    # Encrypted PKCS#8: the current way, and (with few rounds) the first versions' way.
    try:
        return pbes2.decrypt(stored, passphrase.encode())
    except pbes2.NotHandled:
        return serialization.load_pem_private_key(stored, passphrase.encode() or None)


def _public_key_der(key: SigningPrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _is_pkcs12(data: bytes) -> bool:
    """Tell "not a PKCS#12 file" apart from "wrong password", which cryptography reports alike."""
    from asn1crypto import pkcs12 as asn1_pkcs12

    try:
        asn1_pkcs12.Pfx.load(data).native  # noqa: B018 -- .native forces a full parse
    except (ValueError, TypeError):
        return False
    return True


def _check_certificate_usable(certificate: x509.Certificate) -> None:
    now = dt.datetime.now(dt.UTC)
    if certificate.not_valid_after_utc < now:
        raise IdentityError(
            f"This certificate expired on {certificate.not_valid_after_utc:%d %B %Y}; ask for a new one."
        )
    if certificate.not_valid_before_utc > now:
        raise IdentityError(f"This certificate only becomes valid on {certificate.not_valid_before_utc:%d %B %Y}.")
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return  # no restriction: the certificate may be used for anything
    # Qualified signing certificates often carry only non-repudiation; both mean "may sign".
    if not (usage.digital_signature or usage.content_commitment):
        raise IdentityError(
            "This certificate is not allowed to make digital signatures (see its key usage); "
            "ask for a signing certificate."
        )


def _name_attribute(name: x509.Name, oid: x509.ObjectIdentifier) -> str | None:
    values = name.get_attributes_for_oid(oid)
    if not values:
        return None
    value = values[0].value
    return value.decode() if isinstance(value, bytes) else value

"""Exceptions raised by the signing package.

Every message is written for the person at the keyboard (an agency lead or a
Business Unit officer), not for a developer: the UI shows ``str(error)`` as is.
"""

from __future__ import annotations


class SigningError(Exception):
    """Base class, so callers can catch every signing problem in one place."""


class IdentityError(SigningError):
    """A signing identity cannot be created, imported or used."""


class WrongPassphraseError(IdentityError):
    """The passphrase protecting the private key is wrong.

    A separate class because the UI reacts differently (it asks again) and
    because the message must reassure the user that nothing was changed.
    """

    MESSAGE = "The passphrase is not right. Check it and try again; nothing was changed."

    def __init__(self) -> None:
        super().__init__(self.MESSAGE)


class SignatureInvalidError(SigningError):
    """A signature does not verify; the message says why in plain words."""


class PdfSigningError(SigningError):
    """A PDF cannot be signed (for example it cannot be read, or the page does not exist)."""


class CertificateError(SigningError, ValueError):
    """Bytes that are not one readable X.509 certificate (PEM or DER).

    Also a ``ValueError``, which is what the cryptography loaders raise, so older callers that caught that
    keep working.
    """

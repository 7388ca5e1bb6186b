"""Signing for OSCB bundles: identities, detached CMS signatures and signed PDFs (DESIGN.md §5).

Pure Python (no Qt), so the command-line verifier and the tests use it as is.
"""

from typing import TYPE_CHECKING

from oscb_desktop.lazy import lazy_getattr
from oscb_desktop.signing.certificates import describe_subject, load_certificate
from oscb_desktop.signing.errors import (
    CertificateError,
    IdentityError,
    PdfSigningError,
    SignatureInvalidError,
    SigningError,
    WrongPassphraseError,
)
from oscb_desktop.signing.identity import (
    MAX_PASSPHRASE_LENGTH,
    MIN_PASSPHRASE_LENGTH,
    PASSPHRASE_TOO_LONG,
    SigningIdentity,
    UnlockedKey,
    change_passphrase,
    create_identity,
    fingerprint,
    format_fingerprint,
    import_pkcs12,
    needs_reprotection,
    unlock,
    unlock_and_reprotect,
)

if TYPE_CHECKING:
    from oscb_desktop.signing.cms import sign_detached, verify_detached
    from oscb_desktop.signing.pdf import (
        DEFAULT_FIELD_NAME,
        PdfSignatureReport,
        displayable_pdf,
        sign_pdf,
        verify_pdf,
    )
    from oscb_desktop.signing.pdf_data import EmbeddedData, EmbeddedDataError, read_embedded

#: Names from the PDF modules, imported on first use: they bring pyHanko, fontTools and their dependencies
#: (about a second of imports), which the first window does not need (bench/bench_startup.py).
_LAZY = {
    "sign_detached": "cms",
    "verify_detached": "cms",
    "DEFAULT_FIELD_NAME": "pdf",
    "PdfSignatureReport": "pdf",
    "displayable_pdf": "pdf",
    "sign_pdf": "pdf",
    "verify_pdf": "pdf",
    "EmbeddedData": "pdf_data",
    "EmbeddedDataError": "pdf_data",
    "read_embedded": "pdf_data",
}


__getattr__ = lazy_getattr(__name__, _LAZY)


__all__ = [
    "DEFAULT_FIELD_NAME",
    "MAX_PASSPHRASE_LENGTH",
    "MIN_PASSPHRASE_LENGTH",
    "PASSPHRASE_TOO_LONG",
    "CertificateError",
    "EmbeddedData",
    "EmbeddedDataError",
    "IdentityError",
    "PdfSignatureReport",
    "PdfSigningError",
    "SignatureInvalidError",
    "SigningError",
    "SigningIdentity",
    "UnlockedKey",
    "WrongPassphraseError",
    "change_passphrase",
    "create_identity",
    "describe_subject",
    "displayable_pdf",
    "fingerprint",
    "format_fingerprint",
    "import_pkcs12",
    "load_certificate",
    "needs_reprotection",
    "read_embedded",
    "sign_detached",
    "sign_pdf",
    "unlock",
    "unlock_and_reprotect",
    "verify_detached",
    "verify_pdf",
]

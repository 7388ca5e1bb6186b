"""Partnership packs (``.oscbpack``): how a partnership's Business Unit gives its members its profile, its forms
and its certificate, signed, without a new release of the app (docs/pack-format.md). Same signed zip as the
return bundles (:mod:`oscb_desktop.bundle.signed_zip`). Plain Python, no Qt.

Modules: ``model`` (the typed JSON members, the limits), ``writer``, ``verify``.
"""

from typing import TYPE_CHECKING

from oscb_desktop.lazy import lazy_getattr
from oscb_desktop.packs.model import (
    PACK_SUFFIX,
    Contact,
    PackForm,
    PackManifest,
    PackProfile,
    PartnershipRef,
    form_path,
)

if TYPE_CHECKING:
    from oscb_desktop.packs.verify import CheckedForm, PackCheck, check_pack
    from oscb_desktop.packs.writer import PackError, build_pack

#: Loaded on first use: checking a pack brings the CMS verifier (see oscb_desktop.lazy).
__getattr__ = lazy_getattr(
    __name__,
    {
        "CheckedForm": "verify",
        "PackCheck": "verify",
        "check_pack": "verify",
        "PackError": "writer",
        "build_pack": "writer",
    },
)

__all__ = [
    "PACK_SUFFIX",
    "CheckedForm",
    "Contact",
    "PackCheck",
    "PackError",
    "PackForm",
    "PackManifest",
    "PackProfile",
    "PartnershipRef",
    "build_pack",
    "check_pack",
    "form_path",
]

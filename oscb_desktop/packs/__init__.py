"""Partnership packs (``.oscbpack``): how a partnership's Business Unit gives its members its profile, its forms
and its certificate, signed, without a new release of the app (docs/pack-format.md). Same signed zip as the
return bundles (:mod:`oscb_desktop.bundle.signed_zip`). Plain Python, no Qt.

Modules: ``model`` (the typed JSON members, the limits), ``writer``, ``verify``.
"""

from oscb_desktop.packs.model import (
    PACK_SUFFIX,
    Contact,
    PackForm,
    PackManifest,
    PackProfile,
    PartnershipRef,
    form_path,
)
from oscb_desktop.packs.verify import CheckedForm, PackCheck, check_pack
from oscb_desktop.packs.writer import PackError, build_pack

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

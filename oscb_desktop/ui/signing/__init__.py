"""Signing in the agency workspace: the signing identity, sign-off, export of signed bundles, printouts.

Each piece calls the same services as the command line (:mod:`oscb_desktop.services.identities`,
:mod:`oscb_desktop.services.signoff`); nothing here signs or writes anything by itself.
"""

from oscb_desktop.ui.signing.export import PassphraseDialog, export_bundle
from oscb_desktop.ui.signing.identity_dialog import IdentityDialog
from oscb_desktop.ui.signing.printouts import print_preview, print_return, save_pdf
from oscb_desktop.ui.signing.signoff_dialog import SignOffDialog

__all__ = [
    "IdentityDialog",
    "PassphraseDialog",
    "SignOffDialog",
    "export_bundle",
    "print_preview",
    "print_return",
    "save_pdf",
]

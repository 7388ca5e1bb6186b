"""The partnership: its name, its sectors and its member agencies, read from a checked profile file."""

from oscb_desktop.partnership.profile import (
    Partnership,
    PartnershipError,
    load_profile,
    load_profile_data,
    shipped_profile,
)

__all__ = ["Partnership", "PartnershipError", "load_profile", "load_profile_data", "shipped_profile"]

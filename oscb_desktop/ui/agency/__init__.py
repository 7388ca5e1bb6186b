"""The agency's side of the window: welcome, home (the list of returns), the editor, and the Return menu."""

from oscb_desktop.ui.agency.mode import AgencyMode, Target
from oscb_desktop.ui.agency.workspace import AgencyWorkspace

__all__ = ["AgencyMode", "AgencyWorkspace", "Target"]

"""The Business Unit's workspace (issue 4): import and check the agencies' signed returns, review and moderate
them, see the cycle, the matrix and year-on-year change, keep the register, and write the board report.

Everything here calls the services the command line uses (:mod:`oscb_desktop.services.imports`,
:mod:`~oscb_desktop.services.registry`, :mod:`~oscb_desktop.services.review`) and the collation
(:mod:`oscb_desktop.collate`); nothing here works out a figure of its own.
"""

from oscb_desktop.ui.business_unit.mode import BusinessUnitMode

__all__ = ["BusinessUnitMode"]

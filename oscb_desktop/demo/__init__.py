"""Realistic demo data: partner agencies with a year of history, this year's returns in progress, and
impact assessments, written through the same service functions the GUI uses (so every answer is audited).

A client of the services, like ``cli/``, not one of them. Deterministic for a seed: the same seed gives the
same profiles and answers. Plain Python, no Qt.

The text is built from templates per standard, per statement and per sector (the YAML files in
``resources/demo/``), filled with the agency's own roles, bodies, dates and figures, so that a board report
made from it reads like one made from real returns. Nothing here writes to the database directly.

Every agency gets a signing identity protected by :data:`DEMO_PASSPHRASE`; its 2025/26 return is signed,
and so are some complete 2026/27 returns (all of them with ``sign_all``, as ``oscb demo --export`` asks).

* ``people.py``: the agencies, their leads and signatories, and the fields that fill a template;
* ``section11.py`` and ``impact.py``: planning the two kinds of return;
* ``writer.py``: :func:`generate` into an open workspace, through the services, and :func:`export_signed`;
* ``partnership.py``: the demo partnership's Business Unit, which publishes the pack the agencies join;
* ``build.py``: :func:`build_agencies` and :func:`build_business_unit`, which make a demo workspace in a
  folder, one open workspace at a time;
* ``data.py``: reading and checking the YAML.
"""

from __future__ import annotations

from oscb_desktop.demo.build import build_agencies, build_business_unit
from oscb_desktop.demo.common import (
    CURRENT_PERIOD,
    DEMO_PASSPHRASE,
    HISTORY_PERIOD,
    DemoError,
    DemoSummary,
    Progress,
)
from oscb_desktop.demo.partnership import DEMO_PARTNERSHIP_ID, pack_name
from oscb_desktop.demo.writer import export_signed, generate

__all__ = [
    "CURRENT_PERIOD",
    "DEMO_PARTNERSHIP_ID",
    "DEMO_PASSPHRASE",
    "HISTORY_PERIOD",
    "DemoError",
    "DemoSummary",
    "Progress",
    "build_agencies",
    "build_business_unit",
    "export_signed",
    "generate",
    "pack_name",
]

"""The demo partnership's Business Unit: set up from the profile shipped with the app (Oxfordshire, the template),
with last year's and this year's forms, its signing key under :data:`DEMO_PASSPHRASE`; it publishes its pack and
the demo agencies join it, as real ones would — through the same services."""

from __future__ import annotations

import uuid
from pathlib import Path

from oscb_desktop.demo.common import DEMO_PASSPHRASE, HISTORY_PERIOD, SECTION11, DemoError
from oscb_desktop.forms import FormRegistry
from oscb_desktop.partnership import shipped_profile
from oscb_desktop.services import partnership_admin, partnerships
from oscb_desktop.services.workspace import Workspace

#: The demo partnership's id: the same in every demo, so that demo bundles made on one machine import into a
#: demo Business Unit made on another.
DEMO_PARTNERSHIP_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "https://oscb.example/demo/partnership"))
DEMO_CONTACT = ("Alex Morgan", "business.unit@oscb-demo.example", "01865 815 843")


def pack_name(short_name: str) -> str:
    return f"{short_name}-partnership.oscbpack"


def set_up(ws: Workspace) -> None:
    """Make ``ws`` (empty) the demo partnership's Business Unit, with its members, forms and key."""
    profile = shipped_profile()
    partnership_admin.init(
        ws,
        name=profile.name,
        short_name=profile.short_name,
        passphrase=DEMO_PASSPHRASE,
        members=profile.agencies,
        sectors=list(profile.sectors.items()),
        contact_name=DEMO_CONTACT[0],
        contact_email=DEMO_CONTACT[1],
        contact_phone=DEMO_CONTACT[2],
        partnership_id=DEMO_PARTNERSHIP_ID,
    )
    last_year = [f for f in ws.base_forms.for_period(HISTORY_PERIOD) if f.id == SECTION11]
    if not last_year:
        raise DemoError(f"The demo needs the Section 11 form for {HISTORY_PERIOD}; check `oscb forms list`.")
    partnership_admin.add_form(ws, last_year[0].source, period=HISTORY_PERIOD, deadline=last_year[0].deadline)


def make_business_unit(folder: Path, forms: FormRegistry | None, pack: Path) -> str:
    """A new demo Business Unit workspace in ``folder`` that has published its pack to ``pack``; returns the
    fingerprint the agencies compare when they join."""
    with Workspace.open(folder, forms=forms, daily_backup=False) as ws:
        if partnerships.list_partnerships(ws):
            raise DemoError(f"{folder} already holds a partnership; the demo Business Unit needs an empty folder.")
        set_up(ws)
        return publish(ws, pack)


def publish(ws: Workspace, pack: Path) -> str:
    return partnership_admin.publish(ws, pack, passphrase=DEMO_PASSPHRASE).fingerprint


def join(ws: Workspace, pack: Path, fingerprint: str) -> None:
    """An agency's workspace joins the demo partnership (having compared the fingerprint, as the demo does)."""
    partnerships.join(ws, pack, trust=fingerprint)

"""Agency (or service) profiles held in a workspace."""

from __future__ import annotations

from oscb_desktop.services.values import AgencyInfo
from oscb_desktop.services.workspace import Workspace, now_iso, uses_workspace
from oscb_desktop.store import Agency

PROFILE_FIELDS = ("name", "sector", "services", "lead_name", "lead_email", "lead_phone")


class ProfileError(ValueError):
    pass


def _clean(fields: dict[str, str]) -> dict[str, str]:
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ProfileError(f"Unknown profile fields: {', '.join(sorted(unknown))}")
    out = {k: (v or "").strip() for k, v in fields.items()}
    if "name" in out and not out["name"]:
        raise ProfileError("The agency needs a name.")
    email = out.get("lead_email", "")
    if email and ("@" not in email or " " in email):
        raise ProfileError(f"{email!r} does not look like an email address.")
    for key, value in out.items():
        if len(value) > 2000:
            raise ProfileError(f"The {key.replace('_', ' ')} is too long (at most 2,000 characters).")
    return out


@uses_workspace
def create_agency(ws: Workspace, name: str, **fields: str) -> AgencyInfo:
    data = _clean({"name": name, **fields})
    with ws.db.atomic():
        agency = Agency.create(created_at=now_iso(), **data)
        if ws.setting("current_agency") is None:
            ws.set_setting("current_agency", agency.id)
    ws.forget_user()  # a first profile names its lead in the audit trail
    return AgencyInfo.from_row(agency)


@uses_workspace
def update_agency(ws: Workspace, agency_id: int, **fields: str) -> AgencyInfo:
    data = _clean(fields)
    with ws.db.atomic():
        Agency.update(**data).where(Agency.id == agency_id).execute()
    ws.forget_user()
    return AgencyInfo.from_row(Agency.get_by_id(agency_id))


@uses_workspace
def list_agencies(ws: Workspace) -> list[AgencyInfo]:
    return [AgencyInfo.from_row(row) for row in Agency.select().order_by(Agency.name)]


@uses_workspace
def get_agency(ws: Workspace, agency_id: int) -> AgencyInfo:
    row = Agency.get_or_none(Agency.id == agency_id)
    if row is None:
        raise ProfileError("That agency profile no longer exists.")
    return AgencyInfo.from_row(row)


@uses_workspace
def has_profiles(ws: Workspace) -> bool:
    """True once the workspace holds an agency profile (a Business Unit workspace holds none)."""
    return Agency.select().exists()


@uses_workspace
def current_agency(ws: Workspace) -> AgencyInfo | None:
    """The profile whose returns the home screen shows (the first one if none was chosen)."""
    chosen = ws.setting("current_agency")
    agency = Agency.get_or_none(Agency.id == chosen) if chosen is not None else None
    agency = agency or Agency.select().order_by(Agency.id).first()
    return AgencyInfo.from_row(agency) if agency is not None else None


@uses_workspace
def set_current_agency(ws: Workspace, agency_id: int) -> None:
    ws.set_setting("current_agency", agency_id)

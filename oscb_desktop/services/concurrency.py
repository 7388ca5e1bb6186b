"""Several officers on one Business Unit workspace (a shared PostgreSQL server): what keeps their work apart.

On SQLite one process writes at a time (the workspace lock, ``IMMEDIATE`` transactions), so these are no-ops
there. On a server two officers' transactions run at once, under PostgreSQL's default isolation (each statement
sees what was committed before it began): the unique keys stop a return being stored twice, and a lock per
return (:func:`serialise`) makes the checks that span several rows (is there a newer version?) and the writes
that follow one step.
"""

from __future__ import annotations

from oscb_desktop.dates import local_moment
from oscb_desktop.services.workspace import Workspace, uses_workspace
from oscb_desktop.store.models import ReceivedReturn


def serialise(ws: Workspace, *key: object) -> None:
    """Inside a transaction: wait until no other officer's transaction holds ``key`` (held until this one
    ends). A no-op on SQLite, whose writers already take turns."""
    if ws.engine != "postgresql":
        return
    ws.db.execute_sql("SELECT pg_advisory_xact_lock(hashtext(%s))", ("\x1f".join(map(str, key)),))


@uses_workspace
def newer_stored(ws: Workspace, agency_id: int, form_id: str, period: str, version: int) -> bool:
    """A version of this return newer than ``version`` is stored (by another officer, since the checks)."""
    return (
        ReceivedReturn.select()
        .where(
            (ReceivedReturn.agency == agency_id)
            & (ReceivedReturn.form_id == form_id)
            & (ReceivedReturn.period == period)
            & (ReceivedReturn.version > version)
        )
        .exists()
    )


class StaleChangeError(Exception):
    """A save refused because another officer changed the same thing since this screen read it (optimistic
    versioning: nothing is lost silently). The message says who and when, and to reload; ``by`` and ``at`` are
    theirs (``at`` as stored)."""

    def __init__(self, what: str, by: str | None, at: str | None) -> None:
        self.by, self.at = by, at
        who = by or "another officer"
        when = f" on {local_moment(at)}" if at else ""
        super().__init__(
            f"{who} changed {what}{when}, after you opened it, so your change was not saved. Reload to see their "
            "change, then make yours again if it is still needed."
        )


class Unchecked:
    """``seen=UNCHECKED``: save whatever the stored state (a script, a command, a first save)."""


UNCHECKED = Unchecked()

"""An officer saving a review in a process of their own, for the tests of several officers on one server.

Usage: ``python review_child.py DATABASE_URL LOCAL_FOLDER NAME RECEIVED_ID STATUS``: opens the workspace as officer
NAME, reads the return (as a screen shows it), prints ``READY``, waits for a line on stdin, saves its review from
what it read and prints ``SAVED`` or ``REFUSED <message>``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from oscb_desktop.services import review
from oscb_desktop.services.workspace import Workspace


def main(url: str, local: str, name: str, received_id: str, status: str) -> None:
    with Workspace.open(Path(local), database=url) as ws:
        ws.set_setting("user_name", name)
        seen = review.received(ws, int(received_id))
        print("READY", flush=True)
        sys.stdin.readline()
        try:
            review.set_status(ws, seen.id, status, f"by {name}", seen=seen)
            print("SAVED", flush=True)
        except review.ReviewChangedError as exc:
            print("REFUSED", exc, flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:6])

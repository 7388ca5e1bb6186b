"""A second process on a workspace, for the tests of locks, crashes and two writers.

Usage: ``python workspace_child.py MODE FOLDER [ARGS]``

- ``hold``: open the workspace (taking its lock), print ``READY``, then wait until stdin closes or a kill.
- ``open``: try to open the workspace; print ``OPENED`` or ``REFUSED <message>`` and exit.
- ``write-then-hang``: open the workspace, save a few answers into a new return (the WAL holds them, no
  checkpoint), print ``SAVED <count>`` and wait to be killed.
- ``save SECONDS TAG``: the two-writer stress. Opens the database beneath the workspace lock (as a second
  thread or a lock that cannot work on a network drive would), then saves an answer about every 20 ms for
  SECONDS: its own items (``TAG`` in the value) and one item both writers change. Prints ``ACK item value`` after
  each save returned, ``FAIL <error>`` for a save that raised, ``DONE`` at the end.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from oscb_desktop import paths
from oscb_desktop.forms import FormRegistry
from oscb_desktop.forms.loader import load_file
from oscb_desktop.services import returns
from oscb_desktop.services.agencies import create_agency
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.store import DB_FILENAME, open_database

SHARED_ITEM = "about.completed_by"
OWN_ITEMS = {"A": ("s1.1", "s1.2"), "B": ("s2.1", "s2.2")}


def emit(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def forms() -> FormRegistry:
    form = load_file(paths.forms_dir() / "section11" / "2026-27.yaml")
    return FormRegistry(forms={form.key: form})


def main(argv: list[str]) -> None:
    mode, folder = argv[0], Path(argv[1])
    if mode == "hold":
        with Workspace.open(folder, forms=forms()):
            emit("READY")
            sys.stdin.read()
    elif mode == "open":
        try:
            Workspace.open(folder, forms=forms()).close()
        except Exception as exc:  # the message is what the test checks
            emit(f"REFUSED {type(exc).__name__}: {exc}")
        else:
            emit("OPENED")
    elif mode == "write-then-hang":
        ws = Workspace.open(folder, forms=forms())
        agency = create_agency(ws, "Written Before The Crash", lead_name="Kim Crash")
        sub = returns.start_return(ws, agency.id, "section11", "2026/27", carry_forward=False)
        for n in range(5):
            returns.save_answers(ws, sub.id, {SHARED_ITEM: f"saved {n}"})
        emit("SAVED 5")
        time.sleep(600)
    elif mode == "save":
        seconds, tag = float(argv[2]), argv[3]
        registry = forms()
        ws = Workspace(folder, open_database(folder / DB_FILENAME), registry)
        sub_id = returns.list_returns(ws)[0].id
        end, n = time.monotonic() + seconds, 0
        while time.monotonic() < end:
            n += 1
            item = (*OWN_ITEMS[tag], SHARED_ITEM)[n % 3]
            value: object = f"{tag}-{n}"
            if item != SHARED_ITEM:
                value = {"level": "green", "evidence": f"{tag}-{n}", "example": "", "reason": ""}
            try:
                returns.save_answers(ws, sub_id, {item: value})
            except Exception as exc:  # counted by the test: there must be none
                emit(f"FAIL {type(exc).__name__}: {exc}")
            else:
                emit(f"ACK {item} {tag}-{n}")
            time.sleep(0.02)
        ws.db.close()
        emit("DONE")
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main(sys.argv[1:])

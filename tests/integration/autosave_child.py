"""Child of the autosave crash test: edits a return through :class:`Autosaver` until it is killed.

Usage: ``python autosave_child.py WORKSPACE FIRST_COUNTER SEED [--journal]``

Opens the workspace (creating an agency and a Section 11 2026/27 return on the first run), prints
``SUBMISSION <id>`` and ``READY``, then loops forever: a random text or rating item gets a new
value carrying a counter (``value-<n>``, or a green rating with evidence ``evidence <n>``), handed to
``Autosaver.change``; when ``Autosaver.due()`` or every few changes it calls ``Autosaver.flush()``
(what the GUI's timer calls) and, once that returned, prints ``ACK {item_id: value, ...}`` for
everything that flush wrote. An ACK line is therefore a promise: that value is on disk.

With ``--journal`` a flush may fail (the parent holds the database's write lock; the child waits 20 ms for it,
not the app's five seconds): the child then prints ``JOURNAL {item_id: value, ...}`` with everything still
unsaved, once the autosaver has written it to the recovery journal — the promise that those values come back
when the journal is replayed.

Imports only the services it needs and loads only the one form definition, so it starts fast.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

from oscb_desktop import paths
from oscb_desktop.forms import FormRegistry
from oscb_desktop.forms.loader import load_file
from oscb_desktop.services import returns
from oscb_desktop.services.agencies import create_agency
from oscb_desktop.services.autosave import Autosaver, SaveError
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.store import Submission

FORM_ID, PERIOD = "section11", "2026/27"
FORM_FILE = ("section11", "2026-27.yaml")
ITEM_TYPES = ("short_text", "long_text", "rating")


def make_value(item_type: str, n: int) -> Any:
    """The value the child writes for counter ``n`` (the parent recomputes it to check)."""
    if item_type == "rating":
        return {"level": "green", "evidence": f"evidence {n}", "example": "", "reason": ""}
    return f"value-{n}"


def emit(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main(argv: list[str]) -> None:
    folder, counter, seed = Path(argv[0]), int(argv[1]), int(argv[2])
    journal_mode = "--journal" in argv[3:]
    rng = random.Random(seed)
    form = load_file(paths.forms_dir().joinpath(*FORM_FILE))
    ws = Workspace.open(folder, forms=FormRegistry(forms={form.key: form}))
    ws.bind()
    if journal_mode:
        ws.db.execute_sql("PRAGMA busy_timeout = 20")
    sub = (
        Submission.select()
        .where((Submission.form_id == FORM_ID) & (Submission.period == PERIOD))
        .order_by(Submission.version.desc())
        .first()
    )
    if sub is None:
        agency = create_agency(ws, "Crash Test Community Trust", sector="health")
        sub = returns.start_return(ws, agency.id, FORM_ID, PERIOD)
    emit(f"SUBMISSION {sub.id}")

    items = [(item.id, item.type) for item in form.items() if item.type in ITEM_TYPES]
    saver = Autosaver(ws, sub.id)
    emit("READY")

    written: dict[str, Any] = {}  # what is pending in the autosaver, as this loop sees it
    every = rng.randint(1, 8)
    while True:
        item_id, item_type = rng.choice(items)
        value = make_value(item_type, counter)
        counter += 1
        saver.change(item_id, value)
        written[item_id] = value
        if saver.due() or len(written) >= every:
            try:
                saver.flush()
            except SaveError as exc:
                if not (journal_mode and exc.journaled):
                    raise
                emit("JOURNAL " + json.dumps(saver.unsaved(), sort_keys=True))
                written = {}
                continue
            if saver.pending:  # single-threaded: one flush writes everything
                raise SystemExit("autosaver still has pending changes after flush()")
            emit("ACK " + json.dumps(written, sort_keys=True))
            written = {}
            every = rng.randint(1, 8)


if __name__ == "__main__":
    main(sys.argv[1:])

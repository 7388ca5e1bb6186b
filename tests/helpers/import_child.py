"""An officer's import in a process of its own, for the tests of several officers on one server.

Usage: ``python import_child.py DATABASE_URL LOCAL_FOLDER BUNDLE_FOLDER``: opens the workspace, prints ``READY``,
waits for a line on stdin (so that two of them start together), imports the folder (trusting new signers), printing
``AT n`` before each bundle, then one ``outcome code file`` line per bundle, then ``DONE``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from oscb_desktop.services import imports
from oscb_desktop.services.workspace import Workspace


def main(url: str, local: str, bundles: str) -> None:
    with Workspace.open(Path(local), database=url) as ws:
        ws.set_setting("user_name", f"Officer {Path(local).name}")
        print("READY", flush=True)
        sys.stdin.readline()
        progress = lambda done, total, name: print("AT", done, flush=True)  # noqa: E731
        for r in imports.import_paths(ws, [Path(bundles)], trust_new=True, progress=progress):
            print(r.outcome, r.code, Path(r.file).name, flush=True)
    print("DONE", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:4])

"""Make a workspace's database refuse writes for real, the ways it does on people's machines.

Each fault is a context manager on an open workspace; the writes of the calling thread fail inside the block
and work again after it:

- ``locked``: another connection holds the write lock (another program writing), so writes end in
  "database is locked" (after a short busy timeout instead of the app's five seconds);
- ``full``: ``PRAGMA max_page_count`` caps the file at its current size, so a write that needs a new page
  ends in "database or disk is full" (a real full disk: ``tests/integration/test_autosave_full_disk.py``).
  A small value may still fit the free room of a page: write over 4 KB (of UTF-8) to be sure;
- ``read_only``: ``PRAGMA query_only``, so writes end in "attempt to write a readonly database".
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from oscb_desktop.services.workspace import Workspace
from oscb_desktop.store import DB_FILENAME

#: The app waits five seconds for a lock; the tests need not.
TEST_BUSY_TIMEOUT_MS = 50
APP_BUSY_TIMEOUT_MS = 5000


@contextmanager
def locked(ws: Workspace) -> Iterator[sqlite3.Connection]:
    ws.db.execute_sql(f"PRAGMA busy_timeout = {TEST_BUSY_TIMEOUT_MS}")
    other = sqlite3.connect(ws.folder / DB_FILENAME, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        yield other
    finally:
        other.rollback()
        other.close()
        ws.db.execute_sql(f"PRAGMA busy_timeout = {APP_BUSY_TIMEOUT_MS}")


@contextmanager
def full(ws: Workspace) -> Iterator[None]:
    pages = ws.db.execute_sql("PRAGMA page_count").fetchone()[0]
    ws.db.execute_sql(f"PRAGMA max_page_count = {pages}")
    try:
        yield
    finally:
        ws.db.execute_sql("PRAGMA max_page_count = 4294967294")


@contextmanager
def read_only(ws: Workspace) -> Iterator[None]:
    ws.db.execute_sql("PRAGMA query_only = 1")
    try:
        yield
    finally:
        ws.db.execute_sql("PRAGMA query_only = 0")


FAULTS = {"locked": locked, "full": full, "read_only": read_only}

#: What the user is told for each fault (a word that must appear in the message).
FAULT_WORDS = {"locked": "busy", "full": "disk is full", "read_only": "read-only"}

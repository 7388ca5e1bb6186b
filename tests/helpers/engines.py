"""The Business Unit's tests on both engines: a workspace folder on SQLite, or a fresh database on the session's
PostgreSQL cluster (:mod:`helpers.pg_cluster`).

A test (or fixture) that asks for ``engine`` runs once per engine (``tests/conftest.py`` parametrizes it), unless
marked ``sqlite_only`` (what only a file can do: a full disk, the workspace lock, file backups).
"""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from oscb_desktop.forms import FormRegistry
from oscb_desktop.services.server_copy import copy_to_server
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.store import DB_FILENAME

ENGINES = ("sqlite", "postgresql")


@dataclass(frozen=True)
class Place:
    """Where a Business Unit workspace is: its folder (on PostgreSQL, the officer's local one) and the server's
    database URL (None on SQLite). What the command line and the app are given to find it."""

    folder: Path
    url: str | None = None

    @property
    def args(self) -> list[str]:
        """``oscb``'s and ``oscb-desktop``'s options for it: ``--data-dir`` (and ``--database``)."""
        return ["--data-dir", str(self.folder), *(["--database", self.url] if self.url else [])]

    def open(self, forms: FormRegistry | None = None) -> Workspace:
        """Open it (again), as another process or officer would."""
        return Workspace.open(self.folder, forms=forms, database=self.url)


def new_place(request: pytest.FixtureRequest, engine: str, folder: Path) -> Place:
    """Where a new, empty workspace on ``engine`` will be (a fresh database on PostgreSQL)."""
    if engine == "postgresql":
        return Place(folder, request.getfixturevalue("pg_cluster").new_database())
    return Place(folder)


def open_bu(request: pytest.FixtureRequest, engine: str, folder: Path, forms: FormRegistry | None = None) -> Workspace:
    """A new, empty workspace on ``engine`` (``folder``: the workspace's, or the officer's local one)."""
    return _closed_after(request, new_place(request, engine, folder).open(forms))


#: The server's copy of each SQLite workspace a test module built once, by (cluster folder, workspace folder).
_ON_SERVER: dict[tuple[Path, Path], str] = {}


def copied_place(
    request: pytest.FixtureRequest, engine: str, template: Path, folder: Path, forms: FormRegistry | None = None
) -> Place:
    """A copy of the workspace in ``template`` (a folder built once, such as a demo Business Unit) on ``engine``:
    the folder copied, or, on PostgreSQL, a database made from the template's server copy (moved there once with
    ``oscb workspace copy``'s service, verified; each copy is then made by the server, file by file)."""
    if engine != "postgresql":
        shutil.copytree(template, folder)
        return Place(folder)
    cluster = request.getfixturevalue("pg_cluster")
    key = (cluster.root, template)
    if key not in _ON_SERVER:
        url = cluster.new_database()
        report = copy_to_server(template, url, forms=forms)
        assert report.verified, report
        _ON_SERVER[key] = url.rsplit("/", 1)[1]
    return Place(folder, cluster.new_database(template=_ON_SERVER[key]))


def open_bu_copy(
    request: pytest.FixtureRequest, engine: str, template: Path, folder: Path, forms: FormRegistry | None = None
) -> Workspace:
    """:func:`copied_place`, opened."""
    return _closed_after(request, copied_place(request, engine, template, folder, forms).open(forms))


def _closed_after(request: pytest.FixtureRequest, ws: Workspace) -> Workspace:
    """On a server, closed at the end of the test even if the test does not: the server limits its connections.
    (A folder's workspace is left to its test: closing releases its lock, which must happen once.)"""
    if ws.engine == "postgresql":
        request.addfinalizer(ws.close)
    return ws


def raw_sql_error(request: pytest.FixtureRequest, ws: Workspace, sql: str) -> str | None:
    """Run ``sql`` outside the app — plain ``sqlite3`` on the file, plain ``psql`` on the server — and return the
    database's error message (None if it was accepted). SQL parameters are not supported: write literals."""
    if ws.engine == "postgresql":
        cluster = request.getfixturevalue("pg_cluster")
        dbname = ws.db.database.rsplit("/", 1)[1]
        done = cluster.psql(dbname, sql, check=False)
        return None if done.returncode == 0 else done.stderr
    con = sqlite3.connect(ws.folder / DB_FILENAME, isolation_level=None)
    try:
        con.execute(sql)
    except sqlite3.DatabaseError as exc:
        return str(exc)
    finally:
        con.close()
    return None

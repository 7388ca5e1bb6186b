"""Fixtures shared by every test: an isolated data folder, an open workspace, an agency."""

from __future__ import annotations

import os
import sys
import tempfile

# Before anything imports Qt: tests never need a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The processes tests start (the command line, the import's pool, the app) keep their compiled bytecode, as an
# installed app has it, in a folder of their own: a machine with PYTHONDONTWRITEBYTECODE=1 would otherwise make
# each of them compile every module it loads (about a second for the verifier alone).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
os.environ.setdefault("PYTHONPYCACHEPREFIX", os.path.join(tempfile.gettempdir(), f"oscb-tests-pycache-{os.getuid()}"))

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.engines import ENGINES

from oscb_desktop import paths
from oscb_desktop.forms import FormRegistry
from oscb_desktop.services.agencies import create_agency
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.store import Agency

# The test run itself too, for what it loads from here on.
sys.dont_write_bytecode = False
sys.pycache_prefix = os.environ["PYTHONPYCACHEPREFIX"]

#: Real signed bundles (tests/helpers/bundle_fixtures.py), shared by the bundle, CLI and import tests.
pytest_plugins = ["helpers.bundle_fixtures", "helpers.pg_cluster"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test or fixture asking for ``engine`` runs on SQLite and on PostgreSQL (``helpers.engines``)."""
    if "engine" in metafunc.fixturenames:
        only_sqlite = metafunc.definition.get_closest_marker("sqlite_only") is not None
        metafunc.parametrize("engine", ["sqlite"] if only_sqlite else list(ENGINES))


@pytest.fixture
def engine() -> str:
    """Overridden by the parametrization above; here so that fixtures may name it."""
    return "sqlite"


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test may write to the real user data folder: the default workspace is a temporary one."""
    folder = tmp_path_factory.mktemp("oscb-data")
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(folder))
    monkeypatch.setenv(paths.LOG_DIR_ENV, str(tmp_path_factory.mktemp("oscb-logs")))
    monkeypatch.setenv(paths.CACHE_DIR_ENV, str(_cache_dir(tmp_path_factory)))
    return folder


def _cache_dir(factory: pytest.TempPathFactory) -> Path:
    """One cache folder for the session (its entries are the same for every test), never the user's."""
    folder = factory.getbasetemp() / "oscb-cache"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def shipped_forms() -> FormRegistry:
    """The form definitions in ``forms/``, loaded once (tests only read them)."""
    registry = FormRegistry.load()
    assert registry.errors == [], registry.errors
    return registry


@pytest.fixture
def workspace(tmp_path: Path, shipped_forms: FormRegistry) -> Iterator[Workspace]:
    """A fresh workspace on a real SQLite file, bound to the models, closed afterwards."""
    ws = Workspace.open(tmp_path / "ws", forms=shipped_forms)
    ws.bind()
    try:
        yield ws
    finally:
        ws.close()


@pytest.fixture
def agency(workspace: Workspace) -> Agency:
    return create_agency(
        workspace,
        "Example Community Health Trust",
        sector="health",
        lead_name="Sam Lead",
        lead_email="sam.lead@example.org",
    )

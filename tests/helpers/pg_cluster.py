"""A throwaway PostgreSQL cluster for the tests: ``initdb`` + ``pg_ctl`` in a temporary folder, listening on a
unix socket only, run as an unprivileged user (``initdb`` refuses root; tests run as root in CI).

One cluster per test session (:func:`pg_cluster`); each test gets a fresh, empty database made from
``template0`` (:meth:`Cluster.new_database`). Without the server binaries the PostgreSQL tests are skipped
locally, and fail when ``CI=true``: in CI they never silently skip.
"""

from __future__ import annotations

import atexit
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest

_BIN_CANDIDATES = ("/usr/lib/postgresql/{v}/bin",)
_VERSIONS = ("17", "16", "15", "14", "13")


def server_bin() -> Path | None:
    """The folder holding ``initdb``, ``pg_ctl`` and ``postgres`` (``PG_BIN``, Debian's, or the PATH's)."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    for v in _VERSIONS:
        for pattern in _BIN_CANDIDATES:
            folder = Path(pattern.format(v=v))
            if (folder / "initdb").is_file():
                return folder
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _runner() -> tuple[list[str], str]:
    """How to run the server's commands, and as whom: as root, as ``postgres`` (else ``nobody``)."""
    if os.geteuid() != 0:
        return [], pwd.getpwuid(os.geteuid()).pw_name
    for user in ("postgres", "nobody"):
        try:
            pwd.getpwnam(user)
        except KeyError:
            continue
        return ["runuser", "-u", user, "--"], user
    raise RuntimeError("no unprivileged user to run PostgreSQL as")


@dataclass
class Cluster:
    root: Path
    socket_dir: Path
    superuser: str
    prefix: list[str]
    bin: Path
    #: the port: of the unix socket's file, and of 127.0.0.1 on a cluster that listens there (``tcp=True``)
    port: int = 5432
    _names: itertools.count = field(default_factory=lambda: itertools.count(1))

    def url(self, dbname: str) -> str:
        at = "" if self.port == 5432 else f":{self.port}"
        return f"postgresql://{self.superuser}@{quote(str(self.socket_dir), safe='')}{at}/{dbname}"

    def tcp_url(self, user: str, dbname: str) -> str:
        """The address a colleague's computer would use: 127.0.0.1, where a password is asked (``tcp=True``)."""
        return f"postgresql://{user}@127.0.0.1:{self.port}/{dbname}"

    def add_role(self, user: str, password: str) -> str:
        """A login role with a password (stored by the server as a SCRAM verifier) and a database of its own, empty;
        the database's name."""
        self.psql("postgres", f"SET password_encryption = 'scram-sha-256'; CREATE ROLE \"{user}\" LOGIN PASSWORD "
                              f"'{password}'")  # fmt: skip
        name = f"{user}_{next(self._names)}"
        self.psql("postgres", f'CREATE DATABASE "{name}" OWNER "{user}" TEMPLATE template0')
        return name

    def psql(self, dbname: str, sql: str, *, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Plain ``psql`` (no app code), as the cluster's superuser: what anyone with access could run."""
        return subprocess.run(
            ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", str(self.socket_dir), "-p", str(self.port),
             "-U", self.superuser, "-d", dbname, "-At", "-c", sql],
            capture_output=True, text=True, check=check, timeout=60,
        )  # fmt: skip

    def new_database(self, name: str | None = None, *, template: str = "template0") -> str:
        """A fresh database, empty or a copy of the database ``template`` (no one may be connected to it); its
        URL. A copy is made file by file by the server: far quicker than building the workspace again."""
        name = name or f"t{os.getpid()}_{next(self._names)}"
        self.psql("postgres", f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return self.url(name)

    def stop(self) -> None:
        subprocess.run(
            [*self.prefix, str(self.bin / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "stop"],
            capture_output=True, timeout=60,
        )  # fmt: skip


def start_cluster(*, durable: bool = False, tcp: bool = False) -> Cluster | None:
    """Start a cluster (None when the server binaries are not installed). ``durable``: with ``fsync`` on (the
    tests turn it off: nothing they write needs to survive a power cut). ``tcp``: listening on 127.0.0.1 too, on
    a free port, where every role must give its password (SCRAM), as on a partnership's server; the unix socket
    stays open without one for the tests' own ``psql``."""
    bin_dir = server_bin()
    if bin_dir is None or shutil.which("psql") is None:
        return None
    prefix, user = _runner()
    root = Path(tempfile.mkdtemp(prefix="oscb-pg-"))
    os.chmod(root, 0o755)
    socket_dir = root / "sock"
    socket_dir.mkdir()
    data = root / "data"
    if prefix:
        shutil.chown(root, user)
        shutil.chown(socket_dir, user)
    env = {**os.environ, "LC_ALL": "C"}
    subprocess.run(
        [*prefix, str(bin_dir / "initdb"), "-D", str(data), "-U", user, "-A", "trust", "-E", "UTF8",
         "--no-sync"],
        check=True, capture_output=True, env=env, cwd=root, timeout=120,
    )  # fmt: skip
    port = 5432
    options = f"-c listen_addresses='' -c unix_socket_directories='{socket_dir}'"
    if tcp:
        port = _free_port()
        hba = root / "pg_hba.conf"
        hba.write_text("local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n", encoding="utf-8")
        os.chmod(hba, 0o644)
        options = (
            f"-c listen_addresses='127.0.0.1' -c port={port} -c hba_file='{hba}' "
            f"-c unix_socket_directories='{socket_dir}'"
        )
    if not durable:
        options += " -c fsync=off -c full_page_writes=off"
    subprocess.run(
        [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "server.log"),
         "-w", "-t", "60", "start"],
        check=True, capture_output=True, env=env, cwd=root, timeout=120,
    )  # fmt: skip
    cluster = Cluster(root, socket_dir, user, prefix, bin_dir, port)
    atexit.register(cluster.stop)  # also when the run is interrupted before the fixture's teardown
    return cluster


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _running(*, tcp: bool = False) -> Iterator[Cluster]:
    """A started cluster, stopped and removed afterwards; skipped without the server, except in CI (a failure)."""
    cluster = start_cluster(tcp=tcp)
    if cluster is None:
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL server binaries (initdb, pg_ctl, psql) are missing: the CI must install them")
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl, psql) are not installed")
    try:
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(cluster.root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """The session's PostgreSQL cluster (unix socket only, no passwords)."""
    yield from _running()


@pytest.fixture(scope="session")
def pg_password_cluster() -> Iterator[Cluster]:
    """A second cluster, started only for the tests that need it: on 127.0.0.1, every role asked its password."""
    yield from _running(tcp=True)


@pytest.fixture
def pg_url(pg_cluster: Cluster) -> str:
    """A fresh, empty database on the session's cluster."""
    return pg_cluster.new_database()

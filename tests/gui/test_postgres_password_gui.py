"""A Business Unit workspace on a server that asks for a password (SCRAM over TCP on 127.0.0.1, as a partnership's
server would), with no ``PGPASSWORD`` and no ``~/.pgpass``: the app asks for it in a dialog, says so plainly when it
is wrong and asks again, opens the workspace with the right one, and writes it nowhere."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers.pg_cluster import Cluster
from PySide6.QtWidgets import QLineEdit

from oscb_desktop import logs, paths
from oscb_desktop.ui import app, ops

PASSWORD = "Tr0ub4dor-&-3-horses"


def files_holding(text: str, *folders: Path) -> list[Path]:
    """Every file under ``folders`` whose bytes hold ``text`` (UTF-8, or UTF-16 as Qt or Windows might write)."""
    needles = (text.encode(), text.encode("utf-16-le"))
    found = []
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file() and not path.is_symlink():
                data = path.read_bytes()
                if any(n in data for n in needles):
                    found.append(path)
    return found


def test_the_password_is_asked_refused_when_wrong_and_written_nowhere(
    qapp, qtbot, pg_password_cluster: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cluster = pg_password_cluster
    dbname = cluster.add_role("bea", PASSWORD)
    url = cluster.tcp_url("bea", dbname)
    # libpq's own sources of a password: none here (and the user's real ones are not read).
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))
    home_pgpass = Path.home() / ".pgpass"
    pgpass_before = home_pgpass.stat().st_mtime_ns if home_pgpass.exists() else None

    args = app.build_parser().parse_args(["--database", url, "--business-unit", "--data-dir", str(tmp_path / "me")])
    launcher = app.Launcher(qapp, args)
    launcher.start()
    try:
        qtbot.waitUntil(lambda: getattr(launcher, "password_dialog", None) is not None, timeout=20_000)
        first = launcher.password_dialog
        qtbot.waitUntil(first.isVisible)
        assert first.windowTitle() == "Database password"
        assert first.textEchoMode() == QLineEdit.EchoMode.Password, "typed as dots"
        assert "needs a password" in first.labelText() and "bea" in first.labelText()
        assert launcher.window is None, "nothing opened without it"

        first.setTextValue("not the password")
        first.accept()
        qtbot.waitUntil(lambda: launcher.password_dialog is not first, timeout=20_000)
        again = launcher.password_dialog
        qtbot.waitUntil(again.isVisible)
        said = again.labelText()
        assert said.startswith(f"The PostgreSQL server of {dbname} on 127.0.0.1:{cluster.port} as bea did not accept "
                               "the password"), said  # fmt: skip
        assert 'password authentication failed for user "bea"' in said, said
        assert again.width() < 1000, "the server's words wrapped, not one line across the screen"
        assert "not the password" not in said and again.textValue() == "", "the wrong one is neither shown nor kept"
        assert launcher.window is None

        again.setTextValue(PASSWORD)
        again.accept()
        qtbot.waitUntil(lambda: launcher.window is not None, timeout=20_000)
        assert launcher.window is not None and launcher.window.business_unit.active
        assert f"PostgreSQL: {dbname}" in launcher.window.windowTitle()
        assert launcher.ws is not None and launcher.ws.engine == "postgresql"
        qtbot.waitUntil(lambda: launcher.name_dialog is not None and launcher.name_dialog.isVisible(), timeout=10_000)
        launcher.name_dialog.setTextValue("Bea Unit")
        launcher.name_dialog.accept()
        assert launcher.ws.setting("user_name") == "Bea Unit"
    finally:
        qtbot.waitUntil(lambda: not ops.running(), timeout=20_000)
        launcher.close()

    # Written nowhere in clear: not in the officer's folder, the settings, the logs, the cache, nor a .pgpass.
    folders = [tmp_path, *(Path(os.environ[v]) for v in (paths.DATA_DIR_ENV, paths.LOG_DIR_ENV, paths.CACHE_DIR_ENV))]
    log = logs.current_file()  # where this process logs (set up once per process: maybe by an earlier test)
    assert log is not None and log.is_file() and "password" in log.read_text(encoding="utf-8"), "the refusals logged"
    folders.append(log.parent)
    assert files_holding(PASSWORD, *folders) == []
    assert files_holding("not the password", *folders) == []
    assert (home_pgpass.stat().st_mtime_ns if home_pgpass.exists() else None) == pgpass_before
    # The server keeps a SCRAM verifier, not the password either.
    stored = cluster.psql("postgres", "SELECT rolpassword FROM pg_authid WHERE rolname = 'bea'").stdout
    assert stored.startswith("SCRAM-SHA-256$") and PASSWORD not in stored

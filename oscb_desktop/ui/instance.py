"""One window per workspace: a second start with files (a double-click on a bundle, a pack, a feedback file) hands
them to the window already open on that workspace, through a local socket named after the workspace folder, and
that window comes to the front and opens them; then the second start ends.

The message is one line of JSON, ``{"open": ["/abs/path", ...]}``, answered ``ok``. A socket left behind by a
crashed app is removed before listening (``QLocalServer.removeServer``).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

#: How long a second start waits for the first window to answer before opening its own.
HANDOVER_TIMEOUT_MS = 2000
#: A hand-over message is a few paths: anything longer is not ours.
MAX_MESSAGE_BYTES = 64 * 1024


def server_name(folder: Path) -> str:
    """The local socket of the window open on ``folder`` (per user: the folder is the user's)."""
    return "oscb-desktop-" + hashlib.sha256(str(folder.resolve()).encode("utf-8")).hexdigest()[:24]


def hand_over(folder: Path, files: Sequence[Path], timeout_ms: int = HANDOVER_TIMEOUT_MS) -> bool:
    """Give ``files`` to the window already open on ``folder``; False when there is none (or it did not answer)."""
    socket = QLocalSocket()
    socket.connectToServer(server_name(folder))
    if not socket.waitForConnected(timeout_ms):
        return False
    message = json.dumps({"open": [str(Path(f).absolute()) for f in files]}).encode("utf-8") + b"\n"
    socket.write(message)
    if not socket.waitForBytesWritten(timeout_ms) or not socket.waitForReadyRead(timeout_ms):
        socket.abort()
        return False
    answer = bytes(socket.readAll().data()).strip()
    socket.disconnectFromServer()
    return answer == b"ok"


class InstanceServer(QObject):
    """Listens for files handed over by a second start on the same workspace; emits them on the UI thread."""

    sig_files = Signal(list)
    """Paths (``list[Path]``) a second start asked this window to open."""

    def __init__(self, folder: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._connected)
        name = server_name(folder)
        if not self.server.listen(name):
            QLocalServer.removeServer(name)  # left behind by an app that crashed
            if not self.server.listen(name):
                log.warning("cannot listen for files handed over: %s", self.server.errorString())

    @property
    def listening(self) -> bool:
        return self.server.isListening()

    def close(self) -> None:
        self.server.close()

    @Slot()
    def _connected(self) -> None:
        socket = self.server.nextPendingConnection()
        if socket is None:
            return
        buffer = bytearray()

        def read() -> None:
            buffer.extend(bytes(socket.readAll().data()))
            if len(buffer) > MAX_MESSAGE_BYTES:
                socket.abort()
                return
            if not buffer.endswith(b"\n"):
                return
            try:
                paths = [Path(p) for p in json.loads(bytes(buffer))["open"] if isinstance(p, str)]
            except (ValueError, KeyError, TypeError):
                socket.abort()
                return
            socket.write(b"ok\n")
            socket.flush()
            socket.disconnectFromServer()
            self.sig_files.emit(paths)

        socket.readyRead.connect(read)
        socket.disconnected.connect(socket.deleteLater)

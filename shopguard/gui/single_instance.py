"""One window per data home: a second launch hands its photos to the running app and exits.

"Open with ShopGuard" on three photos may start ShopGuard three times (Windows Explorer starts one
process per file; some Linux file managers do too). The first process listens on a local socket
(QLocalServer: a Unix socket in the user's runtime folder, a named pipe on Windows); later ones connect,
send their photos as one JSON line and exit, so the seller gets one window and one case.

A launch listens only after finding nobody to hand over to. On Unix ``listen`` then fails while another
window holds the socket (a launch that lost the race hands over after all) and a socket file left by a
killed app is removed. Windows lets two processes create the same pipe, so there two launches that start
within the same few milliseconds can still open two windows.

The socket name is derived from the user and the data home: two users on one computer, or two data
homes (``--home``) of one user, never talk to each other's window.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
import os
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_MS = 500  # the running app answers within milliseconds; a dead socket fails at once
REPLY_TIMEOUT_MS = 3000  # a busy GUI thread (a long layout) may take a moment to read the line
REPLY_OK = b"ok\n"
MAX_MESSAGE_BYTES = 1_000_000  # a few thousand paths; more is not a launch from a file manager


def server_name(home: Path) -> str:
    """The local-socket name for ``home`` and the current user.

    On Unix it is a full path in the user's private runtime folder ($XDG_RUNTIME_DIR, or a 0700 folder in
    the temp folder), so other users cannot reach it. Qt's UserAccessOption would do that too, but with it
    ``listen`` silently replaces a live app's socket (it renames its own over it), and the app relies on
    ``listen`` failing while another window runs.
    """
    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # no login name (a container without passwd entry): the home alone decides
        user = ""
    digest = hashlib.sha256(f"{user}\0{home.expanduser().absolute()}".encode()).hexdigest()[:16]
    name = f"shopguard-{digest}"
    if sys.platform.startswith("win"):
        return name  # a named pipe; PhotoReceiver limits it to this user
    folder = _private_runtime_folder()
    return str(folder / name) if folder is not None else name


def _private_runtime_folder() -> Path | None:
    """$XDG_RUNTIME_DIR, else ``<tmp>/shopguard-<uid>`` made with mode 0700; None when neither is safe to use."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and Path(runtime).is_dir():
        return Path(runtime)
    folder = Path(tempfile.gettempdir()) / f"shopguard-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = folder.stat()
    except OSError:
        return None
    if info.st_uid != os.getuid() or info.st_mode & 0o077:
        log.warning("not using %s for the app's socket: not private to this user", folder)
        return None
    return folder


def hand_over(name: str, photos: list[Path]) -> bool:
    """Send ``photos`` (absolute paths; may be empty, which only raises the window) to a running app.

    Returns:
        True when a running app took them; False when none answers (this process should start the app).
    """
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
        return False
    message = json.dumps({"photos": [str(p.absolute()) for p in photos]}, ensure_ascii=False) + "\n"
    socket.write(message.encode("utf-8"))
    socket.waitForBytesWritten(REPLY_TIMEOUT_MS)  # False when the bytes already left: the reply decides
    reply = b""
    while not reply.endswith(b"\n") and socket.waitForReadyRead(REPLY_TIMEOUT_MS):
        reply += bytes(socket.readAll().data())
    socket.disconnectFromServer()
    return reply == REPLY_OK


class PhotoReceiver(QObject):
    """Listens for later launches of ShopGuard on the same data home.

    Signals:
        photos_received(list[Path]): a later launch handed these photos over (possibly none: bring the window up).
    """

    photos_received = Signal(list)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.server = QLocalServer(self)
        if sys.platform.startswith("win"):
            # Only this user may connect to the pipe (on Unix the runtime folder's 0700 mode does that).
            self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._on_server_new_connection)
        self._buffers: dict[QLocalSocket, bytearray] = {}

    def listen(self, remove_stale: bool = False) -> bool:
        """Start listening; True when this process now receives later launches' photos.

        Args:
            remove_stale: remove a socket left behind by a killed app first. Only after ``hand_over`` found
                nobody answering on it: on Unix a live app's socket would be taken away too.
        """
        if remove_stale:
            QLocalServer.removeServer(self.name)
        if self.server.listen(self.name):
            return True
        log.info("cannot listen on %s: %s", self.name, self.server.errorString())
        return False

    def close(self) -> None:
        self.server.close()

    def _on_server_new_connection(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            self._buffers[socket] = bytearray()
            socket.readyRead.connect(lambda s=socket: self._on_socket_ready_read(s))
            socket.disconnected.connect(lambda s=socket: self._forget(s))

    def _forget(self, socket: QLocalSocket) -> None:
        self._buffers.pop(socket, None)
        socket.deleteLater()

    def _on_socket_ready_read(self, socket: QLocalSocket) -> None:
        buffer = self._buffers.get(socket)
        if buffer is None:
            return
        buffer.extend(bytes(socket.readAll().data()))
        if len(buffer) > MAX_MESSAGE_BYTES:
            log.warning("ignoring an oversized hand-over message")
            socket.abort()
            return
        if b"\n" not in buffer:
            return
        line = bytes(buffer).split(b"\n", 1)[0]
        try:
            listed = json.loads(line.decode("utf-8"))["photos"]
            if not isinstance(listed, list):
                raise TypeError("photos is not a list")
            photos = [Path(p) for p in listed if isinstance(p, str)]
        except (ValueError, KeyError, TypeError):
            log.warning("ignoring a malformed hand-over message")
            socket.abort()
            return
        socket.write(REPLY_OK)
        socket.flush()
        log.info("a later launch handed over %d photo(s)", len(photos))
        self.photos_received.emit(photos)

"""sd_notify against a real datagram socket bound here, as systemd would bind it."""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.system import notify
from kiosk.system.notify import Watchdog

RECV_WAIT = 2.0  # seconds to wait for a datagram that should arrive
QUIET_WAIT = 0.5  # seconds of silence that show pings have stopped


def _bind(address: str) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(address)
    sock.settimeout(RECV_WAIT)
    return sock


@pytest.fixture
def systemd_socket() -> Iterator[tuple[socket.socket, str]]:
    """A path socket in a short temp dir (sun_path holds 108 bytes) and its $NOTIFY_SOCKET value."""
    import tempfile
    with tempfile.TemporaryDirectory(prefix="sdn-") as tmp:
        path = str(Path(tmp) / "notify")
        sock = _bind(path)
        try:
            yield sock, path
        finally:
            sock.close()


def _recv(sock: socket.socket) -> str:
    return sock.recv(4096).decode()


def _drain(sock: socket.socket) -> list[str]:
    got = []
    sock.settimeout(0.0)
    try:
        while True:
            got.append(_recv(sock))
    except BlockingIOError:
        pass
    finally:
        sock.settimeout(RECV_WAIT)
    return got


def test_ready_status_and_stopping_arrive_as_datagrams(systemd_socket) -> None:
    sock, path = systemd_socket
    env = {"NOTIFY_SOCKET": path}
    assert notify.ready("first screen drawn", environ=env)
    assert _recv(sock) == "READY=1\nSTATUS=first screen drawn"
    assert notify.status("fonts\nready", environ=env)  # a newline would forge a second assignment
    assert _recv(sock) == "STATUS=fonts ready"
    assert notify.extend_timeout(20, environ=env)
    assert _recv(sock) == "EXTEND_TIMEOUT_USEC=20000000"
    assert notify.stopping(environ=env)
    assert _recv(sock) == "STOPPING=1"


def test_abstract_namespace_socket() -> None:
    name = f"lantern-test-{uuid.uuid4().hex}"
    sock = _bind("\0" + name)
    try:
        assert notify.ready(environ={"NOTIFY_SOCKET": "@" + name})
        assert _recv(sock) == "READY=1"
    finally:
        sock.close()


def test_outside_systemd_everything_is_a_quiet_no_op(tmp_path: Path) -> None:
    assert notify.ready(environ={}) is False
    assert notify.status("x", environ={"NOTIFY_SOCKET": ""}) is False
    assert notify.ready(environ={"NOTIFY_SOCKET": "vsock:2:1234"}) is False
    # A socket path with nobody listening: reported as not sent, never raised.
    assert notify.ready(environ={"NOTIFY_SOCKET": str(tmp_path / "gone")}) is False
    watchdog = Watchdog(environ={})
    assert watchdog.start() is False
    assert watchdog.enabled is False
    assert watchdog.ping() is False


def test_watchdog_reads_its_timeout_like_sd_watchdog_enabled(systemd_socket) -> None:
    _sock, path = systemd_socket
    me = str(os.getpid())
    assert notify.watchdog_timeout({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": me}) == 30.0
    assert notify.watchdog_timeout({"WATCHDOG_USEC": "30000000"}) == 30.0
    assert notify.watchdog_timeout({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}) is None  # meant for another process
    assert notify.watchdog_timeout({"WATCHDOG_USEC": "0"}) is None
    assert notify.watchdog_timeout({"WATCHDOG_USEC": "soon"}) is None
    assert Watchdog({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}).start() is False
    watchdog = Watchdog({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "30000000", "WATCHDOG_PID": me})
    assert watchdog.start()
    assert watchdog.timeout == 30.0 and watchdog.interval == 7.5
    watchdog.close()


def test_pings_come_from_the_loop_and_stop_when_it_freezes(systemd_socket) -> None:
    sock, path = systemd_socket
    watchdog = Watchdog({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "2000000", "WATCHDOG_PID": str(os.getpid())})
    assert watchdog.start()
    assert _recv(sock) == "WATCHDOG=1"  # start() pings once

    # A stand-in for the UI loop: it pings while it runs; "frozen" it blocks forever.
    freeze, is_frozen, stop = threading.Event(), threading.Event(), threading.Event()

    def ui_loop() -> None:
        while not stop.is_set():
            if freeze.is_set():
                is_frozen.set()
                stop.wait()
                return
            watchdog.ping()
            stop.wait(0.01)

    loop = threading.Thread(target=ui_loop, daemon=True)
    loop.start()
    try:
        for _ in range(5):
            assert _recv(sock) == "WATCHDOG=1"
        freeze.set()
        assert is_frozen.wait(RECV_WAIT)
        # What the loop sent before it froze is still queued: throw it away.
        assert set(_drain(sock)) <= {"WATCHDOG=1"}
        # Nothing else pings on its own (no helper thread): the socket stays silent.
        sock.settimeout(QUIET_WAIT)
        with pytest.raises(TimeoutError):
            sock.recv(4096)
    finally:
        stop.set()
        loop.join(timeout=RECV_WAIT)
        watchdog.close()


def test_watchdog_reconnects_when_systemd_rebinds_its_socket(tmp_path: Path) -> None:
    import tempfile
    with tempfile.TemporaryDirectory(prefix="sdn-") as tmp:
        path = str(Path(tmp) / "notify")
        first = _bind(path)
        watchdog = Watchdog({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "30000000"})
        assert watchdog.start()
        assert _recv(first) == "WATCHDOG=1"
        first.close()
        os.unlink(path)
        second = _bind(path)  # e.g. after `systemctl daemon-reexec`
        try:
            assert watchdog.ping()
            assert _recv(second) == "WATCHDOG=1"
        finally:
            second.close()
            watchdog.close()

"""Talking to systemd: readiness, status and the watchdog (the sd_notify protocol).

systemd hands a `Type=notify` service the address of a datagram socket in
$NOTIFY_SOCKET (a path, or "@name" for Linux's abstract namespace). A message
is a few "KEY=value" lines in one datagram. This is the whole protocol, so it
is written here rather than pulled in as a dependency. Outside systemd (a
developer's terminal, the tests) every call is a quiet no-op that returns False.

How the kiosk uses it:
- `ready()` when the first screen has been drawn: until then systemd counts the
  start as unfinished (and restarts the kiosk if it never gets there).
- `Watchdog`: started once, then `ping()` from the UI's own loop (a Kivy Clock
  interval). There is deliberately no background thread: a thread would keep
  pinging while the screen is frozen, and the point is that a frozen UI stops
  pinging so systemd kills and restarts it.
- `stopping()` on an orderly shutdown.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping

log = logging.getLogger("lantern.system")

# systemd's advice is to ping at half the timeout. A quarter leaves room for one
# slow frame (a first CJK font preparation, say) right before a ping is due,
# without letting a really frozen screen live longer than WatchdogSec.
PING_FRACTION = 4
MIN_INTERVAL = 0.5  # seconds; a misconfigured WatchdogSec=1ms must not make a busy loop


def socket_address(raw: str | None) -> str | None:
    """The address to send to, from $NOTIFY_SOCKET; None when it is unset or unusable.

    "@name" is the abstract namespace (a leading NUL byte on the wire). Other
    forms systemd may use (e.g. "vsock:" for virtual machines) are not for a
    kiosk and are treated as "not under systemd".
    """
    if not raw:
        return None
    if raw.startswith("@"):
        return "\0" + raw[1:]
    if raw.startswith("/"):
        return raw
    return None


def _send(address: str, message: str) -> bool:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall(message.encode("utf-8"))
        return True
    except OSError as exc:
        # systemd gone or restarting: nothing a visitor should ever notice.
        log.warning("could not notify systemd: %s", exc.strerror or exc)
        return False


def notify(message: str, environ: Mapping[str, str] | None = None) -> bool:
    """Send one sd_notify message ("KEY=value" lines). True when it was sent."""
    address = socket_address((os.environ if environ is None else environ).get("NOTIFY_SOCKET"))
    if address is None:
        return False
    return _send(address, message)


def _one_line(text: str) -> str:
    # A newline would start a new KEY=value assignment in the datagram.
    return " ".join(text.split())


def ready(status: str | None = None, environ: Mapping[str, str] | None = None) -> bool:
    """Tell systemd the kiosk is up (the first screen is drawn)."""
    message = "READY=1"
    if status:
        message += "\nSTATUS=" + _one_line(status)
    return notify(message, environ)


def status(text: str, environ: Mapping[str, str] | None = None) -> bool:
    """A one-line status shown by `systemctl status lantern-kiosk`. Never visitor data."""
    return notify("STATUS=" + _one_line(text), environ)


def stopping(environ: Mapping[str, str] | None = None) -> bool:
    """Tell systemd an orderly stop has begun."""
    return notify("STOPPING=1", environ)


def extend_timeout(seconds: float, environ: Mapping[str, str] | None = None) -> bool:
    """Ask for more start-up (or stop) time, e.g. while fonts are prepared on a first start."""
    return notify(f"EXTEND_TIMEOUT_USEC={max(1, int(seconds * 1_000_000))}", environ)


def watchdog_timeout(environ: Mapping[str, str] | None = None) -> float | None:
    """The watchdog timeout in seconds when systemd watches *this* process, else None.

    Like sd_watchdog_enabled(): $WATCHDOG_USEC must be a positive integer and,
    when $WATCHDOG_PID is set, it must be our pid (a child that inherited the
    environment is not the watched process).
    """
    env = os.environ if environ is None else environ
    try:
        usec = int(env.get("WATCHDOG_USEC", ""))
    except ValueError:
        return None
    if usec <= 0:
        return None
    pid = env.get("WATCHDOG_PID")
    if pid:
        try:
            if int(pid) != os.getpid():
                return None
        except ValueError:
            return None
    return usec / 1_000_000


class Watchdog:
    """Keep-alive pings for systemd's WatchdogSec=, sent from the UI loop.

    Usage in the UI::

        watchdog = Watchdog()
        if watchdog.start():
            Clock.schedule_interval(lambda _dt: watchdog.ping(), watchdog.interval)

    `start()` returns False (and `ping()` does nothing) when systemd is not
    watching, so the same code runs in a terminal and in the tests.
    """

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = environ
        self._sock: socket.socket | None = None
        self._address: str | None = None
        self.timeout: float | None = None  # seconds, when enabled
        self.interval: float = 0.0  # seconds between pings, when enabled

    @property
    def enabled(self) -> bool:
        return self._sock is not None

    def start(self) -> bool:
        """Read the environment, open the socket and send a first ping. True when enabled."""
        self.close()
        env = os.environ if self._environ is None else self._environ
        address = socket_address(env.get("NOTIFY_SOCKET"))
        timeout = watchdog_timeout(env)
        if address is None or timeout is None:
            return False
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
        try:
            sock.connect(address)
        except OSError as exc:
            sock.close()
            log.warning("watchdog disabled: cannot reach systemd's socket: %s", exc.strerror or exc)
            return False
        self._sock, self._address = sock, address
        self.timeout = timeout
        self.interval = max(MIN_INTERVAL, timeout / PING_FRACTION)
        self.ping()
        return True

    def ping(self) -> bool:
        """Send WATCHDOG=1. Call it from the loop whose liveness it vouches for."""
        if self._sock is None:
            return False
        try:
            self._sock.send(b"WATCHDOG=1")
            return True
        except OSError:
            pass
        # The connection can go stale when systemd re-executes itself: reconnect once.
        self._sock.close()
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
        try:
            sock.connect(self._address or "")
            sock.send(b"WATCHDOG=1")
        except OSError as exc:
            sock.close()
            log.warning("watchdog ping failed: %s", exc.strerror or exc)
            return False  # the closed socket stays: the next ping tries to reconnect again
        self._sock = sock
        return True

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
        self._sock = None

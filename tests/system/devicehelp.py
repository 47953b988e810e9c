"""Run the kiosk as a device does, in a subprocess, and listen as systemd would.

`NotifySocket` is the AF_UNIX datagram socket systemd hands a Type=notify
service as $NOTIFY_SOCKET; each message carries the kernel's receive time
(SO_TIMESTAMP), so gaps between watchdog pings are measured where they
arrive, not when a busy test thread gets round to reading them.
`Device` runs tests/system/kiosk_driver.py (the real `kiosk run` start-up,
offscreen) with that socket and a data directory, and reads its JSON lines.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).resolve().parent / "kiosk_driver.py"
SO_TIMESTAMP = getattr(socket, "SO_TIMESTAMP", 29)


@dataclass(frozen=True)
class Message:
    at: float  # kernel receive time, seconds since the epoch
    text: str

    @property
    def fields(self) -> dict[str, str]:
        return dict(line.split("=", 1) for line in self.text.splitlines() if "=" in line)


class NotifySocket:
    def __init__(self, folder: Path) -> None:
        self.path = folder / "notify.sock"
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(self.path))
        self.sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMP, 1)
        self.messages: list[Message] = []

    def receive(self, timeout: float) -> Message | None:
        self.sock.settimeout(timeout)
        try:
            data, ancdata, _flags, _addr = self.sock.recvmsg(4096, socket.CMSG_SPACE(16))
        except (socket.timeout, BlockingIOError):
            return None
        at = time.time()
        for level, kind, cdata in ancdata:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMP and len(cdata) >= 16:
                sec, usec = struct.unpack("qq", cdata[:16])
                at = sec + usec / 1e6
        message = Message(at, data.decode())
        self.messages.append(message)
        return message

    def drain(self) -> list[Message]:
        """Everything already waiting, without blocking."""
        out = []
        while (m := self.receive(0.0)) is not None:
            out.append(m)
        return out

    def wait_for(self, key: str, timeout: float) -> Message | None:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            m = self.receive(left)
            if m is not None and key in m.fields:
                return m
        return None

    def close(self) -> None:
        self.sock.close()


def device_env(data: Path, notify: NotifySocket | None, watchdog_usec: int | None = None,
               **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "ALSA_CONFIG_PATH")}
    env.update({"SDL_VIDEODRIVER": "offscreen", "LANTERN_DATA": str(data), "PYTHONUNBUFFERED": "1"})
    if notify is not None:
        env["NOTIFY_SOCKET"] = str(notify.path)
    if watchdog_usec is not None:
        env["WATCHDOG_USEC"] = str(watchdog_usec)
    env.update(extra)
    return env


@dataclass
class Device:
    """One run of the kiosk through the driver. Lines it prints arrive in `events`."""

    env: dict[str, str]
    args: tuple[str, ...] = ("--windowed",)
    proc: subprocess.Popen | None = None
    started: float = 0.0
    events: "queue.Queue[dict]" = field(default_factory=queue.Queue)
    stderr_lines: list[str] = field(default_factory=list)

    def start(self) -> "Device":
        self.started = time.time()
        self.proc = subprocess.Popen([sys.executable, str(DRIVER), *self.args], env=self.env, cwd=ROOT,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, bufsize=1)
        threading.Thread(target=self._read_out, daemon=True).start()
        threading.Thread(target=self._read_err, daemon=True).start()
        return self

    def _read_out(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            try:
                self.events.put(json.loads(line))
            except ValueError:
                self.events.put({"event": "text", "line": line.rstrip()})

    def _read_err(self) -> None:
        assert self.proc is not None and self.proc.stderr is not None
        for line in self.proc.stderr:
            self.stderr_lines.append(line.rstrip())

    @property
    def stderr(self) -> str:
        return "\n".join(self.stderr_lines)

    def send(self, command: str) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def wait_event(self, name: str, timeout: float = 30.0) -> dict:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                event = self.events.get(timeout=left)
            except queue.Empty:
                break
            if event.get("event") == name:
                return event
        raise AssertionError(f"no {name!r} from the kiosk within {timeout} s; exit "
                             f"{self.proc.poll() if self.proc else None}; stderr:\n{self.stderr[-3000:]}")

    def ask(self, command: str, answer: str, timeout: float = 30.0) -> dict:
        self.send(command)
        return self.wait_event(answer, timeout)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def terminate(self, timeout: float = 20.0) -> int:
        """systemd's stop: SIGTERM, then the exit code."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"the kiosk did not stop within {timeout} s of SIGTERM")

    def close(self) -> None:
        self.kill()
        if self.proc is not None:
            for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
                if stream is not None:
                    try:
                        stream.close()
                    except OSError:
                        pass


def serve(env: dict[str, str], notify: NotifySocket, timeout: float = 60.0) -> tuple[Device, float]:
    """Start the kiosk; return it once READY=1 has arrived, with the seconds that took."""
    notify.drain()
    device = Device(env).start()
    ready = notify.wait_for("READY", timeout)
    if ready is None:
        device.close()
        raise AssertionError(f"no READY=1 within {timeout} s; exit {device.proc.poll() if device.proc else None}"
                             f"; stderr:\n{device.stderr[-3000:]}")
    return device, ready.at - device.started


def run_soak(*args: str, timeout: float = 360) -> dict:
    """bench/soak.py in its own process (its memory is the kiosk's alone); its JSON summary."""
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "soak.py"), "--json", *args],
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                          env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines = done.stdout.strip().splitlines()
    print("\n".join(lines[:-1])[-8000:])  # the printed report; its last line is the JSON summary
    assert done.returncode == 0, done.stderr[-4000:]
    assert "Traceback" not in done.stderr, done.stderr[-4000:]
    return json.loads(lines[-1])

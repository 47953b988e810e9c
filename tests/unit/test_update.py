"""`kiosk pack update URL` against a real HTTP server on 127.0.0.1, including bad ones."""

from __future__ import annotations

import http.server
import os
import subprocess
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest

from kiosk.content.archive import PackRefused
from kiosk.content.install import CURRENT, LAST_GOOD, linked
from kiosk.content.signing import generate_keypair, trust_key
from kiosk.content.update import UpdateFailed, downloads_dir, fetch, update_from
from tests.kit.packs import build_tiny



class Handler(http.server.BaseHTTPRequestHandler):
    routes: dict[str, bytes] = {}

    def log_message(self, *args: object) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        try:
            self._answer()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (the timeout test): expected

    def _answer(self) -> None:
        body = self.routes.get(self.path.split("/")[-1])
        kind = self.path.split("/")[1]
        if body is None:
            self.send_error(404, "Not Found")
            return
        if kind == "slow":
            time.sleep(2)
        self.send_response(200)
        if kind == "huge":
            self.send_header("Content-Length", str(10**12))
        elif kind != "nolength":
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if kind in ("drop", "nolength"):
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        if kind != "huge":
            self.wfile.write(body)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def packs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    tmp = tmp_path_factory.mktemp("upd")
    key, _pub = generate_keypair(str(tmp / "facility"))
    Handler.routes = {"v1.lantern": build_tiny(tmp, key, 1), "v2.lantern": build_tiny(tmp, key, 2)}
    return {"key": key}


@pytest.fixture
def device(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, packs: dict[str, object]) -> Path:
    data = tmp_path / "device"
    monkeypatch.setenv("LANTERN_DATA", str(data))
    trust_key(Path(str(packs["key"])).with_suffix(".pub"))
    return data


def snapshot() -> tuple[object, object, list[str]]:
    cur, last = linked(CURRENT), linked(LAST_GOOD)
    leftovers = sorted(p.name for p in downloads_dir().glob("*")) if downloads_dir().is_dir() else []
    return (cur.slot if cur else None, last.slot if last else None, leftovers)


def test_update_installs_a_newer_pack(server: str, device: Path) -> None:
    first = update_from(f"{server}/ok/v1.lantern")
    assert first.status == "installed" and first.installed.manifest.version == 1
    second = update_from(f"{server}/ok/v2.lantern")
    assert second.installed.manifest.version == 2 and second.previous.manifest.version == 1
    assert update_from(f"{server}/ok/v2.lantern").status == "unchanged"
    assert snapshot()[2] == []  # the download is gone


def test_a_dropped_connection_changes_nothing(server: str, device: Path) -> None:
    update_from(f"{server}/ok/v1.lantern")
    before = snapshot()
    with pytest.raises(UpdateFailed, match=r"stopped after \d+ of \d+ bytes|interrupted"):
        update_from(f"{server}/drop/v2.lantern")
    assert snapshot() == before
    # Without a Content-Length the cut is found by the pack check instead.
    with pytest.raises(PackRefused):
        update_from(f"{server}/nolength/v2.lantern")
    assert snapshot() == before


@pytest.mark.parametrize("route, message", [
    ("missing/v9.lantern", "answered 404"),
    ("huge/v2.lantern", "the limit is"),
])
def test_bad_answers_change_nothing(server: str, device: Path, route: str, message: str) -> None:
    update_from(f"{server}/ok/v1.lantern")
    before = snapshot()
    with pytest.raises(UpdateFailed, match=message):
        update_from(f"{server}/{route}")
    assert snapshot() == before


def test_timeouts_and_unreachable_servers(server: str, device: Path) -> None:
    with pytest.raises(UpdateFailed, match="interrupted|cannot reach"):
        fetch(f"{server}/slow/v2.lantern", timeout=0.5)
    with pytest.raises(UpdateFailed, match="cannot reach"):
        fetch("http://127.0.0.1:9/pack.lantern", timeout=2)
    with pytest.raises(UpdateFailed, match="not an http"):
        fetch("file:///etc/passwd")
    assert snapshot()[2] == []


def test_download_size_limit(server: str, device: Path) -> None:
    with pytest.raises(UpdateFailed, match="the limit is 1000"):
        fetch(f"{server}/ok/v1.lantern", limit=1000)
    with pytest.raises(UpdateFailed, match="larger than 300 bytes"):
        fetch(f"{server}/nolength/v1.lantern", limit=300)
    assert snapshot()[2] == []


def test_update_command(server: str, device: Path, kiosk_cmd: list[str]) -> None:
    env = {**os.environ, "LANTERN_DATA": str(device)}
    ok = subprocess.run([*kiosk_cmd, "pack", "update", f"{server}/ok/v2.lantern"], capture_output=True,
                        text=True, env=env)
    assert ok.returncode == 0, ok.stderr
    same = subprocess.run([*kiosk_cmd, "pack", "update", f"{server}/ok/v2.lantern"], capture_output=True,
                          text=True, env=env)
    assert same.returncode == 3
    cut = subprocess.run([*kiosk_cmd, "pack", "update", f"{server}/drop/v1.lantern"], capture_output=True,
                         text=True, env=env)
    assert cut.returncode == 1 and cut.stderr.startswith("kiosk: ") and "Traceback" not in cut.stderr

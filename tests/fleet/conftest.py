"""Shared pieces for the fleet tests: keys, signed packs, an update server on 127.0.0.1."""

from __future__ import annotations

import http.server
import threading
from dataclasses import dataclass, field
from email.utils import formatdate
from pathlib import Path
from typing import Iterator

import pytest

from kiosk.content.signing import generate_keypair
from tests.kit.packs import build_tiny  # noqa: F401 - the fleet tests import it from here



@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Secret keys A, B and an outsider's key X; their .pub files sit beside them."""
    folder = tmp_path_factory.mktemp("keys")
    return {name: generate_keypair(str(folder / f"key-{name.lower()}"))[0] for name in ("A", "B", "X")}


@dataclass
class Served:
    """What the server holds and what it answered: one entry per request."""

    files: dict[str, bytes] = field(default_factory=dict)
    etags: dict[str, str] = field(default_factory=dict)
    modified: dict[str, str] = field(default_factory=dict)
    log: list[tuple[str, int, int]] = field(default_factory=list)  # (path, status, body bytes)
    header_bytes: int = 0  # status lines and headers of every answer
    lock: threading.Lock = field(default_factory=threading.Lock)

    def put(self, name: str, body: bytes, etag: str | None, modified: str | None = None) -> None:
        """etag None: a server that sends only Last-Modified."""
        with self.lock:
            self.files[name] = body
            if etag is None:
                self.etags.pop(name, None)
            else:
                self.etags[name] = f'"{etag}"'
            self.modified[name] = modified or formatdate(usegmt=True)

    def reset_log(self) -> None:
        with self.lock:
            self.log.clear()
            self.header_bytes = 0

    def bytes_served(self) -> int:
        with self.lock:
            return self.header_bytes + sum(size for _n, _s, size in self.log)


class _Handler(http.server.BaseHTTPRequestHandler):
    served: Served
    protocol_version = "HTTP/1.0"

    def log_message(self, *args: object) -> None:
        pass

    def flush_headers(self) -> None:
        with self.served.lock:  # counted before they are sent, like the body in _log
            self.served.header_bytes += sum(len(part) for part in getattr(self, "_headers_buffer", []))
        super().flush_headers()

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        name = self.path.lstrip("/")
        with self.served.lock:
            body = self.served.files.get(name)
            etag = self.served.etags.get(name)
            modified = self.served.modified.get(name)
        # Logged before answering: the client may read the answer before this thread logs.
        if body is None:
            self._log(name, 404, 0)
            self.send_error(404)
            return
        asked_etag = self.headers.get("If-None-Match")
        unchanged = (asked_etag == etag) if etag is not None and asked_etag is not None else \
            (etag is None and self.headers.get("If-Modified-Since") == modified)
        if unchanged:
            self._log(name, 304, 0)
            self.send_response(304)
            if etag is not None:
                self.send_header("ETag", etag)
            self.end_headers()
            return
        self._log(name, 200, len(body))
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        if etag is not None:
            self.send_header("ETag", etag)
        self.send_header("Last-Modified", modified or "")
        self.end_headers()
        self.wfile.write(body)

    def _log(self, name: str, status: int, size: int) -> None:
        with self.served.lock:
            self.served.log.append((name, status, size))


@pytest.fixture
def server() -> Iterator[tuple[str, Served]]:
    served = Served()
    handler = type("Handler", (_Handler,), {"served": served})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", served
    finally:
        httpd.shutdown()
        httpd.server_close()

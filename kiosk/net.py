"""One downloader for everything Lantern fetches: packs, trust statements, voice models.

- A size cap: a declared Content-Length over the cap is refused before a byte
  is read, and a body that grows past it is cut off.
- Conditional requests: give the ETag / Last-Modified of the copy you have and
  an unchanged file costs one small "304 Not Modified" answer.
- Atomic: the body goes to a temporary file next to the destination, is
  fsynced and renamed over it only when complete; a dropped connection, a short
  body or an oversize one leaves the destination as it was and no temporary
  file behind.
- Progress: a tqdm bar on a terminal; plain lines every `interval` seconds
  otherwise (the journal), so a 1.8 GB model download shows it is alive.

This module sits below `content`, `system` and `voice` and imports none of them.
"""

from __future__ import annotations

import http.client
import os
import secrets
import socket
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from kiosk import __version__

CHUNK = 256 * 1024
USER_AGENT = f"lantern-kiosk/{__version__}"
PROGRESS_INTERVAL = 30.0  # seconds between plain progress lines (not a terminal)
MB = 1024 * 1024


class DownloadError(Exception):
    """Nothing was written to the destination; the message says why, in one line.

    `status` is the server's HTTP status when it answered with an error (404...),
    else None (unreachable, cut off, too large)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Validators:
    """What identifies the copy a device already has, from the server's last answer."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        found = {}
        if self.etag:
            found["If-None-Match"] = self.etag
        if self.last_modified:
            found["If-Modified-Since"] = self.last_modified
        return found

    def to_json(self) -> dict[str, str]:
        return {k: v for k, v in (("etag", self.etag), ("last_modified", self.last_modified)) if v}

    @staticmethod
    def from_json(data: object) -> Validators:
        if not isinstance(data, dict):
            return Validators()
        etag, modified = data.get("etag"), data.get("last_modified")
        return Validators(etag if isinstance(etag, str) else None,
                          modified if isinstance(modified, str) else None)


@dataclass(frozen=True)
class Downloaded:
    """The answer: a new file at `path`, or `not_modified` (the destination is untouched)."""

    path: Path
    not_modified: bool
    size: int  # bytes written; 0 when not modified
    validators: Validators  # to send next time


def _check_url(url: str) -> None:
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise DownloadError(f"'{url}' is not an http:// or https:// address")


def _size(n: float) -> str:
    return f"{n / MB:.1f} MB"


class _Progress:
    """A tqdm bar on a terminal, else a plain line every `interval` seconds and one at the end."""

    def __init__(self, label: str, total: int | None, stream: TextIO | None, interval: float) -> None:
        self.label = label
        self.total = total
        self.stream = stream
        self.interval = interval
        self.done = 0
        self.bar = None
        self.printed = False
        self.last = time.monotonic()
        if stream is not None and _isatty(stream):
            from tqdm import tqdm
            self.bar = tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=label,
                            file=stream, leave=False)

    def update(self, n: int) -> None:
        self.done += n
        if self.bar is not None:
            self.bar.update(n)
            return
        now = time.monotonic()
        if self.stream is not None and now - self.last >= self.interval:
            self.last = now
            self.printed = True
            print(f"{self.label}: {self._amount()}", file=self.stream, flush=True)

    def _amount(self) -> str:
        if self.total:
            return f"{_size(self.done)} of {_size(self.total)} ({100 * self.done // self.total}%)"
        return _size(self.done)

    def close(self, finished: bool) -> None:
        if self.bar is not None:
            self.bar.close()
        # A closing line only for downloads long enough to have printed progress.
        elif finished and self.printed and self.stream is not None:
            print(f"{self.label}: {self._amount()}, done", file=self.stream, flush=True)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def download(url: str, dest: Path, *, limit: int, timeout: float = 60.0,
             validators: Validators | None = None, label: str | None = None,
             progress: TextIO | None = None, interval: float = PROGRESS_INTERVAL) -> Downloaded:
    """GET `url` into `dest` (replaced atomically), at most `limit` bytes.

    With `validators`, a 304 answer returns `not_modified=True` and leaves `dest`
    alone. `progress` is where progress goes (None: nowhere). Raises
    DownloadError, with nothing written, for anything that is not a complete body.
    """
    _check_url(url)
    dest = Path(dest)
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    headers.update((validators or Validators()).headers())
    request = urllib.request.Request(url, headers=headers)
    tmp = dest.with_name(f".{dest.name}.part-{secrets.token_hex(4)}")
    meter: _Progress | None = None
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            declared = response.headers.get("Content-Length")
            expected = int(declared) if declared and declared.isdigit() else None
            if expected is not None and expected > limit:
                raise DownloadError(f"{url} is {expected} bytes; the limit is {limit}")
            got = Validators(response.headers.get("ETag"), response.headers.get("Last-Modified"))
            meter = _Progress(label or url, expected, progress, interval)
            count = 0
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                while chunk := response.read(CHUNK):
                    count += len(chunk)
                    if count > limit:
                        raise DownloadError(f"the download from {url} is larger than {limit} bytes; stopped")
                    fh.write(chunk)
                    meter.update(len(chunk))
                fh.flush()
                os.fsync(fh.fileno())
            if expected is not None and count != expected:
                raise DownloadError(f"the download from {url} stopped after {count} of {expected} bytes")
        os.replace(tmp, dest)
        meter.close(True)
        return Downloaded(dest, False, count, got)
    except urllib.error.HTTPError as exc:
        if exc.code == 304 and validators is not None:
            same = Validators(exc.headers.get("ETag") or validators.etag,
                              exc.headers.get("Last-Modified") or validators.last_modified)
            return Downloaded(dest, True, 0, same)
        raise DownloadError(f"the server at {url} answered {exc.code} {exc.reason}", exc.code) from None
    except urllib.error.URLError as exc:
        raise DownloadError(f"cannot reach {url}: {exc.reason}") from None
    except DownloadError:
        raise
    except (http.client.HTTPException, ConnectionError, TimeoutError, socket.timeout, OSError, ValueError) as exc:
        raise DownloadError(f"the download from {url} was interrupted ({type(exc).__name__}: {exc})") from None
    finally:
        if meter is not None and meter.bar is not None:
            meter.bar.close()
        tmp.unlink(missing_ok=True)


def default_progress() -> TextIO:
    """Where commands send progress: stderr (a bar on a terminal, lines in the journal)."""
    return sys.stderr

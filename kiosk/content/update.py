"""Fetching a newer signed pack over http(s) and installing it.

The download is streamed to a temporary file inside the data directory, with a
size limit and a timeout; a connection that drops, a short body or an oversize
one leaves nothing behind and changes nothing. The file is then installed
exactly like `kiosk pack install` (signature, replay and region checks, atomic
switch). systemd/lantern-pack-update.timer runs this daily.
"""

from __future__ import annotations

import http.client
import os
import secrets
import socket
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from kiosk import __version__
from kiosk.content.archive import MAX_ARCHIVE_BYTES, PackRefused
from kiosk.content.install import InstallResult, install_file
from kiosk.system.paths import data_dir

TIMEOUT_SECONDS = 60.0
_CHUNK = 64 * 1024


class UpdateFailed(PackRefused):
    pass


def downloads_dir() -> Path:
    return data_dir() / "downloads"


def fetch(url: str, dest_dir: Path | None = None, timeout: float = TIMEOUT_SECONDS,
          limit: int = MAX_ARCHIVE_BYTES) -> Path:
    """Download `url` to a new file in `dest_dir`; raises UpdateFailed and leaves no file."""
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise UpdateFailed(f"'{url}' is not an http:// or https:// address")
    dest_dir = dest_dir or downloads_dir()
    dest_dir.mkdir(parents=True, exist_ok=True)
    for stale in dest_dir.glob(".download-*"):
        stale.unlink(missing_ok=True)  # left by an update that was cut short
    target = dest_dir / f".download-{secrets.token_hex(6)}.pack"
    request = urllib.request.Request(url, headers={"User-Agent": f"lantern-kiosk/{__version__}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            declared = response.headers.get("Content-Length")
            expected = int(declared) if declared and declared.isdigit() else None
            if expected is not None and expected > limit:
                raise UpdateFailed(f"the pack at {url} is {expected} bytes; the limit is {limit}")
            count = 0
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                while chunk := response.read(_CHUNK):
                    count += len(chunk)
                    if count > limit:
                        raise UpdateFailed(f"the download from {url} is larger than {limit} bytes; stopped")
                    fh.write(chunk)
                fh.flush()
                os.fsync(fh.fileno())
            if expected is not None and count != expected:
                raise UpdateFailed(f"the download from {url} stopped after {count} of {expected} bytes")
    except UpdateFailed:
        target.unlink(missing_ok=True)
        raise
    except urllib.error.HTTPError as exc:
        target.unlink(missing_ok=True)
        raise UpdateFailed(f"the server at {url} answered {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        target.unlink(missing_ok=True)
        raise UpdateFailed(f"cannot reach {url}: {exc.reason}") from None
    except (http.client.HTTPException, ConnectionError, TimeoutError, socket.timeout, OSError) as exc:
        target.unlink(missing_ok=True)
        raise UpdateFailed(f"the download from {url} was interrupted ({type(exc).__name__}: {exc})") from None
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target


def update_from(url: str, force: bool = False, timeout: float = TIMEOUT_SECONDS) -> InstallResult:
    """Fetch and install; the downloaded file is removed whatever happens."""
    path = fetch(url, timeout=timeout)
    try:
        return install_file(path, force=force)
    finally:
        path.unlink(missing_ok=True)

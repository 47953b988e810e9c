"""Fetching a newer signed pack (and trust statement) over http(s) and installing it.

Downloads go through kiosk.net: a size cap, a timeout, an atomic write into the
data directory; a connection that drops, a short body or an oversize one
leaves nothing behind and changes nothing. The file is then installed exactly
like `kiosk pack install` (signature, replay and region checks, atomic switch).

Update checks are conditional: after a pack from URL is installed, the
server's ETag and Last-Modified are kept in data_dir()/update.json together
with the signed manifest they belong to, and the next check sends them
(If-None-Match / If-Modified-Since). An unchanged pack then costs one small
"304 Not Modified" answer instead of the whole file. The validators are only
used while that very pack is the one installed, so a device that rolled back
or was reinstalled downloads the file again.

The same file records the last check's result and time (for `kiosk doctor`
and its Prometheus gauges). systemd/lantern-pack-update.timer runs this daily.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from kiosk.content.archive import MAX_ARCHIVE_BYTES, PackRefused
from kiosk.content.install import CURRENT, InstallResult, install_file, linked, write_json_atomic
from kiosk.content.signing import MAX_TRUST_FILE, TrustChange, TrustRefused, apply_trust_statement
from kiosk.net import DownloadError, Validators, download
from kiosk.system.paths import data_dir

TIMEOUT_SECONDS = 60.0
STATE_NAME = "update.json"


class UpdateFailed(PackRefused):
    """A download that failed; `status` is the server's HTTP error status, if it answered one."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class LastUpdate:
    """The last update check, as `kiosk doctor` reports it."""

    time: dt.datetime
    result: str  # "installed", "unchanged", "not-modified", "refused" or "failed"
    message: str

    @property
    def ok(self) -> bool:
        return self.result in ("installed", "unchanged", "not-modified")


def downloads_dir() -> Path:
    return data_dir() / "downloads"


def state_path(base: Path | None = None) -> Path:
    return (base or data_dir()) / STATE_NAME


def _read_state(base: Path | None = None) -> dict:
    try:
        data = json.loads(state_path(base).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_state(data: dict) -> None:
    path = state_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json_atomic(path, data)


def last_update(base: Path | None = None) -> LastUpdate | None:
    """The last recorded update check, or None (never checked, or unreadable)."""
    last = _read_state(base).get("last")
    if not isinstance(last, dict):
        return None
    try:
        when = dt.datetime.fromisoformat(str(last["time"]))
    except (KeyError, ValueError):
        return None
    return LastUpdate(when, str(last.get("result", "failed")), str(last.get("message", "")))


def _record(result: str, message: str, url: str) -> None:
    state = _read_state()
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    state["last"] = {"time": now.isoformat(), "result": result, "message": message, "url": url}
    try:
        _write_state(state)
    except OSError:
        pass  # a full or read-only data directory: the update's own message says more


def _manifest_digest() -> str | None:
    current = linked(CURRENT)
    return hashlib.sha256(current.manifest.raw).hexdigest() if current is not None else None


def _validators_for(url: str, key: str, belongs_to: str | None) -> Validators | None:
    """The validators saved for `url`, if the copy they describe is still what the device has."""
    table = _read_state().get(key)
    saved = table.get(url) if isinstance(table, dict) else None  # update.json may be damaged
    if not isinstance(saved, dict) or belongs_to is None or saved.get("for") != belongs_to:
        return None
    found = Validators.from_json(saved)
    return found if (found.etag or found.last_modified) else None


def _save_validators(url: str, key: str, validators: Validators, belongs_to: str | None) -> None:
    if belongs_to is None or not (validators.etag or validators.last_modified):
        return
    state = _read_state()
    table = state.get(key) if isinstance(state.get(key), dict) else {}
    table[url] = {**validators.to_json(), "for": belongs_to}
    state[key] = table
    try:
        _write_state(state)
    except OSError:
        pass  # only costs a full download next time


def fetch(url: str, dest_dir: Path | None = None, timeout: float = TIMEOUT_SECONDS,
          limit: int = MAX_ARCHIVE_BYTES, validators: Validators | None = None,
          progress: TextIO | None = None) -> tuple[Path | None, Validators]:
    """Download `url` to a new file in `dest_dir`: (path, validators), path None when not modified.
    Raises UpdateFailed and leaves no file."""
    dest_dir = dest_dir or downloads_dir()
    dest_dir.mkdir(parents=True, exist_ok=True)
    for stale in dest_dir.glob(".*"):
        if stale.is_file():
            stale.unlink(missing_ok=True)  # left by an update that was cut short
    target = dest_dir / f"download-{secrets.token_hex(6)}.pack"
    try:
        got = download(url, target, limit=limit, timeout=timeout, validators=validators,
                       label=f"downloading {url}", progress=progress)
    except DownloadError as exc:
        raise UpdateFailed(str(exc), exc.status) from None
    return (None if got.not_modified else got.path), got.validators


# "No statement here (yet)": the usual state of a trust_url until the first key rotation
# (docs/fleet.md sets trust_url from the start). It must not stop pack updates; a pack
# is still accepted only if it is signed by a key the device trusts.
NO_STATEMENT = (404, 410)


def update_trust(url: str, timeout: float = TIMEOUT_SECONDS) -> TrustChange | None:
    """Fetch a trust statement (key rotation) and apply it; None when the server says it is
    unchanged or has none (404/410). Any other failure raises UpdateFailed."""
    folder_digest = _trust_digest()
    try:
        path, validators = fetch(url, timeout=timeout, limit=MAX_TRUST_FILE,
                                 validators=_validators_for(url, "trust_validators", folder_digest))
    except UpdateFailed as exc:
        if exc.status in NO_STATEMENT:
            return None
        raise
    if path is None:
        return None
    try:
        data = path.read_bytes()
    finally:
        path.unlink(missing_ok=True)
    try:
        change = apply_trust_statement(data)
    except TrustRefused as exc:
        raise UpdateFailed(f"the trust statement at {url} was refused: {exc}") from None
    _save_validators(url, "trust_validators", validators, _trust_digest())
    return change


def _trust_digest() -> str:
    from kiosk.content.signing import read_trust_state
    return f"v{read_trust_state().version}"


def update_from(url: str, force: bool = False, timeout: float = TIMEOUT_SECONDS,
                trust_url: str | None = None, progress: TextIO | None = None) -> InstallResult:
    """Apply a newer trust statement (if `trust_url`), then fetch and install the pack at `url`.
    The downloaded file is removed whatever happens; the outcome is recorded for the doctor."""
    try:
        if trust_url:
            update_trust(trust_url, timeout)
        before = _manifest_digest()
        validators = None if force else _validators_for(url, "validators", before)
        path, fresh = fetch(url, timeout=timeout, validators=validators, progress=progress)
        if path is None:
            current = linked(CURRENT)
            if current is None:  # validators are only sent for the installed pack; it went meanwhile
                raise UpdateFailed(f"{url} is unchanged, but no pack is installed any more; run the update again")
            _record("not-modified", f"pack '{current.manifest.pack_id}' version {current.manifest.version} "
                    "is unchanged on the server", url)
            return InstallResult("unchanged", current, current)
        try:
            result = install_file(path, force=force)
        finally:
            path.unlink(missing_ok=True)
    except UpdateFailed as exc:
        _record("failed", str(exc), url)
        raise
    except PackRefused as exc:
        _record("refused", str(exc), url)
        raise
    except OSError as exc:
        _record("failed", f"{type(exc).__name__}: {exc}", url)
        raise
    _save_validators(url, "validators", fresh, _manifest_digest())
    m = result.installed.manifest if result.installed else None
    what = f"pack '{m.pack_id}' version {m.version}" if m else "the pack"
    _record(result.status, f"{what} {result.status}", url)
    return result

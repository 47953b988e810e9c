"""A checked pack kept between starts, so that the kiosk need not parse and check
twelve locales every time it starts (most of its start-up time on a Pi).

The cache entry is the pickled result of opening a pack with no errors. Its key
is a digest of everything that result depends on: the path, size and mtime of
every file in the pack folder and in the built-in pack (an overlay is merged
over it, and the kiosk's own words come from it), of the kiosk's code, and of
the Python and libraries installed. Any change to one of them is a different key, so a stale
entry is never used; a missing, truncated or unreadable entry (a power cut
while writing it) only means a slower start. The entry lives in the data
directory, which only the kiosk's own user can write (systemd: 0700).
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import sysconfig
import time
from pathlib import Path
from typing import Callable, TypeVar

from kiosk.content.layout import PACK_FOLDERS
from kiosk.system.paths import data_dir

T = TypeVar("T")
log = logging.getLogger("lantern.packcache")
CODE = Path(__file__).resolve().parent.parent  # the kiosk package: loading and checking use parts of it
KEEP = 4  # entries kept: current, last-good, built-in, and one spare for the next install
FORMAT = 1  # bump when what is stored changes shape


_writes = {"allowed": True}


def never_write() -> None:
    """For the rest of this process, use entries but store none (`kiosk doctor` writes nothing)."""
    _writes["allowed"] = False


def cache_dir(kind: str = "packs") -> Path:
    return data_dir() / "cache" / kind


# Only what a pack is made of: in a checkout the built-in pack is the repository's
# top folder, and walking all of it would stat the tests and the venv.


def _stats(root: Path, folders: tuple[str, ...] | None) -> list[str]:
    """path, size and mtime of the files at `root`'s top and under `folders` (None: all)."""
    lines = []
    for folder, dirs, files in os.walk(root):
        at_top = Path(folder) == root
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_"))
                         and (not at_top or folders is None or d in folders))
        for name in sorted(files):
            path = Path(folder) / name
            try:
                st = path.stat()
            except OSError:
                continue  # vanished while walking: the key still differs from a complete folder's
            lines.append(f"{path}\0{st.st_size}\0{st.st_mtime_ns}")
    return lines


def fingerprint(roots: list[Path], salt: str = "") -> str:
    """A digest of the files under `roots`, of the kiosk's code and of `salt`."""
    digest = hashlib.sha256(f"format {FORMAT}\n{sys.version}\n{salt}\n".encode("utf-8", "surrogateescape"))
    # Installing or upgrading a library (phonenumbers' metadata, say) changes this folder.
    libraries = Path(sysconfig.get_paths()["purelib"])
    if libraries.is_dir():
        digest.update(f"libraries {libraries.stat().st_mtime_ns}\n".encode())
    for root, folders in [*((r, PACK_FOLDERS) for r in roots), (CODE, None)]:
        root = Path(root).resolve()
        digest.update(f"root {root}\n".encode())
        for line in _stats(root, folders):
            digest.update(line.encode("utf-8", "surrogateescape") + b"\n")
    return digest.hexdigest()


def cached(roots: list[Path], make: Callable[[], T], keep: Callable[[T], bool], salt: str = "",
           kind: str = "packs") -> T:
    """The value `make()` gave for these files before, or a fresh one (stored when `keep` says).
    Each `kind` has its own folder, pruned on its own."""
    try:
        key = fingerprint(roots, salt)
    except OSError as exc:
        log.debug("pack cache off: %s", exc)
        return make()
    entry = cache_dir(kind) / f"{key}.pickle"
    try:
        with entry.open("rb") as f:
            value = pickle.load(f)
        if _writes["allowed"]:
            _touch(entry)
        return value
    except FileNotFoundError:
        pass
    except Exception as exc:  # noqa: BLE001 - any damage to an entry means: load it again
        log.info("pack cache entry %s unreadable (%s); loading the pack", entry.name, exc)
    value = make()
    if keep(value) and _writes["allowed"]:
        _store(entry, value)
    return value


def _store(entry: Path, value: object) -> None:
    tmp = entry.with_suffix(f".{os.getpid()}.tmp")
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, entry)
        _prune(entry.parent, entry)
    except OSError as exc:  # a full or read-only disk: start slowly, serve anyway
        log.info("pack cache not written: %s", exc)
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass  # no folder to have written it in


def _touch(entry: Path) -> None:
    """Mark an entry used, so that pruning keeps the packs in use rather than the newest."""
    try:
        os.utime(entry)
    except OSError:
        pass


def _prune(folder: Path, newest: Path) -> None:
    """Keep the entries used last; an old entry for a removed pack must not pile up."""
    def used(path: Path) -> int:
        try:
            return path.stat().st_mtime_ns
        except OSError:
            return 0
    entries = sorted(folder.glob("*.pickle"), key=used, reverse=True)
    for old in [e for e in entries if e != newest][KEEP - 1:]:
        old.unlink(missing_ok=True)
    # A writer killed between write and rename leaves its .tmp; a live writer's is recent.
    for stale in folder.glob("*.tmp"):
        if time.time() - used(stale) / 1e9 > 3600:
            stale.unlink(missing_ok=True)

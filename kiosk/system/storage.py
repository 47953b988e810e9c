"""Writing to the data directory without ever letting a full disk stop the kiosk.

A kiosk that runs for months will one day find its SD card full or remounted
read-only. Visitors must still be served: a daily count that cannot be saved is
skipped, a cache that cannot be written is rebuilt in memory next time. These
helpers tell such "the storage said no" errors apart from real bugs, so callers
can catch exactly those and carry on (and admin/doctor can say why).
"""

from __future__ import annotations

import errno
import os
import sqlite3
from enum import Enum
from pathlib import Path


class StorageTrouble(str, Enum):
    """Why the storage refused a write."""

    FULL = "full"  # no space or quota left
    READ_ONLY = "read-only"  # the file system is mounted read-only
    DENIED = "denied"  # permissions: usually the wrong user or a root-owned file

    def describe(self) -> str:
        return {"full": "the disk is full", "read-only": "the disk is read-only",
                "denied": "no permission to write"}[self.value]


_ERRNO_TROUBLE = {
    errno.ENOSPC: StorageTrouble.FULL,
    errno.EDQUOT: StorageTrouble.FULL,
    errno.EFBIG: StorageTrouble.FULL,
    errno.EROFS: StorageTrouble.READ_ONLY,
    errno.EACCES: StorageTrouble.DENIED,
    errno.EPERM: StorageTrouble.DENIED,
}


def storage_trouble(exc: BaseException) -> StorageTrouble | None:
    """The kind of storage refusal `exc` is, or None for anything else (a bug, a missing file).

    Understands OSError and SQLite's errors (SQLITE_FULL, SQLITE_READONLY, ...),
    which sqlite3 raises as OperationalError rather than OSError.
    """
    if isinstance(exc, OSError):
        return _ERRNO_TROUBLE.get(exc.errno) if exc.errno is not None else None
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        if code is None:
            return None
        primary = code & 0xFF  # extended codes carry the primary code in the low byte
        if primary == sqlite3.SQLITE_FULL:
            return StorageTrouble.FULL
        if primary == sqlite3.SQLITE_READONLY:
            return StorageTrouble.READ_ONLY
        if primary == sqlite3.SQLITE_CANTOPEN or primary == sqlite3.SQLITE_PERM:
            return StorageTrouble.DENIED
    return None


def disk_full(exc: BaseException) -> bool:
    """True for "no space left" (ENOSPC, EDQUOT, EFBIG, SQLITE_FULL)."""
    return storage_trouble(exc) is StorageTrouble.FULL


def database_corrupt(exc: BaseException) -> bool:
    """True when SQLite says the file is not a usable database (rebuild it from the pack)."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)
    message = str(exc).lower()
    return "malformed" in message or "not a database" in message


def atomic_write(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write `data` to `path` so that a reader (or a power cut) sees the old or the new file.

    Temp file in the same directory, fsync, rename over, fsync the directory.
    Raises OSError; on failure the temp file is removed and `path` is untouched.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, mode)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        raise
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return  # the rename happened; only its durability across a power cut is less sure
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def safe_write(path: Path, data: bytes, mode: int = 0o600) -> StorageTrouble | None:
    """`atomic_write`, but a full, read-only or forbidden disk is returned, not raised.

    None when written, else the trouble, for the caller to keep as state
    (admin mode and `kiosk doctor` show the disk's condition). Any other error
    (a bug) still raises. It does not log: writes happen when a visitor's
    session ends, and a log line then would time-stamp that visit in the
    journal (see kiosk/system/log.py).
    """
    try:
        atomic_write(path, data, mode)
    except OSError as exc:
        trouble = storage_trouble(exc)
        if trouble is None:
            raise
        return trouble
    return None


def existing_ancestor(path: Path) -> Path:
    """`path` itself or its nearest parent that exists (statvfs needs an existing path)."""
    path = Path(path).absolute()
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path("/")


def free_bytes(path: Path) -> int:
    """Bytes an unprivileged user can still write on the file system holding `path`."""
    st = os.statvfs(existing_ancestor(path))
    return st.f_bavail * st.f_frsize

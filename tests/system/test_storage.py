"""Full, read-only and corrupt storage: told apart from bugs, so the kiosk keeps serving."""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

import pytest

from kiosk.system.storage import (
    StorageTrouble, atomic_write, database_corrupt, disk_full, existing_ancestor, free_bytes, safe_write,
    storage_trouble,
)
from tests.system.fshelp import tmpfs


def test_errors_are_classified() -> None:
    assert storage_trouble(OSError(errno.ENOSPC, "No space left on device")) is StorageTrouble.FULL
    assert storage_trouble(OSError(errno.EDQUOT, "Disk quota exceeded")) is StorageTrouble.FULL
    assert storage_trouble(OSError(errno.EROFS, "Read-only file system")) is StorageTrouble.READ_ONLY
    assert storage_trouble(PermissionError(errno.EACCES, "Permission denied")) is StorageTrouble.DENIED
    assert storage_trouble(FileNotFoundError(errno.ENOENT, "No such file")) is None  # a bug, not the disk
    assert storage_trouble(ValueError("x")) is None
    assert disk_full(OSError(errno.ENOSPC, "full")) and not disk_full(OSError(errno.EROFS, "ro"))


def test_sqlite_full_and_corrupt_databases(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "counts.sqlite")
    db.execute("PRAGMA max_page_count = 4")  # a database that cannot grow: SQLite's own "disk full"
    db.execute("CREATE TABLE t (x TEXT)")
    with pytest.raises(sqlite3.OperationalError) as full:
        for _ in range(1000):
            db.execute("INSERT INTO t VALUES (?)", ("x" * 500,))
    db.close()
    assert disk_full(full.value) and storage_trouble(full.value) is StorageTrouble.FULL

    (tmp_path / "broken.sqlite").write_bytes(b"this is not a database" * 100)
    with pytest.raises(sqlite3.DatabaseError) as corrupt:
        sqlite3.connect(tmp_path / "broken.sqlite").execute("SELECT * FROM sqlite_master").fetchall()
    assert database_corrupt(corrupt.value) and not disk_full(corrupt.value)
    assert not database_corrupt(full.value)


def test_atomic_write_replaces_whole_and_private(tmp_path: Path) -> None:
    target = tmp_path / "state.json"
    target.write_text("old")
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new"
    assert (target.stat().st_mode & 0o777) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]  # no temp file left


def test_safe_write_on_a_full_disk_keeps_the_old_file(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "small", "64k") as disk:
        target = disk / "counts.json"
        target.write_bytes(b"yesterday")
        assert safe_write(target, b"x" * (1024 * 1024)) is StorageTrouble.FULL
        assert target.read_bytes() == b"yesterday"
        assert sorted(p.name for p in disk.iterdir()) == ["counts.json"]
        assert free_bytes(disk) > 0  # the failed temp file was removed again


def test_safe_write_on_a_read_only_disk(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "ro", "1m", read_only=True) as disk:
        assert safe_write(disk / "counts.json", b"{}") is StorageTrouble.READ_ONLY


def test_safe_write_still_raises_on_bugs(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        safe_write(tmp_path / "no-such-dir" / "x", b"")


def test_free_bytes_of_a_directory_not_made_yet(tmp_path: Path) -> None:
    missing = tmp_path / "a" / "b"
    assert existing_ancestor(missing) == tmp_path
    assert abs(free_bytes(missing) - free_bytes(tmp_path)) < 1 << 20  # the same file system
    assert os.path.isdir(existing_ancestor(Path("/no/such/place")))

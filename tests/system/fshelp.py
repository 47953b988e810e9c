"""Small real file systems for the fault tests: a tmpfs to fill, and the filler."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def tmpfs(where: Path, size: str, read_only: bool = False) -> Iterator[Path]:
    """A real small file system (needs root and mount); the test is skipped where that is not possible."""
    where.mkdir(parents=True, exist_ok=True)
    options = f"size={size},mode=0755" + (",ro" if read_only else "")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "lantern-test", str(where)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def fill(folder: Path) -> Path:
    """Write a file in `folder` until its file system has no room left; the file, to free it later."""
    filler = folder / "filler"
    # Unbuffered: a buffered file would fail once more as it closes, flushing what did not fit.
    with open(filler, "wb", buffering=0) as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
        except OSError:
            pass
        try:
            while True:  # the last few KiB, so that even a small file cannot be written
                fh.write(b"\0" * 512)
        except OSError:
            pass
    return filler

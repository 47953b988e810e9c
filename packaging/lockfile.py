"""Reading requirements/device.txt (uv's hashed lock) one requirement at a time.

The package build needs the lock split into its entries: most come as wheels for
the target machine, a few pure-Python ones only as source archives, and those two
groups are installed by different pip calls (a wheel built here from a source
archive cannot match the lock's hash of that archive).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


@dataclass(frozen=True)
class Requirement:
    name: str  # normalised (PEP 503): lower case, runs of -_. as one "-"
    version: str
    text: str  # the entry as written in the lock, hashes and marker included


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_lock(text: str, source: str = "requirements/device.txt") -> list[Requirement]:
    """The lock's entries in order; a line that starts an entry but is not `name==version` is an error."""
    entries: list[Requirement] = []
    current: list[str] = []
    start = 0

    def flush() -> None:
        if not current:
            return
        match = _NAME.match(current[0])
        if match is None:
            raise ValueError(f"{source}:{start}: error: not a pinned requirement: {current[0].strip()}")
        entries.append(Requirement(normalise(match.group(1)), match.group(2), "\n".join(current) + "\n"))
        current.clear()

    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if line[0].isspace():  # a continuation: a hash, or the marker's tail
            if not current:
                raise ValueError(f"{source}:{number}: error: indented line outside a requirement")
            current.append(line)
            continue
        flush()
        current.append(line)
        start = number
    flush()
    return entries


def read_lock(path: Path) -> list[Requirement]:
    return parse_lock(path.read_text(encoding="utf-8"), str(path))


def lock_text(entries: list[Requirement]) -> str:
    return "".join(entry.text for entry in entries)

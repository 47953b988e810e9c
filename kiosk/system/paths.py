"""Where Lantern writes. Code and content are read-only; everything written lives
under one data directory so that a device can run with a read-only root."""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    """$LANTERN_DATA, else $XDG_DATA_HOME/lantern, else ~/.local/share/lantern."""
    explicit = os.environ.get("LANTERN_DATA")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / "lantern"


def packs_dir() -> Path:
    """Installed packs: one folder per slot, and the `current` and `last-good` links."""
    return data_dir() / "packs"


CURRENT = "current"
LAST_GOOD = "last-good"


def any_pack_installed() -> bool:
    """Is there an installed pack to try before the built-in one? (No imports, no reads.)"""
    base = packs_dir()
    return any((base / name).is_symlink() for name in (CURRENT, LAST_GOOD))


def kivy_home() -> Path:
    return data_dir() / "kivy"

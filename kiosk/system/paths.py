"""Where Lantern writes. Code and content are read-only; everything written lives
under one data directory so that a device can run with a read-only root."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


# The service's data directory (systemd/lantern-kiosk.service: StateDirectory=lantern).
SERVICE_DATA = Path("/var/lib/lantern")


def choose_data_dir(env: Mapping[str, str], euid: int, home: Path) -> Path:
    """The one rule for where Lantern's data lives (docs/device.md, "The data directory"):

    1. $LANTERN_DATA, when set: always wins (the service sets it, tests set it);
    2. root: the service's own /var/lib/lantern. `sudo kiosk pack install x.pack`
       must change what the kiosk shows, not fill /root with data nobody reads
       (the `lk` helper runs commands this way, then hands the files to `lantern`);
    3. anyone else: their own $XDG_DATA_HOME/lantern or ~/.local/share/lantern
       (a content author trying packs on a laptop).
    """
    explicit = env.get("LANTERN_DATA")
    if explicit:
        return Path(explicit)
    if euid == 0:
        return SERVICE_DATA
    xdg = env.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else home / ".local" / "share"
    return base / "lantern"


def data_dir() -> Path:
    """This process's data directory, by `choose_data_dir`'s rule."""
    return choose_data_dir(os.environ, os.geteuid(), Path.home())


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


def metrics_path() -> Path:
    """The daily counts (kiosk.metrics): one SQLite file, a row per day and counter."""
    return data_dir() / "counts" / "daily.sqlite"


def pin_path() -> Path:
    """The admin PIN's hash and lockout state (kiosk.admin.PinStore)."""
    return data_dir() / "admin-pin.json"

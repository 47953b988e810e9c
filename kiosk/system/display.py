"""Is there a screen for `kiosk run` to draw on? Checked before Kivy starts.

Without one, SDL may fall back to a driver that draws nowhere and the kiosk
would run invisibly, looking healthy to systemd. Kivy-free and cheap.
"""

from __future__ import annotations

import os
from pathlib import Path

# Drivers that deliberately draw nowhere: previews, tests, the device test's container.
HEADLESS_DRIVERS = frozenset({"offscreen", "dummy", "evdev"})


def display_problem(environ: dict[str, str] | None = None, dri: Path = Path("/dev/dri")) -> str | None:
    """None when a display is reachable (X11, Wayland, KMS/DRM, or an SDL driver
    chosen on purpose); else one sentence saying what is missing."""
    env = os.environ if environ is None else environ
    if env.get("SDL_VIDEODRIVER"):
        return None  # chosen explicitly (kmsdrm on a device, offscreen in a container)
    if env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
        return None
    try:
        if any(p.name.startswith("card") for p in dri.iterdir()):
            return None  # KMS/DRM without a desktop, as on a Pi
    except OSError:
        pass
    return ("no display found: no DISPLAY or WAYLAND_DISPLAY, and no /dev/dri/card* for KMS. "
            "Run it on the device's screen, or use `kiosk preview` to draw screens to PNG files")

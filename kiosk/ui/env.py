"""Kivy's environment and Config: must be set before anything imports Kivy's window.

Kivy reads environment variables when `kivy` is first imported and its
Config when the window is created, so every way into the UI (kiosk run,
kiosk preview, the tests, the benchmark) calls `configure_kivy` first.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

from kiosk.system.paths import kivy_home

MAXFPS = 30  # a Pi runs all day: a modest cap; screens only redraw on change anyway


@dataclass(frozen=True)
class WindowMode:
    fullscreen: bool  # borderless, fullscreen 'auto' (the device)
    size: tuple[int, int] = (800, 480)  # used when not fullscreen
    offscreen: bool = False  # no display: previews and tests
    maxfps: int = MAXFPS


class KivyAlreadyStarted(RuntimeError):
    pass


def configure_kivy(mode: WindowMode) -> None:
    """Set Kivy's environment and Config for the kiosk. Call once, before importing Kivy's window."""
    if "kivy.core.window" in sys.modules:
        raise KivyAlreadyStarted("Kivy's window was created before the kiosk configured it")
    home = kivy_home()
    home.mkdir(parents=True, exist_ok=True)
    os.environ["KIVY_HOME"] = str(home)
    os.environ["KIVY_NO_ARGS"] = "1"  # our argv is the `kiosk` command's, not Kivy's
    os.environ["KIVY_NO_CONFIG"] = "1"  # defaults plus what is set here; nothing persisted
    os.environ["KIVY_NO_FILELOG"] = "1"  # a kiosk's disk holds no logs of visitors' sessions
    os.environ["KIVY_NO_CONSOLELOG"] = "1"
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")  # leave Python's root logger alone
    # SDL turns SIGTERM/SIGINT into a window-close request, which the kiosk refuses;
    # systemd must still be able to stop it, so signals stay Python's (see run_kiosk).
    os.environ["SDL_NO_SIGNAL_HANDLERS"] = "1"
    if mode.offscreen:
        os.environ["SDL_VIDEODRIVER"] = "offscreen"
        os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

    os.environ["KCFG_KIVY_LOG_LEVEL"] = "warning"  # Kivy's Config from the environment: no banner
    from kivy.config import Config  # first kivy import: reads the environment above

    Config.set("kivy", "exit_on_escape", "0")
    Config.set("kivy", "log_level", "warning")
    Config.set("kivy", "keyboard_mode", "system")  # never pop a virtual keyboard
    # Mouse events from a touch panel's driver must not turn into extra touches:
    # no multitouch emulation (red dots on right click), and no mouse while fingers are down.
    Config.set("input", "mouse", "mouse,disable_multitouch,disable_on_activity")
    Config.set("graphics", "maxfps", str(mode.maxfps))
    Config.set("graphics", "allow_screensaver", "0")
    Config.set("graphics", "resizable", "0" if mode.fullscreen else "1")
    if mode.fullscreen:
        Config.set("graphics", "fullscreen", "auto")
        Config.set("graphics", "borderless", "1")
        Config.set("graphics", "show_cursor", "0")  # a touch panel: no pointer on screen
    else:
        Config.set("graphics", "fullscreen", "0")
        Config.set("graphics", "borderless", "0")
        Config.set("graphics", "width", str(mode.size[0]))
        Config.set("graphics", "height", str(mode.size[1]))
    # No debugging modules (inspector, monitor, touchring, ...) can be switched on.
    if Config.has_section("modules"):
        for name in list(Config.options("modules")):
            Config.remove_option("modules", name)

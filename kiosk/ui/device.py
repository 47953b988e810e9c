"""The one start-up path of a real device: `kiosk run`, the systemd service and
`./lantern.sh run` all come through `start_device`.

It chooses the pack (an installed regional pack, else last-good, else the
built-in one), sets up the journal and the daily counts, tells systemd when the
first screen is drawn, and pings the watchdog from the UI loop so that a frozen
screen gets restarted. Optional speech starts once the first screen is drawn,
in a thread: probing sound devices and loading a speech model take seconds on
a Pi, and a visitor should not wait for them to see the screen. Read aloud and
Speak appear when it is ready.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.system import notify

if TYPE_CHECKING:
    from kiosk.metrics import HourlyCounts
    from kiosk.ui.app import Chosen
    from voice.service import VoiceSetup

log = logging.getLogger("lantern.startup")


def _choose_pack(explicit: str | None) -> tuple[Path | None, "Chosen | None"]:
    """An explicit --pack wins; otherwise current -> last-good -> built-in. Also the opened
    pack when choosing opened it, so that it is not opened twice."""
    if explicit:
        return Path(explicit), None
    from kiosk.system.paths import any_pack_installed
    if not any_pack_installed():
        return None, _builtin_with_device_settings()
    try:
        from kiosk.content.install import choose_start_pack
        from kiosk.ui.app import Chosen
        choice = choose_start_pack()
    except Exception as exc:  # a broken install area must never stop the built-in pack
        log.warning("installed packs could not be checked (%s); using the built-in pack", exc)
        return None, None
    for warning in choice.warnings:
        log.warning("pack: %s", warning)
    return choice.path, Chosen(choice.pack, choice.directory) if choice.pack is not None else None


def _builtin_with_device_settings() -> "Chosen | None":
    """The built-in pack with this device's placement and staff phrase (lantern.toml, applied
    at first boot) laid over it; None when the device has no such settings, and run_kiosk
    opens the built-in pack itself (no need to load the installer)."""
    from kiosk.content.device_settings import DeviceSettings, read_settings, with_settings
    from kiosk.system.paths import data_dir
    settings = read_settings(data_dir())
    if settings == DeviceSettings():
        return None
    from kiosk.content.packs import open_pack
    from kiosk.ui.app import Chosen, directory_for
    opened = open_pack(None)
    if opened.pack is None:
        return None  # run_kiosk opens it again and reports the problems
    pack = with_settings(opened.pack, settings)
    return Chosen(pack, directory_for(pack))


def _start_voice(language: str | None) -> "VoiceSetup | None":
    try:
        from voice.service import start_voice
        setup = start_voice(language=language or "en")
    except Exception as exc:  # voice is optional: no speech rather than no kiosk
        log.warning("voice is off: %s: %s", type(exc).__name__, exc)
        return None
    for line in setup.status:
        log.info("%s", line.format())
    return setup


def start_device(pack: str | None = None, lang: str | None = None, windowed: bool = False) -> int:
    """Run the kiosk as a device runs it. Returns the process exit code."""
    import gc
    gc.disable()  # until the frame after the first (kiosk.ui.memory.freeze_startup_heap turns it on)

    from kiosk.system.paths import metrics_path
    from kiosk.metrics import HourlyCounts, Metrics
    from kiosk.system.log import setup_logging
    from kiosk.ui.app import run_kiosk

    setup_logging()
    pack_path, chosen = _choose_pack(pack)
    counts = HourlyCounts(Metrics(metrics_path()))
    watchdog = notify.Watchdog()
    voice = VoiceStart(lang)

    def first_frame() -> None:
        from kivy.clock import Clock
        notify.ready("serving")
        if watchdog.start():
            Clock.schedule_interval(lambda _dt: watchdog.ping(), watchdog.interval)
        voice.begin()
        write_counts_on_the_hour(counts)

    try:
        return run_kiosk(pack_path, lang, windowed=windowed, chosen=chosen,
                         on_first_frame=first_frame, on_session_end=counts.record)
    finally:
        notify.stopping()
        watchdog.close()
        voice.close()
        counts.flush()  # a stop (an update, a restart, shutdown) keeps the hour's counts


def write_counts_on_the_hour(counts: "HourlyCounts") -> None:
    """Write the daily counts at every whole hour of the wall clock (kiosk.metrics.HourlyCounts)."""
    import datetime as dt

    from kivy.clock import Clock

    from kiosk.metrics import seconds_to_next_hour

    def on_the_hour(_dt: float) -> None:
        counts.flush()
        Clock.schedule_once(on_the_hour, seconds_to_next_hour(dt.datetime.now()))
    Clock.schedule_once(on_the_hour, seconds_to_next_hour(dt.datetime.now()))


class VoiceStart:
    """Speech set up in a thread after the first frame, then handed to the kiosk on the UI thread."""

    def __init__(self, language: str | None) -> None:
        self.language = language
        self.setup: VoiceSetup | None = None
        self._thread: threading.Thread | None = None
        self._closed = threading.Event()

    def begin(self) -> None:
        self._thread = threading.Thread(target=self._run, name="lantern-voice-start", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        setup = _start_voice(self.language)
        if setup is None or (setup.speaker is None and setup.listener is None):
            return
        self.setup = setup
        if self._closed.is_set():
            self._release(setup)
            return
        from kivy.clock import Clock
        Clock.schedule_once(lambda _dt: self._hand_over(setup), 0)  # Kivy's Clock takes calls from threads

    def _hand_over(self, setup: VoiceSetup) -> None:
        from kivy.app import App
        app = App.get_running_app()
        if self._closed.is_set() or app is None:
            return
        app.kiosk.use_voice(setup.speaker, setup.listener)

    def close(self) -> None:
        self._closed.set()
        if self._thread is not None:
            self._thread.join(timeout=5)  # a model still loading: its worker is a daemon anyway
        if self.setup is not None:
            self._release(self.setup)

    @staticmethod
    def _release(setup: VoiceSetup) -> None:
        if setup.speaker is not None:
            setup.speaker.stop()
        if setup.listener is not None:
            setup.listener.close()

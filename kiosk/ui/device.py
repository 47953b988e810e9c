"""The one start-up path of a real device: `kiosk run`, the systemd service and
`./lantern.sh run` all come through `start_device`.

It chooses the pack (an installed regional pack, else last-good, else the
built-in one), sets up the journal, the daily counts and optional speech, tells
systemd when the first screen is drawn, and pings the watchdog from the UI
loop so that a frozen screen gets restarted.
"""

from __future__ import annotations

import logging
from pathlib import Path

from kiosk.system import notify

log = logging.getLogger("lantern.startup")


def _choose_pack(explicit: str | None) -> Path | None:
    """An explicit --pack wins; otherwise current -> last-good -> built-in."""
    if explicit:
        return Path(explicit)
    try:
        from kiosk.content.install import choose_start_pack
        choice = choose_start_pack()
    except Exception as exc:  # a broken install area must never stop the built-in pack
        log.warning("installed packs could not be checked (%s); using the built-in pack", exc)
        return None
    for warning in choice.warnings:
        log.warning("pack: %s", warning)
    return choice.path


def _start_voice(language: str | None):  # noqa: ANN202 - voice.service.VoiceSetup or None
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
    from kiosk.cli_local import metrics_path
    from kiosk.metrics import Metrics
    from kiosk.system.log import setup_logging
    from kiosk.ui.app import run_kiosk

    setup_logging()
    pack_path = _choose_pack(pack)
    metrics = Metrics(metrics_path())
    voice = _start_voice(lang)
    watchdog = notify.Watchdog()

    def first_frame() -> None:
        notify.ready("serving")
        if watchdog.start():
            from kivy.clock import Clock
            Clock.schedule_interval(lambda _dt: watchdog.ping(), watchdog.interval)

    try:
        return run_kiosk(pack_path, lang, windowed=windowed,
                         speaker=voice.speaker if voice else None,
                         listener=voice.listener if voice else None,
                         on_first_frame=first_frame, on_session_end=metrics.record)
    finally:
        notify.stopping()
        watchdog.close()
        if voice is not None and voice.listener is not None:
            voice.listener.close()

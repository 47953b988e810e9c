"""Hidden admin mode in the kiosk: the way in, the PIN, the admin screen and the way out.

The way in is a gesture nobody makes by chance (kiosk.ui.admin_gesture): it
watches every touch on the window without consuming any. When it completes,
the visitor's session is forgotten as by a quick exit but NOT counted (staff
at the kiosk are not a visit), and a PIN pad covers the whole window. The
right PIN opens the admin screen; wrong PINs lock the pad out for longer and
longer (kiosk.admin.PinStore, which keeps the lockout across restarts).

The PIN hash (scrypt, 100-200 ms) and everything the admin screen gathers
(pack warnings, counts, the sound probe in a child process: seconds) run in
worker threads; results come back to the UI thread through Kivy's Clock and
are dropped if admin was left meanwhile.

Admin leaves by itself after ADMIN_IDLE_SECONDS without a touch, and on
Escape/F12 (the kiosk's quick-exit keys), back to the neutral screen. The
only way out of the kiosk is "Leave to the desktop": it stops with
LEAVE_EXIT_CODE, the one exit status the systemd unit does not restart after
(it starts a login prompt on tty1 instead; the kiosk is back at the next boot).
"Restart" stops it with RESTART_EXIT_CODE for systemd's Restart=always to start
it again (a new process, rather than os.execv, so the screen, the sound devices
and the watchdog are released and set up again exactly as at boot).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import threading
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Literal, Protocol

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.metrics import Metrics

from kiosk.admin import ADMIN_IDLE_SECONDS, Attempt, PinError, PinStore, check_pin_format
from kiosk.session import Session
from kiosk.speech import Speaker
from kiosk.ui.admin_gesture import AdminGesture
from kiosk.ui.admin_status import (LEAVE_EXIT_CODE, RESTART_EXIT_CODE, counts_info, pack_info, pack_lines,
                                   sound_info, under_systemd, wait_text)
from kiosk.ui.look import Look
from kiosk.ui.text import fonts_for
from kiosk.ui.theme import sizes_for
from kiosk.ui.widgets import Backdrop

if TYPE_CHECKING:
    from kiosk.ui.admin_pad import PinPad
    from kiosk.ui.admin_screen import AdminScreen

log = logging.getLogger("lantern.admin")


class AdminHost(Protocol):
    """What admin mode needs of the kiosk it hides in (kiosk.ui.kiosk.Kiosk)."""

    session: Session
    speaker: Speaker | None
    root: Backdrop
    clock: Callable[[], float]

    def forget_visit(self) -> None: ...  # end the visit uncounted, the neutral screen drawn afresh

    def rebuild(self) -> None: ...

SPEAKER_TEST = ("This is the Lantern speaker test.", "If you can hear this, read-aloud works.")
MIC_TEST_SECONDS = 15.0  # the microphone closes by itself after this
METER_INTERVAL = 0.1
MIC_ON = "Microphone on: speak to see the level."
State = Literal["hidden", "pad", "screen"]
PadMode = Literal["enter", "old", "new", "again"]


def stop_running_app(code: int) -> None:
    """End the running Kivy App with `code` as `run_kiosk`'s return value."""
    from kivy.app import App
    from kivy.base import stopTouchApp
    app = App.get_running_app()
    quit_with = getattr(app, "quit_with", None)
    if callable(quit_with):
        quit_with(code)
    elif app is not None:
        app.stop()
    else:
        stopTouchApp()


@dataclass(frozen=True)
class AdminConfig:
    """Where admin mode finds things; tests point these at their own."""

    pin_path: Path | None = None  # None: kiosk.system.paths.pin_path()
    metrics_path: Path | None = None  # None: kiosk.system.paths.metrics_path()
    wall_clock: Callable[[], float] = time.time  # lockouts outlast restarts: wall-clock seconds
    today: Callable[[], dt.date] = dt.date.today
    quit: Callable[[int], None] = stop_running_app
    probe: Callable[[], Any] | None = None  # None: kiosk.system.voiceprobe.probe (a child process)
    open_mic: Callable[[], Any] | None = None  # None: voice.audio.MicSource, once the probe found a microphone
    environ: dict[str, str] | None = None  # None: os.environ (is this the systemd service?)


@dataclass
class MicRun:
    """One microphone test: written by its worker thread, read by the meter on the UI thread."""

    running: bool = True
    note: str = MIC_ON
    level: float | None = None  # dBFS of the latest chunk
    peak: float | None = None
    stop: threading.Event = field(default_factory=threading.Event)


class AdminRoot(Backdrop):
    """Admin's own full-window root: it replaces the kiosk's root on the window while admin is up."""

    def __init__(self, admin: "AdminMode") -> None:
        super().__init__()
        self.admin = admin

    def on_touch_down(self, touch):  # noqa: ANN001, ANN201 - Kivy's signature
        self.admin.touched()
        return super().on_touch_down(touch)

    def on_touch_move(self, touch):  # noqa: ANN001, ANN201
        self.admin.touched()
        return super().on_touch_move(touch)


class AdminMode:
    """One kiosk's admin mode. `state` is "hidden" (the visitor's kiosk), "pad" or "screen"."""

    def __init__(self, kiosk: AdminHost, config: AdminConfig | None = None) -> None:
        self.kiosk = kiosk
        self.config = config or AdminConfig()
        self.gesture = AdminGesture()
        self.state: State = "hidden"
        self.root = AdminRoot(self)
        self.pad: PinPad | None = None
        self.pad_mode: PadMode = "enter"
        self.screen: AdminScreen | None = None
        self.pad_openings = 0
        self.screen_openings = 0
        self.busy = False  # a PIN is being checked or set
        self._visit = 0  # bumps on every open and leave: worker results for an older visit are dropped
        self._last_touch = 0.0
        self._timer = None
        self._meter = None
        self._new_pin: str | None = None
        self.sound_status: Any = None
        self.pack_status: Any = None
        self.counts_status: Any = None
        self._failed: dict[str, str] = {}  # status that could not be gathered, and why
        self.mic: MicRun | None = None  # the latest microphone test
        self._attached = False

    @property
    def active(self) -> bool:
        return self.state != "hidden"

    @property
    def pins(self) -> PinStore:
        if self.config.pin_path is not None:
            path = self.config.pin_path
        else:
            from kiosk.system.paths import pin_path
            path = pin_path()
        return PinStore(path, clock=self.config.wall_clock)

    # --- life cycle (the kiosk's attach / detach) -----------------------------------------
    def attach(self) -> None:
        # Bound handlers run before the window hands a touch to its widgets, and
        # returning None lets it carry on: the gesture only watches.
        Window.bind(on_touch_down=self._seen_down, on_touch_move=self._seen_move,
                    on_touch_up=self._seen_up, size=self._on_window_size)
        self._attached = True

    def detach(self) -> None:
        if not self._attached:
            return
        self._attached = False
        Window.unbind(on_touch_down=self._seen_down, on_touch_move=self._seen_move,
                      on_touch_up=self._seen_up, size=self._on_window_size)
        self._close()

    # --- watching for the gesture -------------------------------------------------------------
    def _watching(self, touch: Any) -> bool:
        return self.state == "hidden" and not touch.is_mouse_scrolling

    def _seen_down(self, _window: Any, touch: Any) -> None:
        if self._watching(touch):
            self.gesture.down(touch.uid, self.kiosk.clock(), touch.x, touch.y, Window.width, Window.height)

    def _seen_move(self, _window: Any, touch: Any) -> None:
        if self._watching(touch):
            self.gesture.move(touch.uid, touch.x, touch.y)

    def _seen_up(self, _window: Any, touch: Any) -> None:
        if self._watching(touch) and self.gesture.up(touch.uid, self.kiosk.clock(), touch.x, touch.y,
                                                     Window.width, Window.height):
            # After this touch has gone through the kiosk's widgets, not in the middle of it.
            Clock.schedule_once(lambda _dt: self.open_pad(), 0)

    # --- in and out ---------------------------------------------------------------------------
    def open_pad(self) -> None:
        """The gesture is done: forget the visit, cover the window with the PIN pad."""
        if self.state != "hidden" or not self._attached:
            return
        self._forget_visit()
        self.pad_openings += 1
        self._visit += 1
        self.state = "pad"
        self._show_root()
        self._start_timer()
        self._build()

    def leave(self) -> None:
        """Back to the visitor's neutral screen (Leave admin, Cancel, idle, Escape)."""
        if self.state == "hidden":
            return
        self._close()
        self.kiosk.rebuild()  # the neutral screen, drawn afresh (its press gate stops the leaving tap)

    def _close(self) -> None:
        if self.state == "hidden":
            return
        self._visit += 1
        self.state = "hidden"
        self._stop_mic()
        if self.kiosk.speaker is not None:
            self.kiosk.speaker.stop()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.pad = self.screen = None
        self.pad_mode = "enter"
        self._new_pin = None
        self.busy = False
        self.sound_status = self.pack_status = self.counts_status = None
        self._failed.clear()
        self.mic = None
        self.gesture.reset()
        self.root.clear_widgets()
        if self.root.parent is not None:
            Window.remove_widget(self.root)
        if self.kiosk.root.parent is None and self._attached:
            Window.add_widget(self.kiosk.root)

    def _forget_visit(self) -> None:
        """Quick-exit semantics without the daily counts: staff at the kiosk are not a visit."""
        self.kiosk.forget_visit()

    def _show_root(self) -> None:
        if self.kiosk.root.parent is not None:
            Window.remove_widget(self.kiosk.root)
        if self.root.parent is None:
            Window.add_widget(self.root)

    def touched(self) -> None:
        self._last_touch = self.kiosk.clock()

    # --- the timer: idle, the lockout countdown ------------------------------------------------
    def _start_timer(self) -> None:
        self.touched()
        if self._timer is None:
            self._timer = Clock.schedule_interval(self._on_timer, 1.0)

    def _on_timer(self, _dt: float) -> None:
        if self.state == "hidden":
            return
        if self.kiosk.clock() - self._last_touch >= ADMIN_IDLE_SECONDS:
            log.info("admin mode closed after %d s without a touch", ADMIN_IDLE_SECONDS)
            self.leave()
            return
        if self.state == "pad" and not self.busy:
            self._show_lock()

    # --- drawing ------------------------------------------------------------------------------
    def look(self) -> Look:
        width, height = int(Window.width), int(Window.height)
        return Look(sizes=sizes_for(Metrics.dpi, width, height), fonts=fonts_for("en"), width=width,
                    height=height, pack_root=None)

    def _build(self) -> None:
        self.root.clear_widgets()
        self.pad = self.screen = None
        if self.state == "pad":
            self.root.add_widget(self._build_pad())
        elif self.state == "screen":
            self.root.add_widget(self._build_screen())

    def _on_window_size(self, *_args: object) -> None:
        if self.state != "hidden":
            Clock.schedule_once(lambda _dt: self._build() if self.state != "hidden" else None, 0)

    # --- the PIN pad --------------------------------------------------------------------------
    PROMPTS = {"enter": "Admin PIN", "old": "Current PIN", "new": "New PIN", "again": "New PIN again"}

    def _build_pad(self) -> PinPad:
        from kiosk.ui.admin_pad import PinPad  # here: the kiosk's start-up never needs it
        has_pin = self.pins.load().has_pin if self.pad_mode == "enter" else True
        message = "" if has_pin else ("No admin PIN is set on this kiosk. To set one, run on the device: "
                                      "kiosk admin set-pin")
        if has_pin and self.pad_mode == "new":
            message = "6 to 12 digits, not all the same and not in a row."
        self.pad = PinPad(self.look(), prompt=self.PROMPTS[self.pad_mode] if has_pin else "No admin PIN",
                          on_submit=self._submit, on_cancel=self._cancel_pad, can_enter=has_pin,
                          message=message)
        if has_pin:
            self._show_lock()
        if self.busy:  # drawn again (the window was resized) while a PIN is checked
            self.pad.enabled = False
        return self.pad

    def _locked_for(self) -> float:
        state = self.pins.load()
        return max(0.0, state.locked_until - self.config.wall_clock()) if state.has_pin else 0.0

    def _show_lock(self) -> None:
        """While locked out: keys off and the time left; when the lockout ends, keys on again."""
        pad = self.pad
        if pad is None or self.pad_mode not in ("enter", "old") or "ok" not in pad.keys:
            return
        left = self._locked_for()
        if left > 0:
            pad.enabled = False
            pad.set_message(f"Too many wrong PINs. Try again in {wait_text(left)}.")
        elif not pad.enabled:
            pad.enabled = True
            pad.set_message("You can try again now.")

    def _cancel_pad(self) -> None:
        if self.pad_mode == "enter":
            self.leave()
        else:
            self._new_pin = None
            self._open_screen()

    def _submit(self, pin: str) -> None:
        if self.busy or self.pad is None:
            return
        mode = self.pad_mode
        if mode in ("enter", "old"):
            self._run_busy("Checking\u2026", lambda: self.pins.try_pin(pin), self._checked)
        elif mode == "new":
            try:
                check_pin_format(pin)
            except PinError as exc:
                self.pad.set_message(f"Not this PIN: {exc}.")
                return
            self._new_pin = pin
            self._switch_pad("again")
        elif mode == "again":
            if pin != self._new_pin:
                self._new_pin = None
                self._switch_pad("new", "The two PINs were not the same. Enter the new PIN again.")
                return
            self._run_busy("Saving\u2026", lambda: self.pins.set_pin(pin), self._pin_saved)

    def _run_busy(self, note: str, work: Callable[[], Any], then: Callable[[Any], None]) -> None:
        assert self.pad is not None
        self.busy = True
        self.pad.enabled = False
        self.pad.set_message(note)
        self._in_worker(work, then, "the PIN")

    def _checked(self, attempt: Attempt | Exception) -> None:
        self.busy = False
        pad = self.pad
        if pad is None:
            return
        pad.enabled = True
        if isinstance(attempt, Exception):
            pad.set_message(f"The PIN could not be checked: {attempt}")
        elif attempt.ok:
            if self.pad_mode == "enter":
                self._open_screen()
            else:
                self._switch_pad("new")
        elif attempt.locked_for > 0:
            # The keys were on, so this try was wrong and started the lockout; the
            # timer counts it down and turns the keys on again when it ends.
            pad.enabled = False
            pad.set_message(f"Wrong PIN. Too many wrong PINs: try again in {wait_text(attempt.locked_for)}.")
        elif attempt.message.startswith("no admin PIN"):
            pad.set_message("No admin PIN is set on this kiosk. To set one, run on the device: "
                            "kiosk admin set-pin")
        else:
            pad.set_message("Wrong PIN. Try again.")

    def _pin_saved(self, result: None | Exception) -> None:
        self.busy = False
        self._new_pin = None
        note = f"The PIN could not be saved: {result}" if isinstance(result, Exception) else "The PIN was changed."
        self._open_screen()
        if self.screen is not None:
            self.screen.pin_note.source = note

    def _switch_pad(self, mode: PadMode, message: str | None = None) -> None:
        self.pad_mode = mode
        self.state = "pad"
        self._build()
        if message and self.pad is not None:
            self.pad.set_message(message)

    # --- the admin screen ---------------------------------------------------------------------
    def _open_screen(self) -> None:
        first = self.state == "pad" and self.pad_mode == "enter"
        self.state = "screen"
        self.pad_mode = "enter"
        if first:
            self.screen_openings += 1
            log.info("admin mode opened")
        self._build()
        if first:
            self._gather()

    def _build_screen(self) -> AdminScreen:
        from kiosk.ui.admin_screen import AdminActions, AdminScreen  # here: start-up never needs it
        pack = self.kiosk.session.pack
        builtin = self._is_builtin(pack)
        actions = AdminActions(leave_admin=self.leave, speaker_test=self.speaker_test, mic_test=self.mic_test,
                               change_pin=lambda: self._switch_pad("old"), restart=self.restart,
                               leave_desktop=self.leave_to_desktop)
        self.screen = AdminScreen(self.look(), actions, systemd=under_systemd(self.config.environ),
                                  pack_lines=pack_lines(pack, builtin))
        self._fill_screen()
        return self.screen

    @staticmethod
    def _is_builtin(pack: Any) -> bool:
        from kiosk.content.builtin import builtin_root
        try:
            return Path(pack.root).resolve() == builtin_root().resolve()
        except OSError:
            return False

    def _gather(self) -> None:
        pack = self.kiosk.session.pack
        builtin = self._is_builtin(pack)
        today = self.config.today()
        metrics = self.config.metrics_path
        if metrics is None:
            from kiosk.system.paths import metrics_path
            metrics = metrics_path()
        self._in_worker(lambda: pack_info(pack, builtin, today), partial(self._got, "pack_status"), "pack")
        self._in_worker(lambda: counts_info(metrics, today), partial(self._got, "counts_status"), "counts")
        probe = self.config.probe
        if probe is None:
            from kiosk.system.voiceprobe import probe
        languages = list(pack.manifest.languages)
        self._in_worker(lambda: sound_info(probe(), languages), partial(self._got, "sound_status"), "sound")

    def _got(self, name: str, value: Any) -> None:
        if isinstance(value, Exception):
            self._failed[name] = f"could not be read: {type(value).__name__}: {value}"
        else:
            setattr(self, name, value)
        self._fill_screen()

    def _fill_screen(self) -> None:
        screen = self.screen
        if screen is None:
            return
        pack = self.kiosk.session.pack
        if self.pack_status is not None:
            screen.set_pack(pack_lines(pack, self._is_builtin(pack)), self.pack_status)
        if self.counts_status is not None:
            screen.set_counts(self.counts_status)
        if self.sound_status is not None:
            screen.set_sound(self.sound_status)
        sections = {"pack_status": screen.pack, "counts_status": screen.counts, "sound_status": screen.voice}
        for name, message in self._failed.items():
            sections[name].fill([("error", message)])
        if self.kiosk.speaker is None:
            screen.speaker_note.source = "Read-aloud is off on this kiosk (no speaker or no espeak-ng)."
        self._show_mic()

    # --- the sound tests ----------------------------------------------------------------------
    def speaker_test(self) -> None:
        screen, speaker = self.screen, self.kiosk.speaker
        if screen is None:
            return
        if speaker is None:
            screen.speaker_note.source = "Read-aloud is off on this kiosk (no speaker or no espeak-ng)."
            return
        speaker.stop()
        speaker.say(list(SPEAKER_TEST), "en")
        screen.speaker_note.source = "Playing a test sentence at the read-aloud volume."

    def mic_test(self) -> None:
        """Start (or stop) the level meter. Audio stays in memory: levels are shown, nothing is kept."""
        if self.screen is None:
            return
        if self.mic is not None and self.mic.running:
            self._stop_mic()
            self._show_mic()
            return
        opener = self.config.open_mic
        if opener is None:
            if self.sound_status is None:
                self.mic = MicRun(running=False, note="Still checking the sound devices; try again in a moment.")
                self._show_mic()
                return
            available, reason = self.sound_status.microphone
            if not available:
                self.mic = MicRun(running=False, note=f"No microphone: {reason}")
                self._show_mic()
                return
            opener = _default_mic
        run = self.mic = MicRun()
        threading.Thread(target=self._mic_loop, args=(opener, run, self._visit), daemon=True,
                         name="admin-mic").start()
        self._meter = Clock.schedule_interval(lambda _dt: self._show_mic(), METER_INTERVAL)
        self._show_mic()

    def _mic_loop(self, opener: Callable[[], Any], run: "MicRun", visit: int) -> None:
        """In a worker thread: read the microphone until stopped or its time is up."""
        from voice.audio import AudioError, rms
        try:
            source = opener()
        except (AudioError, OSError) as exc:
            run.note, run.running = f"No microphone: {exc}", False
            self._post(visit, self._mic_ended, run)
            return
        try:
            for chunk in source.chunks():
                if run.stop.is_set():
                    break
                run.level = _dbfs(rms(chunk))
                run.peak = run.level if run.peak is None else max(run.peak, run.level)
        except Exception as exc:  # a device that vanishes mid-test
            run.note = f"The microphone stopped: {exc}"
        finally:
            source.close()
        if not run.stop.is_set() and run.note == MIC_ON:
            run.note = "Microphone test over; the microphone is off."
        run.running = False
        self._post(visit, self._mic_ended, run)

    def _mic_ended(self, run: "MicRun") -> None:
        if run is self.mic and self._meter is not None:
            self._meter.cancel()
            self._meter = None
        self._show_mic()

    def _stop_mic(self) -> None:
        run = self.mic
        if run is not None and run.running:
            run.stop.set()
            run.running = False
            run.note = "Microphone off."
        if self._meter is not None:
            self._meter.cancel()
            self._meter = None

    def _show_mic(self) -> None:
        screen, run = self.screen, self.mic
        if screen is None:
            return
        running = run is not None and run.running
        screen.meter.set_db(run.level if running and run is not None else None)
        label = screen.mic_button.label_widget
        if label is not None:
            label.source = "Stop the microphone" if running else "Test the microphone"
        text = run.note if run is not None else ""
        if run is not None and run.peak is not None:
            now = f"now {run.level:.0f} dBFS, " if running and run.level is not None else ""
            text = f"{text} ({now}loudest {run.peak:.0f} dBFS)"
        screen.mic_note.source = text

    # --- leaving the app ----------------------------------------------------------------------
    def restart(self) -> None:
        log.info("admin asked for a restart (exit code %d)", RESTART_EXIT_CODE)
        self._close()
        self.config.quit(RESTART_EXIT_CODE)

    def leave_to_desktop(self) -> None:
        log.info("admin left the kiosk (exit code %d)", LEAVE_EXIT_CODE)
        self._close()
        self.config.quit(LEAVE_EXIT_CODE)

    # --- worker threads -----------------------------------------------------------------------
    def _in_worker(self, work: Callable[[], Any], then: Callable[[Any], None], what: str) -> None:
        visit = self._visit

        def run() -> None:
            try:
                result = work()
            except Exception as exc:  # shown on the admin screen, never a traceback
                log.warning("admin: %s failed: %s: %s", what, type(exc).__name__, exc)
                result = exc
            self._post(visit, then, result)
        threading.Thread(target=run, daemon=True, name=f"admin-{what}").start()

    def _post(self, visit: int, then: Callable[[Any], None], value: Any) -> None:
        """Hand a worker's result to the UI thread, unless admin has been left (or left and opened) since."""
        def deliver(_dt: float) -> None:
            if visit == self._visit and self.state != "hidden":
                then(value)
        Clock.schedule_once(deliver, 0)


def _default_mic() -> Any:
    from voice.audio import MicSource
    return MicSource(max_seconds=MIC_TEST_SECONDS)


def _dbfs(level: float) -> float:
    return 20 * math.log10(max(level, 1.0) / 32768)

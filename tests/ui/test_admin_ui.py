"""Hidden admin mode in the real kiosk: the gesture, the PIN pad and its lockout, the admin
screen, idle close and the ways out, driven by real touches on the offscreen window."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import random
import struct
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.kit.speech import wav_bytes
from tests.ui.conftest import RecordingSpeaker
from tests.ui.uihelp import GATE_CLEAR, option_tile, texts, widgets

PIN = "482915"
TODAY = dt.date(2026, 11, 20)
HERE = Path(__file__).resolve().parent


# --- fixtures ---------------------------------------------------------------------------

@pytest.fixture(scope="session")
def sound_probe():
    """This machine's real sound and voice probe (a child process), asked once for the run."""
    from kiosk.system.voiceprobe import probe
    return probe()


@dataclass
class Rig:
    """A kiosk with admin mode pointed at this test's files, and what it asked to do."""

    kiosk: object
    pin_path: Path
    metrics_path: Path
    quits: list[int] = field(default_factory=list)
    summaries: list = field(default_factory=list)

    @property
    def admin(self):
        return self.kiosk.admin


@pytest.fixture
def make_rig(kivy_env, built_in_pack, tmp_path, sound_probe):
    from kiosk.session import Session
    from kiosk.ui.admin_ui import AdminConfig
    from kiosk.ui.kiosk import Kiosk
    made: list = []

    def make(pin: str | None = PIN, speaker=None, open_mic=None, probe=None, fresh_pin: bool = True) -> Rig:
        from kiosk.admin import PinStore
        pin_path = tmp_path / "admin-pin.json"
        if pin is not None and fresh_pin:
            PinStore(pin_path).set_pin(pin)
        rig = Rig(None, pin_path, tmp_path / "counts" / "daily.sqlite")
        config = AdminConfig(pin_path=pin_path, metrics_path=rig.metrics_path, wall_clock=kivy_env.time,
                             today=lambda: TODAY, quit=rig.quits.append,
                             probe=probe or (lambda: sound_probe), open_mic=open_mic, environ={})
        session = Session(built_in_pack, clock=kivy_env.time, on_end=rig.summaries.append)
        rig.kiosk = Kiosk(session, clock=kivy_env.time, speaker=speaker, admin=config)
        rig.kiosk.attach()
        made.append(rig.kiosk)
        kivy_env.step(GATE_CLEAR, frames=3)
        return rig

    yield make
    for kiosk in made:
        kiosk.detach()
    kivy_env.step(1.0)


# --- touches ------------------------------------------------------------------------------

def window_size() -> tuple[int, int]:
    from kivy.core.window import Window
    return int(Window.width), int(Window.height)


def top_left() -> tuple[float, float]:
    _, h = window_size()
    return 20.0, h - 20.0


def bottom_right() -> tuple[float, float]:
    w, _ = window_size()
    return w - 20.0, 20.0


def loop(env, seconds: float = 0.0, ticks: int = 1) -> None:
    """Advance the shared clock and run Kivy's clock and layout, without drawing frames
    (drawing dominates a software-rendered offscreen frame; these tests read widgets)."""
    from kivy.clock import Clock
    env.time.now += seconds
    for _ in range(ticks):
        Clock.tick()
        Clock.tick_draw()


def touch(env, x: float, y: float, hold: float = 0.08, after: float = GATE_CLEAR, drift: float = 0.0) -> None:
    """A finger down at window position (x, y), held `hold` seconds (optionally sliding
    `drift` px), then lifted, straight into the window's touch handling."""
    from kivy.tests.common import UnitTestTouch
    finger = UnitTestTouch(x, y)
    finger.touch_down()
    steps = max(1, math.ceil(hold))  # the kiosk's own timer ticks once a second
    for i in range(steps):
        loop(env, hold / steps)
        if drift and i == 0:
            finger.touch_move(x + drift, y)
    finger.touch_up()
    loop(env, after)
    if after < 0.2:
        loop(env, 0.2 - after)  # a ScrollView hands its children a quick tap's release 0.2 s later


def hold_at(env, x: float, y: float, seconds: float, drift: float = 0.0) -> None:
    touch(env, x, y, hold=seconds, drift=drift)


def tap(env, widget, after: float = GATE_CLEAR) -> None:
    """A tap in the middle of a widget, scrolling its page to it first as a finger would."""
    from kivy.core.window import Window
    from kivy.uix.scrollview import ScrollView
    scroller = widget.parent
    while scroller is not None and scroller is not Window and not isinstance(scroller, ScrollView):
        scroller = scroller.parent
    if isinstance(scroller, ScrollView):
        scroller.scroll_to(widget, animate=False)
        loop(env, 0.0, ticks=2)
    x, y = widget.to_window(*widget.center)
    touch(env, x, y, hold=0.05, after=after)


def press(env, widget) -> None:
    """A quick tap (a pad key)."""
    tap(env, widget, after=0.05)


def gesture(env, taps: int = 3) -> None:
    hold_at(env, *top_left(), seconds=3.3)
    for _ in range(taps):
        touch(env, *bottom_right())
    loop(env, 0.0, ticks=2)


def wait_for(env, condition, what: str) -> None:
    """Let Kivy's clock run until a worker thread's result has arrived (no fake time passes)."""
    for _ in range(2000):
        if condition():
            return
        loop(env)
        time.sleep(0.005)
    raise AssertionError(f"timed out waiting for {what}")


def enter_pin(env, rig: Rig, pin: str) -> None:
    pad = rig.admin.pad
    assert pad is not None
    for digit in pin:
        press(env, pad.keys[digit])
    press(env, pad.keys["ok"])
    wait_for(env, lambda: not rig.admin.busy, "the PIN check")
    loop(env, 0.0, ticks=2)


def admin_button(rig: Rig, role: str):
    from kiosk.ui.widgets import Tile
    found = [t for t in widgets(rig.admin.root, Tile) if getattr(t, "admin_role", None) == role]
    assert found, f"no {role!r} button on the admin screen"
    return found[0]


def on_window(widget) -> bool:
    from kivy.core.window import Window
    return widget.parent is Window


def open_admin(env, rig: Rig, pin: str = PIN) -> None:
    gesture(env)
    assert rig.admin.state == "pad"
    enter_pin(env, rig, pin)
    assert rig.admin.state == "screen"


# --- the way in ---------------------------------------------------------------------------

def test_gesture_then_right_pin_opens_admin_and_the_visit_is_forgotten_uncounted(kivy_env, make_rig):
    from kiosk.ui.admin_pad import DOT
    rig = make_rig()
    kiosk = rig.kiosk
    tap(kivy_env, option_tile(kiosk, "Safety and rights"))
    assert kiosk.session.active and kiosk.view.node_id == "safety"
    gesture(kivy_env)
    admin = rig.admin
    assert admin.state == "pad" and admin.pad_openings == 1
    assert on_window(admin.root) and not on_window(kiosk.root)  # the pad covers everything
    # The visit was forgotten as by a quick exit, but staff at the kiosk are not counted as one.
    assert kiosk.view.node_id == kiosk.session.pack.manifest.neutral and not kiosk.session.active
    assert rig.summaries == []
    pad = admin.pad
    for digit in PIN:
        press(kivy_env, pad.keys[digit])
    assert pad.dots.text == " ".join(DOT * len(PIN))
    assert not any(PIN[:3] in t for t in texts(admin.root))  # the digits are never shown
    press(kivy_env, pad.keys["ok"])
    wait_for(kivy_env, lambda: admin.state == "screen", "the admin screen")
    assert admin.screen_openings == 1
    wait_for(kivy_env, lambda: None not in (admin.pack_status, admin.counts_status, admin.sound_status), "the status")
    loop(kivy_env, 0.0, ticks=3)
    shown = "\n".join(texts(admin.root))
    manifest = kiosk.session.pack.manifest
    assert f"({manifest.id})" in shown and f"region {manifest.region}, version {manifest.version}" in shown
    assert "the built-in pack" in shown and "no regional pack is installed" in shown
    assert "numbers last verified:" in shown and "nhth: " in shown
    assert "no visits counted" in shown
    assert "en: " in shown and "microphone: " in shown
    assert "not running as the systemd service" in shown


def test_gesture_alone_or_in_the_wrong_order_does_not_open_the_pad(kivy_env, make_rig):
    rig = make_rig()
    env = kivy_env
    hold_at(env, *top_left(), seconds=3.3)  # the long press alone
    loop(env, 6.0)
    for _ in range(3):  # the taps alone
        touch(env, *bottom_right())
    for _ in range(3):  # taps, then the long press: the wrong order
        touch(env, *bottom_right())
    hold_at(env, *top_left(), seconds=3.3)
    loop(env, 6.0)
    hold_at(env, *top_left(), seconds=2.4)  # too short
    for _ in range(3):
        touch(env, *bottom_right())
    hold_at(env, *top_left(), seconds=3.3, drift=40)  # not held still
    for _ in range(3):
        touch(env, *bottom_right())
    hold_at(env, *top_left(), seconds=3.3)  # broken by a tap elsewhere
    touch(env, *bottom_right())
    touch(env, 400, 240)
    touch(env, *bottom_right())
    touch(env, *bottom_right())
    hold_at(env, *top_left(), seconds=3.3)  # too slow
    touch(env, *bottom_right())
    touch(env, *bottom_right(), after=5.0)
    touch(env, *bottom_right())
    w, h = window_size()
    hold_at(env, *top_left(), seconds=3.3)  # the wrong corner
    for _ in range(3):
        touch(env, w - 20.0, h - 20.0)
    loop(env, 0.0, ticks=3)
    assert rig.admin.pad_openings == 0 and rig.admin.state == "hidden"
    assert on_window(rig.kiosk.root)


def test_the_gesture_does_not_change_how_the_corners_and_long_presses_work(kivy_env, make_rig):
    rig = make_rig()
    kiosk, env = rig.kiosk, kivy_env
    # A long press on a button works as a tap.
    tile = option_tile(kiosk, "Safety and rights")
    kiosk.page.scroll_to(tile, animate=False)  # below the first screenful at 800x480 (issue 15's language strip)
    loop(env, 0.0, ticks=2)
    x, y = tile.to_window(*tile.center)
    hold_at(env, x, y, seconds=3.5)
    assert kiosk.view.node_id == "safety"
    # The top-left corner is Back on a help screen: a long press there still goes back.
    tap(env, option_tile(kiosk, "Could this be you?"))
    assert kiosk.view.node_id == "signs"
    hold_at(env, *top_left(), seconds=3.3)
    assert kiosk.view.node_id == "safety"
    # ... and the taps that follow in the other corner still reach what is there.
    for _ in range(3):
        touch(env, *bottom_right())
    loop(env, 0.0, ticks=3)
    assert rig.admin.state == "pad"  # the full gesture, made on purpose
    rig.admin.leave()
    loop(env, GATE_CLEAR, ticks=3)
    # Close, in the top-right corner, is untouched by all this.
    tap(env, option_tile(kiosk, "Safety and rights"))
    tap(env, kiosk.header.exit_button)
    assert kiosk.view.neutral and not kiosk.session.active
    assert rig.summaries and rig.summaries[-1].reason == "quick_exit"


def test_without_a_pin_the_pad_says_how_to_set_one(kivy_env, make_rig):
    rig = make_rig(pin=None)
    gesture(kivy_env)
    assert rig.admin.state == "pad"
    assert "kiosk admin set-pin" in " ".join(texts(rig.admin.root))
    assert set(rig.admin.pad.keys) == {"cancel"}  # nothing to type into
    tap(kivy_env, rig.admin.pad.keys["cancel"])
    assert rig.admin.state == "hidden" and on_window(rig.kiosk.root)


# --- wrong PINs ----------------------------------------------------------------------------

def pad_message(rig: Rig) -> str:
    return rig.admin.pad.message.source


def test_wrong_pins_lock_the_pad_out_for_longer_each_time_even_after_a_restart(kivy_env, make_rig):
    from kiosk.admin import FIRST_LOCKOUT_SECONDS, TRIES_BEFORE_LOCKOUT
    env = kivy_env
    rig = make_rig()
    gesture(env)
    for _ in range(TRIES_BEFORE_LOCKOUT - 1):
        enter_pin(env, rig, "135792")
        assert pad_message(rig) == "Wrong PIN. Try again."
    enter_pin(env, rig, "135792")
    assert f"try again in {FIRST_LOCKOUT_SECONDS} s" in pad_message(rig)
    # Locked: the keys do nothing, even the right PIN.
    for digit in PIN:
        press(env, rig.admin.pad.keys[digit])
    press(env, rig.admin.pad.keys["ok"])
    assert rig.admin.pad.dots.text == "" and rig.admin.state == "pad"
    loop(env, 10.0)
    loop(env, 1.0)
    assert "Try again in 1" in pad_message(rig)  # counting down (19 or 18 s left)
    for _ in range(FIRST_LOCKOUT_SECONDS):
        loop(env, 1.0)
    assert pad_message(rig) == "You can try again now."
    for _ in range(TRIES_BEFORE_LOCKOUT):
        enter_pin(env, rig, "135792")
    assert f"try again in {2 * FIRST_LOCKOUT_SECONDS} s" in pad_message(rig)  # doubled

    # A restart: a new kiosk (and PinStore) over the same files still knows the lockout.
    rig.kiosk.detach()
    loop(env, 5.0)
    again = make_rig(fresh_pin=False)
    gesture(env)
    assert again.admin.state == "pad"
    message = pad_message(again)
    assert message.startswith("Too many wrong PINs. Try again in ")
    left = int(message.split(" in ")[1].split(" ")[0])
    assert 2 * FIRST_LOCKOUT_SECONDS - 20 < left < 2 * FIRST_LOCKOUT_SECONDS - 5
    for _ in range(left + 1):
        loop(env, 1.0)
    enter_pin(env, again, PIN)
    assert again.admin.state == "screen"


# --- the admin screen ------------------------------------------------------------------------

def test_admin_closes_itself_after_60_seconds_without_a_touch(kivy_env, make_rig):
    from kiosk.admin import ADMIN_IDLE_SECONDS
    env = kivy_env
    rig = make_rig()
    open_admin(env, rig)
    for _ in range(ADMIN_IDLE_SECONDS - 10):
        loop(env, 1.0)
    assert rig.admin.state == "screen"
    touch(env, 400, 300)  # any touch on admin counts as activity
    for _ in range(ADMIN_IDLE_SECONDS - 5):
        loop(env, 1.0)
    assert rig.admin.state == "screen"
    for _ in range(6):
        loop(env, 1.0)
    assert rig.admin.state == "hidden"
    assert on_window(rig.kiosk.root) and not on_window(rig.admin.root)
    assert rig.kiosk.view.node_id == rig.kiosk.session.pack.manifest.neutral and not rig.kiosk.session.active
    # The pad closes the same way.
    gesture(env)
    assert rig.admin.state == "pad"
    for _ in range(ADMIN_IDLE_SECONDS + 1):
        loop(env, 1.0)
    assert rig.admin.state == "hidden" and rig.summaries == []


def test_leave_admin_button_and_escape_go_back_to_the_neutral_screen(kivy_env, make_rig):
    from kivy.core.window import Window
    env = kivy_env
    rig = make_rig()
    open_admin(env, rig)
    tap(env, rig.admin.screen.leave_button)
    assert rig.admin.state == "hidden" and on_window(rig.kiosk.root)
    open_admin(env, rig)
    assert Window.dispatch("on_keyboard", 27, 41, None, []) is True  # Escape
    loop(env, GATE_CLEAR, ticks=2)
    assert rig.admin.state == "hidden" and on_window(rig.kiosk.root)
    assert rig.kiosk.view.neutral and rig.quits == []


def test_counts_show_30_day_totals_with_small_counts_hidden(kivy_env, make_rig):
    from kiosk.metrics import Metrics
    rig = make_rig()
    busy, quiet = TODAY - dt.timedelta(days=3), TODAY - dt.timedelta(days=12)
    for day, counters in ((busy, ["sessions"] * 6 + ["help_opened"] * 2 + ["language:es"] * 6),
                          (quiet, ["sessions"] * 2 + ["quick_exit"]),
                          (TODAY - dt.timedelta(days=40), ["sessions"] * 50)):  # older than 30 days
        metrics = Metrics(rig.metrics_path, today=lambda d=day: d)
        for counter in counters:
            assert metrics.add([counter])
    open_admin(kivy_env, rig)
    wait_for(kivy_env, lambda: rig.admin.counts_status is not None, "the counts")
    loop(kivy_env, 0.0, ticks=2)
    shown = texts(rig.admin.root)
    assert "visits (sessions): 8" in shown
    assert "help screens opened: <5" in shown and "ended by quick exit: <5" in shown
    assert "language: Spanish (es): 6" in shown
    assert not any("50" in line for line in shown if line.startswith("visits"))


def test_speaker_test_and_microphone_meter(kivy_env, make_rig, tmp_path):
    from voice.audio import WavSource
    env = kivy_env
    speaker = RecordingSpeaker()
    rig = make_rig(speaker=speaker, open_mic=lambda: WavSource(tone_wav(seconds=1.0)))
    open_admin(env, rig)
    tap(env, admin_button(rig, "speaker_test"))
    assert speaker.said[-1] == (("This is the Lantern speaker test.", "If you can hear this, read-aloud works."),
                                "en")
    before = sorted(p for p in tmp_path.rglob("*"))
    tap(env, admin_button(rig, "mic_test"))
    wait_for(env, lambda: rig.admin.mic is not None and not rig.admin.mic.running, "the microphone test")
    loop(env, 0.0, ticks=2)
    note = rig.admin.screen.mic_note.source
    assert note.startswith("Microphone test over; the microphone is off.")
    loudest = float(note.split("loudest ")[1].split(" dBFS")[0])
    assert -12 <= loudest <= -3  # the tone is at half of full scale: about -9 dBFS
    assert sorted(p for p in tmp_path.rglob("*")) == before  # nothing heard was kept


def test_without_a_microphone_the_meter_says_so(kivy_env, make_rig, sound_probe):
    rig = make_rig()
    open_admin(kivy_env, rig)
    wait_for(kivy_env, lambda: rig.admin.sound_status is not None, "the sound probe")
    tap(kivy_env, admin_button(rig, "mic_test"))
    note = rig.admin.screen.mic_note.source
    if sound_probe.microphone.available:
        pytest.skip("this machine has a microphone")
    assert note == f"No microphone: {sound_probe.microphone.text}"
    assert rig.admin.screen.meter.fraction == 0.0


def test_change_pin_asks_the_old_one_and_the_new_one_twice(kivy_env, make_rig):
    from kiosk.admin import PinStore
    env = kivy_env
    rig = make_rig()
    open_admin(env, rig)
    tap(env, admin_button(rig, "change_pin"))
    assert rig.admin.pad_mode == "old"
    enter_pin(env, rig, "999111")
    assert pad_message(rig) == "Wrong PIN. Try again."
    enter_pin(env, rig, PIN)
    assert rig.admin.pad_mode == "new"
    enter_pin(env, rig, "111111")
    assert "too easy to guess" in pad_message(rig) and rig.admin.pad_mode == "new"
    enter_pin(env, rig, "730518")
    assert rig.admin.pad_mode == "again"
    enter_pin(env, rig, "730519")
    assert rig.admin.pad_mode == "new" and "not the same" in pad_message(rig)
    enter_pin(env, rig, "730518")
    enter_pin(env, rig, "730518")
    wait_for(env, lambda: rig.admin.state == "screen", "the PIN to be saved")
    assert rig.admin.screen.pin_note.source == "The PIN was changed."
    store = PinStore(rig.pin_path, clock=env.time)
    assert store.try_pin("730518").ok and not store.try_pin(PIN).ok


def test_restart_and_leave_to_the_desktop_end_the_app_with_their_exit_codes(kivy_env, make_rig):
    from kiosk.ui.admin_status import LEAVE_EXIT_CODE, RESTART_EXIT_CODE
    env = kivy_env
    rig = make_rig()
    open_admin(env, rig)
    tap(env, admin_button(rig, "restart"))
    assert rig.quits == [RESTART_EXIT_CODE] and rig.admin.state == "hidden"
    open_admin(env, rig)
    tap(env, admin_button(rig, "leave_desktop"))
    assert rig.quits == [RESTART_EXIT_CODE, LEAVE_EXIT_CODE]
    # Distinct, and neither is what a stop by systemd (0) or a Python crash (1) ends with:
    # systemd restarts the kiosk after anything but LEAVE_EXIT_CODE (systemd/lantern-kiosk.service).
    assert len({RESTART_EXIT_CODE, LEAVE_EXIT_CODE, 0, 1}) == 4


def test_the_admin_screen_says_what_restart_and_leave_do():
    from kiosk.ui.admin_screen import app_notes
    restart, leave = app_notes(systemd=True)
    assert "starts it again" in restart
    assert "stays stopped" in leave and "login prompt" in leave and "starts it again" not in leave
    assert "sudo systemctl start lantern-kiosk" in leave
    (alone,) = app_notes(systemd=False)
    assert "nothing starts it again" in alone


def test_buttons_stay_put_while_the_status_fills_in(kivy_env, make_rig, sound_probe):
    """The sound probe takes seconds; its lines must not move a button from under a finger."""
    import threading
    env = kivy_env
    answer = threading.Event()
    rig = make_rig(probe=lambda: (answer.wait(30), sound_probe)[1])
    open_admin(env, rig)
    wait_for(env, lambda: None not in (rig.admin.pack_status, rig.admin.counts_status), "the pack and counts")
    button = admin_button(rig, "restart")
    rig.admin.screen.scroller.scroll_to(button, animate=False)
    loop(env, 0.0, ticks=3)
    before = button.to_window(*button.pos)
    answer.set()
    wait_for(env, lambda: rig.admin.sound_status is not None, "the sound probe")
    loop(env, 0.0, ticks=3)
    assert button.to_window(*button.pos) == pytest.approx(before, abs=0.5)
    tap(env, button)
    assert rig.quits == [75]


def tone_wav(seconds: float, rate: int = 16000, amplitude: float = 0.5) -> bytes:
    frames = b"".join(struct.pack("<h", int(amplitude * 32767 * math.sin(2 * math.pi * 440 * i / rate)))
                      for i in range(int(seconds * rate)))
    return wav_bytes(frames, rate)


# --- nobody gets in by chance ---------------------------------------------------------------

RANDOM_TOUCHES = 10_000
BURST = 100  # touches between two random navigations


def test_ten_thousand_random_touches_and_long_presses_never_open_admin(kivy_env, make_rig, capsys, monkeypatch):
    """Random taps and long presses all over the screen, biased towards the two corners so
    that the gesture's parts do happen, in bursts with a random navigation between them.

    Each touch goes through the window's own touch handling (Window.on_motion: the admin
    observer, then the kiosk's root and widgets), but not Kivy's replay of grabbed touches,
    and Kivy's clock runs only between bursts: most presses on buttons therefore do not
    fire, which keeps 10,000 touches to seconds; the screens change by the navigation.
    (The tests above drive the gesture through the full input path, grabs included.)
    Admin must never open; the pad practically never."""
    from kivy.core.window import Window
    from kivy.tests.common import UnitTestTouch
    from kiosk.session import Back, Choose, GoTo, Home, QuickExit, SetLanguage
    from kiosk.ui import kiosk as kiosk_module
    env = kivy_env
    # No frames are drawn here, so the kiosk's "collect the old screen once the new one is
    # on the glass" (kiosk.ui.memory) would wait for its fallback every time; Python's own
    # thresholds collect instead.
    monkeypatch.setattr(kiosk_module, "hold_collection_until_drawn", lambda: None)
    rig = make_rig()
    kiosk, admin = rig.kiosk, rig.admin
    pack = kiosk.session.pack
    nodes, languages = sorted(pack.nodes), list(pack.manifest.languages)
    rng = random.Random(20261122)
    w, h = window_size()
    zone = admin.gesture.zone
    counts = {"taps": 0, "long presses": 0, "corner long presses": 0, "corner taps": 0, "navigations": 0}
    started, cpu = time.perf_counter(), time.process_time()
    for i in range(RANDOM_TOUCHES):
        if i % BURST == 0:
            kiosk.send(rng.choice([Back(), Home(), QuickExit(), Choose(rng.randint(1, 6)),
                                   GoTo(rng.choice(nodes)), SetLanguage(rng.choice(languages))]))
            loop(env, GATE_CLEAR, ticks=2)  # timers, layout, the presses the page handed over
            counts["navigations"] += 1
            assert admin.state != "screen"
        r = rng.random()
        if r < 0.02:
            x, y = rng.uniform(0, zone), rng.uniform(h - zone, h - 1)
            counts["corner long presses"] += 1
        elif r < 0.07:
            x, y = rng.uniform(w - zone, w - 1), rng.uniform(0, zone)
            counts["corner taps"] += 1
        else:
            x, y = rng.uniform(0, w - 1), rng.uniform(0, h - 1)
        long = r < 0.02 or rng.random() < 0.1
        counts["long presses" if long else "taps"] += 1
        finger = UnitTestTouch(x, y)
        Window.dispatch("on_motion", "begin", finger)
        env.time.now += rng.uniform(1.0, 6.0) if long else rng.uniform(0.03, 0.25)
        if rng.random() < 0.05:
            finger.move({"x": min(1.0, finger.sx + rng.uniform(-0.05, 0.05)), "y": finger.sy})
            Window.dispatch("on_motion", "update", finger)
        Window.dispatch("on_motion", "end", finger)
        env.time.now += rng.uniform(0.05, 1.0)
    loop(env, GATE_CLEAR, ticks=2)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    with capsys.disabled():
        print(f"\n{RANDOM_TOUCHES} random touches ({counts}): the long press was completed "
              f"{admin.gesture.armed_count} times, the PIN pad opened {admin.pad_openings} times, "
              f"admin {admin.screen_openings} times; {kiosk.rebuilds} screens drawn; "
              f"{elapsed:.1f} s ({cpu:.1f} s CPU)")
    assert admin.screen_openings == 0 and admin.state != "screen"
    assert admin.pad_openings <= 1  # practically never (the full gesture made by chance)
    assert admin.gesture.armed_count > 0  # the test did make the gesture's first half


def test_leave_to_the_desktop_stops_the_real_app(tmp_path):
    """`kiosk run` for real (kiosk.cli, start_device, run_kiosk), in a subprocess: gesture, PIN,
    then "Leave to the desktop". The process ends with LEAVE_EXIT_CODE, the one status the
    systemd unit does not restart after."""
    from kiosk.ui.admin_status import LEAVE_EXIT_CODE
    env = {**os.environ, "SDL_VIDEODRIVER": "offscreen", "LANTERN_DATA": str(tmp_path)}
    env.pop("INVOCATION_ID", None)
    run = subprocess.run([sys.executable, str(HERE / "run_admin_exit.py"), "leave_desktop"],
                         capture_output=True, text=True, timeout=110, env=env, cwd=HERE.parent.parent)
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["through_start_device"] is True, report
    assert report["pad"] is True and report["screen"] is True, report
    assert "gave_up" not in report, report
    assert report["code"] == LEAVE_EXIT_CODE and run.returncode == LEAVE_EXIT_CODE, run.stderr
    assert "Traceback" not in run.stderr


def test_the_gesture_over_the_language_list_closes_it_with_the_visit(kivy_env, make_rig):
    from kiosk.ui.widgets import Tile
    env = kivy_env
    rig = make_rig()
    language = [t for t in widgets(rig.kiosk.header.widget, Tile) if getattr(t, "role", None) == "language"]
    tap(env, language[0])
    assert rig.kiosk.overlay == "languages"
    gesture(env)
    assert rig.admin.state == "pad"
    tap(env, rig.admin.pad.keys["cancel"])
    assert rig.kiosk.overlay is None and rig.kiosk.view.neutral and on_window(rig.kiosk.root)
    assert rig.summaries == []


def test_status_that_cannot_be_gathered_says_so(kivy_env, make_rig):
    def broken_probe():
        raise OSError("the probe could not start")
    rig = make_rig(probe=broken_probe)
    open_admin(kivy_env, rig)
    wait_for(kivy_env, lambda: "sound_status" in rig.admin._failed, "the failed probe")
    assert "could not be read: OSError: the probe could not start" in texts(rig.admin.root)

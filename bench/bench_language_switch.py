"""Language switch benchmark: SetLanguage through the real UI until the new screen is drawn.

    .venv/bin/python bench/bench_language_switch.py [--rounds 6] [--screens hotline,call_expect]
                                                    [--size 800x480] [--no-gc-measures]

One process, the real Kivy window offscreen (Kivy's frame cap off, so only
work is timed), the built-in pack, started the way `kiosk run` starts it
(kiosk.ui.memory.freeze_startup_heap, then Kiosk.attach). For each screen the
visitor goes there, then switches language again and again, across all twelve
languages in a fixed shuffled order. One switch is timed from the tap's action
(Kiosk.send(SetLanguage(tag)), what the language tile calls) until the window has
flipped the frame that shows the new screen (Window on_flip).

The first switch into each language is reported apart ("cold": the font file
is opened and its glyphs rasterised for the first time); the figures that
matter are the warm ones. Wall time is what a visitor waits; CPU time is the
same work without other processes' noise (this machine is shared: its load
average is printed). --no-gc-measures turns off the collector measures
(kiosk.ui.memory) to show what they are worth. Prints figures; asserts nothing
(the target is < 100 ms median and p95).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@dataclass
class Samples:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def add(self, wall_s: float, cpu_s: float) -> None:
        self.wall.append(wall_s * 1000)
        self.cpu.append(cpu_s * 1000)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def line(name: str, s: Samples) -> str:
    if not s.wall:
        return f"{name:28s} (none)"
    return (f"{name:28s} n={len(s.wall):4d}  wall median {statistics.median(s.wall):6.1f} ms  "
            f"p95 {pct(s.wall, 0.95):6.1f}  max {max(s.wall):6.1f}   "
            f"cpu median {statistics.median(s.cpu):6.1f} ms  p95 {pct(s.cpu, 0.95):6.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=6, help="switches into each language per screen")
    parser.add_argument("--screens", default="hotline,call_expect")
    parser.add_argument("--size", default="800x480")
    parser.add_argument("--no-gc-measures", action="store_true")
    parser.add_argument("--no-warm", action="store_true", help="skip kiosk.ui.warm's font warm-up")
    args = parser.parse_args()
    width, height = map(int, args.size.split("x"))

    # The fonts lantern.sh prepared (python -m kiosk.i18n.prepare), not a second copy.
    os.environ.setdefault("LANTERN_FONT_CACHE", str(Path(sys.prefix) / "share" / "lantern" / "fonts"))
    if "LANTERN_DATA" not in os.environ:
        import tempfile
        os.environ["LANTERN_DATA"] = tempfile.mkdtemp(prefix="lantern-bench-")
    from kiosk.ui.env import WindowMode, configure_kivy
    configure_kivy(WindowMode(fullscreen=False, size=(width, height), offscreen=True, maxfps=0))

    from kivy.base import EventLoop
    from kivy.core.window import Window

    import kiosk.ui.kiosk as kiosk_module
    from kiosk.session import GoTo, Session, SetLanguage
    from kiosk.ui.app import prepare
    from kiosk.ui.kiosk import Kiosk, settle
    from kiosk.ui.memory import freeze_startup_heap

    pack = prepare(None, None).pack
    if args.no_gc_measures:
        kiosk_module.hold_collection_until_drawn = lambda: None  # type: ignore[assignment]
    else:
        freeze_startup_heap()
    if args.no_warm:
        kiosk_module.warm_languages_soon = lambda *_a: None  # type: ignore[assignment]
    session = Session(pack, clock=time.monotonic)
    kiosk = Kiosk(session, clock=time.monotonic)
    kiosk.attach()
    settle()
    from kiosk.ui.warm import warming_done
    while not warming_done():  # the kiosk warms one language per frame after it starts
        EventLoop.idle()

    flips = [0]
    Window.bind(on_flip=lambda *_: flips.__setitem__(0, flips[0] + 1))
    languages = list(pack.manifest.languages)
    cold, warm = Samples(), Samples()
    per_language: dict[str, Samples] = {tag: Samples() for tag in languages}
    wrong: list[str] = []
    rng = random.Random(7)
    load_before = os.getloadavg()
    for screen in args.screens.split(","):
        kiosk.send(GoTo(screen))
        settle()
        seen: set[str] = set()
        current = kiosk.view.language if kiosk.view else ""
        for _ in range(args.rounds):
            order = languages[:]
            rng.shuffle(order)
            for tag in order:
                if tag == current:
                    continue
                before = flips[0]
                wall0, cpu0 = time.perf_counter(), time.process_time()
                kiosk.send(SetLanguage(tag))
                while flips[0] == before:
                    EventLoop.idle()
                wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
                view = kiosk.view
                if view is None or view.node_id != screen or view.language != tag:
                    wrong.append(f"{screen} -> {tag}: shows {view and (view.node_id, view.language)}")
                (warm if tag in seen else cold).add(wall, cpu)
                if tag in seen:
                    per_language[tag].add(wall, cpu)
                seen.add(tag)
                current = tag
                settle(2)  # the visitor reads; the collector may run now
    load_after = os.getloadavg()
    kiosk.detach()

    print(f"language switch, {width}x{height}, screens {args.screens}, "
          f"gc measures {'off' if args.no_gc_measures else 'on'}, warm-up {'off' if args.no_warm else 'on'}")
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} "
          f"(on {os.cpu_count()} CPUs; other processes inflate wall time)")
    print(line("cold (first into a language)", cold))
    print(line("warm (all languages)", warm))
    for tag in languages:
        print(line(f"  {tag}", per_language[tag]))
    if wrong:
        print("WRONG SCREEN after switch:", *wrong, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

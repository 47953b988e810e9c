"""UI benchmark: the kiosk against a bare Kivy window, in one run. Prints figures; asserts nothing.

    .venv/bin/python bench/bench_ui.py [--idle 30] [--taps 100] [--starts 5]

Each side runs in its own process (Kivy has one window per process), offscreen
at 800x480 with the same Config (maxfps 30). The kiosk starts as `kiosk run`
does (kiosk.ui.device.start_device), in an empty data directory after one
warm-up start (as a device is after its first boot: fonts prepared, pack cache
filled):
- start: from starting the process to the first frame drawn (on_flip), the
  median of --starts starts of each, alternating kiosk and bare window; also
  the CPU time each process used until then, which other work on the machine
  disturbs less than the wall-clock time;
- idle CPU: process CPU time over --idle seconds with nothing happening, as % of one core;
- tap latency (kiosk only): a real touch on an option (down, up) to the next
  screen's first frame, median and p95 over --taps taps, round a visitor's
  path (home -> safety -> hotline, Back, a checklist, Back, Back, a tip, Back),
  0.5 s apart so the 0.3 s press gate is past;
- peak RSS of each process.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


# --- child processes ---------------------------------------------------------------

def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _scroll_into_view(widget: object) -> bool:
    """Scroll the page so `widget` is fully visible (the page may continue below the fold
    or under the fixed bar); True when it had to scroll."""
    from kivy.core.window import Window
    from kivy.uix.scrollview import ScrollView
    parent = widget.parent  # type: ignore[attr-defined]
    while parent is not None and parent is not Window and not isinstance(parent, ScrollView):
        parent = parent.parent
    if not isinstance(parent, ScrollView):
        return False
    _, y0 = widget.to_window(widget.x, widget.y)  # type: ignore[attr-defined]
    bottom = parent.to_window(parent.x, parent.y)[1]
    top = parent.to_window(parent.x, parent.top)[1]
    if bottom <= y0 and y0 + widget.height <= top:  # type: ignore[attr-defined]
        return False
    parent.scroll_to(widget, animate=False)
    return True


def _after_first_frame(idle_s: float, taps: int, kiosk: bool) -> None:
    """Runs inside the child's event loop: idle measurement, then taps, then report and stop."""
    from kivy.app import App
    from kivy.clock import Clock
    from kivy.core.window import Window

    print(json.dumps({"event": "first_frame", "cpu_s": _cpu_seconds()}), flush=True)
    report: dict[str, object] = {}
    app = App.get_running_app()
    if idle_s <= 0:  # a start-up measurement only
        print(json.dumps({"event": "report", "peak_rss_mib": _peak_rss_mib()}), flush=True)
        Clock.schedule_once(lambda _dt: app.stop(), 0)
        return

    def start_idle(_dt: float) -> None:
        cpu0, wall0 = _cpu_seconds(), time.perf_counter()

        def end_idle(_dt: float) -> None:
            report["idle_cpu_percent"] = 100 * (_cpu_seconds() - cpu0) / (time.perf_counter() - wall0)
            if kiosk and taps:
                run_taps()
            else:
                finish()
        Clock.schedule_once(end_idle, idle_s)

    def run_taps() -> None:
        from kivy.tests.common import UnitTestTouch
        from kiosk.ui.widgets import Tile
        k = app.kiosk
        latencies: list[float] = []
        pending: dict[str, float] = {}

        # A visitor's path through every kind of screen: the help menu, the hotline's
        # contact card, a checklist, a tip; forward and Back again, round and round.
        plan = ["safety", "hotline", "back", "signs", "back", "back", "tip_water", "back"]
        step = {"i": 0}

        def target() -> Tile:
            tiles = [w for w in k.root.walk(restrict=True) if isinstance(w, Tile)]
            goal = plan[step["i"] % len(plan)]
            step["i"] += 1
            if goal == "back":
                return next(t for t in tiles if getattr(t, "role", None) == "back")
            number = next(o.number for o in k.view.options if o.target == goal)
            return next(t for t in tiles if getattr(t, "option_number", None) == number)

        def on_flip(*_a: object) -> None:
            if "t0" in pending and k.generation != pending["gen"]:
                latencies.append(time.perf_counter() - pending.pop("t0"))
                watchdog.cancel()
                Clock.schedule_once(tap, 0.5)  # well past the 0.3 s press gate

        def missed(_dt: float) -> None:
            if "t0" in pending:  # the tap landed in the press gate: tap again
                pending.pop("t0")
                report["missed_taps"] = int(report.get("missed_taps", 0)) + 1
                step["i"] -= 1  # the same target again
                tap()
        watchdog = Clock.create_trigger(missed, 2.0)

        def tap(_dt: float = 0) -> None:
            if len(latencies) >= taps:
                Window.unbind(on_flip=on_flip)
                report["tap_ms"] = [round(x * 1000, 2) for x in latencies]
                finish()
                return
            tile = target()
            if _scroll_into_view(tile):
                # As a finger would: scroll first (not part of the tap's latency), then tap.
                Clock.schedule_once(lambda _dt: press(tile), 0.2)
            else:
                press(tile)

        def press(tile: Tile) -> None:
            x, y = tile.to_window(*tile.center)
            touch = UnitTestTouch(x, y)
            touch.touch_down()
            pending["gen"] = k.generation
            pending["t0"] = time.perf_counter()
            touch.touch_up()
            watchdog()

        Window.bind(on_flip=on_flip)
        tap()

    def finish() -> None:
        report["peak_rss_mib"] = _peak_rss_mib()
        print(json.dumps({"event": "report", **report}), flush=True)
        app.stop()

    Clock.schedule_once(start_idle, 2.0)  # let start-up work (font caches, GC) settle first


def child(kind: str, idle_s: float, taps: int) -> int:
    if kind == "kiosk":
        # The device's own start-up (`kiosk run`): pack choice, journal, counts, watchdog,
        # speech after the first frame. The benchmark adds its hook to the first frame.
        import kiosk.ui.app as app_module
        from kiosk.ui.device import start_device
        run_kiosk = app_module.run_kiosk

        def run_with_hook(*args: object, on_first_frame=None, **kwargs: object) -> int:  # noqa: ANN001
            def first() -> None:
                if on_first_frame is not None:
                    on_first_frame()
                _after_first_frame(idle_s, taps, kiosk=True)
            return run_kiosk(*args, on_first_frame=first, **kwargs)  # type: ignore[arg-type]
        app_module.run_kiosk = run_with_hook  # type: ignore[assignment]
        return start_device(None, None, windowed=True)
    from kiosk.ui.env import WindowMode, configure_kivy
    configure_kivy(WindowMode(fullscreen=False, size=(800, 480)))
    from kivy.app import App
    from kivy.core.window import Window
    from kivy.uix.widget import Widget

    class Bare(App):
        def build(self) -> Widget:
            return Widget()

        def on_start(self) -> None:
            def first(*_a: object) -> None:
                Window.unbind(on_flip=first)
                _after_first_frame(idle_s, 0, kiosk=False)
            Window.bind(on_flip=first)

    Bare().run()
    return 0


# --- the parent ------------------------------------------------------------------------

def spawn(kind: str, idle_s: float, taps: int, data: Path) -> subprocess.Popen:
    env = {**os.environ, "SDL_VIDEODRIVER": "offscreen", "LANTERN_DATA": str(data)}
    # stderr to a file, not a pipe nobody reads while the child runs (a full pipe blocks it).
    errors = (data / f"{kind}-stderr.txt").open("w+")
    proc = subprocess.Popen([sys.executable, __file__, "--child", kind, "--idle", str(idle_s),
                             "--taps", str(taps)], stdout=subprocess.PIPE, stderr=errors,
                            text=True, env=env, cwd=ROOT)
    proc.errors_file = errors  # type: ignore[attr-defined]
    return proc


def watch(proc: subprocess.Popen, started: float) -> dict[str, object]:
    result: dict[str, object] = {}
    assert proc.stdout is not None
    for line in proc.stdout:
        try:
            message = json.loads(line)
        except json.JSONDecodeError:
            continue
        if message.get("event") == "first_frame":
            result["start_s"] = time.perf_counter() - started
            result["start_cpu_s"] = message["cpu_s"]
        elif message.get("event") == "report":
            result.update(message)
    proc.wait(timeout=60)
    errors = proc.errors_file  # type: ignore[attr-defined]
    errors.seek(0)
    if proc.returncode != 0 or "peak_rss_mib" not in result:
        result["error"] = errors.read()[-2000:]
    errors.close()
    return result


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--idle", type=float, default=30.0, help="seconds of idle to measure (default 30)")
    parser.add_argument("--taps", type=int, default=100, help="taps to time (default 100)")
    parser.add_argument("--starts", type=int, default=5, help="start-ups to time of each (default 5)")
    parser.add_argument("--child", choices=("kiosk", "bare"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.idle, args.taps)

    with tempfile.TemporaryDirectory(prefix="lantern-bench-") as tmp:
        data = Path(tmp)
        # Warm the font cache once, as a device has after its first boot.
        warm = spawn("kiosk", 0.1, 0, data)
        watch(warm, time.perf_counter())
        starts: dict[str, list[dict[str, object]]] = {"bare": [], "kiosk": []}
        for _ in range(args.starts):
            for kind in ("bare", "kiosk"):  # alternating: a busy spell hits both alike
                started = time.perf_counter()
                starts[kind].append(watch(spawn(kind, 0, 0, data), started))
        results = {}
        for kind in ("bare", "kiosk"):  # one after the other: 2 cores, no contention
            started = time.perf_counter()
            results[kind] = watch(spawn(kind, args.idle, args.taps, data), started)
            starts[kind].append(results[kind])

    bare, kiosk = results["bare"], results["kiosk"]
    for name, r in [*results.items(), *((k, r) for k, rs in starts.items() for r in rs)]:
        if "error" in r:
            print(f"{name} failed:\n{r['error']}")
            return 1

    def median_of(kind: str, key: str) -> float:
        return statistics.median(float(r[key]) for r in starts[kind])  # type: ignore[arg-type]

    print(f"UI benchmark ({os.cpu_count()} CPUs, offscreen 800x480, maxfps 30)")
    k_wall, b_wall = median_of("kiosk", "start_s"), median_of("bare", "start_s")
    k_cpu, b_cpu = median_of("kiosk", "start_cpu_s"), median_of("bare", "start_cpu_s")
    print(f"  start to first frame (median of {len(starts['kiosk'])}): kiosk {k_wall:.2f} s, "
          f"bare window {b_wall:.2f} s, ratio {k_wall / b_wall:.2f}")
    print(f"  CPU time to first frame (median): kiosk {k_cpu:.2f} s, bare window {b_cpu:.2f} s, "
          f"ratio {k_cpu / b_cpu:.2f}")
    print(f"  idle CPU over {args.idle:.0f} s: kiosk {kiosk['idle_cpu_percent']:.2f} %, "
          f"bare window {bare['idle_cpu_percent']:.2f} % of one core")
    taps = kiosk.get("tap_ms") or []
    if taps:
        print(f"  tap to next screen drawn ({len(taps)} taps): median {statistics.median(taps):.1f} ms, "
              f"p95 {percentile(taps, 95):.1f} ms, max {max(taps):.1f} ms")
    if kiosk.get("missed_taps"):
        print(f"  taps swallowed by the press gate and repeated: {kiosk['missed_taps']}")
    print(f"  peak RSS: kiosk {kiosk['peak_rss_mib']:.0f} MiB, bare window {bare['peak_rss_mib']:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))  # run from a checkout without installing
    sys.exit(main())

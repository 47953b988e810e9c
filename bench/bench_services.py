"""The services screen against a statewide directory: look-ups, the view, and redrawing.

    .venv/bin/python bench/bench_services.py [--services 20000] [--repeat 30] [--no-ui]

Takes the Mississippi sample pack with a generated directory of N fictional
services (bench_packs.generate_services, split across services/*.yaml) and
measures, in a scratch data directory:

- build: the directory database built from the YAML (once per pack change);
- start-up: `prepare()` with the database already built (its fingerprint is
  checked, the YAML is not parsed) against the same pack with no directory;
- look-up: what one tap on a chip asks (`look_up`: a screenful, plus one row
  to know there are more), for typical filters, through the same injected
  query the kiosk uses (`find_services` on the database file);
- present: which categories have services (7 small queries, once per screen
  while the kiosk runs);
- view: `with_results` turning a screenful into the visitor's words;
- redraw (unless --no-ui): from a chip tap to the services page rebuilt and
  its next frame drawn, offscreen at 800x480, next to the hotline screen for
  scale (the collection on the frame after, which frees the old page, is not
  part of what a visitor waits for and is not timed).

Prints figures only; asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

MONDAY_1030 = dt.datetime(2026, 11, 23, 10, 30)


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(median, max) milliseconds."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs), max(runs)


def make_pack(base: Path, count: int) -> Path:
    from bench_packs import generate_services
    pack = base / "statewide"
    shutil.copytree(ROOT / "examples" / "packs" / "mississippi", pack)
    (pack / "services.yaml").unlink()
    generate_services(pack / "services", count)
    return pack


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--services", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--no-ui", action="store_true", help="skip the offscreen redraw figures")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="lantern-bench-services-"))
    os.environ["LANTERN_DATA"] = str(scratch / "data")
    try:
        from kiosk.content.model import SERVICE_CATEGORIES
        from kiosk.services_view import Filters, categories_present, look_up, with_results
        from kiosk.session import GoTo, Session
        from kiosk.ui.app import prepare
        from kiosk.services_view import directory_query

        pack_dir = make_pack(scratch, args.services)
        start = time.perf_counter()
        prepared = prepare(pack_dir, None)  # builds the database
        build_s = time.perf_counter() - start
        assert prepared.directory is not None
        size_mib = prepared.directory.stat().st_size / 2**20
        startup_ms = timed(lambda: prepare(pack_dir, None), max(3, args.repeat // 10))
        plain = scratch / "plain"
        shutil.copytree(ROOT / "examples" / "packs" / "mississippi", plain)
        (plain / "services.yaml").unlink()
        (plain / "flows" / "local.yaml").write_text(
            (plain / "flows" / "local.yaml").read_text().replace("      - local_services\n", "")
            .replace("[local_services, hotline, ask_staff]", "[hotline, ask_staff]")
            .split("  # Local places that help")[0])
        startup_plain_ms = timed(lambda: prepare(plain, None), max(3, args.repeat // 10))

        query = directory_query(prepared.directory)
        assert query is not None
        offered = SERVICE_CATEGORIES
        cases = {
            "one category, visitor's language (es)": (offered, False, Filters("legal", "es", False)),
            "one category, any language": (offered, False, Filters("shelter", None, False)),
            "all categories, visitor's language (vi)": (offered, False, Filters(None, "vi", False)),
            "one category, open now, language (ko)": (offered, False, Filters("medical", "ko", True)),
            "3-category screen, all, language (es)": (("shelter", "legal", "youth"), True,
                                                      Filters(None, "es", False)),
            "rare language with interpreters (ht)": (offered, False, Filters("youth", "ht", False)),
        }
        print(f"Services screen benchmark: {args.services} services, {os.cpu_count()} CPUs")
        print(f"  build the directory: {build_s:.1f} s ({size_mib:.1f} MiB)")
        print(f"  start-up (prepare) with the directory built: median {startup_ms[0]:.0f} ms; "
              f"same pack without a directory: {startup_plain_ms[0]:.0f} ms")
        print(f"  look-up for one tap (a screenful + 1), over {args.repeat} runs:")
        for name, (cats, restricted, filters) in cases.items():
            found = look_up(query, cats, restricted, filters, MONDAY_1030)
            med, worst = timed(lambda: look_up(query, cats, restricted, filters, MONDAY_1030), args.repeat)
            print(f"    {name:44s} median {med:6.2f} ms, max {worst:6.2f} ms  ({len(found.services)} shown, "
                  f"more: {found.more})")
        med, worst = timed(lambda: categories_present(query, offered), args.repeat)
        print(f"  categories with services (once per screen): median {med:.2f} ms, max {worst:.2f} ms")
        view = Session(prepared.pack).handle(GoTo("local_services"))
        found = look_up(query, offered, False, Filters(None, "en", False), MONDAY_1030)
        med, worst = timed(lambda: with_results(view, prepared.pack, Filters(None, "en", False), found,
                                                MONDAY_1030), args.repeat)
        print(f"  view of a screenful (with_results): median {med:.2f} ms, max {worst:.2f} ms")
        if not args.no_ui:
            redraw(prepared, args.repeat)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


def redraw(prepared, repeat: int) -> None:
    from kiosk.ui.env import WindowMode, configure_kivy
    configure_kivy(WindowMode(fullscreen=False, size=(800, 480), offscreen=True))
    from kiosk.screen import ChooseFilter
    from kiosk.session import GoTo, Session
    from kivy.base import EventLoop

    from kiosk.ui.kiosk import Kiosk, settle
    from kiosk.services_view import directory_query

    session = Session(prepared.pack)
    kiosk = Kiosk(session, directory=directory_query(prepared.directory), now=lambda: MONDAY_1030)
    kiosk.attach()
    settle()
    from kiosk.ui.memory import freeze_startup_heap
    freeze_startup_heap()  # as the app does after its first frame: collections skip the start-up heap
    from kiosk.ui.warm import warming_done
    while not warming_done():  # and again once every language is warmed (kiosk.ui.warm)
        settle(1)
    kiosk.send(GoTo("hotline"))
    settle()

    def timed_frames(change: Callable[[], object], repeat: int) -> tuple[float, float]:
        """From the change, made inside Kivy's loop as a tap is, to the next frame drawn: what
        a visitor waits for. The frames after it (the collection that frees the old page,
        kiosk.ui.memory; any work deferred to them) are not timed."""
        from kivy.clock import Clock
        from kivy.core.window import Window
        runs: list[float] = []
        for _ in range(repeat):
            mark: dict[str, float] = {}

            def act(_dt: float) -> None:
                mark["t0"] = time.perf_counter()
                change()

            def flipped(*_a: object) -> None:
                if "t0" in mark and "t1" not in mark:
                    mark["t1"] = time.perf_counter()
            Window.bind(on_flip=flipped)
            Clock.schedule_once(act, 0)
            while "t1" not in mark:
                EventLoop.idle()
            Window.unbind(on_flip=flipped)
            runs.append((mark["t1"] - mark["t0"]) * 1000)
            settle(3)
        return statistics.median(runs), max(runs)

    hotline = timed_frames(kiosk.rebuild, max(5, repeat // 3))
    kiosk.send(GoTo("local_services"))
    settle()
    categories = ["legal", "shelter", None, "youth", "medical"]
    turn = iter(range(10**9))

    def tap_chip() -> None:  # what a chip's tap sends
        kiosk.send(ChooseFilter("category", categories[next(turn) % len(categories)]))
    services = timed_frames(tap_chip, max(5, repeat // 3))
    kiosk.detach()
    print(f"  redraw offscreen 800x480 (build + the next frame): services page after a chip tap median "
          f"{services[0]:.0f} ms (max {services[1]:.0f}); hotline screen median {hotline[0]:.0f} ms")


if __name__ == "__main__":
    raise SystemExit(main())

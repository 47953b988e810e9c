"""The device's real start-up (`kiosk run` -> start_device) with a test-only control line on stdin.

Used by test_watchdog_freeze.py and test_start_faults.py in a subprocess, with
SDL offscreen and $NOTIFY_SOCKET pointing at a socket the test reads. Nothing
here changes how the kiosk starts or runs: the control thread only reads
stdin and hands commands to Kivy's main loop, as any other thread must.

    python tests/system/kiosk_driver.py [kiosk run arguments...]

Commands, one per line (answers are JSON lines on stdout):
  state   -> {"event": "state", "node": ..., "neutral": ..., "rebuilds": ..., "language": ...}
  visit   a visitor's short session: a help screen, the hotline, then quick exit
          (the session ends, so the daily counts are written) -> {"event": "visited", ...}
  freeze  block Kivy's main loop from inside a Clock callback until `thaw`
          -> {"event": "frozen"} from inside the block, {"event": "thawed"} as it returns
  thaw    end the freeze
  languages  open the language list (each language's name drawn in its own font)
          -> {"event": "languages", "overlay": ...}
  echo    answered by the control thread itself, even while the UI loop is frozen
  stop    stop the app as systemd's SIGTERM would
"""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def say(event: str, **fields: object) -> None:
    print(json.dumps({"event": event, "t": time.time(), **fields}), flush=True)


def on_ui(fn) -> None:  # noqa: ANN001 - a callable run on Kivy's main thread
    from kivy.clock import Clock
    Clock.schedule_once(lambda _dt: fn(), 0)


def app_kiosk():  # noqa: ANN201 - kiosk.ui.kiosk.Kiosk
    from kivy.app import App
    return App.get_running_app().kiosk


def control() -> None:
    thaw = threading.Event()

    def state() -> None:
        k = app_kiosk()
        manifest = k.session.pack.manifest
        say("state", node=k.view.node_id, neutral=k.view.neutral, rebuilds=k.rebuilds,
            language=k.view.language, overlay=k.overlay, pack=manifest.id, version=manifest.version)

    def languages() -> None:
        from kiosk.screen import OpenLanguages
        k = app_kiosk()
        k.send(OpenLanguages())  # what the Language control does: every language's name in its own font
        say("languages", overlay=k.overlay)

    def visit() -> None:
        from kiosk.session import GoTo
        k = app_kiosk()
        k.send(GoTo("safety"))
        k.send(GoTo("hotline"))
        shown = k.view.node_id
        k.quick_exit()  # the session ends: its summary goes to the daily counts
        say("visited", shown=shown, node=k.view.node_id, neutral=k.view.neutral)

    def freeze() -> None:
        thaw.clear()
        say("frozen")
        thaw.wait(120)  # the whole UI loop waits here, as in a real hang
        say("thawed")

    def stop() -> None:
        from kivy.app import App
        App.get_running_app().stop()

    for line in sys.stdin:
        command = line.strip()
        if command == "echo":
            say("echo")
        elif command == "thaw":
            thaw.set()
        elif command in ("state", "visit", "freeze", "stop", "languages"):
            on_ui({"state": state, "visit": visit, "freeze": freeze, "stop": stop,
                   "languages": languages}[command])
        elif command:
            say("error", message=f"unknown command {command!r}")


def watch_ready() -> None:
    """Say, from inside the real notify.ready call, whether a screen had been drawn by then."""
    from kiosk.system import notify
    real_ready = notify.ready

    def ready(status: str | None = None, environ=None) -> bool:  # noqa: ANN001
        from kivy.core.window import Window
        k = app_kiosk()
        say("ready_called", rebuilds=k.rebuilds, on_window=k.root.parent is Window, node=k.view.node_id)
        return real_ready(status, environ)

    notify.ready = ready


def main(argv: list[str]) -> int:
    from kiosk.cli import main as kiosk_main
    watch_ready()
    threading.Thread(target=control, daemon=True, name="test-control").start()
    return kiosk_main(["run", *argv])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

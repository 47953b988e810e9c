"""Run the real kiosk (`run_kiosk`, the App and its event loop) and try to leave it.

Used by test_run_lockdown.py in a subprocess: after the first frame, it sends
what a visitor or a stray keyboard could (Escape, Alt+F4, F1, a window-close
request, a right click), waits, then prints what happened as JSON and stops.
"""

from __future__ import annotations

import json
import sys


def main() -> int:
    from kiosk.ui.app import run_kiosk

    report: dict[str, object] = {}

    def first_frame() -> None:
        from kivy.app import App
        from kivy.base import EventLoop
        from kivy.clock import Clock
        from kivy.core.window import Window
        from kiosk.session import GoTo

        app = App.get_running_app()
        kiosk = app.kiosk
        report["first_frame"] = True
        report["fullscreen_config"] = str(Window.fullscreen)
        kiosk.send(GoTo("safety"))
        report["alt_f4"] = Window.dispatch("on_keyboard", 285, 61, None, ["alt"])
        report["close_request"] = Window.dispatch("on_request_close")
        report["f1"] = Window.dispatch("on_keyboard", 282, 58, None, [])
        report["settings_opened"] = app.open_settings()
        Window.dispatch("on_mouse_down", 400, 200, "right", [])  # no multitouch red dot
        Window.dispatch("on_mouse_up", 400, 200, "right", [])
        report["escape"] = Window.dispatch("on_keyboard", 27, 41, None, [])

        def check(_dt: float) -> None:
            report["running"] = EventLoop.status == "started" and not EventLoop.quit
            report["root_on_window"] = kiosk.root.parent is Window
            report["window_children"] = len(Window.children)
            report["node"] = kiosk.view.node_id
            report["neutral"] = kiosk.view.neutral
            report["screensaver_allowed"] = Window.allow_screensaver
            report["exit_on_escape"] = Window.on_keyboard.exit_on_escape
            print(json.dumps(report), flush=True)
            app.stop()

        Clock.schedule_once(check, 0.5)

    return run_kiosk(None, None, windowed=True, on_first_frame=first_frame)


if __name__ == "__main__":
    sys.exit(main())

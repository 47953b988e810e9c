"""Run the real kiosk as `kiosk run --windowed` does (kiosk.cli -> start_device -> run_kiosk,
its App and event loop), get into admin mode with the gesture and the PIN, and press one
of admin's buttons that end the app.

Used by test_admin_ui.py in a subprocess: `python run_admin_exit.py ROLE` where ROLE is
"leave_desktop" or "restart". Prints what happened as JSON and exits with the status
`kiosk run` returned, as the `kiosk` command would. The only thing added to the real
path is this script's driver, chained after start_device's own first-frame callback,
and the kiosk's clock: a fake one the driver moves forward (a long press of 3 s takes
no real time); Kivy's own clock is real.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script: the repository's tests/
from tests.kit.clock import FakeTime  # noqa: E402

PIN = "482915"
GIVE_UP_S = 60.0  # real seconds: if the app has not stopped by then, stop it with code 99


def main(role: str) -> int:
    from kiosk import cli
    from kiosk.admin import PinStore
    from kiosk.system.paths import pin_path
    from kiosk.ui import app as ui_app

    PinStore(pin_path()).set_pin(PIN)
    clock = FakeTime(50_000.0)
    report: dict[str, object] = {"role": role, "steps": []}
    real_run_kiosk = ui_app.run_kiosk

    def run_kiosk(*args, on_first_frame=None, **kwargs):  # noqa: ANN002, ANN003, ANN202
        """start_device's call, with the fake clock and the driver after its own first frame."""
        def first_frame() -> None:
            if on_first_frame is not None:
                on_first_frame()  # READY=1 and the watchdog (no-ops outside systemd)
            report["through_start_device"] = True
            drive()
        return real_run_kiosk(*args, on_first_frame=first_frame, clock=clock, **kwargs)

    ui_app.run_kiosk = run_kiosk  # start_device imports it when called

    def drive() -> None:
        from kivy.app import App
        from kivy.clock import Clock
        from kivy.core.window import Window
        from kivy.tests.common import UnitTestTouch

        app = App.get_running_app()
        admin = app.kiosk.admin
        steps: list[str] = report["steps"]  # type: ignore[assignment]

        def give_up(_dt: float) -> None:
            report["gave_up"] = True
            app.quit_with(99)
        Clock.schedule_once(give_up, GIVE_UP_S)

        def touch(x: float, y: float, hold: float) -> None:
            finger = UnitTestTouch(x, y)
            finger.touch_down()
            clock.now += hold
            finger.touch_up()
            clock.now += 0.3

        def gesture(_dt: float) -> None:
            touch(20, Window.height - 20, 3.4)
            for _ in range(3):
                touch(Window.width - 20, 20, 0.1)
            steps.append("gesture")
            Clock.schedule_once(type_pin, 0.3)

        def type_pin(_dt: float) -> None:
            report["pad"] = admin.state == "pad"
            for key in (*PIN, "ok"):
                widget = admin.pad.keys[key]
                touch(*widget.to_window(*widget.center), 0.05)
            steps.append("pin")
            Clock.schedule_once(wait_for_screen, 0.1)

        def wait_for_screen(_dt: float) -> None:
            if admin.state != "screen" or None in (admin.pack_status, admin.counts_status, admin.sound_status):
                Clock.schedule_once(wait_for_screen, 0.1)
                return
            report["screen"] = True
            steps.append("screen")
            button = next(w for w in admin.root.walk(restrict=True) if getattr(w, "admin_role", None) == role)
            admin.screen.scroller.scroll_to(button, animate=False)
            Clock.schedule_once(lambda _dt: press(button), 0.3)

        def press(button) -> None:  # noqa: ANN001
            # A real tap in the scrolling page: down, up, and the page hands over the release.
            finger = UnitTestTouch(*button.to_window(*button.center))
            finger.touch_down()
            steps.append("press")
            Clock.schedule_once(lambda _dt: finger.touch_up(), 0.08)

        Clock.schedule_once(gesture, 0.2)

    code = cli.main(["run", "--windowed"])
    report["code"] = code
    print(json.dumps(report), flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

"""The real Kivy window, offscreen, driven by a fake clock: tests and benchmarks step it.

`open_window` configures Kivy (kiosk.ui.env) and creates the window; call it
once per process before importing anything from kiosk.ui that imports Kivy.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.kit.clock import FakeTime


@dataclass
class KivyEnv:
    time: FakeTime

    def step(self, seconds: float = 0.0, frames: int = 1) -> None:
        """Advance the shared clock, then run Kivy's loop (events, layout, drawing)."""
        from kivy.base import EventLoop
        self.time.now += seconds
        for _ in range(frames):
            EventLoop.idle()


def open_window(size: tuple[int, int] = (800, 480)) -> KivyEnv:
    """Configure Kivy offscreen at `size`, create its window and hand its clock to a FakeTime."""
    from kiosk.ui.env import WindowMode, configure_kivy
    configure_kivy(WindowMode(fullscreen=False, size=size, offscreen=True))
    from kivy.clock import Clock
    from kivy.core.window import Window  # noqa: F401 - importing it creates the window
    fake = FakeTime()
    Clock.time = fake
    Clock._max_fps = 0  # never sleep for wall time between frames
    Clock._last_tick = fake.now
    return KivyEnv(fake)

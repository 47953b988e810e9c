"""The real Kivy window, offscreen, shared by the in-process UI tests.

Kivy's window is a process-wide singleton, so one window (800x480) serves
every test here and each test attaches a fresh `Kiosk` to it. Kivy's clock and
the session share one fake time source that the tests step: no test waits
on wall time. Other window sizes are drawn by `kiosk preview` subprocesses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Sequence

import pytest

UI_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if UI_DIR in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.ui)
            item.add_marker(pytest.mark.timeout(120))  # a stuck event loop fails, never hangs CI


class FakeTime:
    """Seconds that move only when a test says so."""

    def __init__(self) -> None:
        self.now = 10_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class RecordingSpeaker:
    """Implements kiosk.speech.Speaker and remembers what it was asked to say."""

    said: list[tuple[tuple[str, ...], str]] = field(default_factory=list)
    stops: int = 0
    talking: bool = False

    def say(self, sentences: Sequence[str], language: str) -> None:
        self.said.append((tuple(sentences), language))
        self.talking = True

    def stop(self) -> None:
        self.stops += 1
        self.talking = False

    def speaking(self) -> bool:
        return self.talking


@dataclass
class KivyEnv:
    time: FakeTime

    def step(self, seconds: float = 0.0, frames: int = 1) -> None:
        """Advance the shared clock, then run Kivy's loop (events, layout, drawing)."""
        from kivy.base import EventLoop
        self.time.now += seconds
        for _ in range(frames):
            EventLoop.idle()


@pytest.fixture(scope="session")
def kivy_env() -> KivyEnv:
    from kiosk.ui.env import WindowMode, configure_kivy
    configure_kivy(WindowMode(fullscreen=False, size=(800, 480), offscreen=True))
    from kivy.clock import Clock
    from kivy.core.window import Window  # noqa: F401 - creates the window
    fake = FakeTime()
    Clock.time = fake
    Clock._max_fps = 0  # never sleep for wall time between frames
    Clock._last_tick = fake.now
    return KivyEnv(fake)


@pytest.fixture(scope="session")
def built_in_pack():
    from kiosk.ui.app import prepare
    return prepare(None, None).pack


@pytest.fixture
def make_kiosk(kivy_env: KivyEnv, built_in_pack) -> Iterator:
    """Attach a fresh kiosk (session, fake clock, optional speaker) to the window."""
    from kiosk.session import Session
    from kiosk.ui.kiosk import Kiosk
    made: list = []

    def make(pack=None, speaker=None, summaries: list | None = None):
        session = Session(pack or built_in_pack, clock=kivy_env.time,
                          on_end=summaries.append if summaries is not None else None)
        kiosk = Kiosk(session, clock=kivy_env.time, speaker=speaker)
        kiosk.attach()
        made.append(kiosk)
        kivy_env.step(0.35, frames=3)  # past the press gate of the first drawing
        return kiosk

    yield make
    for kiosk in made:
        kiosk.detach()
    kivy_env.step(1.0)

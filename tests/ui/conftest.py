"""The real Kivy window, offscreen, shared by the in-process UI tests.

Kivy's window is a process-wide singleton, so one window (800x480) serves
every test here and each test attaches a fresh `Kiosk` to it. Kivy's clock and
the session share one fake time source that the tests step: no test waits
on wall time. Other window sizes are drawn by `kiosk preview` subprocesses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

# One copy of each, in the test kit (tests/kit); named here too for the UI tests' imports.
from tests.kit.clock import FakeTime  # noqa: F401
from tests.kit.kivyenv import KivyEnv, open_window
from tests.kit.speaker import RecordingSpeaker  # noqa: F401

UI_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if UI_DIR in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.ui)
            item.add_marker(pytest.mark.timeout(120))  # a stuck event loop fails, never hangs CI


@pytest.fixture(scope="session")
def kivy_env() -> KivyEnv:
    return open_window((800, 480))


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

"""Seconds that move only when a test says so (the session's, Kivy's and the controller's clock)."""

from __future__ import annotations


class FakeTime:
    """A clock for `Session(clock=...)` and Kivy's `Clock.time`: call it for the time now."""

    def __init__(self, start: float = 10_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

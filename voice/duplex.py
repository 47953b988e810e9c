"""Half duplex: the microphone never records while the kiosk speaks.

The speaker and the listener share one `HalfDuplex`. Listening first silences
any speech (the visitor tapped "speak": they want to talk, not to hear) and
waits until the output has stopped; speaking waits while the microphone is open.
"""

from __future__ import annotations

import threading
from typing import Callable

SILENCE_TIMEOUT = 1.0


class HalfDuplex:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._speaking = False
        self._listening = False
        self._silence: Callable[[], None] = lambda: None

    def set_silencer(self, silence: Callable[[], None]) -> None:
        """What stops speech now (the Speaker's stop)."""
        self._silence = silence

    @property
    def speaking(self) -> bool:
        with self._cond:
            return self._speaking

    @property
    def listening(self) -> bool:
        with self._cond:
            return self._listening

    def begin_speaking(self, cancelled: threading.Event) -> bool:
        """Wait for the microphone to close; False if cancelled meanwhile."""
        with self._cond:
            while self._listening:
                if cancelled.is_set():
                    return False
                self._cond.wait(0.05)
            if cancelled.is_set():
                return False
            self._speaking = True
            return True

    def end_speaking(self) -> None:
        with self._cond:
            self._speaking = False
            self._cond.notify_all()

    def begin_listening(self) -> bool:
        """Silence speech and open the floor to the microphone; False if speech would
        not stop in time (the microphone then stays closed)."""
        self._silence()
        with self._cond:
            if not self._cond.wait_for(lambda: not self._speaking, SILENCE_TIMEOUT):
                return False
            self._listening = True
            return True

    def end_listening(self) -> None:
        with self._cond:
            self._listening = False
            self._cond.notify_all()

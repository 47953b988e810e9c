"""Touch rules that do not need Kivy: the three-finger quick exit and the press gate.

Times are seconds from the kiosk's injected clock, positions are window pixels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

THREE_FINGER_WINDOW = 0.3  # seconds: three touches down this close together
SAME_SPOT_PX = 24.0  # a touch this close to another recent one is the same finger
PRESS_GATE_SECONDS = 0.3  # after a navigation, presses are ignored this long


@dataclass
class ThreeFingerTap:
    """Three fingers on the glass at once, at three different places, landed within
    `window` seconds of each other.

    Touch screens can report one finger twice (once as touch, once as mouse);
    such echoes land on the same spot while the finger is down, so they never
    add up to three fingers. A finger that has lifted no longer counts: three
    quick one-finger taps are three taps, not a quick exit, and a finger that
    lands where a tap has just lifted is a new finger, not an echo of it.
    """

    window: float = THREE_FINGER_WINDOW
    same_spot: float = SAME_SPOT_PX
    _down: list[tuple[float, float, float, object]] = field(default_factory=list)  # (t, x, y, uid)

    def down(self, t: float, x: float, y: float, uid: object = None) -> bool:
        """Record a finger landing; True when it completes a three-finger tap."""
        self._down = [d for d in self._down if t - d[0] <= self.window]
        if any(math.hypot(x - dx, y - dy) < self.same_spot for _, dx, dy, _uid in self._down):
            return False  # the same finger reported again
        self._down.append((t, x, y, uid))
        if len(self._down) >= 3:
            self._down.clear()
            return True
        return False

    def up(self, uid: object) -> None:
        """A finger lifted (its uid as given to `down`)."""
        self._down = [d for d in self._down if d[3] != uid]

    def reset(self) -> None:
        self._down.clear()


@dataclass
class PressGate:
    """Closes for a moment after each navigation so one tap never counts twice."""

    hold: float = PRESS_GATE_SECONDS
    _closed_until: float = float("-inf")

    def close(self, now: float) -> None:
        self._closed_until = now + self.hold

    def is_open(self, now: float) -> bool:
        return now >= self._closed_until

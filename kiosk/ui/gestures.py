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
    """Three touches down within `window` seconds, at three different places.

    Touch screens can report one finger twice (once as touch, once as mouse);
    such echoes land on the same spot, so they never add up to three fingers.
    """

    window: float = THREE_FINGER_WINDOW
    same_spot: float = SAME_SPOT_PX
    _recent: list[tuple[float, float, float]] = field(default_factory=list)  # (t, x, y)

    def down(self, t: float, x: float, y: float) -> bool:
        """Record a touch; True when it completes a three-finger tap."""
        self._recent = [r for r in self._recent if t - r[0] <= self.window]
        if any(math.hypot(x - rx, y - ry) < self.same_spot for _, rx, ry in self._recent):
            return False
        self._recent.append((t, x, y))
        if len(self._recent) >= 3:
            self._recent.clear()
            return True
        return False

    def reset(self) -> None:
        self._recent.clear()


@dataclass
class PressGate:
    """Closes for a moment after each navigation so one tap never counts twice."""

    hold: float = PRESS_GATE_SECONDS
    _closed_until: float = float("-inf")

    def close(self, now: float) -> None:
        self._closed_until = now + self.hold

    def is_open(self, now: float) -> bool:
        return now >= self._closed_until

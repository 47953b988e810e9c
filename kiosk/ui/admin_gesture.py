"""The hidden way into admin mode, as a touch rule that does not need Kivy.

A finger held still for 3 s in the top-left corner, then, within 5 s of
lifting it, three taps in the bottom-right corner. Any other touch in
between starts over. Nothing is drawn while this happens and no touch is
consumed: the corners' own widgets still get their taps, so a visitor who
presses there notices nothing.

Positions are Kivy window pixels (origin bottom-left); times are seconds from
the kiosk's injected clock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

ZONE_PX = 64.0  # each corner zone is ZONE_PX x ZONE_PX
HOLD_SECONDS = 3.0  # the long press
TAPS_WITHIN_SECONDS = 5.0  # from lifting the long press to the end of the third tap
TAPS_NEEDED = 3
TAP_MAX_SECONDS = 1.0  # a finger down longer than this is not a tap
STILL_PX = 16.0  # a finger that moves further than this is not held still
ECHO_PX = 24.0  # a second touch this close to a finger that is down is the same finger reported twice


@dataclass
class _Finger:
    uid: object
    t: float
    x: float
    y: float
    moved: bool = False


@dataclass
class AdminGesture:
    """Feed it every touch (down, move, up); `up` returns True when the gesture is complete."""

    zone: float = ZONE_PX
    hold: float = HOLD_SECONDS
    within: float = TAPS_WITHIN_SECONDS
    taps_needed: int = TAPS_NEEDED
    tap_max: float = TAP_MAX_SECONDS
    still: float = STILL_PX
    _press: _Finger | None = None  # the long press being held in the top-left corner
    _tap: _Finger | None = None  # a tap being made in the bottom-right corner
    _deadline: float | None = None  # set once the long press is done: taps must end by then
    _taps: int = 0
    _down: dict[object, tuple[float, float]] = field(default_factory=dict)  # every finger down now
    armed_count: int = 0  # long presses completed (for tests and the random-touch report)

    # --- zones ---------------------------------------------------------------------
    def in_top_left(self, x: float, y: float, height: float) -> bool:
        return 0 <= x < self.zone and height - self.zone <= y <= height

    def in_bottom_right(self, x: float, y: float, width: float) -> bool:
        return width - self.zone <= x <= width and 0 <= y < self.zone

    @property
    def armed(self) -> bool:
        return self._deadline is not None

    def reset(self) -> None:
        self._press = self._tap = None
        self._deadline = None
        self._taps = 0
        self._down.clear()

    # --- touches -------------------------------------------------------------------
    def down(self, uid: object, t: float, x: float, y: float, width: float, height: float) -> None:
        echo = any(math.hypot(x - dx, y - dy) < ECHO_PX for dx, dy in self._down.values())
        self._down[uid] = (x, y)
        if echo:
            return  # one finger reported twice (touch and mouse): neither starts nor breaks anything
        if self._deadline is not None and t > self._deadline:
            self._deadline, self._taps = None, 0
        if self._deadline is not None:
            if self._tap is None and len(self._down) == 1 and self.in_bottom_right(x, y, width):
                self._tap = _Finger(uid, t, x, y)
                return
            self._deadline, self._taps, self._tap = None, 0, None  # anything else: start over
        if len(self._down) == 1 and self.in_top_left(x, y, height):
            self._press = _Finger(uid, t, x, y)
        else:
            self._press = None  # a second finger, or a touch elsewhere, breaks a long press

    def move(self, uid: object, x: float, y: float) -> None:
        for finger in (self._press, self._tap):
            if finger is not None and finger.uid == uid and self._moved(finger, x, y):
                finger.moved = True

    def _moved(self, finger: _Finger, x: float, y: float) -> bool:
        return finger.moved or math.hypot(x - finger.x, y - finger.y) > self.still

    def up(self, uid: object, t: float, x: float, y: float, width: float, height: float) -> bool:
        self._down.pop(uid, None)
        press, tap = self._press, self._tap
        if press is not None and press.uid == uid:
            self._press = None
            if not self._moved(press, x, y) and t - press.t >= self.hold and self.in_top_left(x, y, height):
                self._deadline, self._taps = t + self.within, 0
                self.armed_count += 1
            return False
        if tap is not None and tap.uid == uid:
            self._tap = None
            deadline = self._deadline
            if (deadline is None or self._moved(tap, x, y) or t - tap.t > self.tap_max or t > deadline
                    or not self.in_bottom_right(x, y, width)):
                self._deadline, self._taps = None, 0
                return False
            self._taps += 1
            if self._taps >= self.taps_needed:
                self._deadline, self._taps = None, 0
                return True
        return False

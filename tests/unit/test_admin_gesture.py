"""The hidden admin gesture as a pure touch rule: long press top-left, then three taps bottom-right."""

from __future__ import annotations

import random

from kiosk.ui.admin_gesture import AdminGesture

W, H = 800.0, 480.0
TL = (20.0, H - 20.0)  # inside the top-left 64 x 64 zone (Kivy's y grows upwards)
BR = (W - 20.0, 20.0)


class Fingers:
    """Drives an AdminGesture with numbered fingers and a clock."""

    def __init__(self) -> None:
        self.g = AdminGesture()
        self.t = 0.0
        self.uid = 0
        self.completed = 0

    def touch(self, x: float, y: float, hold: float, after: float = 0.3, drift: float = 0.0) -> None:
        self.uid += 1
        self.g.down(self.uid, self.t, x, y, W, H)
        self.t += hold
        if drift:
            self.g.move(self.uid, x + drift, y)
        if self.g.up(self.uid, self.t, x + drift, y, W, H):
            self.completed += 1
        self.t += after

    def long_press(self, at=TL, hold: float = 3.2, **kw) -> None:
        self.touch(*at, hold=hold, **kw)

    def taps(self, n: int = 3, at=BR) -> None:
        for _ in range(n):
            self.touch(*at, hold=0.1)


def test_long_press_then_three_taps_completes():
    f = Fingers()
    f.long_press()
    f.taps(3)
    assert f.completed == 1
    f.taps(3)  # it starts over: three more taps alone do nothing
    assert f.completed == 1


def test_each_part_alone_or_in_the_wrong_order_does_nothing():
    f = Fingers()
    f.long_press()
    f.t += 6
    f.taps(3)  # too late
    f.taps(3)
    f.long_press()  # the wrong order
    f.long_press(hold=2.5)  # too short
    f.taps(3)
    f.long_press(drift=30)  # a finger that slides is not held still
    f.taps(3)
    f.long_press(at=(100.0, H - 20.0))  # outside the corner
    f.taps(3)
    f.long_press()
    f.taps(3, at=(W - 20.0, H - 20.0))  # the wrong corner (Close is there)
    f.long_press()
    f.taps(2)
    f.touch(400, 240, hold=0.1)  # a tap elsewhere breaks the sequence
    f.taps(1)
    f.long_press()
    f.taps(2)
    f.touch(*BR, hold=1.5)  # a press, not a tap
    f.taps(1)
    assert f.completed == 0


def test_the_taps_must_end_within_five_seconds_of_the_long_press():
    f = Fingers()
    f.long_press(after=0.0)
    f.taps(2)
    f.t = 3.2 + 5.0 + 0.01  # the long press ended at 3.2 s: the third tap starts after its deadline
    f.taps(1)
    assert f.completed == 0
    g = Fingers()
    g.long_press(after=4.5)
    g.taps(3)  # the third tap ends 5.4 s after the long press: too late
    assert g.completed == 0


def test_a_second_finger_breaks_the_long_press_but_an_echo_of_the_same_finger_does_not():
    g = AdminGesture()
    g.down(1, 0.0, *TL, W, H)
    g.down(2, 0.5, 400, 240, W, H)  # another finger on the screen
    g.up(2, 0.6, 400, 240, W, H)
    assert not g.up(1, 3.5, *TL, W, H) and not g.armed
    g.down(3, 10.0, *TL, W, H)
    g.down(4, 10.01, TL[0] + 2, TL[1] - 2, W, H)  # the same finger reported twice (touch and mouse)
    g.up(4, 13.4, TL[0] + 2, TL[1] - 2, W, H)
    g.up(3, 13.4, *TL, W, H)
    assert g.armed


def test_random_touches_practically_never_complete_it():
    rng = random.Random(20261122)
    g = AdminGesture()
    t, completed = 0.0, 0
    for uid in range(100_000):
        x, y = rng.uniform(0, W), rng.uniform(0, H)
        hold = rng.uniform(2.0, 6.0) if rng.random() < 0.1 else rng.uniform(0.03, 0.5)
        g.down(uid, t, x, y, W, H)
        t += hold
        completed += g.up(uid, t, x, y, W, H)
        t += rng.uniform(0.05, 1.5)
    assert completed == 0
    assert g.armed_count < 100_000 * 0.001  # long presses in the corner happen, but rarely

"""The three-finger quick exit never opens anything, wherever the fingers land.

Found by the soak (bench/soak.py, seed 1, event 9882): on the neutral screen a
three-finger tap stays put (there is nothing to forget), and the first finger,
resting on "Safety and rights", opened the help section as it lifted.
"""

from __future__ import annotations

from tests.ui.uihelp import GATE_CLEAR, option_tile, three_fingers


def test_fingers_resting_on_tiles_open_nothing_on_the_neutral_screen(kivy_env, make_kiosk):
    summaries: list = []
    kiosk = make_kiosk(summaries=summaries)
    assert kiosk.view.node_id == "home" and not kiosk.session.active
    help_entry = option_tile(kiosk, "Safety and rights")
    other = next(t for t in kiosk.view.options if t.label != "Safety and rights")
    second = option_tile(kiosk, other.label)
    points = [help_entry.to_window(*help_entry.center), second.to_window(*second.center), (20, 20)]
    three_fingers(kivy_env, points)
    assert kiosk.view.node_id == "home" and kiosk.view.neutral
    assert not kiosk.session.active and not kiosk.session.history
    assert summaries == []  # nothing began, so nothing ended


def test_fingers_resting_on_tiles_open_nothing_on_a_help_screen(kivy_env, make_kiosk):
    from kiosk.session import GoTo
    kiosk = make_kiosk()
    kiosk.send(GoTo("safety"))
    kivy_env.step(GATE_CLEAR, frames=2)
    tile = option_tile(kiosk, "Talk to someone")
    three_fingers(kivy_env, [tile.to_window(*tile.center), (400, 30), (700, 30)])
    assert kiosk.view.neutral and kiosk.view.node_id != "hotline"
    assert not kiosk.session.active and not kiosk.session.history

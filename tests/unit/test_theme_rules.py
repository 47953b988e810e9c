"""The UI's rules as plain data: contrast, type and touch sizes, grid columns, gestures, PNGs.

No window needed: these read kiosk.ui.theme, kiosk.ui.gestures and kiosk.ui.png.
"""

from __future__ import annotations

import argparse
import sys

import pytest

from kiosk.ui.gestures import PressGate, ThreeFingerTap
from kiosk.ui.png import encode_png, qr_png
from kiosk.ui.theme import (PALETTE, TEXT_ON, contrast_ratio, option_columns, relative_luminance,
                            sizes_for)
from tests.ui.uihelp import read_png


def test_wcag_formula_matches_known_values():
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#FFFFFF", "#FFFFFF") == pytest.approx(1.0)
    assert contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)  # the classic near miss
    assert relative_luminance("#FFFFFF") == pytest.approx(1.0)


@pytest.mark.parametrize("name,fg,bg", TEXT_ON)
def test_every_text_colour_pair_reaches_aaa_contrast(name, fg, bg):
    ratio = contrast_ratio(getattr(PALETTE, fg), getattr(PALETTE, bg))
    assert ratio >= 7.0, f"{name}: {ratio:.2f}:1"


def test_palette_has_no_alarm_red():
    from kiosk.ui.theme import rgb
    for field, colour in vars(PALETTE).items():
        r, g, b = rgb(colour)
        assert not (r > 0.6 and g < 0.35 and b < 0.35), f"{field} {colour} reads as alarm red"


@pytest.mark.parametrize("dpi,width,height", [(96, 800, 480), (133, 800, 480), (170, 1024, 600),
                                              (150, 1280, 800), (133, 480, 800), (216, 800, 1280)])
def test_body_text_is_three_sixteenths_inch_and_targets_are_large(dpi, width, height):
    s = sizes_for(dpi, width, height)
    assert s.body >= 24
    assert s.body >= round(dpi * 3 / 16)
    assert s.touch >= 64 and s.touch >= round(dpi * 44 / 96)  # 44 CSS px at the panel's density
    assert s.header >= s.touch
    assert s.small >= 20 and s.title > s.body and s.number > s.title


def test_option_grid_is_one_column_in_portrait_and_two_or_three_in_landscape():
    assert option_columns(480, 800, 6) == 1
    assert option_columns(800, 1280, 3) == 1
    assert option_columns(800, 480, 6) == 2  # two at 800 px: three left ~170 px for words (issue #15)
    assert option_columns(800, 480, 2) == 2
    assert option_columns(1024, 600, 4) == 3
    assert option_columns(1280, 800, 6) == 3
    assert option_columns(1280, 800, 1) == 1


def test_three_finger_tap_needs_three_places_within_the_window():
    fingers = ThreeFingerTap()
    assert not fingers.down(0.00, 100, 100)
    assert not fingers.down(0.05, 300, 100)
    assert fingers.down(0.10, 500, 100)
    # One finger reported three times (touch + mouse echoes) is not three fingers.
    assert not fingers.down(1.00, 100, 100)
    assert not fingers.down(1.01, 101, 100)
    assert not fingers.down(1.02, 100, 102)
    # Three fingers spread over more than the window are three ordinary taps.
    fingers.reset()
    assert not fingers.down(2.0, 100, 100)
    assert not fingers.down(2.2, 300, 100)
    assert not fingers.down(2.45, 500, 100)


def test_press_gate_closes_after_a_navigation_for_a_moment():
    gate = PressGate()
    assert gate.is_open(0.0)
    gate.close(10.0)
    assert not gate.is_open(10.1) and not gate.is_open(10.29)
    assert gate.is_open(10.3)


def test_png_round_trip_and_bottom_up_rows():
    width, height = 3, 2
    top, bottom = bytes([255, 0, 0] * 3), bytes([0, 0, 255] * 3)
    png = encode_png(width, height, bottom + top, bottom_up=True)
    pixels = read_png(png)
    assert (pixels.width, pixels.height) == (3, 2)
    assert pixels.at(0, 0) == (255, 0, 0) and pixels.at(2, 1) == (0, 0, 255)
    with pytest.raises(ValueError):
        encode_png(10, 10, b"\x00" * 5)


def test_qr_png_is_made_in_memory():
    data = qr_png("tel:+18883737888")
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 200


def test_ui_commands_module_imports_nothing_heavy():
    import subprocess
    code = ("import sys, kiosk.cli; kiosk.cli.build_parser(); "
            "heavy = [m for m in ('kivy', 'vosk', 'sounddevice', 'numpy') if m in sys.modules]; "
            "print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_size_argument_is_checked():
    from kiosk.ui.commands import parse_size
    assert parse_size("800x480") == (800, 480)
    assert parse_size("1280X800") == (1280, 800)
    for bad in ("800", "800x", "axb", "10x10"):
        with pytest.raises(argparse.ArgumentTypeError):
            parse_size(bad)


def test_chinese_lines_break_between_characters_never_before_closing_punctuation():
    from kiosk.layout import needs_cjk_breaking, wrap_cjk
    measure = lambda s: 10.0 * len(s)  # noqa: E731 - one em per character
    lines = wrap_cjk("热线不是警察，不是政府，也不是移民局。", 60, measure)
    assert "".join(lines) == "热线不是警察，不是政府，也不是移民局。"
    assert all(measure(line) <= 60 for line in lines)
    assert not any(line[0] in "，。" for line in lines)  # 。 never starts a line
    lines = wrap_cjk("热线每天 24 小时开放", 60, measure)
    assert "24" in lines[0] or any(line.startswith("24") for line in lines)  # numbers stay whole
    assert needs_cjk_breaking("zh-Hans") and needs_cjk_breaking("zh-Hant")
    assert not needs_cjk_breaking("ko") and not needs_cjk_breaking("en")


def test_three_quick_one_finger_taps_are_not_three_fingers():
    """Found by the soak (seed 1, event 7037): each finger lifted before the next landed."""
    fingers = ThreeFingerTap()
    for i, (t, x) in enumerate(((0.00, 100), (0.08, 300), (0.16, 500))):
        assert not fingers.down(t, x, 100, uid=i)
        fingers.up(i)


def test_a_finger_where_a_tap_just_lifted_is_a_new_finger():
    """Found by the soak (seed 5, event 2705): it was taken for an echo of the tap, and the
    real three-finger tap that followed counted only two fingers."""
    fingers = ThreeFingerTap()
    assert not fingers.down(0.00, 100, 100, uid="tap")
    fingers.up("tap")
    assert not fingers.down(0.20, 102, 101, uid="a")  # on the same spot, 0.2 s later
    assert not fingers.down(0.25, 300, 100, uid="b")
    assert fingers.down(0.30, 500, 100, uid="c")
    # An echo of a finger that is still down still never counts.
    fingers.reset()
    assert not fingers.down(1.00, 100, 100, uid="finger")
    assert not fingers.down(1.01, 101, 100, uid="its mouse echo")
    assert not fingers.down(1.05, 300, 100, uid="second")

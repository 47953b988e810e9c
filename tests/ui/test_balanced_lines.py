"""Balanced lines through the real window at 800x480: Arabic, Chinese, Russian and Haitian Creole.

Every TextBlock on a sample of screens (the safety menu, the help menu, the
hotline, a tip) is inspected as Kivy drew it: no lone last word (one or two
characters in Chinese) where balancing could avoid one, Kivy kept the lines
the kiosk made (it did not re-wrap them), and no text is wider than its box or
the window. Option buttons stand two to a row at 800 px.
The Kivy-free check of every screen in every language is tests/unit/test_layout_balance.py.
"""

from __future__ import annotations

import re

import pytest

from tests.ui.uihelp import GATE_CLEAR, widgets

SAMPLE = ("ar", "zh-Hans", "ru", "ht")
SCREENS = ("safety", "who_help", "hotline", "signs", "with_you", "tip_water")
_MARKUP = re.compile(r"\[/?font[^\]]*\]")


def show(env, kiosk, node: str, tag: str) -> None:
    from kiosk.session import GoTo, SetLanguage
    kiosk.send(SetLanguage(tag))
    kiosk.send(GoTo(node))
    env.step(GATE_CLEAR, frames=2)
    assert (kiosk.view.node_id, kiosk.view.language) == (node, tag)


@pytest.mark.parametrize("tag", SAMPLE)
def test_lines_are_balanced_and_inside_their_boxes(kivy_env, make_kiosk, tag: str) -> None:
    from kivy.core.window import Window

    from kiosk.layout import is_orphan, needs_cjk_breaking
    from kiosk.ui.text import TextBlock

    kiosk = make_kiosk()
    cjk = needs_cjk_breaking(tag)
    problems: list[str] = []
    seen = 0
    for node in SCREENS:
        show(kivy_env, kiosk, node, tag)
        for block in widgets(Window.children[0], TextBlock):
            if not block.source.strip() or block.width <= 0:
                continue
            seen += 1
            lines = _MARKUP.sub("", block.text).split("\n")
            if is_orphan(lines, cjk and not block.rtl):
                problems.append(f"{node}: lone last line in {' / '.join(lines)!r}")
            drawn = len(block._label._cached_lines)  # the lines Kivy laid out
            if drawn != len(lines):
                problems.append(f"{node}: Kivy re-wrapped {block.source!r} into {drawn} lines, not {len(lines)}")
            if block.texture_size[0] > block.width + 1:
                problems.append(f"{node}: {block.source!r} is {block.texture_size[0]} px in a {block.width} px box")
            left, _ = block.to_window(block.x, block.y)
            if left < -1 or left + block.width > Window.width + 1:
                problems.append(f"{node}: {block.source!r} runs off the window")
    assert seen > 20  # titles, paragraphs, labels, header words
    assert problems == []


def test_option_buttons_stand_two_to_a_row_at_800px(kivy_env, make_kiosk) -> None:
    from kivy.core.window import Window
    from kivy.uix.gridlayout import GridLayout

    kiosk = make_kiosk()
    for tag in SAMPLE:
        show(kivy_env, kiosk, "safety", tag)
        grids = [g for g in widgets(Window.children[0], GridLayout) if any(hasattr(c, "option_number") for c in g.children)]
        assert [g.cols for g in grids] == [2], tag

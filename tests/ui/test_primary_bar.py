"""A primary action always in reach (issue 15), through the real window at 800x480 and
1280x800: every help screen but the hotline's own has a fixed "Talk to someone · number" bar at
the bottom that opens the hotline; none on the health face; the page scrolls above the bar, so
nothing is cut at the bottom edge or hidden behind it; "More below" shows while it continues."""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.ui.uihelp import GATE_CLEAR, close_to, hex_rgb, tap, widget_box, window_pixels

SIZES = [(800, 480), (1280, 800)]
LANGUAGES = ["en", "ar", "zh-Hans"]


@pytest.fixture(params=SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def window_size(request, kivy_env) -> Iterator[tuple[int, int]]:
    from kivy.core.window import Window
    before = tuple(Window.size)
    Window.size = request.param
    kivy_env.step(0.0, frames=2)
    try:
        yield request.param
    finally:
        Window.size = before
        kivy_env.step(0.0, frames=2)


def settle(env) -> None:  # noqa: ANN001
    env.step(0.0, frames=4)


def scroll_to_bottom(env, kiosk) -> None:  # noqa: ANN001
    kiosk.page.scroll_y = 0
    settle(env)


def test_every_help_screen_but_the_hotline_has_the_bar_and_nothing_is_cut(kivy_env, make_kiosk, built_in_pack,
                                                                         window_size):
    from kivy.core.window import Window
    from kiosk.session import GoTo, SetLanguage
    pack = built_in_pack
    kiosk = make_kiosk()
    assert tuple(Window.size) == window_size and kiosk.look().width == window_size[0]
    hotline = pack.contacts[pack.nodes["hotline"].contacts[0]]
    scrolled = 0
    for tag in LANGUAGES:
        kiosk.send(SetLanguage(tag))
        for node_id, node in pack.nodes.items():
            kiosk.send(GoTo(node_id))
            settle(kivy_env)
            where = f"{tag} {node_id} {window_size}"
            frame = kiosk.page_frame
            if node.neutral or node_id == "hotline":
                assert frame.primary_bar is None, f"{where}: a bar where none belongs"
                continue
            bar = frame.primary_bar
            assert bar is not None, f"{where}: no primary bar"
            assert bar.tile.label_widget.source == f"{kiosk.view.ui['talk']} · {hotline.call_display}"
            bx0, by0, bx1, by1 = widget_box(bar)
            assert by1 <= Window.height and bx0 >= 0 and bx1 <= Window.width, f"{where}: bar off the glass"
            assert by1 >= Window.height - 1, f"{where}: the bar is not at the bottom"
            tx0, ty0, tx1, ty1 = widget_box(bar.tile)
            assert ty1 - ty0 >= kiosk.look().sizes.touch - 1 and ty1 <= Window.height
            page_bottom = widget_box(kiosk.page)[3]
            assert page_bottom <= by0 + 1, f"{where}: the page runs behind the bar"
            column = kiosk.page.children[0]
            overflows = column.height > kiosk.page.height + 2
            assert frame.more_below.showing == overflows, f"{where}: 'More below' wrong at the top"
            if overflows:
                scrolled += 1
                scroll_to_bottom(kivy_env, kiosk)
                assert not frame.more_below.showing, f"{where}: 'More below' at the bottom"
            last = column.children[0]  # the column's last block (Kivy keeps children last-first)
            y1 = widget_box(last)[3]
            assert y1 <= by0 + 1 and y1 <= page_bottom + 1, f"{where}: the last block is cut ({y1} > {by0})"
    assert scrolled, "no page overflowed: the 'More below' check never ran"


def test_the_bar_opens_the_hotline_and_back_returns(kivy_env, make_kiosk):
    from kiosk.session import GoTo
    kiosk = make_kiosk()
    kiosk.send(GoTo("safety"))
    kiosk.send(GoTo("rights"))
    kivy_env.step(GATE_CLEAR, frames=2)
    tap(kivy_env, kiosk.page_frame.primary_bar.tile)
    assert kiosk.view.node_id == "hotline" and kiosk.page_frame.primary_bar is None
    assert kiosk.view.contacts[0].call_display == "1-888-3737-888"
    kiosk.send(__import__("kiosk.session", fromlist=["Back"]).Back())
    assert kiosk.view.node_id == "rights"


def test_the_bar_is_drawn_filled_and_the_sign_is_drawn(kivy_env, make_kiosk):
    from kiosk.session import GoTo
    from kiosk.ui.theme import PALETTE
    kiosk = make_kiosk()
    kiosk.send(GoTo("call_expect"))
    kivy_env.step(GATE_CLEAR, frames=3)
    px = window_pixels()
    x0, y0, x1, y1 = widget_box(kiosk.page_frame.primary_bar.tile)
    fill = [p for p in px.region(x0 + 4, y0 + 4, x1 - 4, y1 - 4) if close_to(p, hex_rgb(PALETTE.primary_bg))]
    assert len(fill) > (x1 - x0) * (y1 - y0) // 2  # mostly the primary colour: it looks like the main button
    assert kiosk.page_frame.more_below.showing
    hx0, hy0, hx1, hy1 = widget_box(kiosk.page_frame.more_below.box)
    accent = [p for p in px.region(hx0, hy0, hx1, hy1) if close_to(p, hex_rgb(PALETTE.accent), 40)]
    assert len(accent) > 50, "'More below' is not drawn"


def test_no_bar_on_the_health_face(kivy_env, make_kiosk, built_in_pack):
    from kiosk.session import GoTo
    kiosk = make_kiosk()
    for node_id in (built_in_pack.manifest.neutral, *built_in_pack.manifest.exit_to):
        kiosk.send(GoTo(node_id))
        assert kiosk.page_frame.primary_bar is None and kiosk.controller.screen.primary is None

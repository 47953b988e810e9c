"""The idle countdown, visible and forgiving (issue 15), through the real window: in the last
seconds a banner with the seconds in large type and a large Stay button; tapping Stay keeps the
visitor where they were with the whole wait again; a longer page waits longer."""

from __future__ import annotations

from tests.ui.uihelp import GATE_CLEAR, close_to, hex_rgb, tap, widget_box, window_pixels


def test_tapping_stay_keeps_the_visitor_and_the_wait_starts_again(kivy_env, make_kiosk):
    from kiosk.session import COUNTDOWN_SECONDS, GoTo
    from kiosk.ui.theme import PALETTE
    summaries: list = []
    kiosk = make_kiosk(summaries=summaries)
    kiosk.send(GoTo("safety"))
    kiosk.send(GoTo("rights"))
    kivy_env.step(GATE_CLEAR, frames=2)
    wait = kiosk.session.idle_timeout()
    assert wait > kiosk.session.pack.manifest.idle_timeout  # a page of text earns more time
    kivy_env.step(wait - COUNTDOWN_SECONDS - 2, frames=2)
    assert kiosk.banner is None
    kivy_env.step(5.0, frames=3)  # 7 s left
    banner = kiosk.banner
    assert banner is not None and banner.words.source == "Going back in 7"
    sizes = kiosk.look().sizes
    assert banner.words.font_size >= sizes.title  # large type, not small grey text
    x0, y0, x1, y1 = widget_box(banner.stay)
    assert y1 - y0 >= sizes.touch and x1 - x0 >= sizes.touch * 2  # a large button
    assert banner.stay.label_widget.source == "Stay" and y1 <= kiosk.root.height
    px = window_pixels()
    filled = [p for p in px.region(x0 + 4, y0 + 4, x1 - 4, y1 - 4) if close_to(p, hex_rgb(PALETTE.primary_bg))]
    assert len(filled) > (x1 - x0) * (y1 - y0) // 2, "Stay is not drawn as the main button"
    tap(kivy_env, banner.stay)
    assert kiosk.banner is None and kiosk.view.node_id == "rights" and kiosk.view.idle_seconds_left is None
    kivy_env.step(wait - COUNTDOWN_SECONDS - 2, frames=2)  # the whole wait again, not ten seconds
    assert kiosk.view.node_id == "rights" and kiosk.banner is None
    kivy_env.step(COUNTDOWN_SECONDS + 3, frames=3)
    assert kiosk.view.neutral and kiosk.banner is None and [s.reason for s in summaries] == ["idle"]


def test_the_banner_shows_over_an_overlay_and_in_arabic(kivy_env, make_kiosk):
    from kiosk.screen import OpenLanguages
    from kiosk.session import GoTo, SetLanguage
    kiosk = make_kiosk()
    kiosk.send(SetLanguage("ar"))
    kiosk.send(GoTo("hotline"))
    kiosk.send(OpenLanguages())
    kivy_env.step(GATE_CLEAR, frames=2)
    kivy_env.step(kiosk.session.idle_timeout() - 4, frames=3)
    banner = kiosk.banner
    assert banner is not None and kiosk.overlay == "languages"
    assert banner.stay.label_widget.source == kiosk.view.ui["stay"]
    assert widget_box(banner.stay)[0] < widget_box(banner.words)[0]  # mirrored: Stay on the left
    tap(kivy_env, banner.words)  # anywhere on the banner stays: a near miss must not send them back
    assert kiosk.banner is None and kiosk.view.node_id == "hotline" and kiosk.overlay == "languages"

"""Languages, right-to-left layout, QR codes and read-aloud, through real touches."""

from __future__ import annotations

from tests.ui.conftest import RecordingSpeaker
from tests.ui.uihelp import GATE_CLEAR, option_tile, tap, texts, widget_box, widgets, window_pixels


def go(env, kiosk, *events) -> None:
    for event in events:
        kiosk.send(event)
    env.step(GATE_CLEAR, frames=3)


def header_tile(kiosk, role: str):
    """A header control by its role: back, home, read_aloud, language, exit."""
    from kiosk.ui.widgets import Tile
    found = [t for t in widgets(kiosk.header.widget, Tile) if getattr(t, "role", None) == role]
    assert found, f"no {role!r} control in the header"
    return found[0]


def has_language(pack, tag: str) -> bool:
    return tag in pack.manifest.languages


# --- the language picker -----------------------------------------------------------

def test_language_picker_lists_each_language_in_its_own_name_and_keeps_the_screen(kivy_env, make_kiosk,
                                                                                   built_in_pack):
    from kiosk.view import language_choices
    from kiosk.session import GoTo
    from kiosk.ui.widgets import Tile
    kiosk = make_kiosk()
    go(kivy_env, kiosk, GoTo("safety"), GoTo("rights"))
    tap(kivy_env, header_tile(kiosk, "language"))
    assert kiosk.overlay == "languages"
    assert kiosk.header.exit_button is not None  # Close stays reachable over the list
    tiles = [t for t in widgets(kiosk.stage, Tile) if hasattr(t, "language_tag")]
    assert [t.language_tag for t in tiles] == list(built_in_pack.manifest.languages)
    names = dict(language_choices(built_in_pack))
    for tile in tiles:
        # The pack's own name for its language (ui.language_name), else CLDR's autonym (issue #14).
        assert tile.label_widget.source == names[tile.language_tag]
    spanish = next(t for t in tiles if t.language_tag == "es")
    assert spanish.label_widget.source == "Español"
    tap(kivy_env, spanish)
    view = kiosk.view
    assert (view.language, view.node_id, view.can_go_back) == ("es", "rights", True)
    assert kiosk.overlay is None
    assert view.title in texts(kiosk.page)
    assert "Cerrar" in texts(kiosk.header.exit_button)


def test_language_button_is_on_the_neutral_screen_too(kivy_env, make_kiosk):
    kiosk = make_kiosk()
    tap(kivy_env, header_tile(kiosk, "language"))
    assert kiosk.overlay == "languages"
    tap(kivy_env, header_tile(kiosk, "language"))  # still there; opening again is harmless
    tap(kivy_env, option_tile(kiosk, "Done"))  # the list's own Done (issue 15: no Back over an overlay)
    assert kiosk.overlay is None and kiosk.view.node_id == "home" and kiosk.view.language == "en"


# --- right to left ------------------------------------------------------------------

def test_arabic_mirrors_the_layout_but_close_stays_top_right(kivy_env, make_kiosk, built_in_pack):
    assert has_language(built_in_pack, "ar"), "the built-in pack must have Arabic (the right-to-left check)"
    from kivy.core.window import Window
    from kivy.uix.gridlayout import GridLayout
    from kiosk.session import GoTo, SetLanguage
    from kiosk.ui.text import TextBlock
    kiosk = make_kiosk()
    go(kivy_env, kiosk, SetLanguage("ar"), GoTo("safety"))
    view = kiosk.view
    assert view.rtl
    exit_x0, exit_y0, exit_x1, _ = widget_box(kiosk.header.exit_button)
    assert exit_x1 >= Window.width - 20 and exit_y0 <= 12
    for child in kiosk.header.widget.children:
        if child is not kiosk.header.exit_button:
            assert widget_box(child)[2] <= exit_x0  # everything else is left of Close
    from kiosk.ui.widgets import Tile
    for tile in widgets(kiosk.header.widget, Tile):
        if tile.label_widget is not None:  # one line each: a control's word is never broken
            assert "\n" not in tile.label_widget.text, tile.label_widget.source
    back = header_tile(kiosk, "back")
    language = header_tile(kiosk, "language")
    assert widget_box(back)[0] > widget_box(language)[0]  # Back on the right (start) side
    grid = [g for g in widgets(kiosk.page, GridLayout) if g.orientation == "rl-tb"]
    assert grid, "options should run right to left"
    first = option_tile(kiosk, view.options[0].label)
    second = option_tile(kiosk, view.options[1].label)
    assert widget_box(first)[0] > widget_box(second)[0]  # option 1 is rightmost
    title = widgets(kiosk.page, TextBlock, lambda w: w.source == view.title)[0]
    assert title.halign == "right"
    # RTL lines come from the bidi layout, not Kivy's wrapping: display order, right-aligned.
    body = widgets(kiosk.page, TextBlock, lambda w: w.source == view.body[0])[0]
    assert body.text != body.source and body.texture_size[0] <= body.width + 1
    px = window_pixels()
    x0, y0, x1, y1 = widget_box(title)
    right_ink = [p for p in px.region(x1 - 150, y0, x1, y1) if sum(p) < 200]
    left_ink = [p for p in px.region(x0, y0, x0 + 150, y1) if sum(p) < 200]
    assert len(right_ink) > 100 and len(left_ink) < len(right_ink) // 4  # the title hugs the right


# --- contact screens: read aloud and QR ------------------------------------------------

def test_say_again_speaks_the_number_digit_by_digit(kivy_env, make_kiosk):
    from kiosk.session import GoTo
    speaker = RecordingSpeaker()
    summaries: list = []
    kiosk = make_kiosk(speaker=speaker, summaries=summaries)
    go(kivy_env, kiosk, GoTo("safety"), GoTo("hotline"))
    say = option_tile(kiosk, "Say the number again")
    tap(kivy_env, say)
    assert speaker.said[-1] == (("1, 8 8 8, 3 7 3 7, 8 8 8",), "en")
    speaker.talking = False  # the number has been said
    tap(kivy_env, header_tile(kiosk, "read_aloud"))
    sentences, language = speaker.said[-1]
    assert language == "en" and sentences == kiosk.view.speech
    tap(kivy_env, header_tile(kiosk, "read_aloud"))  # pressed again while speaking: stops
    assert not speaker.speaking()
    tap(kivy_env, kiosk.header.exit_button)
    assert summaries[-1].features == frozenset({"read_aloud"})


def test_without_a_speaker_there_are_no_speech_buttons(kivy_env, make_kiosk):
    from kiosk.session import GoTo
    kiosk = make_kiosk()
    go(kivy_env, kiosk, GoTo("safety"), GoTo("hotline"))
    words = texts(kiosk.root)
    assert "Say the number again" not in words
    assert [getattr(t, "role", None) for t in kiosk.header.widget.children if hasattr(t, "role")] == [
        "exit", "language", "home", "back"]


def test_qr_code_is_shown_only_after_the_warning_and_never_written_to_disk(kivy_env, make_kiosk, tmp_path):
    import os
    from kivy.uix.image import Image
    from kiosk.session import GoTo
    from kiosk.system.paths import data_dir
    before = {p for p in data_dir().rglob("*") if p.is_file()}
    summaries: list = []
    kiosk = make_kiosk(summaries=summaries)
    go(kivy_env, kiosk, GoTo("safety"), GoTo("hotline"))
    tap(kivy_env, option_tile(kiosk, "Show a code for your phone"))
    assert kiosk.overlay == "qr_warning"
    assert kiosk.view.ui["qr_warning"] in texts(kiosk.stage)
    assert not widgets(kiosk.stage, Image)
    tap(kivy_env, option_tile(kiosk, "Not now"))
    assert kiosk.overlay is None and kiosk.view.node_id == "hotline"
    tap(kivy_env, option_tile(kiosk, "Show a code for your phone"))
    tap(kivy_env, option_tile(kiosk, "Show the code"))
    assert kiosk.overlay == "qr"
    codes = [i for i in widgets(kiosk.stage, Image) if hasattr(i, "qr_uri")]
    assert [c.qr_uri for c in codes] == ["tel:+18883737888", "sms:233733"]
    for code in codes:
        assert code.texture is not None and code.texture.size[0] >= 100
    px = window_pixels()
    x0, y0, x1, y1 = widget_box(codes[0])
    dark = sum(1 for p in px.region(x0, y0, x1, y1) if sum(p) < 60)
    assert dark > (x1 - x0) * (y1 - y0) // 5  # modules are drawn
    assert kiosk.header.exit_button is not None
    tap(kivy_env, kiosk.header.exit_button)
    assert kiosk.view.neutral and kiosk.overlay is None
    assert not [i for i in widgets(kiosk.root, Image) if hasattr(i, "qr_uri")]  # texture dropped
    assert summaries[-1].features == frozenset({"qr"})
    after = {p for p in data_dir().rglob("*") if p.is_file()}
    assert not [p for p in after - before if p.suffix.lower() in (".png", ".jpg", ".bmp")]
    assert not [f for f in os.listdir(tmp_path)]

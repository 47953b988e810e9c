"""The neutral screen's way into every language, through the real window at 800x480.

A visitor who reads only Vietnamese or Haitian Creole must find their language
without reading English: from the neutral screen, tapping only words written in
that language (its own name, as the pack writes it in ui.language_name) switches
the kiosk to it, and the screen stays the calm neutral one.
"""

from __future__ import annotations

from tests.ui.uihelp import GATE_CLEAR, tap, widgets


def name_tile(kiosk, name: str):
    from kiosk.ui.widgets import Tile
    found = widgets(kiosk.root, Tile, lambda t: getattr(t, "language_tag", None) is not None
                    and t.label_widget is not None and t.label_widget.source == name)
    assert len(found) == 1, f"no single tile named {name!r} on {kiosk.view.node_id}"
    return found[0]


def test_vietnamese_and_haitian_creole_are_reached_by_their_own_names(kivy_env, make_kiosk, built_in_pack) -> None:
    kiosk = make_kiosk()
    assert kiosk.view.neutral and kiosk.view.language == "en"
    start = kiosk.view.node_id
    vi_name = built_in_pack.string("vi", "ui.language_name")
    ht_name = built_in_pack.string("ht", "ui.language_name")
    assert (vi_name, ht_name) == ("Tiếng Việt", "Kreyòl ayisyen")  # the pack's own names, honoured

    from kiosk.ui.text import fonts_for
    tile = name_tile(kiosk, vi_name)
    assert tile.label_widget.font_name == fonts_for("vi").regular  # drawn in its own script's face
    tap(kivy_env, tile)
    kivy_env.step(GATE_CLEAR, frames=2)
    assert (kiosk.view.language, kiosk.view.node_id, kiosk.view.neutral) == ("vi", start, True)

    tap(kivy_env, name_tile(kiosk, ht_name))  # from the Vietnamese screen, still in its own words
    kivy_env.step(GATE_CLEAR, frames=2)
    assert (kiosk.view.language, kiosk.view.node_id) == ("ht", start)


def test_every_other_language_is_named_in_its_own_words_and_none_is_english(kivy_env, make_kiosk,
                                                                             built_in_pack) -> None:
    from kiosk.ui.widgets import Tile
    from kiosk.view import language_choices
    kiosk = make_kiosk()
    tiles = widgets(kiosk.root, Tile, lambda t: getattr(t, "language_tag", None) is not None)
    shown = {t.language_tag: t.label_widget.source for t in tiles}
    expected = {tag: name for tag, name in language_choices(built_in_pack) if tag != "en"}
    assert shown == expected and len(shown) == 11
    assert shown["zh-Hans"] != "Chinese" and shown["ar"] != "Arabic"

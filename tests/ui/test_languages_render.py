"""Twelve languages drawn through the real UI at 800x480: nothing clipped, no tofu, numbers whole.

Each screen is drawn in each language on the shared offscreen window, then the
widget tree is inspected as Kivy drew it: every label's texture (what is on
the glass) against its box and the window, every character against the font
that draws it, the phone number's place on the first screenful, the header's
controls against the window's width, and right-to-left order (mirrored layout,
numbers left to right, brackets mirrored) against kiosk.i18n.bidi.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pytest

from tests.ui.uihelp import GATE_CLEAR, tap, texts, widgets

LANGUAGES = ("en", "es", "zh-Hans", "zh-Hant", "vi", "tl", "ko", "ar", "ru", "ht", "fr", "pt")
HOTLINE_NUMBER = "1-888-3737-888"
INVISIBLE = set("\n\r\t \u200b\u200c\u200d\u200e\u200f\u00ad")


def show(env, kiosk, node: str, tag: str) -> None:
    from kiosk.session import GoTo, SetLanguage
    kiosk.send(SetLanguage(tag))
    kiosk.send(GoTo(node))
    env.step(GATE_CLEAR, frames=2)
    assert (kiosk.view.node_id, kiosk.view.language) == (node, tag)


@pytest.fixture
def kiosk(kivy_env, make_kiosk):
    return make_kiosk()


# --- what is on the glass ---------------------------------------------------------

def labels(root) -> list:
    from kivy.uix.label import Label
    return widgets(root, Label)


def drawn_text(label) -> str:
    from kiosk.ui.text import TextBlock
    return label.source if isinstance(label, TextBlock) else label.text


def window_box(widget) -> tuple[float, float, float, float]:
    """(left, bottom, right, top) in window coordinates (y up, as Kivy has it)."""
    x, y = widget.to_window(widget.x, widget.y)
    return x, y, x + widget.width, y + widget.height


@lru_cache(maxsize=None)
def cmap(path: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont
    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap())


_FONT_RUN = re.compile(r"\[font=([^\]]+)\](.*?)\[/font\]", re.S)


def runs(label) -> list[tuple[str, str]]:
    """(font file, text) pieces as Kivy receives them: markup [font=...] runs split out."""
    text, font = label.text, str(label.font_name)
    if not label.markup:
        return [(font, text)]
    out, pos = [], 0
    for m in _FONT_RUN.finditer(text):
        out.append((font, text[pos:m.start()]))
        out.append((m.group(1), m.group(2)))
        pos = m.end()
    out.append((font, text[pos:]))
    unescape = lambda s: s.replace("&bl;", "[").replace("&br;", "]").replace("&amp;", "&")  # noqa: E731
    return [(f, unescape(t)) for f, t in out]


def tofu(label) -> set[str]:
    """Characters handed to a font that has no glyph for them (drawn as empty boxes)."""
    missing = set()
    for font, text in runs(label):
        have = cmap(font)
        missing |= {ch for ch in text if ch not in INVISIBLE and ord(ch) not in have}
    return missing


def drawing_problems(kiosk) -> list[str]:
    """Labels whose drawing is clipped, empty, off the window or in a font without their letters."""
    from kivy.core.window import Window
    problems = []
    for label in labels(kiosk.root):
        shown = drawn_text(label)
        if not shown.strip():
            continue
        name = f"{type(label).__name__} {shown[:40]!r}"
        tex_w, tex_h = label.texture_size
        if tex_w <= 0 or tex_h <= 0 or label.texture is None:
            problems.append(f"{name}: nothing drawn")
            continue
        if tex_w > label.width + 1:
            problems.append(f"{name}: drawn {tex_w} px wide in a {label.width:.0f} px box")
        if tex_h > label.height + 1:
            problems.append(f"{name}: drawn {tex_h} px tall in a {label.height:.0f} px box")
        left, _, right, _ = window_box(label)
        if left < -1 or right > Window.width + 1:
            problems.append(f"{name}: box {left:.0f}..{right:.0f} is outside the window's 0..{Window.width}")
        missing = tofu(label)
        if missing:
            problems.append(f"{name}: no glyph for {sorted(missing)} in its font")
    return problems


# --- every language, the long screens and the contact screens ---------------------------

SCREENS = ("home", "safety", "hotline", "call_expect", "anyone", "signs", "line_child", "emergency")


def header_problems(kiosk) -> list[str]:
    """Back, Start, Language and Close side by side, none cut; words may give way to icons."""
    from kivy.core.window import Window
    from kiosk.ui.widgets import Tile
    tiles = sorted((t for t in widgets(kiosk.header.widget, Tile) if getattr(t, "role", None)),
                   key=lambda t: window_box(t)[0])
    problems = [] if tiles else ["no controls in the header"]
    for a, b in zip(tiles, tiles[1:]):
        if window_box(a)[2] > window_box(b)[0] + 1:
            problems.append(f"{a.role} overlaps {b.role}")
    if tiles and (window_box(tiles[0])[0] < 0 or window_box(tiles[-1])[2] > Window.width + 1):
        problems.append("controls run past the window's edge")
    for tile in tiles:
        if tile.width < kiosk.look().sizes.touch - 1:
            problems.append(f"{tile.role} is narrower than a finger")
        label = tile.label_widget
        if label is not None and label.texture_size[0] > label.width + 1:
            problems.append(f"{tile.role}'s word is cut")
    exit_tile = kiosk.header.exit_button
    if not kiosk.view.neutral:
        # Close keeps its word in every language, and the top-right corner.
        if exit_tile is None or exit_tile.label_widget is None:
            problems.append("Close lost its word")
        elif window_box(exit_tile)[2] < max(window_box(t)[2] for t in tiles) - 1:
            problems.append("Close is not the rightmost control")
    return problems


def number_problems(kiosk) -> list[str]:
    """The first phone number: whole, under the header, above the bottom edge, nothing scrolled."""
    from kivy.core.window import Window
    numbers = [w for w in labels(kiosk.page) if getattr(w, "is_phone_number", False)]
    if not numbers:
        return ["no phone number drawn"]
    first = numbers[0]
    problems = []
    if kiosk.view.node_id == "hotline" and first.text != HOTLINE_NUMBER:
        problems.append(f"the hotline reads {first.text!r}")
    if kiosk.page.scroll_y != pytest.approx(1.0):
        problems.append("the page is scrolled")
    _, bottom, right, top = window_box(first)
    if top > Window.height - kiosk.header.widget.height + 1:
        problems.append("the number is under the header")
    if bottom < 0:
        problems.append(f"the number ends {-bottom:.0f} px below the first screenful")
    if right > Window.width or first.texture_size[0] > first.width + 1:
        problems.append("the number is cut at the side")
    return problems


@pytest.mark.parametrize("tag", LANGUAGES)
def test_screens_draw_whole_in_every_language(kivy_env, kiosk, tag):
    from kiosk.session import GoTo, SetLanguage
    kiosk.send(SetLanguage(tag))
    problems = {}
    for node in SCREENS:
        kiosk.send(GoTo(node))
        kivy_env.step(GATE_CLEAR, frames=2)
        assert (kiosk.view.node_id, kiosk.view.language) == (node, tag)
        assert kiosk.view.title in texts(kiosk.page)
        found = drawing_problems(kiosk) + header_problems(kiosk)
        if kiosk.view.contacts:
            found += number_problems(kiosk)
        if found:
            problems[node] = found
    assert not problems, problems


# --- right to left ----------------------------------------------------------------------

def test_arabic_is_mirrored_with_numbers_left_to_right(kivy_env, kiosk):
    from kiosk.i18n.bidi import layout_lines
    from kiosk.ui.text import TextBlock, measurer
    from kiosk.ui.widgets import Tile
    show(kivy_env, kiosk, "hotline", "en")
    english = {t.role: window_box(t)[0] for t in widgets(kiosk.header.widget, Tile) if getattr(t, "role", None)}
    show(kivy_env, kiosk, "hotline", "ar")
    arabic = {t.role: window_box(t)[0] for t in widgets(kiosk.header.widget, Tile) if getattr(t, "role", None)}
    assert english["back"] < english["language"] and arabic["back"] > arabic["language"]  # mirrored
    assert english["back"] < english["home"] and arabic["back"] > arabic["home"]

    number = next(w for w in labels(kiosk.page) if getattr(w, "is_phone_number", False))
    assert number.text == HOTLINE_NUMBER and number.halign == "right"  # drawn as is: left to right
    title = next(w for w in labels(kiosk.page) if isinstance(w, TextBlock) and w.source == kiosk.view.title)
    assert title.halign == "right"

    # Every Arabic paragraph is drawn as kiosk.i18n.bidi lays it out: wrapped in
    # logical order, each line reordered, brackets mirrored, numbers kept whole.
    blocks = [w for w in labels(kiosk.page) if isinstance(w, TextBlock) and w.rtl and w.source]
    assert blocks
    for block in blocks:
        width = block.width - block.padding[0] - block.padding[2]
        expected = layout_lines(block.source, width - 2, measurer(block.font_name, block.font_size), rtl=True)
        assert block.text.split("\n") == expected
    lines = [line for block in blocks for line in block.text.split("\n")]
    assert any("233733" in line for line in lines)  # the text number, not 337332
    assert any(re.search(r"\b711\b", line) for line in lines)
    # "TTY (Arabic words)": in display order the bracket that opens the Arabic
    # words is drawn as ")" (mirrored). (The hotline's name now leads with its
    # Arabic name, the English one after it in its own line: issue 15.)
    tty = next(b for b in blocks if b.source.startswith("TTY ("))
    assert ") TTY" in tty.text.replace("\n", " ")
    assert "TTY (" not in tty.text


# --- switching language ---------------------------------------------------------------

def test_switching_language_keeps_the_visitor_on_the_same_screen(kivy_env, kiosk):
    from kiosk.session import GoTo
    from kiosk.ui.widgets import Tile
    kiosk.send(GoTo("safety"))
    kiosk.send(GoTo("call_expect"))
    kivy_env.step(GATE_CLEAR, frames=3)
    for tag in ("ar", "zh-Hans", "ru", "en"):
        language = next(t for t in widgets(kiosk.header.widget, Tile) if getattr(t, "role", None) == "language")
        tap(kivy_env, language)
        tile = next(t for t in widgets(kiosk.stage, Tile) if getattr(t, "language_tag", None) == tag)
        tap(kivy_env, tile)
        view = kiosk.view
        assert (view.node_id, view.language, view.can_go_back) == ("call_expect", tag, True)
        assert kiosk.overlay is None
        assert view.title in texts(kiosk.page)
        assert not drawing_problems(kiosk)
    back = next(t for t in widgets(kiosk.header.widget, Tile) if getattr(t, "role", None) == "back")
    tap(kivy_env, back)
    assert kiosk.view.node_id == "safety"  # the history survived four switches


# --- fontTools widths (kiosk validate) against Kivy's --------------------------------------

SAMPLE_KEYS = ("ui.back", "ui.home", "ui.language", "ui.exit", "hotline.title", "call_expect.title",
               "signs.item.debt", "anyone.body", "contact.nhth.name", "ui.interpreters")


@pytest.mark.parametrize("tag", LANGUAGES)
def test_fonttools_widths_agree_with_kivy(kivy_env, built_in_pack, tag):
    """kiosk.i18n.measure (no Kivy, used by `kiosk validate`) within a few percent of what Kivy draws."""
    from kiosk.i18n import measure
    from kiosk.i18n.bidi import shape
    from kiosk.ui.text import fonts_for, text_width
    fonts = fonts_for(tag)
    strings = built_in_pack.locales[tag].strings
    off = []
    for key in SAMPLE_KEYS:
        text = " ".join(strings[key].split())
        for bold in (False, True):
            for size in (24, 34):
                kivy = text_width(shape(text) if fonts.rtl else text, fonts.face(bold), size)
                ours = measure.measurer(tag, size, bold)(text)
                # Kivy's shaper (HarfBuzz) kerns and joins Arabic letters cursively;
                # summed advances differ by a few pixels on a short word, <1% on a line.
                if abs(ours - kivy) > 0.03 * kivy + 4:
                    off.append(f"{key} bold={bold} {size}px: fontTools {ours:.1f}, Kivy {kivy:.1f}")
    assert not off, off


# --- kiosk validate's geometry is the UI's ------------------------------------------------

def test_validator_geometry_matches_the_widgets(kivy_env, kiosk, built_in_pack):
    """kiosk.content.overflow restates the UI's paddings and columns; hold it to the real widgets."""
    from kivy.core.window import Window
    from kiosk.content import overflow
    from kiosk.ui.text import TextBlock
    from kiosk.ui.widgets import Row, Tile
    g = overflow.geometry(int(Window.width), int(Window.height))
    show(kivy_env, kiosk, "hotline", "en")
    blocks = {b.source: b for b in labels(kiosk.page) if isinstance(b, TextBlock)}
    assert blocks[kiosk.view.title].width == pytest.approx(g.page, abs=1)
    assert blocks[kiosk.view.contacts[0].name].width == pytest.approx(g.card, abs=1)
    first_row = widgets(kiosk.page, Row)[0]  # "Call", beside the phone icon
    row_text = next(c for c in first_row.children if isinstance(c, TextBlock))
    assert row_text.width == pytest.approx(g.contact_row, abs=1)
    show(kivy_env, kiosk, "who_help", "en")
    tiles = [t for t in widgets(kiosk.page, Tile) if hasattr(t, "option_number")]
    cols = tiles[0].parent.cols
    assert tiles[0].label_widget.width == pytest.approx(g.option_label(cols), abs=1)

    # Where the validator puts the number on a contact screen is where the UI draws it.
    show(kivy_env, kiosk, "hotline", "ar")
    number = next(w for w in labels(kiosk.page) if getattr(w, "is_phone_number", False))
    names = [w for w in labels(kiosk.page) if getattr(w, "is_contact_name", False)]
    assert window_box(names[0])[3] < window_box(number)[1]  # Arabic: the name moved below the number
    s = g.s
    y = s.gap
    column = kiosk.page.children[0]
    above = [b for b in labels(kiosk.page) if isinstance(b, TextBlock) and b.parent is column]
    assert [b.source for b in above] == [kiosk.view.title, *kiosk.view.body]
    for block in above:
        y += overflow.text_height(block.source, "ar", block.font_size, block.is_bold, g.page) + s.gap
    y += s.gap * 1.4 + max(s.body * 1.2, overflow.font_widths("ar").line_height(s.body)) + s.gap * 0.6
    y += overflow.font_widths("en", True).line_height(overflow.number_size(HOTLINE_NUMBER, g))
    drawn_bottom = Window.height - kiosk.header.widget.height - window_box(number)[1]
    assert drawn_bottom == pytest.approx(y, abs=4)


# --- what makes a switch fast -----------------------------------------------------------

def test_collector_waits_for_the_new_screen_then_frees_the_old_one(kivy_env, kiosk):
    import gc
    import weakref
    from kiosk.session import SetLanguage
    from kiosk.ui.memory import collection_held
    kivy_env.step(0.0, frames=3)
    old_page = weakref.ref(kiosk.page)
    kiosk.send(SetLanguage("ar"))
    assert collection_held() and not gc.isenabled()  # building and drawing: no pause for the collector
    kivy_env.step(0.0, frames=1)  # the new screen is drawn
    kivy_env.step(0.0, frames=1)  # the next frame: collector back, old tree freed
    assert not collection_held() and gc.isenabled()
    assert old_page() is None


def test_languages_are_warmed_after_start(kivy_env, kiosk, built_in_pack):
    from kiosk.ui.text import fonts_for, measurer
    from kiosk.ui.warm import warming_done
    kivy_env.step(0.0, frames=len(built_in_pack.manifest.languages) + 1)
    assert warming_done()
    sizes = kiosk.look().sizes
    for tag in built_in_pack.manifest.languages:
        hits = measurer.cache_info().hits
        measurer(fonts_for(tag).bold, sizes.title)
        assert measurer.cache_info().hits == hits + 1  # already open

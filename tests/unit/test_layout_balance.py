"""Balanced line breaks (kiosk.layout.balance) on every screen, in every language, at both panel sizes.

Kivy-free: the widths come from the font files (kiosk.i18n.measure), the boxes
from kiosk.content.overflow's geometry, which mirrors the UI's (the UI test
tests/ui/test_balanced_lines.py holds the real window to the same rule).
"""

from __future__ import annotations

from functools import lru_cache

import pytest

from kiosk.content.builtin import builtin_root
from kiosk.content.overflow import drawn_strings, geometry, wrap, wrap_width, _measure
from kiosk.i18n.bidi import wrap_logical
from kiosk.layout import balance, is_orphan, needs_cjk_breaking, wrap_cjk

LANGUAGES = ("en", "es", "zh-Hans", "zh-Hant", "vi", "tl", "ko", "ar", "ru", "ht", "fr", "pt")
SIZES = ((800, 480), (1280, 800))


def mono(text: str) -> float:
    """Every character 10 px wide: easy to reason about."""
    return 10.0 * len(text)


def test_a_lone_last_word_gets_company_without_a_new_line() -> None:
    text = "Yon moun avè w"
    assert wrap_logical(text, 120, mono) == ["Yon moun avè", "w"]
    assert balance(text, 120, mono, wrap_logical) == ["Yon moun", "avè w"]


def test_chinese_last_line_of_two_characters_is_balanced() -> None:
    text = "你可以说英语或西班牙语。"  # 12 characters
    plain = wrap_cjk(text, 100, mono)
    assert plain[-1] == "语。"
    lines = balance(text, 100, mono, wrap_cjk, cjk=True)
    assert len(lines) == len(plain) and len(lines[-1]) > 2 and "".join(lines) == text
    assert not lines[-1].startswith("。")  # closing punctuation still never starts a line


def test_balance_never_adds_a_line_and_keeps_an_unavoidable_orphan() -> None:
    # "Worried / about someone" would need a third line at this width: the plain wrap stands.
    text = "Worried about someone"
    assert balance(text, 130, mono, wrap_logical) == wrap_logical(text, 130, mono) == ["Worried about", "someone"]


def test_each_paragraph_is_balanced_on_its_own_and_one_liners_are_left_alone() -> None:
    assert balance("Danje kounye a\nOK", 130, mono, wrap_logical) == ["Danje", "kounye a", "OK"]
    assert balance("Stay", 130, mono, wrap_logical) == ["Stay"]
    assert not is_orphan(["one"], cjk=False) and is_orphan(["two words", "one"], cjk=False)
    assert not is_orphan(["long", "word"], cjk=False)  # one word a line: nothing to balance


@lru_cache(maxsize=1)
def pack():
    from kiosk.content.packs import open_pack
    return open_pack(builtin_root()).pack


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("tag", LANGUAGES)
def test_every_screen_has_balanced_lines_and_nothing_wider_than_its_box(tag: str, size: tuple[int, int]) -> None:
    g = geometry(*size)
    drawn = drawn_strings(pack(), tag, g)
    keys = {key for key, *_ in drawn}
    # Every screen's title and option labels, the contact cards and the buttons are all here.
    assert {f"{n}.title" for n in pack().nodes} <= keys
    assert any(key.endswith(".label") for key in keys) and "ui.say_again" in keys
    lone, wide = [], []
    for key, text, source, place in drawn:
        cjk = needs_cjk_breaking(source)
        lines = wrap(text, source, place.size, place.bold, place.box)
        if is_orphan(lines, cjk):
            lone.append(f"{key}: {' / '.join(lines)}")
        measure = _measure(source, place.size, place.bold)
        room = wrap_width(source, place.size, place.box)
        wide += [f"{key}: '{line}' {measure(line):.0f} > {room:.0f} px" for line in lines if measure(line) > room]
    assert lone == [], f"{tag} at {size}: lone last words"
    assert wide == [], f"{tag} at {size}: lines wider than their box"

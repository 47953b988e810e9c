"""Every character of every string in every locale is in the font that draws it."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest
import yaml
from fontTools.ttLib import TTFont

from kiosk.content.builtin import builtin_root
from kiosk.content.icons import builtin_icons, icon_font_path
from kiosk.i18n.bidi import shape
from kiosk.i18n.fonts import font_for
from kiosk.i18n.names import autonym, is_rtl

LOCALES = sorted((builtin_root() / "locales").glob("*.yaml"))
# Characters no font draws: layout controls, and white space handled by the layout.
INVISIBLE = set("\n\r\t \u200b\u200c\u200d\u200e\u200f\u2066\u2067\u2068\u2069\u00ad")


@lru_cache(maxsize=None)
def cmap(path: Path) -> frozenset[int]:
    return frozenset(TTFont(str(path), lazy=True).getBestCmap())


def missing_chars(text: str, tag: str) -> set[str]:
    drawn = shape(text) if is_rtl(tag) else text
    chars = set()
    for path in (font_for(tag).regular, font_for(tag).bold):
        chars |= {ch for ch in drawn if ch not in INVISIBLE and ord(ch) not in cmap(path)}
    return chars


@pytest.mark.parametrize("locale_file", LOCALES, ids=lambda p: p.stem)
def test_locale_strings_are_covered(locale_file: Path) -> None:
    data = yaml.safe_load(locale_file.read_text("utf-8"))
    tag = data["language"]
    gaps = {}
    for key, value in (data.get("strings") or {}).items():
        missing = missing_chars(str(value), tag)
        if missing:
            gaps[key] = "".join(sorted(missing))
    assert not gaps, f"{tag}: characters with no glyph in {font_for(tag).regular.name}: {gaps}"


def test_language_picker_names_are_covered() -> None:
    """The picker shows every language in its own script, each with its own font: the pack's
    name for it (ui.language_name, kiosk.view.language_choices), else CLDR's autonym."""
    from kiosk.content.packs import open_pack
    from kiosk.view import language_choices
    pack = open_pack().pack
    assert pack is not None
    for tag, name in language_choices(pack):
        assert not missing_chars(name, tag), (tag, name)
    for tag in [p.stem for p in LOCALES]:
        assert not missing_chars(autonym(tag), tag), tag


def test_builtin_icons_exist_in_the_icon_font() -> None:
    glyphs = cmap(icon_font_path())
    missing = [name for name, code in builtin_icons().items() if code not in glyphs]
    assert not missing

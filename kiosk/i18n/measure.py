"""Text width from the font files themselves (fontTools), without a renderer.

`kiosk validate` must stay fast and free of Kivy, yet say when a translation
will not fit its screen. It measures with the same font files and the same
wrapping the UI uses; a UI test holds these widths to Kivy's own within a
few percent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont

from kiosk.i18n.bidi import shape, wrap_logical
from kiosk.i18n.fonts import font_for
from kiosk.i18n.names import is_rtl


@dataclass
class FontWidths:
    """Advance widths of one font, in font units."""

    path: Path
    units_per_em: int = 1000
    advances: dict[int, int] = field(default_factory=dict)
    fallback: int = 500

    @classmethod
    def load(cls, path: Path) -> "FontWidths":
        font = TTFont(str(path), lazy=True)
        cmap = font.getBestCmap()
        hmtx = font["hmtx"]
        advances = {code: hmtx[name][0] for code, name in cmap.items()}
        upem = font["head"].unitsPerEm
        return cls(path, upem, advances, advances.get(ord("0"), upem // 2))

    def width(self, text: str, size_px: float) -> float:
        units = sum(self.advances.get(ord(ch), self.fallback) for ch in text)
        return units * size_px / self.units_per_em


@lru_cache(maxsize=32)
def _widths(path: Path) -> FontWidths:
    return FontWidths.load(path)


def measurer(tag: str, size_px: float, bold: bool = False):
    """A function text -> width in px, for language `tag` at `size_px`."""
    choice = font_for(tag)
    widths = _widths(choice.bold if bold else choice.regular)
    if is_rtl(tag):
        return lambda text: widths.width(shape(text), size_px)
    return lambda text: widths.width(text, size_px)


def line_count(text: str, tag: str, size_px: float, width_px: float, bold: bool = False) -> int:
    """How many lines `text` takes when wrapped to `width_px`."""
    measure = measurer(tag, size_px, bold)
    return sum(len(wrap_logical(para, width_px, measure)) for para in text.split("\n") if para.strip()) or 1


def widest_word(text: str, tag: str, size_px: float, bold: bool = False) -> float:
    measure = measurer(tag, size_px, bold)
    return max((measure(word) for word in text.split()), default=0.0)

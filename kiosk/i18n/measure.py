"""Text width from the font files themselves (fontTools), without a renderer.

`kiosk validate` must stay fast and free of Kivy, yet say when a translation
will not fit its screen. It measures with the same font files and the same
wrapping the UI uses; a UI test (tests/ui/test_languages_render.py) holds these
widths to Kivy's own within a few percent (summed advances: Kivy's shaper also
kerns, and joins Arabic letters cursively, a few pixels on a short word).

Reading the advance widths of a CJK face (45,000 glyphs) takes fontTools about
half a second; a compact table of them is kept beside the prepared fonts
(kiosk.i18n.fonts.font_cache_dir), rebuilt when the font file changes.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable

from kiosk.i18n.bidi import shape_words
from kiosk.i18n.fonts import FontFace, font_cache_dir, measure_faces
from kiosk.i18n.names import is_rtl

CACHE_VERSION = 1


@dataclass
class FontWidths:
    """Advance widths and line metrics of one font, in font units."""

    path: Path
    units_per_em: int = 1000
    advances: dict[int, int] = field(default_factory=dict)
    fallback: int = 500  # a character the font lacks (drawn as a box about this wide)
    common: int = 0  # when set: the advance of every character not in `advances` (CJK faces)
    ascent: int = 800
    descent: int = 200  # positive, below the baseline

    @classmethod
    def load(cls, path: Path, index: int = 0) -> "FontWidths":
        from fontTools.ttLib import TTFont
        font = TTFont(str(path), lazy=True, fontNumber=index)
        cmap = font.getBestCmap()
        hmtx = font["hmtx"]
        advances = {code: hmtx[name][0] for code, name in cmap.items()}
        upem = font["head"].unitsPerEm
        hhea = font["hhea"]
        return cls(path, upem, advances, advances.get(ord("0"), upem // 2),
                   ascent=hhea.ascent, descent=-hhea.descent)

    @classmethod
    def cached(cls, path: Path, index: int = 0) -> "FontWidths":
        """`load`, through a small table on disk.

        Most glyphs of a CJK face share one advance (a full em): the table keeps
        that advance once and the others by character, so it loads in a few ms.
        A character the face lacks then measures as an ideograph, not a box.
        """
        stat = path.stat()
        key = {"version": CACHE_VERSION, "source": str(path), "face": index, "mtime": stat.st_mtime,
               "size": stat.st_size}
        table = font_cache_dir() / f"{path.stem}{f'.{index}' if index else ''}.widths.json"
        try:
            data = json.loads(table.read_text("utf-8"))
            if data.get("key") == key:
                return cls(path, data["upem"], dict(zip(data["codes"], data["advances"])), data["fallback"],
                           data["common"], data["ascent"], data["descent"])
        except (OSError, ValueError, KeyError, TypeError):
            pass  # no table yet, or an old or damaged one: build it again
        widths = cls.load(path, index)
        common, count = Counter(widths.advances.values()).most_common(1)[0] if widths.advances else (0, 0)
        if count * 2 > len(widths.advances):  # one advance for most glyphs: CJK
            widths.common = common
            widths.advances = {c: a for c, a in widths.advances.items() if a != common}
        data = {"key": key, "upem": widths.units_per_em, "fallback": widths.fallback, "common": widths.common,
                "ascent": widths.ascent, "descent": widths.descent,
                "codes": list(widths.advances), "advances": list(widths.advances.values())}
        try:
            table.parent.mkdir(parents=True, exist_ok=True)
            tmp = table.with_suffix(f".tmp{os.getpid()}")
            tmp.write_text(json.dumps(data, separators=(",", ":")), "utf-8")
            os.replace(tmp, table)
        except OSError:
            pass  # a read-only cache only costs time
        return widths

    def advance(self, ch: str) -> int:
        return self.advances.get(ord(ch), self.common or self.fallback)

    def width(self, text: str, size_px: float) -> float:
        units = sum(self.advance(ch) for ch in text)
        return units * size_px / self.units_per_em

    def line_height(self, size_px: float) -> float:
        """One line's height as Kivy draws it: the font's ascent plus descent."""
        return round((self.ascent + self.descent) * size_px / self.units_per_em)


@lru_cache(maxsize=32)
def widths_of(path: Path, index: int = 0) -> FontWidths:
    return FontWidths.cached(path, index)


@lru_cache(maxsize=64)
def _layered(faces: tuple[FontFace, ...]) -> FontWidths:
    """Several faces measured as their merge: the first one's glyph wins where both
    have a character (kiosk.i18n.fonts._merge_latin keeps the script font's)."""
    first = widths_of(faces[0].path, faces[0].index)
    if len(faces) == 1:
        return first
    advances: dict[int, int] = {}
    for face in reversed(faces[1:]):
        advances.update(widths_of(face.path, face.index).advances)
    advances.update(first.advances)
    return FontWidths(first.path, first.units_per_em, advances, first.fallback, first.common,
                      first.ascent, first.descent)


def font_widths(tag: str, bold: bool = False) -> FontWidths:
    return _layered(measure_faces(tag, bold))


Measure = Callable[[str], float]


def measurer(tag: str, size_px: float, bold: bool = False) -> Measure:
    """A function text -> width in px, for language `tag` at `size_px` (shaped, for Arabic)."""
    widths = font_widths(tag, bold)
    if is_rtl(tag):
        return lambda text: widths.width(shape_words(text), size_px)
    return lambda text: widths.width(text, size_px)


def widest_word(text: str, tag: str, size_px: float, bold: bool = False) -> float:
    measure = measurer(tag, size_px, bold)
    return max((measure(word) for word in text.split()), default=0.0)

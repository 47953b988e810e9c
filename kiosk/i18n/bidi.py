"""Right-to-left text for a renderer that only draws left to right (Kivy).

Order matters: shape Arabic letters, wrap in *logical* order by measured
width, and only then reorder each line for display. Reordering first and
wrapping after would put the first words of a sentence on its last line.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Callable

import re

Measure = Callable[[str], float]


class _ReadOnce:
    """The reshaper's configuration, each value read once.

    arabic_reshaper reads six options from a ConfigParser section on every
    call; that parsing was most of the time shaping took (a screen wraps each
    paragraph by measuring it word by word). The values never change.
    """

    def __init__(self, section) -> None:  # noqa: ANN001 - a configparser.SectionProxy
        self._section = section
        self._values: dict[tuple[str, str], object] = {}

    def _read(self, kind: str, key: str, *args: object, **kwargs: object) -> object:
        if (kind, key) not in self._values:
            self._values[(kind, key)] = getattr(self._section, kind)(key, *args, **kwargs)
        return self._values[(kind, key)]

    def get(self, key: str, *args: object, **kwargs: object) -> object:
        return self._read("get", key, *args, **kwargs)

    def getboolean(self, key: str, *args: object, **kwargs: object) -> object:
        return self._read("getboolean", key, *args, **kwargs)


@lru_cache(maxsize=1)
def _reshaper():  # noqa: ANN202 - an arabic_reshaper.ArabicReshaper
    # Made on first use: arabic_reshaper imports fontTools, which a start in a
    # left-to-right language never needs (kiosk.ui.warm loads it soon after).
    import arabic_reshaper

    reshaper = arabic_reshaper.ArabicReshaper(configuration={"delete_harakat": False,
                                                             "support_ligatures": True})
    reshaper.configuration = _ReadOnce(reshaper.configuration)
    return reshaper


def shape(text: str) -> str:
    """Join Arabic letters into their contextual forms (logical order kept)."""
    return _reshaper().reshape(text)


@lru_cache(maxsize=8192)
def _shape_word(word: str) -> str:
    return _reshaper().reshape(word)


def shape_words(text: str) -> str:
    """shape(text), a word at a time with a cache: letters never join across a space.

    Wrapping measures every growing candidate line; arabic_reshaper reads its
    configuration on each call, so shaping whole lines again and again was most
    of the time an Arabic screen took to build.
    """
    return " ".join(_shape_word(word) for word in text.split(" "))


# Inside Arabic text the bidi algorithm turns digits into "Arabic numbers", and a
# hyphen between them does not join them: 1-888-373-7888 would show as
# 7888-373-888-1. An explicit left-to-right embedding keeps a number whole.
_NUMBER = re.compile(r"\+?\d+(?:[-.]\d+)+")
_LRE, _PDF = "\u202a", "\u202c"
_CONTROLS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def visual_line(line: str, rtl: bool) -> str:
    """One already-wrapped line in display order (brackets mirrored, numbers kept LTR).

    Uses python-bidi's reference algorithm: unlike the fast one it mirrors
    brackets and honours explicit embeddings.
    """
    if not rtl:
        return line
    from bidi.algorithm import get_display  # on first use: a left-to-right start never needs it

    protected = _NUMBER.sub(lambda m: _LRE + m.group(0) + _PDF, shape(line))
    return get_display(protected, base_dir="R").translate(_CONTROLS)


def wrap_logical(text: str, width: float, measure: Measure) -> list[str]:
    """Greedy word wrap in logical order; a word wider than the line is split by characters."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split():
            candidate = f"{current} {word}" if current else word
            if measure(candidate) <= width:
                current = candidate
                continue
            if current:
                lines.append(current)
            current = word
            while measure(current) > width and len(current) > 1:
                cut = _fit(current, width, measure)
                lines.append(current[:cut])
                current = current[cut:]
        lines.append(current)
    return lines


def _fit(word: str, width: float, measure: Measure) -> int:
    lo, hi = 1, len(word)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if measure(word[:mid]) <= width:
            lo = mid
        else:
            hi = mid - 1
    return lo


def layout_lines(text: str, width: float, measure: Measure, rtl: bool) -> list[str]:
    """Wrap then reorder: lines ready for a left-to-right renderer, to be right-aligned if rtl."""
    if not rtl:
        return wrap_logical(text, width, measure)
    shaped_measure: Measure = lambda s: measure(shape_words(s))  # noqa: E731 - width of what is drawn
    return [visual_line(line, True) for line in wrap_logical(text, width, shaped_measure)]

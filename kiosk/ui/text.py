"""Text on screen: the font for each language, and a label that wraps RTL text itself.

Kivy draws text left to right and wraps it without knowing about scripts or
balance. The kiosk wraps every paragraph itself with a measuring function on
the same font and size (kiosk.layout.balance: no lone last word, no last line
of one Chinese character), right-to-left text in logical order and then each
line reordered for display, and joins the lines for Kivy to draw as they are.

A script font such as Noto Sans Arabic has no Latin letters, so Latin runs in
its text (TTY, a web address) are drawn with Noto Sans through Kivy markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from kivy.core.text import Label as CoreLabel
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.label import Label
from kivy.utils import escape_markup

from kiosk.i18n.bidi import shape, shape_words, visual_line, wrap_logical
from kiosk.i18n.fonts import FontChoice, font_for
from kiosk.i18n.names import is_rtl
from kiosk.layout import Measure, balance, needs_cjk_breaking, wrap_cjk
from kiosk.ui.theme import Colour, rgba

LATIN_TAG = "en"
# Families that already draw Latin letters, digits and punctuation.
_LATIN_COVERING = ("NotoSans", "Noto Sans CJK")


@dataclass(frozen=True)
class Fonts:
    """The faces for one language, plus the Latin faces for runs it cannot draw."""

    tag: str
    regular: str
    bold: str
    latin_regular: str
    latin_bold: str
    covers_latin: bool
    rtl: bool
    line_scale: float = 1.0  # Kivy's line_height for this face

    def face(self, bold: bool) -> str:
        return self.bold if bold else self.regular

    def latin(self, bold: bool) -> str:
        return self.latin_bold if bold else self.latin_regular


@lru_cache(maxsize=64)
def line_height(font_path: str, size: float) -> float:
    """The height of one line of text in this face and size."""
    return float(CoreLabel(font_name=font_path, font_size=size).get_extents("Hg")[1])


@lru_cache(maxsize=32)
def fonts_for(tag: str) -> Fonts:
    choice: FontChoice = font_for(tag)
    latin = font_for(LATIN_TAG)
    # Noto Sans Arabic reserves about twice Latin's line height for its marks;
    # on a screen that reads as gaps between lines. Bring lines closer, never
    # closer than Latin text's spacing.
    own_h = line_height(str(choice.regular), 100)
    latin_h = line_height(str(latin.regular), 100)
    scale = 1.0 if own_h <= latin_h * 1.2 else max(0.6, latin_h * 1.12 / own_h)
    return Fonts(tag=tag, regular=str(choice.regular), bold=str(choice.bold),
                 latin_regular=str(latin.regular), latin_bold=str(latin.bold),
                 covers_latin=choice.family in _LATIN_COVERING, rtl=is_rtl(tag), line_scale=scale)


@lru_cache(maxsize=16)
def _cmap(path: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont
    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap() or ())


def with_fallback(text: str, fonts: Fonts, bold: bool) -> tuple[str, bool]:
    """Kivy markup that draws characters the language's font lacks in the Latin font.

    Returns (text, uses_markup). Text for a font that covers Latin comes back as is.
    """
    if fonts.covers_latin or text.isspace() or not text:
        return text, False
    cmap = _cmap(fonts.face(bold))
    missing = [not ch.isspace() and ord(ch) not in cmap for ch in text]
    if not any(missing):
        return text, False
    latin_face = fonts.latin(bold)
    out: list[str] = []
    run_start = 0
    for i in range(1, len(text) + 1):
        # Spaces join the run before them so a run boundary never eats a space.
        if i == len(text) or (missing[i] != missing[run_start] and not text[i].isspace()):
            run = escape_markup(text[run_start:i])
            out.append(f"[font={latin_face}]{run}[/font]" if missing[run_start] else run)
            run_start = i
    return "".join(out), True


class Measurer:
    """Width of a line of text in a given face and size, as Kivy will draw it."""

    def __init__(self, font_path: str, size: float) -> None:
        self._label = CoreLabel(font_name=font_path, font_size=size)
        self._cache: dict[str, float] = {}

    def __call__(self, text: str) -> float:
        width = self._cache.get(text)
        if width is None:
            width = float(self._label.get_extents(text)[0])
            if len(self._cache) < 4096:
                self._cache[text] = width
        return width


@lru_cache(maxsize=64)
def measurer(font_path: str, size: float) -> Measurer:
    return Measurer(font_path, size)


def text_width(text: str, font_path: str, size: float) -> float:
    return measurer(font_path, size)(text)



def rtl_room(size: float) -> int:
    """Side padding for right-to-left text.

    Arabic letters at a line's ends (an initial beh's tail) draw past their
    advance; room at both sides keeps them from being cut at the texture's edge.
    """
    return round(size * 0.3)


def label_width(text: str, fonts: Fonts, size: float, bold: bool = False) -> float:
    """The width a one-line TextBlock needs for `text`, padding included."""
    if fonts.rtl:
        return text_width(shape(text), fonts.face(bold), size) + 2 * rtl_room(size)
    return text_width(text, fonts.face(bold), size)


def wrapped_lines(text: str, fonts: Fonts, font_path: str, size: float, width: float) -> list[str]:
    """The lines a TextBlock `width` wide (inside its padding) draws, in display order."""
    measure = measurer(font_path, size)
    cjk = needs_cjk_breaking(fonts.tag) and not fonts.rtl
    if cjk:
        return balance(text, width - 2, measure, wrap_cjk, cjk=True)
    if fonts.rtl:
        shaped: Measure = lambda s: measure(shape_words(s))  # noqa: E731 - the width of what is drawn
        return [visual_line(line, True) for line in balance(text, width - 2, shaped, wrap_logical)]
    return balance(text, width - 2, measure, wrap_logical)


class TextBlock(Label):
    """A paragraph that takes the width it is given and grows to its text's height.

    Every script is wrapped here (wrapped_lines), balanced; right-to-left
    text is also reordered (Kivy would otherwise put a sentence's first words
    on its last line).
    """

    source = StringProperty("")
    fonts = ObjectProperty(None)
    is_bold = BooleanProperty(False)
    rtl = BooleanProperty(False)
    centred = BooleanProperty(False)
    min_height = NumericProperty(0)

    def __init__(self, text: str, fonts: Fonts, size: float, colour: Colour, *, bold: bool = False,
                 rtl: bool | None = None, centred: bool = False, **kwargs: object) -> None:
        rtl = fonts.rtl if rtl is None else rtl
        # No width until a layout gives one (see _relayout): Kivy's default of 100
        # had every paragraph wrapped and drawn once at 100 px, then again.
        kwargs.setdefault("width", 0)
        super().__init__(font_name=fonts.face(bold), font_size=size, color=rgba(colour),
                         size_hint_y=None, valign="top", line_height=fonts.line_scale, **kwargs)
        self.fonts, self.is_bold, self.rtl, self.centred = fonts, bold, rtl, centred
        self.halign = "center" if centred else ("right" if rtl else "left")
        if rtl:
            room = rtl_room(size)
            self.padding = (room, 0, room, 0)
        self.source = text
        self.bind(width=self._relayout, source=self._relayout, texture_size=self._fit_height)
        self._relayout()

    def _fit_height(self, *_: object) -> None:
        self.height = max(self.min_height, self.texture_size[1])

    def _relayout(self, *_: object) -> None:
        if self.width <= 0:
            return  # not laid out yet: text wrapped and drawn now would be thrown away
        width = max(1.0, self.width - self.padding[0] - self.padding[2])
        # Every script is wrapped here, balanced (kiosk.layout.balance: no lone
        # last word), a hair narrower than the box so Kivy never re-wraps a line.
        text = "\n".join(wrapped_lines(self.source, self.fonts, self.font_name, self.font_size, width))
        text, markup = with_fallback(text, self.fonts, self.is_bold)
        self.markup = markup
        self.text_size = (self.width, None)
        self.text = text

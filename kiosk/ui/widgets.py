"""The kiosk's building blocks: icons, tappable tiles, cards, rows.

Sizes and colours come from kiosk.ui.theme; text goes through TextBlock so
right-to-left languages and font fallback work everywhere.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Callable

from kivy.core.text import Label as CoreLabel
from kivy.graphics import Color, Line, Rectangle, RoundedRectangle
from kivy.graphics.texture import Texture
from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image
from kivy.uix.widget import Widget

from kiosk.content.icons import builtin_icons, icon_font_path, pack_icon_path
from kiosk.ui.text import Fonts, TextBlock, label_width, line_height
from kiosk.ui.theme import PALETTE, Colour, Sizes, rgba

# Glyphs of the bundled Material Icons font used by the kiosk's own controls.
GLYPH_GLOBE = 0xE894  # "language"
GLYPH_ARROW_BACK = 0xE5C4
GLYPH_ARROW_FORWARD = 0xE5C8  # back, in right-to-left languages
GLYPH_BULLET = 0xE061  # "fiber_manual_record"
GLYPH_CLOSE = 0xE5CD
GLYPH_FALLBACK = 0xE88E  # "info": an option without an icon still gets one


def glyph(name: str | None) -> int:
    if name is None:
        return GLYPH_FALLBACK
    return builtin_icons().get(name, GLYPH_FALLBACK)


@lru_cache(maxsize=256)
def icon_texture(codepoint: int, size: float, colour: Colour) -> Texture:
    """The glyph drawn once: every screen shows the same few icons at the same few sizes,
    and a Label per icon re-rendered its glyph with SDL_ttf on every screen."""
    label = CoreLabel(text=chr(codepoint), font_name=str(icon_font_path()), font_size=size,
                      color=rgba(colour))
    label.refresh()
    return label.texture


class IconGlyph(Widget):
    """One glyph of the icon font, centred in a square."""

    def __init__(self, codepoint: int, size: float, colour: Colour, **kwargs: object) -> None:
        super().__init__(size_hint=(None, None), size=(size, size), **kwargs)
        self.text = chr(codepoint)  # which glyph, for tests and the inspector
        texture = icon_texture(codepoint, size, colour)
        with self.canvas:
            Color(1, 1, 1, 1)
            self._glyph = Rectangle(texture=texture, size=texture.size)
        self.bind(pos=self._place, size=self._place)
        self._place()

    def _place(self, *_: object) -> None:
        width, height = self._glyph.size
        self._glyph.pos = (round(self.center_x - width / 2), round(self.center_y - height / 2))


def make_icon(name: str | None, size: float, colour: Colour, pack_root: Path | None) -> Widget:
    """A pack's own PNG when it ships one with this name, else the built-in glyph."""
    if name and pack_root is not None and name not in builtin_icons():
        path = pack_icon_path(name, pack_root)
        if path is not None:
            return Image(source=str(path), size_hint=(None, None), size=(size, size), fit_mode="contain")
    return IconGlyph(glyph(name), size, colour)


class Backdrop(BoxLayout):
    """A layout painted in the page's background colour: a root that covers the window."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        with self.canvas.before:
            Color(*rgba(PALETTE.background))
            self._bg = Rectangle(pos=self.pos, size=self.size)
        self.bind(pos=lambda *_: setattr(self._bg, "pos", self.pos),
                  size=lambda *_: setattr(self._bg, "size", self.size))


class Surface(Widget):
    """Mixin: a rounded, outlined background that follows the widget."""

    def paint(self, fill: Colour, radius: float, border: Colour | None = None, border_width: float = 1.5) -> None:
        with self.canvas.before:
            self._fill_colour = Color(*rgba(fill))
            self._fill = RoundedRectangle(radius=[radius])
            if border is not None:
                Color(*rgba(border))
                self._border = Line(width=border_width)
            else:
                self._border = None
        self._radius = radius
        self.bind(pos=self._redraw, size=self._redraw)
        self._redraw()

    def _redraw(self, *_: object) -> None:
        self._fill.pos, self._fill.size = self.pos, self.size
        if self._border is not None:
            x, y, w, h = (*self.pos, *self.size)
            self._border.rounded_rectangle = (x, y, w, h, self._radius)

    def set_fill(self, fill: Colour) -> None:
        self._fill_colour.rgba = rgba(fill)


class Tile(ButtonBehavior, Surface, BoxLayout):
    """A tappable icon-and-word tile: option buttons, header controls, dialog buttons.

    Fires `on_press_action` once per completed touch (on release, as a finger
    lifts inside the tile), never on touch down: a scroll that starts on a
    tile does not press it.
    """

    def __init__(self, *, label: str | None, icon: int | Widget | None, fonts: Fonts, sizes: Sizes,
                 action: Callable[[], None], fill: Colour = PALETTE.surface,
                 pressed: Colour = PALETTE.surface_pressed, text_colour: Colour = PALETTE.text,
                 icon_colour: Colour = PALETTE.accent, border: Colour | None = PALETTE.border,
                 text_size: int | None = None, icon_size: int | None = None, bold: bool = False,
                 centred: bool = False, min_height: int | None = None, fixed_height: int | None = None,
                 **kwargs: object) -> None:
        pad = sizes.gap
        kwargs.setdefault("width", 0)  # until laid out: text inside is not wrapped at a guessed width
        super().__init__(orientation="horizontal", size_hint_y=None, padding=(pad, pad * 0.6),
                         spacing=pad, **kwargs)
        self.paint(fill, sizes.radius, border)
        self._fill_normal, self._fill_pressed = fill, pressed
        self._action = action
        self.min_height = max(sizes.touch, min_height or 0)
        self.fixed_height = fixed_height  # header controls: one line, the strip's height
        self.height = fixed_height or self.min_height
        self.label_widget: TextBlock | None = None
        icon_size = icon_size or sizes.icon
        parts: list[Widget] = []
        if isinstance(icon, int):
            icon = IconGlyph(icon, icon_size, icon_colour)
        if icon is not None:
            icon.pos_hint = {"center_y": 0.5}
            parts.append(icon)
        if label:
            self.label_widget = TextBlock(label, fonts, text_size or sizes.body, text_colour, bold=bold,
                                          centred=centred, pos_hint={"center_y": 0.5})
            self.label_widget.bind(height=self._fit)
            parts.append(self.label_widget)
        if fonts.rtl:
            parts.reverse()
        for part in parts:
            self.add_widget(part)
        self.peers: list[Tile] = [self]  # tiles in the same grid row share one height
        self.bind(state=self._on_state)
        self._fit()

    def height_needed(self) -> float:
        label_h = self.label_widget.height if self.label_widget is not None else 0
        return max(self.min_height, label_h + 2 * self.padding[1])

    def _fit(self, *_: object) -> None:
        if self.fixed_height is not None:
            return
        tallest = max(t.height_needed() for t in self.peers)
        for tile in self.peers:
            tile.height = tallest

    def _on_state(self, *_: object) -> None:
        self.set_fill(self._fill_pressed if self.state == "down" else self._fill_normal)

    def on_release(self) -> None:
        self._action()


def natural_tile_width(label: str | None, fonts: Fonts, sizes: Sizes, text_size: int | None = None,
                       bold: bool = False) -> float:
    """The width a one-line tile with an icon needs (for header controls)."""
    pad = sizes.gap
    icon = sizes.icon * 0.8
    if not label:
        return float(sizes.touch)
    return 2 * pad + icon + pad + label_width(label, fonts, text_size or sizes.body, bold) + 4


class Card(Surface, BoxLayout):
    """A white, rounded panel that stacks its children and grows to fit them."""

    def __init__(self, sizes: Sizes, fill: Colour = PALETTE.surface, border: Colour | None = PALETTE.border,
                 **kwargs: object) -> None:
        kwargs.setdefault("width", 0)  # until laid out (see Tile)
        super().__init__(orientation="vertical", size_hint_y=None, padding=sizes.gap * 1.4,
                         spacing=sizes.gap * 0.6, **kwargs)
        self.paint(fill, sizes.radius, border)
        self.bind(minimum_height=self.setter("height"))


class Row(BoxLayout):
    """An icon beside a paragraph, mirrored in right-to-left languages."""

    def __init__(self, icon: Widget, text: TextBlock, sizes: Sizes, rtl: bool, **kwargs: object) -> None:
        kwargs.setdefault("width", 0)  # until laid out (see Tile)
        super().__init__(orientation="horizontal", size_hint_y=None, spacing=sizes.gap, **kwargs)
        # The icon sits level with the text's first line, however many lines follow.
        first_line = line_height(text.font_name, text.font_size)
        holder = AnchorLayout(size_hint=(None, None), width=icon.width, height=max(icon.height, first_line),
                              anchor_x="center", anchor_y="center", pos_hint={"top": 1})
        holder.add_widget(icon)
        parts: list[Widget] = [holder, text]
        if rtl:
            parts.reverse()
        for part in parts:
            self.add_widget(part)

        def fit(*_: object) -> None:
            self.height = max(holder.height, text.height)
        text.bind(height=fit)
        fit()


class Spacer(Widget):
    def __init__(self, height: float = 0, **kwargs: object) -> None:
        super().__init__(size_hint_y=None, height=height, **kwargs)

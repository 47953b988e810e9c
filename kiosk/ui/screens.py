"""Widget trees for one View: the header strip, the page, and the overlays.

Pure construction: these functions read the View and the overlay (never the
pack) and wire taps to the `Actions` they are given. What to draw is decided
by the screen controller (kiosk.screen); the Kiosk (kiosk.ui.kiosk) decides
when to build.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

from kivy.core.image import Image as CoreImage
from kivy.effects.scroll import ScrollEffect
from kivy.graphics import Color, Rectangle
from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.image import Image
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from kiosk.i18n.names import is_rtl
from kiosk.ui.fit import english_name_line, number_first as number_goes_first, number_size, option_columns_fitting
from kiosk.ui.png import qr_png
from kiosk.ui.text import TextBlock, fonts_for, label_width
from kiosk.ui.theme import PALETTE, is_portrait, option_columns, rgba
from kiosk.ui.widgets import (GLYPH_ARROW_BACK, GLYPH_ARROW_FORWARD, GLYPH_BULLET, GLYPH_CLOSE,
                              GLYPH_GLOBE, Card, IconGlyph, Row, Spacer, Surface, Tile, glyph, make_icon,
                              natural_tile_width)
from kiosk.screen import LanguageChoice, PrimaryAction
from kiosk.ui.language_strip import language_strip
from kiosk.ui.look import Actions, Look
from kiosk.view import ContactView, View, fill


# --- header --------------------------------------------------------------

class Strip(BoxLayout):
    """A row with a flat background colour and a hairline along its bottom edge."""

    def __init__(self, colour: str, **kwargs: object) -> None:
        super().__init__(**kwargs)
        with self.canvas.before:
            Color(*rgba(colour))
            self._rect = Rectangle()
            Color(*rgba(PALETTE.border))
            self._line = Rectangle()
        self.bind(pos=self._redraw, size=self._redraw)

    def _redraw(self, *_: object) -> None:
        self._rect.pos, self._rect.size = self.pos, self.size
        self._line.pos, self._line.size = self.pos, (self.width, 1)


@dataclass
class Header:
    widget: Widget
    exit_button: Widget | None
    countdown: Label


def build_header(view: View, look: Look, actions: Actions, *, show_home: bool,
                 listening: bool = False, show_back: bool = True) -> Header:
    """Back, Start, read aloud, Language and, top right always, Close. The middle (`countdown`)
    stays empty: the idle countdown has its own banner with Stay (CountdownBanner)."""
    s, fonts, rtl = look.sizes, look.fonts, look.rtl
    bar = Strip(PALETTE.header, orientation="horizontal", size_hint_y=None, height=s.header,
                padding=(s.pad * 0.6, (s.header - s.touch) / 2), spacing=s.gap)
    ui = view.ui
    small_icon = round(s.icon * 0.8)

    def control(role: str, label: str, icon: int, action: Callable[[], None], with_label: bool) -> Tile:
        live = role == "speak" and listening  # the microphone is open: the control says so, filled
        look_live = dict(fill=PALETTE.primary_bg, pressed=PALETTE.text, text_colour=PALETTE.primary_text,
                         icon_colour=PALETTE.primary_text, border=None, bold=True) if live else {}
        tile = Tile(label=label if with_label else None, icon=icon, fonts=fonts, sizes=s, action=action,
                    icon_size=small_icon, size_hint_x=None, fixed_height=s.touch, **look_live)
        tile.width = natural_tile_width(label if with_label else None, fonts, s, bold=live)
        tile.role = role
        return tile

    Control = tuple[str, str, int, Callable[[], None]]  # role, words, glyph, action
    starts: list[Control] = []  # at the start side: back, home
    if view.can_go_back and show_back:  # show_back: False over an overlay (its Done closes it)
        starts.append(("back", ui["back"], GLYPH_ARROW_FORWARD if rtl else GLYPH_ARROW_BACK, actions.back))
    if show_home:
        starts.append(("home", ui["home"], glyph("home"), actions.home))
    ends: list[Control] = []  # at the far side: speak, read aloud, language
    if actions.speak is not None and not is_portrait(look.width, look.height):  # portrait: voice_ui.speak_strip
        ends.append(("speak", ui["listening"] if listening else ui["speak"], glyph("mic"), actions.speak))
    if actions.read_aloud is not None:
        ends.append(("read_aloud", ui["read_aloud"], glyph("speaker"), actions.read_aloud))
    ends.append(("language", ui["language"], GLYPH_GLOBE, actions.open_languages))

    exit_tile: Tile | None = None
    exit_width = 0.0
    exit_gap = s.touch // 2  # empty space before Close (see below)
    voice_row: list[Control] = []  # Read aloud and Speak, when they need a row of their own
    if not view.neutral:
        exit_tile = Tile(label=ui["exit"], icon=GLYPH_CLOSE, fonts=fonts, sizes=s, action=actions.quick_exit,
                         fill=PALETTE.exit_bg, pressed=PALETTE.text, text_colour=PALETTE.exit_text,
                         icon_colour=PALETTE.exit_text, border=None, icon_size=small_icon, bold=True,
                         size_hint_x=None, fixed_height=s.touch)
        exit_width = max(natural_tile_width(ui["exit"], fonts, s, bold=True), s.touch * 2.0)
        exit_tile.width = exit_width
        exit_tile.role = "exit"

    # When the words do not all fit, controls show only their icon, in this
    # order: read aloud (its icon is plain), Speak (a microphone), Start, Language
    # (the globe is known everywhere), Back last. Close, and Speak while it is
    # listening, always keep their word.
    def room(controls: list[Control]) -> float:
        # The middle of the strip needs no room of its own (the countdown has its banner):
        # the room it kept is the gap before Close.
        return (look.width - 2 * s.pad * 0.6 - exit_width - s.gap * (len(controls) + 3)
                - (exit_gap if exit_tile is not None else s.touch))

    def width_of(controls: list[Control], worded: set[str]) -> float:
        return sum(natural_tile_width(words if r in worded else None, fonts, s, bold=r == "speak" and listening)
                   for r, words, _, _ in controls)

    controls = starts + ends
    if (any(r in ("speak", "read_aloud") for r, *_ in ends)
            and width_of(controls, {r for r, *_ in controls}) > room(controls)):
        # Read aloud and Speak are for people who may not read well: they keep their
        # words on a row of their own under the header rather than shrink to icons
        # (800x480 with voice on has no room for six worded controls and Close).
        voice_row = [c for c in ends if c[0] in ("speak", "read_aloud")]
        ends = [c for c in ends if c[0] not in ("speak", "read_aloud")]
        controls = starts + ends
    available = room(controls)
    worded = {role for role, *_ in controls}
    for role in ("read_aloud", "speak", "home", "language", "back"):
        need = width_of(controls, worded)
        if need <= available:
            break
        if not (role == "speak" and listening):  # "Listening" always keeps its word
            worded.discard(role)
    start_tiles: list[Widget] = [control(r, w, g, a, r in worded) for r, w, g, a in starts]
    end_tiles = [control(r, w, g, a, r in worded) for r, w, g, a in ends]

    countdown = Label(text="", font_name=fonts.regular, font_size=s.small, color=rgba(PALETTE.text_muted),
                      halign="center", valign="middle", shorten=True)
    countdown.bind(size=lambda w, _: setattr(w, "text_size", w.size))

    # Left to right across the strip. In RTL the start side is on the right,
    # but Close keeps the top-right corner in every language.
    if not start_tiles:
        # Nothing to go back to (the neutral screen, a tip after Close): a quiet
        # health symbol keeps the strip looking like any health-information screen.
        mark = IconGlyph(glyph("health"), round(s.icon * 0.9), PALETTE.accent)
        start_tiles = [AnchorLayout(size_hint_x=None, width=s.touch, anchor_x="center", anchor_y="center")]
        start_tiles[0].add_widget(mark)
    if rtl:
        row: Sequence[Widget] = [*reversed(end_tiles), countdown, *reversed(start_tiles)]
    else:
        row = [*start_tiles, countdown, *end_tiles]
    for widget in row:
        bar.add_widget(widget)
    if exit_tile is not None:
        # A clear gap before Close (with the strip's spacing, about a fingertip): in
        # right-to-left languages Back sits on Close's side, and a tap meant for Back must
        # never end the visit.
        bar.add_widget(Widget(size_hint_x=None, width=exit_gap))
        bar.add_widget(exit_tile)
    if not voice_row:
        return Header(bar, exit_tile, countdown)
    second = Strip(PALETTE.header, orientation="horizontal", size_hint_y=None, height=s.header,
                   padding=(s.pad * 0.6, (s.header - s.touch) / 2), spacing=s.gap)
    voice_tiles: list[Widget] = [control(r, w, g, a, True) for r, w, g, a in voice_row]
    spacer = Widget()
    for widget in ([*reversed(voice_tiles), spacer] if rtl else [spacer, *voice_tiles]):
        second.add_widget(widget)
    both = BoxLayout(orientation="vertical", size_hint_y=None, height=2 * s.header)
    both.add_widget(bar)
    both.add_widget(second)
    return Header(both, exit_tile, countdown)


def countdown_text(view: View) -> str:
    if view.idle_seconds_left is None:
        return ""
    return fill(view.ui["idle_countdown"], seconds=view.idle_seconds_left)


class CountdownBanner(Strip):
    """The last seconds before the idle reset, impossible to miss: "Going back in 8" in large
    type and a large Stay button that starts the wait again. Warm, not an alarm."""

    def __init__(self, view: View, look: Look, stay: Callable[[], None]) -> None:
        s = look.sizes
        height = round(s.touch * 1.2) + s.gap
        super().__init__(PALETTE.note_bg, orientation="horizontal", size_hint_y=None, height=height,
                         padding=(s.pad, s.gap * 0.5), spacing=s.gap)
        clock = AnchorLayout(size_hint_x=None, width=s.icon, anchor_x="center", anchor_y="center")
        clock.add_widget(IconGlyph(glyph("clock"), s.icon, PALETTE.accent))
        self.words = TextBlock(countdown_text(view), look.fonts, s.title, PALETTE.text, bold=True,
                               pos_hint={"center_y": 0.5})
        self.stay = Tile(label=view.ui["stay"], icon=None, fonts=look.fonts, sizes=s, action=stay,
                         fill=PALETTE.primary_bg, pressed=PALETTE.text, text_colour=PALETTE.primary_text,
                         border=None, bold=True, centred=True, size_hint_x=None,
                         fixed_height=round(s.touch * 1.2), pos_hint={"center_y": 0.5})
        self.stay.width = max(natural_tile_width(view.ui["stay"], look.fonts, s, bold=True), s.touch * 3.0)
        self.stay.role = "stay"
        parts: list[Widget] = [clock, self.words, self.stay]
        for part in reversed(parts) if look.rtl else parts:
            self.add_widget(part)

    def show(self, view: View) -> None:
        self.words.source = countdown_text(view)


# --- the page ----------------------------------------------------------------

def page_scroller(look: Look) -> tuple[ScrollView, BoxLayout]:
    s = look.sizes
    scroller = ScrollView(do_scroll_x=False, effect_cls=ScrollEffect, bar_width=max(6, s.gap // 2),
                          bar_color=rgba(PALETTE.accent, 0.9), bar_inactive_color=rgba(PALETTE.border, 0.9),
                          scroll_type=["bars", "content"], bar_margin=2, width=0)
    column = BoxLayout(orientation="vertical", size_hint_y=None, padding=(s.pad, s.gap, s.pad, s.pad * 1.5),
                       spacing=s.gap, width=0)  # width 0 until laid out: no text wrapped at a guess
    column.bind(minimum_height=column.setter("height"))
    scroller.add_widget(column)
    return scroller, column


def build_page(view: View, look: Look, actions: Actions) -> ScrollView:
    """The scrolling page: title, text, contacts, list, staff phrase, options."""
    s, fonts = look.sizes, look.fonts
    scroller, column = page_scroller(look)
    column.add_widget(TextBlock(view.title, fonts, s.title, PALETTE.text, bold=True))
    for paragraph in view.body:
        column.add_widget(TextBlock(paragraph, fonts, s.body, PALETTE.text))
    if view.neutral and not view.can_go_back and len(look.languages) > 1:
        # The first screen: every language in its own script, on the first screenful.
        column.add_widget(language_strip(look.languages, view.language, look, actions))
    for i, contact in enumerate(view.contacts):
        # The first number must be on the first screenful (kiosk.ui.fit).
        first = i == 0 and number_goes_first(list(reversed(column.children)), contact, look)
        column.add_widget(contact_card(contact, view, look, actions, number_first=first))
    if view.items:
        column.add_widget(checklist(view.items, look))
    if view.staff_phrase:
        column.add_widget(staff_note(view.staff_phrase, look))
    if view.options:
        if len(column.children) > 1:
            column.add_widget(Spacer(s.gap * 0.5))
        column.add_widget(options_grid(view, look, actions))
    return scroller


GLYPH_MORE_BELOW = 0xE5CF  # "expand_more"
FADE_BANDS = 10


def primary_bar_height(look: Look) -> int:
    """The height the fixed "Talk to someone" bar takes from the page."""
    return look.sizes.touch + look.sizes.gap


def page_frame(scroller: ScrollView, view: View, look: Look, primary: PrimaryAction | None,
               go: Callable[[str], None]) -> BoxLayout:
    """The page as the stage shows it: the scrolling page, a sign when more is below, and,
    on help screens, the fixed primary bar under it (the page scrolls above the bar, so
    nothing is ever hidden behind it)."""
    frame = BoxLayout(orientation="vertical")
    area = FloatLayout()
    scroller.size_hint = (1, 1)
    scroller.pos_hint = {"x": 0, "y": 0}
    area.add_widget(scroller)
    hint = MoreBelow(scroller, view, look)
    area.add_widget(hint)
    frame.add_widget(area)
    frame.more_below = hint
    frame.primary_bar = None
    if primary is not None:
        frame.primary_bar = primary_bar(primary, look, go)
        frame.add_widget(frame.primary_bar)
    return frame


def primary_bar(primary: PrimaryAction, look: Look, go: Callable[[str], None]) -> BoxLayout:
    """One filled button across the bottom: the main action, always in reach."""
    s = look.sizes
    bar = Strip(PALETTE.header, orientation="horizontal", size_hint_y=None, height=primary_bar_height(look),
                padding=(s.pad, s.gap * 0.5))
    tile = Tile(label=primary.label, icon=glyph("phone"), fonts=look.fonts, sizes=s,
                action=lambda: go(primary.target), fill=PALETTE.primary_bg, pressed=PALETTE.text,
                text_colour=PALETTE.primary_text, icon_colour=PALETTE.primary_text, border=None, bold=True,
                centred=True, icon_size=round(s.icon * 0.8), fixed_height=s.touch)
    tile.primary_target = primary.target
    bar.add_widget(tile)
    bar.tile = tile
    return bar


class Pill(Surface, BoxLayout):
    """A small rounded label that stands out from the text it sits on."""


class MoreBelow(AnchorLayout):
    """While the page continues below the glass: the page's last lines fade out and a
    small "More below" with a downward arrow sits over the fade. Gone at the bottom.
    It takes no touches: a finger on it scrolls the page underneath."""

    def __init__(self, scroller: ScrollView, view: View, look: Look) -> None:
        s = look.sizes
        height = round(s.body * 2.6)
        super().__init__(size_hint=(1, None), height=height, pos_hint={"x": 0, "y": 0}, anchor_x="center",
                         anchor_y="bottom", padding=(0, 0, 0, 4))
        self.scroller = scroller
        with self.canvas.before:
            self._bands = []
            for i in range(FADE_BANDS):  # transparent at the top, the page's colour at the bottom
                Color(*rgba(PALETTE.background, (i + 1) / FADE_BANDS * 0.95))
                self._bands.append(Rectangle())
        words = TextBlock(view.ui["more_below"], look.fonts, s.small, PALETTE.accent, bold=True, centred=True)
        arrow = IconGlyph(GLYPH_MORE_BELOW, round(s.small * 1.3), PALETTE.accent)
        self.label = words
        pad = s.gap * 0.6
        self.box = Pill(orientation="horizontal", size_hint=(None, None), spacing=s.gap * 0.3,
                        height=round(s.small * 1.6), padding=(pad, 0))
        self.box.paint(PALETTE.surface, round(s.small * 0.8), PALETTE.accent)
        words.size_hint_x = None
        words.width = label_width(view.ui["more_below"], look.fonts, s.small, True) + 8
        self.box.width = words.width + arrow.width + self.box.spacing + 2 * pad
        for part in ((arrow, words) if look.rtl else (words, arrow)):
            part.pos_hint = {"center_y": 0.5}
            self.box.add_widget(part)
        self.add_widget(self.box)
        self.bind(pos=self._place, size=self._place)
        scroller.bind(scroll_y=self._update, height=self._update)
        scroller.children[0].bind(height=self._update)
        self._update()

    @property
    def showing(self) -> bool:
        return self.opacity > 0

    def _place(self, *_: object) -> None:
        band = self.height / FADE_BANDS
        for i, rect in enumerate(self._bands):
            rect.pos = (self.x, self.top - (i + 1) * band)
            rect.size = (self.width - 8, band + 0.5)  # the scroll bar's strip stays clear

    def _update(self, *_: object) -> None:
        content = self.scroller.children[0].height if self.scroller.children else 0
        continues = content > self.scroller.height + 2 and self.scroller.scroll_y > 0.005
        self.opacity = 1 if continues else 0

    def on_touch_down(self, touch) -> bool:  # noqa: ANN001 - Kivy's signature
        return False

    def on_touch_move(self, touch) -> bool:  # noqa: ANN001
        return False

    def on_touch_up(self, touch) -> bool:  # noqa: ANN001
        return False


def options_grid(view: View, look: Look, actions: Actions) -> GridLayout:
    s = look.sizes
    cols = option_columns_fitting([o.label for o in view.options], look)  # no word cut in two
    grid = GridLayout(cols=cols, spacing=s.gap, size_hint_y=None,
                      orientation="rl-tb" if look.rtl else "lr-tb")
    grid.bind(minimum_height=grid.setter("height"))
    tiles = []
    for option in view.options:
        icon = make_icon(option.icon, s.icon, PALETTE.accent, look.pack_root)
        tile = Tile(label=option.label, icon=icon, fonts=look.fonts, sizes=s,
                    action=lambda n=option.number: actions.choose(n), min_height=round(s.touch * 1.3))
        tile.option_number = option.number  # for tests and voice: which option this is
        tiles.append(tile)
        grid.add_widget(tile)
    _even_rows(tiles, cols)
    return grid


def _even_rows(tiles: list[Tile], cols: int) -> None:
    """Tiles in one row share the tallest one's height, so the grid looks even."""
    for i in range(0, len(tiles), cols):
        row = tiles[i:i + cols]
        for tile in row:
            tile.peers = row
        row[0]._fit()


def contact_card(contact: ContactView, view: View, look: Look, actions: Actions,
                 number_first: bool = False) -> Card:
    """A line to call, for a person who must leave with nothing in hand: the number, big.

    number_first: "Call" and the number before the contact's name, when the name
    would push the number below the first screenful.
    """
    s, fonts, ui, rtl = look.sizes, look.fonts, view.ui, look.rtl
    card = Card(s)
    card.contact_id = contact.id
    if view.discreet:
        # A waiting room: the organisation's name is small print under the number, never a
        # heading a passer-by reads across the room (kiosk.view.is_discreet).
        name = TextBlock(contact.name, fonts, s.small, PALETTE.text_muted)
        number_first = True
    else:
        name = TextBlock(contact.name, fonts, s.body, PALETTE.accent, bold=True)
    name.is_contact_name = True
    english_name = english_name_line(contact, look)  # after the local name, smaller
    if not number_first:
        card.add_widget(name)
        if english_name is not None:
            card.add_widget(english_name)
    if contact.call_display:
        call_label = Row(IconGlyph(glyph("phone"), s.body * 1.2, PALETTE.accent),
                         TextBlock(ui["call"], fonts, s.body, PALETTE.text), s, rtl)
        card.add_widget(call_label)
        number_font = fonts_for("en").bold  # digits and hyphens: Noto Sans in every language
        number = Label(text=contact.call_display, font_name=number_font,
                       font_size=number_size(contact.call_display, look),
                       color=rgba(PALETTE.accent), size_hint_y=None, halign="right" if rtl else "left",
                       valign="middle")
        number.bind(width=lambda w, _: setattr(w, "text_size", (w.width, None)),
                    texture_size=lambda w, ts: setattr(w, "height", ts[1]))
        number.is_phone_number = True
        card.add_widget(number)
    if number_first:
        card.add_widget(name)
        if english_name is not None:
            card.add_widget(english_name)
    lines: list[tuple[str, str]] = []
    if contact.text_line:
        lines.append(("sms", contact.text_line))
    if contact.tty:
        lines.append(("tty", f"{ui['tty']}: {contact.tty}"))
    if contact.chat:
        lines.append(("chat", f"{ui['chat']}: {contact.chat}"))
    if contact.hours:
        lines.append(("clock", contact.hours))
    if contact.languages:
        lines.append(("language", f"{ui['languages']}: {contact.languages}"))
    if contact.interpreters:
        lines.append(("help", contact.interpreters))
    for icon, text in lines:
        card.add_widget(Row(IconGlyph(glyph(icon), s.body * 1.2, PALETTE.accent),
                            TextBlock(text, fonts, s.body, PALETTE.text), s, rtl))
    if contact.about:
        card.add_widget(TextBlock(contact.about, fonts, s.body, PALETTE.text))
    add_contact_buttons(card, contact, ui, look, actions)
    if contact.verified:
        card.add_widget(TextBlock(contact.verified, fonts, s.small, PALETTE.text_muted))
    return card


def add_contact_buttons(card: Card, contact: ContactView, ui: Mapping[str, str], look: Look,
                        actions: Actions) -> None:
    """"Say the number again" and "show a code" under a number (contact and service cards)."""
    s, fonts = look.sizes, look.fonts
    buttons: list[Tile] = []
    if actions.say_number is not None and contact.call_spoken:
        say = actions.say_number
        buttons.append(Tile(label=ui["say_again"], icon=glyph("speaker"), fonts=fonts, sizes=s,
                            action=lambda: say(contact), icon_size=round(s.icon * 0.8)))
    if contact.tel_uri or contact.sms_uri:
        buttons.append(Tile(label=ui["show_qr"], icon=glyph("qr"), fonts=fonts, sizes=s,
                            action=lambda: actions.ask_qr(contact), icon_size=round(s.icon * 0.8),
                            fill=PALETTE.background))
    if not buttons:
        return
    grid = GridLayout(cols=1 if look.width < 700 or len(buttons) == 1 else 2, spacing=s.gap,
                      size_hint_y=None, orientation="rl-tb" if look.rtl else "lr-tb")
    grid.bind(minimum_height=grid.setter("height"))
    for b in buttons:
        grid.add_widget(b)
    _even_rows(buttons, grid.cols)
    card.add_widget(Spacer(s.gap * 0.3))
    card.add_widget(grid)


def checklist(items: Sequence[str], look: Look) -> Card:
    """Things to read, each with a bullet: nothing is ticked and nothing is stored."""
    s = look.sizes
    card = Card(s)
    card.spacing = s.gap * 1.2
    for item in items:
        bullet = IconGlyph(GLYPH_BULLET, round(s.body * 0.6), PALETTE.accent)
        card.add_widget(Row(bullet, TextBlock(item, look.fonts, s.body, PALETTE.text), s, look.rtl))
    return card


def staff_note(text: str, look: Look) -> Card:
    s = look.sizes
    card = Card(s, fill=PALETTE.note_bg, border=None)
    card.add_widget(Row(IconGlyph(glyph("hospital"), s.icon, PALETTE.accent),
                        TextBlock(text, look.fonts, s.body, PALETTE.text), s, look.rtl))
    return card


# --- overlays (they cover the page; the header, with Close, stays) ---------

def done_tile(view: View, look: Look, action: Callable[[], None]) -> Tile:
    """An overlay's one way out, inside it: "Done" puts the page back. Never "Close" or "Back":
    Close is only ever the quick exit, and the header shows no Back over an overlay."""
    s = look.sizes
    tile = Tile(label=view.ui["done"], icon=None, fonts=look.fonts, sizes=s, action=action, centred=True,
                fill=PALETTE.primary_bg, pressed=PALETTE.text, text_colour=PALETTE.primary_text,
                border=None, bold=True, size_hint_x=None)
    tile.width = max(natural_tile_width(view.ui["done"], look.fonts, s, bold=True), s.touch * 2.0)
    tile.overlay_role = "done"
    return tile


def _done_row(fixed: Widget, rest: Widget, look: Look) -> BoxLayout:
    """An overlay's Done on the left in every language, then the rest of the row: the far
    corner from Close (top right in every language), so a finger aiming for one never
    lands on the other. Right-to-left text in `rest` still hugs the right."""
    s = look.sizes
    row = BoxLayout(orientation="horizontal", size_hint_y=None, spacing=s.gap * 1.5)
    rest.pos_hint = {"center_y": 0.5}
    fixed.pos_hint = {"center_y": 0.5}
    for part in (fixed, rest):
        row.add_widget(part)

    def fit(*_: object) -> None:
        row.height = max(fixed.height, rest.height)
    fixed.bind(height=fit)
    rest.bind(height=fit)
    fit()
    return row


def language_picker(view: View, look: Look, actions: Actions,
                    languages: Sequence[LanguageChoice]) -> ScrollView:
    """Each language in its own name (the pack's, else CLDR's) and script; no flags."""
    s = look.sizes
    scroller, column = page_scroller(look)
    title = Row(IconGlyph(GLYPH_GLOBE, s.title * 1.1, PALETTE.accent),
                TextBlock(view.ui["language"], look.fonts, s.title, PALETTE.text, bold=True), s, look.rtl)
    column.add_widget(_done_row(done_tile(view, look, actions.close_overlay), title, look))
    cols = option_columns(look.width, look.height, len(languages))
    grid = GridLayout(cols=cols, spacing=s.gap, size_hint_y=None, orientation="rl-tb" if look.rtl else "lr-tb")
    grid.bind(minimum_height=grid.setter("height"))
    tiles = []
    for choice in languages:
        tag, current = choice.tag, choice.current
        tile = Tile(label=choice.name, icon=glyph("check") if current else None, fonts=fonts_for(tag), sizes=s,
                    action=lambda t=tag: actions.set_language(t), centred=not current,
                    fill=PALETTE.surface_pressed if current else PALETTE.surface,
                    min_height=s.touch)
        tile.language_tag = tag
        if tile.label_widget is not None:
            tile.label_widget.rtl = is_rtl(tag)
        tiles.append(tile)
        grid.add_widget(tile)
    _even_rows(tiles, cols)
    column.add_widget(grid)
    return scroller


def qr_warning(contact: ContactView, view: View, look: Look, actions: Actions) -> ScrollView:
    """Before a code is shown: it can stay in a phone's history."""
    s, fonts = look.sizes, look.fonts
    scroller, column = page_scroller(look)
    heading = view.title if view.discreet else contact.name  # a waiting room: the page's calm heading
    column.add_widget(Row(IconGlyph(glyph("qr"), s.title * 1.1, PALETTE.accent),
                          TextBlock(heading, fonts, s.title, PALETTE.text, bold=True), s, look.rtl))
    note = Card(s, fill=PALETTE.note_bg, border=None)
    note.add_widget(Row(IconGlyph(glyph("lock"), s.icon, PALETTE.accent),
                        TextBlock(view.ui["qr_warning"], fonts, s.body, PALETTE.text), s, look.rtl))
    column.add_widget(note)
    confirm = Tile(label=view.ui["qr_confirm"], icon=glyph("qr"), fonts=fonts, sizes=s,
                   action=lambda: actions.show_qr(contact), fill=PALETTE.primary_bg, pressed=PALETTE.text,
                   text_colour=PALETTE.primary_text, icon_colour=PALETTE.primary_text, border=None,
                   bold=True)
    confirm.qr_role = "confirm"
    cancel = Tile(label=view.ui["qr_cancel"], icon=None, fonts=fonts, sizes=s, action=actions.close_overlay,
                  centred=True)  # "Not now": the warning's one way out (no arrow: it is not Back)
    cancel.qr_role = "cancel"
    cancel.overlay_role = "done"
    cols = 1 if look.width < 700 else 2
    grid = GridLayout(cols=cols, spacing=s.gap, size_hint_y=None, orientation="rl-tb" if look.rtl else "lr-tb")
    grid.bind(minimum_height=grid.setter("height"))
    for tile in (cancel, confirm) if cols == 2 else (confirm, cancel):
        grid.add_widget(tile)
    _even_rows([cancel, confirm], cols)
    column.add_widget(grid)
    return scroller


def qr_codes(contact: ContactView, view: View, look: Look, actions: Actions) -> ScrollView:
    """The code(s), drawn in memory: a tel: code, and an sms: code when the line takes texts."""
    s, fonts = look.sizes, look.fonts
    scroller, column = page_scroller(look)
    column.add_widget(_done_row(done_tile(view, look, actions.close_overlay), Widget(), look))
    codes: list[tuple[str, str]] = []
    if contact.tel_uri:
        codes.append((f"{view.ui['call']}: {contact.call_display or contact.call}", contact.tel_uri))
    if contact.sms_uri and contact.text_line:
        codes.append((contact.text_line, contact.sms_uri))
    side = int(min(look.height - s.header - s.touch - s.body * 4 - s.pad * 3,
                   (look.width - 2 * s.pad - s.gap * 3) / max(1, len(codes)) - s.gap * 3, 360))
    side = max(160, side)
    row = GridLayout(cols=len(codes) if look.width >= look.height else 1, spacing=s.gap * 2,
                     size_hint_y=None, orientation="rl-tb" if look.rtl else "lr-tb")
    row.bind(minimum_height=row.setter("height"))
    for caption, uri in codes:
        card = Card(s)
        # Decoded from bytes in memory: the code never touches the disk.
        texture = CoreImage(io.BytesIO(qr_png(uri, PALETTE.qr_dark, PALETTE.qr_light)), ext="png").texture
        texture.mag_filter = "nearest"  # crisp modules at any scale
        image = Image(texture=texture, size_hint=(None, None), size=(side, side), fit_mode="contain")
        image.qr_uri = uri
        holder = BoxLayout(size_hint_y=None, height=side)
        holder.add_widget(Widget())
        holder.add_widget(image)
        holder.add_widget(Widget())
        card.add_widget(holder)
        card.add_widget(TextBlock(caption, fonts, s.body, PALETTE.text, centred=True))
        row.add_widget(card)
    column.add_widget(row)
    return scroller


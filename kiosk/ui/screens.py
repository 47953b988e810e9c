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
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.image import Image
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from kiosk.i18n.names import is_rtl
from kiosk.ui.fit import number_first as number_goes_first, number_size, option_columns_fitting
from kiosk.ui.png import qr_png
from kiosk.ui.text import TextBlock, fonts_for
from kiosk.ui.theme import PALETTE, is_portrait, option_columns, rgba
from kiosk.ui.widgets import (GLYPH_ARROW_BACK, GLYPH_ARROW_FORWARD, GLYPH_BULLET, GLYPH_CLOSE,
                              GLYPH_GLOBE, Card, IconGlyph, Row, Spacer, Tile, glyph, make_icon,
                              natural_tile_width)
from kiosk.screen import LanguageChoice
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
                 listening: bool = False) -> Header:
    """Back, Start, read aloud, countdown, Language and, top right always, Close."""
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
    if view.can_go_back:
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
    controls = starts + ends
    available = look.width - 2 * s.pad * 0.6 - exit_width - s.gap * (len(controls) + 2) - s.touch
    worded = {role for role, *_ in controls}
    for role in ("read_aloud", "speak", "home", "language", "back"):
        need = sum(natural_tile_width(words if r in worded else None, fonts, s, bold=r == "speak" and listening)
                   for r, words, _, _ in controls)
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
        bar.add_widget(exit_tile)
    return Header(bar, exit_tile, countdown)


def countdown_text(view: View) -> str:
    if view.idle_seconds_left is None:
        return ""
    return fill(view.ui["idle_countdown"], seconds=view.idle_seconds_left)


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
    name = TextBlock(contact.name, fonts, s.body, PALETTE.accent, bold=True)
    name.is_contact_name = True
    if not number_first:
        card.add_widget(name)
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

def back_tile(view: View, look: Look, action: Callable[[], None]) -> Tile:
    s = look.sizes
    tile = Tile(label=view.ui["back"], icon=GLYPH_ARROW_FORWARD if look.rtl else GLYPH_ARROW_BACK,
                fonts=look.fonts, sizes=s, action=action, icon_size=round(s.icon * 0.8), size_hint_x=None)
    tile.width = natural_tile_width(view.ui["back"], look.fonts, s)
    return tile


def _aligned(widget: Widget, look: Look) -> BoxLayout:
    """A row holding one fixed-width widget at the start side (right in RTL)."""
    row = BoxLayout(orientation="horizontal", size_hint_y=None, height=widget.height)
    widget.bind(height=row.setter("height"))
    if look.rtl:
        row.add_widget(Widget())
        row.add_widget(widget)
    else:
        row.add_widget(widget)
        row.add_widget(Widget())
    return row


def _beside(fixed: Widget, rest: Widget, look: Look) -> BoxLayout:
    """A fixed-width control at the start side, then the rest of the row (mirrored in RTL)."""
    s = look.sizes
    row = BoxLayout(orientation="horizontal", size_hint_y=None, spacing=s.gap * 1.5)
    rest.pos_hint = {"center_y": 0.5}
    fixed.pos_hint = {"center_y": 0.5}
    parts = [fixed, rest]
    for part in reversed(parts) if look.rtl else parts:
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
    column.add_widget(_beside(back_tile(view, look, actions.close_overlay), title, look))
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
    column.add_widget(Row(IconGlyph(glyph("qr"), s.title * 1.1, PALETTE.accent),
                          TextBlock(contact.name, fonts, s.title, PALETTE.text, bold=True), s, look.rtl))
    note = Card(s, fill=PALETTE.note_bg, border=None)
    note.add_widget(Row(IconGlyph(glyph("lock"), s.icon, PALETTE.accent),
                        TextBlock(view.ui["qr_warning"], fonts, s.body, PALETTE.text), s, look.rtl))
    column.add_widget(note)
    confirm = Tile(label=view.ui["qr_confirm"], icon=glyph("qr"), fonts=fonts, sizes=s,
                   action=lambda: actions.show_qr(contact), fill=PALETTE.primary_bg, pressed=PALETTE.text,
                   text_colour=PALETTE.primary_text, icon_colour=PALETTE.primary_text, border=None,
                   bold=True)
    confirm.qr_role = "confirm"
    cancel = Tile(label=view.ui["qr_cancel"], icon=GLYPH_ARROW_FORWARD if look.rtl else GLYPH_ARROW_BACK,
                  fonts=fonts, sizes=s, action=actions.close_overlay)
    cancel.qr_role = "cancel"
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
    column.add_widget(_aligned(back_tile(view, look, actions.close_overlay), look))
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


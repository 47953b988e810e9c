"""The local services screen: category chips, a language filter, "open now", and result cards.

What the visitor chose and what the directory answered are the screen
controller's (kiosk.screen, with kiosk.services_view.ServicesState): the View
a services screen arrives in already carries its filters and results. Here it
is drawn, and each chip's tap becomes a ChooseFilter event (`ServicesActions`).

Import only after kiosk.ui.env.configure_kivy (this module imports Kivy).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Callable

from kivy.clock import Clock
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView
from kivy.uix.stacklayout import StackLayout

from kiosk.ui.fit import number_size
from kiosk.ui.look import Actions, Look
from kiosk.ui.screens import add_contact_buttons, options_grid, page_scroller
from kiosk.ui.text import TextBlock, fonts_for
from kiosk.ui.theme import PALETTE, rgba
from kiosk.ui.widgets import Card, IconGlyph, Row, Spacer, Tile, glyph, natural_tile_width
from kiosk.view import ServiceView, View

CARDS_AT_ONCE = 2  # service cards built before the first frame; the rest on the next


@dataclass(frozen=True)
class ServicesActions:
    """What the filter chips do (bound to one build of the page)."""

    category: Callable[[str | None], None]
    language: Callable[[str | None], None]
    open_now: Callable[[bool], None]


def chip(label: str, icon: str, selected: bool, look: Look, action: Callable[[], None]) -> Tile:
    """A filter choice. The chosen one is dark with a tick: not told by colour alone."""
    s = look.sizes
    width = min(natural_tile_width(label, look.fonts, s), look.width - 2 * s.pad)
    if selected:
        tile = Tile(label=label, icon=glyph("check"), fonts=look.fonts, sizes=s, action=action,
                    fill=PALETTE.primary_bg, pressed=PALETTE.text, text_colour=PALETTE.primary_text,
                    icon_colour=PALETTE.primary_text, border=None, icon_size=round(s.icon * 0.8),
                    size_hint_x=None, width=width)
    else:
        tile = Tile(label=label, icon=glyph(icon), fonts=look.fonts, sizes=s, action=action,
                    icon_size=round(s.icon * 0.8), size_hint_x=None, width=width)
    tile.selected = selected
    return tile


def chip_row(chips: list[Tile], look: Look) -> StackLayout:
    row = StackLayout(orientation="rl-tb" if look.rtl else "lr-tb", size_hint_y=None, spacing=look.sizes.gap)
    row.bind(minimum_height=row.setter("height"))
    for c in chips:
        row.add_widget(c)
    return row


def filter_chips(view: View, look: Look, act: ServicesActions) -> list[Tile]:
    """Category chips ("All" first when there is a choice), then language, then "open now"."""
    panel = view.services
    assert panel is not None
    ui = view.ui
    categories: list[Tile] = []
    if len(panel.categories) > 1:
        every = chip(ui["services_all"], "all", panel.category is None, look, lambda: act.category(None))
        every.services_chip = ("category", None)
        categories.append(every)
        for c in panel.categories:
            tile = chip(c.label, c.icon, panel.category == c.id, look, lambda cid=c.id: act.category(cid))
            tile.services_chip = ("category", c.id)
            categories.append(tile)
    own = chip(ui["language_name"], "language", panel.language is not None, look,
               lambda: act.language(view.language))
    own.services_chip = ("language", view.language)
    anyone = chip(ui["any_language"], "language", panel.language is None, look, lambda: act.language(None))
    anyone.services_chip = ("language", None)
    now = chip(ui["open_now"], "clock", panel.open_now, look, lambda: act.open_now(not panel.open_now))
    now.services_chip = ("open_now", panel.open_now)
    return categories + [own, anyone, now]


def services_page(view: View, look: Look, actions: Actions, act: ServicesActions) -> ScrollView:
    """Title, filters, the services found (a screenful), then the screen's options."""
    s, fonts, ui = look.sizes, look.fonts, view.ui
    panel = view.services
    assert panel is not None
    scroller, column = page_scroller(look)
    column.add_widget(TextBlock(view.title, fonts, s.title, PALETTE.text, bold=True))
    for paragraph in view.body:
        column.add_widget(TextBlock(paragraph, fonts, s.body, PALETTE.text))
    chips = filter_chips(view, look, act)
    kinds = [c for c in chips if c.services_chip[0] == "category"]
    if kinds:
        column.add_widget(TextBlock(ui["help_type"], fonts, s.body, PALETTE.text_muted, bold=True))
        column.add_widget(chip_row(kinds, look))
    column.add_widget(chip_row([c for c in chips if c.services_chip[0] != "category"], look))
    column.add_widget(Spacer(s.gap * 0.3))
    if panel.results is None or not panel.results:
        words = ui["services_unavailable"] if panel.results is None else ui["no_services"]
        note = Card(s, fill=PALETTE.note_bg, border=None)
        note.add_widget(Row(IconGlyph(glyph("info"), s.icon, PALETTE.accent),
                            TextBlock(words, fonts, s.body, PALETTE.text), s, look.rtl))
        note.services_note = "unavailable" if panel.results is None else "none"
        column.add_widget(note)
    results = list(panel.results or ())
    if results:
        cards = BoxLayout(orientation="vertical", size_hint_y=None, spacing=s.gap, width=0)
        cards.bind(minimum_height=cards.setter("height"))
        column.add_widget(cards)
        for service in results[:CARDS_AT_ONCE]:
            cards.add_widget(service_card(service, view, look, actions))
        if len(results) > CARDS_AT_ONCE:
            def the_rest(_dt: float) -> None:
                if cards.get_root_window() is None:
                    return  # the visitor moved on before the next frame
                for service in results[CARDS_AT_ONCE:]:
                    cards.add_widget(service_card(service, view, look, actions))
            # On the next frame: the screen a tap asked for is drawn first (a card is ~20
            # widgets, and only the first fits on the glass at 800x480).
            Clock.schedule_once(the_rest, 0)
    if panel.more:
        more = TextBlock(ui["services_more"], fonts, s.body, PALETTE.text_muted)
        more.services_more = True
        column.add_widget(more)
    if view.options:
        column.add_widget(Spacer(s.gap * 0.5))
        column.add_widget(options_grid(view, look, actions))
    return scroller


def _line(icon: str, text: str, look: Look, data: bool = False) -> Row:
    s = look.sizes
    words = data_text(text, look, s.body, PALETTE.text) if data else TextBlock(text, look.fonts, s.body, PALETTE.text)
    return Row(IconGlyph(glyph(icon), s.body * 1.2, PALETTE.accent), words, s, look.rtl)


def _first_strong_rtl(text: str) -> bool:
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def data_text(text: str, look: Look, size: float, colour: str, bold: bool = False) -> TextBlock:
    """A name or address as the facility wrote it: in its own direction (an English address
    on an Arabic screen keeps "700 Main Street" in order), aligned with the page."""
    block = TextBlock(text, look.fonts, size, colour, bold=bold, rtl=_first_strong_rtl(text))
    block.halign = "right" if look.rtl else "left"
    return block


def phone_row(number: str, look: Look) -> Row:
    """The number beside a phone, as large as the card's width allows (Noto Sans digits in every
    language)."""
    s = look.sizes
    icon = IconGlyph(glyph("phone"), s.body * 1.4, PALETTE.accent)
    face = fonts_for("en").bold  # digits and hyphens: Noto Sans in every language
    size = number_size(number, look, beside=icon.width + s.gap)
    label = Label(text=number, font_name=face, font_size=size, color=rgba(PALETTE.accent), size_hint_y=None,
                  halign="right" if look.rtl else "left", valign="middle")
    label.bind(width=lambda w, _: setattr(w, "text_size", (w.width, None)),
               texture_size=lambda w, ts: setattr(w, "height", ts[1]))
    label.is_phone_number = True
    return Row(icon, label, s, look.rtl)  # type: ignore[arg-type] - Row needs a font and a height: a Label has both


def service_card(service: ServiceView, view: View, look: Look, actions: Actions) -> Card:
    """What a visitor needs to reach a place: open or not, the number large, where it is.

    Few widgets per card: a statewide list redraws on every choice, on a Pi."""
    s, fonts, ui = look.sizes, look.fonts, view.ui
    card = Card(s)
    card.service_id = service.id
    card.add_widget(data_text(service.name, look, s.body, PALETTE.accent, bold=True))
    if service.categories:
        card.add_widget(TextBlock(service.categories, fonts, s.small, PALETTE.text_muted))
    when = f"{service.status}: {service.hours}" if service.status else service.hours
    if when:
        status = _line("clock", when, look)
        status.services_status = service.open_now
        card.add_widget(status)
    contact = service.contact
    if contact.call_display:
        card.add_widget(phone_row(contact.call_display, look))
    if contact.text_line:
        card.add_widget(_line("sms", contact.text_line, look))
    if service.address:
        card.add_widget(_line("location", service.address, look, data=True))
    spoken = "; ".join(x for x in (f"{ui['languages']}: {service.languages}" if service.languages else "",
                                   service.interpreters) if x)
    if spoken:
        card.add_widget(_line("language", spoken, look))
    if service.free:
        card.add_widget(_line("money", service.free, look))
    add_contact_buttons(card, contact, ui, look, actions)
    if service.checked:
        card.add_widget(TextBlock(service.checked, fonts, s.small, PALETTE.text_muted))
    return card

"""The local services screen: category chips, a language filter, "open now", and result cards.

Where the directory is read: here, in the UI controller, never in the engine.
The session builds a services screen's View with its filters' starting point
and no results (kiosk.view.services_filters). `ServicesState`, owned by the
`Kiosk`, keeps the current visitor's filter choices, asks the injected
`directory` query (kiosk.content.directory.find_services bound to the pack's
SQLite database, at most a screenful per question) and lays what it found
into the View (kiosk.services_view.with_results) before the page is drawn.
The choices are forgotten as soon as the visitor leaves the screen, and so
with any exit or timeout.

Import only after kiosk.ui.env.configure_kivy (this module imports Kivy).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import sqlite3
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from kivy.clock import Clock
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView
from kivy.uix.stacklayout import StackLayout

from kiosk.content.model import SERVICE_CATEGORIES, Pack
from kiosk.session import Touch
from kiosk.services_view import Filters, Found, Query, categories_present, look_up, with_results
from kiosk.ui.screens import Actions, Look, add_contact_buttons, options_grid, page_scroller
from kiosk.ui.text import TextBlock, fonts_for, text_width
from kiosk.ui.theme import PALETTE, rgba
from kiosk.ui.widgets import Card, IconGlyph, Row, Spacer, Tile, glyph, natural_tile_width

CARDS_AT_ONCE = 2  # service cards built before the first frame; the rest on the next
from kiosk.view import ServiceView, View

if TYPE_CHECKING:
    from kiosk.ui.kiosk import Kiosk

log = logging.getLogger("lantern.services")

Now = Callable[[], dt.datetime]


class ServicesState:
    """One visitor's choices on a services screen, and the look-ups that answer them."""

    def __init__(self, pack: Pack, query: Query | None, now: Now | None = None) -> None:
        self.pack = pack
        self.query = query
        self.now = now or dt.datetime.now  # local time: "open now" is about where the device is
        self.filters: Filters | None = None
        self._screen: tuple[str, str] | None = None  # (node id, language) the filters belong to
        self._cache: tuple[View, Filters, View] | None = None
        self._last: View | None = None  # what fill() last returned: filling it again changes nothing
        # Which categories have services never changes while the kiosk runs (not visitor data).
        self._present: dict[str, frozenset[str]] = {}
        self.lookups = 0  # how many times the directory was asked (tests, benchmarks)

    def forget(self) -> None:
        self.filters, self._screen, self._cache, self._last = None, None, None, None

    def fill(self, view: View) -> View:
        """The view with results when it is a services screen; any other view unchanged."""
        panel = view.services
        if view is self._last:
            return view
        if panel is None:
            self.forget()
            return view
        if self._screen is None or self._screen[0] != view.node_id or self.filters is None:
            self.filters = Filters(panel.category, panel.language, panel.open_now)
        elif self._screen[1] != view.language and self.filters.language is not None:
            self.filters = dataclasses.replace(self.filters, language=view.language)
        self._screen = (view.node_id, view.language)
        base = dataclasses.replace(view, idle_seconds_left=None)  # the countdown changes every second
        if self._cache is not None and self._cache[0] == base and self._cache[1] == self.filters:
            filled = self._cache[2]
        else:
            filled = self._look_up(base, self.filters)
            self._cache = (base, self.filters, filled)
        self._last = dataclasses.replace(filled, idle_seconds_left=view.idle_seconds_left)
        return self._last

    def choose(self, **changes: object) -> None:
        """Change filters by name (category=, language=, open_now=); the others stay. The caller
        redraws."""
        if self.filters is not None:
            self.filters = dataclasses.replace(self.filters, **changes)  # type: ignore[arg-type]

    def _look_up(self, view: View, filters: Filters) -> View:
        assert view.services is not None
        now = self.now()
        offered = tuple(c.id for c in view.services.categories)
        if self.query is None:
            return with_results(view, self.pack, filters, None, now)
        try:
            present = self._present.get(view.node_id)
            if present is None:
                present = self._present[view.node_id] = categories_present(self.query, offered)
                self.lookups += len(offered)
            restricted = set(offered) != set(SERVICE_CATEGORIES)
            found: Found | None = look_up(self.query, [c for c in offered if c in present], restricted,
                                          filters, now)
            self.lookups += 1
        except (sqlite3.Error, OSError) as exc:  # a damaged database: say so on screen, keep running
            log.warning("the services directory cannot be read: %s", exc)
            return with_results(view, self.pack, filters, None, now)
        return with_results(view, self.pack, filters, found, now, present)


# --- the page ------------------------------------------------------------------

@dataclass(frozen=True)
class ServicesActions:
    """What the filter chips do (bound to one build of the page)."""

    category: Callable[[str | None], None]
    language: Callable[[str | None], None]
    open_now: Callable[[bool], None]


def services_actions(kiosk: "Kiosk", generation: int) -> ServicesActions:
    def change(**choice: object) -> None:
        # The same rule as the Kiosk's own actions: a tap on a page that is gone, or right
        # after a redraw (a touch reported twice), does nothing.
        if generation != kiosk.generation or not kiosk.gate.is_open(kiosk.clock()):
            return
        if kiosk.speaker is not None and kiosk.speaker.speaking():
            kiosk.speaker.stop()  # it was reading the old list
        kiosk.services.choose(**choice)
        kiosk.send(Touch())  # the same screen, filled anew: it redraws

    return ServicesActions(category=lambda c: change(category=c), language=lambda t: change(language=t),
                           open_now=lambda on: change(open_now=on))


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
    inner = look.width - 2 * s.pad - 2 * s.gap * 1.4 - icon.width - s.gap - 4
    face = fonts_for("en").bold
    size = s.number
    while size > s.body and text_width(number, face, size) > inner:
        size -= 2
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

"""Translations that will not fit the kiosk's screen, found without drawing anything.

`kiosk validate` warns (never errs: the UI still copes, just less well) when,
at 800x480:
- a single word is wider than the column it is drawn in (the UI then has to
  cut it mid-word): titles, paragraphs, list items, contact cards, option
  buttons (as many columns as kiosk.layout.option_columns gives, fewer when
  a word would be cut, as kiosk.ui.fit.option_columns_fitting draws them);
- a header word does not fit: Close (which always keeps its word) or
  "Listening" crowd out the other controls, or Back's or Language's word is
  too wide even with every other control shown as its icon (Read aloud, Speak
  and Start give way to their icons first, by design);
- a title, paragraph or button label still ends with a lone word (one or two
  characters in Chinese) after balancing (kiosk.layout.balance);
- on a contact screen, the title and text are so tall that the first phone
  number is not wholly on the first screenful, even with "Call" and the number
  moved above the contact's name (what the UI does when the name is what
  pushes it down: kiosk.ui.fit).

The geometry is the UI's: sizes from kiosk.layout.sizes_for (pure data,
no Kivy, shared with the UI) at 96 dpi, which is Kivy's Metrics.dpi when a panel does not report
its own (as in previews and the UI tests), and the paddings and columns of
kiosk.ui.screens and kiosk.ui.widgets, restated here. Widths and line heights
come from the font files (kiosk.i18n.measure); lines are wrapped as the UI
wraps them (kiosk.layout.wrap_cjk for Chinese, logical order for Arabic).
Each warning points at the string in the locale file: FILE:LINE:COL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kiosk.content.model import Pack, option_label_key
from kiosk.content.problems import Problem, Where
from kiosk.i18n.bidi import wrap_logical
from kiosk.i18n.measure import Measure, font_widths, measurer
from kiosk.i18n.names import is_rtl
from kiosk.layout import balance, is_orphan, needs_cjk_breaking, units, wrap_cjk
from kiosk.layout import Sizes, option_columns, sizes_for

SCREEN = (800, 480)
DPI = 96.0
HEADER_CONTROLS = ("back", "home", "speak", "read_aloud", "language")  # the most a screen shows
_PLACEHOLDER = re.compile(r"\{[a-zA-Z_][a-zA-Z0-9_]*\}")
SAMPLE_NUMBER = "1-888-3737-888"  # the widest number the built-in pack shows


@dataclass(frozen=True)
class Geometry:
    """Where each kind of text is drawn, in pixels, for one window."""

    width: int
    height: int
    s: Sizes

    @property
    def page(self) -> float:  # titles and paragraphs: the page column inside its padding
        return self.width - 2 * self.s.pad

    @property
    def card(self) -> float:  # inside a contact card, checklist or note
        return self.page - 2 * self.s.gap * 1.4

    @property
    def contact_row(self) -> float:  # an icon beside a line of a contact card
        return self.card - self.s.body * 1.2 - self.s.gap

    @property
    def checklist_row(self) -> float:  # a bullet beside a list item
        return self.card - round(self.s.body * 0.6) - self.s.gap

    @property
    def note_row(self) -> float:  # the staff phrase / QR warning: a big icon beside the text
        return self.card - self.s.icon - self.s.gap

    def tile_label(self, row_width: float, cols: int, icon: float) -> float:
        """The words' width in a tile (padding, icon, spacing) of a grid `cols` wide."""
        tile = (row_width - self.s.gap * (cols - 1)) / cols
        return tile - 2 * self.s.gap - icon - self.s.gap

    def option_label(self, cols: int) -> float:
        return self.tile_label(self.page, cols, self.s.icon)

    @property
    def card_button_label(self) -> float:  # "Say it again", "Show a code": two side by side
        cols = 1 if self.width < 700 else 2
        return self.tile_label(self.card, cols, round(self.s.icon * 0.8))

    @property
    def page_button_label(self) -> float:  # the QR screen's two buttons
        cols = 1 if self.width < 700 else 2
        return self.tile_label(self.page, cols, self.s.icon)


def geometry(width: int = SCREEN[0], height: int = SCREEN[1], dpi: float = DPI) -> Geometry:
    return Geometry(width, height, sizes_for(dpi, width, height))


# --- measuring as the UI draws ------------------------------------------------

@lru_cache(maxsize=256)
def _measure(tag: str, size: float, bold: bool) -> Measure:
    measure = measurer(tag, size, bold)
    cache: dict[str, float] = {}

    def cached(text: str) -> float:
        width = cache.get(text)
        if width is None:
            width = cache[text] = measure(text)
        return width
    return cached


def rtl_room(size: float) -> int:
    """Side padding of right-to-left text (kiosk.ui.text.rtl_room)."""
    return round(size * 0.3)


def wrap_width(tag: str, size: float, box: float) -> float:
    """The width lines are wrapped to inside a text box `box` wide (kiosk.ui.text.TextBlock)."""
    if is_rtl(tag):
        return box - 2 * rtl_room(size) - 2
    return box - 2


def wrap(text: str, tag: str, size: float, bold: bool, box: float) -> list[str]:
    """The lines the UI draws, balanced as kiosk.ui.text.wrapped_lines balances them."""
    measure, width = _measure(tag, size, bold), wrap_width(tag, size, box)
    if needs_cjk_breaking(tag) and not is_rtl(tag):
        return balance(text, width, measure, wrap_cjk, cjk=True)
    return balance(text, width, measure, wrap_logical)


def orphaned(text: str, tag: str, size: float, bold: bool, box: float) -> str | None:
    """The lone last line the UI would draw for `text`, or None when its lines are balanced."""
    cjk = needs_cjk_breaking(tag) and not is_rtl(tag)
    for paragraph in text.split("\n"):
        lines = wrap(paragraph, tag, size, bold, box)
        if is_orphan(lines, cjk):
            return lines[-1]
    return None


@lru_cache(maxsize=64)
def line_scale(tag: str) -> float:
    """kiosk.ui.text.fonts_for: tall scripts' lines are brought closer, never closer than Latin's."""
    own, latin = font_widths(tag).line_height(100), font_widths("en").line_height(100)
    return 1.0 if own <= latin * 1.2 else max(0.6, latin * 1.12 / own)


def text_height(text: str, tag: str, size: float, bold: bool, box: float) -> float:
    lines = len(wrap(text, tag, size, bold, box)) or 1
    line = font_widths(tag, bold).line_height(size)
    return line + (lines - 1) * line * line_scale(tag)


def words(text: str, tag: str) -> list[str]:
    """The pieces a line may not be broken inside, placeholders left out."""
    text = _PLACEHOLDER.sub(" ", text)
    if needs_cjk_breaking(tag):
        return [piece for piece in units(text) if piece.strip()]
    return text.split()


def label_width(text: str, tag: str, size: float, bold: bool) -> float:
    """A one-line label's width (kiosk.ui.text.label_width)."""
    width = _measure(tag, size, bold)(text)
    return width + 2 * rtl_room(size) if is_rtl(tag) else width


# --- the checks -------------------------------------------------------------------

@dataclass(frozen=True)
class Place:
    """One place a string is drawn: the box's width, the type size, bold or not."""

    box: float
    size: float
    bold: bool
    what: str  # for the message: "the title", "an option button", ...


def places(pack: Pack, g: Geometry) -> dict[str, list[Place]]:
    """String key -> where the UI draws it."""
    s = g.s
    out: dict[str, list[Place]] = {}

    def add(key: str, place: Place) -> None:
        out.setdefault(key, []).append(place)

    for node in pack.nodes.values():
        add(f"{node.id}.title", Place(g.page, s.title, True, "the title"))
        add(f"{node.id}.body", Place(g.page, s.body, False, "the text"))
        for name in node.items:
            add(f"{node.id}.item.{name}", Place(g.checklist_row, s.body, False, "a list item"))
    for cid in pack.contacts:
        add(f"contact.{cid}.name", Place(g.card, s.body, True, "a contact's name"))
        add(f"contact.{cid}.about", Place(g.card, s.body, False, "a contact card"))
        add(f"contact.{cid}.hours", Place(g.contact_row, s.body, False, "a contact card"))
    for key in ("ui.always_open", "ui.interpreters", "ui.tty", "ui.chat", "ui.languages", "ui.text",
                "ui.text_keyword", "ui.call"):
        add(key, Place(g.contact_row, s.body, False, "a contact card"))
    for key in ("ui.say_again", "ui.show_qr"):
        add(key, Place(g.card_button_label, s.body, False, "a contact card's button"))
    for key in ("ui.qr_confirm", "ui.qr_cancel"):
        add(key, Place(g.page_button_label, s.body, key == "ui.qr_confirm", "a button"))
    add("ui.qr_warning", Place(g.note_row, s.body, False, "the QR warning"))
    add("ui.staff_phrase", Place(g.note_row, s.body, False, "the staff phrase"))
    add("ui.verified", Place(g.card, s.small, False, "a contact card"))
    return out


def _owns(pack: Pack, tag: str, key: str) -> bool:
    """The string is written in this language's file (not a default from the built-in pack)."""
    return key in pack.locales[tag].wheres


def _where(pack: Pack, tag: str, key: str) -> Where:
    loc = pack.locales[tag]
    return loc.wheres.get(key, loc.where)


def check_words(pack: Pack, tag: str, g: Geometry, drawn: dict[str, list[Place]]) -> list[Problem]:
    out = []
    strings = pack.locales[tag].strings
    for key, text in strings.items():
        if not _owns(pack, tag, key):
            continue  # a default from the built-in pack: checked there
        for place in drawn.get(key, ()):
            room = wrap_width(tag, place.size, place.box)
            measure = _measure(tag, place.size, place.bold)
            wide = [(w, measure(w)) for w in words(text, tag)]
            too_wide = [(w, px) for w, px in wide if px > room]
            if too_wide:
                word, px = max(too_wide, key=lambda item: item[1])
                out.append(Problem.warning(_where(pack, tag, key), (
                    f"{tag}: '{key}': the word '{word}' is {px:.0f} px wide, but {place.what} has "
                    f"{room:.0f} px at {g.width}x{g.height}; it will be broken mid-word")))
                break  # one warning per string is enough
    return out


def check_option_words(pack: Pack, tag: str, g: Geometry) -> list[Problem]:
    """Option buttons: as kiosk.ui.fit.option_columns_fitting, fewer columns before a word is cut."""
    out = []
    size = g.s.body
    measure = _measure(tag, size, False)
    for node in pack.nodes.values():
        keys = [option_label_key(o) for o in node.options if o.to in pack.nodes]
        widest: list[tuple[float, str, str]] = []  # (px, word, key)
        for key in keys:
            found = _lookup(pack, tag, key)
            pieces = [(measure(w), w) for w in words(found[0], found[1])] if found else []
            if pieces:
                px, word = max(pieces)
                widest.append((px, word, key))
        if not widest:
            continue
        cols = option_columns(g.width, g.height, len(keys))
        px, word, key = max(widest)
        while cols > 1 and px > wrap_width(tag, size, g.option_label(cols)):
            cols -= 1
        room = wrap_width(tag, size, g.option_label(cols))
        if px > room and _owns(pack, tag, key):
            out.append(Problem.warning(_where(pack, tag, key), (
                f"{tag}: '{key}': the word '{word}' is {px:.0f} px wide, but an option button on "
                f"'{node.id}' has {room:.0f} px at {g.width}x{g.height}, even one to a row; it will be "
                "broken mid-word")))
    return out


def option_box(pack: Pack, tag: str, g: Geometry, node_id: str) -> tuple[float, list[str]]:
    """(the words' box in one option button, the option label keys) on a screen, with the
    columns kiosk.ui.fit.option_columns_fitting gives (fewer when a word would be cut or a
    label would end with a lone word)."""
    node = pack.nodes[node_id]
    keys = [option_label_key(o) for o in node.options if o.to in pack.nodes]
    cols = option_columns(g.width, g.height, len(keys))
    widest = 0.0
    for key in keys:
        found = _lookup(pack, tag, key)
        if found:
            measure = _measure(found[1], g.s.body, False)
            widest = max([widest] + [measure(w) for w in words(found[0], found[1])])
    texts = [found for found in map(lambda k: _lookup(pack, tag, k), keys) if found]

    def lone(cols: int) -> bool:
        return any(orphaned(text, source, g.s.body, False, g.option_label(cols)) is not None
                   for text, source in texts)

    while cols > 1 and (widest > wrap_width(tag, g.s.body, g.option_label(cols)) or lone(cols)):
        cols -= 1
    return g.option_label(cols), keys


def drawn_strings(pack: Pack, tag: str, g: Geometry) -> list[tuple[str, str, str, Place]]:
    """(key, text, its language, place) for every title, paragraph, list item, card line and
    button label of every screen, as the UI draws them in language `tag`."""
    out: list[tuple[str, str, str, Place]] = []
    for key, where in places(pack, g).items():
        found = _lookup(pack, tag, key)
        if found is None:
            continue
        for place in where:
            for paragraph in _paragraphs(found[0]) if key.endswith(".body") else [found[0]]:
                out.append((key, paragraph, found[1], place))
    for node_id in pack.nodes:
        box, keys = option_box(pack, tag, g, node_id)
        for key in keys:
            found = _lookup(pack, tag, key)
            if found:
                out.append((key, found[0], found[1], Place(box, g.s.body, False, "an option button")))
    return out


def check_balance(pack: Pack, tag: str, g: Geometry) -> list[Problem]:
    """A lone last word (or one or two Chinese characters) that no narrower wrap could avoid."""
    out, seen = [], set()
    for key, text, source, place in drawn_strings(pack, tag, g):
        if source != tag or not _owns(pack, tag, key) or key in seen:
            continue
        lone = orphaned(text, tag, place.size, place.bold, place.box)
        if lone is not None:
            seen.add(key)
            out.append(Problem.warning(_where(pack, tag, key), (
                f"{tag}: '{key}': {place.what} ends with '{lone}' alone on its last line at "
                f"{g.width}x{g.height}; a shorter or longer wording would read better")))
    return out


def _tile_width(label: str | None, tag: str, s: Sizes, bold: bool = False) -> float:
    """kiosk.ui.widgets.natural_tile_width: a header control with its word, or its icon alone."""
    if not label:
        return float(s.touch)
    return 2 * s.gap + s.icon * 0.8 + s.gap + label_width(label, tag, s.body, bold) + 4


def check_header(pack: Pack, tag: str, g: Geometry) -> list[Problem]:
    """kiosk.ui.screens.build_header: what fits beside Close, which always keeps its word."""
    s, strings, out = g.s, pack.locales[tag].strings, []
    exit_word = strings.get("ui.exit", "")
    exit_width = max(_tile_width(exit_word, tag, s, bold=True), s.touch * 2.0)
    n = len(HEADER_CONTROLS)
    # The strip's padding, the gaps between its n controls, the countdown and Close.
    frame = 2 * s.pad * 0.6 + s.gap * (n + 2) + s.touch
    icons_only = frame + exit_width + n * s.touch
    if icons_only > g.width and _owns(pack, tag, "ui.exit"):
        return [Problem.warning(_where(pack, tag, "ui.exit"), (
            f"{tag}: 'ui.exit' ('{exit_word}') is too long for the header at {g.width}x{g.height}: Close "
            f"always shows its word, and with every other control as an icon the header needs "
            f"{icons_only:.0f} px"))]  # the other words cannot fit either: one warning says it
    listening = strings.get("ui.listening")
    if listening and _owns(pack, tag, "ui.listening"):
        need = frame + exit_width + _tile_width(listening, tag, s, bold=True) + (n - 1) * s.touch
        if need > g.width:
            out.append(Problem.warning(_where(pack, tag, "ui.listening"), (
                f"{tag}: 'ui.listening' ('{listening}') does not fit in the header beside Close at "
                f"{g.width}x{g.height} ({need:.0f} px needed)")))
    available = g.width - frame - exit_width
    # Read aloud, Speak and Start give way to their icons first, by design; Back
    # and Language keep their words longest, so theirs must fit at least alone.
    for role in ("back", "language"):
        key = f"ui.{role}"
        word = strings.get(key)
        if not word or not _owns(pack, tag, key):
            continue
        need = _tile_width(word, tag, s) + (n - 1) * s.touch
        if need > available:
            out.append(Problem.warning(_where(pack, tag, key), (
                f"{tag}: '{key}' ('{word}') never fits in the header at {g.width}x{g.height}, even with "
                f"every other control as an icon ({need:.0f} of {available:.0f} px): only its icon shows")))
    return out


def _lookup(pack: Pack, tag: str, key: str) -> tuple[str, str] | None:
    """(text, language it comes from): the visitor's language, else the pack's default."""
    for source in (tag, pack.manifest.default_language):
        loc = pack.locales.get(source)
        if loc is not None and key in loc.strings:
            return loc.strings[key], source
    return None


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]


def number_size(display: str, g: Geometry) -> int:
    """kiosk.ui.fit.number_size: the theme's number size, shrunk to the card."""
    size = g.s.number
    at_full = _measure("en", size, True)(display)  # widths scale with the size
    while size > g.s.body and at_full * size / g.s.number > g.card - 4:
        size -= 2
    return size


def check_contact_screens(pack: Pack, tag: str, g: Geometry) -> list[Problem]:
    """The first number of each contact screen, wholly on the first screenful."""
    s, out = g.s, []
    visible = g.height - s.header
    for node in pack.nodes.values():
        if not node.contacts or node.contacts[0] not in pack.contacts:
            continue
        contact = pack.contacts[node.contacts[0]]
        display = contact.call_display or contact.call
        if not display:
            continue
        y = s.gap  # the page's top padding
        title = _lookup(pack, tag, f"{node.id}.title")
        if title:
            y += text_height(title[0], title[1], s.title, True, g.page) + s.gap
        body = _lookup(pack, tag, f"{node.id}.body")
        for paragraph in _paragraphs(body[0]) if body else ():
            y += text_height(paragraph, body[1], s.body, False, g.page) + s.gap
        y += s.gap * 1.4  # the card's padding
        y += max(s.body * 1.2, font_widths(tag).line_height(s.body)) + s.gap * 0.6  # "Call"
        y += font_widths("en", True).line_height(number_size(display, g))
        if y <= visible:
            continue  # fits with the number first; the UI moves the name below it if it must
        own = pack.locales[tag].strings
        key = next((k for k in (f"{node.id}.body", f"{node.id}.title") if k in own), None)
        where = _where(pack, tag, key) if key else node.where
        out.append(Problem.warning(where, (
            f"{tag}: on '{node.id}' the phone number ends {y - visible:.0f} px below the first screenful "
            f"at {g.width}x{g.height}: the title and text are too long to show it without scrolling")))
    return out


def check_overflow(pack: Pack, width: int = SCREEN[0], height: int = SCREEN[1]) -> list[Problem]:
    """Every language of `pack` at width x height: words, header, contact screens, balance."""
    g = geometry(width, height)
    drawn = places(pack, g)
    out: list[Problem] = []
    for tag in pack.manifest.languages:
        if tag not in pack.locales:
            continue  # reported by check_manifest
        out += check_words(pack, tag, g, drawn)
        out += check_option_words(pack, tag, g)
        out += check_header(pack, tag, g)
        out += check_contact_screens(pack, tag, g)
        out += check_balance(pack, tag, g)
    return out

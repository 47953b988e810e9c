"""Layout decisions that need text measured first: the phone number's place, option columns.

On a contact screen the number is the one thing a visitor must see without
scrolling (someone may be watching; they may have seconds). Title, text and a
contact's name come first, and in some languages they are long: Arabic lines
are half again as tall as Latin ones, and the Arabic name of the hotline
carries its English name in brackets, so at 800x480 the number fell below the
fold. When that would happen, the card shows "Call" and the number before the
name (kiosk.ui.screens.contact_card, number_first).

Option buttons: the theme's columns, fewer when a single word would not fit
a button's width or a label would end with a lone word (option_columns_fitting).

Heights come from Kivy itself: the blocks already on the page are wrapped and
drawn at the width the layout will give them (so the layout does not draw them
again), and single lines use the font's own line height.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kivy.uix.widget import Widget

from kiosk.i18n.bidi import shape_words
from kiosk.layout import is_orphan, needs_cjk_breaking, units
from kiosk.ui.text import TextBlock, fonts_for, line_height, rtl_room, text_width, wrapped_lines
from kiosk.ui.theme import PALETTE, option_columns

if TYPE_CHECKING:
    from kiosk.ui.look import Look
    from kiosk.view import ContactView

SAFETY_PX = 4  # rounding in Kivy's layouts: the number must be whole, not just touching the edge


def page_width(look: "Look") -> float:
    """The width text on the page is wrapped to (the column's padding on both sides)."""
    return look.width - 2 * look.sizes.pad


def card_inner_width(look: "Look") -> float:
    return page_width(look) - 2 * look.sizes.gap * 1.4


def drawn_height(block: TextBlock, width: float) -> float:
    """Wrap and draw `block` at `width` now; its height, as the layout will find it."""
    block.width = width
    block.texture_update()
    block._trigger_texture.cancel()  # drawn already: the pending redraw would repeat the same work
    return float(block.texture_size[1])


def number_size(display: str, look: "Look", beside: float = 0.0) -> int:
    """The phone number's font size: as big as the theme says, shrunk to the card's width
    (less `beside`, what stands next to it on its line). The one place this is decided."""
    s = look.sizes
    inner = card_inner_width(look) - beside - 4
    font = fonts_for("en").bold
    size = s.number
    while size > s.body and text_width(display, font, size) > inner:
        size -= 2
    return size


def english_name_line(contact: "ContactView", look: "Look") -> TextBlock | None:
    """A translated card's English name, after the local one and smaller (a hotline answers
    the phone with it); None in English. Drawn in the Latin face, aligned with the card."""
    if not contact.name_english:
        return None
    block = TextBlock(contact.name_english, fonts_for("en"), look.sizes.small, PALETTE.text_muted)
    block.halign = "right" if look.rtl else "left"
    block.is_english_name = True
    return block


def number_bottom(above: list[Widget], contact: "ContactView", look: "Look",
                  name_first: bool) -> float:
    """Where the number's bottom edge falls, from the top of the page, in pixels."""
    s, fonts = look.sizes, look.fonts
    y = s.gap  # the column's top padding
    for widget in above:
        height = drawn_height(widget, page_width(look)) if isinstance(widget, TextBlock) else widget.height
        y += height + s.gap
    y += s.gap * 1.4  # the card's padding
    if name_first:
        name = TextBlock(contact.name, fonts, s.body, PALETTE.accent, bold=True)
        y += drawn_height(name, card_inner_width(look)) + s.gap * 0.6
        english = english_name_line(contact, look)
        if english is not None:
            y += drawn_height(english, card_inner_width(look)) + s.gap * 0.6
    call_row = max(s.body * 1.2, line_height(fonts.regular, s.body))
    y += call_row + s.gap * 0.6
    number_font = fonts_for("en").bold
    y += line_height(number_font, number_size(contact.call_display or "", look))
    return y


def number_first(above: list[Widget], contact: "ContactView", look: "Look") -> bool:
    """True when, with the name first, the number would not be wholly on the first screenful."""
    if not contact.call_display:
        return False
    visible = look.height - look.sizes.header - SAFETY_PX
    return number_bottom(above, contact, look, name_first=True) > visible


def option_label_width(look: "Look", cols: int) -> float:
    """The words' width in an option tile of a grid `cols` wide (kiosk.ui.widgets.Tile)."""
    s = look.sizes
    tile = (page_width(look) - s.gap * (cols - 1)) / cols
    return tile - 2 * s.gap - s.icon - s.gap


def widest_word(text: str, look: "Look") -> float:
    """The widest piece of `text` a line may not be broken inside, as Kivy draws it."""
    fonts = look.fonts
    if needs_cjk_breaking(fonts.tag):
        pieces = [p for p in units(text) if p.strip()]
    else:
        pieces = text.split()
    shown = (lambda w: shape_words(w)) if fonts.rtl else (lambda w: w)  # noqa: E731
    # TextBlock wraps RTL and CJK text itself, a little inside its box.
    extra = 2 * rtl_room(look.sizes.body) + 2 if fonts.rtl else (2 if needs_cjk_breaking(fonts.tag) else 0)
    return max((text_width(shown(p), fonts.regular, look.sizes.body) + extra for p in pieces), default=0.0)


def lone_last_word(label: str, look: "Look", width: float) -> bool:
    """True when `label`, drawn `width` wide, would still end with a lone word after balancing."""
    fonts = look.fonts
    inside = width - 2 * rtl_room(look.sizes.body) if fonts.rtl else width  # TextBlock's padding
    lines = wrapped_lines(label, fonts, fonts.regular, look.sizes.body, inside)  # words counted: order moot
    return is_orphan(lines, needs_cjk_breaking(fonts.tag) and not fonts.rtl)


def option_columns_fitting(labels: list[str], look: "Look") -> int:
    """The theme's columns for option buttons, fewer if a word would be cut in two or a
    label would end with a lone word (kiosk.content.overflow.option_box decides the same).

    Three columns at 1280x800 leave ~310 px for words: "Worried about / someone"
    cannot be balanced in two lines there, so that screen gets two columns.
    """
    cols = option_columns(look.width, look.height, len(labels))
    widest = max((widest_word(label, look) for label in labels), default=0.0)
    while cols > 1 and (widest > option_label_width(look, cols) or any(
            lone_last_word(label, look, option_label_width(look, cols)) for label in labels)):
        cols -= 1
    return cols

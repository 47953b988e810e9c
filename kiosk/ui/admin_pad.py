"""The admin PIN pad: big digit keys, Delete, OK and Cancel; the PIN shows only as dots.

A widget, nothing more: what a PIN means (opening admin, changing the PIN)
is the controller's business (kiosk.ui.admin_ui). Staff only, so English only.
"""

from __future__ import annotations

from typing import Callable

from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from kiosk.admin import MAX_PIN_DIGITS, MIN_PIN_DIGITS
from kiosk.ui.look import Look
from kiosk.ui.text import TextBlock
from kiosk.ui.theme import PALETTE, rgba
from kiosk.ui.widgets import GLYPH_ARROW_BACK, IconGlyph, Tile, glyph

GLYPH_BACKSPACE = 0xE14A
KEY_ORDER = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "delete", "0", "ok")
DOT = "\u2022"  # Noto Sans has it (U+25CF it has not)


class PinPad(BoxLayout):
    """Collects digits; `on_submit(pin)` when OK is pressed with enough of them.

    `enabled` False (checking a PIN, locked out) makes the digit keys do nothing;
    Cancel always works. `can_enter` False (no PIN is set) shows no keys at all.
    """

    def __init__(self, look: Look, *, prompt: str, on_submit: Callable[[str], None],
                 on_cancel: Callable[[], None], can_enter: bool = True, message: str = "") -> None:
        s, fonts = look.sizes, look.fonts
        landscape = look.width >= look.height
        super().__init__(orientation="horizontal" if landscape else "vertical", padding=s.pad, spacing=s.pad)
        self.digits: list[str] = []
        self.enabled = can_enter
        self._on_submit, self._on_cancel = on_submit, on_cancel
        self.keys: dict[str, Tile] = {}

        # The words: what to enter, the dots, what happened, and Cancel.
        side = BoxLayout(orientation="vertical", spacing=s.gap, size_hint_x=0.42 if landscape else 1)
        heading = BoxLayout(orientation="horizontal", size_hint_y=None, height=s.title * 1.6, spacing=s.gap)
        heading.add_widget(IconGlyph(glyph("lock"), s.title * 1.2, PALETTE.accent, pos_hint={"center_y": 0.5}))
        self.prompt = TextBlock(prompt, fonts, s.title, PALETTE.text, bold=True, pos_hint={"center_y": 0.5})
        heading.add_widget(self.prompt)
        side.add_widget(heading)
        self.dots = Label(text="", font_name=fonts.bold, font_size=s.number, color=rgba(PALETTE.accent),
                          size_hint_y=None, height=s.number * 1.3, halign="left", valign="middle")
        self.dots.bind(size=lambda w, _: setattr(w, "text_size", w.size))
        side.add_widget(self.dots)
        self.message = TextBlock(message, fonts, s.body, PALETTE.text, height=0)  # grows with its text
        side.add_widget(self.message)
        side.add_widget(Widget())  # pushes Cancel to the bottom
        cancel = Tile(label="Cancel", icon=GLYPH_ARROW_BACK, fonts=fonts, sizes=s, action=self.cancel,
                      icon_size=round(s.icon * 0.8))
        cancel.pad_key = "cancel"
        self.keys["cancel"] = cancel
        side.add_widget(cancel)
        self.add_widget(side)

        if can_enter:
            self.add_widget(self._keypad(look, landscape))
        else:
            self.dots.height = 0
        self._show_dots()

    def _keypad(self, look: Look, landscape: bool) -> GridLayout:
        s, fonts = look.sizes, look.fonts
        rows = 4
        room = look.height - 2 * s.pad if landscape else look.height * 0.5
        row_h = max(s.touch, int((room - (rows - 1) * s.gap) / rows))
        grid = GridLayout(cols=3, spacing=s.gap, size_hint_y=None)
        grid.bind(minimum_height=grid.setter("height"))
        for key in KEY_ORDER:
            if key == "delete":
                centred_icon = AnchorLayout(anchor_x="center", anchor_y="center")
                centred_icon.add_widget(IconGlyph(GLYPH_BACKSPACE, s.icon, PALETTE.accent))
                tile = Tile(label=None, icon=centred_icon, fonts=fonts, sizes=s, action=self.delete,
                            min_height=row_h)
            elif key == "ok":
                tile = Tile(label="OK", icon=None, fonts=fonts, sizes=s, action=self.ok,
                            fill=PALETTE.primary_bg, pressed=PALETTE.text, text_colour=PALETTE.primary_text,
                            border=None, text_size=s.title, bold=True, centred=True, min_height=row_h)
            else:
                tile = Tile(label=key, icon=None, fonts=fonts, sizes=s, action=lambda k=key: self.press(k),
                            text_size=s.title, bold=True, centred=True, min_height=row_h)
            tile.pad_key = key
            self.keys[key] = tile
            grid.add_widget(tile)
        holder = BoxLayout(orientation="vertical", size_hint_x=0.58 if landscape else 1)
        holder.add_widget(grid)
        if landscape:
            holder.add_widget(Widget())
        else:  # below the words, as tall as its keys
            holder.size_hint_y = None
            grid.bind(height=holder.setter("height"))
        return holder

    # --- keys ------------------------------------------------------------------------------
    def press(self, digit: str) -> None:
        if self.enabled and len(self.digits) < MAX_PIN_DIGITS:
            self.digits.append(digit)
            self._show_dots()

    def delete(self) -> None:
        if self.enabled and self.digits:
            self.digits.pop()
            self._show_dots()

    def ok(self) -> None:
        if not self.enabled:
            return
        if len(self.digits) < MIN_PIN_DIGITS:
            self.set_message(f"The PIN has {MIN_PIN_DIGITS} to {MAX_PIN_DIGITS} digits.")
            return
        pin = "".join(self.digits)
        self.clear()
        self._on_submit(pin)

    def cancel(self) -> None:
        self.clear()
        self._on_cancel()

    # --- what the controller changes ----------------------------------------------------------
    def clear(self) -> None:
        self.digits.clear()
        self._show_dots()

    def set_message(self, text: str) -> None:
        self.message.source = text

    def set_prompt(self, text: str) -> None:
        self.prompt.source = text

    def _show_dots(self) -> None:
        self.dots.text = " ".join(DOT * len(self.digits))

"""The admin screen's widgets: status sections that fill in as their data arrives, the
sound tests and the buttons that restart or stop the app. Staff only: English.

Built from plain data (kiosk.ui.admin_status); what the buttons do is the
controller's (kiosk.ui.admin_ui).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from kivy.graphics import Color, Line, Rectangle
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from kiosk.ui.admin_status import (SERVICE, CountsInfo, PackInfo, SoundInfo)
from kiosk.ui.look import Look
from kiosk.ui.screens import Strip, page_scroller
from kiosk.ui.text import TextBlock
from kiosk.ui.theme import PALETTE, rgba
from kiosk.ui.widgets import GLYPH_CLOSE, Card, IconGlyph, Row, Tile, glyph, natural_tile_width

GLYPH_RESTART = 0xE5D5  # "refresh"
GLYPH_POWER = 0xE8AC  # "power_settings_new"
METER_FLOOR_DB = -60.0  # the meter's empty end; 0 dBFS is its full end
Line_ = tuple[str | None, str]  # (level "ok" / "warning" / "error" or None, text)


@dataclass(frozen=True)
class AdminActions:
    leave_admin: Callable[[], None]
    speaker_test: Callable[[], None]
    mic_test: Callable[[], None]
    change_pin: Callable[[], None]
    restart: Callable[[], None]
    leave_desktop: Callable[[], None]


class Section(Card):
    """A card with a heading and a body that can be filled again when its data arrives."""

    def __init__(self, look: Look, heading: str, icon: str) -> None:
        super().__init__(look.sizes)
        s = look.sizes
        self.look = look
        self.add_widget(Row(IconGlyph(glyph(icon), s.body * 1.3, PALETTE.accent),
                            TextBlock(heading, look.fonts, s.body, PALETTE.accent, bold=True), s, False))
        self.body = BoxLayout(orientation="vertical", size_hint_y=None, height=0, spacing=s.gap * 0.4)
        self.body.bind(minimum_height=self.body.setter("height"))
        self.add_widget(self.body)

    def fill(self, lines: Sequence[Line_]) -> None:
        self.body.clear_widgets()
        for level, text in lines:
            self.body.add_widget(status_line(self.look, level, text))


def status_line(look: Look, level: str | None, text: str) -> Widget:
    s = look.sizes
    block = TextBlock(text, look.fonts, s.small, PALETTE.text)
    block.status_level = level
    if level is None:
        return block
    icon = {"ok": "check", "warning": "warning", "error": "warning"}.get(level, "info")
    return Row(IconGlyph(glyph(icon), s.small * 1.2, PALETTE.accent), block, s, False)


class LevelMeter(Widget):
    """A horizontal bar for the microphone's level, METER_FLOOR_DB..0 dBFS."""

    def __init__(self, height: float, **kwargs: object) -> None:
        super().__init__(size_hint_y=None, height=height, **kwargs)
        self.fraction = 0.0
        with self.canvas:
            Color(*rgba(PALETTE.surface_pressed))
            self._back = Rectangle()
            Color(*rgba(PALETTE.accent))
            self._bar = Rectangle()
            Color(*rgba(PALETTE.border))
            self._edge = Line(width=1.2)
        self.bind(pos=self._redraw, size=self._redraw)

    def set_db(self, db: float | None) -> None:
        self.fraction = 0.0 if db is None else min(1.0, max(0.0, 1 - db / METER_FLOOR_DB))
        self._redraw()

    def _redraw(self, *_: object) -> None:
        self._back.pos, self._back.size = self.pos, self.size
        self._bar.pos, self._bar.size = self.pos, (self.width * self.fraction, self.height)
        self._edge.rectangle = (*self.pos, *self.size)


def _button(look: Look, label: str, icon: int, action: Callable[[], None], role: str,
            primary: bool = False) -> Tile:
    s = look.sizes
    extra = dict(fill=PALETTE.primary_bg, pressed=PALETTE.text, text_colour=PALETTE.primary_text,
                 icon_colour=PALETTE.primary_text, border=None, bold=True) if primary else {}
    tile = Tile(label=label, icon=icon, fonts=look.fonts, sizes=s, action=action,
                icon_size=round(s.icon * 0.8), **extra)  # type: ignore[arg-type]
    tile.admin_role = role
    return tile


def _buttons(look: Look, tiles: Sequence[Tile]) -> GridLayout:
    s = look.sizes
    cols = 1 if look.width < 700 or len(tiles) == 1 else 2
    grid = GridLayout(cols=cols, spacing=s.gap, size_hint_y=None)
    grid.bind(minimum_height=grid.setter("height"))
    for tile in tiles:
        grid.add_widget(tile)
    return grid


class AdminScreen(BoxLayout):
    """The header (title, Leave admin) over a scrolling page of sections."""

    def __init__(self, look: Look, actions: AdminActions, *, systemd: bool, pack_lines: Sequence[str]) -> None:
        super().__init__(orientation="vertical")
        s, fonts = look.sizes, look.fonts
        self.look = look
        bar = Strip(PALETTE.header, orientation="horizontal", size_hint_y=None, height=s.header,
                    padding=(s.pad * 0.6, (s.header - s.touch) / 2), spacing=s.gap)
        bar.add_widget(IconGlyph(glyph("lock"), round(s.icon * 0.9), PALETTE.accent, pos_hint={"center_y": 0.5}))
        title = Label(text="Admin", font_name=fonts.bold, font_size=s.title, color=rgba(PALETTE.text),
                      halign="left", valign="middle", shorten=True)
        title.bind(size=lambda w, _: setattr(w, "text_size", w.size))
        bar.add_widget(title)
        leave = Tile(label="Leave admin", icon=GLYPH_CLOSE, fonts=fonts, sizes=s, action=actions.leave_admin,
                     fill=PALETTE.exit_bg, pressed=PALETTE.text, text_colour=PALETTE.exit_text,
                     icon_colour=PALETTE.exit_text, border=None, icon_size=round(s.icon * 0.8), bold=True,
                     size_hint_x=None)
        leave.width = natural_tile_width("Leave admin", fonts, s, bold=True)
        leave.admin_role = "leave_admin"
        self.leave_button = leave
        bar.add_widget(leave)
        self.add_widget(bar)

        self.scroller, column = page_scroller(look)
        self.add_widget(self.scroller)
        self._content_height: float | None = None
        column.bind(height=self._keep_place)

        # Buttons first: the status sections below grow as their answers arrive, and
        # growth below a button never moves it from under a finger.
        sound = Section(look, "Read-aloud and microphone", "speaker")
        self.speaker_note = TextBlock("", fonts, s.small, PALETTE.text, height=0)  # grows with its text
        self.mic_note = TextBlock("", fonts, s.small, PALETTE.text, height=0)
        self.meter = LevelMeter(height=max(16, s.gap * 2))
        self.mic_button = _button(look, "Test the microphone", glyph("mic"), actions.mic_test, "mic_test")
        sound.add_widget(_buttons(look, [
            _button(look, "Test the speaker", glyph("speaker"), actions.speaker_test, "speaker_test"),
            self.mic_button]))
        for widget in (self.speaker_note, self.meter, self.mic_note):
            sound.add_widget(widget)
        column.add_widget(sound)

        pin = Section(look, "Admin PIN", "lock")
        pin.add_widget(_buttons(look, [_button(look, "Change the PIN", glyph("lock"), actions.change_pin,
                                               "change_pin")]))
        self.pin_note = TextBlock("", fonts, s.small, PALETTE.text, height=0)
        pin.add_widget(self.pin_note)
        column.add_widget(pin)

        app = Section(look, "The kiosk app", "info")
        app.fill([(None, line) for line in app_notes(systemd)])
        app.add_widget(_buttons(look, [
            _button(look, "Restart the kiosk", GLYPH_RESTART, actions.restart, "restart"),
            _button(look, "Leave to the desktop", GLYPH_POWER, actions.leave_desktop, "leave_desktop",
                    primary=True)]))
        column.add_widget(app)

        self.pack = Section(look, "Content pack", "document")
        self.pack.fill([(None, line) for line in pack_lines] + [(None, "Checking the installed packs\u2026")])
        column.add_widget(self.pack)

        self.counts = Section(look, "Visits in the last 30 days", "list")
        self.counts.fill([(None, "Reading the counts\u2026")])
        column.add_widget(self.counts)

        self.voice = Section(look, "Voice, per language", "language")
        self.voice.fill([(None, "Checking the sound devices and voice models\u2026")])
        column.add_widget(self.voice)

    def _keep_place(self, _column: Widget, height: float) -> None:
        """Kivy keeps the scroll position as a fraction of the page: when the page grows, keep
        the pixels from the top instead, so that what is on screen stays where it is."""
        old, self._content_height = self._content_height, height
        view = self.scroller.height
        if old is None or old <= view or height <= view:
            return
        from_top = (1 - self.scroller.scroll_y) * (old - view)
        self.scroller.scroll_y = max(0.0, min(1.0, 1 - from_top / (height - view)))

    # --- data arriving ---------------------------------------------------------------------
    def set_pack(self, lines: Sequence[str], info: PackInfo) -> None:
        out: list[Line_] = [(None, line) for line in lines]
        out += [(None, line) for line in info.installed]
        out += [(None, "numbers last verified:")] + [(None, f"  {line}") for line in info.verified]
        if info.warnings:
            out += [("warning", w) for w in info.warnings]
        else:
            out.append(("ok", "no warnings"))
        self.pack.fill(out)

    def set_counts(self, info: CountsInfo) -> None:
        if info.error:
            self.counts.fill([("error", info.error)])
            return
        out: list[Line_] = [(None, f"since {info.since.isoformat()}; counts under 5 show as <5, and "
                                   "nothing else about any visit is kept")]
        if not info.lines:
            out.append((None, "no visits counted"))
        out += [(None, f"{line.label}: {line.shown}") for line in info.lines]
        self.counts.fill(out)

    def set_sound(self, info: SoundInfo) -> None:
        out: list[Line_] = []
        for name, (ok, text) in (("speaker", info.speaker), ("microphone", info.microphone)):
            out.append(("ok" if ok else "warning", f"{name}: {text}"))
        out += [(level, text) for level, text in info.general]
        for tag, lines in info.languages:
            # One line per language, marked by its worst part.
            worst = max((level for level, _ in lines), key=lambda lv: _SEVERITY.get(lv, 0))
            out.append((worst, f"{tag}: " + "; ".join(text for _, text in lines)))
        self.voice.fill(out)


_SEVERITY = {"ok": 0, "warning": 1, "error": 2}


def app_notes(systemd: bool) -> list[str]:
    """What Restart and Leave do on this device, and how to bring the kiosk back."""
    if systemd:
        return ["Restart: the kiosk stops and systemd starts it again in about 2 seconds.",
                "Leave to the desktop: the kiosk stops and stays stopped; a login prompt comes up "
                "on this screen (sign in with a keyboard). The kiosk comes back at the next boot, "
                f"or with: sudo systemctl start {SERVICE}  (to keep it off after a reboot too: "
                f"sudo systemctl disable {SERVICE})"]
    return ["This kiosk is not running as the systemd service: Restart and Leave both stop it, and "
            "nothing starts it again. Start it with: kiosk run"]

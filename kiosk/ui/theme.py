"""The kiosk's look as plain data: colours, type sizes, touch sizes, grid columns.

No Kivy here, so the numbers can be checked in tests (WCAG contrast, sizes at
each panel density) without opening a window. Colours are a calm clinic
palette on purpose: nothing red or flashing, nothing that says "alarm" to
someone glancing over a visitor's shoulder.
"""

from __future__ import annotations

from dataclasses import dataclass

# Sizes are Kivy-free and shared with `kiosk validate` (kiosk.layout); named here for the painters.
from kiosk.layout import Sizes, is_portrait, option_columns, sizes_for  # noqa: F401

Colour = str  # "#RRGGBB"


@dataclass(frozen=True)
class Palette:
    background: Colour  # the page
    header: Colour  # the strip with Back / Start / Language / Close
    surface: Colour  # buttons and cards
    surface_pressed: Colour
    border: Colour  # outlines only, never text
    text: Colour
    text_muted: Colour  # small print: verified date, countdown
    accent: Colour  # icons, the big phone number, headings of cards
    exit_bg: Colour  # the quick-exit button: quiet slate, not alarm red
    exit_text: Colour
    primary_bg: Colour  # a confirming button (show the code)
    primary_text: Colour
    note_bg: Colour  # the staff-phrase box: warm, not a warning
    qr_dark: Colour
    qr_light: Colour


PALETTE = Palette(
    background="#F3F6F5",
    header="#E2ECEA",
    surface="#FFFFFF",
    surface_pressed="#DAEAE7",
    border="#A9C2BD",
    text="#15262A",
    text_muted="#3B4D52",
    accent="#08524E",
    exit_bg="#2F4047",
    exit_text="#FFFFFF",
    primary_bg="#08524E",
    primary_text="#FFFFFF",
    note_bg="#FBF1D9",
    qr_dark="#000000",
    qr_light="#FFFFFF",
)

# Every pair of (text colour, colour behind it) that the UI draws. Tests hold
# each to WCAG's 4.5:1; the palette is chosen for 7:1 (AAA).
TEXT_ON: tuple[tuple[str, str, str], ...] = (
    ("text on background", "text", "background"),
    ("text on header", "text", "header"),
    ("text on surface", "text", "surface"),
    ("text on pressed surface", "text", "surface_pressed"),
    ("muted on background", "text_muted", "background"),
    ("muted on header", "text_muted", "header"),
    ("muted on surface", "text_muted", "surface"),
    ("accent on surface", "accent", "surface"),
    ("accent on background", "accent", "background"),
    ("accent on pressed surface", "accent", "surface_pressed"),
    ("exit label", "exit_text", "exit_bg"),
    ("primary label", "primary_text", "primary_bg"),
    ("text on note", "text", "note_bg"),
    ("accent on note", "accent", "note_bg"),
    ("qr modules", "qr_dark", "qr_light"),
)


def rgb(colour: Colour) -> tuple[float, float, float]:
    """'#RRGGBB' -> (r, g, b) in 0..1, as Kivy's Color wants."""
    value = colour.lstrip("#")
    if len(value) != 6:
        raise ValueError(f"colour '{colour}' is not #RRGGBB")
    return tuple(int(value[i:i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def rgba(colour: Colour, alpha: float = 1.0) -> tuple[float, float, float, float]:
    return (*rgb(colour), alpha)


def relative_luminance(colour: Colour) -> float:
    """WCAG 2.x relative luminance."""
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: Colour, b: Colour) -> float:
    """WCAG contrast ratio, 1..21."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)

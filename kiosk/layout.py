"""The kiosk's page geometry and line breaking, without Kivy: shared by what draws and what checks.

The UI (kiosk.ui.theme, kiosk.ui.fit, kiosk.ui.text) draws with these sizes,
columns and line breaks; `kiosk validate` (kiosk.content.overflow) checks,
without drawing anything, that every translation fits them. One copy, so the
check and the screen can never disagree.

Line breaking: Kivy only breaks at spaces, so a Chinese paragraph becomes one
long "word" cut anywhere, and a stray space (around "24" or "200") gets all
the breaks. Here a line may end after any Han/kana character, but closing
punctuation (。，、」) never starts a line and opening punctuation (「（) never
ends one. Pure functions: the caller measures with the font it draws with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

# --- sizes -------------------------------------------------------------------

BODY_INCHES = 3 / 16  # cap height readable at arm's length on a wall
BODY_FLOOR_PX = 24  # low-dpi panels (7" 800x480 is ~133 dpi): never smaller
TOUCH_INCHES = 0.5  # WCAG AAA asks 44 px at 96 dpi (0.46 in); a kiosk finger is bigger
TOUCH_FLOOR_PX = 64


@dataclass(frozen=True)
class Sizes:
    """Pixel sizes for one window. Everything scales from the body size."""

    body: int  # paragraphs, option labels
    small: int  # verified date, countdown: still large enough to read
    title: int
    number: int  # the phone number on a contact screen (before fitting the width)
    icon: int  # the icon on an option button
    touch: int  # the smallest side of anything tappable
    header: int  # the header strip's height
    pad: int  # page margin
    gap: int  # between blocks
    radius: int  # rounded corners


def sizes_for(dpi: float, width: int, height: int) -> Sizes:
    """Sizes for a window of width x height pixels on a panel of `dpi`."""
    body = max(BODY_FLOOR_PX, round(dpi * BODY_INCHES))
    touch = max(TOUCH_FLOOR_PX, round(dpi * TOUCH_INCHES))
    short_side = min(width, height)
    # Wide panels (1280x800 and up) have room for a slightly bigger page.
    if short_side >= 720:
        body = max(body, 28)
    pad = max(12, round(short_side * 0.03))
    return Sizes(
        body=body,
        small=max(20, round(body * 0.8)),
        title=round(body * 1.4),
        number=round(body * 2.5),
        icon=round(body * 1.7),
        touch=touch,
        header=touch + 12,
        pad=pad,
        gap=max(10, round(body * 0.5)),
        radius=max(8, round(body * 0.4)),
    )


def is_portrait(width: int, height: int) -> bool:
    return height > width


def option_columns(width: int, height: int, count: int) -> int:
    """Columns of option buttons: 1 in portrait, 2 in landscape, 3 on wide panels.

    Three columns at 800 px left ~170 px for words: most labels broke into
    three short lines, some one word to a line. Two read as phrases.
    """
    if is_portrait(width, height) or count <= 1:
        return 1
    if width >= 1000:
        return min(3, count)
    return 2



# --- line breaking -------------------------------------------------------------

Measure = Callable[[str], float]

# Never at the start of a line (kinsoku shori, simplified).
NO_START = set("、。，．・：；？！）〕］｝〉》」』】〙〗〟’”｠»‐゠–〜ーぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ"
               ",.:;?!)]}%")
# Never at the end of a line.
NO_END = set("（〔［｛〈《「『【〘〖〝‘“｟«([{")


def _is_wide(ch: str) -> bool:
    """Han, kana, CJK punctuation and full-width forms: each may stand alone on a line edge."""
    o = ord(ch)
    return (0x2E80 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0xFF00 <= o <= 0xFFEF
            or 0x3000 <= o <= 0x303F or 0x20000 <= o <= 0x2FA1F)


def units(text: str) -> list[str]:
    """Break text into pieces that must stay together; spaces are pieces of their own."""
    pieces: list[str] = []
    for ch in text:
        if ch.isspace():
            pieces.append(" ")
        elif not pieces or pieces[-1] == " ":
            pieces.append(ch)
        elif ch in NO_START or pieces[-1][-1] in NO_END:
            pieces[-1] += ch  # stays with what it closes / what it opens
        elif _is_wide(ch) or _is_wide(pieces[-1][-1]):
            pieces.append(ch)
        else:
            pieces[-1] += ch  # a Latin word or a number: whole
    return pieces


def wrap_cjk(text: str, width: float, measure: Measure) -> list[str]:
    """Greedy lines no wider than `width` (a piece wider than a line gets a line of its own)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for piece in units(paragraph):
            if piece == " " and not line:
                continue
            candidate = line + piece
            if not line or measure(candidate.rstrip()) <= width:
                line = candidate
                continue
            lines.append(line.rstrip())
            line = "" if piece == " " else piece
        lines.append(line.rstrip())
    return lines


def needs_cjk_breaking(tag: str) -> bool:
    """Chinese and Japanese; Korean separates words with spaces and wraps like Latin."""
    return tag.split("-", 1)[0].lower() in ("zh", "ja")


# --- balanced line breaks ---------------------------------------------------------

Wrap = Callable[[str, float, Measure], list[str]]

# Shrinking the width in steps of this share of it: fine enough to find a break
# that moves one word down, coarse enough to stay a handful of wraps.
_BALANCE_STEP = 0.03


def _visible(text: str) -> int:
    return sum(1 for ch in text if not ch.isspace())


def is_orphan(lines: list[str], cjk: bool) -> bool:
    """The last line is a lone word (Latin), or one or two characters (Chinese/Japanese),
    under a line that could have given it company."""
    if len(lines) < 2:
        return False
    last, before = lines[-1].strip(), lines[-2].strip()
    if cjk:
        return 0 < _visible(last) <= 2 and _visible(before) > 2
    return len(last.split()) == 1 and len(before.split()) > 1


def balance(text: str, width: float, measure: Measure, wrap: Wrap, cjk: bool = False) -> list[str]:
    """`wrap(text, width, measure)`, with no orphan last line where one can be avoided.

    Each paragraph whose last line is an orphan ("Danje kounye / a", "西班牙 /
    语。") is wrapped again at a narrower width, step by step, until the last line
    has company; never with more lines than the plain wrap (the box's height,
    measured elsewhere from the line count, stays right). When no narrower
    width helps, the plain wrap stands.
    """
    out: list[str] = []
    for paragraph in text.split("\n"):
        lines = wrap(paragraph, width, measure)
        if is_orphan(lines, cjk):
            lines = _narrowed(paragraph, width, measure, wrap, cjk, len(lines)) or lines
        out.extend(lines)
    return out


def _narrowed(paragraph: str, width: float, measure: Measure, wrap: Wrap, cjk: bool,
              count: int) -> list[str] | None:
    step = max(2.0, width * _BALANCE_STEP)
    trial = width - step
    while trial > 0:
        lines = wrap(paragraph, trial, measure)
        if len(lines) > count:
            return None
        if not is_orphan(lines, cjk) and all(measure(line) <= trial for line in lines):
            return lines
        trial -= step
    return None

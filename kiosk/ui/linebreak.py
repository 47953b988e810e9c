"""Line breaking for Chinese and Japanese, which put no spaces between words.

Kivy only breaks at spaces: a Chinese paragraph becomes one long "word" cut
anywhere, and a stray space (around "24" or "200") gets all the breaks. Here
a line may end after any Han/kana character, but closing punctuation (。，、」)
never starts a line and opening punctuation (「（) never ends one. Pure
functions: the caller measures with the font it draws with.
"""

from __future__ import annotations

from typing import Callable

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

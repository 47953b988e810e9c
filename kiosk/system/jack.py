"""Are headphones plugged in? Asked of ALSA, without Kivy, before reading a page aloud.

Read-aloud speaks help content. Through an open speaker in a waiting room,
others hear it; through headphones, only the visitor. Where the sound card
reports its jack, ALSA exposes a CARD control named like "Headphone Jack"
(HDA codecs, many USB and I2S boards):

    $ amixer -c 0 cget iface=CARD,name='Headphone Jack'
    numid=18,iface=CARD,name='Headphone Jack'
      ; type=BOOLEAN,access=r-------,values=1
      : values=on

A USB headset is headphones by nature: its card's name in /proc/asound/cards
says so ("USB Headset", "Headphones" on a USB driver). The Raspberry Pi's own
3.5 mm output (bcm2835 "Headphones") has no detection at all: that is
"unknown", and unknown is treated as an open speaker, the cautious answer.

Pure parsing functions over the commands' text (tested with recorded outputs)
and one `detect` that runs them.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Literal

AMIXER_TIMEOUT_S = 2.0
PROC_ASOUND = Path("/proc/asound")

Plugged = Literal["yes", "no", "unknown"]
Run = Callable[[list[str]], str | None]  # argv -> stdout, or None when it could not run


@dataclass(frozen=True)
class Card:
    index: int
    id: str  # "PCH", "Headphones", "Device"
    driver: str  # "HDA-Intel", "bcm2835_headpho", "USB-Audio"
    name: str  # "HDA Intel PCH", "USB Headset"


@dataclass(frozen=True)
class JackState:
    """What the sound cards say about headphones, and where it was read (for logs and doctor)."""

    plugged: Plugged
    where: str  # "card 0 'Headphone Jack'", "card 1 USB Headset", or why it is unknown

    @property
    def private(self) -> bool:
        """Only the visitor hears: headphones known to be in. Unknown is not private."""
        return self.plugged == "yes"


# " 0 [PCH            ]: HDA-Intel - HDA Intel PCH"
_CARD = re.compile(r"^\s*(\d+)\s+\[([^\]]*)\]:\s*(\S+)\s+-\s+(.*?)\s*$")
# "numid=18,iface=CARD,name='Headphone Jack'"
_CONTROL = re.compile(r"iface=CARD,name='([^']*)'")
_VALUES = re.compile(r"^\s*:\s*values=(\w+)", re.M)
# Jack controls that mean "something to listen with is in" (not Mic, Line In, HDMI/DP).
_HEADPHONE_JACK = re.compile(r"\b(headphone|headset|front headphone|hp)\b.*\bjack\b", re.I)
_HEADSET_CARD = re.compile(r"\b(headset|headphones?|earphones?)\b", re.I)


def parse_cards(text: str) -> list[Card]:
    """/proc/asound/cards: one Card per first line (the second, indented line is the long name)."""
    cards = []
    for line in text.splitlines():
        match = _CARD.match(line)
        if match:
            cards.append(Card(int(match.group(1)), match.group(2).strip(), match.group(3), match.group(4)))
    return cards


def parse_jack_controls(text: str) -> list[str]:
    """`amixer -c N controls`: the names of headphone jack controls, in order."""
    return [name for name in _CONTROL.findall(text) if _HEADPHONE_JACK.search(name)]


def parse_cget(text: str) -> bool | None:
    """`amixer -c N cget ...` of a BOOLEAN jack control: True when on (plugged), None if unreadable."""
    match = _VALUES.search(text)
    if match is None:
        return None
    value = match.group(1).lower()
    return True if value == "on" else False if value == "off" else None


def is_usb_headset(card: Card) -> bool:
    return card.driver.lower().startswith("usb") and bool(_HEADSET_CARD.search(f"{card.id} {card.name}"))


def run_command(argv: list[str]) -> str | None:
    """Run a short ALSA query; None when the tool is missing, fails or hangs."""
    if shutil.which(argv[0]) is None:
        return None
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=AMIXER_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout if proc.returncode == 0 else None


def detect(run: Run = run_command, proc_asound: Path = PROC_ASOUND) -> JackState:
    """Headphones plugged into any card that can tell, else a USB headset, else unknown."""
    try:
        cards = parse_cards((proc_asound / "cards").read_text("utf-8", errors="replace"))
    except OSError:
        return JackState("unknown", f"no sound cards listed ({proc_asound / 'cards'} unreadable)")
    if not cards:
        return JackState("unknown", "no sound cards")
    answers: list[JackState] = []
    for card in cards:
        if is_usb_headset(card):
            return JackState("yes", f"card {card.index} {card.name}")
        listing = run(["amixer", "-c", str(card.index), "controls"])
        for control in parse_jack_controls(listing or ""):
            value = parse_cget(run(["amixer", "-c", str(card.index), "cget", f"iface=CARD,name='{control}'"]) or "")
            if value is not None:
                answers.append(JackState("yes" if value else "no", f"card {card.index} '{control}'"))
    plugged = [a for a in answers if a.plugged == "yes"]
    if plugged:
        return plugged[0]
    if answers:
        return answers[0]
    return JackState("unknown", "no card reports a headphone jack")

"""Finding touchscreens in /proc/bus/input/devices (no libraries, no opening devices).

Each device is a block of lines; the "B:" lines are capability bitmaps printed
by the kernel as hex words of the kernel's `long` (64 bits on aarch64/x86_64,
32 on armhf), most significant word first, leading zero words left out.
A touchscreen reports absolute positions and, usually, INPUT_PROP_DIRECT
(the finger is on the picture, unlike a touchpad); a multitouch panel also has
ABS_MT_POSITION_X. That is the same test Kivy's `probesysfs` uses to pick a
panel for its mtdev/hidinput providers.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

# linux/input-event-codes.h
ABS_X = 0x00
ABS_Y = 0x01
ABS_MT_POSITION_X = 0x35
BTN_TOUCH = 0x14A
INPUT_PROP_POINTER = 0x00
INPUT_PROP_DIRECT = 0x01

DEVICES_FILE = Path("/proc/bus/input/devices")


@dataclass(frozen=True)
class InputDevice:
    name: str
    handlers: tuple[str, ...]
    abs_bits: frozenset[int]
    key_bits: frozenset[int]
    prop_bits: frozenset[int]

    @property
    def multitouch(self) -> bool:
        return ABS_MT_POSITION_X in self.abs_bits

    @property
    def touchscreen(self) -> bool:
        has_position = {ABS_X, ABS_Y} <= self.abs_bits or self.multitouch
        if not has_position:
            return False
        if INPUT_PROP_DIRECT in self.prop_bits:
            return True
        # Older drivers set no properties: a touch button and no "pointer" (touchpad) flag.
        return BTN_TOUCH in self.key_bits and INPUT_PROP_POINTER not in self.prop_bits

    @property
    def event_node(self) -> Path | None:
        for handler in self.handlers:
            if handler.startswith("event"):
                return Path("/dev/input") / handler
        return None


def kernel_long_bits(machine: str | None = None) -> int:
    """The width of the kernel's `long`, which the bitmaps are printed in."""
    machine = (machine or os.uname().machine).lower()
    return 64 if "64" in machine or machine == "s390x" else 32


def parse_bitmap(text: str, long_bits: int) -> frozenset[int]:
    """"2608000 3" -> the set bit numbers (the last word is the lowest)."""
    bits: set[int] = set()
    for index, word in enumerate(reversed(text.split())):
        try:
            value = int(word, 16)
        except ValueError:
            continue
        bit = 0
        while value:
            if value & 1:
                bits.add(index * long_bits + bit)
            value >>= 1
            bit += 1
    return frozenset(bits)


def parse_devices(text: str, long_bits: int) -> list[InputDevice]:
    devices: list[InputDevice] = []
    for block in text.split("\n\n"):
        name, handlers = "", ()
        bitmaps: dict[str, str] = {}
        for line in block.splitlines():
            kind, _, rest = line.partition(": ")
            if kind == "N":
                name = rest.removeprefix("Name=").strip().strip('"')
            elif kind == "H":
                handlers = tuple(rest.removeprefix("Handlers=").split())
            elif kind == "B":
                key, _, value = rest.partition("=")
                bitmaps[key.strip()] = value
        if not name and not handlers:
            continue
        devices.append(InputDevice(
            name=name or "(no name)", handlers=handlers,
            abs_bits=parse_bitmap(bitmaps.get("ABS", ""), long_bits),
            key_bits=parse_bitmap(bitmaps.get("KEY", ""), long_bits),
            prop_bits=parse_bitmap(bitmaps.get("PROP", ""), long_bits)))
    return devices


def touchscreens(text: str, long_bits: int | None = None) -> list[InputDevice]:
    return [d for d in parse_devices(text, long_bits or kernel_long_bits()) if d.touchscreen]

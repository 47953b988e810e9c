"""Helpers for the UI tests: real touches, finding widgets, reading pixels and PNGs."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from typing import Callable, Iterable

GATE_CLEAR = 0.35  # a little more than the press gate: the next tap is a new one


def widgets(root, kind: type | None = None, where: Callable[[object], bool] | None = None) -> list:
    found = []
    for w in root.walk(restrict=True):
        if kind is not None and not isinstance(w, kind):
            continue
        if where is not None and not where(w):
            continue
        found.append(w)
    return found


def touch_at(env, x: float, y: float, hold: float = 0.08, after: float = GATE_CLEAR) -> None:
    """A finger down and up at window position (x, y), with Kivy's loop running between."""
    from kivy.tests.common import UnitTestTouch
    touch = UnitTestTouch(x, y)
    touch.touch_down()
    env.step(hold / 2)
    env.step(hold / 2)  # past ScrollView's scroll_timeout: the press reaches the button
    touch.touch_up()
    env.step(0.0, frames=2)
    env.step(after)


PAGE_POINTS = ((150, 200), (400, 200), (650, 200))  # three places on the page, not on a button


def three_fingers(env, points=PAGE_POINTS) -> None:  # noqa: ANN001
    """The three-finger quick exit: fingers down 50 ms apart, all on the glass, then lifted."""
    from kivy.tests.common import UnitTestTouch
    touches = [UnitTestTouch(x, y) for x, y in points]
    for t in touches:
        t.touch_down()
        env.step(0.05)
    for t in touches:
        t.touch_up()
        env.step(0.0)
    env.step(GATE_CLEAR, frames=2)


def tap(env, widget, after: float = GATE_CLEAR) -> None:
    """Tap the middle of a widget, scrolling the page to it first as a finger would."""
    from kivy.core.window import Window
    from kivy.uix.scrollview import ScrollView
    parent = widget.parent
    while parent is not None and parent is not Window and not isinstance(parent, ScrollView):
        parent = parent.parent
    if not isinstance(parent, ScrollView):
        parent = None
    _, y0 = widget.to_window(widget.x, widget.y)
    # Scrolled out of sight: below the page's own bottom edge (a fixed bar may sit under the
    # page, issue 15) or under the header.
    bottom = parent.to_window(parent.x, parent.y)[1] if parent is not None else 0
    if parent is not None and (y0 < bottom or y0 + widget.height > Window.height - 80):
        parent.scroll_to(widget, animate=False)
        env.step(0.0, frames=2)
    x, y = widget.to_window(*widget.center)
    touch_at(env, x, y, after=after)


def option_tile(kiosk, target_label: str):
    from kiosk.ui.widgets import Tile
    tiles = widgets(kiosk.root, Tile, lambda t: t.label_widget is not None
                    and t.label_widget.source == target_label)
    assert tiles, f"no tile labelled {target_label!r} on {kiosk.view.node_id}"
    return tiles[0]


def texts(root) -> list[str]:
    from kivy.uix.label import Label
    from kiosk.ui.text import TextBlock
    out = []
    for w in widgets(root, Label):
        out.append(w.source if isinstance(w, TextBlock) else w.text)
    return out


# --- pixels ------------------------------------------------------------------

@dataclass(frozen=True)
class Pixels:
    """RGB pixels, addressed from the top-left like the screen."""

    width: int
    height: int
    rows: list[bytes]  # top row first

    def at(self, x: int, y: int) -> tuple[int, int, int]:
        row = self.rows[y]
        return row[3 * x], row[3 * x + 1], row[3 * x + 2]

    def region(self, x0: int, y0: int, x1: int, y1: int) -> Iterable[tuple[int, int, int]]:
        for y in range(max(0, y0), min(self.height, y1)):
            for x in range(max(0, x0), min(self.width, x1)):
                yield self.at(x, y)

    def colours(self) -> set[tuple[int, int, int]]:
        seen: set[tuple[int, int, int]] = set()
        for row in self.rows[::4]:
            for x in range(0, self.width, 4):
                seen.add((row[3 * x], row[3 * x + 1], row[3 * x + 2]))
        return seen


def window_pixels() -> Pixels:
    from kiosk.ui.kiosk import window_pixels as grab
    width, height, data = grab()
    stride = width * 3
    rows = [data[r * stride:(r + 1) * stride] for r in range(height - 1, -1, -1)]
    return Pixels(width, height, rows)


def read_png(data: bytes) -> Pixels:
    """Decode an 8-bit RGB PNG as `kiosk preview` writes it (filter type 0 rows)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert (depth, colour) == (8, 2), "expected 8-bit RGB"
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * 3 + 1
    rows = [raw[i * stride + 1:(i + 1) * stride] for i in range(len(raw) // stride)]
    assert all(raw[i * stride] == 0 for i in range(len(rows))), "unexpected PNG filter"
    return Pixels(width, len(rows), rows)


def hex_rgb(colour: str) -> tuple[int, int, int]:
    v = colour.lstrip("#")
    return int(v[0:2], 16), int(v[2:4], 16), int(v[4:6], 16)


def close_to(a: tuple[int, int, int], b: tuple[int, int, int], tol: int = 6) -> bool:
    return all(abs(p - q) <= tol for p, q in zip(a, b))


def widget_box(widget) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) of a widget in screen coordinates (top-left origin)."""
    from kivy.core.window import Window
    x, y = widget.to_window(widget.x, widget.y)
    return int(x), int(Window.height - (y + widget.height)), int(x + widget.width), int(Window.height - y)

"""PNG bytes from raw pixels, and QR codes as PNG bytes; no imaging library needed.

Used by `kiosk preview` (the window's pixels to a file) and the QR screen
(a code drawn in memory, never written to disk).
"""

from __future__ import annotations

import io
import struct
import zlib


def encode_png(width: int, height: int, rgb: bytes, bottom_up: bool = False) -> bytes:
    """An 8-bit RGB PNG. `rgb` is width*height*3 bytes, rows top first unless bottom_up
    (OpenGL reads the window bottom row first)."""
    stride = width * 3
    if len(rgb) < stride * height:
        raise ValueError(f"expected {stride * height} bytes of pixels, got {len(rgb)}")
    rows = range(height - 1, -1, -1) if bottom_up else range(height)
    raw = b"".join(b"\x00" + rgb[r * stride:(r + 1) * stride] for r in rows)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def qr_png(data: str, dark: str = "#000000", light: str = "#FFFFFF", scale: int = 8) -> bytes:
    """A QR code for `data` (a tel: or sms: URI) as PNG bytes, in memory.

    Always a full QR code: for short data such as `tel:911` segno would pick a
    Micro QR, which most phone cameras cannot read. The quiet zone is the four
    modules the standard asks for; scanners miss codes with less."""
    import segno  # only the QR screen needs it

    buffer = io.BytesIO()
    segno.make_qr(data, error="m").save(buffer, kind="png", scale=scale, border=4, dark=dark, light=light)
    return buffer.getvalue()

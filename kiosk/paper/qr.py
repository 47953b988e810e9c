"""QR codes for paper: always a full QR code (phone cameras cannot read Micro QR)."""

from __future__ import annotations


def qr_svg_uri(payload: str) -> str:
    """An SVG data URI of a full QR code for `payload` (e.g. "tel:+18883737888").

    Vector, so it stays sharp at any print size; error level M survives a crease
    or a smudge; the quiet zone of 4 modules is what scanners expect."""
    import segno  # small, but only paper needs it here

    code = segno.make_qr(payload, error="m")
    return code.svg_data_uri(scale=1, border=4, dark="#000", light="#fff")

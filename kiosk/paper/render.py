"""HTML to PDF with WeasyPrint, written whole or not at all.

WeasyPrint (the `print` extra) is imported inside `write_pdf`: `kiosk --help`
and every command that prints nothing stay fast without it.
"""

from __future__ import annotations

import logging
import os
import tempfile
import unicodedata
from pathlib import Path
from typing import Callable, Sequence

from kiosk.paper.model import PaperError


class _MissingGlyphs(logging.Handler):
    """Collects WeasyPrint's ".notdef glyph rendered" warnings: a character no font has."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if ".notdef" in message:
            self.messages.append(message)


def _rtl_cluster(text: str) -> bool:
    """Several characters of right-to-left letters (with their marks) drawn as one glyph."""
    kinds = [unicodedata.bidirectional(c) for c in text]
    return len(text) > 1 and all(k in ("R", "AL", "NSM") for k in kinds) and any(k != "NSM" for k in kinds)


def _fix_rtl_ligatures(pdf_module: object) -> None:
    """Store right-to-left ligatures' text so extraction reads it in logical order.

    A PDF holds glyphs in visual order; text extractors (poppler's pdftotext, pdf.js)
    reverse a right-to-left run to read it. WeasyPrint maps a ligature such as
    Arabic lam-alef to its characters in logical order ("لا"), which the reversal
    then turns into "ال". Mapping such a glyph to its characters in visual order makes
    every extractor that reverses runs read the word as written. Applied once, to
    WeasyPrint's font dictionary builder; a WeasyPrint without it is left alone."""
    build = getattr(pdf_module, "build_fonts_dictionary", None)
    if build is None or getattr(build, "_lantern_rtl", False):
        return

    def build_fonts_dictionary(pdf, fonts, *args, **kwargs):  # type: ignore[no-untyped-def]
        for font in fonts.values():
            mapping = getattr(font, "to_unicode", None)
            if isinstance(mapping, dict):
                for glyph, text in list(mapping.items()):
                    if isinstance(text, str) and _rtl_cluster(text):
                        mapping[glyph] = text[::-1]
        return build(pdf, fonts, *args, **kwargs)

    build_fonts_dictionary._lantern_rtl = True  # type: ignore[attr-defined]
    setattr(pdf_module, "build_fonts_dictionary", build_fonts_dictionary)


def load_weasyprint():  # type: ignore[no-untyped-def]
    """WeasyPrint, with its right-to-left ligatures fixed (see `_fix_rtl_ligatures`)."""
    # Without WeasyPrint this raises ModuleNotFoundError, which `kiosk` turns into its one
    # line naming the 'print' extra (exit 3), as for every command that needs an extra.
    try:
        import weasyprint
        import weasyprint.pdf
    except OSError as exc:  # Pango or HarfBuzz missing: WeasyPrint fails while loading them
        raise PaperError(f"WeasyPrint cannot load its system libraries ({exc}); "
                         "run ./lantern.sh setup to install Pango") from None
    _fix_rtl_ligatures(weasyprint.pdf)
    return weasyprint


def check_writable(out: Path) -> None:
    """A one-line error now, before any work, when `out` cannot be written."""
    folder = out.parent
    if out.suffix.lower() != ".pdf":
        raise PaperError(f"{out}: the output must be a .pdf file")
    if not folder.is_dir():
        raise PaperError(f"{folder}: no such folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PaperError(f"{folder}: folder is not writable")
    if out.is_dir():
        raise PaperError(f"{out}: is a folder")


def pdf_bytes(html: str) -> bytes:
    """Lay out `html` and return the PDF; fonts embedded and subset, text selectable."""
    return pdf_fitted(lambda _shrink: html, (1.0,))


def pdf_fitted(make_html: Callable[[float], str], shrinks: Sequence[float]) -> bytes:
    """The first layout of `make_html(shrink)` that fits on one page, else the last one tried."""
    weasyprint = load_weasyprint()
    handler = _MissingGlyphs()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        for shrink in shrinks:
            document = weasyprint.HTML(string=make_html(shrink), base_url=None).render()
            if len(document.pages) == 1:
                break
        data = document.write_pdf()
    finally:
        logger.removeHandler(handler)
    if handler.messages:
        raise PaperError(f"no installed font can draw some text ({handler.messages[0]}); "
                         "install fonts-noto-core and fonts-noto-cjk")
    assert data is not None  # write_pdf() without a target returns the bytes
    return data


def write_atomic(out: Path, data: bytes) -> Path:
    """Write beside `out`, then rename: a reader never sees half a PDF, and a failure leaves
    nothing behind."""
    check_writable(out)
    try:
        fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    except OSError as exc:
        raise PaperError(f"{out.parent}: folder is not writable ({exc.strerror or exc})") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise PaperError(f"{out}: cannot write: {exc.strerror or exc}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out

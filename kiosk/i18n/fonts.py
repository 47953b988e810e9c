"""Which font draws which language.

Noto families from Debian (fonts-noto-core, fonts-noto-cjk). Kivy draws a
label with one font file and no fallback, so each language gets one file that
holds every character it needs, prepared once into the data directory with
fontTools:
- CJK comes as a collection (.ttc) whose first face (all SDL2 opens) has
  Japanese forms: the face for each CJK language is extracted.
- Noto Sans Arabic has no Latin letters or brackets, which Arabic screens
  still show (TTY, web addresses, "(...)"): Latin from Noto Sans is merged in.

Preparing takes tens of seconds on a Pi, so it is done once at set-up
(`python -m kiosk.i18n.prepare`, run by lantern.sh and by the Debian package)
into the environment's `share/lantern/fonts`; `prepare_fonts` at start-up only
checks, and prepares into the data directory what set-up could not. Measuring
text (`kiosk validate`) never prepares anything: `measure_faces` reads the
prepared files when present, else the installed fonts directly. When the
data directory is full (or read-only) nothing is prepared and the source file is
used as it is: the collection's first face still draws every CJK character (in
Japanese forms), and Arabic screens draw Latin runs in Noto Sans through markup.
"""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

from kiosk.i18n.names import base_language

NOTO_DIRS = (Path("/usr/share/fonts/truetype/noto"), Path("/usr/share/fonts/opentype/noto"))
CJK_COLLECTION = "NotoSansCJK-Regular.ttc"
CJK_BOLD_COLLECTION = "NotoSansCJK-Bold.ttc"
# Face names inside NotoSansCJK-*.ttc, per language.
CJK_FACES = {"zh-Hans": "Noto Sans CJK SC", "zh-Hant": "Noto Sans CJK TC", "ko": "Noto Sans CJK KR",
             "ja": "Noto Sans CJK JP", "zh": "Noto Sans CJK SC"}
SCRIPT_FONTS = {"ar": "NotoSansArabic", "fa": "NotoSansArabic", "ur": "NotoSansArabic",
                "he": "NotoSansHebrew", "hi": "NotoSansDevanagari", "th": "NotoSansThai",
                "am": "NotoSansEthiopic", "km": "NotoSansKhmer", "my": "NotoSansMyanmar"}


@dataclass(frozen=True)
class FontChoice:
    regular: Path
    bold: Path
    family: str


class FontMissing(Exception):
    pass


def _find(name: str) -> Path | None:
    for d in NOTO_DIRS:
        path = d / name
        if path.is_file():
            return path
    return None


READY_MARK = "READY"  # written last by `python -m kiosk.i18n.prepare`


def prepared_dir() -> Path:
    """Where set-up prepares fonts: beside the environment Lantern runs in, so a
    fresh data directory (or a read-only root) still finds them ready."""
    return Path(sys.prefix) / "share" / "lantern" / "fonts"


def font_cache_dir() -> Path:
    """Prepared fonts: $LANTERN_FONT_CACHE; else the set-up's prepared folder when
    it is complete; else the data directory's cache."""
    explicit = os.environ.get("LANTERN_FONT_CACHE")
    if explicit:
        return Path(explicit)
    if (prepared_dir() / READY_MARK).is_file():
        return prepared_dir()
    from kiosk.system.paths import data_dir
    return data_dir() / "cache" / "fonts"


log = logging.getLogger("lantern.fonts")

# Prepared files are a little smaller than their sources; this much room must be
# left besides, so that fonts never take the last space the daily counts need.
KEEP_FREE_BYTES = 16 * 1024 * 1024


def _prepare(out: Path, source_bytes: int, make: Callable[[Path], None]) -> bool:
    """Write `out` with `make(tmp)` then rename it into place. False (nothing left
    behind) when the disk has no room or refuses the write: the caller falls back."""
    from kiosk.system.storage import free_bytes
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale(out)
        if free_bytes(out.parent) < source_bytes + KEEP_FREE_BYTES:
            log.warning("no room to prepare %s; using the font as installed", out.name)
            return False
    except OSError as exc:
        log.warning("cannot prepare %s (%s); using the font as installed", out.name, exc.strerror or exc)
        return False
    tmp = out.with_suffix(f".tmp{os.getpid()}")
    try:
        make(tmp)
        os.replace(tmp, out)
        return True
    except OSError as exc:
        log.warning("cannot prepare %s (%s); using the font as installed", out.name, exc.strerror or exc)
        tmp.unlink(missing_ok=True)
        return False


def _remove_stale(out: Path) -> None:
    """Half-written files of a process that was killed while preparing (a power cut, the watchdog)."""
    for tmp in out.parent.glob(out.stem + ".tmp*"):
        pid = tmp.suffix[len(".tmp"):]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            tmp.unlink(missing_ok=True)


def _cjk_sources(tag: str, bold: bool) -> tuple[str, Path, Path]:
    """(face name, the installed collection, where its extracted face is prepared)."""
    face = CJK_FACES.get(tag) or CJK_FACES.get(base_language(tag)) or CJK_FACES["zh"]
    collection = _find(CJK_BOLD_COLLECTION if bold else CJK_COLLECTION)
    if collection is None:
        raise FontMissing(f"{CJK_COLLECTION} is missing: install Debian's fonts-noto-cjk")
    out = font_cache_dir() / (face.replace(" ", "") + ("-Bold" if bold else "-Regular") + ".otf")
    return face, collection, out


def _fresh(prepared: Path, *sources: Path) -> bool:
    return prepared.is_file() and prepared.stat().st_mtime >= max(s.stat().st_mtime for s in sources)


def _cjk_face(tag: str, bold: bool) -> Path:
    face, collection, out = _cjk_sources(tag, bold)
    if _fresh(out, collection):
        return out
    from fontTools.ttLib import TTCollection
    collection_fonts = TTCollection(str(collection), lazy=True)
    for font in collection_fonts.fonts:
        if font["name"].getDebugName(1) == face:
            if _prepare(out, collection.stat().st_size, lambda tmp: font.save(str(tmp))):
                return out
            return collection  # SDL opens its first face: every character, Japanese forms
    raise FontMissing(f"face '{face}' is not in {collection}")


# Latin, Latin-1, Latin Extended-A/B, general punctuation, euro sign.
_LATIN_RANGES = [*range(0x20, 0x250), *range(0x2000, 0x2070), 0x20AC, 0x2116]


def _with_latin(script_font: Path, latin_font: Path) -> Path:
    out = font_cache_dir() / (script_font.stem + "+Latin.ttf")
    if _fresh(out, script_font, latin_font):
        return out
    if _prepare(out, script_font.stat().st_size + latin_font.stat().st_size,
                lambda tmp: _merge_latin(script_font, latin_font, tmp)):
        return out
    return script_font  # Latin runs are then drawn in Noto Sans through markup (kiosk.ui.text)


def _merge_latin(script_font: Path, latin_font: Path, dest: Path) -> None:
    from fontTools import subset
    from fontTools.merge import Merger, Options
    from fontTools.ttLib import TTFont
    latin = TTFont(str(latin_font))
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=_LATIN_RANGES)
    subsetter.subset(latin)
    latin_tmp = dest.with_suffix(f".latin{os.getpid()}")
    latin.save(str(latin_tmp))
    try:
        # The script font comes first: where both have a character, its glyph wins.
        merged = Merger(options=Options(drop_tables=["vmtx", "vhea", "MATH"])).merge(
            [str(script_font), str(latin_tmp)])
    finally:
        latin_tmp.unlink(missing_ok=True)
    merged.save(str(dest))


def _is_cjk(tag: str) -> bool:
    return base_language(tag) in ("zh", "ja", "ko")


@lru_cache(maxsize=32)
def font_for(tag: str) -> FontChoice:
    """The font files that draw text in language `tag`."""
    if _is_cjk(tag):
        return FontChoice(_cjk_face(tag, False), _cjk_face(tag, True), "Noto Sans CJK")
    family = SCRIPT_FONTS.get(base_language(tag), "NotoSans")
    regular, bold = _find(f"{family}-Regular.ttf"), _find(f"{family}-Bold.ttf")
    if regular is None:
        raise FontMissing(f"{family}-Regular.ttf is missing: install Debian's fonts-noto-core")
    bold = bold or regular
    if family != "NotoSans":
        latin, latin_bold = _find("NotoSans-Regular.ttf"), _find("NotoSans-Bold.ttf")
        if latin is None or latin_bold is None:
            raise FontMissing("NotoSans-Regular.ttf is missing: install Debian's fonts-noto-core")
        regular, bold = _with_latin(regular, latin), _with_latin(bold, latin_bold)
    return FontChoice(regular, bold, family)


@dataclass(frozen=True)
class FontFace:
    """One face to read advance widths from: a font file, or a face inside a collection."""
    path: Path
    index: int = 0


def measure_faces(tag: str, bold: bool = False) -> tuple[FontFace, ...]:
    """Faces whose advance widths are those of the font `font_for` draws `tag` with,
    found without preparing anything (so `kiosk validate` never waits for fonts):
    the prepared file when it is there and fresh; else the installed sources, the
    first face listed winning where two have a character (as in the merge)."""
    if _is_cjk(tag):
        face, collection, prepared = _cjk_sources(tag, bold)
        if _fresh(prepared, collection):
            return (FontFace(prepared),)
        return (FontFace(collection, _face_index(collection, face)),)
    family = SCRIPT_FONTS.get(base_language(tag), "NotoSans")
    weight = "Bold" if bold else "Regular"
    script = _find(f"{family}-{weight}.ttf") or _find(f"{family}-Regular.ttf")
    if script is None:
        raise FontMissing(f"{family}-Regular.ttf is missing: install Debian's fonts-noto-core")
    if family == "NotoSans":
        return (FontFace(script),)
    latin = _find(f"NotoSans-{weight}.ttf")
    if latin is None:
        raise FontMissing("NotoSans-Regular.ttf is missing: install Debian's fonts-noto-core")
    prepared = font_cache_dir() / (script.stem + "+Latin.ttf")
    if _fresh(prepared, script, latin):
        return (FontFace(prepared),)
    return (FontFace(script), FontFace(latin))


@lru_cache(maxsize=8)
def _face_index(collection: Path, face: str) -> int:
    from fontTools.ttLib import TTCollection
    for index, font in enumerate(TTCollection(str(collection), lazy=True).fonts):
        if font["name"].getDebugName(1) == face:
            return index
    raise FontMissing(f"face '{face}' is not in {collection}")


def prepare_fonts(tags: Iterable[str], keep_alive: Callable[[], object] = lambda: None) -> None:
    """Prepare the fonts of `tags` now. Quick when they are ready; on a first start (or
    after an update of the system fonts) this is where the slow work happens (over a
    minute on a Pi), before the window opens and the watchdog starts, rather than under
    a visitor's tap on Language. `keep_alive` is called before each language (systemd's
    EXTEND_TIMEOUT_USEC). A missing font is left for `kiosk doctor` to report."""
    for tag in tags:
        keep_alive()
        try:
            font_for(tag)
        except FontMissing:
            pass

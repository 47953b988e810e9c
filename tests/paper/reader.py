"""Reading a PDF the way a person or their tools would: poppler's pdftotext,
pdffonts and pdftoppm, and a real QR decoder (zxing-cpp) on the rasterised pages."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# pdftotext marks right-to-left runs with Unicode embedding controls; a reader never sees them.
_BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def kiosk(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`kiosk ...` in a subprocess that writes only under `tmp`."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp), "LANTERN_DATA": str(tmp / "data"),
           "TMPDIR": str(tmp / "tmp"),
           # The fonts lantern.sh prepared (tests/conftest.py), not a second copy.
           "LANTERN_FONT_CACHE": os.environ.get("LANTERN_FONT_CACHE",
                                                str(Path(sys.prefix) / "share" / "lantern" / "fonts")),
           "LANG": "C.UTF-8"}
    (tmp / "data").mkdir(exist_ok=True)
    (tmp / "tmp").mkdir(exist_ok=True)
    return subprocess.run([sys.executable, "-m", "kiosk.cli", *args], capture_output=True, text=True,
                          timeout=600, cwd=ROOT, env=env)


def kiosk_without(module: str, tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`kiosk ...` in a process where `module` (an optional extra's library) cannot be imported."""
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        f"        if name == {module!r} or name.startswith({module + '.'!r}):\n"
        f"            raise ModuleNotFoundError('No module named {module}', name={module!r})\n"
        "sys.meta_path.insert(0, Block())\n"
        "from kiosk.cli import main\n"
        f"sys.exit(main({list(args)!r}))\n")
    env = {**os.environ, "LANTERN_DATA": str(tmp), "TMPDIR": str(tmp)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=120)


def text(pdf: Path, *options: str) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", *options, str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    return _BIDI_CONTROLS.sub("", out)


def squeeze(s: str) -> str:
    """Text with no white space: line breaks fall between words (or between CJK characters)."""
    return re.sub(r"\s+", "", _BIDI_CONTROLS.sub("", s))


def sentences(s: str) -> list[str]:
    """A string's pieces between punctuation, squeezed. Within a line, pdftotext orders the pieces of
    right-to-left text around a full stop by its own rules; the words of each piece keep their order."""
    return [squeeze(p) for p in re.split(r"[.,،؟?!:;]", s) if squeeze(p)]


def has_marks(s: str) -> bool:
    """Arabic vowel marks (harakat, tanween): extraction may place them apart from their letter."""
    return bool(re.search("[\u064b-\u0652]", s))


@dataclass(frozen=True)
class Font:
    name: str
    type: str
    embedded: bool
    subset: bool
    unicode: bool


def fonts(pdf: Path) -> list[Font]:
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        # name, type (may hold spaces), encoding, emb, sub, uni, object ID
        m = re.match(r"^(\S+)\s+(.+?)\s+(\S+)\s+(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+$", line)
        assert m, f"unreadable pdffonts line: {line!r}"
        rows.append(Font(m.group(1), m.group(2), m.group(4) == "yes", m.group(5) == "yes", m.group(6) == "yes"))
    return rows


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class Page:
    width: float
    height: float
    words: tuple[Word, ...]


def pages(pdf: Path) -> list[Page]:
    """Every word with its box, in PDF points, per page (pdftotext -bbox)."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    out = []
    for i, m in enumerate(re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', html, re.S)):
        words = tuple(Word(i + 1, w[4], float(w[0]), float(w[1]), float(w[2]), float(w[3])) for w in re.findall(
            r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">(.*?)</word>', m.group(3)))
        out.append(Page(float(m.group(1)), float(m.group(2)), words))
    return out


def outside(pdf: Path, margin: float, slack: float = 1.0) -> list[Word]:
    """Words that reach into the page's margins."""
    bad = []
    for page in pages(pdf):
        lo, hi_x, hi_y = margin - slack, page.width - margin + slack, page.height - margin + slack
        bad += [w for w in page.words if w.x0 < lo or w.y0 < lo or w.x1 > hi_x or w.y1 > hi_y]
    return bad


def overlaps(pdf: Path) -> list[tuple[Word, Word]]:
    """Pairs of words on different lines whose boxes cross: text drawn over text."""
    bad = []
    for page in pages(pdf):
        words = sorted(page.words, key=lambda w: w.y0)
        for i, a in enumerate(words):
            for b in words[i + 1:]:
                if b.y0 >= a.y1:
                    break
                if abs(a.y0 - b.y0) < 1.0:
                    continue  # the same line
                dx = min(a.x1, b.x1) - max(a.x0, b.x0)
                dy = min(a.y1, b.y1) - max(a.y0, b.y0)
                # Font boxes include ascent and descent, so lines touch; a real overlap is deep.
                if dx > 1.0 and dy > 0.6 * min(a.y1 - a.y0, b.y1 - b.y0):
                    bad.append((a, b))
    return bad


def qr_payloads(pdf: Path, tmp: Path, dpi: int) -> set[str]:
    """What a phone would read: rasterise every page, decode every QR code on it."""
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image
    prefix = tmp / f"{pdf.stem}-r{dpi}"
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(pdf), str(prefix)], check=True)
    found = set()
    for png in sorted(tmp.glob(f"{prefix.name}-*.png")):
        for result in zxingcpp.read_barcodes(Image.open(png)):
            assert result.format == zxingcpp.BarcodeFormat.QRCode, f"{png.name}: {result.format} is not a full QR code"
            found.add(result.text)
    return found


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]


def page_size(pdf: Path) -> tuple[float, float]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    m = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.M)
    assert m
    return float(m.group(1)), float(m.group(2))

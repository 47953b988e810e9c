"""`kiosk preview --all`: every screen and overlay, for two languages at 800x480, in one process."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from kiosk.content.builtin import builtin_root
from tests.ui.uihelp import read_png

LANGS = ("en", "ar")


def test_every_screen_and_overlay_of_two_languages_and_the_index(tmp_path: Path) -> None:
    from kiosk.content.packs import open_pack
    pack = open_pack(builtin_root()).pack
    out = tmp_path / "sheet"
    env = {**os.environ, "LANTERN_DATA": str(tmp_path / "data"), "TMPDIR": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "kiosk.cli", "preview", "--all", "--out", str(out),
                           "--lang", ",".join(LANGS), "--size", "800x480"],
                          capture_output=True, text=True, timeout=600, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr

    with_contacts = {n for n, node in pack.nodes.items() if node.contacts}
    start = "home"
    expected = {f"{n}.png" for n in pack.nodes}
    expected |= {f"{start}+languages.png", f"{start}+did_you_mean.png"}
    expected |= {f"{n}+{o}.png" for n in with_contacts for o in ("qr_warning", "qr")}
    for tag in LANGS:
        assert {p.name for p in (out / tag).iterdir()} == expected, tag
        for path in (out / tag).iterdir():
            pixels = read_png(path.read_bytes())
            assert (pixels.width, pixels.height) == (800, 480)
            assert len(pixels.colours()) > 20, f"{path}: a blank screen"
    # The overlays are drawn, not the page under them again.
    assert (out / "en" / "hotline+qr.png").read_bytes() != (out / "en" / "hotline.png").read_bytes()
    assert (out / "en" / "home+languages.png").read_bytes() != (out / "en" / "home.png").read_bytes()

    index = (out / "index.html").read_text("utf-8")
    links = set(re.findall(r'href="([^"#]+)"', index))
    assert links == {f"{tag}/{name}" for tag in LANGS for name in expected}
    count = len(expected) * len(LANGS)
    assert re.search(rf"^{count} images in 2 languages at 800x480 in [\d.]+ s$", proc.stdout, re.M), proc.stdout


def test_preview_all_says_what_is_wrong_in_one_line(tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "kiosk.cli", "preview", *args], capture_output=True,
                              text=True, timeout=120,
                              env={**os.environ, "LANTERN_DATA": str(tmp_path / "data"), "TMPDIR": str(tmp_path)})
    bad_lang = run("--all", "--out", str(tmp_path / "s"), "--lang", "en,xx")
    assert bad_lang.returncode == 1 and bad_lang.stderr.startswith("kiosk: unknown language 'xx'")
    assert "Traceback" not in bad_lang.stderr
    with_node = run("--all", "--out", str(tmp_path / "s"), "--node", "hotline")
    assert with_node.returncode == 2 and "leave out --node" in with_node.stderr
    several = run("--out", str(tmp_path / "one.png"), "--lang", "en,ar")
    assert several.returncode == 2 and "need --all" in several.stderr

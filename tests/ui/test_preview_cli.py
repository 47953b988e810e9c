"""`kiosk preview` in subprocesses: every language that exists, at two sizes, and its errors."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from kiosk.content.builtin import builtin_root
from tests.ui.uihelp import Pixels, close_to, hex_rgb, read_png

WANTED_LANGUAGES = ("en", "es", "ar", "ko", "zh-Hans")
SIZES = ("800x480", "1280x800")


def existing_languages() -> list[str]:
    import yaml
    manifest = yaml.safe_load((builtin_root() / "pack.yaml").read_text("utf-8"))
    have = set(manifest.get("languages") or ())
    return [tag for tag in WANTED_LANGUAGES
            if tag in have and (builtin_root() / "locales" / f"{tag}.yaml").is_file()]


def preview(kiosk_cmd: list[str], out: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*kiosk_cmd, "preview", "--out", str(out), *args],
                          capture_output=True, text=True, timeout=120)


def assert_drawn(pixels: Pixels, width: int, height: int) -> None:
    from kiosk.ui.theme import PALETTE
    assert (pixels.width, pixels.height) == (width, height)
    colours = pixels.colours()
    assert len(colours) > 20, "nearly a single colour: a blank or broken screen"
    header = hex_rgb(PALETTE.header)
    top = list(pixels.region(0, 2, width, 3))
    assert sum(close_to(p, header) for p in top) > width // 4  # the header strip is at the top
    ink = sum(1 for p in pixels.region(0, 80, width, 160) if sum(p) < 200)
    assert ink > 300, "no dark text where the title should be"


@pytest.fixture(scope="module")
def previews(tmp_path_factory) -> dict[tuple[str, str, str], tuple[subprocess.CompletedProcess, Path]]:
    """Neutral and hotline screens for each language and size, two processes at a time."""
    kiosk_cmd = [sys.executable, "-m", "kiosk.cli"]
    out_dir = tmp_path_factory.mktemp("previews")
    jobs = [(lang, size, node) for lang in existing_languages() for size in SIZES
            for node in ("home", "hotline")]

    def run(job):
        lang, size, node = job
        out = out_dir / f"{node}-{lang}-{size}.png"
        return job, (preview(kiosk_cmd, out, "--lang", lang, "--size", size, "--node", node), out)

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(run, jobs))


@pytest.mark.parametrize("lang", WANTED_LANGUAGES)
@pytest.mark.parametrize("size", SIZES)
def test_preview_draws_each_language_at_each_size(previews, lang, size):
    assert lang in existing_languages(), f"the built-in pack must have '{lang}'"
    width, height = map(int, size.split("x"))
    home_run, home_png = previews[(lang, size, "home")]
    hot_run, hot_png = previews[(lang, size, "hotline")]
    for run in (home_run, hot_run):
        assert run.returncode == 0, run.stderr
        assert "Traceback" not in run.stderr
    home, hotline = read_png(home_png.read_bytes()), read_png(hot_png.read_bytes())
    assert_drawn(home, width, height)
    assert_drawn(hotline, width, height)
    assert home.rows != hotline.rows
    from kiosk.ui.theme import PALETTE
    # Close (slate) in the top-right corner of the hotline screen, never on the neutral one.
    corner = list(hotline.region(width - 60, 10, width - 20, 60))
    assert sum(close_to(p, hex_rgb(PALETTE.exit_bg)) for p in corner) > len(corner) // 2
    corner = list(home.region(width - 60, 10, width - 20, 60))
    assert sum(close_to(p, hex_rgb(PALETTE.exit_bg)) for p in corner) < len(corner) // 10


def test_preview_portrait_and_default_screen(kiosk_cmd, tmp_path):
    out = tmp_path / "portrait.png"
    run = preview(kiosk_cmd, out, "--size", "480x800", "--node", "safety")
    assert run.returncode == 0, run.stderr
    assert_drawn(read_png(out.read_bytes()), 480, 800)


def test_preview_errors_are_one_clear_line(kiosk_cmd, tmp_path):
    out = tmp_path / "x.png"
    run = preview(kiosk_cmd, out, "--node", "no_such_screen")
    assert run.returncode == 1 and not out.exists()
    assert run.stderr.startswith("kiosk: no screen 'no_such_screen'") and "Traceback" not in run.stderr
    run = preview(kiosk_cmd, out, "--lang", "xx")
    assert run.returncode == 1 and run.stderr.startswith("kiosk: unknown language 'xx'")
    run = preview(kiosk_cmd, out, "--pack", str(tmp_path / "nothing"))
    assert run.returncode == 1 and "no pack here" in run.stderr
    run = preview(kiosk_cmd, tmp_path / "missing" / "x.png")
    assert run.returncode == 1 and "no such folder" in run.stderr
    run = preview(kiosk_cmd, out, "--size", "big")
    assert run.returncode == 2 and "800x480" in run.stderr


def test_preview_of_another_pack(kiosk_cmd, tmp_path, fixtures):
    out = tmp_path / "tiny.png"
    run = preview(kiosk_cmd, out, "--pack", str(fixtures / "packs" / "tiny"), "--node", "hotline")
    assert run.returncode == 0, run.stderr
    assert_drawn(read_png(out.read_bytes()), 800, 480)

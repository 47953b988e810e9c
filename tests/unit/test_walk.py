"""`kiosk walk`: the same flows in a terminal, driven through stdin."""

from __future__ import annotations

import subprocess
import sys

from kiosk.content.packs import open_pack
from kiosk.walk import parse_command, render_text
from kiosk.session import Back, Choose, Home, QuickExit, Session, SetLanguage


def run_walk(stdin: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk.cli", "walk", *args], input=stdin,
                          capture_output=True, text=True, timeout=60)


def test_parse_command() -> None:
    assert parse_command("2") == Choose(2)
    assert parse_command(" back ") == Back()
    assert parse_command("home") == Home()
    assert parse_command("exit") == QuickExit()
    assert parse_command("lang es") == SetLanguage("es")
    assert parse_command("") is None
    assert parse_command("quit") == "quit"
    assert parse_command("dance") == "help"


def test_walk_to_the_hotline_and_exit() -> None:
    pack = open_pack().pack
    assert pack is not None
    s = Session(pack)
    safety = next(o.number for o in s.view().options if o.target == "safety")
    s.handle(Choose(safety))
    hotline = next(o.number for o in s.view().options if o.target == "hotline")
    result = run_walk(f"{safety}\n{hotline}\nlang es\nexit\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "[safety]" in out and "[hotline]" in out
    assert "1-888-3737-888" in out and "233733" in out
    assert "[hotline] (contact, es)" in out
    assert out.rstrip().endswith(">")  # clean end at end of input
    assert "Traceback" not in result.stderr


def test_walk_reports_bad_input_and_carries_on() -> None:
    result = run_walk("99\nlang xx\nfly\n1\n")
    assert result.returncode == 0
    assert "no option 99 here" in result.stdout
    assert "unknown language 'xx'" in result.stdout
    assert "commands:" in result.stdout


def test_walk_lang_flag() -> None:
    result = run_walk("", "--lang", "es")
    assert result.returncode == 0 and "(menu, es)" in result.stdout
    bad = run_walk("", "--lang", "xx")
    assert bad.returncode == 2 and "unknown language" in bad.stdout


def test_walk_refuses_a_broken_pack(tmp_path) -> None:
    (tmp_path / "pack.yaml").write_text("id: [\n", encoding="utf-8")
    result = run_walk("", "--pack", str(tmp_path))
    assert result.returncode == 1
    assert "error:" in result.stderr and "Traceback" not in result.stderr


def test_render_text_shows_exit_only_past_the_neutral_screen() -> None:
    pack = open_pack().pack
    assert pack is not None
    s = Session(pack)
    assert "[Close]" not in render_text(s.view())
    s.handle(Choose(next(o.number for o in s.view().options if o.target == "safety")))
    assert "Close" in render_text(s.view())

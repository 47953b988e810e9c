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


def test_walk_shows_the_language_list_with_each_language_in_its_own_words() -> None:
    from kiosk.view import language_choices
    pack = open_pack().pack
    assert pack is not None
    result = run_walk("lang\nlang ko\n")
    assert result.returncode == 0, result.stderr
    listing = result.stdout.split("[home: languages]")[1]
    for tag, name in language_choices(pack):
        assert f"{tag}" in listing and name in listing
    assert "English  *" in listing  # the language now
    assert "(menu, ko)" in result.stdout


def test_walk_shows_a_services_screen_with_results_and_its_filters(tmp_path) -> None:
    """The Mississippi sample: its directory is built in this test's own data folder."""
    import os
    from pathlib import Path
    ms = Path(__file__).resolve().parents[2] / "examples" / "packs" / "mississippi"
    pack = open_pack(ms).pack
    assert pack is not None
    node = next(n for n in pack.nodes.values() if n.kind == "services")
    path = _path_to(pack, node.id)
    env = {**os.environ, "LANTERN_DATA": str(tmp_path), "TMPDIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "kiosk.cli", "walk", "--pack", str(ms)],
                            input="".join(f"{n}\n" for n in path) + "cat legal\nqr 1\nshow\nclose\n",
                            capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    screens = result.stdout.split("\n[")
    services = next(s for s in screens if s.startswith(f"{node.id}] (services"))
    assert "*All*" in services and "1) Sample" in services and "Call: " in services
    legal = screens[screens.index(services) + 1]
    assert "*Legal help (legal)*" in legal and "Sample Legal Aid Project" in legal
    assert "Sample Coast Counseling Center" not in legal
    assert any(s.startswith(f"{node.id}: qr_warning]") for s in screens)
    assert any(s.startswith(f"{node.id}: qr]") and "tel:+1" in s for s in screens)
    assert "Traceback" not in result.stderr


def _path_to(pack, target: str) -> list[int]:  # noqa: ANN001
    """Option numbers from the neutral screen to `target` (breadth first)."""
    start = pack.manifest.neutral
    paths = {start: []}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for n, option in enumerate(pack.nodes[node].options, start=1):
            if option.to in pack.nodes and option.to not in paths:
                paths[option.to] = paths[node] + [n]
                queue.append(option.to)
    return paths[target]


def test_walk_hears_typed_words_as_voice_does_asking_before_a_doubtful_command() -> None:
    """`say ...`: the same policy as the kiosk's microphone (voice.policy through kiosk.screen)."""
    result = run_walk("say I need help\nsay hotlin\nno\nsay hotlin\nyes\nsay exit\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    pack = open_pack().pack
    assert pack is not None
    en = pack.locales["en"].strings
    # In waiting_room mode the heading (and what is said of it) is the discreet title.
    heading = en["safety.discreet_title"] if pack.manifest.mode == "waiting_room" else en["safety.title"]
    assert "[safety] (menu, en)" in out and f"(says: {heading})" in out
    assert out.count("[safety: did_you_mean]") == 2 and "(says: Did you mean: hotline?)" in out
    assert "[hotline] (contact, en)" in out and "Call: 1, 8 8 8" in out
    last = out.split("\n[")[-1].split("]")[0]
    assert last in pack.manifest.exit_to  # a clear "exit": the quick exit, at once
    assert "Traceback" not in result.stderr

"""`kiosk doctor` as a facility runs it (a subprocess), and its checks one by one.

This machine has no screen and no sound card: the doctor must say so clearly
and exit 1 for the missing display, and pass the display check once a
$DISPLAY is given.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from kiosk.system import doctor as d
from kiosk.system.inputdev import ABS_MT_POSITION_X, ABS_X, ABS_Y, BTN_TOUCH, INPUT_PROP_DIRECT, touchscreens
from tests.system.fshelp import tmpfs

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("kivy", "vosk", "sounddevice", "numpy", "pyttsx3")
CHECK_NAMES = ["display", "touch", "pack", "pack-freshness", "fonts", "disk", "databases", "clock", "speech",
               "microphone", "speaker", "voice", "watchdog", "boot-config", "updates"]
HAS_DRM = any(Path("/dev/dri").glob("card*"))
NOT_SYSTEMD = ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "JOURNAL_STREAM")


def _env(**changes: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", *NOT_SYSTEMD)}
    env.update(changes)
    return env


def _doctor(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk.cli", "doctor", *args], cwd=ROOT, env=_env(**env),
                          capture_output=True, text=True, timeout=120)


# --- the command ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def no_display() -> subprocess.CompletedProcess[str]:
    if HAS_DRM:
        pytest.skip("this machine has a DRM card (/dev/dri/card*): it has a display")
    return _doctor()


def test_no_display_is_reported_and_exits_1(no_display: subprocess.CompletedProcess[str]) -> None:
    out = no_display.stdout
    assert no_display.returncode == 1, out + no_display.stderr
    assert "Traceback" not in out + no_display.stderr
    lines = out.splitlines()
    display = next(i for i, line in enumerate(lines) if line.split()[1:2] == ["display"])
    assert lines[display].startswith("FAIL") and "no screen" in lines[display]
    assert "fix:" in lines[display + 1]
    assert lines[-1].endswith("the kiosk CANNOT serve visitors (display)")
    # One line per check (plus fix lines), in order.
    named = [line.split()[1] for line in lines[1:-1] if not line.lstrip().startswith("fix:")]
    assert named == CHECK_NAMES


def test_no_sound_card_is_a_clear_warning_not_a_failure(no_display: subprocess.CompletedProcess[str]) -> None:
    by_name = {line.split()[1]: line for line in no_display.stdout.splitlines()[1:-1]
               if not line.lstrip().startswith("fix:")}
    for name, meaning in (("microphone", "voice input is not offered"), ("speaker", "not read aloud")):
        status = by_name[name].split()[0]
        assert status in ("ok", "warning")
        if status == "warning":
            assert meaning in by_name[name]


def test_a_display_passes_the_display_check() -> None:
    done = _doctor(DISPLAY=":99")
    first_check = done.stdout.splitlines()[1]
    assert first_check.split()[:2] == ["ok", "display"] and "$DISPLAY=:99" in first_check
    # Pack, fonts and disk are fine here, so nothing else stops the kiosk: voice is only a warning.
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1].endswith("the kiosk can serve visitors")


def test_json_reads_nothing_heavy_and_writes_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"  # not made yet: the doctor must not make it
    code = ("import sys, contextlib, io\n"
            "from kiosk.cli import main\n"
            "out = io.StringIO()\n"
            "with contextlib.redirect_stdout(out):\n"
            "    code = main(['doctor', '--json'])\n"
            "print(out.getvalue())\n"
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))\n"
            "sys.exit(code)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_env(LANTERN_DATA=str(data)),
                          capture_output=True, text=True, timeout=120)
    *report, heavy = done.stdout.strip().splitlines()
    assert heavy == "[]", heavy
    result = json.loads("\n".join(report))
    assert [c["name"] for c in result["checks"]] == CHECK_NAMES
    assert result["data_dir"] == str(data)
    assert result["can_serve"] is (done.returncode == 0)
    for check in result["checks"]:
        assert check["status"] in ("ok", "warning", "fail")
        assert check["message"]
        if check["status"] != "ok":
            assert check["fix"], check
        if check["status"] == "fail":
            assert check["blocking"], check
    assert not data.exists(), "the doctor wrote to the data directory"


def test_a_full_disk_fails(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "data", "8m") as data:
        done = _doctor(DISPLAY=":99", LANTERN_DATA=str(data))
    disk = next(line for line in done.stdout.splitlines() if line.split()[1:2] == ["disk"])
    assert disk.startswith("FAIL") and "MB free" in disk
    assert done.returncode == 1
    assert done.stdout.splitlines()[-1].endswith("CANNOT serve visitors (disk)")


# --- the checks, in-process ------------------------------------------------------------------

@pytest.fixture(scope="module")
def start_pack() -> d.StartPack:
    return d._find_start_pack(dt.date.today())


@pytest.fixture
def ctx(tmp_path: Path, start_pack: d.StartPack) -> d.Context:
    context = d.Context(data_dir=tmp_path, environ={"PATH": os.environ.get("PATH", "")},
                        dri_dir=tmp_path / "dri", drm_sysfs=tmp_path / "sys-drm",
                        input_devices=tmp_path / "input-devices", systemd_run_dir=tmp_path / "no-systemd")
    context._start = start_pack
    return context


def test_display_from_drm(ctx: d.Context) -> None:
    assert d.check_display(ctx).status == "fail"
    ctx.dri_dir.mkdir()
    (ctx.dri_dir / "card0").touch()
    (ctx.dri_dir / "renderD128").touch()
    assert d.check_display(ctx).status == "ok"  # connector state unknown: trust the card
    for name, state in (("card0-HDMI-A-1", "disconnected"), ("card0-DSI-1", "disconnected")):
        (ctx.drm_sysfs / name).mkdir(parents=True)
        (ctx.drm_sysfs / name / "status").write_text(state + "\n")
    unplugged = d.check_display(ctx)
    assert unplugged.status == "fail" and "no screen connected" in unplugged.message and unplugged.fix
    (ctx.drm_sysfs / "card0-DSI-1" / "status").write_text("connected\n")
    plugged = d.check_display(ctx)
    assert plugged.status == "ok" and plugged.message.endswith("card0, screen on DSI-1")


def _bitmap(bits: set[int], long_bits: int) -> str:
    words = [0] * (max(bits) // long_bits + 1 if bits else 1)
    for bit in bits:
        words[bit // long_bits] |= 1 << (bit % long_bits)
    return " ".join(f"{w:x}" for w in reversed(words))


def _device(name: str, handlers: str, long_bits: int, abs_bits: set[int], key_bits: set[int],
            prop_bits: set[int]) -> str:
    return (f'I: Bus=0003 Vendor=0eef Product=0005 Version=0111\nN: Name="{name}"\nP: Phys=usb-1/input0\n'
            f"S: Sysfs=/devices/x\nU: Uniq=\nH: Handlers={handlers}\nB: PROP={_bitmap(prop_bits, long_bits)}\n"
            f"B: EV=b\nB: KEY={_bitmap(key_bits, long_bits)}\nB: ABS={_bitmap(abs_bits, long_bits)}\n")


@pytest.mark.parametrize("long_bits", [32, 64])
def test_touchscreens_are_found_in_proc_bus_input(long_bits: int) -> None:
    keyboard = _device("USB Keyboard", "sysrq kbd event0", long_bits, set(), {30, 31, 32}, set())
    touchpad = _device("Touchpad", "mouse0 event1", long_bits, {ABS_X, ABS_Y, ABS_MT_POSITION_X},
                       {BTN_TOUCH}, {0})  # INPUT_PROP_POINTER: a touchpad, not a screen
    panel = _device("ILITEK Multi-Touch", "mouse1 event2", long_bits,
                    {ABS_X, ABS_Y, 0x2F, ABS_MT_POSITION_X, 0x36, 0x39}, {BTN_TOUCH}, {INPUT_PROP_DIRECT})
    resistive = _device("ADS7846 Touchscreen", "mouse2 event3", long_bits, {ABS_X, ABS_Y, 0x18},
                        {BTN_TOUCH}, set())  # an old single-touch driver: no properties at all
    found = touchscreens("\n".join([keyboard, touchpad, panel, resistive]), long_bits)
    assert [(t.name, t.multitouch, str(t.event_node)) for t in found] == [
        ("ILITEK Multi-Touch", True, "/dev/input/event2"), ("ADS7846 Touchscreen", False, "/dev/input/event3")]


def test_touch_check(ctx: d.Context) -> None:
    from kiosk.system.inputdev import kernel_long_bits
    bits = kernel_long_bits()
    missing = d.check_touch(ctx)
    assert missing.status == "warning" and "cannot read" in missing.message
    ctx.input_devices.write_text(_device("USB Keyboard", "kbd event0", bits, set(), {30}, set()))
    none = d.check_touch(ctx)
    assert none.status == "warning" and "no touchscreen" in none.message and none.fix
    ctx.input_devices.write_text(_device("raspberrypi-ts", "mouse0 event9", bits,
                                         {ABS_X, ABS_Y, ABS_MT_POSITION_X}, {BTN_TOUCH}, {INPUT_PROP_DIRECT}))
    found = d.check_touch(ctx)
    assert found.status == "ok" and "raspberrypi-ts, multitouch" in found.message


def test_disk_thresholds(ctx: d.Context, monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.statvfs(ctx.data_dir)

    def statvfs_with(free: int):
        fake = os.statvfs_result((real.f_bsize, 4096, real.f_blocks, free // 4096, free // 4096,
                                  real.f_files, real.f_ffree, real.f_favail, real.f_flag, real.f_namemax))
        return lambda _path: fake

    assert d.check_disk(ctx).status == "ok"
    monkeypatch.setattr("kiosk.system.storage.os.statvfs", statvfs_with(150 * d.MB))
    low = d.check_disk(ctx)
    assert low.status == "warning" and "150 MB free" in low.message and low.fix
    monkeypatch.setattr("kiosk.system.storage.os.statvfs", statvfs_with(10 * d.MB))
    full = d.check_disk(ctx)
    assert full.status == "fail" and "10 MB free" in full.message and full.fix


def test_disk_on_a_real_small_file_system(ctx: d.Context, tmp_path: Path) -> None:
    with tmpfs(tmp_path / "small", "16m") as small:
        assert d.check_disk(replace(ctx, data_dir=small / "lantern")).status == "fail"
    with tmpfs(tmp_path / "medium", "100m") as medium:
        check = d.check_disk(replace(ctx, data_dir=medium / "lantern"))
        assert check.status == "warning" and "not created yet" in check.message


def test_clock_before_the_pack_was_verified(ctx: d.Context) -> None:
    assert d.check_clock(ctx).status == "ok"
    ctx.today = dt.date(1970, 1, 1)  # a Raspberry Pi without a real-time clock, no network yet
    wrong = d.check_clock(ctx)
    assert wrong.status == "warning" and "1970-01-01" in wrong.message and "timedatectl" in (wrong.fix or "")


def test_watchdog_check(ctx: d.Context) -> None:
    outside = d.check_watchdog(ctx)
    assert outside.status == "warning" and "not running under systemd" in outside.message
    ctx.environ = {"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": str(os.getpid()), "NOTIFY_SOCKET": "/run/x"}
    assert d.check_watchdog(ctx) == d.Check("watchdog", "ok", "running under systemd with a 30 s watchdog")


def test_font_check_agrees_with_font_for(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The doctor's read-only font check must say what kiosk.i18n.fonts.font_for would do."""
    from kiosk.i18n import fonts
    languages = ["en", "es", "zh-Hans", "zh-Hant", "vi", "tl", "ko", "ar", "ru", "ht", "fr", "pt"]
    assert all(d.missing_font_files(tag) == [] for tag in languages)  # Debian's Noto fonts are installed here
    # A machine with only Noto Sans: the Latin languages work, CJK and Arabic do not, in both.
    only_latin = tmp_path / "noto"
    only_latin.mkdir()
    for name in ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"):
        real = next(folder / name for folder in fonts.NOTO_DIRS if (folder / name).is_file())
        (only_latin / name).symlink_to(real)
    monkeypatch.setattr(fonts, "NOTO_DIRS", (only_latin,))
    fonts.font_for.cache_clear()
    try:
        for tag in languages:
            missing = d.missing_font_files(tag)
            if missing:
                with pytest.raises(fonts.FontMissing):
                    fonts.font_for(tag)
            else:
                assert fonts.font_for(tag).regular.name.startswith("NotoSans")
        assert d.missing_font_files("en") == [] and d.missing_font_files("ko") and d.missing_font_files("ar")
    finally:
        fonts.font_for.cache_clear()


def test_missing_fonts_stop_the_kiosk(ctx: d.Context, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from kiosk.i18n import fonts
    monkeypatch.setattr(fonts, "NOTO_DIRS", (tmp_path / "empty",))
    ctx.environ = {**ctx.environ, "DISPLAY": ":99"}
    ctx._probe = object()  # not reached: the sound checks are not part of this run
    checks = [d.run_check(func, blocking, ctx) for func, blocking in d.CHECKS
              if func in (d.check_display, d.check_pack, d.check_fonts)]
    fonts_check = next(c for c in checks if c.name == "fonts")
    assert fonts_check.status == "fail" and fonts_check.fix == d.APT_FONTS
    assert d.exit_code(checks) == 1 and "CANNOT serve visitors (fonts)" in d.summary(checks)


def test_only_the_four_essentials_can_fail() -> None:
    def broken(_ctx: d.Context) -> d.Check:
        raise RuntimeError("boom")

    def claims_failure(_ctx: d.Context) -> d.Check:
        return d.Check("claims-failure", "fail", "no microphone", "plug one in")

    ctx = d.Context(data_dir=Path("/nonexistent"))
    assert d.run_check(broken, False, ctx).status == "warning"
    crashed = d.run_check(broken, True, ctx)
    assert crashed.status == "fail" and "RuntimeError: boom" in crashed.message and crashed.fix
    assert d.run_check(claims_failure, False, ctx).status == "warning"
    warnings_only = [d.Check("microphone", "warning", "none", "plug one in"), d.Check("display", "ok", "yes")]
    assert d.exit_code(warnings_only) == 0 and d.can_serve(warnings_only)


def test_voice_probe_runs_apart_and_survives_a_broken_child() -> None:
    from kiosk.system import voiceprobe
    real = voiceprobe.probe()
    assert real.microphone.text and real.speaker.text
    garbage = voiceprobe.collect(subprocess.Popen([sys.executable, "-c", "print('not json')"],
                                                  stdout=subprocess.PIPE, text=True))
    assert not garbage.microphone.available and "probe failed" in garbage.microphone.text
    hung = voiceprobe.collect(subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"],
                                               stdout=subprocess.PIPE, text=True), timeout=0.5)
    assert not hung.speaker.available and "took over" in hung.speaker.text


def test_voice_check_reads_the_voice_status_lines(ctx: d.Context) -> None:
    from kiosk.system.voiceprobe import DeviceState, Probe, VoiceState
    device = DeviceState(True, "input: USB mic")
    ctx._probe = Probe(device, device, VoiceState(True, [("ok", "en: model ok"), ("ok", "es: model ok")]))
    assert d.check_voice(ctx).status == "ok"
    ctx._probe = Probe(device, device, VoiceState(True, [("ok", "en: model ok"), ("error", "ko: model is corrupt")]))
    broken = d.check_voice(ctx)
    assert broken.status == "warning" and "ko: model is corrupt" in broken.message and broken.fix
    ctx._probe = Probe(device, device, VoiceState(False, reason="not available in this build"))
    assert "not available in this build" in d.check_voice(ctx).message


def test_without_the_voice_extra_the_doctor_says_so(ctx: d.Context) -> None:
    """Not "plug in a USB microphone": the software is missing, not the hardware (issue #12)."""
    ctx.voice_packages = ("vosk", "lantern_no_such_package")
    ctx._probe = object()  # not asked: the answer does not depend on the sound devices
    for check in (d.check_microphone(ctx), d.check_voice(ctx)):
        assert check.status == "warning"
        assert "'voice' extra is not installed (no lantern_no_such_package)" in check.message
        assert "USB" not in check.message + (check.fix or "") and "voice" in (check.fix or "")


def test_corrupt_databases_are_reported_read_only(ctx: d.Context, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3
    sound = tmp_path / "sound.sqlite"
    conn = sqlite3.connect(sound)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    assert d.database_state(sound) is None
    assert d.database_state(tmp_path / "absent.sqlite") is None
    data = tmp_path / "data"
    monkeypatch.setenv("LANTERN_DATA", str(data))
    assert d.check_databases(ctx).status == "ok"
    counts = data / "counts" / "daily.sqlite"
    counts.parent.mkdir(parents=True)
    counts.write_bytes(b"not a database, after a power cut" * 200)
    before = sorted(p.name for p in counts.parent.iterdir())
    broken = d.check_databases(ctx)
    assert broken.status == "warning" and "daily counts database corrupt" in broken.message
    assert "reset" in (broken.fix or "")
    assert sorted(p.name for p in counts.parent.iterdir()) == before  # nothing written next to it

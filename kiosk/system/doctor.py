"""`kiosk doctor`: can this device serve visitors, and if not, what to do about it.

Each check looks at one thing (screen, touch, fonts, pack, disk, clock, sound,
the service, the boot-partition configuration, pack updates) and says ok / warning / fail in one line, with a "fix" line for
anything not ok. Only four things stop the kiosk from serving, and only they
can fail: no display, no usable pack, missing fonts, a full disk. Everything
else (voice, touch, clock, watchdog) is a warning, because the kiosk still
shows its screens without it.

The doctor reads and never writes: it may run as root against the kiosk's data
directory, and a root-owned file left there (a font cache, a lock) would later
stop the kiosk's own user from replacing it. It never sees visitor data, does
not import Kivy, audio or speech libraries (sound and voice are probed in a
child process), and finishes in a second or two.

`--prometheus` gives the same facts as node_exporter textfile gauges
(kiosk.system.prometheus): device health only, nothing about visitors.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import pwd
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from kiosk.system import bootconfig, voiceprobe
from kiosk.system.inputdev import DEVICES_FILE, touchscreens
from kiosk.system.storage import existing_ancestor, free_bytes

if TYPE_CHECKING:
    from kiosk.content.model import Pack

Status = Literal["ok", "warning", "fail"]
UNIT = "lantern-kiosk.service"
MB = 1024 * 1024
DISK_WARN_BYTES = 200 * MB
DISK_FAIL_BYTES = 20 * MB
APT_FONTS = "sudo apt install fonts-noto-core fonts-noto-cjk"


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    message: str
    fix: str | None = None  # how to fix it; always given when status is not "ok"
    blocking: bool = False  # a "fail" here means the kiosk cannot serve visitors


@dataclass
class StartPack:
    """The pack the kiosk would start with, as far as the doctor can tell."""

    path: Path | None  # None: the built-in pack
    pack: Pack | None  # None when nothing loads
    problems: list[str]  # why nothing loads
    warnings: list[str]  # from pack selection: packs not used and why, expiry, keys
    created: dt.date | None = None  # when an installed pack was signed (None: the built-in pack)


@dataclass
class Context:
    """What the checks look at; tests point these at fakes."""

    data_dir: Path
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    dri_dir: Path = Path("/dev/dri")
    drm_sysfs: Path = Path("/sys/class/drm")
    input_devices: Path = DEVICES_FILE
    systemd_run_dir: Path = Path("/run/systemd/system")
    today: dt.date = field(default_factory=dt.date.today)
    python: str = sys.executable
    boot_file: Path = bootconfig.BOOT_FILE
    # Raspberry Pi firmware's throttling flags: sysfs on recent kernels, else vcgencmd.
    throttled_file: Path = Path("/sys/devices/platform/soc/soc:firmware/get_throttled")
    vcgencmd: str = "vcgencmd"
    zoneinfo: Path = Path("/usr/share/zoneinfo")
    # Python packages of the 'voice' extra; tests name one that is not installed.
    voice_packages: tuple[str, ...] = ("vosk", "sounddevice")
    _start: StartPack | None = None
    _probe: voiceprobe.Probe | None = None
    _probe_proc: subprocess.Popen[str] | None = None

    def start_pack(self) -> StartPack:
        if self._start is None:
            self._start = _find_start_pack(self.today)
        return self._start

    def start_voice_probe(self) -> None:
        """Start the sound and voice probe early: it runs in a child process while other checks run."""
        if self._probe is None and self._probe_proc is None:
            try:
                self._probe_proc = voiceprobe.start(self.python)
            except OSError:
                self._probe_proc = None  # voice_probe() tries again and says why

    def voice_probe(self) -> voiceprobe.Probe:
        if self._probe is None:
            if self._probe_proc is not None:
                self._probe = voiceprobe.collect(self._probe_proc)
                self._probe_proc = None
            else:
                self._probe = voiceprobe.probe(self.python)
        return self._probe


def _user() -> str:
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return str(os.geteuid())


def missing_voice_packages(ctx: Context) -> list[str]:
    """The 'voice' extra's packages that are not installed (found without importing them)."""
    return [name for name in ctx.voice_packages if importlib.util.find_spec(name) is None]


VOICE_EXTRA_FIX = ("install Lantern with its 'voice' extra: the Debian package lantern-kiosk has it; "
                   "from a checkout, ./lantern.sh setup run (pip install '.[voice]')")


# --- display -------------------------------------------------------------------------------

def _connectors(drm_sysfs: Path) -> dict[str, str]:
    """"card1-HDMI-A-1" -> "connected" / "disconnected" / "unknown", from sysfs."""
    states: dict[str, str] = {}
    for status_file in sorted(drm_sysfs.glob("card*-*/status")):
        try:
            states[status_file.parent.name] = status_file.read_text().strip()
        except OSError:
            continue
    return states


def check_display(ctx: Context) -> Check:
    for var in ("WAYLAND_DISPLAY", "DISPLAY"):
        if ctx.environ.get(var):
            return Check("display", "ok", f"desktop session: ${var}={ctx.environ[var]}")
    cards = sorted(ctx.dri_dir.glob("card*"))
    if not cards:
        return Check("display", "fail",
                     f"no screen: no KMS/DRM device ({ctx.dri_dir}/card*) and neither $DISPLAY nor "
                     "$WAYLAND_DISPLAY is set",
                     "connect the screen and turn on the KMS driver (Raspberry Pi: "
                     "dtoverlay=vc4-kms-v3d in /boot/firmware/config.txt), then reboot; see docs/device.md")
    usable = [card for card in cards if os.access(card, os.R_OK | os.W_OK)]
    if not usable:
        return Check("display", "fail", f"user {_user()} cannot open {cards[0]}",
                     "add the kiosk's user to the 'video' and 'render' groups "
                     "(systemd/lantern.sysusers.conf does this for 'lantern')")
    states = _connectors(ctx.drm_sysfs)
    # A Pi 5's card0 only renders; the card with connectors is the one that shows the picture.
    connected = [name for name, state in states.items() if state == "connected"]
    if states and all(state == "disconnected" for state in states.values()):
        return Check("display", "fail", f"no screen connected ({', '.join(states)}: disconnected)",
                     "check the screen's cable and power, then: sudo systemctl restart lantern-kiosk")
    if not connected:
        return Check("display", "ok", f"KMS/DRM {', '.join(c.name for c in usable)} (connector state unknown)")
    card, _, connector = connected[0].partition("-")
    return Check("display", "ok", f"KMS/DRM {ctx.dri_dir / card}, screen on {connector}")


# --- touch ---------------------------------------------------------------------------------

def check_touch(ctx: Context) -> Check:
    try:
        text = ctx.input_devices.read_text(errors="replace")
    except OSError as exc:
        return Check("touch", "warning", f"cannot read {ctx.input_devices}: {exc.strerror}",
                     "run the doctor on the device itself (not in a container)")
    panels = touchscreens(text)
    if not panels:
        return Check("touch", "warning", "no touchscreen found: visitors cannot tap the screen",
                     "check the touch panel's cable (USB or the display ribbon), then reboot; "
                     "a USB mouse works meanwhile")
    panel = panels[0]
    kind = "multitouch" if panel.multitouch else "single-touch"
    node = panel.event_node
    if node is not None and node.exists() and not os.access(node, os.R_OK):
        return Check("touch", "warning", f"user {_user()} cannot read {node} ({panel.name})",
                     "add the kiosk's user to the 'input' group "
                     "(systemd/lantern.sysusers.conf does this for 'lantern')")
    more = f" (+{len(panels) - 1} more)" if len(panels) > 1 else ""
    return Check("touch", "ok", f"{panel.name}, {kind}{f', {node}' if node else ''}{more}")


# --- pack ----------------------------------------------------------------------------------

def _open(path: Path | None) -> tuple[Pack | None, list[str]]:
    from kiosk.content.packs import open_pack
    try:
        opened = open_pack(path)
    except Exception as exc:  # a pack folder gone missing, unreadable files: say so, don't crash
        return None, [f"{type(exc).__name__}: {exc}"]
    errors = [p.format() for p in opened.problems if p.severity == "error"]
    return opened.pack, errors


def _find_start_pack(today: dt.date) -> StartPack:
    # choose_start_pack tries current -> last-good -> built-in like the kiosk does at start-up;
    # persist=False and with_directory=False keep it from writing (a rollback, a database).
    from kiosk.content.install import choose_start_pack
    try:
        choice = choose_start_pack(today, persist=False, with_directory=False)
    except Exception as exc:  # e.g. an unreadable packs directory: the kiosk would not start either
        return StartPack(None, None, [f"choosing the pack to start with failed: {type(exc).__name__}: {exc}"], [])
    problems = [] if choice.pack is not None else _open(choice.path)[1]
    created = choice.installed.manifest.created if choice.installed is not None else None
    return StartPack(choice.path, choice.pack, problems, [str(w) for w in choice.warnings], created)


def _describe(pack: Pack) -> str:
    m = pack.manifest
    return f"{m.id} v{m.version} ({len(m.languages)} languages)"


def check_pack(ctx: Context) -> Check:
    start = ctx.start_pack()
    if start.pack is None:
        first = start.problems[0] if start.problems else "it does not load"
        return Check("pack", "fail", f"no usable pack: {first}",
                     "run `kiosk validate` for every problem; reinstall Lantern to restore the built-in pack")
    where = "built-in pack" if start.path is None else f"pack at {start.path}"
    message = f"{where} {_describe(start.pack)} loads and validates"
    if start.warnings:
        return Check("pack", "warning", f"{message}; {'; '.join(start.warnings)}",
                     "reinstall or update the regional pack: kiosk pack install FILE (docs/provisioning.md)")
    return Check("pack", "ok", message)


def check_pack_freshness(ctx: Context) -> Check:
    start = ctx.start_pack()
    if start.pack is None:
        return Check("pack-freshness", "warning", "skipped: no usable pack", "fix the 'pack' check first")
    from kiosk.content.health import pack_warnings
    # pack_warnings repeats the selection warnings the 'pack' line already shows.
    found = [str(w) for w in pack_warnings(ctx.today) if str(w) not in start.warnings]
    if found:
        return Check("pack-freshness", "warning", "; ".join(found),
                     "ask whoever provisions this device for an updated pack (docs/provisioning.md)")
    return Check("pack-freshness", "ok", "not expired; every contact verified within a year")


# --- fonts ---------------------------------------------------------------------------------

def font_files_needed(tag: str) -> list[str]:
    """The font files kiosk.i18n.fonts.font_for(tag) is made from.

    The doctor checks these exist instead of calling font_for, because
    font_for prepares CJK and Arabic fonts into the data directory on first
    use (seconds of work, and a write). tests/system/test_doctor.py keeps this
    in step with font_for.
    """
    from kiosk.i18n import fonts
    from kiosk.i18n.names import base_language
    base = base_language(tag)
    if base in ("zh", "ja", "ko"):
        return [fonts.CJK_COLLECTION, fonts.CJK_BOLD_COLLECTION]
    family = fonts.SCRIPT_FONTS.get(base, "NotoSans")
    if family == "NotoSans":
        return ["NotoSans-Regular.ttf"]
    return [f"{family}-Regular.ttf", "NotoSans-Regular.ttf", "NotoSans-Bold.ttf"]


def missing_font_files(tag: str) -> list[str]:
    from kiosk.i18n import fonts
    return [name for name in font_files_needed(tag)
            if not any((folder / name).is_file() for folder in fonts.NOTO_DIRS)]


def check_fonts(ctx: Context) -> Check:
    start = ctx.start_pack()
    if start.pack is None:
        return Check("fonts", "warning", "skipped: no usable pack to read its languages from",
                     "fix the 'pack' check first")
    languages = list(start.pack.manifest.languages)
    missing = {tag: missing_font_files(tag) for tag in languages}
    missing = {tag: files for tag, files in missing.items() if files}
    if missing:
        files = sorted({f for fs in missing.values() for f in fs})
        return Check("fonts", "fail",
                     f"no font for {', '.join(missing)}: missing {', '.join(files)}", APT_FONTS)
    from kiosk.content.icons import icon_font_path
    icons = icon_font_path()
    if not icons.is_file():
        return Check("fonts", "warning", f"all {len(languages)} languages have fonts, but the icon font "
                     f"{icons.name} is missing: buttons show no icons", "reinstall Lantern")
    return Check("fonts", "ok", f"all {len(languages)} languages have fonts ({', '.join(languages)})")


# --- disk ----------------------------------------------------------------------------------

def _size(n: int) -> str:
    return f"{n / (1024 * MB):.1f} GB" if n >= 1024 * MB else f"{n / MB:.0f} MB"


def check_disk(ctx: Context) -> Check:
    where = existing_ancestor(ctx.data_dir)
    try:
        free = free_bytes(ctx.data_dir)
    except OSError as exc:
        return Check("disk", "fail", f"cannot examine {where}: {exc.strerror}",
                     "check that the data partition is mounted (docs/device.md)")
    state = "" if where == ctx.data_dir.absolute() else " (not created yet: made at first start)"
    if free < DISK_FAIL_BYTES:
        return Check("disk", "fail", f"{ctx.data_dir}{state}: only {_size(free)} free",
                     f"free space on the data partition (journalctl --vacuum-size=32M; remove old files "
                     f"in {where}); the kiosk needs at least {DISK_FAIL_BYTES // MB} MB")
    if not os.access(where, os.W_OK):
        return Check("disk", "warning",
                     f"{ctx.data_dir}{state}: {_size(free)} free, but not writable by user {_user()}",
                     "run the doctor as the kiosk's user (sudo -u lantern ...); if that fails too, check "
                     "that the data partition is mounted read-write and owned by 'lantern'")
    if free < DISK_WARN_BYTES:
        return Check("disk", "warning", f"{ctx.data_dir}{state}: only {_size(free)} free",
                     f"free space on the data partition (journalctl --vacuum-size=32M); below "
                     f"{DISK_FAIL_BYTES // MB} MB the kiosk stops saving counts and packs")
    return Check("disk", "ok", f"{ctx.data_dir}{state}: {_size(free)} free")


# --- databases -----------------------------------------------------------------------------

def database_state(path: Path) -> str | None:
    """None when the SQLite file is sound or absent, else what is wrong. Opened read-only."""
    if not path.is_file():
        return None
    import sqlite3
    from kiosk.system.storage import database_corrupt
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=2)
        try:
            rows = [row[0] for row in conn.execute("PRAGMA quick_check").fetchall()]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return "corrupt" if database_corrupt(exc) else f"could not be checked ({exc})"
    return None if rows == ["ok"] else "corrupt"


def check_databases(ctx: Context) -> Check:
    from kiosk.content.directory import directory_path
    from kiosk.system.paths import metrics_path
    found: list[tuple[str, Path, str]] = [  # (what, path, what happens to it)
        ("daily counts", metrics_path(), "it is reset at the next visit and counting starts again "
         "(counts since the last export are lost)")]
    start = ctx.start_pack()
    if start.pack is not None:
        found.append(("services directory", directory_path(start.pack.root),
                      "it is rebuilt from the pack at the next start"))
    troubles = [(what, path, state, then) for what, path, then in found
                if (state := database_state(path)) is not None]
    if troubles:
        what, path, state, then = troubles[0]
        fix = f"nothing to do if it is corrupt: {then}" if state == "corrupt" else f"check {path}"
        return Check("databases", "warning", "; ".join(f"{w} database {s} ({p})" for w, p, s, _ in troubles), fix)
    return Check("databases", "ok", ", ".join(what for what, _, _ in found) + ": sound or not made yet")


# --- clock ---------------------------------------------------------------------------------

def _newest_verified(packs: list[Pack | None]) -> dt.date | None:
    dates = [c.verified for pack in packs if pack is not None
             for c in pack.contacts.values() if c.verified is not None]
    return max(dates, default=None)


def check_clock(ctx: Context) -> Check:
    start = ctx.start_pack()
    packs = [start.pack]
    if start.path is not None:  # a regional pack: the built-in one's dates count too
        packs.append(_open(None)[0])
    newest = _newest_verified(packs)
    if newest is None:
        return Check("clock", "warning", f"today is {ctx.today.isoformat()}; no verified dates to compare with",
                     "fix the 'pack' check first")
    if ctx.today < newest:
        return Check("clock", "warning",
                     f"the clock says {ctx.today.isoformat()}, before the newest 'verified:' date in the "
                     f"pack ({newest.isoformat()}): the clock is wrong",
                     "turn on network time (sudo timedatectl set-ntp true) or fit a real-time clock; "
                     "without either, set it by hand: sudo date -s 'YYYY-MM-DD HH:MM'")
    return Check("clock", "ok", f"{ctx.today.isoformat()} (not before the newest verified date, "
                 f"{newest.isoformat()})")


# --- voice (optional: never more than a warning) -------------------------------------------

def check_speech(ctx: Context) -> Check:
    found = shutil.which("espeak-ng", path=ctx.environ.get("PATH"))
    if found is None:
        return Check("speech", "warning", "espeak-ng is not installed: screens cannot be read aloud",
                     "sudo apt install espeak-ng")
    return Check("speech", "ok", f"espeak-ng at {found}")


def check_microphone(ctx: Context) -> Check:
    missing = missing_voice_packages(ctx)
    if missing:
        return Check("microphone", "warning", "voice input is not offered (touch still works): Lantern's "
                     f"'voice' extra is not installed (no {', '.join(missing)})", VOICE_EXTRA_FIX)
    mic = ctx.voice_probe().microphone
    if not mic.available:
        return Check("microphone", "warning", f"voice input is not offered (touch still works): {mic.text}",
                     "plug in a USB microphone (arecord -l lists it); the kiosk's user needs the 'audio' "
                     "group; PortAudio comes with: sudo apt install libportaudio2")
    return Check("microphone", "ok", mic.text)


def check_speaker(ctx: Context) -> Check:
    speaker = ctx.voice_probe().speaker
    if not speaker.available:
        return Check("speaker", "warning", f"screens are not read aloud: {speaker.text}",
                     "connect a speaker or headphones (aplay -l lists the outputs); the kiosk's user "
                     "needs the 'audio' group; PortAudio comes with: sudo apt install libportaudio2")
    return Check("speaker", "ok", speaker.text)


def check_voice(ctx: Context) -> Check:
    missing = missing_voice_packages(ctx)
    if missing:
        return Check("voice", "warning", f"voice is off: Lantern's 'voice' extra is not installed "
                     f"(no {', '.join(missing)})", VOICE_EXTRA_FIX)
    voice = ctx.voice_probe().voice
    if not voice.available:
        return Check("voice", "warning", f"voice models and recogniser status: {voice.reason}",
                     "see docs/voice.md; `kiosk voice check` gives the details")
    problems = [text for level, text in voice.lines if level in ("error", "warning")]
    if problems:
        more = f" (+{len(problems) - 2} more)" if len(problems) > 2 else ""
        return Check("voice", "warning", "; ".join(problems[:2]) + more,
                     "`kiosk voice check` lists every problem; models: `kiosk voice install-model` (docs/voice.md)")
    return Check("voice", "ok", f"{len(voice.lines)} voice checks passed (`kiosk voice check` for details)")


# --- the service and its watchdog ----------------------------------------------------------

def _systemctl_show(unit: str) -> dict[str, str] | None:
    try:
        done = subprocess.run(["systemctl", "show", unit, "--property=LoadState,ActiveState,SubState,"
                               "WatchdogUSec,NRestarts"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)


def check_watchdog(ctx: Context) -> Check:
    from kiosk.system.notify import watchdog_timeout
    own = watchdog_timeout(ctx.environ)
    if own is not None:
        return Check("watchdog", "ok", f"running under systemd with a {own:g} s watchdog")
    fix = (f"install and enable systemd/{UNIT} (docs/device.md) so a frozen or crashed kiosk "
           "is restarted")
    if not ctx.systemd_run_dir.is_dir():
        return Check("watchdog", "warning", "not running under systemd: nothing restarts the kiosk "
                     "if it freezes (fine for development)", fix)
    props = _systemctl_show(UNIT)
    if props is None or props.get("LoadState") != "loaded":
        return Check("watchdog", "warning", f"{UNIT} is not installed", fix)
    state = f"{props.get('ActiveState', '?')} ({props.get('SubState', '?')})"
    restarts = props.get("NRestarts", "0")
    watchdog = props.get("WatchdogUSec", "0")
    if watchdog in ("0", "infinity", ""):
        return Check("watchdog", "warning", f"{UNIT} is {state} but its watchdog is off",
                     f"reinstall systemd/{UNIT} as shipped (WatchdogSec=30s)")
    if props.get("ActiveState") != "active":
        return Check("watchdog", "warning", f"{UNIT} is {state}, restarted {restarts} times",
                     f"sudo systemctl enable --now {UNIT}; journalctl -u {UNIT} -b says why it stopped")
    return Check("watchdog", "ok", f"{UNIT} is {state}, watchdog {watchdog}, restarted {restarts} times")


# --- the boot-partition configuration and pack updates ---------------------------------------

def check_boot_config(ctx: Context) -> Check:
    config, errors = bootconfig.read(ctx.boot_file, ctx.zoneinfo)
    if errors:
        more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
        return Check("boot-config", "warning", f"{errors[0].format()}{more}; nothing from it was applied",
                     f"correct {ctx.boot_file} (docs/fleet.md has a complete example), then reboot or run "
                     "sudo kiosk config apply")
    if config is None:
        return Check("boot-config", "ok", f"no {ctx.boot_file}: this device is configured by hand")
    targets = bootconfig.Targets(data_dir=ctx.data_dir, zoneinfo=ctx.zoneinfo)
    if bootconfig.pending(ctx.boot_file, targets):
        return Check("boot-config", "warning", f"{ctx.boot_file} is valid but not applied yet",
                     "reboot, or run sudo kiosk config apply")
    _writes, notes = bootconfig.plan(config, targets)
    if notes:
        return Check("boot-config", "warning", f"{ctx.boot_file} applied; {notes[0]}",
                     "if nobody here added that key, the SD card was edited: remove the key from the file "
                     "(it is not used) and check the device")
    return Check("boot-config", "ok", f"{ctx.boot_file} applied")


def check_updates(ctx: Context) -> Check:
    from kiosk.content.update import last_update
    last = last_update(ctx.data_dir)
    if last is None:
        return Check("updates", "ok", "no pack update has run on this device (no update address set, or "
                     "not yet)")
    when = last.time.strftime("%Y-%m-%d %H:%M %Z").strip()
    if not last.ok:
        return Check("updates", "warning", f"the last pack update ({when}) {last.result}: {last.message}",
                     "journalctl -u lantern-pack-update says more; the pack in use is unchanged")
    return Check("updates", "ok", f"last pack update {when}: {last.message}")


# --- running them --------------------------------------------------------------------------

# (check, blocking): a blocking check's "fail" means the kiosk cannot serve visitors.
CHECKS: tuple[tuple[Callable[[Context], Check], bool], ...] = (
    (check_display, True),
    (check_touch, False),
    (check_pack, True),
    (check_pack_freshness, False),
    (check_fonts, True),
    (check_disk, True),
    (check_databases, False),
    (check_clock, False),
    (check_speech, False),
    (check_microphone, False),
    (check_speaker, False),
    (check_voice, False),
    (check_watchdog, False),
    (check_boot_config, False),
    (check_updates, False),
)


def _name_of(func: Callable[[Context], Check]) -> str:
    return func.__name__.removeprefix("check_").replace("_", "-")


def run_check(func: Callable[[Context], Check], blocking: bool, ctx: Context) -> Check:
    try:
        result = func(ctx)
    except Exception as exc:  # one broken check must not hide the others
        return Check(_name_of(func), "fail" if blocking else "warning",
                     f"the check itself failed: {type(exc).__name__}: {exc}",
                     "report this to Lantern's maintainers with the line above", blocking)
    status = result.status
    if status == "fail" and not blocking:
        status = "warning"  # only the four essentials may stop the kiosk
    return Check(result.name, status, result.message, result.fix, blocking)


def run_checks(ctx: Context) -> list[Check]:
    ctx.start_voice_probe()
    return [run_check(func, blocking, ctx) for func, blocking in CHECKS]


def can_serve(checks: list[Check]) -> bool:
    return not any(c.status == "fail" and c.blocking for c in checks)


def exit_code(checks: list[Check]) -> int:
    return 0 if can_serve(checks) else 1


def summary(checks: list[Check]) -> str:
    counts = {s: sum(c.status == s for c in checks) for s in ("ok", "warning", "fail")}
    head = f"{counts['ok']} ok, {counts['warning']} warning{'s' * (counts['warning'] != 1)}, {counts['fail']} failed"
    if can_serve(checks):
        return f"{head}: the kiosk can serve visitors"
    failed = ", ".join(c.name for c in checks if c.status == "fail" and c.blocking)
    return f"{head}: the kiosk CANNOT serve visitors ({failed})"


def format_text(checks: list[Check], data_dir: Path) -> str:
    width = max(len(c.name) for c in checks)
    lines = [f"Lantern doctor: data directory {data_dir}"]
    for c in checks:
        label = {"ok": "ok", "warning": "warning", "fail": "FAIL"}[c.status]
        lines.append(f"{label:<8} {c.name:<{width}}  {c.message}")
        if c.status != "ok" and c.fix:
            lines.append(f"{'':<8} {'':<{width}}  fix: {c.fix}")
    lines.append(summary(checks))
    return "\n".join(lines)


def to_json(checks: list[Check], data_dir: Path, seconds: float) -> str:
    return json.dumps({
        "data_dir": str(data_dir),
        "can_serve": can_serve(checks),
        "summary": summary(checks),
        "seconds": round(seconds, 3),
        "checks": [asdict(c) for c in checks],
    }, ensure_ascii=False, indent=2)


def doctor(ctx: Context, as_json: bool = False, as_prometheus: bool = False) -> tuple[str, int]:
    """Run every check; the report to print and the exit code."""
    from kiosk.content.packcache import never_write
    never_write()  # the doctor looks; it may use the pack cache but never fills it
    started = time.monotonic()
    checks = run_checks(ctx)
    if as_prometheus:
        from kiosk.system.prometheus import gauges, render
        return render(gauges(ctx, checks)), exit_code(checks)
    text = to_json(checks, ctx.data_dir, time.monotonic() - started) if as_json else format_text(checks, ctx.data_dir)
    return text, exit_code(checks)

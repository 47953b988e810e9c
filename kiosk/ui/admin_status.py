"""What the admin screen shows, gathered as plain data (no Kivy), and the app's exit codes.

Everything here is for the facility's staff: the pack and its warnings, the
voice and sound status, and the daily counts as `kiosk metrics export` gives
them (small counts shown as "<5"). Nothing about any one visit exists to show.
Gathering reads files, opens SQLite and starts a child process for the sound
probe, so the admin screen calls these from a worker thread.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

from kiosk.content.model import Pack

# How the app ends when staff ask it to (returned by `kiosk run` as its exit status).
# "Leave to the desktop": EX_UNAVAILABLE (the journal says "status=69/UNAVAILABLE").
# systemd/lantern-kiosk.service lists it in RestartPreventExitStatus= (and
# SuccessExitStatus=), so this one exit is not restarted, and its ExecStopPost=
# starts a login prompt on tty1 instead. It must be a status nothing else ends
# the kiosk with, or a crash would leave the screen to a login prompt: not 0
# (SIGTERM from `systemctl stop`), 1 (a Python exception, or a pack that cannot
# start), 2 (usage), 70 (kiosk.cli's last line of defence), 75 (Restart below),
# 130 (Ctrl+C), 200-243 (systemd's own), nor a signal (the watchdog's SIGABRT).
LEAVE_EXIT_CODE = 69
# "Restart": EX_TEMPFAIL. systemd's Restart=always starts the kiosk again in
# RestartSec (2 s); the journal shows "status=75/TEMPFAIL" for a restart asked in admin.
RESTART_EXIT_CODE = 75
SERVICE = "lantern-kiosk"
METRICS_DAYS = 30

COUNTER_NAMES = {
    "sessions": "visits (sessions)",
    "help_opened": "help screens opened",
    "hotline_shown": "hotline number shown",
    "contact_shown": "a contact shown",
    "quick_exit": "ended by quick exit",
    "idle_reset": "ended by the idle timeout",
    "voice_used": "voice used",
    "read_aloud_used": "read aloud used",
    "qr_shown": "QR code shown",
}


def under_systemd(environ: Mapping[str, str] | None = None) -> bool:
    """systemd sets INVOCATION_ID for every service it starts."""
    return bool((os.environ if environ is None else environ).get("INVOCATION_ID"))


def wait_text(seconds: float) -> str:
    """A lockout's remaining time in words: '25 s', '4 min', '3 h'."""
    left = max(1, math.ceil(seconds))
    if left < 120:
        return f"{left} s"
    if left < 2 * 3600:
        return f"{math.ceil(left / 60)} min"
    return f"{math.ceil(left / 3600)} h"


# --- the pack ------------------------------------------------------------------------------

@dataclass(frozen=True)
class PackInfo:
    lines: list[str]  # id, name, region, version, where it runs from, languages
    installed: list[str]  # the `current` and `last-good` slots
    verified: list[str]  # one line per contact: when its number was last checked
    warnings: list[str]  # kiosk.content.health.pack_warnings, or why they could not be read


def pack_lines(pack: Pack, builtin: bool) -> list[str]:
    """What the running pack is (cheap: no disk reads)."""
    m = pack.manifest
    lines = [f"{m.name} ({m.id})", f"region {m.region}, version {m.version}"
             + (", SAMPLE data with fictional numbers" if m.sample else ""),
             "the built-in pack" if builtin else f"installed pack in {pack.root}",
             f"languages: {', '.join(m.languages)}"]
    return lines


def verified_lines(pack: Pack) -> list[str]:
    out = []
    for contact in sorted(pack.contacts.values(), key=lambda c: c.id):
        when = contact.verified.isoformat() if contact.verified else "never"
        source = f" ({contact.source})" if contact.source else ""
        out.append(f"{contact.id}: {when}{source}")
    return out


def installed_lines() -> list[str]:
    from kiosk.content.install import CURRENT, LAST_GOOD, linked
    found = {name: linked(name) for name in (CURRENT, LAST_GOOD)}
    if not any(found.values()):
        return ["no regional pack is installed"]
    out = []
    for name, what in ((CURRENT, "installed pack"), (LAST_GOOD, "previous good pack")):
        inst = found[name]
        if inst is None:
            out.append(f"{what} ({name}): none")
        else:
            m = inst.manifest
            out.append(f"{what} ({name}): {m.pack_id} version {m.version} for {m.region}, built {m.created}"
                       + (f", expires {m.expires}" if m.expires else ""))
    return out


def pack_info(pack: Pack, builtin: bool, today: dt.date) -> PackInfo:
    from kiosk.content.health import pack_warnings
    try:
        installed = installed_lines()
    except OSError as exc:
        installed = [f"the installed packs cannot be read: {exc}"]
    try:
        warnings = pack_warnings(today)
    except Exception as exc:  # the admin screen reports; it never crashes the kiosk
        warnings = [f"the pack warnings could not be worked out: {type(exc).__name__}: {exc}"]
    return PackInfo(pack_lines(pack, builtin), installed, verified_lines(pack), warnings)


# --- the daily counts ----------------------------------------------------------------------

@dataclass(frozen=True)
class CountLine:
    counter: str
    total: int

    @property
    def label(self) -> str:
        from kiosk.metrics import LANGUAGE_PREFIX
        if self.counter.startswith(LANGUAGE_PREFIX):
            from kiosk.i18n.names import language_name
            tag = self.counter.removeprefix(LANGUAGE_PREFIX)
            try:
                return f"language: {language_name(tag, 'en')} ({tag})"
            except Exception:  # an unknown tag still gets a line
                return f"language: {tag}"
        return COUNTER_NAMES.get(self.counter, self.counter)

    @property
    def shown(self) -> str:
        from kiosk.metrics import SMALL_COUNT
        return f"<{SMALL_COUNT}" if 0 < self.total < SMALL_COUNT else str(self.total)


@dataclass(frozen=True)
class CountsInfo:
    since: dt.date
    lines: list[CountLine] = field(default_factory=list)
    error: str | None = None


def counts_info(path: Path, today: dt.date, days: int = METRICS_DAYS) -> CountsInfo:
    """Totals per counter over the last `days` days, from the same rows `kiosk metrics export` gives."""
    import sqlite3
    from kiosk.metrics import COUNTERS, Metrics, export_rows
    since = today - dt.timedelta(days=days - 1)
    try:
        rows = export_rows(Metrics(path, today=lambda: today).rows(since))
    except (sqlite3.Error, OSError) as exc:
        return CountsInfo(since, error=f"the counts cannot be read: {type(exc).__name__}: {exc}")
    totals: dict[str, int] = {}
    for row in rows:
        totals[row.counter] = totals.get(row.counter, 0) + row.value
    order = {name: i for i, name in enumerate(COUNTERS)}
    names = sorted(totals, key=lambda c: (order.get(c, len(order)), c))
    return CountsInfo(since, [CountLine(c, totals[c]) for c in names])


# --- voice and sound -----------------------------------------------------------------------

@dataclass(frozen=True)
class SoundInfo:
    microphone: tuple[bool, str]  # (available, the device or why not)
    speaker: tuple[bool, str]
    general: list[tuple[str, str]]  # (level, text) lines that are not about one language
    languages: list[tuple[str, list[tuple[str, str]]]]  # (tag, its (level, text) lines)


def sound_info(probe: object, languages: Sequence[str]) -> SoundInfo:
    """Group the sound probe's voice lines (kiosk.system.voiceprobe.Probe) per language."""
    mic, speaker, voice = probe.microphone, probe.speaker, probe.voice  # type: ignore[attr-defined]
    general: list[tuple[str, str]] = []
    per: dict[str, list[tuple[str, str]]] = {tag: [] for tag in languages}
    if not voice.available:
        general.append(("warning", f"voice status: {voice.reason}"))
    for level, text in voice.lines:
        text = text.removeprefix("voice: ").removeprefix(f"{level}: ")
        tag, sep, rest = text.partition(": ")
        if tag in ("microphone", "speaker"):
            continue  # the devices have lines of their own
        if sep and (tag in per or _looks_like_tag(tag)):
            per.setdefault(tag, []).append((level, rest))
        else:
            general.append((level, text))
    return SoundInfo((mic.available, mic.text), (speaker.available, speaker.text), general,
                     [(tag, lines) for tag, lines in per.items() if lines])


def _looks_like_tag(text: str) -> bool:
    return 2 <= len(text) <= 8 and all(part.isalnum() for part in text.split("-"))

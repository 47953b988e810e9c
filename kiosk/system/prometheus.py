"""`kiosk doctor --prometheus`: the device's health as node_exporter textfile gauges.

A facility's Prometheus already scrapes node_exporter on its Debian machines;
its textfile collector reads *.prom files from
/var/lib/prometheus/node-exporter/, which systemd/lantern-metrics.timer
refreshes every few minutes. Every gauge here is about the DEVICE: whether it
can serve, which pack it runs and how old its numbers are, updates, disk,
restarts, power. Nothing about visitors: daily counts stay behind
`kiosk metrics export`.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.system.doctor import UNIT, Check, Context, _systemctl_show, can_serve
from kiosk.system.storage import free_bytes

TEXTFILE = Path("/var/lib/prometheus/node-exporter/lantern.prom")
# Free space is given in steps of 16 MiB, rounded down. To the byte it would move
# with every page the daily-counts database grows by, and a series scraped every
# few minutes would then show when visitors used the kiosk, finer than a day.
DISK_STEP = 16 * 1024 * 1024
STATUS_VALUE = {"ok": 0, "warning": 1, "fail": 2}
# Raspberry Pi firmware's get_throttled bits (raspberrypi.com documentation, vcgencmd).
THROTTLE_BITS = {
    0: "under_voltage_now", 1: "arm_frequency_capped_now", 2: "throttled_now", 3: "soft_temperature_limit_now",
    16: "under_voltage_occurred", 17: "arm_frequency_capped_occurred", 18: "throttled_occurred",
    19: "soft_temperature_limit_occurred",
}


@dataclass
class Gauge:
    name: str
    help: str
    samples: list[tuple[dict[str, str], float]] = field(default_factory=list)

    def add(self, value: float, **labels: str) -> Gauge:
        self.samples.append((labels, value))
        return self


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def render(gauges: list[Gauge]) -> str:
    """The text exposition format (version 0.0.4), gauges without samples left out."""
    lines: list[str] = []
    for g in gauges:
        if not g.samples:
            continue
        lines.append(f"# HELP {g.name} {g.help}")
        lines.append(f"# TYPE {g.name} gauge")
        for labels, value in g.samples:
            inner = ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(labels.items()))
            number = str(int(value)) if float(value).is_integer() else repr(float(value))
            lines.append(f"{g.name}{{{inner}}} {number}" if inner else f"{g.name} {number}")
    return "\n".join(lines) + "\n"


def _midnight(day: dt.date) -> float:
    return dt.datetime.combine(day, dt.time(), dt.timezone.utc).timestamp()


def throttled(ctx: Context) -> int | None:
    """The firmware's throttling flags, or None where the device does not report them (not a Pi)."""
    try:
        return int(ctx.throttled_file.read_text().strip(), 16)
    except (OSError, ValueError):
        pass
    try:
        done = subprocess.run([ctx.vcgencmd, "get_throttled"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = re.search(r"throttled=(0x[0-9a-fA-F]+)", done.stdout)
    return int(found.group(1), 16) if found else None


def gauges(ctx: Context, checks: list[Check]) -> list[Gauge]:
    from kiosk.content.update import last_update

    by_name = {c.name: c for c in checks}
    out: list[Gauge] = []
    out.append(Gauge("lantern_can_serve", "1 when kiosk doctor finds nothing that stops the kiosk serving visitors")
               .add(1 if can_serve(checks) else 0))
    check_gauge = Gauge("lantern_doctor_check", "kiosk doctor's checks: 0 ok, 1 warning, 2 fail")
    for c in checks:
        check_gauge.add(STATUS_VALUE[c.status], check=c.name)
    out.append(check_gauge)

    props = _systemctl_show(UNIT) if ctx.systemd_run_dir.is_dir() else None
    up = Gauge("lantern_kiosk_up", f"1 when {UNIT} is active")
    restarts = Gauge("lantern_watchdog_restarts", f"times systemd restarted {UNIT} since it was started "
                     "(a crash or a frozen screen)")
    if props is not None and props.get("LoadState") == "loaded":
        up.add(1 if props.get("ActiveState") == "active" else 0)
        if props.get("NRestarts", "").isdigit():
            restarts.add(int(props["NRestarts"]))
    else:
        up.add(0)
    out += [up, restarts]

    start = ctx.start_pack()
    info = Gauge("lantern_pack_info", "the pack the kiosk starts with (value always 1)")
    created = Gauge("lantern_pack_created_timestamp_seconds", "when the installed pack was signed "
                    "(its age: time() - this)")
    oldest = Gauge("lantern_pack_oldest_verified_timestamp_seconds", "the oldest 'verified' date of the "
                   "pack's phone numbers")
    if start.pack is not None:
        m = start.pack.manifest
        info.add(1, pack_id=m.id, version=str(m.version), region=m.region,
                 source="builtin" if start.path is None else "installed")
        if start.created is not None:
            created.add(_midnight(start.created))
        dates = [c.verified for c in start.pack.contacts.values() if c.verified is not None]
        if dates:
            oldest.add(_midnight(min(dates)))
    out += [info, created, oldest]

    last = last_update(ctx.data_dir)
    when = Gauge("lantern_pack_update_last_timestamp_seconds", "when the last pack update check ran")
    ok = Gauge("lantern_pack_update_last_success", "1 when the last pack update check worked (installed, "
               "unchanged or not modified), 0 when it failed or was refused")
    result = Gauge("lantern_pack_update_last_result", "the last pack update check's result (value always 1)")
    if last is not None:
        when.add(last.time.timestamp())
        ok.add(1 if last.ok else 0)
        result.add(1, result=last.result)
    out += [when, ok, result]

    disk = Gauge("lantern_disk_free_bytes", "free bytes on the data directory's file system, rounded "
                 "down to 16 MiB")
    try:
        disk.add(free_bytes(ctx.data_dir) // DISK_STEP * DISK_STEP)
    except OSError:
        pass
    out.append(disk)

    flags = throttled(ctx)
    power = Gauge("lantern_throttled", "Raspberry Pi firmware flags (vcgencmd get_throttled): under-voltage, "
                  "frequency capping, throttling, now or since boot")
    if flags is not None:
        for bit, name in THROTTLE_BITS.items():
            power.add(1 if flags & (1 << bit) else 0, flag=name)
    out.append(power)

    voice = by_name.get("voice")
    mic = by_name.get("microphone")
    out.append(Gauge("lantern_voice_available", "1 when voice input works (the voice extra, a microphone, "
                     "models)").add(1 if voice and mic and voice.status == mic.status == "ok" else 0))
    boot = by_name.get("boot-config")
    if boot is not None:
        out.append(Gauge("lantern_boot_config_ok", "1 when lantern.toml on the boot partition is absent or "
                         "valid and applied").add(1 if boot.status == "ok" else 0))
    return out


def write_atomic(text: str, path: Path) -> None:
    """node_exporter must never read half a file: write beside it, then rename over it."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")  # not *.prom: never collected
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)

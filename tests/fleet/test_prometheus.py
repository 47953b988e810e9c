"""`kiosk doctor --prometheus` read by the real node_exporter (Debian's prometheus-node-exporter).

node_exporter runs on 127.0.0.1 on a free port with only its textfile collector,
pointed at a test folder; the test writes the gauges there with the real
command, scrapes /metrics and finds them, parsed by node_exporter itself (a
malformed file would show up as node_textfile_scrape_error 1 instead).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

from kiosk.content.signing import trust_key
from kiosk.content.update import update_from
from kiosk.system import doctor as d
from kiosk.system import prometheus as p
from tests.fleet.conftest import Served, build_tiny

NODE_EXPORTER = "/usr/bin/prometheus-node-exporter"
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def node_exporter(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    if not Path(NODE_EXPORTER).is_file():
        pytest.skip("prometheus-node-exporter is not installed (Debian package prometheus-node-exporter)")
    folder = tmp_path / "textfile"
    folder.mkdir()
    port = free_port()
    proc = subprocess.Popen([NODE_EXPORTER, f"--web.listen-address=127.0.0.1:{port}",
                             "--collector.disable-defaults", "--collector.textfile",
                             f"--collector.textfile.directory={folder}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/metrics"
    try:
        for _ in range(200):  # up to ~10 s for it to listen; the test asserts no time
            try:
                urllib.request.urlopen(url, timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"node_exporter exited: {proc.stderr.read() if proc.stderr else ''}")
                time.sleep(0.05)
        yield url, folder
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def scrape(url: str) -> dict[str, list[tuple[str, float]]]:
    """metric name -> [(labels text, value)]"""
    text = urllib.request.urlopen(url, timeout=10).read().decode()
    found: dict[str, list[tuple[str, float]]] = {}
    for line in text.splitlines():
        match = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$", line)
        if match:
            found.setdefault(match.group(1), []).append((match.group(2) or "", float(match.group(3))))
    return found


def test_node_exporter_reads_the_gauges(tmp_path: Path, node_exporter: tuple[str, Path], keys: dict[str, Path],
                                        server: tuple[str, Served], monkeypatch: pytest.MonkeyPatch) -> None:
    url, folder = node_exporter
    data = tmp_path / "data"
    monkeypatch.setenv("LANTERN_DATA", str(data))
    trust_key(keys["A"].with_suffix(".pub"))
    base, served = server
    served.put("region.lantern", build_tiny(tmp_path, keys["A"], 7), "v7")
    update_from(f"{base}/region.lantern")

    out = folder / "lantern.prom"
    env = {**os.environ, "LANTERN_DATA": str(data)}
    done = subprocess.run([sys.executable, "-m", "kiosk.cli", "doctor", "--prometheus", "--out", str(out)],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["lantern.prom"]  # no temporary file left

    metrics = scrape(url)
    assert metrics["node_textfile_scrape_error"] == [("", 0.0)]
    assert metrics["lantern_pack_info"] == [('{pack_id="tiny",region="US",source="installed",version="7"}', 1.0)]
    today = dt.datetime.combine(dt.date.today(), dt.time(), dt.timezone.utc).timestamp()
    assert metrics["lantern_pack_created_timestamp_seconds"] == [("", today)]
    assert metrics["lantern_pack_update_last_success"] == [("", 1.0)]
    assert metrics["lantern_pack_update_last_result"] == [('{result="installed"}', 1.0)]
    assert abs(metrics["lantern_pack_update_last_timestamp_seconds"][0][1] - time.time()) < 3600
    assert metrics["lantern_disk_free_bytes"][0][1] > 0
    # Coarse on purpose: to the byte it would follow the daily-counts database page by page.
    assert metrics["lantern_disk_free_bytes"][0][1] % (16 * 1024 * 1024) == 0
    assert metrics["lantern_kiosk_up"] == [("", 0.0)]  # no kiosk service on this machine
    assert metrics["lantern_can_serve"][0][1] in (0.0, 1.0)
    assert metrics["lantern_voice_available"][0][1] in (0.0, 1.0)
    assert "lantern_pack_oldest_verified_timestamp_seconds" in metrics
    checks = {labels: value for labels, value in metrics["lantern_doctor_check"]}
    assert '{check="display"}' in checks and '{check="updates"}' in checks
    # Nothing about visitors: no counts, sessions, languages chosen or screens seen.
    names = " ".join(name for name in metrics if name.startswith("lantern_"))
    assert not re.search(r"visit|count|session|screen|tap|language", names)


def test_a_failed_update_and_a_throttled_pi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    monkeypatch.setenv("LANTERN_DATA", str(data))
    from kiosk.content.update import UpdateFailed
    with pytest.raises(UpdateFailed):
        update_from("http://127.0.0.1:9/region.lantern", timeout=2)
    flags = tmp_path / "get_throttled"
    flags.write_text("50005\n")  # under-voltage now, throttled now, both since boot
    ctx = d.Context(data_dir=data, throttled_file=flags, vcgencmd=str(tmp_path / "no-vcgencmd"),
                    systemd_run_dir=tmp_path / "no-systemd", boot_file=tmp_path / "none.toml")
    checks = [d.run_check(f, b, ctx) for f, b in d.CHECKS if f in (d.check_updates, d.check_boot_config)]
    text = p.render(p.gauges(ctx, checks))
    assert "lantern_pack_update_last_success 0\n" in text
    assert 'lantern_pack_update_last_result{result="failed"} 1\n' in text
    assert 'lantern_throttled{flag="under_voltage_now"} 1\n' in text
    assert 'lantern_throttled{flag="throttled_now"} 1\n' in text
    assert 'lantern_throttled{flag="arm_frequency_capped_now"} 0\n' in text
    assert 'lantern_throttled{flag="under_voltage_occurred"} 1\n' in text
    updates = next(c for c in checks if c.name == "updates")
    assert updates.status == "warning" and "cannot reach" in updates.message


def test_vcgencmd_is_asked_when_sysfs_is_silent(tmp_path: Path) -> None:
    fake = tmp_path / "vcgencmd"
    fake.write_text("#!/bin/sh\necho throttled=0x1\n")
    fake.chmod(0o755)
    ctx = d.Context(data_dir=tmp_path, throttled_file=tmp_path / "absent", vcgencmd=str(fake))
    assert p.throttled(ctx) == 1
    assert p.throttled(d.Context(data_dir=tmp_path, throttled_file=tmp_path / "absent",
                                 vcgencmd=str(tmp_path / "absent-too"))) is None


def test_the_metrics_timer_writes_where_node_exporter_reads() -> None:
    service = (ROOT / "systemd" / "lantern-metrics.service").read_text()
    timer = (ROOT / "systemd" / "lantern-metrics.timer").read_text()
    assert "--prometheus --out /var/lib/prometheus/node-exporter/lantern.prom" in service
    assert "ReadWritePaths=/var/lib/prometheus/node-exporter" in service
    assert re.search(r"(?m)^OnUnitActiveSec=5min$", timer)


def test_the_kiosk_service_gauges(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What `systemctl show lantern-kiosk.service` says becomes kiosk_up and the restart count."""
    (tmp_path / "systemd").mkdir()
    ctx = d.Context(data_dir=tmp_path, systemd_run_dir=tmp_path / "systemd", boot_file=tmp_path / "none.toml",
                    throttled_file=tmp_path / "absent", vcgencmd=str(tmp_path / "absent"))
    shown = {"LoadState": "loaded", "ActiveState": "active", "SubState": "running", "NRestarts": "4",
             "WatchdogUSec": "30s"}
    monkeypatch.setattr(p, "_systemctl_show", lambda unit: shown if unit == d.UNIT else None)
    text = p.render(p.gauges(ctx, []))
    assert "lantern_kiosk_up 1\n" in text and "lantern_watchdog_restarts 4\n" in text
    assert "lantern_throttled" not in text  # not a Pi: no power gauges rather than made-up zeros
    shown["ActiveState"] = "failed"
    assert "lantern_kiosk_up 0\n" in p.render(p.gauges(ctx, []))


def test_visits_do_not_move_any_gauge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A day of visits recorded in the real daily-counts database changes nothing in the textfile
    (free space aside, which is coarse and also moved by anything else on the disk)."""
    from kiosk.metrics import COUNTERS, LANGUAGE_PREFIX, Metrics
    from kiosk.system.paths import metrics_path
    data = tmp_path / "data"
    monkeypatch.setenv("LANTERN_DATA", str(data))
    ctx = d.Context(data_dir=data, systemd_run_dir=tmp_path / "no-systemd", boot_file=tmp_path / "none.toml",
                    throttled_file=tmp_path / "absent", vcgencmd=str(tmp_path / "absent"))
    picked = (d.check_pack, d.check_disk, d.check_databases, d.check_updates, d.check_boot_config)

    def textfile() -> str:
        ctx._start = None  # ask again, as the next timer run would
        checks = [d.run_check(f, b, ctx) for f, b in d.CHECKS if f in picked]
        return "".join(line + "\n" for line in p.render(p.gauges(ctx, checks)).splitlines()
                       if not line.startswith("lantern_disk_free_bytes "))

    counts = Metrics(metrics_path())
    assert counts.add(["sessions"])  # the database exists before the first look
    before = textfile()
    for _ in range(40):
        assert counts.add([*COUNTERS, f"{LANGUAGE_PREFIX}ko", f"{LANGUAGE_PREFIX}es"])
    after = textfile()
    assert after == before
    assert 'check="databases"' in after and '"ko"' not in after and "sessions" not in after

"""The fleet's systemd units, checked by systemd's own tools."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SYSTEMD = ROOT / "systemd"
INSTALLED_KIOSK = "/opt/lantern/.venv/bin/kiosk"
KIOSK = Path(sys.executable).parent / "kiosk"
NEW_UNITS = ("lantern-firstboot.service", "lantern-metrics.service", "lantern-metrics.timer")
MAX_EXPOSURE = 2.0


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed")
    return path


@pytest.fixture
def units(tmp_path: Path) -> Path:
    if not KIOSK.is_file():
        pytest.skip(f"{KIOSK} is missing: install the package into the venv (pip install -e .)")
    for unit in SYSTEMD.glob("lantern-*"):
        (tmp_path / unit.name).write_text(unit.read_text().replace(INSTALLED_KIOSK, str(KIOSK)))
    return tmp_path


def test_verify_passes(units: Path) -> None:
    done = subprocess.run([_tool("systemd-analyze"), "verify", *NEW_UNITS, "lantern-pack-update.service"],
                          cwd=units, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr.strip() == "", done.stderr


@pytest.mark.parametrize("unit", ["lantern-firstboot.service", "lantern-metrics.service"])
def test_root_services_are_locked_down(units: Path, unit: str) -> None:
    done = subprocess.run([_tool("systemd-analyze"), "security", "--offline=true", "--no-pager", unit],
                          cwd=units, capture_output=True, text=True, timeout=60)
    found = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", done.stdout)
    assert found, done.stdout[-500:] + done.stderr
    assert float(found.group(1)) <= MAX_EXPOSURE, done.stdout


def test_firstboot_runs_the_documented_command_before_the_kiosk() -> None:
    text = (SYSTEMD / "lantern-firstboot.service").read_text()
    assert f"ExecStart={INSTALLED_KIOSK} config apply --file /boot/firmware/lantern.toml" in text
    assert "ConditionPathExists=/boot/firmware/lantern.toml" in text
    assert re.search(r"(?m)^Before=lantern-kiosk.service lantern-pack-update.service", text)
    # What it writes is read by the other units.
    assert "EnvironmentFile=-/etc/lantern/kiosk.env" in (SYSTEMD / "lantern-kiosk.service").read_text()
    update = (SYSTEMD / "lantern-pack-update.service").read_text()
    assert "EnvironmentFile=/etc/lantern/pack-update.env" in update and "$LANTERN_UPDATE_ARGS" in update


def test_update_timer_keeps_its_random_delay() -> None:
    timer = (SYSTEMD / "lantern-pack-update.timer").read_text()
    assert re.search(r"(?m)^RandomizedDelaySec=1h$", timer)


def _unshare_works() -> bool:
    tool = shutil.which("unshare")
    if tool is None:
        return False
    return subprocess.run([tool, "--mount", "true"], capture_output=True, timeout=30).returncode == 0


def test_the_metrics_sandbox_does_not_make_the_doctor_see_a_read_only_data_directory(tmp_path: Path) -> None:
    """ProtectSystem=strict turns every path not in ReadWritePaths= into a read-only bind mount.
    The doctor's disk check asks access(W_OK), which a read-only mount answers with EROFS: the
    disk gauge would then say "not writable" on every healthy device. This replays the unit's
    rule for its data directory with a real read-only bind mount and runs the real doctor."""
    if os.geteuid() != 0 or not _unshare_works():
        pytest.skip("needs root and unshare --mount to make a read-only bind mount")
    unit = (SYSTEMD / "lantern-metrics.service").read_text()
    assert re.search(r"(?m)^ProtectSystem=strict$", unit)
    data_in_unit = re.search(r"(?m)^Environment=LANTERN_DATA=(\S+)$", unit).group(1)
    writable = {p.lstrip("-") for line in re.findall(r"(?m)^ReadWritePaths=(.+)$", unit) for p in line.split()}
    data = tmp_path / "data"
    data.mkdir()
    bind_ro = "" if data_in_unit in writable else \
        f"mount --bind {data} {data} && mount -o remount,ro,bind {data} && "
    script = (f"{bind_ro}LANTERN_DATA={data} {sys.executable} -m kiosk.cli doctor --prometheus "
              f"--boot-file {tmp_path / 'none.toml'}")
    done = subprocess.run(["unshare", "--mount", "sh", "-c", script], capture_output=True, text=True,
                          cwd=ROOT, timeout=180)
    assert 'lantern_doctor_check{check="disk"} 0\n' in done.stdout, done.stdout + done.stderr

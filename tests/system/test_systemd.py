"""The device's systemd files, checked by systemd's own tools."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "systemd" / "lantern-kiosk.service"
SYSUSERS = ROOT / "systemd" / "lantern.sysusers.conf"
JOURNALD = ROOT / "systemd" / "journald-lantern.conf"
KIOSK = Path(sys.executable).parent / "kiosk"  # the venv's console script
INSTALLED_KIOSK = "/opt/lantern/.venv/bin/kiosk"
MAX_EXPOSURE = 2.0  # `systemd-analyze security` score; 0 = locked down, 10 = exposed


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (`./lantern.sh test` installs Debian's systemd package)")
    return path


def parse_unit(text: str) -> dict[str, dict[str, list[str]]]:
    """Sections -> key -> every value (keys like DeviceAllow= repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


@pytest.fixture
def unit_here(tmp_path: Path) -> Path:
    """The unit with ExecStart pointing at this venv's kiosk (verify checks the binary exists)."""
    if not KIOSK.is_file():
        pytest.skip(f"{KIOSK} is missing: install the package into the venv (pip install -e .)")
    text = UNIT.read_text()
    assert f"ExecStart={INSTALLED_KIOSK} run" in text
    path = tmp_path / UNIT.name
    path.write_text(text.replace(f"ExecStart={INSTALLED_KIOSK} run", f"ExecStart={KIOSK} run"))
    return path


def test_systemd_analyze_verify_passes(unit_here: Path) -> None:
    tool = _tool("systemd-analyze")
    done = subprocess.run([tool, "verify", str(unit_here)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    # verify exits 0 even for an unknown (misspelt) setting; it only complains on stderr.
    assert done.stderr.strip() == "", done.stderr


def test_hardening_exposure_stays_low(unit_here: Path) -> None:
    tool = _tool("systemd-analyze")
    done = subprocess.run([tool, "security", "--offline=true", "--no-pager", str(unit_here)],
                          capture_output=True, text=True, timeout=60)
    if done.returncode != 0 and "offline" in done.stderr:
        pytest.skip("this systemd-analyze has no --offline mode (systemd < 252)")
    found = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", done.stdout)
    assert found, done.stdout[-500:] + done.stderr
    assert float(found.group(1)) <= MAX_EXPOSURE, done.stdout


def test_the_unit_says_what_the_device_needs() -> None:
    unit = parse_unit(UNIT.read_text())
    service, head = unit["Service"], unit["Unit"]
    one = {key: values[-1] for key, values in service.items()}
    assert one["Type"] == "notify" and one["NotifyAccess"] == "main"
    assert one["WatchdogSec"] == "30s"
    assert one["Restart"] == "always" and one["RestartSec"] == "2s"
    assert head["StartLimitIntervalSec"] == ["0"]  # never give up
    assert one["LimitCORE"] == "0"  # no core dumps: they could hold a visitor's screen
    assert one["User"] == "lantern"
    assert set(one["SupplementaryGroups"].split()) == {"video", "render", "input", "audio"}
    assert one["StateDirectory"] == "lantern"
    assert "LANTERN_DATA=/var/lib/lantern" in service["Environment"]
    assert "SDL_VIDEODRIVER=kmsdrm" in service["Environment"]
    assert one["ExecStart"] == f"{INSTALLED_KIOSK} run"
    for key, value in {"NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes",
                       "PrivateTmp": "yes", "PrivateNetwork": "yes", "ProtectKernelTunables": "yes",
                       "ProtectControlGroups": "yes", "RestrictSUIDSGID": "yes",
                       "DevicePolicy": "closed"}.items():
        assert one.get(key) == value, key
    assert "CapabilityBoundingSet" in one and one["CapabilityBoundingSet"] == ""
    assert unit["Install"]["WantedBy"] == ["multi-user.target"]


def test_sysusers_makes_the_user_and_its_groups(tmp_path: Path) -> None:
    tool = _tool("systemd-sysusers")
    etc = tmp_path / "etc"
    (etc / "sysusers.d").mkdir(parents=True)
    (etc / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    # A Raspberry Pi OS-like group file: render is missing and must be created.
    (etc / "group").write_text("root:x:0:\naudio:x:29:\nvideo:x:44:\ninput:x:105:\n")
    shutil.copy(SYSUSERS, etc / "sysusers.d" / "lantern.conf")
    done = subprocess.run([tool, f"--root={tmp_path}", "lantern.conf"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    user = next(line.split(":") for line in (etc / "passwd").read_text().splitlines()
                if line.startswith("lantern:"))
    assert user[5] == "/var/lib/lantern" and user[6] == "/usr/sbin/nologin"
    members = {line.split(":")[0]: line.split(":")[3].split(",")
               for line in (etc / "group").read_text().splitlines()}
    for group in ("video", "render", "input", "audio"):
        assert "lantern" in members[group], group


def test_journald_limits_use_real_settings() -> None:
    journald = Path("/lib/systemd/systemd-journald")
    if not journald.is_file():
        pytest.skip("systemd-journald is not installed")
    known = set(re.findall(rb"Journal\.([A-Za-z]+)", journald.read_bytes()))
    settings = parse_unit(JOURNALD.read_text())["Journal"]
    assert "SystemMaxUse" in settings
    for key in settings:
        assert key.encode() in known, f"journald has no setting {key}"

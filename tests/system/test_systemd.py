"""The device's systemd files, checked by systemd's own tools."""

from __future__ import annotations

import re
import shlex
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


def test_leave_to_the_desktop_is_the_one_exit_that_is_not_restarted() -> None:
    from kiosk.ui.admin_status import LEAVE_EXIT_CODE, RESTART_EXIT_CODE
    service = parse_unit(UNIT.read_text())["Service"]
    assert service["Restart"] == ["always"]
    assert service["RestartPreventExitStatus"] == [str(LEAVE_EXIT_CODE)]
    assert service["SuccessExitStatus"] == [str(LEAVE_EXIT_CODE)]  # asked for: not a failure
    # Restart (75) must restart; a stop (0), a Python crash (1), usage (2), kiosk.cli's
    # unexpected error (70) and Ctrl+C (130) must never look like Leave.
    assert LEAVE_EXIT_CODE != RESTART_EXIT_CODE
    assert LEAVE_EXIT_CODE not in (0, 1, 2, 70, 130)


def test_leave_exit_status_is_not_one_of_systemds_own() -> None:
    from kiosk.ui.admin_status import LEAVE_EXIT_CODE
    tool = _tool("systemd-analyze")
    done = subprocess.run([tool, "exit-status", str(LEAVE_EXIT_CODE)], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    name, status, kind = done.stdout.splitlines()[-1].split()
    assert (name, int(status), kind) == ("UNAVAILABLE", LEAVE_EXIT_CODE, "BSD")  # sysexits' EX_UNAVAILABLE


def stop_post_command() -> tuple[str, list[str]]:
    """ExecStopPost= as systemd runs it: its prefix characters, and its argv ("$$" is a "$")."""
    (value,) = parse_unit(UNIT.read_text())["Service"]["ExecStopPost"]
    command = value.lstrip("-+@:!")
    return value[:len(value) - len(command)], shlex.split(command.replace("$$", "$"))


@pytest.mark.parametrize("exit_code, exit_status", [
    ("exited", "LEAVE"), ("exited", "RESTART"), ("exited", "0"), ("exited", "1"), ("exited", "70"),
    ("dumped", "ABRT"), ("killed", "TERM")])
def test_a_login_prompt_comes_up_after_leave_and_after_nothing_else(tmp_path: Path, exit_code: str,
                                                                     exit_status: str) -> None:
    """Run the unit's ExecStopPost= command with the variables systemd gives it
    ($EXIT_CODE: exited, killed or dumped; $EXIT_STATUS: the number, or the signal's name)
    and a `systemctl` on PATH that records what it was asked."""
    from kiosk.ui.admin_status import LEAVE_EXIT_CODE, RESTART_EXIT_CODE
    status = {"LEAVE": str(LEAVE_EXIT_CODE), "RESTART": str(RESTART_EXIT_CODE)}.get(exit_status, exit_status)
    prefix, argv = stop_post_command()
    assert "+" in prefix  # as root: the kiosk's own user cannot start a getty
    assert "-" in prefix  # a getty that cannot start is not the kiosk's failure
    assert argv[:2] == ["/bin/sh", "-c"]
    bin_dir, asked = tmp_path / "bin", tmp_path / "asked"
    bin_dir.mkdir()
    fake = bin_dir / "systemctl"
    fake.write_text(f'#!/bin/sh\necho "$@" > {asked}\n')
    fake.chmod(0o755)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "EXIT_CODE": exit_code, "EXIT_STATUS": status,
           "SERVICE_RESULT": "success" if status in ("0", str(LEAVE_EXIT_CODE)) else "exit-code"}
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    if status == str(LEAVE_EXIT_CODE):
        # --no-block: the getty's start waits for this unit's stop, which waits for this command.
        assert asked.read_text().split() == ["--no-block", "start", "getty@tty1.service"]
    else:
        assert not asked.exists(), asked.read_text()


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

"""The Debian package end to end: built by its one command, installed with apt into a
clean Debian 12 root, booted there under systemd (systemd-nspawn --boot), upgraded
and purged. The root is debootstrapped once and cached in .cache/device-root/;
each run works on a copy of it in the run's temp folder.

Figures (build time, installed size, boot to READY=1) are printed, never asserted:
run with `-s` to see them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from debroot import (EM_AARCH64, Boot, boot, cached_root, copy_root, elf_machine, remove_root,
                     run_in)

REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / "packaging" / "build-deb.sh"
CACHE = REPO / ".cache"
PKG = "/run/lantern-test/pkg"  # where the packages and test files appear inside the root
BOOT_SECONDS = 420  # the first start prepares fonts when the package could not (TimeoutStartSec=180s)
WATCH_SECONDS = 20  # WatchdogSec=30s: the kiosk pings every 7.5 s

pytestmark = pytest.mark.device

# Inside the booted root: written as a oneshot unit ordered after the kiosk (so it
# runs once the kiosk is READY, or has failed to be), it records what systemd knows
# and powers the container off. The host reads the report after nspawn returns.
REPORTER = f"""#!/bin/sh
out=/root/device-report
mkdir -p $out
props="-p ActiveState -p SubState -p Result -p NRestarts -p MainPID -p ActiveEnterTimestampMonotonic -p WatchdogTimestampMonotonic -p WatchdogUSec"
systemctl show lantern-kiosk.service $props > $out/first.txt
sleep {WATCH_SECONDS}
systemctl show lantern-kiosk.service $props > $out/second.txt
systemctl show lantern-firstboot.service -p ActiveState -p Result > $out/firstboot.txt 2>&1
systemctl is-enabled lantern-kiosk.service lantern-pack-update.timer lantern-firstboot.service > $out/enabled.txt 2>&1
systemctl list-units --failed --no-legend --plain > $out/failed.txt 2>&1
journalctl -b --no-pager -o cat -u lantern-kiosk.service > $out/kiosk.log 2>&1
journalctl -b --no-pager -o cat -u lantern-firstboot.service > $out/firstboot.log 2>&1
systemctl poweroff
"""

REPORTER_UNIT = """[Unit]
Description=Lantern device test: report on the kiosk, then power off
After=lantern-kiosk.service lantern-firstboot.service

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/lantern-device-report
TimeoutStartSec=120

[Install]
WantedBy=multi-user.target
"""

# A container has no screen and no /dev/tty1: the kiosk draws offscreen (Mesa's
# software renderer) and reads no console. Everything else is the packaged unit.
CONTAINER_DROPIN = """[Service]
Environment=SDL_VIDEODRIVER=offscreen
StandardInput=null
TTYReset=no
TTYVHangup=no
TTYVTDisallocate=no
"""

BOOT_TOML = """# lantern.toml written by the device test
[updates]
pack_url = "https://updates.example.org/lantern/test-region.lantern"

[device]
rotation = 90
"""


def build(arch: str, out: Path, *extra: str) -> tuple[Path, float]:
    started = time.monotonic()
    done = subprocess.run([str(BUILD), arch, "-o", str(out), *extra], capture_output=True, text=True,
                          timeout=2400)
    assert done.returncode == 0, done.stderr[-3000:]
    (deb,) = out.glob(f"lantern-kiosk_*_{arch}.deb")
    return deb, time.monotonic() - started


def props(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


@pytest.fixture(scope="module")
def amd64_deb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    prebuilt = os.environ.get("LANTERN_DEVICE_DEB")  # a package built earlier by the same command
    if prebuilt:
        return Path(prebuilt)
    deb, seconds = build("amd64", tmp_path_factory.mktemp("deb-amd64"))
    info = subprocess.run(["dpkg-deb", "-f", str(deb), "Installed-Size"], capture_output=True, text=True)
    print(f"\n[device] built {deb.name} in {seconds:.0f} s: {deb.stat().st_size / 1e6:.1f} MB, "
          f"installed {int(info.stdout) / 1024:.0f} MB")
    return deb


@pytest.fixture(scope="module")
def upgrade_deb(amd64_deb: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same package with a higher version: what dpkg sees in an upgrade (repacking
    is much faster than a second build, and exercises the same maintainer scripts)."""
    work = tmp_path_factory.mktemp("deb-upgrade")
    tree = work / "tree"
    subprocess.run(["dpkg-deb", "-R", str(amd64_deb), str(tree)], check=True, timeout=300)
    control = tree / "DEBIAN" / "control"
    lines = [f"{line}+upgrade1" if line.startswith("Version: ") else line
             for line in control.read_text().splitlines()]
    control.write_text("\n".join(lines) + "\n")
    deb = work / "lantern-kiosk_upgrade_amd64.deb"
    subprocess.run(["dpkg-deb", "--root-owner-group", "-Zgzip", "-z1", "-b", str(tree), str(deb)],
                   check=True, capture_output=True, timeout=600)
    return deb


@pytest.fixture(scope="module")
def signed_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A key pair and a pack signed with it, made with the checkout's kiosk."""
    work = tmp_path_factory.mktemp("pack")
    env_data = work / "data"
    kiosk = [sys.executable, "-m", "kiosk.cli"]
    run = dict(cwd=work, capture_output=True, text=True, timeout=300,
               env={"PATH": "/usr/bin:/bin", "LANTERN_DATA": str(env_data), "PYTHONPATH": str(REPO)})
    done = subprocess.run([*kiosk, "keygen", "device-test"], **run)  # type: ignore[call-overload]
    assert done.returncode == 0, done.stderr
    done = subprocess.run([*kiosk, "pack", "build", str(REPO / "examples" / "packs" / "mississippi"),
                           "region.lantern", "--key", "device-test.key"], **run)  # type: ignore[call-overload]
    assert done.returncode == 0, done.stderr
    return work


@pytest.fixture(scope="module")
def root(amd64_deb: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A fresh copy of the cached Debian 12 root, with the package installed by apt."""
    base = cached_root(CACHE)
    work = tmp_path_factory.mktemp("device")
    target = copy_root(base, work / "root")
    pkg = work / "pkg"
    pkg.mkdir()
    shutil.copy(amd64_deb, pkg)
    archives = CACHE / "device-apt"  # downloaded dependencies, kept so a second run downloads nothing
    (archives / "partial").mkdir(parents=True, exist_ok=True)
    try:
        done = run_in(target, f"apt-get update -qq && apt-get install -y -q {PKG}/{amd64_deb.name}",
                      timeout=1200, binds={archives: "/var/cache/apt/archives"}, ro={pkg: PKG})
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        yield target, pkg, done.stdout + done.stderr
    finally:
        remove_root(target)


@pytest.fixture(scope="module")
def booted(root) -> tuple[Boot, dict[str, str]]:  # type: ignore[no-untyped-def]
    target, _, _ = root
    (target / "usr/local/sbin/lantern-device-report").write_text(REPORTER)
    (target / "usr/local/sbin/lantern-device-report").chmod(0o755)
    (target / "etc/systemd/system/lantern-device-report.service").write_text(REPORTER_UNIT)
    wants = target / "etc/systemd/system/multi-user.target.wants"
    wants.mkdir(parents=True, exist_ok=True)
    (wants / "lantern-device-report.service").symlink_to("/etc/systemd/system/lantern-device-report.service")
    dropin = target / "etc/systemd/system/lantern-kiosk.service.d"
    dropin.mkdir(parents=True, exist_ok=True)
    (dropin / "zz-container.conf").write_text(CONTAINER_DROPIN)
    (target / "boot/firmware").mkdir(parents=True, exist_ok=True)
    (target / "boot/firmware/lantern.toml").write_text(BOOT_TOML)
    result = boot(target, BOOT_SECONDS, target.parent / "console.log")
    report = target / "root/device-report"
    files = {p.name: p.read_text(errors="replace") for p in report.glob("*")} if report.is_dir() else {}
    return result, files


def test_apt_installs_user_units_and_commands(root) -> None:  # type: ignore[no-untyped-def]
    target, pkg, _ = root
    done = run_in(target, "set -e; id -nG lantern; stat -c '%U %a' /var/lib/lantern; "
                  "systemctl is-enabled lantern-kiosk.service lantern-pack-update.timer; "
                  "readlink /etc/systemd/system/ctrl-alt-del.target; command -v lk; command -v kiosk; "
                  "kiosk --version; lk validate -q && echo valid", timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout.splitlines()
    assert {"lantern", "video", "render", "input", "audio"} <= set(out[0].split())
    assert out[1] == "lantern 700"
    assert out[2:4] == ["enabled", "enabled"]
    assert out[4] == "/dev/null"
    assert out[5:7] == ["/usr/bin/lk", "/usr/bin/kiosk"]
    assert out[7].startswith("lantern ")
    assert out[-1] == "valid"
    for dropin in ("usr/lib/systemd/journald.conf.d/lantern.conf", "usr/lib/systemd/logind.conf.d/lantern.conf",
                   "usr/lib/sysctl.d/90-lantern.conf", "usr/lib/tmpfiles.d/lantern.conf",
                   "usr/lib/sysusers.d/lantern.conf"):
        assert (target / dropin).is_file(), dropin
    # The venv runs on the root's own python3 and holds Lantern's code, compiled.
    assert (target / "opt/lantern/.venv/bin/python3").readlink() == Path("/usr/bin/python3")
    assert list((target / "opt/lantern/.venv/lib/python3.11/site-packages/kiosk/__pycache__").glob("*.pyc"))
    # Fonts were prepared at install (kiosk.i18n.prepare), so the first boot need not.
    if (target / "opt/lantern/.venv/lib/python3.11/site-packages/kiosk/i18n/prepare.py").is_file():
        assert (target / "opt/lantern/.venv/share/lantern/fonts/READY").is_file()


def test_boot_reaches_ready_and_feeds_the_watchdog(booted) -> None:  # type: ignore[no-untyped-def]
    result, files = booted
    context = f"console:\n{result.console[-3000:]}\nkiosk log:\n{files.get('kiosk.log', '')[-4000:]}"
    assert result.returncode is not None, "the container did not power off in time\n" + context
    assert "first.txt" in files, "the report unit never ran\n" + context
    first, second = props(files["first.txt"]), props(files["second.txt"])
    assert first["ActiveState"] == "active" and first["SubState"] == "running", context
    assert int(first["ActiveEnterTimestampMonotonic"]) > 0
    ready = int(first["ActiveEnterTimestampMonotonic"]) / 1e6 - result.started
    print(f"\n[device] systemd-nspawn --boot to READY=1: {ready:.1f} s")
    # Still the same process, never restarted, and systemd saw fresh watchdog pings.
    assert second["ActiveState"] == "active" and second["MainPID"] == first["MainPID"], context
    assert second["NRestarts"] == "0"
    assert second["WatchdogUSec"] == "30s"
    assert int(second["WatchdogTimestampMonotonic"]) > int(first["WatchdogTimestampMonotonic"]) > 0
    assert "Traceback" not in files["kiosk.log"], context
    assert files["failed.txt"].strip() == "", files["failed.txt"] + context


def test_first_boot_configuration_applied(booted, root) -> None:  # type: ignore[no-untyped-def]
    target, _, _ = root
    _, files = booted
    if not (target / "lib/systemd/system/lantern-firstboot.service").is_file():
        pytest.skip("this build has no lantern-firstboot.service")
    assert props(files["firstboot.txt"]) == {"ActiveState": "active", "Result": "success"}, files["firstboot.log"]
    assert "enabled" in files["enabled.txt"]
    env = (target / "etc/lantern/pack-update.env").read_text()
    assert "https://updates.example.org/lantern/test-region.lantern" in env
    assert "90" in (target / "etc/lantern/kiosk.env").read_text()


def test_upgrade_keeps_data_and_purge_removes_it(root, booted, upgrade_deb: Path,  # type: ignore[no-untyped-def]
                                                 signed_pack: Path) -> None:
    target, pkg, _ = root
    for src in (upgrade_deb, signed_pack / "region.lantern", signed_pack / "device-test.pub"):
        shutil.copy(src, pkg)
    upgrade = upgrade_deb.name
    snapshot = ("cd /var/lib/lantern && find . -path ./cache -prune -o -type f -print | sort | "
                "xargs -r sha256sum; stat -c '%U %n' . packs trust counts admin-pin.json")
    setup = f"""set -e
lk pack trust {PKG}/device-test.pub
lk pack install {PKG}/region.lantern
printf '246810\\n' | lk admin set-pin --stdin
setpriv --reuid=lantern --regid=lantern --init-groups env LANTERN_DATA=/var/lib/lantern \\
  /opt/lantern/.venv/bin/python3 -c 'import sys; from kiosk.metrics import Metrics; from kiosk.cli_local import metrics_path; sys.exit(not Metrics(metrics_path()).add(["device-test"]))'
"""
    done = run_in(target, setup, timeout=300, ro={pkg: PKG})
    assert done.returncode == 0, done.stdout + done.stderr
    # every write says where it went (nspawn passes the container's stderr on with its stdout)
    assert "installed into /var/lib/lantern/packs/" in done.stdout + done.stderr, done.stdout
    before = run_in(target, snapshot, timeout=120)
    assert before.returncode == 0 and "admin-pin.json" in before.stdout and "daily.sqlite" in before.stdout, \
        before.stdout + before.stderr
    owners = before.stdout.strip().splitlines()[-5:]
    assert all(line.startswith("lantern ") for line in owners), owners  # nothing left owned by root

    done = run_in(target, f"apt-get install -y -q {PKG}/{upgrade} && dpkg-query -W lantern-kiosk && "
                  "lk pack status && lk metrics export", timeout=900, ro={pkg: PKG})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "+upgrade1" in done.stdout and "us-ms-sample" in done.stdout
    assert "device-test" in done.stdout
    after = run_in(target, snapshot, timeout=120)
    assert after.stdout == before.stdout

    done = run_in(target, "apt-get purge -y -q lantern-kiosk >/dev/null && for p in /var/lib/lantern "
                  "/opt/lantern /usr/bin/lk /usr/bin/kiosk /etc/lantern /etc/systemd/system/ctrl-alt-del.target "
                  "/etc/systemd/system/multi-user.target.wants/lantern-kiosk.service; do "
                  "[ -e $p ] || [ -L $p ] && echo LEFT $p; done; echo done", timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().splitlines()[-1] == "done" and "LEFT" not in done.stdout, done.stdout


def test_arm64_package_holds_only_aarch64_libraries(tmp_path: Path) -> None:
    prebuilt = os.environ.get("LANTERN_DEVICE_DEB_ARM64")
    if prebuilt:
        deb = Path(prebuilt)
    else:
        deb, seconds = build("arm64", tmp_path / "out")
        print(f"\n[device] built {deb.name} in {seconds:.0f} s: {deb.stat().st_size / 1e6:.1f} MB")
    tree = tmp_path / "tree"
    subprocess.run(["dpkg-deb", "-x", str(deb), str(tree)], check=True, timeout=600)
    libraries = [p for p in tree.rglob("*") if p.is_file() and not p.is_symlink()
                 and (p.name.endswith(".so") or ".so." in p.name)]
    assert len(libraries) > 20  # Kivy, Vosk, PyNaCl, rapidfuzz, PyYAML...
    wrong = [f"{p.relative_to(tree)}: e_machine {elf_machine(p)}" for p in libraries
             if elf_machine(p) != EM_AARCH64]
    assert wrong == []
    assert (tree / "opt/lantern/.venv/bin/kiosk").read_text().startswith("#!/opt/lantern/.venv/bin/python3\n")

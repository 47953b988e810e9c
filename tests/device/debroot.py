"""A Debian 12 root for the device tests: made once with debootstrap, cached in the
checkout, copied for each run, and run under systemd-nspawn with every step bounded."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

SUITE = "bookworm"
READY_MARK = ".lantern-root-ok"
EM_X86_64 = 62
EM_AARCH64 = 183


def mirror_from(texts: dict[str, str]) -> str | None:
    """The first Debian mirror serving `bookworm` in apt's sources (one-line or deb822 files)."""
    for name, text in texts.items():
        if name.endswith(".sources"):
            for stanza in re.split(r"\n\s*\n", text):
                fields = dict(re.findall(r"^([A-Za-z-]+):[ \t]*(.*)$", stanza, re.M))
                if (fields.get("Enabled", "yes").lower() != "no" and "deb" in fields.get("Types", "").split()
                        and SUITE in fields.get("Suites", "").split()):
                    return fields.get("URIs", "").split()[0] if fields.get("URIs", "").split() else None
        else:
            for line in text.splitlines():
                words = re.sub(r"\[[^]]*\]", "", line.split("#")[0]).split()
                if len(words) >= 3 and words[0] == "deb" and words[2] == SUITE:
                    return words[1]
    return None


def host_mirror() -> str:
    base = Path("/etc/apt")
    files = [base / "sources.list", *sorted((base / "sources.list.d").glob("*.list")),
             *sorted((base / "sources.list.d").glob("*.sources"))]
    texts = {str(p): p.read_text(encoding="utf-8", errors="replace") for p in files if p.is_file()}
    return mirror_from(texts) or "http://deb.debian.org/debian"


def mounts_under(path: Path) -> list[str]:
    prefix = str(path.resolve()).rstrip("/") + "/"
    found = []
    for line in Path("/proc/mounts").read_text().splitlines():
        target = line.split()[1].replace("\\040", " ")
        if (target + "/").startswith(prefix) or target == prefix.rstrip("/"):
            found.append(target)
    return sorted(found, key=len, reverse=True)


def unmount_under(path: Path) -> None:
    """debootstrap can leave /proc mounted in the new root; a copy or delete must not cross it."""
    for target in mounts_under(path):
        subprocess.run(["umount", "-l", target], capture_output=True, timeout=30)


def cached_root(cache: Path, timeout: float = 900) -> Path:
    """A minimal Debian 12 with systemd and dbus, made by debootstrap from this machine's mirror."""
    root = cache / "device-root"
    if (root / READY_MARK).is_file():
        return root
    partial = cache / "device-root.partial"
    unmount_under(partial)
    shutil.rmtree(partial, ignore_errors=True)
    cache.mkdir(parents=True, exist_ok=True)
    try:
        done = subprocess.run(["debootstrap", "--variant=minbase", "--include=systemd,dbus", SUITE,
                               str(partial), host_mirror()], capture_output=True, text=True, timeout=timeout)
    finally:
        unmount_under(partial)
    if done.returncode != 0:
        raise RuntimeError(f"debootstrap failed: {done.stdout[-2000:]}{done.stderr[-2000:]}")
    (partial / READY_MARK).write_text(host_mirror() + "\n")
    unmount_under(root)
    shutil.rmtree(root, ignore_errors=True)
    partial.rename(root)
    return root


def copy_root(src: Path, dest: Path) -> Path:
    subprocess.run(["cp", "-a", "--reflink=auto", str(src), str(dest)], check=True, timeout=600)
    return dest


def remove_root(root: Path) -> None:
    unmount_under(root)
    shutil.rmtree(root, ignore_errors=True)


def nspawn_argv(root: Path, binds: dict[Path, str] | None = None, ro: dict[Path, str] | None = None) -> list[str]:
    argv = ["systemd-nspawn", "-q", "-D", str(root), "--register=no", "--keep-unit",
            "--setenv=DEBIAN_FRONTEND=noninteractive", "--setenv=LC_ALL=C.UTF-8"]
    for src, dest in (binds or {}).items():
        argv.append(f"--bind={src}:{dest}")
    for src, dest in (ro or {}).items():
        argv.append(f"--bind-ro={src}:{dest}")
    return argv


def run_in(root: Path, script: str, timeout: float, binds: dict[Path, str] | None = None,
           ro: dict[Path, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run a shell script inside the root (no boot), as root, with the host's network."""
    try:
        return subprocess.run([*nspawn_argv(root, binds, ro), "/bin/sh", "-c", script],
                              capture_output=True, text=True, timeout=timeout)
    finally:
        unmount_under(root)


@dataclass(frozen=True)
class Boot:
    started: float  # time.monotonic() just before systemd-nspawn --boot was started
    returncode: int | None  # None: it had to be killed
    console: str


def boot(root: Path, timeout: float, log: Path) -> Boot:
    """Boot the root with systemd as PID 1 until it powers itself off; stopped (then killed) at the timeout."""
    argv = [*nspawn_argv(root), "--boot"]
    with log.open("w") as out:
        started = time.monotonic()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
        code: int | None
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            # SIGTERM asks nspawn for an orderly shutdown of the container, SIGKILL ends it.
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)
            code = None
        finally:
            unmount_under(root)
    return Boot(started, code, log.read_text(errors="replace"))


def elf_machine(path: Path) -> int | None:
    """e_machine of an ELF file, or None when the file is not ELF."""
    with path.open("rb") as f:
        head = f.read(20)
    if len(head) < 20 or head[:4] != b"\x7fELF":
        return None
    order = "little" if head[5] == 1 else "big"
    return int.from_bytes(head[18:20], order)

"""Build lantern-kiosk_VERSION_ARCH.deb from this checkout (run it as packaging/build-deb.sh ARCH).

What goes in (docs/device.md, "Installing the Debian package", has the list for
facilities):
- /opt/lantern/.venv: a private Python environment for Debian 12's own
  /usr/bin/python3 (3.11), holding exactly the locked dependencies
  (requirements/device.txt, every file checked against its hash) and Lantern's
  wheel built from the checkout. The environment is assembled here, for either
  architecture, with pip's --target/--platform (so an arm64 package is built on
  an amd64 machine from aarch64 wheels), then made into a venv by hand: its
  python links to /usr/bin/python3, its scripts start with
  #!/opt/lantern/.venv/bin/python3. Bytecode is compiled here with
  /usr/bin/python3 (it must be 3.11, the target's version).
- every unit in systemd/ (whatever is there at build time), the sysusers.d user,
  tmpfiles.d, the journald and logind drop-ins and sysctl setting, the docs,
  and /usr/bin/lk and /usr/bin/kiosk (packaging/lk).
- maintainer scripts (packaging/debian/) that create the user, enable the units
  that have an [Install] section, lock down the console and prepare the fonts.

Wheels are cached in .cache/deb/wheels/ARCH, so a second build downloads nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
from lockfile import Requirement, lock_text, read_lock  # noqa: E402

PACKAGE = "lantern-kiosk"
MACHINES = {"amd64": "x86_64", "arm64": "aarch64"}
PYTHON = "3.11"
TARGET_PYTHON = Path("/usr/bin/python3")  # Debian 12's python3 on the device, and here
PREFIX = Path("/opt/lantern")
VENV = PREFIX / ".venv"
# Debian 12 has glibc 2.36: any manylinux wheel up to that runs on it.
GLIBC_MINORS = range(36, 16, -1)
# What the kiosk needs from Debian at run time (lantern.sh's apt_run, less python3-venv:
# the venv is made here, the device only runs it).
DEPENDS = [
    "python3 (>= 3.11~)", "python3 (<< 3.12~)", "systemd", "init-system-helpers", "util-linux",
    "espeak-ng", "libespeak-ng1", "libportaudio2", "fonts-noto-core", "fonts-noto-cjk",
    "fonts-material-design-icons-iconfont", "libmtdev1", "libgl1", "libegl1",
]
UNIT_SUFFIXES = (".service", ".timer", ".path", ".socket", ".target")
MISSING = re.compile(r"No matching distribution found for ([A-Za-z0-9._-]+)==")


class BuildError(Exception):
    """A reason the package cannot be built, as one line for the person building it."""


@dataclass(frozen=True)
class Result:
    deb: Path
    version: str
    arch: str
    seconds: float
    installed_kib: int


def say(message: str) -> None:
    print(f"[build-deb] {message}", file=sys.stderr, flush=True)


def run(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, text=True, capture_output=True, **kwargs)  # type: ignore[call-overload]


def pip(*args: str) -> list[str]:
    return [sys.executable, "-m", "pip", "--disable-pip-version-check", *args]


def pip_env() -> dict[str, str]:
    # This machine's pip configuration (local mirrors, a constraints file) must not
    # change what goes into a package: the lock and its hashes decide.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    return env


def platform_args(machine: str) -> list[str]:
    tags = [f"manylinux_2_{minor}_{machine}" for minor in GLIBC_MINORS]
    tags += [f"manylinux2014_{machine}"]
    if machine == "x86_64":
        tags += ["manylinux2010_x86_64", "manylinux1_x86_64"]
    args: list[str] = []
    for tag in tags:
        args += ["--platform", tag]
    return args + ["--python-version", PYTHON, "--implementation", "cp", "--abi", "cp311"]


def project_version() -> str:
    with open(REPO / "pyproject.toml", "rb") as f:
        return str(tomllib.load(f)["project"]["version"])


def fetch_wheels(entries: list[Requirement], machine: str, dest: Path,
                 work: Path) -> tuple[list[Requirement], list[Path]]:
    """Download the target's wheels by name, version and hash; build pure-Python ones
    that exist only as source archives. Returns (entries installed from wheels as
    locked, wheels built here)."""
    binary = list(entries)
    source: list[Requirement] = []
    dest.mkdir(parents=True, exist_ok=True)
    while True:
        req = work / "binary.txt"
        req.write_text(lock_text(binary), encoding="utf-8")
        done = run(pip("download", "--no-deps", "--require-hashes", "--only-binary=:all:",
                       *platform_args(machine), "-d", str(dest), "-r", str(req)), env=pip_env())
        if done.returncode == 0:
            break
        missing = MISSING.search(done.stdout + done.stderr)
        name = missing.group(1).lower() if missing else None
        match = [e for e in binary if name is not None and e.name == re.sub(r"[-_.]+", "-", name)]
        if not match:
            tail = (done.stderr.strip() or done.stdout.strip()).splitlines()[-3:]
            raise BuildError(f"could not download the {machine} wheels: {' / '.join(tail)}")
        binary.remove(match[0])
        source.append(match[0])
    built: list[Path] = []
    if source:
        names = ", ".join(f"{e.name}=={e.version}" for e in source)
        say(f"no {machine} wheel on the index, building from the locked source: {names}")
        pure = dest / "built"
        pure.mkdir(exist_ok=True)
        req = work / "source.txt"
        req.write_text(lock_text(source), encoding="utf-8")
        done = run(pip("wheel", "--no-deps", "--require-hashes", "--no-binary=:all:", "-w", str(pure),
                       "-r", str(req)), env=pip_env())
        if done.returncode != 0:
            raise BuildError(f"could not build {names}: {done.stderr.strip().splitlines()[-1:]}")
        for entry in source:
            wheels = [w for w in pure.glob("*.whl")
                      if re.sub(r"[-_.]+", "-", w.name.split("-")[0]).lower() == entry.name
                      and w.name.split("-")[1] == entry.version]
            if not wheels:
                raise BuildError(f"building {entry.name}=={entry.version} gave no wheel")
            if not wheels[0].name.endswith("-none-any.whl"):
                raise BuildError(f"{entry.name}=={entry.version} has no {machine} wheel and is not "
                                 "pure Python; it cannot be cross-built")
            built.append(wheels[0])
    return binary, built


def build_lantern_wheel(work: Path) -> Path:
    out = work / "lantern-wheel"
    isolation = [] if run([sys.executable, "-c", "import hatchling"]).returncode else ["--no-build-isolation"]
    done = run(pip("wheel", "--no-deps", *isolation, "-w", str(out), str(REPO)), env=pip_env())
    if done.returncode != 0:
        raise BuildError(f"could not build Lantern's wheel: {done.stderr.strip().splitlines()[-1:]}")
    return next(out.glob("lantern_kiosk-*.whl"))


def make_venv(stage: Path, machine: str, wheels: Path, binary: list[Requirement],
              extra: list[Path], work: Path) -> None:
    venv = stage / VENV.relative_to("/")
    site = venv / "lib" / f"python{PYTHON}" / "site-packages"
    site.mkdir(parents=True)
    req = work / "binary.txt"
    req.write_text(lock_text(binary), encoding="utf-8")
    common = ["install", "--no-index", "--no-deps", "--no-compile", "--target", str(site),
              "--only-binary=:all:", *platform_args(machine)]
    scripts = work / "scripts"
    scripts.mkdir()

    def install(args: list[str], what: str) -> None:
        done = run(pip(*common, *args), env=pip_env())
        if done.returncode != 0:
            raise BuildError(f"could not install {what}: {done.stderr.strip().splitlines()[-3:]}")
        # pip --target puts console scripts in site-packages/bin, and a later call
        # would replace that folder: keep them aside after each call.
        if (site / "bin").is_dir():
            for script in (site / "bin").iterdir():
                script.replace(scripts / script.name)
            (site / "bin").rmdir()

    install(["--require-hashes", "--find-links", str(wheels), "-r", str(req)], "the locked wheels")
    install([str(p) for p in extra], ", ".join(p.name for p in extra))
    # A venv by hand, the way `python3 -m venv` lays it out on Debian.
    bindir = venv / "bin"
    bindir.mkdir()
    (bindir / "python3").symlink_to(TARGET_PYTHON)
    (bindir / "python").symlink_to("python3")
    (bindir / f"python{PYTHON}").symlink_to("python3")
    (venv / "lib64").symlink_to("lib")
    (venv / "pyvenv.cfg").write_text(
        f"home = {TARGET_PYTHON.parent}\ninclude-system-site-packages = false\nversion = {python_version()}\n",
        encoding="utf-8")
    # pip --target put the console scripts beside the packages, for this machine's python.
    for script in sorted(scripts.iterdir()):
        text = script.read_bytes()
        first, _, rest = text.partition(b"\n")
        if first.startswith(b"#!") and b"python" in first:
            text = f"#!{VENV}/bin/python3".encode() + b"\n" + rest
        target = bindir / script.name
        target.write_bytes(text)
        target.chmod(0o755)
    for direct_url in site.glob("lantern_kiosk-*.dist-info/direct_url.json"):
        direct_url.unlink()  # names the build machine's folder


def python_version() -> str:
    done = run([str(TARGET_PYTHON), "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"])
    version = done.stdout.strip()
    if done.returncode != 0 or not version.startswith(PYTHON + "."):
        raise BuildError(f"{TARGET_PYTHON} here is {version or 'missing'}, not Python {PYTHON}: build "
                         "on Debian 12 (or in a Debian 12 chroot), whose python3 the device runs")
    return version


def compile_bytecode(stage: Path) -> None:
    # unchecked-hash: files under /opt/lantern change only through dpkg, which replaces
    # source and bytecode together, so Python never needs to stat the source.
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    done = run([str(TARGET_PYTHON), "-m", "compileall", "-q", "-j", "0", "--invalidation-mode",
                "unchecked-hash", "-s", str(stage), "-p", "/", str(stage / VENV.relative_to("/") / "lib")],
               env=env)
    if done.returncode != 0:
        raise BuildError(f"byte-compiling failed: {(done.stdout + done.stderr).strip().splitlines()[-3:]}")


def install_file(src: Path, dest: Path, mode: int = 0o644) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest)
    dest.chmod(mode)


def system_files(stage: Path) -> list[str]:
    """Units, drop-ins and helpers; returns the unit names."""
    units: list[str] = []
    for src in sorted((REPO / "systemd").iterdir()):
        name = src.name
        if name.endswith(UNIT_SUFFIXES):
            install_file(src, stage / "lib/systemd/system" / name)
            units.append(name)
        elif name.endswith(".sysusers.conf"):
            install_file(src, stage / "usr/lib/sysusers.d" / (name.removesuffix(".sysusers.conf") + ".conf"))
        elif name.endswith(".tmpfiles.conf"):
            install_file(src, stage / "usr/lib/tmpfiles.d" / (name.removesuffix(".tmpfiles.conf") + ".conf"))
        elif name.startswith("journald-") and name.endswith(".conf"):
            install_file(src, stage / "usr/lib/systemd/journald.conf.d" / name.removeprefix("journald-"))
        elif name.startswith("logind-") and name.endswith(".conf"):
            install_file(src, stage / "usr/lib/systemd/logind.conf.d" / name.removeprefix("logind-"))
        elif not name.startswith(".") and not name.endswith((".md", "~")):
            raise BuildError(f"systemd/{name}: not known where it goes on a device; add a rule to "
                             "packaging/build_deb.py:system_files")
    files = HERE / "files"
    install_file(files / "lantern.tmpfiles.conf", stage / "usr/lib/tmpfiles.d/lantern.conf")
    if not (stage / "usr/lib/systemd/logind.conf.d/lantern.conf").exists():
        install_file(files / "logind-lantern.conf", stage / "usr/lib/systemd/logind.conf.d/lantern.conf")
    install_file(files / "sysctl-lantern.conf", stage / "usr/lib/sysctl.d/90-lantern.conf")
    install_file(files / "lk", stage / PREFIX.relative_to("/") / "bin/lk", 0o755)
    (stage / "usr/bin").mkdir(parents=True, exist_ok=True)
    (stage / "usr/bin/lk").symlink_to(PREFIX / "bin/lk")
    (stage / "usr/bin/kiosk").symlink_to(PREFIX / "bin/lk")
    shutil.copytree(REPO / "docs", stage / PREFIX.relative_to("/") / "docs")
    install_file(files / "copyright", stage / "usr/share/doc" / PACKAGE / "copyright")
    return units


def enabled_units(stage: Path, units: list[str]) -> list[str]:
    """Units with an [Install] section: the ones `systemctl enable` acts on."""
    return [u for u in units
            if re.search(r"^\[Install\]", (stage / "lib/systemd/system" / u).read_text(), re.M)]


def maintainer_scripts(stage: Path, units: list[str]) -> None:
    debian = stage / "DEBIAN"
    debian.mkdir()
    values = {"@UNITS@": " ".join(units), "@ENABLE@": " ".join(enabled_units(stage, units))}
    for name in ("postinst", "prerm", "postrm"):
        text = (HERE / "debian" / name).read_text(encoding="utf-8")
        for key, value in values.items():
            text = text.replace(key, value)
        (debian / name).write_text(text, encoding="utf-8")
        (debian / name).chmod(0o755)


def control(stage: Path, version: str, arch: str) -> int:
    size = sum(p.lstat().st_size for p in stage.rglob("*") if "DEBIAN" not in p.parts)
    kib = (size + 1023) // 1024
    (stage / "DEBIAN/control").write_text(
        f"Package: {PACKAGE}\n"
        f"Version: {version}\n"
        f"Architecture: {arch}\n"
        "Maintainer: Lantern project <lantern@invalid>\n"
        f"Installed-Size: {kib}\n"
        f"Depends: {', '.join(DEPENDS)}\n"
        "Section: misc\n"
        "Priority: optional\n"
        "Description: Lantern: a discreet, offline help kiosk\n"
        " A touchscreen kiosk for clinic waiting rooms and restrooms that tells people\n"
        " who may be trafficked, in their language, where to find help. Starts at boot\n"
        " on the first console (lantern-kiosk.service), updates its signed regional\n"
        " pack on a timer, and keeps everything it writes in /var/lib/lantern.\n",
        encoding="utf-8")
    sums = []
    for path in sorted(stage.rglob("*")):
        if path.is_file() and not path.is_symlink() and "DEBIAN" not in path.relative_to(stage).parts:
            digest = hashlib.md5(path.read_bytes()).hexdigest()  # dpkg's own format; not for security
            sums.append(f"{digest}  {path.relative_to(stage)}\n")
    (stage / "DEBIAN/md5sums").write_text("".join(sums), encoding="utf-8")
    return kib


def build(arch: str, out_dir: Path, version: str | None = None, cache: Path | None = None) -> Result:
    if arch not in MACHINES:
        raise BuildError(f"unknown architecture '{arch}': use one of {', '.join(MACHINES)}")
    started = time.monotonic()
    machine = MACHINES[arch]
    version = version or project_version()
    python_version()  # fail early on a machine whose python3 is not the device's
    cache = cache or REPO / ".cache" / "deb"
    entries = read_lock(REPO / "requirements" / "device.txt")
    os.umask(0o022)
    with tempfile.TemporaryDirectory(prefix="lantern-deb-") as tmp:
        work = Path(tmp)
        wheels = cache / "wheels" / arch
        say(f"fetching {arch} wheels from the lock into {wheels}")
        binary, built = fetch_wheels(entries, machine, wheels, work)
        say("building Lantern's wheel")
        lantern = build_lantern_wheel(work)
        stage = work / "root"
        say(f"assembling {VENV}")
        make_venv(stage, machine, wheels, binary, [*built, lantern], work)
        compile_bytecode(stage)
        units = system_files(stage)
        maintainer_scripts(stage, units)
        kib = control(stage, version, arch)
        out_dir.mkdir(parents=True, exist_ok=True)
        deb = out_dir / f"{PACKAGE}_{version}_{arch}.deb"
        say(f"writing {deb}")
        done = run(["dpkg-deb", "--root-owner-group", "-Zxz", "-z6", "--build", str(stage), str(deb)])
        if done.returncode != 0:
            raise BuildError(f"dpkg-deb failed: {done.stderr.strip()}")
    return Result(deb, version, arch, time.monotonic() - started, kib)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="packaging/build-deb.sh",
                                     description="Build the lantern-kiosk Debian package.")
    parser.add_argument("arch", choices=sorted(MACHINES), help="the device's architecture")
    parser.add_argument("-o", "--out", default=str(REPO / "dist"), help="folder for the .deb (default: dist/)")
    parser.add_argument("--version", help="package version (default: pyproject.toml's)")
    args = parser.parse_args(argv)
    try:
        result = build(args.arch, Path(args.out), args.version)
    except BuildError as exc:
        print(f"build-deb: error: {exc}", file=sys.stderr)
        return 1
    size = result.deb.stat().st_size / 1e6
    print(f"{result.deb}: {size:.1f} MB, installed {result.installed_kib / 1024:.0f} MB, "
          f"built in {result.seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The built wheel, installed into an empty venv from the lock, with no checkout on the path.

What a facility gets from `pip install lantern-kiosk`: the light commands work
with no extra; `kiosk preview` and `kiosk run` say in one line which extra to
install (exit 3) instead of a ModuleNotFoundError; with the `ui` extra,
`kiosk preview` draws a real PNG.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCKS = ROOT / "requirements"

pytestmark = pytest.mark.slow


def run(argv: list[str], cwd: Path, env: dict[str, str], timeout: int = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    """(the venv's bin folder, a working folder outside the checkout, the environment)."""
    tmp = tmp_path_factory.mktemp("wheel")
    dist = tmp / "dist"
    built = run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
                 "-q", "-w", str(dist)], tmp, dict(os.environ))
    assert built.returncode == 0, built.stderr
    (wheel,) = dist.glob("lantern_kiosk-*.whl")
    venv.create(tmp / "venv", with_pip=True)
    bin_dir = tmp / "venv" / "bin"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(LANTERN_DATA=str(tmp / "data"), PYTHONNOUSERSITE="1")
    base = run([str(bin_dir / "python"), "-m", "pip", "install", "-q", "--require-hashes", "--no-deps",
                "-r", str(LOCKS / "base.txt")], tmp, env)
    assert base.returncode == 0, base.stderr
    lantern = run([str(bin_dir / "python"), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], tmp, env)
    assert lantern.returncode == 0, lantern.stderr
    work = tmp / "work"
    work.mkdir()
    return bin_dir, work, env


def test_light_commands_work_without_extras(installed: tuple[Path, Path, dict[str, str]]) -> None:
    bin_dir, work, env = installed
    kiosk = str(bin_dir / "kiosk")
    where = run([str(bin_dir / "python"), "-c", "import kiosk; print(kiosk.__file__)"], work, env)
    assert str(ROOT) not in where.stdout and "site-packages" in where.stdout, where.stdout
    helptext = run([kiosk, "--help"], work, env)
    assert helptext.returncode == 0 and "validate" in helptext.stdout, helptext.stderr
    valid = run([kiosk, "validate"], work, env)
    assert valid.returncode == 0, valid.stdout + valid.stderr
    walk = subprocess.run([kiosk, "walk"], cwd=work, env=env, input="1\nexit\n", capture_output=True,
                          text=True, timeout=60)
    assert walk.returncode == 0 and walk.stdout.strip(), walk.stderr
    samples = run([kiosk, "samples"], work, env)
    assert samples.returncode == 0 and "california" in samples.stdout, samples.stdout + samples.stderr
    sample = samples.stdout.split("california", 1)[1].split()[0]
    assert run([kiosk, "validate", sample], work, env).returncode == 0


@pytest.mark.parametrize("command", [["preview", "--out", "x.png"], ["run"]])
def test_drawing_without_the_ui_extra_says_which_extra(installed: tuple[Path, Path, dict[str, str]],
                                                       command: list[str]) -> None:
    bin_dir, work, env = installed
    done = run([str(bin_dir / "kiosk"), *command], work, dict(env, SDL_VIDEODRIVER="offscreen"))
    assert done.returncode == 3, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "lantern-kiosk[ui]" in lines[0], done.stderr
    assert "Traceback" not in done.stderr and not (work / "x.png").exists()


@pytest.mark.ui
def test_preview_with_the_ui_extra_draws_a_png(installed: tuple[Path, Path, dict[str, str]]) -> None:
    bin_dir, work, env = installed
    ui = run([str(bin_dir / "python"), "-m", "pip", "install", "-q", "--require-hashes", "--no-deps",
              "-r", str(LOCKS / "device.txt")], work, env)
    assert ui.returncode == 0, ui.stderr
    out = work / "neutral.png"
    done = run([str(bin_dir / "kiosk"), "preview", "--out", str(out), "--size", "800x480"], work, env)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 5000

"""A plain `pip install .` carries the built-in pack; light commands stay light."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("kivy", "vosk", "sounddevice", "numpy", "pyttsx3")


def test_wheel_contains_and_finds_the_builtin_pack(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path / "dist")], check=True, timeout=300)
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        zf.extractall(tmp_path / "site")
    for needed in ("kiosk/_builtin/pack.yaml", "kiosk/_builtin/contacts.yaml",
                   "kiosk/_builtin/locales/en.yaml", "kiosk/_builtin/assets/icons/icons.yaml",
                   "kiosk/_builtin/assets/fonts/MaterialIcons-Regular.ttf", "kiosk/cli.py"):
        assert needed in names, needed
    assert any(n.startswith("kiosk/_builtin/flows/") for n in names)
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    probe = subprocess.run(
        [sys.executable, "-c", "from kiosk.content.builtin import builtin_root; print(builtin_root())"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert probe.stdout.strip() == str(tmp_path / "site" / "kiosk" / "_builtin")
    validate = subprocess.run([sys.executable, "-m", "kiosk.cli", "validate", "-q"], cwd=tmp_path,
                              env=env, capture_output=True, text=True)
    assert validate.returncode == 0, validate.stdout + validate.stderr


def test_commands_that_draw_nothing_import_nothing_heavy() -> None:
    code = (
        "import sys, io, contextlib\n"
        "from kiosk.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['validate', '-q']); main(['--help']) if False else None\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout
    helptext = subprocess.run([sys.executable, "-m", "kiosk.cli", "--help"], cwd=ROOT,
                              capture_output=True, text=True)
    assert helptext.returncode == 0 and "validate" in helptext.stdout and "walk" in helptext.stdout

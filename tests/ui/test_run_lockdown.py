"""`run_kiosk` for real (its App and event loop) in a subprocess: nothing a keyboard sends leaves it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def test_real_kiosk_survives_escape_alt_f4_f1_and_close_requests(tmp_path):
    env = {**os.environ, "SDL_VIDEODRIVER": "offscreen", "LANTERN_DATA": str(tmp_path)}
    run = subprocess.run([sys.executable, str(HERE / "run_lockdown.py")], capture_output=True, text=True,
                         timeout=120, env=env, cwd=HERE.parent.parent)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["first_frame"] is True
    assert report["alt_f4"] is True and report["close_request"] is True and report["f1"] is True
    assert report["settings_opened"] is False
    assert report["running"] is True and report["root_on_window"] is True
    # Escape on a help screen is a quick exit: a neutral tip, still inside the kiosk.
    assert report["neutral"] is True and report["node"].startswith("tip_")
    assert report["screensaver_allowed"] is False and report["exit_on_escape"] is False
    assert report["window_children"] == 2  # the App's placeholder and the kiosk: no inspector, no panel
    assert "Traceback" not in run.stderr
    # Kivy's own data (KIVY_HOME) lives under the data dir; no config or log was written.
    assert (tmp_path / "kivy").is_dir()
    assert not list((tmp_path / "kivy").rglob("*.ini")) and not list((tmp_path / "kivy").rglob("*.txt"))

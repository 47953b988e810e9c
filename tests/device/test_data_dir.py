"""The data-directory rule (kiosk.system.paths.choose_data_dir) and the commands saying where they wrote."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kiosk.system.paths import SERVICE_DATA, choose_data_dir

HOME = Path("/home/ana")


def test_lantern_data_wins_for_everyone() -> None:
    for euid in (0, 1000):
        assert choose_data_dir({"LANTERN_DATA": "/srv/kiosk"}, euid, HOME) == Path("/srv/kiosk")


def test_root_gets_the_services_directory_not_its_home() -> None:
    assert choose_data_dir({}, 0, Path("/root")) == SERVICE_DATA == Path("/var/lib/lantern")
    # sudo keeps some of the caller's environment; XDG_DATA_HOME must not send root elsewhere
    assert choose_data_dir({"XDG_DATA_HOME": "/home/ana/.local/share"}, 0, Path("/root")) == SERVICE_DATA


def test_other_users_get_their_own() -> None:
    assert choose_data_dir({}, 1000, HOME) == HOME / ".local/share/lantern"
    assert choose_data_dir({"XDG_DATA_HOME": "/data/ana"}, 1000, HOME) == Path("/data/ana/lantern")
    assert choose_data_dir({"LANTERN_DATA": ""}, 1000, HOME) == HOME / ".local/share/lantern"


def test_set_pin_says_where_it_wrote(tmp_path: Path) -> None:
    env = {**os.environ, "LANTERN_DATA": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "kiosk.cli", "admin", "set-pin", "--stdin"], input="246810\n",
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert str(tmp_path / "admin-pin.json") in done.stdout
    assert (tmp_path / "admin-pin.json").is_file()


def test_lk_helper_is_valid_sh() -> None:
    lk = Path(__file__).resolve().parents[2] / "packaging" / "files" / "lk"
    assert subprocess.run(["sh", "-n", str(lk)], timeout=30).returncode == 0

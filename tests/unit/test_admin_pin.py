"""The admin PIN: salted hash only, lockouts that double and survive restarts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.kit.clock import FakeTime
from kiosk.admin import (
    FIRST_LOCKOUT_SECONDS, TRIES_BEFORE_LOCKOUT, PinError, PinStore, check_pin_format, lockout_seconds,
)


def Clock() -> FakeTime:  # noqa: N802 - the tests' name for it
    return FakeTime(1_000_000.0)


@pytest.mark.parametrize("pin", ["12345", "abcdef", "111111", "123456", "987654", "１２３４５６", "1234567890123"])
def test_weak_or_malformed_pins_are_refused(pin: str) -> None:
    with pytest.raises(PinError):
        check_pin_format(pin)


def test_pin_is_stored_only_as_a_salted_hash(tmp_path: Path) -> None:
    store = PinStore(tmp_path / "pin.json")
    store.set_pin("402917")
    text = (tmp_path / "pin.json").read_text()
    assert "402917" not in text
    data = json.loads(text)
    assert len(data["salt"]) == 32 and len(data["hash"]) == 64
    assert oct(os.stat(tmp_path / "pin.json").st_mode & 0o777) == "0o600"
    store.set_pin("402917")
    assert json.loads((tmp_path / "pin.json").read_text())["salt"] != data["salt"]


def test_lockout_doubles_and_survives_a_restart(tmp_path: Path) -> None:
    clock = Clock()
    PinStore(tmp_path / "pin.json", clock).set_pin("402917")
    for round_no in (1, 2, 3):
        store = PinStore(tmp_path / "pin.json", clock)  # a fresh object: as after a restart
        for _ in range(TRIES_BEFORE_LOCKOUT - 1):
            assert store.try_pin("000001").message == "wrong PIN"
        locked = store.try_pin("000001")
        assert locked.locked_for == lockout_seconds(round_no) == FIRST_LOCKOUT_SECONDS * 2 ** (round_no - 1)
        restarted = PinStore(tmp_path / "pin.json", clock)
        assert not restarted.try_pin("402917").ok  # even the right PIN waits
        clock.now += locked.locked_for + 1
    assert PinStore(tmp_path / "pin.json", clock).try_pin("402917").ok
    again = PinStore(tmp_path / "pin.json", clock)
    for _ in range(TRIES_BEFORE_LOCKOUT):
        result = again.try_pin("000001")
    assert result.locked_for == FIRST_LOCKOUT_SECONDS  # a right PIN resets the doubling


def test_no_pin_set_never_opens(tmp_path: Path) -> None:
    attempt = PinStore(tmp_path / "pin.json").try_pin("402917")
    assert not attempt.ok and "set-pin" in attempt.message


def test_damaged_state_file_stays_locked(tmp_path: Path) -> None:
    (tmp_path / "pin.json").write_text("{broken")
    assert not PinStore(tmp_path / "pin.json").try_pin("402917").ok


def test_set_pin_command(tmp_path: Path) -> None:
    env = {**os.environ, "LANTERN_DATA": str(tmp_path)}
    ok = subprocess.run([sys.executable, "-m", "kiosk.cli", "admin", "set-pin", "--stdin"], input="402917\n",
                        capture_output=True, text=True, env=env)
    assert ok.returncode == 0 and (tmp_path / "admin-pin.json").exists()
    assert PinStore(tmp_path / "admin-pin.json").try_pin("402917").ok
    weak = subprocess.run([sys.executable, "-m", "kiosk.cli", "admin", "set-pin", "--stdin"], input="1234\n",
                          capture_output=True, text=True, env=env)
    assert weak.returncode == 1 and "digits" in weak.stderr and "Traceback" not in weak.stderr

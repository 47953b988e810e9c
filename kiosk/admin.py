"""The admin PIN: stored only as a salted scrypt hash, with a lockout that
doubles after each run of wrong tries and survives restarts.

State lives in one small JSON file in the data directory, replaced atomically.
The clock is injected so tests can step it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

MIN_PIN_DIGITS = 6
MAX_PIN_DIGITS = 12
TRIES_BEFORE_LOCKOUT = 5
FIRST_LOCKOUT_SECONDS = 30
MAX_LOCKOUT_SECONDS = 24 * 3600
ADMIN_IDLE_SECONDS = 60
# scrypt cost: about 50 ms on a Raspberry Pi 4, far too slow for guessing 10^6 PINs offline quickly.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


class PinError(ValueError):
    pass


@dataclass
class PinState:
    salt: str = ""
    hash: str = ""
    failures: int = 0  # wrong tries since the last lockout
    lockouts: int = 0  # lockouts since the last right PIN
    locked_until: float = 0.0  # wall-clock seconds

    @property
    def has_pin(self) -> bool:
        return bool(self.hash)


@dataclass(frozen=True)
class Attempt:
    ok: bool
    locked_for: float = 0.0  # seconds until another try is allowed
    message: str = ""


def check_pin_format(pin: str) -> None:
    if not pin.isdigit() or not pin.isascii():
        raise PinError("the PIN must be digits only")
    if not MIN_PIN_DIGITS <= len(pin) <= MAX_PIN_DIGITS:
        raise PinError(f"the PIN must have {MIN_PIN_DIGITS} to {MAX_PIN_DIGITS} digits")
    if len(set(pin)) == 1 or pin in "0123456789012" or pin in "9876543210987":
        raise PinError("the PIN is too easy to guess (repeated or running digits)")


def _hash(pin: str, salt: bytes) -> str:
    return hashlib.scrypt(pin.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P,
                          maxmem=64 * 1024 * 1024, dklen=32).hex()


def lockout_seconds(lockouts: int) -> float:
    """30 s, 60 s, 120 s ... doubling, capped at a day."""
    return float(min(FIRST_LOCKOUT_SECONDS * 2 ** max(0, lockouts - 1), MAX_LOCKOUT_SECONDS))


class PinStore:
    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self.clock = clock

    def load(self) -> PinState:
        try:
            data = json.loads(self.path.read_text("utf-8"))
            return PinState(**{k: data[k] for k in asdict(PinState()) if k in data})
        except FileNotFoundError:
            return PinState()
        except (OSError, ValueError, TypeError):
            # An unreadable file must not unlock admin: treat it as locked for the longest time.
            return PinState(hash="unreadable", locked_until=self.clock() + MAX_LOCKOUT_SECONDS)

    def _save(self, state: PinState) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(f".tmp{os.getpid()}")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(asdict(state), f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)

    def set_pin(self, pin: str) -> None:
        check_pin_format(pin)
        salt = secrets.token_bytes(16)
        self._save(PinState(salt=salt.hex(), hash=_hash(pin, salt)))

    def try_pin(self, pin: str) -> Attempt:
        state = self.load()
        now = self.clock()
        if not state.has_pin:
            return Attempt(False, message="no admin PIN is set: run `kiosk admin set-pin`")
        if now < state.locked_until:
            return Attempt(False, state.locked_until - now, "locked")
        ok = False
        try:
            ok = hmac.compare_digest(_hash(pin, bytes.fromhex(state.salt)), state.hash)
        except ValueError:
            ok = False
        if ok:
            self._save(PinState(salt=state.salt, hash=state.hash))
            return Attempt(True)
        state.failures += 1
        if state.failures >= TRIES_BEFORE_LOCKOUT:
            state.failures = 0
            state.lockouts += 1
            state.locked_until = now + lockout_seconds(state.lockouts)
        self._save(state)
        left = max(0.0, state.locked_until - now)
        return Attempt(False, left, "locked" if left else "wrong PIN")


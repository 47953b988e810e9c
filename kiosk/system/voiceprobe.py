"""Microphone, speaker and voice status for the doctor, asked in a child process.

`kiosk doctor` runs `python -m kiosk.cli_local sound-probe`, which prints one
JSON object (the child is the command layer's: it asks the voice package,
which this module must not import). A child process because PortAudio (under sounddevice) is a C library
that can print ALSA noise to stderr, hang on a broken sound set-up, or crash,
and the voice status may load Vosk: none of that may reach the doctor's own
output or slow its other checks (the child runs while they do), and the
doctor process itself stays free of audio and speech libraries. Nothing is
recorded or played: only the default devices are looked up.

The child asks the voice package (voice.audio.microphone_status /
speaker_status, voice.service.voice_status) when those are in the build, so
that doctor, admin and `kiosk voice check` give the same reasons; for the
devices it falls back to asking sounddevice directly.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field

TIMEOUT = 15.0  # seconds; PortAudio's scan is quick, the voice status reads model folders


@dataclass(frozen=True)
class DeviceState:
    available: bool
    text: str  # the device's name when available, else why not


@dataclass(frozen=True)
class VoiceState:
    available: bool  # False: voice.service.voice_status is not in this build (or failed)
    lines: list[tuple[str, str]] = field(default_factory=list)  # (level, text)
    reason: str = ""  # why not available


@dataclass(frozen=True)
class Probe:
    microphone: DeviceState
    speaker: DeviceState
    voice: VoiceState


# --- in the doctor -----------------------------------------------------------------------------

def start(python: str | None = None) -> subprocess.Popen[str]:
    """Start the probe; `collect` its answer later (the doctor does other checks meanwhile)."""
    # The child is the command layer's (kiosk.cli_local): it may ask the voice package, which
    # this system module must not import.
    return subprocess.Popen([python or sys.executable, "-m", "kiosk.cli_local", "sound-probe"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)


def _failed(reason: str) -> Probe:
    return Probe(DeviceState(False, reason), DeviceState(False, reason), VoiceState(False, reason=reason))


def collect(proc: subprocess.Popen[str], timeout: float = TIMEOUT) -> Probe:
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return _failed(f"the sound and voice probe took over {timeout:.0f} s")
    try:
        data = json.loads(out.strip().splitlines()[-1])
        mic, speaker, voice = data["microphone"], data["speaker"], data["voice"]
        return Probe(DeviceState(bool(mic[0]), str(mic[1])), DeviceState(bool(speaker[0]), str(speaker[1])),
                     VoiceState(bool(voice.get("available")),
                                [(str(level), str(text)) for level, text in voice.get("lines", [])],
                                str(voice.get("reason", ""))))
    except (IndexError, KeyError, TypeError, ValueError, AttributeError):
        return _failed(f"the sound and voice probe failed (exit {proc.returncode})")


def probe(python: str | None = None, timeout: float = TIMEOUT) -> Probe:
    try:
        return collect(start(python), timeout)
    except OSError as exc:
        return _failed(f"could not start the sound and voice probe: {exc}")


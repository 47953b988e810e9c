"""Microphone, speaker and voice status for the doctor, asked in a child process.

`kiosk doctor` runs `python -m kiosk.system.voiceprobe`, which prints one JSON
object. A child process because PortAudio (under sounddevice) is a C library
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


# --- in the child ------------------------------------------------------------------------------

def _direct(kind: str) -> tuple[bool, str]:
    try:
        import sounddevice as sd
    except ImportError:
        return False, "the sounddevice package is not installed (Lantern's 'voice' extra)"
    except OSError as exc:  # the package is there, the PortAudio library is not
        return False, f"PortAudio is missing ({exc}); install libportaudio2"
    try:
        info = sd.query_devices(kind=kind)
    except Exception as exc:  # PortAudioError, or ValueError when there is no default device
        return False, f"no audio {kind} device ({exc})"
    if not info.get(f"max_{kind}_channels", 0):
        return False, f"the default device has no {kind} channels"
    return True, f"{kind}: {info['name']}"


def _devices() -> dict[str, list[object]]:
    try:
        from voice.audio import microphone_status, speaker_status
    except ImportError:
        return {"microphone": list(_direct("input")), "speaker": list(_direct("output"))}
    return {"microphone": list(microphone_status()), "speaker": list(speaker_status())}


def _voice() -> dict[str, object]:
    try:
        from voice import LANGUAGES
        from voice.service import voice_status
    except ImportError as exc:
        return {"available": False, "reason": f"not available in this build ({exc})"}
    try:
        lines = voice_status(list(LANGUAGES))
    except Exception as exc:  # a broken model folder must not take the other answers down
        return {"available": False, "reason": f"the voice status failed: {type(exc).__name__}: {exc}"}
    return {"available": True,
            "lines": [[str(getattr(line, "level", "info")),
                       line.format() if hasattr(line, "format") else str(line)] for line in lines]}


def answer() -> dict[str, object]:
    return {**_devices(), "voice": _voice()}


# --- in the doctor -----------------------------------------------------------------------------

def start(python: str | None = None) -> subprocess.Popen[str]:
    """Start the probe; `collect` its answer later (the doctor does other checks meanwhile)."""
    return subprocess.Popen([python or sys.executable, "-m", "kiosk.system.voiceprobe"],
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


if __name__ == "__main__":
    print(json.dumps(answer()))
    sys.exit(0)

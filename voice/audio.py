"""Audio in and out: push-to-talk sources, end-of-speech detection, the speaker output.

A source yields 16-bit mono PCM chunks. `MicSource` records from the default
input device at its own sample rate (Vosk resamples); `WavSource` plays a WAV
file through exactly the same path, optionally at real-time pace. Audio only
ever lives in memory: nothing here writes a file.

sounddevice (PortAudio) is imported inside functions: a machine without it, or
without a device, simply has no voice, and `device_status()` says why.
"""

from __future__ import annotations

import io
import math
import queue
import struct
import threading
import time
import wave
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator, Protocol

SAMPLE_WIDTH = 2  # 16-bit
CHUNK_MS = 100
MAX_LISTEN_SECONDS = 8.0


class AudioError(Exception):
    """An audio device or file problem, said in words a facility can act on."""


class Source(Protocol):
    rate: int

    def chunks(self) -> Iterator[bytes]: ...

    def close(self) -> None: ...


# --- files --------------------------------------------------------------

class WavSource:
    """A WAV file (path, bytes or open file) fed in real-time-sized chunks."""

    def __init__(self, wav: Path | bytes | BinaryIO, realtime: bool = False,
                 chunk_ms: int = CHUNK_MS) -> None:
        self.realtime = realtime
        self._closed = threading.Event()
        try:
            if isinstance(wav, Path):
                data = wav.read_bytes()
            elif isinstance(wav, bytes):
                data = wav
            else:
                data = wav.read()
            with wave.open(io.BytesIO(data), "rb") as w:
                if w.getsampwidth() != SAMPLE_WIDTH:
                    raise AudioError(f"{self._name(wav)}: {8 * w.getsampwidth()}-bit audio; "
                                     "use 16-bit PCM WAV")
                channels, self.rate = w.getnchannels(), w.getframerate()
                frames = w.readframes(w.getnframes())
        except FileNotFoundError:
            raise AudioError(f"{self._name(wav)}: no such file") from None
        except (wave.Error, EOFError, struct.error) as exc:
            raise AudioError(f"{self._name(wav)}: not a PCM WAV file ({exc})") from None
        except OSError as exc:
            raise AudioError(f"{self._name(wav)}: cannot read ({exc.strerror})") from None
        self._pcm = to_mono(frames, channels)
        self._chunk_bytes = max(2, int(self.rate * chunk_ms / 1000) * SAMPLE_WIDTH)

    @staticmethod
    def _name(wav: object) -> str:
        return str(wav) if isinstance(wav, Path) else "audio"

    @property
    def seconds(self) -> float:
        return len(self._pcm) / SAMPLE_WIDTH / self.rate

    def chunks(self) -> Iterator[bytes]:
        start = time.monotonic()
        for offset in range(0, len(self._pcm), self._chunk_bytes):
            if self._closed.is_set():
                return
            chunk = self._pcm[offset:offset + self._chunk_bytes]
            if self.realtime:
                # A microphone hands over a chunk once it has been spoken.
                due = start + (offset + len(chunk)) / SAMPLE_WIDTH / self.rate
                if self._closed.wait(max(0.0, due - time.monotonic())):
                    return
            yield chunk

    def close(self) -> None:
        self._closed.set()


def to_mono(frames: bytes, channels: int) -> bytes:
    if channels == 1:
        return frames
    samples = array("h", frames)
    mono = array("h", (sum(samples[i:i + channels]) // channels
                       for i in range(0, len(samples), channels)))
    return mono.tobytes()


# --- the microphone -----------------------------------------------------

class MicSource:
    """The default input device, open from construction until close() or the time limit."""

    def __init__(self, max_seconds: float = MAX_LISTEN_SECONDS, chunk_ms: int = CHUNK_MS,
                 device: int | str | None = None) -> None:
        sd = _sounddevice()
        self.max_seconds = max_seconds
        self._queue: queue.Queue[bytes | None] = queue.Queue()
        self._closed = threading.Event()
        try:
            info = sd.query_devices(device, kind="input")
            self.rate = int(info["default_samplerate"])
            self._stream = sd.RawInputStream(samplerate=self.rate, channels=1, dtype="int16",
                                             blocksize=int(self.rate * chunk_ms / 1000),
                                             device=device, callback=self._callback)
            self._stream.start()
        except Exception as exc:  # PortAudio errors come in several types
            raise AudioError(f"cannot open the microphone: {exc}") from None

    def _callback(self, indata, frames, time_info, status) -> None:  # noqa: ANN001 (PortAudio)
        if not self._closed.is_set():
            self._queue.put(bytes(indata))

    def chunks(self) -> Iterator[bytes]:
        deadline = time.monotonic() + self.max_seconds
        while not self._closed.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                chunk = self._queue.get(timeout=min(left, 0.5))
            except queue.Empty:
                continue
            if chunk is None:
                break
            yield chunk
        self.close()

    def close(self) -> None:
        if self._closed.is_set():
            return
        self._closed.set()
        self._queue.put(None)
        try:
            self._stream.stop()
            self._stream.close()
        except Exception:  # closing a vanished device must not take the kiosk down
            pass


# --- end of speech --------------------------------------------------------

@dataclass
class Endpointer:
    """Energy-based end-of-speech detection for push-to-talk.

    The first frames set the noise floor; speech is a run of frames well above
    it; the end is a stretch of quiet after speech. Simple on purpose: the
    visitor has just tapped "speak", so we only need to know when they stop.
    """
    rate: int
    frame_ms: int = 30
    calibrate_ms: int = 150
    start_frames: int = 3  # ~90 ms above threshold starts speech
    end_silence_ms: int = 700
    no_speech_seconds: float = 5.0
    max_seconds: float = MAX_LISTEN_SECONDS
    min_level: float = 250.0  # RMS on the 16-bit scale, below which nothing is speech

    def __post_init__(self) -> None:
        self._frame_bytes = int(self.rate * self.frame_ms / 1000) * SAMPLE_WIDTH
        self._pending = b""
        self._floor: float | None = None
        self._calib: list[float] = []
        self._loud_run = 0
        self._quiet_ms = 0
        self._heard_ms = 0
        self.speech_started = False
        self.ended = False

    def feed(self, chunk: bytes) -> bool:
        """Take a chunk; True once speech has ended (or nothing came in time)."""
        self._pending += chunk
        while len(self._pending) >= self._frame_bytes and not self.ended:
            frame, self._pending = self._pending[:self._frame_bytes], self._pending[self._frame_bytes:]
            self._frame(rms(frame))
        return self.ended

    def _frame(self, level: float) -> None:
        self._heard_ms += self.frame_ms
        if self._floor is None:
            self._calib.append(level)
            if len(self._calib) * self.frame_ms >= self.calibrate_ms:
                self._floor = sorted(self._calib)[len(self._calib) // 2]
            return
        threshold = max(self.min_level, self._floor * 3.0)
        if not self.speech_started:
            self._loud_run = self._loud_run + 1 if level > threshold else 0
            if self._loud_run >= self.start_frames:
                self.speech_started = True
            elif self._heard_ms >= self.no_speech_seconds * 1000:
                self.ended = True
            else:
                # Follow slow changes in the room's noise while waiting.
                self._floor = 0.95 * self._floor + 0.05 * min(level, threshold)
        else:
            self._quiet_ms = self._quiet_ms + self.frame_ms if level < threshold * 0.7 else 0
            if self._quiet_ms >= self.end_silence_ms:
                self.ended = True
        if self._heard_ms >= self.max_seconds * 1000:
            self.ended = True


def rms(pcm: bytes) -> float:
    samples = array("h", pcm[:len(pcm) - len(pcm) % 2])
    if not samples:
        return 0.0
    return math.sqrt(sum(s * s for s in samples) / len(samples))


# --- the speaker output ----------------------------------------------------

class SoundOutput:
    """A PortAudio output stream kept at most `ahead` seconds in front of the ear,
    so that stop() is heard within a chunk or two whatever the device buffers."""

    def __init__(self, rate: int, ahead: float = 0.06, device: int | str | None = None) -> None:
        sd = _sounddevice()
        self.rate = rate
        self.ahead = ahead
        try:
            self._stream = sd.RawOutputStream(samplerate=rate, channels=1, dtype="int16",
                                              device=device, latency="low")
            self._stream.start()
        except Exception as exc:
            raise AudioError(f"cannot open the audio output: {exc}") from None
        self._start = time.monotonic()
        self._frames = 0

    def write(self, pcm: bytes, cancelled: threading.Event) -> bool:
        """Play `pcm`; False when cancelled before it was all queued."""
        lead = self._frames / self.rate - (time.monotonic() - self._start)
        if lead > self.ahead and cancelled.wait(lead - self.ahead / 2):
            return False
        if time.monotonic() - self._start > self._frames / self.rate:
            # The device ran dry (a pause between sentences): restart the clock.
            self._start, self._frames = time.monotonic(), 0
        self._stream.write(pcm)
        self._frames += len(pcm) // SAMPLE_WIDTH
        return True

    def drain(self, cancelled: threading.Event) -> None:
        """Wait until what was queued has been heard (or stop was asked)."""
        lead = self._frames / self.rate - (time.monotonic() - self._start)
        if lead > 0:
            cancelled.wait(lead)

    def close(self, abort: bool = False) -> None:
        try:
            if abort:
                self._stream.abort()
            else:
                self._stream.stop()
            self._stream.close()
        except Exception:
            pass


# --- what this machine has -----------------------------------------------

def _sounddevice():  # noqa: ANN202 (the module)
    try:
        import sounddevice
    except ImportError as exc:
        raise AudioError(f"audio is not installed: {exc}") from None
    except OSError as exc:  # the module is there but PortAudio is not
        raise AudioError(f"PortAudio is missing ({exc}); install libportaudio2") from None
    return sounddevice


def device_status(kind: str) -> tuple[bool, str]:
    """(available, reason) for the default 'input' or 'output' device."""
    try:
        sd = _sounddevice()
        info = sd.query_devices(kind=kind)
    except AudioError as exc:
        return False, str(exc)
    except Exception as exc:  # PortAudioError, ValueError when there is no device
        return False, f"no audio {kind} device ({exc})"
    channels = info.get(f"max_{kind}_channels", 0)
    if not channels:
        return False, f"the default device has no {kind} channels"
    return True, f"{kind}: {info['name']} at {int(info['default_samplerate'])} Hz"


def probe_devices(env: dict[str, str] | None = None) -> dict[str, tuple[bool, str]]:
    """device_status for input and output, asked in a separate process: alsa-lib
    aborts the process that loads it when the system's ALSA configuration is
    broken, and that must not be the kiosk."""
    import json
    import subprocess
    import sys
    code = ("import json; from voice.audio import device_status; "
            "print(json.dumps({k: device_status(k) for k in ('input', 'output')}))")
    root = str(Path(__file__).resolve().parent.parent)
    try:
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              timeout=30, env=env, cwd=root)
    except (OSError, subprocess.SubprocessError) as exc:
        reason = f"cannot probe the audio devices ({exc})"
        return {"input": (False, reason), "output": (False, reason)}
    if proc.returncode != 0:
        reason = (f"the audio system crashed while probing (exit {proc.returncode}); "
                  "check the ALSA configuration")
        return {"input": (False, reason), "output": (False, reason)}
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    return {k: (bool(v[0]), str(v[1])) for k, v in data.items()}


def microphone_status() -> tuple[bool, str]:
    return device_status("input")


def speaker_status() -> tuple[bool, str]:
    return device_status("output")

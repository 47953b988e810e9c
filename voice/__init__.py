"""Optional offline speech for Lantern: intents, recognition, audio, read-aloud.

Nothing heavy is imported here: Vosk, sounddevice and friends load inside the
functions that need them, so `kiosk intent` and `kiosk --help` stay fast.
"""

LANGUAGES: tuple[str, ...] = ("en", "es", "zh-Hans", "zh-Hant", "vi", "tl", "ko", "ar", "ru",
                              "ht", "fr", "pt")

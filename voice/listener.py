"""Push-to-talk for the UI: the Listener of kiosk/speech.py.

listen() returns at once; a worker thread waits for the floor (speech is
silenced first), opens the microphone, runs one turn through the pipeline and
calls `done` with what was heard. Nothing heard outlives the call.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable, Sequence

from voice.asr import AsrError, Recognizer
from voice.audio import AudioError, MicSource, Source
from voice.duplex import HalfDuplex
from voice.intents import VoiceTemplateError, matcher_for
from voice.pipeline import Heard, hear, model_vocabulary
from voice.vocab import Vocabulary


class VoiceListener:
    def __init__(self, models: Callable[[str], Path | None], duplex: HalfDuplex,
                 recognizer: Recognizer | None = None,
                 open_source: Callable[[], Source] = MicSource) -> None:
        self._models = models
        self.duplex = duplex
        self.recognizer = recognizer or Recognizer()
        self._open_source = open_source
        self._lock = threading.Lock()
        self._cancel = threading.Event()
        self._source: Source | None = None
        self._thread: threading.Thread | None = None
        self._vocab: dict[Path, Vocabulary | None] = {}

    def available(self, language: str) -> bool:
        return self._models(language) is not None

    def prepare(self, language: str) -> None:
        """Load the language's model now (on a language change), not at the first tap."""
        path = self._models(language)
        if path is not None:
            threading.Thread(target=self._load_quietly, args=(language, path), daemon=True,
                             name="lantern-asr-load").start()

    def _load_quietly(self, language: str, path: Path) -> None:
        try:
            with self._lock:
                self.recognizer.load(language, path)
        except AsrError:
            pass  # reported when the visitor taps "speak"

    def listen(self, language: str, options: Sequence[str], done: Callable[[Heard], None]) -> None:
        self.cancel()
        if self._thread is not None:
            self._thread.join(2.0)
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._turn, args=(language, tuple(options), done,
                                                                 self._cancel),
                                        daemon=True, name="lantern-listen")
        self._thread.start()

    def cancel(self) -> None:
        self._cancel.set()
        source = self._source
        if source is not None:
            source.close()

    def close(self) -> None:
        self.cancel()
        self.recognizer.close()

    def _vocabulary(self, path: Path) -> Vocabulary | None:
        if path not in self._vocab:
            self._vocab[path] = model_vocabulary(path)
        return self._vocab[path]

    def _turn(self, language: str, options: tuple[str, ...], done: Callable[[Heard], None],
              cancel: threading.Event) -> None:
        heard = Heard("", None)
        try:
            heard = self._run(language, options, cancel)
        except (AsrError, AudioError, VoiceTemplateError) as exc:
            heard = Heard("", None, error=str(exc))
        except Exception as exc:  # the visitor must never see a crash
            heard = Heard("", None, error=f"{type(exc).__name__}: {exc}")
        finally:
            done(heard)

    def _run(self, language: str, options: tuple[str, ...], cancel: threading.Event) -> Heard:
        path = self._models(language)
        if path is None:
            return Heard("", None, error=f"no speech model installed for {language}")
        matcher = matcher_for(language)
        with self._lock:
            self.recognizer.load(language, path)
            if cancel.is_set():
                return Heard("", None, error="cancelled")
            if not self.duplex.begin_listening():
                return Heard("", None, error="speech output would not stop")
            try:
                self._source = self._open_source()
                return hear(self._source, self.recognizer, matcher, options,
                            self._vocabulary(path), cancelled=cancel.is_set)
            finally:
                self._source = None
                self.duplex.end_listening()

"""Read-aloud: espeak-ng synthesises into memory, PortAudio plays it in small chunks.

Why not pyttsx3: its espeak driver (2.99) writes each utterance to a temporary
WAV file and plays it with `aplay`, which breaks the rule that no audio touches
the disk, and it can only stop between utterances. Here the espeak-ng binary
writes to a pipe (`--stdout`), we read 20 ms at a time and hand each chunk to
the output, so stop() takes effect at the next chunk and killing the
synthesiser costs nothing. A separate process also means a synthesiser crash
cannot take the screen down.

The UI thread never waits: say() queues the job for a worker thread.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterator, Protocol, Sequence

from voice.duplex import HalfDuplex

CHUNK_SECONDS = 0.02
CALM_WPM = 145  # espeak-ng's default is 175
DEFAULT_VOLUME = 0.35  # quiet by default (0..1 -> espeak amplitude 0..200)
SENTENCE_GAP = 0.25
# Where a voice request went, said back to the visitor (say(..., quiet=True)):
# quieter than reading a page, for the person at the kiosk and nobody else.
QUIET_FACTOR = 0.5


@dataclass(frozen=True)
class VoiceChoice:
    tag: str
    voice: str  # espeak-ng voice name
    note: str  # why this voice, for `kiosk voice check` and docs


# BCP 47 tag -> espeak-ng voices, best first. Notes say what a listener gets.
VOICE_PLAN: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (("en-us", "American English"),),
    "es": (("es-419", "Latin American Spanish"), ("es", "Spanish (Spain)")),
    # espeak-ng 1.51's plain "cmn" voice reads characters as tone-numbered pinyin and
    # then says the tone digits in English; the pinyin voice reads them properly.
    "zh-Hans": (("cmn-latn-pinyin", "Mandarin"), ("cmn", "Mandarin")),
    # Traditional characters: Cantonese, the language of many readers of traditional
    # Chinese in US clinics (Hong Kong, Guangdong); Mandarin readers can pick zh-Hans.
    "zh-Hant": (("yue", "Cantonese"), ("cmn-latn-pinyin", "Mandarin (no Cantonese voice)")),
    "vi": (("vi", "Northern Vietnamese"),),
    # espeak-ng has no Tagalog voice. Tagalog spelling is phonetic, and the Indonesian
    # voice reads it closest (ng, a/e/i/o/u); numbers are spelled out in Tagalog first.
    "tl": (("id", "Indonesian voice reading Tagalog (espeak-ng has no Tagalog)"),
           ("es-419", "Spanish voice reading Tagalog (espeak-ng has no Tagalog)")),
    "ko": (("ko", "Korean"),),
    "ar": (("ar", "Arabic (Modern Standard)"),),
    "ru": (("ru", "Russian"),),
    # espeak-ng's Haitian Creole voice is small but real; French is the fallback.
    "ht": (("ht", "Haitian Creole"), ("fr-fr", "French voice reading Creole (no ht voice)")),
    "fr": (("fr-fr", "French"),),
    "pt": (("pt-br", "Brazilian Portuguese"), ("pt", "European Portuguese")),
}

_TAGALOG_DIGITS = ("sero", "isa", "dalawa", "tatlo", "apat", "lima", "anim", "pito", "walo", "siyam")


class TtsError(Exception):
    pass


def espeak_binary() -> str | None:
    return shutil.which("espeak-ng")


@lru_cache(maxsize=1)
def installed_voices() -> frozenset[str]:
    """Voice names espeak-ng offers on this machine (empty without espeak-ng)."""
    exe = espeak_binary()
    if exe is None:
        return frozenset()
    try:
        out = subprocess.run([exe, "--voices"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    names = set()
    for line in out.splitlines()[1:]:
        parts = line.split()
        if len(parts) >= 2:
            names.add(parts[1])
    return frozenset(names)


def choose_voice(tag: str) -> VoiceChoice | None:
    """The espeak-ng voice for a language tag (None: nothing suitable installed)."""
    plan = VOICE_PLAN.get(tag) or VOICE_PLAN.get(tag.split("-")[0], ())
    have = installed_voices()
    for voice, note in plan:
        if voice in have:
            return VoiceChoice(tag, voice, note)
    return None


def prepare_text(text: str, tag: str, voice: str) -> str:
    """Text as the chosen voice should read it."""
    if tag == "tl" and voice != "tl":
        # A borrowed voice would say the digits in its own language.
        text = re.sub(r"\d", lambda m: f" {_TAGALOG_DIGITS[int(m.group())]} ", text)
    return " ".join(text.split())


def synthesize(text: str, voice: str, wpm: int = CALM_WPM, volume: float = DEFAULT_VOLUME,
               ) -> tuple[int, Iterator[bytes]]:
    """(sample rate, chunks of 16-bit mono PCM) for `text`, streamed from espeak-ng.
    Closing the iterator ends the synthesiser at once."""
    exe = espeak_binary()
    if exe is None:
        raise TtsError("espeak-ng is not installed")
    amplitude = max(0, min(200, round(volume * 200)))
    # "--" so that text starting with "-" is never read as an option.
    proc = subprocess.Popen([exe, "-v", voice, "-s", str(wpm), "-a", str(amplitude), "--stdout",
                             "--", text], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL, bufsize=0)
    assert proc.stdout is not None
    header = _read_exact(proc.stdout, 44)
    if len(header) < 44 or header[:4] != b"RIFF":
        _end(proc)
        raise TtsError(f"espeak-ng gave no audio for voice '{voice}'")
    rate = struct.unpack_from("<I", header, 24)[0]
    chunk = int(rate * CHUNK_SECONDS) * 2

    def chunks() -> Iterator[bytes]:
        try:
            while True:
                data = _read_exact(proc.stdout, chunk)
                if not data:
                    return
                yield data[:len(data) - len(data) % 2]
        finally:
            _end(proc)

    return rate, chunks()


def _read_exact(stream, n: int) -> bytes:  # noqa: ANN001 (a pipe)
    parts, got = [], 0
    while got < n:
        part = stream.read(n - got)
        if not part:
            break
        parts.append(part)
        got += len(part)
    return b"".join(parts)


def _end(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
    try:
        proc.wait(timeout=2)
    except subprocess.TimeoutExpired:
        pass
    if proc.stdout is not None:
        proc.stdout.close()


class Output(Protocol):
    def write(self, pcm: bytes, cancelled: threading.Event) -> bool: ...

    def drain(self, cancelled: threading.Event) -> None: ...

    def close(self, abort: bool = False) -> None: ...


def sound_output(rate: int) -> Output:
    from voice.audio import SoundOutput
    return SoundOutput(rate)


@dataclass
class _Job:
    sentences: tuple[str, ...]
    language: str
    cancelled: threading.Event
    requested: float
    quiet: bool = False


class EspeakSpeaker:
    """The kiosk's Speaker (kiosk/speech.py): never blocks, stop() within a chunk."""

    def __init__(self, duplex: HalfDuplex | None = None, volume: float = DEFAULT_VOLUME,
                 wpm: int = CALM_WPM, open_output: Callable[[int], Output] = sound_output) -> None:
        self.duplex = duplex or HalfDuplex()
        self.volume = volume
        self.wpm = wpm
        self._open_output = open_output
        self._lock = threading.Lock()
        self._job: _Job | None = None
        self._thread: threading.Thread | None = None
        self._wake = threading.Condition(self._lock)
        self._pending: _Job | None = None
        self._closed = False
        self.last_first_audio: float | None = None  # seconds from say() to the first chunk played
        self.last_error: str | None = None
        self.duplex.set_silencer(self.stop)

    # --- the protocol ----------------------------------------------------
    def say(self, sentences: Sequence[str], language: str, quiet: bool = False) -> None:
        job = _Job(tuple(s for s in sentences if s and s.strip()), language, threading.Event(),
                   time.monotonic(), quiet)
        with self._lock:
            if self._job is not None:
                self._job.cancelled.set()
            if self._pending is not None:
                self._pending.cancelled.set()
            self._pending = job
            self._ensure_thread()
            self._wake.notify()

    def stop(self) -> None:
        with self._lock:
            for job in (self._job, self._pending):
                if job is not None:
                    job.cancelled.set()
            self._pending = None

    def speaking(self) -> bool:
        with self._lock:
            return self._pending is not None or (self._job is not None and not self._job.cancelled.is_set())

    def close(self) -> None:
        self.stop()
        with self._lock:
            self._closed = True
            self._wake.notify()

    # --- the worker ------------------------------------------------------
    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._loop, name="lantern-tts", daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        while True:
            with self._lock:
                while self._pending is None and not self._closed:
                    self._wake.wait()
                if self._closed:
                    return
                job, self._pending = self._pending, None
                self._job = job
            try:
                self._speak(job)
            except Exception as exc:  # a sound problem must never reach the visitor
                self.last_error = f"{type(exc).__name__}: {exc}"
            finally:
                with self._lock:
                    if self._job is job:
                        self._job = None

    def _speak(self, job: _Job) -> None:
        choice = choose_voice(job.language)
        if choice is None or not job.sentences:
            return
        if not self.duplex.begin_speaking(job.cancelled):
            return
        out: Output | None = None
        first = True
        try:
            for i, sentence in enumerate(job.sentences):
                if job.cancelled.is_set():
                    return
                volume = self.volume * (QUIET_FACTOR if job.quiet else 1.0)
                rate, chunks = synthesize(prepare_text(sentence, job.language, choice.voice),
                                          choice.voice, self.wpm, volume)
                try:
                    if out is None:
                        out = self._open_output(rate)
                    for pcm in chunks:
                        if job.cancelled.is_set() or not out.write(pcm, job.cancelled):
                            return
                        if first:
                            self.last_first_audio = time.monotonic() - job.requested
                            first = False
                finally:
                    chunks.close()  # type: ignore[attr-defined]
                if i + 1 < len(job.sentences) and job.cancelled.wait(SENTENCE_GAP):
                    return
            if out is not None:
                out.drain(job.cancelled)
        finally:
            if out is not None:
                out.close(abort=job.cancelled.is_set())
            self.duplex.end_speaking()

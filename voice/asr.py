"""Vosk speech recognition in its own process.

A crash inside Kaldi cannot take the screen down: the model lives in a child
process (multiprocessing, spawn), one model at a time, loaded when the language
changes and warmed up by decoding a little silence. Each turn gets a runtime
grammar: the language's allowed sentences plus the screen's option labels, so
the model only chooses among things the kiosk can act on.

Models are opened from a folder with `Model(path)` only: nothing is ever
downloaded at run time.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import threading
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Sequence

LOAD_TIMEOUT = 120.0  # a big model on a slow SD card
RESULT_TIMEOUT = 10.0
WARM_UP_SECONDS = 0.5
WARM_UP_RATE = 16000


class AsrError(Exception):
    """Recognition failed; the message says why in plain words."""


# How many of the lattice's best paths a turn returns. The best string alone
# cannot say "not understood": a grammar always yields some allowed words.
MAX_ALTERNATIVES = 5


@dataclass(frozen=True)
class Word:
    word: str
    start: float = 0.0  # seconds from the start of the turn
    end: float = 0.0


@dataclass(frozen=True)
class Alternative:
    """One path through the recogniser's lattice, best first in a Transcript."""
    text: str
    confidence: float  # Vosk's path score: only differences between alternatives mean something
    words: tuple[Word, ...] = ()


@dataclass(frozen=True)
class Transcript:
    text: str  # the best alternative's words
    alternatives: tuple[Alternative, ...] = ()
    # The best path's score when the same audio is decoded against everyday
    # off-topic words only (a filler model), or None when the turn had none.
    # How far a command's path stands above it says whether the audio was that
    # command at all, even when the command's lattice held no other path.
    filler_confidence: float | None = None

    @property
    def words(self) -> tuple[Word, ...]:
        return self.alternatives[0].words if self.alternatives else ()


@dataclass(frozen=True)
class ModelInfo:
    lang: str
    path: Path
    grammar: bool  # the model takes runtime grammars (lookahead graph: HCLr.fst + Gr.fst)
    load_seconds: float
    pid: int


def supports_grammar(model_dir: Path) -> bool:
    graph = model_dir / "graph"
    return (graph / "HCLr.fst").is_file() and (graph / "Gr.fst").is_file()


def looks_like_model(model_dir: Path) -> str | None:
    """None when the folder looks like a Vosk model, else what is missing."""
    if not model_dir.is_dir():
        return f"{model_dir} is not a folder"
    if not (model_dir / "am" / "final.mdl").is_file():
        return f"{model_dir} has no am/final.mdl: not a Vosk model folder"
    graph = model_dir / "graph"
    if not ((graph / "HCLG.fst").is_file() or supports_grammar(model_dir)):
        return f"{model_dir} has no graph (graph/HCLG.fst or graph/HCLr.fst + Gr.fst)"
    return None


# --- the child process ---------------------------------------------------

def _worker(conn: Connection, model_path: str) -> None:
    """Runs in the child: load, warm up, then serve turns until told to quit."""
    import time

    t0 = time.monotonic()
    try:
        from vosk import KaldiRecognizer, Model, SetLogLevel
        SetLogLevel(-2)  # errors only: missing grammar words are reported by voice.vocab
        model = Model(model_path)
        warm = KaldiRecognizer(model, WARM_UP_RATE)
        warm.AcceptWaveform(bytes(int(WARM_UP_RATE * WARM_UP_SECONDS) * 2))
        warm.FinalResult()
        del warm
    except Exception as exc:  # vosk raises plain Exception when a model fails to load
        conn.send(("error", f"cannot load the speech model in {model_path}: {exc}"))
        return
    conn.send(("ready", time.monotonic() - t0, os.getpid()))
    rec = filler = None
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        kind = msg[0]
        if kind == "audio":
            if rec is not None:
                rec.AcceptWaveform(msg[1])
            if filler is not None:
                filler.AcceptWaveform(msg[1])
        elif kind == "start":
            _, rate, grammar, filler_grammar = msg
            rec = KaldiRecognizer(model, rate, grammar) if grammar else KaldiRecognizer(model, rate)
            rec.SetMaxAlternatives(MAX_ALTERNATIVES)
            rec.SetWords(True)
            # The filler model listens to the same audio as it comes: no delay at the end.
            filler = KaldiRecognizer(model, rate, filler_grammar) if filler_grammar else None
            if filler is not None:
                filler.SetMaxAlternatives(1)
        elif kind == "finish":
            result = rec.FinalResult() if rec is not None else "{}"
            filler_result = filler.FinalResult() if filler is not None else None
            rec = filler = None
            conn.send(("result", result, filler_result))
        elif kind == "crash":  # tests prove a crash leaves the parent standing
            os._exit(3)
        elif kind == "quit":
            return


# --- the parent side -----------------------------------------------------

@dataclass
class Recognizer:
    """The kiosk's handle on the recognition process. Not thread-safe: one turn at
    a time (push-to-talk has one microphone)."""
    _proc: mp.process.BaseProcess | None = None
    _conn: Connection | None = None
    _info: ModelInfo | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def info(self) -> ModelInfo | None:
        return self._info if self.alive() else None

    def alive(self) -> bool:
        return self._proc is not None and self._proc.is_alive()

    def load(self, lang: str, model_dir: Path) -> ModelInfo:
        """Have `model_dir` loaded for `lang`; a different model replaces the old one
        (its process ends, so its memory really goes)."""
        model_dir = model_dir.resolve()
        with self._lock:
            if self._info and self._info.path == model_dir and self._info.lang == lang and self.alive():
                return self._info
            problem = looks_like_model(model_dir)
            if problem:
                raise AsrError(problem)
            self._stop()
            ctx = mp.get_context("spawn")
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=_worker, args=(child, str(model_dir)), daemon=True,
                               name=f"lantern-asr-{lang}")
            proc.start()
            child.close()
            self._proc, self._conn = proc, parent
            reply = self._receive(LOAD_TIMEOUT, "loading the speech model")
            if reply[0] != "ready":
                self._stop()
                raise AsrError(str(reply[1]))
            self._info = ModelInfo(lang, model_dir, supports_grammar(model_dir), reply[1], reply[2])
            return self._info

    def start(self, rate: int, phrases: Sequence[str] | None,
              filler: Sequence[str] | None = None) -> None:
        """Begin a turn at `rate` Hz; `phrases` is the runtime grammar (None: free speech);
        `filler` everyday words decoded alongside as a filler model (None: none)."""
        grammar = json.dumps(list(phrases), ensure_ascii=False) if phrases else None
        filler_grammar = json.dumps(list(filler), ensure_ascii=False) if filler else None
        self._send(("start", rate, grammar, filler_grammar))

    def feed(self, pcm: bytes) -> None:
        self._send(("audio", pcm))

    def finish(self) -> Transcript:
        self._send(("finish",))
        reply = self._receive(RESULT_TIMEOUT, "recognising speech")
        transcript = parse_result(reply[1])
        if len(reply) > 2 and reply[2]:
            filler = parse_result(reply[2])
            if filler.alternatives:
                return replace(transcript, filler_confidence=filler.alternatives[0].confidence)
        return transcript

    def _send(self, msg: tuple) -> None:
        if self._conn is None or not self.alive():
            self._died("the speech recogniser is not running")
        try:
            self._conn.send(msg)
        except (OSError, ValueError):
            self._died("the speech recogniser stopped")

    def _receive(self, timeout: float, doing: str) -> tuple:
        assert self._conn is not None
        try:
            if self._conn.poll(timeout):
                return self._conn.recv()
        except (EOFError, OSError):
            self._died(f"the speech recogniser stopped while {doing}")
        if self.alive():
            self._died(f"the speech recogniser took more than {timeout:.0f} s {doing}")
        self._died(f"the speech recogniser stopped while {doing}")
        raise AssertionError("unreachable")

    def _died(self, message: str) -> None:
        self._stop()
        raise AsrError(message)

    def _stop(self) -> None:
        proc, conn = self._proc, self._conn
        self._proc = self._conn = self._info = None
        if conn is not None:
            try:
                conn.send(("quit",))
            except (OSError, ValueError):
                pass
        if proc is not None:
            proc.join(2.0)
            if proc.is_alive():
                proc.kill()
                proc.join(2.0)
        if conn is not None:
            conn.close()

    def close(self) -> None:
        with self._lock:
            self._stop()

    def __enter__(self) -> "Recognizer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _words(items: object) -> tuple[Word, ...]:
    return tuple(Word(str(w.get("word", "")), float(w.get("start", 0.0)), float(w.get("end", 0.0)))
                 for w in items or [] if isinstance(w, dict) and w.get("word"))  # type: ignore[union-attr]


def parse_result(raw: str) -> Transcript:
    """Vosk's final result, with alternatives (SetMaxAlternatives) or without."""
    try:
        data = json.loads(raw)
    except (TypeError, ValueError):
        return Transcript("")
    if not isinstance(data, dict):
        return Transcript("")
    if "alternatives" in data:
        alternatives = tuple(Alternative(str(a.get("text", "")).strip(), float(a.get("confidence", 0.0)),
                                         _words(a.get("result")))
                             for a in data["alternatives"] if isinstance(a, dict))
    else:
        alternatives = (Alternative(str(data.get("text", "")).strip(), 0.0, _words(data.get("result"))),)
    # An empty alternative stays: "nothing the grammar allows" competing with the rest.
    return Transcript(alternatives[0].text if alternatives else "", alternatives)

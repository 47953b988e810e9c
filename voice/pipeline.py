"""One push-to-talk turn: audio chunks -> end of speech -> transcript -> intent.

The microphone and WAV files go through the same `hear()`. The transcript is
snapped to the nearest allowed sentence; when the model was unsure, or the
words were not quite a command, `confirm` is set so the UI asks "Did you mean
...?" instead of acting. Nothing heard is written anywhere.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from voice.asr import Recognizer, Transcript
from voice.audio import Endpointer, Source
from voice.intents import MATCH_THRESHOLD, IntentMatcher
from voice.text import words
from voice.vocab import Vocabulary, VocabularyError, open_vocabulary

# Words the model itself doubted this much are left out before snapping.
DROP_CONFIDENCE = 0.4
# Below this (for any word kept) we ask before acting.
CONFIRM_CONFIDENCE = 0.6
# A guess this close is still offered as "Did you mean ...?".
SUGGEST_THRESHOLD = 0.6
# Acting on these at once matters more than being sure: "exit" hides the screen
# when someone walks in, "stop" silences it. Both are harmless when wrong.
NO_CONFIRM = frozenset({"exit", "stop"})


@dataclass(frozen=True)
class Heard:
    """What one turn heard. `text` is the transcript as recognised; `sentence` the
    allowed sentence it was snapped to (what "Did you mean ...?" shows)."""
    text: str
    intent: str | None
    slots: dict[str, str] = field(default_factory=dict)
    confirm: bool = False
    score: float = 0.0
    sentence: str | None = None
    error: str | None = None  # set when the turn failed (device, model); intent is None
    speech_seconds: float = 0.0
    latency: float = 0.0  # end of speech -> intent, seconds


@dataclass(frozen=True)
class Grammar:
    phrases: tuple[str, ...]
    missing_words: tuple[str, ...]  # words the model does not know (their phrases left out)
    checked: bool  # False when the model has no word list to check against


def build_grammar(matcher: IntentMatcher, options: Sequence[str],
                  vocabulary: Vocabulary | None) -> Grammar:
    """The runtime grammar for one screen: allowed sentences whose every word the
    model knows, plus the model's unknown-word symbol to soak up anything else."""
    phrases, missing = [], set()
    for phrase in matcher.phrases(options):
        lost = [w for w in words(phrase.spoken) if vocabulary is not None and w not in vocabulary]
        if lost:
            missing.update(lost)
        else:
            phrases.append(" ".join(words(phrase.spoken)))
    unknown = vocabulary.unknown_word() if vocabulary is not None else "[unk]"
    if unknown:
        phrases.append(unknown)
    return Grammar(tuple(dict.fromkeys(phrases)), tuple(sorted(missing)), vocabulary is not None)


def model_vocabulary(model_dir: Path) -> Vocabulary | None:
    try:
        return open_vocabulary(model_dir)
    except VocabularyError:
        return None


def interpret(transcript: Transcript, matcher: IntentMatcher, options: Sequence[str]) -> Heard:
    """Snap a transcript to a command and decide whether to ask first."""
    unk = {"[unk]", "<unk>"}
    kept = [w for w in transcript.words if w.conf >= DROP_CONFIDENCE and w.word.casefold() not in unk]
    dropped = len(kept) < len(transcript.words)
    candidates = [" ".join(w.word for w in kept)] if transcript.words else [transcript.text]
    if dropped and transcript.text:
        candidates.append(transcript.text)
    best = None
    for text in candidates:
        if not text.strip():
            continue
        result = matcher.recognize(text, options, threshold=SUGGEST_THRESHOLD)
        if best is None or result.score > best.score:
            best = result
    if best is None or best.intent is None:
        return Heard(transcript.text, None, {}, False, best.score if best else 0.0,
                     best.sentence if best else None)
    sure = best.score >= 1.0 and not dropped and all(w.conf >= CONFIRM_CONFIDENCE for w in kept)
    confirm = best.intent not in NO_CONFIRM and not sure
    if best.score < MATCH_THRESHOLD:
        confirm = True
    return Heard(transcript.text, best.intent, best.slots, confirm, best.score, best.sentence)


def hear(source: Source, recognizer: Recognizer, matcher: IntentMatcher,
         options: Sequence[str] = (), vocabulary: Vocabulary | None = None,
         endpointer: Endpointer | None = None,
         cancelled: Callable[[], bool] = lambda: False) -> Heard:
    """Run one turn from `source` through the loaded recognizer."""
    grammar = build_grammar(matcher, options, vocabulary)
    info = recognizer.info
    use_grammar = info is None or info.grammar
    recognizer.start(source.rate, grammar.phrases if use_grammar else None)
    ep = endpointer or Endpointer(source.rate)
    fed = 0
    try:
        for chunk in source.chunks():
            if cancelled():
                break
            recognizer.feed(chunk)
            fed += len(chunk)
            if ep.feed(chunk):
                break
    finally:
        source.close()
    end_of_speech = time.monotonic()
    transcript = recognizer.finish()
    if cancelled():
        return Heard("", None, error="cancelled")
    heard = interpret(transcript, matcher, options)
    return Heard(heard.text, heard.intent, heard.slots, heard.confirm, heard.score, heard.sentence,
                 None, fed / 2 / source.rate, time.monotonic() - end_of_speech)

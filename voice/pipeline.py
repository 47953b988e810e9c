"""One push-to-talk turn: audio chunks -> end of speech -> transcript -> intent.

The microphone and WAV files go through the same `hear()`. The recogniser's
alternatives are read, not only its best string: an alternative counts only
when it is an allowed sentence, and how far it stood above the others says
how clear it was. Whether to act, ask or drop is voice.policy's decision.
Nothing heard is written anywhere.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Sequence

from kiosk.speech import Heard
from voice.asr import Alternative, Recognizer, Transcript
from voice.audio import Endpointer, Source
from voice.intents import IntentMatcher, IntentResult
from voice.policy import Context, decide
from voice.text import no_spaces, words
from voice.vocab import Vocabulary, VocabularyError, open_vocabulary

# Vosk's lattice keeps paths within this cost of the best one (conf/model.conf
# --lattice-beam of the small models): an alternative that far below, or none
# at all, leaves the best one a full margin.
LATTICE_BEAM = 2.0
# How far (in the same score units) a command's path must stand above the
# filler model's best path, everyday words only, to count as a full margin.
# Measured on the Korean test model: wrong commands stood at most about 7
# above it, right ones mostly 10 to 35 (tests/voice/test_asr_korean.py).
FILLER_GAP = 10.0


@dataclass(frozen=True)
class Grammar:
    phrases: tuple[str, ...]
    filler: tuple[str, ...]  # the off-topic words alone: the filler model's grammar
    missing_words: tuple[str, ...]  # words the model does not know (their phrases left out)
    checked: bool  # False when the model has no word list to check against


# In a language written without spaces a one-character token ("로", "구") is one
# syllable: Vosk's grammar is a bigram model, and such a token fits into any
# noise between other words. It may stand alone as a whole phrase ("네"), but a
# phrase that needs one among other tokens stays out of the grammar (matching
# typed text still knows it).
SHORT_TOKEN_CHARS = 1


def soaks_up_noise(tokens: Sequence[str], tag: str) -> bool:
    return no_spaces(tag) and len(tokens) > 1 and any(len(t) <= SHORT_TOKEN_CHARS for t in tokens)


def build_grammar(matcher: IntentMatcher, options: Sequence[str],
                  vocabulary: Vocabulary | None) -> Grammar:
    """The runtime grammar for one screen: allowed sentences whose every word the
    model knows; the model's unknown-word symbol and the language's everyday
    off-topic words, so that speech that is no command has somewhere to go
    other than the nearest command."""
    phrases, missing = [], set()
    for phrase in matcher.phrases(options):
        tokens = words(phrase.spoken)
        lost = [w for w in tokens if vocabulary is not None and w not in vocabulary]
        if lost:
            missing.update(lost)
        elif not soaks_up_noise(tokens, matcher.tag):
            phrases.append(" ".join(tokens))
    filler = [" ".join(words(w)) for w in matcher.templates.off_topic
              if words(w) and all(vocabulary is None or t in vocabulary for t in words(w))]
    unknown = vocabulary.unknown_word() if vocabulary is not None else "[unk]"
    if unknown:
        filler.append(unknown)
    phrases.extend(filler)
    return Grammar(tuple(dict.fromkeys(phrases)), tuple(dict.fromkeys(filler)) if len(filler) > 1 else (),
                   tuple(sorted(missing)), vocabulary is not None)


def model_vocabulary(model_dir: Path) -> Vocabulary | None:
    try:
        return open_vocabulary(model_dir)
    except VocabularyError:
        return None


def _meaning(result: IntentResult | None) -> tuple[str | None, tuple[tuple[str, str], ...]]:
    return (None, ()) if result is None else (result.intent, tuple(sorted(result.slots.items())))


def interpret(transcript: Transcript, matcher: IntentMatcher, options: Sequence[str]) -> Heard:
    """Choose among the recogniser's alternatives.

    Only an alternative that is an allowed sentence (filler words aside) is
    taken; a word salad of allowed words is not. The result is clear only when
    the best path itself is that sentence and the next path that means something
    else is a margin below it; every other intent seen among the alternatives,
    even inside a longer string, is a rival (voice.policy weighs both)."""
    alternatives = transcript.alternatives or (Alternative(transcript.text, 0.0),)
    unk = {"[unk]", "<unk>", "<UNK>"}
    texts = [" ".join(w for w in alt.text.split() if w not in unk) for alt in alternatives]
    exact = [matcher.exact(text, options) if text else None for text in texts]
    chosen = next((i for i, r in enumerate(exact) if r is not None), None)
    seen = {r.intent for r in exact if r is not None}
    for text in texts:
        if text:
            inside = matcher.recognize(text, options)
            seen.update(i for i in (inside.intent, *inside.rivals) if i)
    if chosen is None:
        return Heard(transcript.text, None, rivals=tuple(sorted(seen)))
    result = exact[chosen]
    assert result is not None
    if chosen > 0:
        margin = 0.0  # the best path was not an allowed sentence
    else:
        others = [alt.confidence for alt, r in zip(alternatives, exact) if _meaning(r) != _meaning(result)]
        gap = alternatives[0].confidence - max(others) if others else LATTICE_BEAM
        margin = gap / LATTICE_BEAM
        if transcript.filler_confidence is not None:
            margin = min(margin, (alternatives[0].confidence - transcript.filler_confidence) / FILLER_GAP)
        margin = max(0.0, min(1.0, margin))
    rivals = tuple(sorted(seen - {result.intent}))
    return Heard(transcript.text, result.intent, result.slots, False, result.score,
                 texts[chosen], rivals=rivals, margin=margin)


def hear(source: Source, recognizer: Recognizer, matcher: IntentMatcher,
         options: Sequence[str] = (), vocabulary: Vocabulary | None = None,
         endpointer: Endpointer | None = None,
         cancelled: Callable[[], bool] = lambda: False) -> Heard:
    """Run one turn from `source` through the loaded recognizer."""
    grammar = build_grammar(matcher, options, vocabulary)
    info = recognizer.info
    use_grammar = info is None or info.grammar
    recognizer.start(source.rate, grammar.phrases if use_grammar else None,
                     grammar.filler if use_grammar else None)
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
    confirm = decide(heard, Context(asking=False, node="")) == "ask"
    return replace(heard, confirm=confirm, speech_seconds=fed / 2 / source.rate,
                   latency=time.monotonic() - end_of_speech)

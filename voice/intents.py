"""From text to intent: exact template matching (hassil), then fuzzy snapping (rapidfuzz).

The same expanded sentences serve three jobs: the fuzzy fallback for typed or
misheard text, the runtime grammar handed to Vosk, and the vocabulary check
against a speech model. The current screen's option labels come in at call
time as the `label` list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from hassil import Intents, TextSlotList, recognize
from hassil.expression import Sentence
from hassil.sample import sample_expression

from kiosk.i18n.names import autonym, language_name
from voice import LANGUAGES
from voice.templates import INTENTS, VoiceTemplates, load_templates
from voice.text import fold, no_spaces, normalize, plain_phrase

# Below this similarity a fuzzy snap is no match at all.
MATCH_THRESHOLD = 0.8
# Expanding templates is cheap, but a careless template can multiply out.
MAX_SENTENCES = 20_000
_SPACES = re.compile(r"\s+")


class VoiceTemplateError(Exception):
    """The language has no usable voice commands; the message says where and what."""


@dataclass(frozen=True)
class IntentResult:
    intent: str | None
    score: float  # 1.0 for an exact template match
    slots: dict[str, str] = field(default_factory=dict)
    sentence: str | None = None  # the allowed sentence it matched or snapped to

    def as_json(self) -> dict[str, object]:
        return {"intent": self.intent, "score": round(self.score, 3), "slots": dict(self.slots)}


@dataclass(frozen=True)
class Phrase:
    """One allowed sentence: `spoken` as a speech model writes it, `key` for comparing."""
    intent: str
    spoken: str
    key: str


NO_MATCH = IntentResult(None, 0.0)

# Own names CLDR does not give as one phrase; a pack's file can still override them.
AUTONYM_EXTRAS: dict[str, tuple[str, ...]] = {
    "zh-Hans": ("中文", "简体中文", "普通话"),
    "zh-Hant": ("繁體中文", "廣東話", "粵語"),
    "ht": ("Kreyòl",),
}


def language_values(t: VoiceTemplates, languages: Sequence[str] = LANGUAGES) -> list[tuple[str, str]]:
    """(spoken name, tag) pairs for the `language` list: each language's name in this
    language and in its own, plus the file's extra names. A CLDR name shared by two
    tags ("Chinese") says nothing, so it is dropped; the file's own names win."""
    explicit: dict[str, str] = {}
    for tag, names in t.language_names.items():
        if tag in languages:
            for name in names:
                explicit.setdefault(fold(plain_phrase(name), t.tag), tag)
    automatic: dict[str, set[str]] = {}
    for tag in languages:
        for name in (language_name(tag, t.tag), autonym(tag)):
            phrase = fold(plain_phrase(name), t.tag)
            if phrase and phrase != tag.casefold():
                automatic.setdefault(phrase, set()).add(tag)
    values = dict(explicit)
    for tag, names in AUTONYM_EXTRAS.items():
        if tag in languages:
            for name in names:
                values.setdefault(fold(name, t.tag), tag)
    for phrase, tags in automatic.items():
        if phrase not in values and len(tags) == 1:
            values[phrase] = next(iter(tags))
    return sorted(values.items())


def _squash(text: str, tag: str) -> str:
    """Templates for no-space languages lose their spaces: hassil then matches
    "도움이필요해요" whatever spacing the input has."""
    text = fold(text, tag)
    return _SPACES.sub("", text) if no_spaces(tag) else text


def _slot_list(name: str, pairs: Sequence[tuple[str, str]], tag: str, squash: bool) -> TextSlotList:
    values = []
    for spoken, out in pairs:
        text = _squash(spoken, tag) if squash else fold(spoken, tag)
        if text:
            values.append((text, out))
    return TextSlotList.from_tuples(values, allow_template=False, name=name)


class IntentMatcher:
    """Recognises one language's voice commands."""

    def __init__(self, templates: VoiceTemplates, languages: Sequence[str] = LANGUAGES) -> None:
        self.templates = templates
        self.tag = templates.tag
        self.languages = tuple(languages)
        self._language_pairs = language_values(templates, self.languages)
        self._number_pairs = [(form, str(n)) for n, forms in sorted(templates.numbers.items())
                              for form in forms]
        self._digit_pairs = [(str(n), str(n)) for n in templates.numbers]
        self._skip = sorted({normalize(w, self.tag) for w in templates.skip_words} - {""},
                            key=len, reverse=True)
        self._match = self._build(squash=True)
        self._spoken = self._build(squash=False)
        self._static, self._label_sentences = self._expand_static()

    def _build(self, squash: bool) -> Intents:
        t = self.templates
        conv = (lambda s: _squash(s, t.tag)) if squash else (lambda s: fold(s, t.tag))
        return Intents.from_dict({
            "language": t.tag,
            "settings": {"ignore_whitespace": no_spaces(t.tag)},
            "intents": {name: {"data": [{"sentences": [conv(s) for s in t.intents[name]]}]}
                        for name in INTENTS},
            "skip_words": [conv(w) for w in t.skip_words],
        })

    def _lists(self, labels: Sequence[str], squash: bool, digits: bool) -> dict[str, TextSlotList]:
        numbers = self._number_pairs + (self._digit_pairs if digits else [])
        label_pairs = [(plain_phrase(label), str(i)) for i, label in enumerate(labels, start=1)]
        return {
            "language": _slot_list("language", self._language_pairs, self.tag, squash),
            "number": _slot_list("number", numbers, self.tag, squash),
            "label": _slot_list("label", label_pairs, self.tag, squash),
        }

    def _expand(self, intent: str, sentence: Sentence, lists: dict[str, TextSlotList],
                out: dict[str, Phrase]) -> None:
        for text in sample_expression(sentence.expression, lists, self._spoken.expansion_rules):
            spoken = _SPACES.sub(" ", text).strip()
            key = normalize(spoken, self.tag)
            if key and key not in out:
                out[key] = Phrase(intent, spoken, key)
            if len(out) > MAX_SENTENCES:
                raise VoiceTemplateError(f"{self.templates.path.name}: templates expand to more than "
                                         f"{MAX_SENTENCES} sentences; use fewer alternatives")

    def _expand_static(self) -> tuple[dict[str, Phrase], list[tuple[str, Sentence]]]:
        lists = self._lists((), squash=False, digits=False)
        static: dict[str, Phrase] = {}
        with_labels = []
        for name in INTENTS:
            for data in self._spoken.intents[name].data:
                for sentence in data.sentences:
                    if "label" in set(sentence.list_names(self._spoken.expansion_rules)):
                        with_labels.append((name, sentence))
                    else:
                        self._expand(name, sentence, lists, static)
        return static, with_labels

    def phrases(self, options: Sequence[str] = ()) -> list[Phrase]:
        """Every allowed sentence for a screen with these option labels."""
        return list(self._phrases(tuple(options)).values())

    @lru_cache(maxsize=32)
    def _phrases(self, options: tuple[str, ...]) -> dict[str, Phrase]:
        out = dict(self._static)
        if options:
            lists = self._lists(options, squash=False, digits=False)
            for name, sentence in self._label_sentences:
                self._expand(name, sentence, lists, out)
        return out

    def exact(self, text: str, options: Sequence[str] = ()) -> IntentResult | None:
        """A template match (hassil), or None."""
        key = normalize(text, self.tag)
        if not key:
            return None
        result = recognize(key, self._match, slot_lists=self._lists(options, squash=True, digits=True))
        if result is None:
            return None
        slots = {name: str(entity.value) for name, entity in result.entities.items()}
        return IntentResult(result.intent.name, 1.0, slots, text)

    def recognize(self, text: str, options: Sequence[str] = (),
                  threshold: float = MATCH_THRESHOLD) -> IntentResult:
        """Exact match -> score 1.0; else the nearest allowed sentence and its similarity;
        no intent when that is below `threshold`."""
        found = self.exact(text, options)
        if found is not None:
            return found
        best = self.nearest(text, options)
        if best is None or best.score < threshold:
            return IntentResult(None, best.score if best else 0.0, {}, best.sentence if best else None)
        return best

    def _without_skip_words(self, key: str) -> str:
        """Filler ("please", "um") says nothing about the command; for the fuzzy
        comparison it only adds distance."""
        for word in self._skip:
            if no_spaces(self.tag):
                key = key.replace(word, "")
            else:
                key = re.sub(rf"(?<!\S){re.escape(word)}(?!\S)", " ", key)
        return _SPACES.sub(" ", key).strip()

    def nearest(self, text: str, options: Sequence[str] = ()) -> IntentResult | None:
        """The closest allowed sentence, whatever its score."""
        from rapidfuzz import fuzz, process

        key = self._without_skip_words(normalize(text, self.tag))
        phrases = self._phrases(tuple(options))
        if not key or not phrases:
            return None
        match = process.extractOne(key, list(phrases), scorer=fuzz.ratio)
        if match is None:
            return None
        phrase = phrases[match[0]]
        exact = self.exact(phrase.spoken, options)
        slots = exact.slots if exact is not None else {}
        intent = exact.intent if exact is not None else phrase.intent
        return IntentResult(intent, match[1] / 100.0, slots, phrase.spoken)


@lru_cache(maxsize=16)
def matcher_for(tag: str, root: Path | None = None) -> IntentMatcher:
    """The built-in (or a pack's) matcher for a language; raises VoiceTemplateError."""
    templates, problems = load_templates(tag, root)
    if templates is None:
        errors = [p.format() for p in problems if p.severity == "error"]
        raise VoiceTemplateError("; ".join(errors) or f"no voice commands for '{tag}'")
    return IntentMatcher(templates)

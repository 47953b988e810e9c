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
from voice.text import base_language, fold, match_key, no_spaces, plain_phrase, strip_accents

# Intents a mere resemblance never yields: voice.policy acts on them only when
# they are clear (an exact match), so a fuzzy snap could only ever be dropped, and
# as a result of `kiosk intent` it would be a wrong answer ("qué es esta pantalla"
# is not "quita esta pantalla").
EXACT_ONLY = frozenset({"exit", "yes", "no"})
# Below this similarity a fuzzy snap is no match at all.
MATCH_THRESHOLD = 0.8
# A command found inside a longer sentence: understood, but not exactly an allowed
# sentence, so never "clear" (voice.policy asks first).
INSIDE_SCORE = 0.9
# Inside a longer sentence, a second intent whose words cover at least this
# share of the first one's makes the sentence ambiguous: no intent at all,
# since a wrong intent is worse than none.
RIVAL_SHARE = 0.67
# An allowed sentence this short is only taken whole, never from inside a longer
# sentence ("back" in "my back hurts", "what" in "what is this"): characters for
# languages written without spaces, else words.
MIN_INSIDE_CHARS = {"zh": 3, "ko": 4}  # Hangul packs a word ending into a syllable: "닫아요"
# One letter more or less changes a short word entirely: fuzzy snapping of a
# sentence shorter than this (characters) needs a higher similarity.
SHORT_KEY = 10
SHORT_KEY_THRESHOLD = 0.9
MIN_INSIDE_WORDS = 2
MIN_INSIDE_SPACED_CHARS = 7  # "o que", "de nuevo": too common inside other sentences
# Expanding templates is cheap, but a careless template can multiply out.
MAX_SENTENCES = 20_000
_SPACES = re.compile(r"\s+")
# Words written onto the next word: Arabic "and", "with", "to", the article
# ("بالشرطة" holds "الشرطة"). A command found inside a sentence may carry them.
_PREFIXES = {"ar": "و|ف|ب|ل|ال|بال|لل|وال|فال|عال|عل"}


class VoiceTemplateError(Exception):
    """The language has no usable voice commands; the message says where and what."""


@dataclass(frozen=True)
class IntentResult:
    intent: str | None
    score: float  # 1.0 for an exact template match
    slots: dict[str, str] = field(default_factory=dict)
    sentence: str | None = None  # the allowed sentence it matched or snapped to
    rivals: tuple[str, ...] = ()  # other intents the same words pointed to

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


def own_name(tag: str, root: Path | None = None) -> str | None:
    """The pack's own name for a language in that language (`ui.language_name`),
    the name its language picker shows."""
    import yaml

    from kiosk.content.builtin import builtin_root, ui_defaults
    if root is not None and root != builtin_root():
        path = root / "locales" / f"{tag}.yaml"
        try:
            doc = yaml.safe_load(path.read_text("utf-8")) if path.is_file() else None
        except (OSError, yaml.YAMLError, UnicodeDecodeError):
            doc = None
        strings = doc.get("strings") if isinstance(doc, dict) else None
        name = strings.get("ui.language_name") if isinstance(strings, dict) else None
        if isinstance(name, str) and name.strip():
            return name.strip()
    return ui_defaults(tag).get("ui.language_name")


def language_values(t: VoiceTemplates, languages: Sequence[str] = LANGUAGES,
                    cldr: bool = True, root: Path | None = None) -> list[tuple[str, str]]:
    """(spoken name, tag) pairs for the `language` list.

    What the pack says comes first and does not change with a babel release:
    the voice file's own names, then each language's own name as the pack's
    language picker shows it (`ui.language_name`). CLDR's names (the language's
    name in this language and in its own) only add to these; a CLDR name shared
    by two tags ("Chinese") says nothing and is dropped."""
    values: dict[str, str] = {}
    for tag, names in t.language_names.items():
        if tag in languages:
            for name in names:
                values.setdefault(fold(plain_phrase(name), t.tag), tag)
    for tag in languages:
        name = own_name(tag, root)
        if name:
            values.setdefault(fold(plain_phrase(name), t.tag), tag)
    for tag, names in AUTONYM_EXTRAS.items():
        if tag in languages:
            for name in names:
                values.setdefault(fold(name, t.tag), tag)
    if cldr:
        automatic: dict[str, set[str]] = {}
        for tag in languages:
            for name in (language_name(tag, t.tag), autonym(tag)):
                phrase = fold(plain_phrase(name), t.tag)
                if phrase and phrase != tag.casefold():
                    automatic.setdefault(phrase, set()).add(tag)
        for phrase, tags in automatic.items():
            if phrase not in values and len(tags) == 1:
                values[phrase] = next(iter(tags))
    return sorted((phrase, tag) for phrase, tag in values.items() if phrase)


def _squash(text: str, tag: str) -> str:
    """The matching form of a template: folded, accents off where they are
    optional, and for no-space languages without spaces, so that hassil matches
    "도움이필요해요" whatever spacing the input has."""
    text = strip_accents(fold(text, tag), tag)
    return _SPACES.sub("", text) if no_spaces(tag) else text


def _slot_list(name: str, pairs: Sequence[tuple[str, str]], tag: str, squash: bool) -> TextSlotList:
    values = []
    for spoken, out in pairs:
        text = _squash(spoken, tag) if squash else fold(spoken, tag)
        if text:
            values.append((text, out))
    return TextSlotList.from_tuples(values, allow_template=False, name=name)


@dataclass(frozen=True)
class _Found:
    """An allowed sentence or an `anywhere` phrase found inside the input."""
    intent: str
    start: int
    end: int
    spoken: str  # the allowed sentence (what "Did you mean ...?" shows)

    @property
    def size(self) -> int:
        return self.end - self.start


class IntentMatcher:
    """Recognises one language's voice commands."""

    def __init__(self, templates: VoiceTemplates, languages: Sequence[str] = LANGUAGES,
                 root: Path | None = None) -> None:
        # The fuzzy path's library loads with the matcher (when the speech model is
        # prepared), not in the middle of a visitor's first doubtful turn.
        import rapidfuzz.process  # noqa: F401
        self.templates = templates
        self.tag = templates.tag
        self.languages = tuple(languages)
        self._language_pairs = language_values(templates, self.languages, root=root)
        self._number_pairs = [(form, str(n)) for n, forms in sorted(templates.numbers.items())
                              for form in forms]
        self._digit_pairs = [(str(n), str(n)) for n in templates.numbers]
        self._skip = sorted({match_key(w, self.tag) for w in templates.skip_words} - {""},
                            key=len, reverse=True)
        self._not_commands = sorted({match_key(w, self.tag) for w in templates.not_commands} - {""},
                                    key=len, reverse=True)
        self._negations = sorted({match_key(w, self.tag) for w in templates.negations} - {""},
                                 key=len, reverse=True)
        self._anywhere = [(match_key(w, self.tag), intent) for intent, forms in templates.anywhere.items()
                          for w in forms if match_key(w, self.tag)]
        # Bare names and numbers say which, not what to do: inside a longer
        # sentence ("my mother speaks Spanish", "Monday" as "the second") they are no command.
        self._bare = {match_key(form, self.tag) for form, _ in self._language_pairs + self._number_pairs}
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
            "expansion_rules": {name: conv(rule) for name, rule in t.rules.items()},
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
            key = match_key(spoken, self.tag)
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
        """A template match (hassil; filler words anywhere are ignored), or None."""
        key = match_key(text, self.tag)
        if not key:
            return None
        result = recognize(key, self._match, slot_lists=self._lists(options, squash=True, digits=True))
        if result is None:
            return None
        slots = {name: str(entity.value) for name, entity in result.entities.items()}
        return IntentResult(result.intent.name, 1.0, slots, text)

    def recognize(self, text: str, options: Sequence[str] = (),
                  threshold: float = MATCH_THRESHOLD) -> IntentResult:
        """Exact match -> score 1.0; a command inside a longer sentence -> INSIDE_SCORE;
        else the nearest allowed sentence and its similarity, no intent when that
        is below `threshold`. A negated command ("I don't need help") is none."""
        found = self.exact(text, options)
        if found is not None:
            return found
        core = self._without(self._skip, match_key(text, self.tag))
        made_of = self.made_of(core)
        if made_of is not None:
            return made_of
        blocked = self._without(self._not_commands, core) != core
        core = self._without(self._not_commands, core, keep="\u2022")
        inside = self.inside(core, options, keywords_only=blocked)
        if inside.intent is not None or inside.rivals or blocked:
            return inside  # near a word group that is no command, no guessing either
        best = self.nearest(text, options)
        if best is not None and best.sentence is not None and len(core) < SHORT_KEY:
            threshold = max(threshold, SHORT_KEY_THRESHOLD)  # "there" is not "three"
        if best is None or best.score < threshold or best.intent in EXACT_ONLY or \
                best.intent != "no" and self._negated(core, 0, 0):
            return IntentResult(None, best.score if best else 0.0, {}, best.sentence if best else None)
        return best

    # --- a command inside a longer sentence ---------------------------------------
    def _occurrences(self, needle: str, hay: str) -> list[int]:
        """Where `needle` starts in `hay`: anywhere for no-space languages, else on word edges."""
        out = []
        if no_spaces(self.tag):
            start = hay.find(needle)
            while start >= 0:
                out.append(start)
                start = hay.find(needle, start + 1)
            return out
        prefix = _PREFIXES.get(self.tag, "")
        for m in re.finditer(rf"(?<!\S)(?:{prefix})?{re.escape(needle)}(?!\S)", hay):
            out.append(m.start())
        return out

    def _long_enough(self, key: str) -> bool:
        if no_spaces(self.tag):
            return len(key) >= MIN_INSIDE_CHARS.get(base_language(self.tag), 3)
        return len(key.split()) >= MIN_INSIDE_WORDS and len(key) >= MIN_INSIDE_SPACED_CHARS

    def _negated(self, core: str, start: int, end: int) -> bool:
        """A negation word outside the command's own words turns it around."""
        outside = core[:start] + " " + core[end:]
        return any(self._occurrences(word, outside) for word in self._negations)

    @lru_cache(maxsize=1)
    def _by_intent(self) -> dict[str, list[Phrase]]:
        """Each intent's allowed sentences without slots, longest first."""
        out: dict[str, list[Phrase]] = {}
        for phrase in self._static.values():
            if phrase.intent not in ("choose", "change_language"):
                out.setdefault(phrase.intent, []).append(phrase)
        for phrases in out.values():
            phrases.sort(key=lambda p: len(p.key), reverse=True)
        return out

    def made_of(self, core: str) -> IntentResult | None:
        """A sentence made only of one intent's allowed sentences ("no, not that",
        "hide it, hide it", "yes, that one"): that intent, as exact as each part."""
        if not core:
            return None
        for intent, phrases in self._by_intent().items():
            rest, parts = core, []
            for phrase in phrases:
                hits = phrase.key in rest and self._occurrences(phrase.key, rest)
                if hits:
                    parts.append(phrase.spoken)
                    rest = re.sub(rf"(?<!\S){re.escape(phrase.key)}(?!\S)", " ", rest) \
                        if not no_spaces(self.tag) else rest.replace(phrase.key, "")
                if not rest.strip():
                    return IntentResult(intent, 1.0, {}, parts[0])
        return None

    def _found(self, core: str, options: Sequence[str], keywords_only: bool = False) -> list[_Found]:
        found = []
        for key, phrase in () if keywords_only else self._phrases(tuple(options)).items():
            if key in core and self._long_enough(key) and key not in self._bare:
                for at in self._occurrences(key, core):
                    found.append(_Found(phrase.intent, at, at + len(key), phrase.spoken))
        for key, intent in self._anywhere:
            for at in (self._occurrences(key, core) if key in core else ()):
                found.append(_Found(intent, at, at + len(key), ""))
        return [f for f in found if f.intent == "no" or not self._negated(core, f.start, f.end)]

    def inside(self, core: str, options: Sequence[str] = (), keywords_only: bool = False) -> IntentResult:
        """The command found inside a longer sentence (filler already removed);
        no intent when two intents are about equally present. Next to a word
        group that is no command ("my mother speaks Spanish"), only the
        `anywhere` keywords count."""
        found = self._found(core, options, keywords_only)
        if not found:
            return NO_MATCH
        best = max(found, key=lambda f: (f.size, f.spoken != ""))
        rivals = tuple(sorted({f.intent for f in found if f.intent != best.intent
                               and not (best.start <= f.start and f.end <= best.end)}))
        strongest = max((f.size for f in found if f.intent in rivals), default=0)
        if strongest >= RIVAL_SHARE * best.size:
            return IntentResult(None, 0.0, {}, None, rivals + (best.intent,))
        spoken = best.spoken or self._example(best.intent, options)
        exact = self.exact(spoken, options) if spoken else None
        slots = exact.slots if exact is not None and exact.intent == best.intent else {}
        if best.intent == "choose" and not slots:
            return NO_MATCH  # which option: the words did not say
        if best.intent == "change_language" and not best.spoken:
            slots = {}  # "another language": the picker, not a guess
        return IntentResult(best.intent, INSIDE_SCORE, slots, spoken or None, rivals)

    def _example(self, intent: str, options: Sequence[str]) -> str:
        """The shortest allowed sentence of an intent: what "Did you mean ...?" shows
        when a keyword ("police") found the intent."""
        spoken = [p.spoken for p in self._phrases(tuple(options)).values() if p.intent == intent]
        return min(spoken, key=len) if spoken else ""

    def _without(self, words: Sequence[str], key: str, keep: str = "") -> str:
        """`key` without these words (or with `keep` in their place, so that no
        command is found across them): filler ("please", "um") says nothing about
        the command, and for the fuzzy comparison it only adds distance."""
        for word in words:
            if no_spaces(self.tag):
                key = key.replace(word, keep)
            else:
                key = re.sub(rf"(?<!\S){re.escape(word)}(?!\S)", f" {keep} ", key)
        return _SPACES.sub(" ", key).strip()

    def nearest(self, text: str, options: Sequence[str] = ()) -> IntentResult | None:
        """The closest allowed sentence, whatever its score."""
        from rapidfuzz import fuzz, process

        key = self._without(self._not_commands, self._without(self._skip, match_key(text, self.tag)))
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
    return IntentMatcher(templates, root=root)

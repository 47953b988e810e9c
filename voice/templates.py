"""Voice command templates: `locales/voice/<tag>.yaml`, one file per language.

The file holds hassil sentence templates for a fixed set of intents, the words
for option numbers, and extra spoken names for languages. Loading checks
everything and reports FILE:LINE:COL problems; nothing here matches text
(see voice/intents.py). Format: docs/voice.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from hassil import parse_sentence

from kiosk.content.problems import Problem, Where
from kiosk.content.yamlpos import LMap, LScalar, LSeq, LValue, YamlError, load_yaml
from voice import LANGUAGES

INTENTS: tuple[str, ...] = ("help", "hotline", "emergency", "change_language", "repeat", "back",
                            "home", "exit", "yes", "no", "stop", "choose")
# Lists a template may refer to, and the slot each one fills.
LISTS = {"language": "language", "number": "option", "label": "option"}
MAX_OPTION_NUMBER = 9
REVIEW_VALUES = ("native", "machine", "draft")
KEYS = ("language", "review", "intents", "numbers", "languages", "skip_words", "anywhere", "negations",
        "expansion_rules", "off_topic_words", "not_commands")
_LIST_REF = re.compile(r"\{([^{}:]+)(?::([^{}]+))?\}")
_RULE_REF = re.compile(r"<([^<>]+)>")


@dataclass(frozen=True)
class VoiceTemplates:
    """One language's voice commands, as written in its file."""
    tag: str
    review: str
    intents: dict[str, tuple[str, ...]]  # intent -> sentence templates
    numbers: dict[int, tuple[str, ...]]  # option number -> spoken forms
    language_names: dict[str, tuple[str, ...]]  # tag -> extra spoken names
    skip_words: tuple[str, ...]  # filler, politeness, hesitation: ignored wherever they are
    path: Path
    wheres: dict[str, Where] = field(default_factory=dict)  # intent -> where its list starts
    # Words or phrases that mean an intent anywhere in a longer sentence ("police").
    anywhere: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Words that turn a command around ("I don't need help" is not help).
    negations: tuple[str, ...] = ()
    # hassil expansion rules, <name> in a template.
    rules: dict[str, str] = field(default_factory=dict)
    # Everyday words that are no command: the recogniser's way out for off-topic speech.
    off_topic: tuple[str, ...] = ()
    # Word groups that hold a command word but are no command ("the emergency
    # room", "my back"): taken out before looking for a command inside a sentence.
    not_commands: tuple[str, ...] = ()


def voice_dir(root: Path | None = None) -> Path:
    """Where a pack keeps its voice files (default: the built-in pack)."""
    if root is None:
        from kiosk.content.builtin import builtin_root
        root = builtin_root()
    return root / "locales" / "voice"


def template_path(tag: str, root: Path | None = None) -> Path:
    return voice_dir(root) / f"{tag}.yaml"


def _strings(value: LValue | None, what: str, where: Where, problems: list[Problem]) -> list[tuple[str, Where]]:
    if value is None:
        problems.append(Problem.error(where, f"{what}: missing"))
        return []
    items: tuple[LValue, ...]
    if isinstance(value, LScalar):
        items = (value,)
    elif isinstance(value, LSeq):
        items = value.items
    else:
        problems.append(Problem.error(value.where, f"{what}: expected a list of sentences"))
        return []
    out = []
    for item in items:
        if isinstance(item, LScalar) and isinstance(item.value, (str, int)) and not isinstance(item.value, bool) \
                and str(item.value).strip():
            out.append((str(item.value).strip(), item.where))
        else:
            problems.append(Problem.error(item.where, f"{what}: each entry must be non-empty text"))
    return out


def check_template(text: str, intent: str, where: Where) -> list[Problem]:
    """Problems with one sentence template: syntax, unknown lists, wrong slot names."""
    problems = []
    try:
        parse_sentence(text)
    except Exception as exc:  # hassil raises several parse error types
        return [Problem.error(where, f"template {text!r} does not parse: {exc}")]
    for m in _LIST_REF.finditer(text):
        name, slot = m.group(1).strip(), (m.group(2) or m.group(1)).strip()
        if name not in LISTS:
            problems.append(Problem.error(where, f"template {text!r}: unknown list {{{name}}}; "
                                                 f"lists are {', '.join(sorted(LISTS))}"))
        elif slot != LISTS[name]:
            problems.append(Problem.error(where, f"template {text!r}: write {{{name}:{LISTS[name]}}}"
                                          if name != LISTS[name] else
                                          f"template {text!r}: {{{name}}} fills the slot '{name}'"))
        elif name == "language" and intent != "change_language" or \
                name in ("number", "label") and intent != "choose":
            problems.append(Problem.error(where, f"template {text!r}: {{{name}}} belongs to "
                                                 f"{'change_language' if name == 'language' else 'choose'}"))
    return problems


def load_templates(tag: str, root: Path | None = None) -> tuple[VoiceTemplates | None, list[Problem]]:
    """Read and check `locales/voice/<tag>.yaml`; None when it has errors."""
    path = template_path(tag, root)
    shown = f"locales/voice/{tag}.yaml"
    problems: list[Problem] = []
    if not path.is_file():
        return None, [Problem.error(Where(shown), f"no voice commands for '{tag}' (file missing)")]
    try:
        doc = load_yaml(path, shown)
    except YamlError as exc:
        return None, [exc.problem]
    if not isinstance(doc, LMap):
        return None, [Problem.error(Where(shown), "expected a mapping with language:, intents:, numbers:")]
    for key, (kwhere, _) in doc.items.items():
        if key not in KEYS:
            problems.append(Problem.error(kwhere, f"unknown key '{key}'"))

    lang = doc.get("language")
    if not isinstance(lang, LScalar) or lang.value != tag:
        problems.append(Problem.error(lang.where if lang else doc.where,
                                      f"language: must be '{tag}' (the file's name)"))
    review = doc.get("review")
    review_value = str(review.value) if isinstance(review, LScalar) else "draft"
    if review is not None and review_value not in REVIEW_VALUES:
        problems.append(Problem.error(review.where, f"review: one of {', '.join(REVIEW_VALUES)}"))

    intents: dict[str, tuple[str, ...]] = {}
    wheres: dict[str, Where] = {}
    imap = doc.get("intents")
    if not isinstance(imap, LMap):
        problems.append(Problem.error(imap.where if imap else doc.where, "intents: expected a mapping"))
    else:
        for name, (kwhere, value) in imap.items.items():
            if name not in INTENTS:
                problems.append(Problem.error(kwhere, f"unknown intent '{name}'; intents are "
                                                      f"{', '.join(INTENTS)}"))
                continue
            sentences = _strings(value, f"intent '{name}'", kwhere, problems)
            for text, where in sentences:
                problems.extend(check_template(text, name, where))
            intents[name] = tuple(text for text, _ in sentences)
            wheres[name] = kwhere
        for name in INTENTS:
            if name not in imap.items:
                problems.append(Problem.error(imap.where, f"intent '{name}' is missing"))
        if "change_language" in intents and not any("{language" in t for t in intents["change_language"]):
            problems.append(Problem.error(wheres["change_language"],
                                          "change_language needs a template with {language}"))
        choose = intents.get("choose", ())
        for needed in ("{number:option}", "{label:option}"):
            if "choose" in intents and not any(needed in t for t in choose):
                problems.append(Problem.error(wheres["choose"], f"choose needs a template with {needed}"))

    numbers: dict[int, tuple[str, ...]] = {}
    nmap = doc.get("numbers")
    if not isinstance(nmap, LMap):
        problems.append(Problem.error(nmap.where if nmap else doc.where,
                                      f"numbers: expected a mapping 1..{MAX_OPTION_NUMBER} -> spoken forms"))
    else:
        for key, (kwhere, value) in nmap.items.items():
            if not key.isdigit() or not 1 <= int(key) <= MAX_OPTION_NUMBER:
                problems.append(Problem.error(kwhere, f"numbers: '{key}' is not 1..{MAX_OPTION_NUMBER}"))
                continue
            forms = _strings(value, f"number {key}", kwhere, problems)
            for text, where in forms:
                if any(c in text for c in "()[]{}<>|@"):
                    problems.append(Problem.error(where, f"number {key}: plain words only, not templates"))
            numbers[int(key)] = tuple(text for text, _ in forms)
        for n in range(1, MAX_OPTION_NUMBER + 1):
            if n not in numbers:
                problems.append(Problem.error(nmap.where, f"numbers: {n} is missing"))

    names: dict[str, tuple[str, ...]] = {}
    lmap = doc.get("languages")
    if isinstance(lmap, LMap):
        for key, (kwhere, value) in lmap.items.items():
            if key not in LANGUAGES:
                problems.append(Problem.error(kwhere, f"languages: unknown tag '{key}'"))
                continue
            forms = _strings(value, f"languages: {key}", kwhere, problems)
            names[key] = tuple(text for text, _ in forms)
    elif lmap is not None:
        problems.append(Problem.error(lmap.where, "languages: expected a mapping tag -> spoken names"))

    skip: tuple[str, ...] = ()
    smap = doc.get("skip_words")
    if smap is not None:
        skip = tuple(t for t, _ in _strings(smap, "skip_words", smap.where, problems))

    anywhere: dict[str, tuple[str, ...]] = {}
    amap = doc.get("anywhere")
    if isinstance(amap, LMap):
        for key, (kwhere, value) in amap.items.items():
            if key not in INTENTS:
                problems.append(Problem.error(kwhere, f"anywhere: unknown intent '{key}'"))
                continue
            forms = _strings(value, f"anywhere: {key}", kwhere, problems)
            for text, where in forms:
                if any(c in text for c in "()[]{}<>|@"):
                    problems.append(Problem.error(where, f"anywhere: {key}: plain words only, not templates"))
            anywhere[key] = tuple(text for text, _ in forms)
    elif amap is not None:
        problems.append(Problem.error(amap.where, "anywhere: expected a mapping intent -> words"))

    rules: dict[str, str] = {}
    rmap = doc.get("expansion_rules")
    if isinstance(rmap, LMap):
        for key, (kwhere, value) in rmap.items.items():
            if not isinstance(value, LScalar) or not str(value.value).strip():
                problems.append(Problem.error(kwhere, f"expansion_rules: {key}: expected one template"))
                continue
            problems.extend(check_template(str(value.value), "", value.where))
            rules[key] = str(value.value).strip()
    elif rmap is not None:
        problems.append(Problem.error(rmap.where, "expansion_rules: expected a mapping name -> template"))
    used = {m.group(1) for texts in intents.values() for t in texts for m in _RULE_REF.finditer(t)}
    used |= {m.group(1) for t in rules.values() for m in _RULE_REF.finditer(t)}
    for name in sorted(used - set(rules)):
        problems.append(Problem.error(rmap.where if rmap is not None else doc.where,
                                      f"expansion rule <{name}> is used but not defined"))

    def plain_list(key: str) -> tuple[str, ...]:
        node = doc.get(key)
        return () if node is None else tuple(t for t, _ in _strings(node, key, node.where, problems))

    negations, off_topic = plain_list("negations"), plain_list("off_topic_words")
    not_commands = plain_list("not_commands")

    if any(p.severity == "error" for p in problems):
        return None, problems
    return VoiceTemplates(tag, review_value, intents, numbers, names, skip, path, wheres,
                          anywhere, negations, rules, off_topic, not_commands), problems

"""Every claim a locale makes about a phone line agrees with that line's data in
contacts.yaml (issue #16): its numbers, its channels (call, text, chat, TTY), its
languages (interpreters on calls only; 988 offers Spanish on calls only) and its hours.

How each language says "call", "text", "interpreters", "Spanish"... is test data:
tests/data/content/claims.yaml. A sentence is the unit: "On a call, interpreters speak
more than 200 other languages" is a claim about calls; "Text and chat are in English and
Spanish" is one about text and chat.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

from kiosk.content.builtin import builtin_root
from kiosk.content.model import INTERPRETERS, Contact, Pack
from kiosk.content.packs import open_pack
from kiosk.view import Strings, contact_view

ROOT = Path(__file__).resolve().parent.parent.parent
CLAIMS = yaml.safe_load((ROOT / "tests" / "data" / "content" / "claims.yaml").read_text("utf-8"))
WORDS: dict[str, dict[str, list[str]]] = CLAIMS["words"]
SENTENCE_END = re.compile(r"(?<=[.!?。！？؟])\s*|\n+")
NUMBER = re.compile(r"\d(?:[\d-]*\d)?")


@lru_cache(maxsize=1)
def pack() -> Pack:
    opened = open_pack(builtin_root())
    assert opened.pack is not None
    return opened.pack


def mentions(sentence: str, tag: str, what: str) -> bool:
    """Does the sentence speak of `what` (a claims.yaml word class), in its language or,
    for a string still waiting for its translator, in English?"""
    text = sentence.casefold()
    for word in {*WORDS[tag][what], *WORDS["en"][what]}:
        if "\u3400" <= word[0] <= "\u9fff":
            if word in sentence:
                return True
        elif re.search(r"(?<!\w)" + re.escape(word.casefold()), text):
            return True
    return False


def sentences(text: str) -> list[str]:
    return [s for s in SENTENCE_END.split(text) if s.strip()]


def subject(key: str) -> str | None:
    """The contact a string talks about: `contact.<id>.*`, or a screen's main line."""
    parts = key.split(".")
    if parts[0] == "contact":
        return parts[1]
    return CLAIMS["subjects"].get(parts[0])


def contact_problems(tag: str, key: str, text: str, c: Contact) -> list[str]:
    out = []
    for s in sentences(text):
        said = {w: mentions(s, tag, w) for w in ("call", "text", "chat", "tty", "interpreters", "spanish",
                                                 "always")}
        other_channel = said["text"] or said["chat"]
        if said["text"] and not c.text:
            out.append(f"says '{c.id}' takes texts; contacts.yaml has no text number")
        if said["chat"] and not c.chat:
            out.append(f"says '{c.id}' has a chat; contacts.yaml has none")
        if said["tty"] and not c.tty:
            out.append(f"says '{c.id}' has a TTY line; contacts.yaml has none")
        if said["interpreters"]:
            if INTERPRETERS not in c.languages:
                out.append(f"promises interpreters; contacts.yaml lists none for '{c.id}'")
            if not said["call"] or other_channel:
                out.append("says interpreters without tying them to calls only (FACTS.md: calls only)")
        if said["spanish"] and "es" not in c.languages and (not said["call"] or other_channel):
            out.append(f"says '{c.id}' offers Spanish beyond calls; contacts.yaml lists no Spanish")
        if said["always"] and c.hours != "always":
            out.append(f"says '{c.id}' is always open; contacts.yaml says hours: {c.hours}")
    return [f"{tag}: {key}: {problem}" for problem in out]


def locales() -> list[str]:
    return list(pack().manifest.languages)


@pytest.mark.parametrize("tag", locales())
def test_what_a_locale_says_about_each_line_matches_contacts_yaml(tag: str) -> None:
    p = pack()
    problems = []
    for key, text in sorted(p.locales[tag].strings.items()):
        cid = subject(key)
        if cid is not None and cid in p.contacts:
            problems += contact_problems(tag, key, text, p.contacts[cid])
    assert problems == []


@pytest.mark.parametrize("tag", locales())
def test_the_interpreters_line_says_calls_only(tag: str) -> None:
    # Shown on every contact card with `interpreters`, beside the text and chat lines.
    text = pack().string(tag, "ui.interpreters") or ""
    assert mentions(text, tag, "call") and not mentions(text, tag, "text") \
        and not mentions(text, tag, "chat"), f"{tag}: ui.interpreters: {text!r}"


@pytest.mark.parametrize("tag", locales())
def test_only_the_services_directory_may_say_free_of_charge(tag: str) -> None:
    found = [key for key, text in sorted(pack().locales[tag].strings.items())
             if key not in CLAIMS["no_cost_keys"] and mentions(text, tag, "no_cost")]
    assert found == [], f"{tag}: FACTS.md says nothing about cost: {found}"


def contact_digits(p: Pack) -> set[str]:
    return {re.sub(r"\D", "", n) for c in p.contacts.values()
            for n in (c.call, c.call_display, c.text, c.tty) if n}


def ascii_digits(token: str) -> str:
    return "".join(str(unicodedata.decimal(ch)) for ch in token if unicodedata.decimal(ch, None) is not None)


@pytest.mark.parametrize("tag", locales())
def test_every_number_in_the_text_is_a_number_in_contacts_yaml(tag: str) -> None:
    p = pack()
    known = contact_digits(p)
    problems = []
    for key, text in sorted(p.locales[tag].strings.items()):
        for token in NUMBER.findall(text):
            digits = ascii_digits(token)
            if len(digits) < 3 or digits in known or digits in CLAIMS["numbers_ok"]:
                continue
            # A part of a number, said to help remember it ("It starts with 1-888").
            if len(digits) < 5 and any(digits in number for number in known):
                continue
            problems.append(f"{key}: {token}")
    assert problems == [], f"{tag}: numbers not in contacts.yaml: {problems}"


@pytest.mark.parametrize("tag", locales())
def test_a_contact_card_shows_languages_only_from_contacts_yaml(tag: str) -> None:
    p = pack()
    s = Strings(p, tag)
    for c in p.contacts.values():
        view = contact_view(c, s, p.manifest.region)
        named = [t for t in c.languages if t != INTERPRETERS]
        assert bool(view.languages) == bool(named), (tag, c.id, view.languages)
        assert view.interpreters == (s("ui.interpreters") if INTERPRETERS in c.languages else "")


def test_988_lists_no_language_for_its_texts() -> None:
    # FACTS.md: "on a call press 2 for Spanish"; nothing about text in Spanish.
    c = pack().contacts["lifeline988"]
    assert "es" not in c.languages and INTERPRETERS not in c.languages


def test_the_hotline_data_is_what_facts_md_says() -> None:
    c = pack().contacts["nhth"]
    assert (c.call, c.call_display, c.text, c.tty, c.chat) == (
        "1-888-373-7888", "1-888-3737-888", "233733", "711", "humantraffickinghotline.org")
    assert set(c.languages) == {"en", "es", INTERPRETERS} and c.hours == "always"


@pytest.mark.parametrize("sentence, key, tag", [
    ("Interpreters for more than 200 other languages. Text and chat too.", "contact.nhth.about", "en"),
    ("Text or chat with an interpreter.", "call_expect.body", "en"),
    ("You can text in Spanish.", "contact.lifeline988.about", "en"),
    ("Open 24 hours.", "contact.ndvh.about", "en"),
    ("Chat online any time.", "contact.childhelp.about", "en"),
    ("Intérpretes para más de 200 idiomas.", "call_expect.body", "es"),
])
def test_the_checker_catches_a_claim_past_the_data(sentence: str, key: str, tag: str) -> None:
    p = pack()
    assert contact_problems(tag, key, sentence, p.contacts[subject(key)]) != []


@pytest.mark.parametrize("sentence, key, tag", [
    ("On a call, interpreters speak more than 200 other languages.", "call_expect.body", "en"),
    ("Call or text. On a call, press 2 for Spanish.", "contact.lifeline988.about", "en"),
    ("Text and chat are in English and Spanish only.", "call_expect.body", "en"),
])
def test_the_checker_lets_a_true_claim_pass(sentence: str, key: str, tag: str) -> None:
    p = pack()
    assert contact_problems(tag, key, sentence, p.contacts[subject(key)]) == []

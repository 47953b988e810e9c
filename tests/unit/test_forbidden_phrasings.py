"""No locale promises what nobody can keep (issue #16): "confidential", "you are not in
trouble", "nothing will happen to you", "guaranteed". The phrasings, per language, are
test data: tests/data/content/forbidden.yaml."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent.parent
FORBIDDEN: dict[str, list[str]] = yaml.safe_load((ROOT / "tests" / "data" / "content" / "forbidden.yaml")
                                                 .read_text("utf-8"))
LOCALE_FILES = (sorted((ROOT / "locales").glob("*.yaml"))
                + sorted((ROOT / "examples" / "packs").glob("*/locales/*.yaml")))


def contains(text: str, phrase: str) -> bool:
    """`phrase` at the start of a word of `text`, case-insensitively; anywhere in Chinese,
    which has no spaces between words."""
    if "\u3400" <= phrase[0] <= "\u9fff":
        return phrase in text
    return re.search(r"(?<!\w)" + re.escape(phrase.casefold()), text.casefold()) is not None


def load(path: Path) -> tuple[str, dict[str, str]]:
    doc = yaml.safe_load(path.read_text("utf-8"))
    return doc["language"], {k: str(v) for k, v in (doc.get("strings") or {}).items()}


def test_every_language_of_the_builtin_pack_has_a_list() -> None:
    tags = yaml.safe_load((ROOT / "pack.yaml").read_text("utf-8"))["languages"]
    assert sorted(FORBIDDEN) == sorted(tags)
    assert all(FORBIDDEN[tag] for tag in tags)


@pytest.mark.parametrize("path", LOCALE_FILES, ids=[str(p.relative_to(ROOT)) for p in LOCALE_FILES])
def test_no_locale_uses_a_forbidden_phrasing(path: Path) -> None:
    tag, strings = load(path)
    # English too: a new string waits in English until its translator replaces it.
    phrases = set(FORBIDDEN[tag]) | set(FORBIDDEN["en"])
    found = [f"{key}: {phrase!r}" for key, text in strings.items() for phrase in sorted(phrases)
             if contains(text, phrase)]
    assert found == [], f"{path.relative_to(ROOT)} promises too much: {found}"


@pytest.mark.parametrize("text, tag", [
    ("You are not in trouble for reading this.", "en"),
    ("This call is confidential.", "en"),
    ("No estás en problemas.", "es"),
    ("Vous ne risquez rien à lire ceci.", "fr"),
    ("비밀 보장과 선택", "ko"),
    ("곤란해지지 않아요", "ko"),
    ("你不会惹上麻烦", "zh-Hans"),
    ("你不會惹上麻煩", "zh-Hant"),
    ("لست في ورطة", "ar"),
    ("لن تسبب لك أي مشكلة", "ar"),
])
def test_the_lists_catch_what_the_reviewers_found(text: str, tag: str) -> None:
    # The phrasings quoted in issue #16: the lists must keep catching them.
    assert any(contains(text, phrase) for phrase in FORBIDDEN[tag])


@pytest.mark.parametrize("text, tag", [
    ("Su seguridad y sus derechos", "es"),
    ("Здоровье и безопасность", "ru"),
    ("الخط الوطني للعنف الأسري", "ar"),
    ("It is not your fault.", "en"),
])
def test_the_lists_leave_ordinary_words_alone(text: str, tag: str) -> None:
    assert not any(contains(text, phrase) for phrase in FORBIDDEN[tag])

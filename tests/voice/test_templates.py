"""The voice template files: format checks, language names, matching details, `kiosk intent`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from voice import LANGUAGES
from voice.intents import IntentMatcher, language_values, matcher_for
from voice.templates import INTENTS, load_templates, template_path
from voice.text import normalize

ROOT = Path(__file__).resolve().parents[2]


def write_pack(tmp_path: Path, text: str, tag: str = "en") -> Path:
    (tmp_path / "locales" / "voice").mkdir(parents=True)
    (tmp_path / "locales" / "voice" / f"{tag}.yaml").write_text(text, "utf-8")
    return tmp_path


def en_text() -> str:
    return template_path("en").read_text("utf-8")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_loads_clean(lang: str) -> None:
    templates, problems = load_templates(lang)
    assert templates is not None and problems == [], [p.format() for p in problems]
    assert set(templates.intents) == set(INTENTS)
    assert sorted(templates.numbers) == list(range(1, 10))


def test_change_language_reaches_every_language_by_two_names() -> None:
    """Each language can be named in the current language and by its own name."""
    from kiosk.i18n.names import autonym
    for lang in LANGUAGES:
        m = matcher_for(lang)
        reach: dict[str, set[str]] = {}
        for spoken, tag in language_values(m.templates):
            reach.setdefault(tag, set()).add(spoken)
        assert set(reach) == set(LANGUAGES), f"{lang}: cannot name {set(LANGUAGES) - set(reach)}"
        for tag in LANGUAGES:
            assert len(reach[tag]) >= 2 or lang == tag, f"{lang}: only {reach[tag]} for {tag}"
            own = autonym(tag)
            if "(" not in own:
                r = m.recognize(own)
                assert (r.intent, r.slots.get("language")) == ("change_language", tag), (lang, own, r)


@pytest.mark.parametrize("text, message, line", [
    ("  help:\n    - \"(help|me\"\n", "does not parse", 2),
    ("  help:\n    - \"help {colour}\"\n", "unknown list {colour}", 2),
    ("  help:\n    - \"help\"\n  dance:\n    - \"dance\"\n", "unknown intent 'dance'", 3),
    ("  help:\n    - \"help {language}\"\n", "belongs to change_language", 2),
])
def test_template_problems_say_where(tmp_path: Path, text: str, message: str, line: int) -> None:
    original = en_text()
    start = original.index("  help:\n")
    end = original.index("  hotline:\n")
    root = write_pack(tmp_path, original[:start] + text + original[end:])
    templates, problems = load_templates("en", root)
    assert templates is None
    hits = [p for p in problems if message in p.message]
    assert hits, [p.format() for p in problems]
    line += original[:start].count("\n")
    assert hits[0].format().startswith(f"locales/voice/en.yaml:{line}:"), hits[0].format()


def test_missing_intent_and_numbers_are_reported(tmp_path: Path) -> None:
    root = write_pack(tmp_path, "language: en\nintents:\n  help: [help]\nnumbers:\n  1: [one]\n")
    templates, problems = load_templates("en", root)
    messages = " | ".join(p.message for p in problems)
    assert templates is None
    assert "intent 'hotline' is missing" in messages and "numbers: 2 is missing" in messages


def test_wrong_language_and_bad_yaml(tmp_path: Path) -> None:
    root = write_pack(tmp_path, en_text().replace("language: en", "language: fr"))
    assert "language: must be 'en'" in load_templates("en", root)[1][0].message
    shutil.rmtree(tmp_path / "locales")
    root = write_pack(tmp_path, "language: en\nintents: [\n")
    problem = load_templates("en", root)[1][0]
    assert problem.format().startswith("locales/voice/en.yaml:") and "YAML syntax" in problem.message


def test_no_space_languages_ignore_spacing() -> None:
    zh, ko = matcher_for("zh-Hans"), matcher_for("ko")
    assert zh.recognize("我 需要 帮助").intent == zh.recognize("我需要帮助").intent == "help"
    assert ko.recognize("도움이필요해요").intent == ko.recognize("도움이 필요 해요").intent == "help"
    assert normalize("你好，我需要帮助！", "zh-Hans") == "你好我需要帮助"


def test_labels_are_passed_at_recognition_time() -> None:
    m = matcher_for("en")
    assert m.recognize("Food and water").intent is None
    r = m.recognize("food and water", ["Sleep", "Food and water (free)"])
    assert (r.intent, r.slots, r.score) == ("choose", {"option": "2"}, 1.0)
    phrases = {p.spoken for p in m.phrases(["Sleep"])}
    assert "sleep" in phrases and "sleep" not in {p.spoken for p in m.phrases()}


def test_fuzzy_score_is_the_similarity() -> None:
    m = matcher_for("en")
    exact = m.recognize("call the hotline")
    near = m.recognize("call the hotlin")
    far = m.recognize("the weather is nice today")
    assert exact.score == 1.0 and exact.intent == "hotline"
    assert near.intent == "hotline" and 0.8 <= near.score < 1.0 and near.sentence == "call the hotline"
    assert far.intent is None and far.score < 0.8


def run_kiosk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk.cli", *args], capture_output=True,
                          text=True, timeout=60, cwd=ROOT)


def test_kiosk_intent_prints_exactly_the_contract() -> None:
    r = run_kiosk("intent", "--lang", "es", "necesito", "ayuda")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"intent": "help", "score": 1.0, "slots": {}}
    r = run_kiosk("intent", "--lang", "en", "--options", "Sleep|Food", "option", "2")
    assert json.loads(r.stdout) == {"intent": "choose", "score": 1.0, "slots": {"option": "2"}}
    r = run_kiosk("intent", "--lang", "en", "what time is it")
    out = json.loads(r.stdout)
    assert out["intent"] is None and 0 <= out["score"] < 0.8 and out["slots"] == {}


def test_kiosk_intent_bad_language_is_a_message_not_a_traceback() -> None:
    r = run_kiosk("intent", "--lang", "xx", "help")
    assert r.returncode == 2 and r.stderr.startswith("kiosk: unknown language 'xx'")
    assert "Traceback" not in r.stderr


def test_kiosk_intent_imports_nothing_heavy() -> None:
    code = ("import sys; from kiosk.cli import main; main(['intent', '--lang', 'en', 'help']); "
            "heavy = [m for m in ('vosk', 'sounddevice', 'numpy', 'pyttsx3', 'kivy') if m in sys.modules];"
            "print(heavy)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().endswith("[]"), r.stdout


def test_matcher_builds_from_templates_object() -> None:
    templates, _ = load_templates("fr")
    assert templates is not None
    m = IntentMatcher(templates, languages=("fr", "en"))
    assert m.recognize("anglais").slots == {"language": "en"}
    assert m.recognize("espagnol").intent is None or m.recognize("espagnol").score < 1.0

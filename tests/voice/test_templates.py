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
    """Each language can be named in the visitor's language (the voice file says
    how) and by its own name (the pack's `ui.language_name`, what the language
    picker shows), whatever CLDR release babel brings: CLDR only adds names."""
    from voice.intents import own_name
    for lang in LANGUAGES:
        m = matcher_for(lang)
        pack_only = dict(language_values(m.templates, cldr=False))
        with_cldr = dict(language_values(m.templates))
        for tag in LANGUAGES:
            named = {spoken for spoken, t in pack_only.items() if t == tag}
            own = normalize(own_name(tag) or "", lang)
            assert own in {normalize(n, lang) for n in named}, f"{lang}: {tag} not reachable by its own name"
            in_file = m.templates.language_names.get(tag, ())
            assert in_file or lang == tag, f"{lang}: the voice file gives no name for {tag}"
            for spoken in named:  # CLDR never takes a name away or gives it to another language
                assert with_cldr[spoken] == tag, (lang, spoken, with_cldr[spoken], tag)
            for name in (*in_file, own_name(tag) or ""):
                if name and "(" not in name:
                    r = m.recognize(name)
                    assert (r.intent, r.slots.get("language")) == ("change_language", tag), (lang, name, r)


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


@pytest.mark.parametrize("lang, text, intent", [
    ("en", "please i really need help", "help"),  # filler and a command inside a longer sentence
    ("en", "i don't need help", None),  # negation guard
    ("en", "please don't call the police", None),
    ("en", "no, not that one", "no"),  # made only of "no" sentences
    ("en", "my back hurts", None),  # a short command word is taken only whole
    ("en", "how long is the wait in the emergency room", None),  # a word group that is no command
    ("en", "hello there", None),  # "there" is not "three": short words need a near-exact snap
    ("es", "cállese", "stop"),
    ("es", "necesito una ambulancia", "emergency"),
    ("es", "callese", "stop"),  # accents are optional in Latin-script languages
    ("ht", "soti", "exit"),
    ("ht", "sòti", "exit"),
    ("vi", "toi can giup do", "help"),  # Vietnamese typed without tones
    ("ru", "нет, не это", "no"),
    ("ru", "закройте", "exit"),
    ("ko", "닫아 주세요", "exit"),
    ("zh-Hans", "我想打热线", "hotline"),
    ("zh-Hans", "我不需要帮助", None),
    ("zh-Hant", "快啲叫差人", "emergency"),  # Cantonese phrasing
    ("zh-Hans", "我妈妈说西班牙语", None),  # someone else's language is no request
    ("ar", "اتصلي بالشرطة", "emergency"),  # a prefix written onto the word
])
def test_matching_generalises(lang: str, text: str, intent: str | None) -> None:
    assert matcher_for(lang).recognize(text).intent == intent


def test_a_command_inside_a_sentence_is_never_exact() -> None:
    r = matcher_for("en").recognize("i think i need help with something")
    assert r.intent == "help" and r.score < 1.0 and r.sentence  # voice.policy asks first


def test_two_commands_in_one_sentence_are_rivals() -> None:
    r = matcher_for("en").recognize("go back to the main menu or call the police")
    assert r.intent is None or r.rivals


@pytest.mark.parametrize("lang, text, option", [
    ("en", "the second one", "2"), ("es", "la opcion 4", "4"), ("zh-Hans", "二号", "2"),
    ("tl", "pangalawa", "2"), ("ru", "первый вариант", "1"), ("ko", "세 번째 거요", "3"),
])
def test_number_words_and_ordinals(lang: str, text: str, option: str) -> None:
    r = matcher_for(lang).recognize(text)
    assert (r.intent, r.slots.get("option")) == ("choose", option)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_off_topic_words_are_no_command(lang: str) -> None:
    """The recogniser's way out must not be a command itself."""
    m = matcher_for(lang)
    for word in m.templates.off_topic:
        assert m.exact(word) is None, f"{lang}: off-topic word {word!r} is a command"

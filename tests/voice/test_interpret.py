"""voice.pipeline.interpret: choosing among the recogniser's alternatives.

Transcripts are built by hand here so each rule is seen on its own; the real
Vosk worker drives the same function in test_asr_korean.py.
"""

from __future__ import annotations

from voice.asr import Alternative, Transcript, parse_result
from voice.intents import matcher_for
from voice.pipeline import LATTICE_BEAM, interpret
from voice.policy import Context, decide

KO = matcher_for("ko")
NONE_OPEN = Context(asking=False, node="start")


def transcript(*alternatives: tuple[str, float], filler: float | None = None) -> Transcript:
    alts = tuple(Alternative(text, conf) for text, conf in alternatives)
    return Transcript(alts[0].text, alts, filler)


def test_a_clear_command_acts() -> None:
    heard = interpret(transcript(("도움이 필요 해요", 180.0), filler=150.0), KO, ())
    assert (heard.intent, heard.score, heard.margin, heard.rivals) == ("help", 1.0, 1.0, ())
    assert heard.sentence == "도움이 필요 해요" and decide(heard, NONE_OPEN) == "act"


def test_a_word_salad_of_allowed_words_is_not_taken() -> None:
    heard = interpret(transcript(("로 바꿔 주세요", 130.0)), KO, ())
    assert heard.intent is None and decide(heard, NONE_OPEN) == "drop"


def test_a_lower_alternative_is_taken_only_as_a_doubt() -> None:
    heard = interpret(transcript(("상황 아니오", 128.1), ("핫라인", 127.0)), KO, ())
    assert heard.intent == "hotline" and heard.margin == 0.0
    assert decide(heard, NONE_OPEN) == "ask"


def test_a_close_alternative_meaning_something_else_narrows_the_margin() -> None:
    heard = interpret(transcript(("끝내기", 199.2), ("중지", 198.6)), KO, ())
    assert heard.intent == "exit" and heard.rivals == ("stop",)
    assert heard.margin == (199.2 - 198.6) / LATTICE_BEAM
    assert decide(heard, NONE_OPEN) == "drop"  # a doubtful exit is dropped, never asked


def test_an_exit_heard_beside_an_emergency_request_is_dropped() -> None:
    heard = interpret(transcript(("나가기", 140.0), ("응급 상황", 136.0)), KO, ())
    assert heard.intent == "exit" and "emergency" in heard.rivals
    assert decide(heard, NONE_OPEN) == "drop"


def test_the_filler_model_standing_close_makes_it_doubtful() -> None:
    heard = interpret(transcript(("러시아어", 197.6), filler=196.3), KO, ())
    assert heard.intent == "change_language" and heard.margin < 0.2
    assert decide(heard, NONE_OPEN) == "ask"  # a language change asks unless clear


def test_vosk_results_with_and_without_alternatives_parse() -> None:
    with_alts = parse_result('{"alternatives": [{"text": "네", "confidence": 124.8, '
                             '"result": [{"word": "네", "start": 0.3, "end": 0.8}]}, '
                             '{"text": "", "confidence": 124.7}]}')
    assert with_alts.text == "네" and len(with_alts.alternatives) == 2
    assert with_alts.words[0].start == 0.3 and with_alts.alternatives[1].text == ""
    plain = parse_result('{"text": "네", "result": [{"word": "네", "start": 0.1, "end": 0.5, "conf": 1.0}]}')
    assert plain.text == "네" and plain.words[0].end == 0.5
    assert parse_result("not json").text == ""

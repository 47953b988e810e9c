"""End to end with the real Vosk engine and the test-only Korean model.

Korean commands and off-topic sentences are synthesised with espeak-ng at
several voices, speeds and noise levels, all in memory, and fed through
WavSource: the same pipeline the microphone uses, then voice.policy's decision.
espeak-ng's Korean is far from a human voice (this model was trained on human
speech and transcribes it freely almost never right), so these clips say
little about accuracy with real speakers; they show how the design behaves
when recognition is poor, which is exactly when it must not act. The bar is
therefore safety, not accuracy: no wrong action without asking (quick exit and
language changes included), no action on off-topic speech, nothing but asking
or dropping for an emergency request. The counts per condition (right, asked,
dropped, wrong without asking) are printed in the run's summary.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.voice.speech_data import mix, noise_pcm, silence_pad, speak_pcm, wav_bytes
from voice.asr import AsrError, Recognizer
from voice.audio import WavSource
from voice.intents import matcher_for
from voice.pipeline import hear, model_vocabulary
from voice.policy import Context, decide

pytestmark = [pytest.mark.voice, pytest.mark.slow]

OPTIONS = ["위험 신호", "전화 하면 어떻게 되나요", "당신의 권리"]
PHRASES = [
    ("도움이 필요해요", "help"), ("살려 주세요", "help"), ("핫라인", "hotline"),
    ("상담 전화", "hotline"), ("응급 상황", "emergency"), ("경찰 불러 주세요", "emergency"),
    ("응급 상황이에요", "emergency"),
    ("스페인어", "change_language"), ("영어로 바꿔 주세요", "change_language"),
    ("다시 말해 주세요", "repeat"), ("뒤로", "back"), ("처음으로", "home"), ("나가기", "exit"),
    ("종료", "exit"), ("네", "yes"), ("아니요", "no"), ("그만", "stop"), ("이번", "choose"),
    ("세번째", "choose"), ("위험 신호", "choose"),
]
NEGATIVES = ["오늘 날씨가 좋네요", "지금 몇 시예요", "화장실이 어디예요", "감사합니다", "배가 아파요",
             "이거 뭐예요", "물 좀 주세요", "의사 선생님 언제 와요"]
VOICE = "ko+f3"  # espeak-ng's Korean variant this model hears best
# (espeak-ng voice, words per minute, SNR in dB or None for a quiet room)
CONDITIONS = [("ko+f3", 120, None), ("ko+f3", 160, None), ("ko", 140, 15.0), ("ko+m3", 130, None),
              ("ko+f2", 150, 10.0)]


@dataclass
class Counts:
    right: int = 0  # the right command, acted on
    asked: int = 0  # "Did you mean ...?" (right or wrong: the visitor decides)
    dropped: int = 0  # nothing done: the visitor tries again
    wrong: int = 0  # a wrong command acted on without asking: must stay 0
    off_topic_acted: int = 0  # must stay 0


# label -> counts: printed by tests/voice/conftest.py's terminal summary.
END_TO_END: dict[str, Counts] = {}


def run_conditions(recognizer: Recognizer, model: Path,
                   conditions: list[tuple[str, int, float | None]] = CONDITIONS) -> tuple[dict[str, Counts], list[str]]:
    """Every phrase and negative under every condition; what went wrong, said plainly."""
    matcher = matcher_for("ko")
    vocab = model_vocabulary(model)
    noise = noise_pcm(8.0)
    results: dict[str, Counts] = {}
    problems: list[str] = []
    for voice, wpm, snr in conditions:
        label = f"{voice} {wpm} wpm " + (f"noise {snr:.0f} dB" if snr else "quiet")
        counts = results.setdefault(label, Counts())
        for text, intent in [*PHRASES, *((t, None) for t in NEGATIVES)]:
            speech = speak_pcm(text, voice, wpm)
            pcm = mix(speech, noise, snr) if snr else silence_pad(speech)
            heard = hear(WavSource(wav_bytes(pcm)), recognizer, matcher, OPTIONS, vocab)
            # An answer is heard while its question is open; anything else with none open.
            ctx = Context(asking=intent in ("yes", "no"), node="start", emergency=intent == "emergency")
            decision = decide(heard, ctx)
            seen = f"{label}: {text!r} -> {heard.text!r} ({heard.intent}, margin {heard.margin:.2f}, " \
                   f"rivals {heard.rivals}): {decision}"
            if intent is None:
                if decision == "act":
                    counts.off_topic_acted += 1
                    problems.append("off-topic acted on: " + seen)
                continue
            if decision == "act" and heard.intent == intent:
                counts.right += 1
            elif decision == "act":
                counts.wrong += 1
                problems.append("wrong without asking: " + seen)
            elif decision == "ask":
                counts.asked += 1
            else:
                counts.dropped += 1
            if intent == "emergency" and heard.intent == "exit" and decision != "drop":
                problems.append("an emergency request became an exit: " + seen)
    return results, problems


def test_no_wrong_action_without_asking(ko_model: Path, ko_recognizer: Recognizer) -> None:
    results, problems = run_conditions(ko_recognizer, ko_model)
    END_TO_END.update(results)
    assert not problems, "\n".join(problems)
    assert sum(c.right + c.asked for c in results.values()) > 0, "nothing was ever understood"


def test_clear_answers_are_not_questioned(ko_model: Path, ko_recognizer: Recognizer) -> None:
    heard = hear(WavSource(wav_bytes(silence_pad(speak_pcm("아니요", VOICE, 140))), realtime=False),
                 ko_recognizer, matcher_for("ko"), (), model_vocabulary(ko_model))
    assert heard.intent == "no" and heard.score == 1.0
    assert heard.speech_seconds > 1.0 and heard.latency >= 0


def test_silence_gives_nothing(ko_model: Path, ko_recognizer: Recognizer) -> None:
    heard = hear(WavSource(wav_bytes(silence_pad(b"", 1.0, 1.0))), ko_recognizer, matcher_for("ko"))
    assert heard.intent is None and not heard.confirm


def test_a_crash_in_the_engine_leaves_the_kiosk_standing(ko_model: Path, ko_recognizer: Recognizer) -> None:
    first = ko_recognizer.load("ko", ko_model)
    assert ko_recognizer.load("ko", ko_model).pid == first.pid  # loaded once, kept
    ko_recognizer._send(("crash",))  # Kaldi aborting, as far as the parent can tell
    with pytest.raises(AsrError, match="stopped"):
        ko_recognizer.finish()
    assert not ko_recognizer.alive()
    again = ko_recognizer.load("ko", ko_model)  # the next tap loads it afresh
    assert again.pid != first.pid and again.grammar
    heard = hear(WavSource(wav_bytes(silence_pad(speak_pcm("네", VOICE, 140)))), ko_recognizer,
                 matcher_for("ko"), (), model_vocabulary(ko_model))
    assert heard.error is None


def test_a_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(AsrError, match="not a Vosk model folder"):
        Recognizer().load("ko", tmp_path)

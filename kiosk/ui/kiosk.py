"""Kivy's side of the kiosk: touches, keys and the clock in; a `Screen` painted out.

Import only after kiosk.ui.env.configure_kivy (this module imports Kivy).
Everything that decides what is on the glass (overlays, the language list,
the QR warning, "Did you mean ...?", the services filters, the idle
countdown) is the screen controller's (kiosk.screen.Controller). A `Kiosk`
turns what the visitor does into the controller's events, carries out the
effects it asks for (speak, stop, open or close the microphone) and paints
each `Screen` it returns: the whole page when the page changed, only the
header when only Speak changed, only the stage when only the overlay changed,
only the countdown's text when only the countdown changed.

One `Kiosk` draws into the window; the App (`LanternApp`) wraps it for
`run_kiosk`, and tests and previews attach a `Kiosk` to the window directly.
"""

from __future__ import annotations

import dataclasses
import time
from datetime import datetime
from typing import Callable

from kivy.app import App
from kivy.base import EventLoop
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.metrics import Metrics
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from kiosk.content.model import Pack
from kiosk.screen import (Answer, AskQr, ChooseFilter, CloseOverlay, Controller, Effect, Forget, Input,
                          Listen, OpenLanguages, Overlay, PrepareVoice, ReadAloud, Say, SayNumber, Screen,
                          ShowQr, Silence, Speak, Stay, StopListening)
from kiosk.services_view import Query, ServicesState
from kiosk.session import Back, Choose, GoTo, Home, QuickExit, Session, SessionSummary, SetLanguage, Tick, Touch
from kiosk.speech import Listener, Speaker
from kiosk.ui.admin_ui import AdminConfig, AdminMode
from kiosk.ui.gestures import PressGate, ThreeFingerTap
from kiosk.ui.look import Actions, Look
from kiosk.ui.memory import freeze_startup_heap, hold_collection_until_drawn
from kiosk.ui.png import encode_png
from kiosk.ui.screens import (CountdownBanner, Header, build_header, build_page, language_picker, page_frame,
                               primary_bar_height, qr_codes, qr_warning)
from kiosk.ui.services_ui import ServicesActions, services_page
from kiosk.ui.speaker_note import SpeakerNotice, speaker_note
from kiosk.ui.text import fonts_for
from kiosk.ui.theme import PALETTE, rgba, sizes_for
from kiosk.ui.voice_ui import VoiceUi, did_you_mean, speak_strip
from kiosk.ui.warm import warm_languages_soon
from kiosk.ui.widgets import Backdrop
from kiosk.view import View, language_choices

WINDOW_TITLE = "Health information"  # what a taskbar or task switcher would show
KEY_ESCAPE, KEY_F1, KEY_F4, KEY_F12 = 27, 282, 285, 293
QUICK_EXIT_KEYS = frozenset({KEY_ESCAPE, KEY_F12})  # F12: a facility's physical button


class KioskRoot(Backdrop):
    """The window's only child: the header strip above the stage (page or overlay)."""

    def __init__(self, kiosk: "Kiosk") -> None:
        super().__init__(orientation="vertical")
        self.kiosk = kiosk

    def on_touch_down(self, touch):  # noqa: ANN001, ANN201 - Kivy's signature
        if self.kiosk.intercept_touch(touch):
            return True
        return super().on_touch_down(touch)

    def on_touch_up(self, touch):  # noqa: ANN001, ANN201 - Kivy's signature
        self.kiosk.fingers.up(touch.uid)  # a lifted finger is no longer one of three
        return super().on_touch_up(touch)


class Kiosk:
    """One kiosk on the window: its controller, the Screen drawn now and the widgets drawn for it."""

    def __init__(self, session: Session, *, clock: Callable[[], float] = time.monotonic,
                 speaker: Speaker | None = None, directory: Query | None = None,
                 now: Callable[[], datetime] | None = None, listener: Listener | None = None,
                 admin: AdminConfig | None = None) -> None:
        self.session = session
        self.clock = clock
        self.speaker = speaker
        self.controller = Controller(session, directory=directory, now=now, speaks=speaker is not None,
                                     listens=listener.available if listener is not None else None)
        # Push-to-talk: the microphone side of Speak (voice_ui.py); None without a listener.
        self.voice = VoiceUi(listener, self.send, self.controller) if listener is not None else None
        self._hushed = False  # this touch silenced read-aloud (so Read aloud does not restart it)
        self.speaker_notice = SpeakerNotice()  # "people nearby may hear": once a visit, no headphones
        self.root = KioskRoot(self)
        self.screen: Screen | None = None  # what is painted now
        self.generation = 0  # bumps on every rebuild: taps on old widgets are ignored
        # The header is drawn again only when what it shows changes (most taps keep it);
        # its own numbers count down, so they never equal a page's generation.
        self.header_generation = 0
        self._header_key: tuple[object, ...] | None = None
        self.gate = PressGate()
        self.fingers = ThreeFingerTap()
        self.admin = AdminMode(self, admin)  # hidden admin mode: its gesture, PIN and screen (admin_ui.py)
        self.header: Header | None = None
        self.page: Widget | None = None  # the page's ScrollView
        self.page_frame: Widget | None = None  # the page, its "More below" sign and the primary bar
        self.overlay_widget: Widget | None = None
        self.strip: Widget | None = None  # portrait only: Speak's own strip under the page
        self.banner: CountdownBanner | None = None  # the idle countdown with Stay, in the last seconds
        self.stage = BoxLayout()
        self.rebuilds = 0
        self._timer = None
        self._resize = Clock.create_trigger(lambda dt: self.rebuild(), 0)
        self._attached = False

    # --- what is on the glass ----------------------------------------------------------
    @property
    def view(self) -> View | None:
        return self.screen.view if self.screen is not None else None

    @property
    def overlay(self) -> str | None:
        """"languages", "qr_warning", "qr", "did_you_mean" while one covers the page."""
        return self.screen.overlay_kind if self.screen is not None else None

    @property
    def services(self) -> ServicesState:
        return self.controller.services

    # --- life cycle --------------------------------------------------------
    def attach(self) -> None:
        """Put the kiosk on the window and start listening to it."""
        Window.clearcolor = rgba(PALETTE.background)
        Window.allow_screensaver = False  # the screen stays awake
        Window.add_widget(self.root)
        Window.bind(on_keyboard=self._on_keyboard, on_request_close=self._on_request_close,
                    size=self._on_window_size)
        self._timer = Clock.schedule_interval(self._on_timer, 1.0)
        self._attached = True
        self.admin.attach()
        self.paint(self.controller.screen)
        # The first switch into a language need not open its fonts (kiosk.ui.warm).
        warm_languages_soon(self.session.pack.manifest.languages, lambda: self.look().sizes)

    def use_voice(self, speaker: Speaker | None, listener: Listener | None) -> None:
        """Speech that became ready after the first screen (kiosk.ui.device starts it then)."""
        self.speaker = speaker
        old = self.voice
        self.voice = VoiceUi(listener, self.send, self.controller) if listener is not None else None
        if old is not None:
            old.stop()
        screen = self.controller.use_voice(speaker is not None,
                                           listener.available if listener is not None else None)
        self._carry_out(self.controller.effects)
        if self._attached and not self.admin.active:
            self.paint(screen)  # Read aloud and Speak appear on the screen showing now

    def detach(self) -> None:
        if not self._attached:
            return
        self._attached = False
        self.admin.detach()
        if self._timer is not None:
            self._timer.cancel()
        self._resize.cancel()
        Window.unbind(on_keyboard=self._on_keyboard, on_request_close=self._on_request_close,
                      size=self._on_window_size)
        Window.remove_widget(self.root)
        if self.voice is not None:
            self.voice.stop()
        if self.speaker is not None:
            self.speaker.stop()

    # --- events into the controller ---------------------------------------------------
    def send(self, event: Input) -> View:
        """One event: the controller decides, its effects are carried out, the Screen is painted."""
        screen = self.controller.handle(event)
        self._carry_out(self.controller.effects)
        self.paint(screen)
        return screen.view

    def quick_exit(self) -> None:
        if self.admin.active:
            self.admin.leave()  # Escape or F12 over admin: back to the neutral screen
            return
        self.fingers.reset()
        self.send(QuickExit())

    def forget_visit(self) -> None:
        """Staff took over (admin mode): the visit ends uncounted, drawn afresh."""
        self.fingers.reset()
        screen = self.controller.handle(Forget())
        self._carry_out(self.controller.effects)
        self.screen = screen
        self.rebuild()  # retiring the old widgets: a tap already under way does nothing

    def _on_timer(self, _dt: float) -> None:
        self.send(Tick())

    def _carry_out(self, effects: list[Effect]) -> None:
        for effect in effects:
            match effect:
                case Silence():
                    if self.speaker is not None:
                        self.speaker.stop()
                case Say(sentences, language, quiet):
                    if self.speaker is not None:
                        self.speaker.say(sentences, language, quiet=quiet)
                case Listen() | StopListening() | PrepareVoice():
                    if self.voice is not None:
                        self.voice.carry_out(effect)

    # --- a Screen into widgets ---------------------------------------------------------
    def paint(self, screen: Screen) -> None:
        """Draw what changed between the Screen painted and this one, and only that."""
        old, self.screen = self.screen, screen
        if old is None or self.header is None or not screen.same_page(old):
            self.rebuild()
            return
        if screen.header != old.header:
            self.redraw_header()
        if screen.countdown != old.countdown:
            self._show_countdown(screen)
        if screen.overlay != old.overlay:
            self._show_overlay(screen.overlay)

    def look(self) -> Look:
        assert self.view is not None
        width, height = int(Window.width), int(Window.height)
        return Look(sizes=sizes_for(Metrics.dpi, width, height), fonts=fonts_for(self.view.language),
                    width=width, height=height, pack_root=self.session.pack.root,
                    languages=language_choices(self.session.pack))

    def rebuild(self) -> None:
        """Draw the current Screen from scratch (it changed, or the window did)."""
        screen = self.screen
        if screen is None:
            return
        self.generation += 1
        self.rebuilds += 1
        self.gate.close(self.clock())
        hold_collection_until_drawn()  # the old tree is freed after the new one is on screen
        if not self.session.active:
            self.speaker_notice.new_visit()  # back on the neutral screen with nobody's visit
        view, look, actions = screen.view, self.look(), self._actions(self.generation)
        header_key = (view.language, view.neutral, screen.header, look.width, look.height)
        if self.header is None or header_key != self._header_key:
            self.header_generation -= 1
            self.header = build_header(view, look, self._actions(self.header_generation),
                                       show_home=screen.header.home, listening=screen.header.listening,
                                       show_back=screen.header.back)
            self._header_key = header_key
        # The page is laid out for the height it really has: above the primary bar, if any.
        page_look = look if screen.primary is None else \
            dataclasses.replace(look, height=look.height - primary_bar_height(look))
        self.page = (services_page(view, page_look, actions, self._services_actions(self.generation))
                     if view.services is not None else build_page(view, page_look, actions))
        self.page_frame = page_frame(self.page, view, look, screen.primary, actions.go)
        self.overlay_widget = None
        self.root.clear_widgets()
        self.stage = BoxLayout()
        self.stage.add_widget(self.page_frame)
        self.root.add_widget(self.header.widget)
        self.root.add_widget(self.stage)
        self.banner = None
        self._place_strip(look, actions)
        self._show_countdown(screen)
        if screen.overlay is not None:
            self._show_overlay(screen.overlay)

    def redraw_header(self) -> None:
        """Only the header changed (Speak, Read aloud): the page keeps its place."""
        if self.screen is None or self.header is None:
            return
        self.gate.close(self.clock())
        old = self.header.widget
        look, actions = self.look(), self._actions(self.generation)
        self.header_generation -= 1
        self._header_key = (self.screen.view.language, self.screen.view.neutral, self.screen.header,
                            look.width, look.height)
        self.header = build_header(self.screen.view, look, self._actions(self.header_generation),
                                   show_home=self.screen.header.home, listening=self.screen.header.listening,
                                   show_back=self.screen.header.back)
        self.root.remove_widget(old)
        self.root.add_widget(self.header.widget, index=len(self.root.children))  # back on top
        self._place_strip(look, actions)

    def _place_strip(self, look: Look, actions: Actions) -> None:
        """(Re)draw Speak's strip at the bottom in portrait, where the header has no room."""
        assert self.screen is not None
        if self.strip is not None and self.strip.parent is not None:
            self.strip.parent.remove_widget(self.strip)
        self.strip = speak_strip(self.screen.view, look, actions.speak, self.screen.header.listening)
        if self.strip is not None:
            self.root.add_widget(self.strip)  # last in a vertical box: the bottom

    def _show_countdown(self, screen: Screen) -> None:
        """The idle banner under the stage in the last seconds (above Speak's strip), or gone."""
        if screen.countdown is None:
            if self.banner is not None:
                self.root.remove_widget(self.banner)
                self.banner = None
            return
        if self.banner is not None:
            self.banner.show(screen.view)  # only the seconds changed
            return
        self.banner = CountdownBanner(screen.view, self.look(), self._actions(self.generation).stay)
        self.root.add_widget(self.banner, index=1 if self.strip is not None else 0)

    def _show_overlay(self, overlay: Overlay | None) -> None:
        """Cover the page (language list, QR, the question) or uncover it; the header, with Close, stays."""
        self.gate.close(self.clock())
        widget = self._overlay_widget(overlay) if overlay is not None else None
        self.overlay_widget = widget
        self.stage.clear_widgets()
        self.stage.add_widget(widget if widget is not None else self.page_frame)

    def _overlay_widget(self, overlay: Overlay) -> Widget:
        assert self.view is not None
        view, look, actions = self.view, self.look(), self._actions(self.generation)
        match overlay.kind:
            case "languages":
                return language_picker(view, look, actions, overlay.languages)
            case "qr_warning":
                assert overlay.contact is not None
                return qr_warning(overlay.contact, view, look, actions)
            case "qr":
                assert overlay.contact is not None
                return qr_codes(overlay.contact, view, look, actions)
            case "did_you_mean":
                return did_you_mean(overlay.question or "", view, look, yes=actions.answer_yes,
                                    no=actions.answer_no)

    # --- the actions a build's widgets call --------------------------------
    def _guard(self, generation: int) -> Callable[[Callable[..., None]], Callable[..., None]]:
        def guarded(fn: Callable[..., None]) -> Callable[..., None]:
            def run(*args: object) -> None:
                # A tap that began on a screen that is gone, or right after a
                # navigation (a touch reported twice), does nothing.
                if generation not in (self.generation, self.header_generation) or \
                        not self.gate.is_open(self.clock()):
                    return
                fn(*args)
            return run
        return guarded

    def _actions(self, generation: int) -> Actions:
        guarded, send = self._guard(generation), self.send
        header = self.screen.header if self.screen is not None else None
        return Actions(
            choose=guarded(lambda n: send(Choose(n))),
            back=guarded(lambda: send(Back())),
            home=guarded(lambda: send(Home())),
            go=guarded(lambda node_id: send(GoTo(node_id))),
            stay=lambda: send(Stay()),  # never gated: the seconds are running out
            quick_exit=self.quick_exit,  # never gated: leaving must always work
            open_languages=guarded(lambda: send(OpenLanguages())),
            set_language=guarded(lambda tag: send(SetLanguage(tag))),
            close_overlay=guarded(lambda: send(CloseOverlay())),
            read_aloud=guarded(self._read_aloud) if header is not None and header.read_aloud else None,
            say_number=guarded(lambda c: send(SayNumber(c.id))) if self.speaker is not None else None,
            ask_qr=guarded(lambda c: send(AskQr(c.id))),
            show_qr=guarded(lambda c: send(ShowQr(c.id))),
            speak=guarded(lambda: send(Speak())) if header is not None and header.speak else None,
            answer_yes=guarded(lambda: send(Answer(True))),
            answer_no=guarded(lambda: send(Answer(False))),
        )

    def _services_actions(self, generation: int) -> ServicesActions:
        guarded, send = self._guard(generation), self.send

        def change(name: str, value: object) -> None:
            if generation != self.generation:
                return  # a chip on a page that is gone (the header's generation never counts here)
            send(ChooseFilter(name, value))  # type: ignore[arg-type]

        return ServicesActions(category=guarded(lambda c: change("category", c)),
                               language=guarded(lambda t: change("language", t)),
                               open_now=guarded(lambda on: change("open_now", on)))

    def _read_aloud(self) -> None:
        assert self.speaker is not None
        stopping = self.speaker.speaking() or self._hushed
        view = self.send(ReadAloud(speaking=stopping))
        if not stopping and self.speaker_notice.due():  # under the header, until the next screen
            self.root.add_widget(speaker_note(view.ui["others_may_hear"], self.look()),
                                 index=len(self.root.children) - 1)

    # --- input ---------------------------------------------------------------
    def intercept_touch(self, touch) -> bool:  # noqa: ANN001 - a Kivy MotionEvent
        """Runs before any widget sees a touch. True: the touch is consumed here."""
        if self.speaker is not None:
            # Any touch silences read-aloud at once, before anything handles it.
            self._hushed = self.speaker.speaking()
            self.speaker.stop()
        if touch.is_mouse_scrolling:
            self.send(Touch())
            return False
        now = self.clock()
        if self.fingers.down(now, touch.x, touch.y, touch.uid):
            rebuilds = self.rebuilds
            self.quick_exit()
            if self.rebuilds == rebuilds:
                # Stayed put (the neutral screen): the first two fingers may rest on tiles, and
                # lifting them must not open anything (e.g. the help entry). A fresh drawing
                # leaves their presses on widgets that no longer act.
                self.rebuild()
            return True
        exit_button = self.header.exit_button if self.header is not None else None
        if exit_button is not None and exit_button.collide_point(*touch.pos):
            return False  # Close always works, even right after a navigation
        if self.banner is not None and self.banner.collide_point(*touch.pos):
            self.send(Stay())  # the whole countdown banner is its Stay button: a near miss still stays
            return True
        if not self.gate.is_open(now):
            return True
        self.send(Touch())  # any touch keeps the visitor's session alive
        return False

    def _on_keyboard(self, _window, key: int, _scancode=None, _codepoint=None, modifiers=None, *_a) -> bool:  # noqa: ANN001
        if key in QUICK_EXIT_KEYS:
            self.quick_exit()
        # Every key stops here: no Escape-to-quit, no F1 settings, no Alt+F4, no inspector.
        return True

    def _on_request_close(self, *_args: object, **_kwargs: object) -> bool:
        return True  # a window-close request (Alt+F4, the window manager) never closes the kiosk

    def _on_window_size(self, *_args: object) -> None:
        self._resize()


# --- running it ----------------------------------------------------------------

class LanternApp(App):
    """The Kivy App for `run_kiosk`: full screen, locked down, one Kiosk."""

    title = WINDOW_TITLE
    use_kivy_settings = False
    exit_code = 0  # what run_kiosk returns; admin's Restart and Leave set it (admin_status.py)

    def __init__(self, pack: Pack, *, clock: Callable[[], float], speaker: Speaker | None,
                 on_session_end: Callable[[SessionSummary], None] | None,
                 on_first_frame: Callable[[], None] | None, directory: Query | None = None,
                 listener: Listener | None = None) -> None:
        super().__init__()
        self.session = Session(pack, clock=clock, on_end=on_session_end)
        self.kiosk = Kiosk(self.session, clock=clock, speaker=speaker, directory=directory,
                           listener=listener)
        self._on_first_frame = on_first_frame

    def build(self) -> Widget:
        # The root goes on the window in on_start (Kiosk.attach), after Kivy's own bindings.
        return Widget(size_hint=(0, 0), opacity=0)

    def on_start(self) -> None:
        self.kiosk.attach()
        callback = self._on_first_frame

        def first_flip(*_: object) -> None:
            Window.unbind(on_flip=first_flip)
            # Modules, pack and fonts live as long as the process; the full collection
            # this takes waits until the first screen is on the glass (kiosk.ui.memory).
            Clock.schedule_once(lambda _dt: freeze_startup_heap(), 0)
            if callback is not None:
                callback()
        Window.bind(on_flip=first_flip)

    def on_stop(self) -> None:
        self.kiosk.detach()

    def quit_with(self, code: int) -> None:
        self.exit_code = code
        self.stop()

    def open_settings(self, *_args: object) -> bool:
        return False  # Kivy's settings panel never opens on a kiosk

    def _install_settings_keys(self, window) -> None:  # noqa: ANN001 - Kivy's hook
        pass  # no F1 settings key


def settle(frames: int = 8) -> None:
    """Run Kivy's loop a few frames so layouts settle and the canvas is drawn."""
    for _ in range(frames):
        EventLoop.idle()


def window_pixels() -> tuple[int, int, bytes]:
    """The window as drawn now: (width, height, RGB rows bottom first). Stays in memory."""
    from kivy.graphics.opengl import (GL_PACK_ALIGNMENT, GL_RGB, GL_UNSIGNED_BYTE, glPixelStorei,
                                      glReadPixels)
    Window.dispatch("on_draw")
    width, height = int(Window.width), int(Window.height)
    glPixelStorei(GL_PACK_ALIGNMENT, 1)
    data = glReadPixels(0, 0, width, height, GL_RGB, GL_UNSIGNED_BYTE)
    return width, height, bytes(data)


def window_png() -> bytes:
    width, height, data = window_pixels()
    return encode_png(width, height, data, bottom_up=True)

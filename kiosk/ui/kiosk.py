"""The controller: turns touches, keys and the clock into session events, and views into widgets.

Import only after kiosk.ui.env.configure_kivy (this module imports Kivy).
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

from kiosk.session import (Back, Choose, Event, Home, QuickExit, Session, SessionSummary, SetLanguage,
                           Tick, Touch)
from kiosk.content.model import Pack
from kiosk.speech import Listener, Speaker
from kiosk.ui.admin_ui import AdminConfig, AdminMode
from kiosk.ui.gestures import PressGate, ThreeFingerTap
from kiosk.ui.memory import freeze_startup_heap, hold_collection_until_drawn
from kiosk.ui.warm import warm_languages_soon
from kiosk.ui.png import encode_png
from kiosk.ui.services_ui import ServicesState, services_actions, services_page
from kiosk.services_view import Query
from kiosk.ui.screens import (Actions, Header, Look, build_header, build_page, countdown_text,
                              language_picker, qr_codes, qr_warning)
from kiosk.ui.text import fonts_for
from kiosk.ui.theme import PALETTE, rgba, sizes_for
from kiosk.ui.voice_ui import VoiceUi
from kiosk.ui.widgets import Backdrop
from kiosk.view import ContactView, View

WINDOW_TITLE = "Health information"  # what a taskbar or task switcher would show
KEY_ESCAPE, KEY_F1, KEY_F4, KEY_F12 = 27, 282, 285, 293
QUICK_EXIT_KEYS = frozenset({KEY_ESCAPE, KEY_F12})  # F12: a facility's physical button


def _same_screen(a: View, b: View) -> bool:
    """Equal but for the idle countdown: only the countdown text needs redrawing."""
    return dataclasses.replace(a, idle_seconds_left=None) == dataclasses.replace(b, idle_seconds_left=None)


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
    """One kiosk on the window: a session, its current view and the widgets drawn for it."""

    def __init__(self, session: Session, *, clock: Callable[[], float] = time.monotonic,
                 speaker: Speaker | None = None, directory: Query | None = None,
                 now: Callable[[], datetime] | None = None, listener: Listener | None = None,
                 admin: AdminConfig | None = None) -> None:
        self.session = session
        self.clock = clock
        self.speaker = speaker
        self.voice = VoiceUi(self, listener) if listener is not None else None  # push-to-talk (voice_ui.py)
        self._hushed = False  # this touch silenced read-aloud (so Read aloud does not restart it)
        # The services directory is read here, in the UI, never by the session (services_ui.py).
        self.services = ServicesState(session.pack, directory, now)
        self.root = KioskRoot(self)
        self.view: View | None = None
        self.generation = 0  # bumps on every rebuild: taps on old widgets are ignored
        # The header is drawn again only when what it shows changes (most taps keep it);
        # its own numbers count down, so they never equal a page's generation.
        self.header_generation = 0
        self._header_key: tuple[object, ...] | None = None
        self.gate = PressGate()
        self.fingers = ThreeFingerTap()
        self.admin = AdminMode(self, admin)  # hidden admin mode: its gesture, PIN and screen (admin_ui.py)
        self.header: Header | None = None
        self.page: Widget | None = None
        self.overlay: str | None = None  # "languages", "qr_warning", "qr" while one covers the page
        self.overlay_widget: Widget | None = None
        self.stage = BoxLayout()
        self.rebuilds = 0
        self._timer = None
        self._resize = Clock.create_trigger(lambda dt: self.rebuild(), 0)
        self._attached = False

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
        self.show(self.session.view())
        # The first switch into a language need not open its fonts (kiosk.ui.warm).
        warm_languages_soon(self.session.pack.manifest.languages, lambda: self.look().sizes)

    def use_voice(self, speaker: Speaker | None, listener: Listener | None) -> None:
        """Speech that became ready after the first screen (kiosk.ui.device starts it then)."""
        if self.voice is not None:
            self.voice.cancel(redraw=False)
        self.speaker = speaker
        self.voice = VoiceUi(self, listener) if listener is not None else None
        language = self.view.language if self.view is not None else None
        if listener is not None and language is not None and listener.available(language):
            listener.prepare(language)  # a visitor already in that language: load its model now
        if self._attached and self.overlay is None and not self.admin.active:
            self.rebuild()  # Read aloud and Speak appear on the screen showing now

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
            self.voice.cancel(redraw=False)
        if self.speaker is not None:
            self.speaker.stop()

    # --- events into the session ------------------------------------------
    def send(self, event: Event) -> View:
        view = self.session.handle(event)
        self.show(view)
        return view

    def quick_exit(self) -> None:
        if self.admin.active:
            self.admin.leave()  # Escape or F12 over admin: back to the neutral screen
            return
        if self.speaker is not None:
            self.speaker.stop()  # silence first: someone may have walked in
        if self.voice is not None:
            self.voice.cancel()  # and close the microphone
        self.fingers.reset()
        if self.view is not None and self.view.neutral and not self.session.active and self.overlay is None:
            return  # already the plain health screen with nothing to forget: stay put
        self.overlay = None
        self.send(QuickExit())

    def _on_timer(self, _dt: float) -> None:
        self.send(Tick())

    # --- views into widgets --------------------------------------------------
    def show(self, view: View) -> None:
        view = self.services.fill(view)
        old = self.view
        self.view = view
        if old is not None and _same_screen(old, view):
            if old.idle_seconds_left != view.idle_seconds_left and self.header is not None:
                self.header.countdown.text = countdown_text(view)
            return
        if old is not None and self.speaker is not None and (
                old.node_id != view.node_id or old.language != view.language):
            self.speaker.stop()
        if old is not None and self.voice is not None:
            self.voice.screen_changed(old, view)
        self.overlay = None
        self.rebuild()

    def look(self) -> Look:
        assert self.view is not None
        width, height = int(Window.width), int(Window.height)
        return Look(sizes=sizes_for(Metrics.dpi, width, height), fonts=fonts_for(self.view.language),
                    width=width, height=height, pack_root=self.session.pack.root)

    def rebuild(self) -> None:
        """Draw the current view from scratch (it changed, or the window did)."""
        if self.view is None:
            return
        self.generation += 1
        self.rebuilds += 1
        self.gate.close(self.clock())
        hold_collection_until_drawn()  # the old tree is freed after the new one is on screen
        view, look, actions = self.view, self.look(), self._actions(self.generation)
        show_home = view.node_id != self.session.pack.manifest.neutral
        listening = self.voice is not None and self.voice.listening
        header_key = (view.language, view.neutral, view.can_go_back, show_home, listening,
                      self.speaker is not None, self.voice is not None and self.voice.offered(),
                      look.width, look.height)
        if self.header is None or header_key != self._header_key:
            self.header_generation -= 1
            self.header = build_header(view, look, self._actions(self.header_generation), show_home=show_home,
                                       listening=listening)
            self._header_key = header_key
        self.header.countdown.text = countdown_text(view)
        self.page = (services_page(view, look, actions, services_actions(self, self.generation))
                     if view.services is not None else build_page(view, look, actions))
        self.overlay_widget = None
        self.root.clear_widgets()
        self.stage = BoxLayout()
        self.stage.add_widget(self.page)
        self.root.add_widget(self.header.widget)
        self.root.add_widget(self.stage)
        if self.voice is not None:
            self.voice.place_strip(self.root, view, look, actions)  # Speak's own strip, in portrait

    def redraw_header(self) -> None:
        """Only Speak changed (the microphone opened or closed): the page keeps its place."""
        if self.view is None or self.header is None:
            return
        self.gate.close(self.clock())
        old = self.header.widget
        look, actions = self.look(), self._actions(self.generation)
        self.header_generation -= 1
        self._header_key = None  # what it shows is no longer what the key says: draw it next time
        self.header = build_header(self.view, look, self._actions(self.header_generation),
                                   show_home=self.view.node_id != self.session.pack.manifest.neutral,
                                   listening=self.voice is not None and self.voice.listening)
        self.header.countdown.text = countdown_text(self.view)
        self.root.remove_widget(old)
        self.root.add_widget(self.header.widget, index=len(self.root.children))  # back on top
        if self.voice is not None:
            self.voice.place_strip(self.root, self.view, look, actions)

    def _set_overlay(self, name: str | None, widget: Widget | None) -> None:
        """Cover the page (language list, QR) or uncover it; the header, with Close, stays."""
        self.gate.close(self.clock())
        self.overlay, self.overlay_widget = name, widget
        self.stage.clear_widgets()
        self.stage.add_widget(widget if widget is not None else self.page)

    # --- the actions a build's widgets call --------------------------------
    def _actions(self, generation: int) -> Actions:
        def guarded(fn: Callable[..., None]) -> Callable[..., None]:
            def run(*args: object) -> None:
                # A tap that began on a screen that is gone, or right after a
                # navigation (a touch reported twice), does nothing.
                if generation not in (self.generation, self.header_generation) or \
                        not self.gate.is_open(self.clock()):
                    return
                fn(*args)
            return run

        speaker = self.speaker
        return Actions(
            choose=guarded(lambda n: self.send(Choose(n))),
            back=guarded(self._back),
            home=guarded(lambda: self.send(Home())),
            quick_exit=self.quick_exit,  # never gated: leaving must always work
            open_languages=guarded(self._open_languages),
            set_language=guarded(self._set_language),
            close_overlay=guarded(lambda: self._set_overlay(None, None)),
            read_aloud=guarded(self._read_aloud) if speaker is not None else None,
            say_number=guarded(self._say_number) if speaker is not None else None,
            ask_qr=guarded(self._ask_qr),
            show_qr=guarded(self._show_qr),
            speak=guarded(self.voice.toggle) if self.voice is not None and self.voice.offered() else None,
        )

    def _back(self) -> None:
        if self.overlay is not None:
            self._set_overlay(None, None)  # one step back: from the list or code to the page
        else:
            self.send(Back())

    def _open_languages(self) -> None:
        self.send(Touch())
        assert self.view is not None
        widget = language_picker(self.view, self.look(), self._actions(self.generation),
                                 self.session.pack.manifest.languages)
        self._set_overlay("languages", widget)

    def _set_language(self, tag: str) -> None:
        self.overlay = None
        view = self.services.fill(self.session.handle(SetLanguage(tag)))
        if self.view is not None and _same_screen(self.view, view):
            self._set_overlay(None, None)  # the same language again: just close the list
        self.show(view)

    def _read_aloud(self) -> None:
        assert self.speaker is not None and self.view is not None
        if self.speaker.speaking() or self._hushed:
            self.speaker.stop()  # pressed while reading: this press means stop
        else:
            self.speaker.say(self.view.speech, self.view.language)
        self.send(Touch("read_aloud"))

    def _say_number(self, contact: ContactView) -> None:
        assert self.speaker is not None and self.view is not None
        if contact.call_spoken:
            self.speaker.stop()
            self.speaker.say([contact.call_spoken], self.view.language)
        self.send(Touch("read_aloud"))

    def _ask_qr(self, contact: ContactView) -> None:
        self.send(Touch())
        assert self.view is not None
        self._set_overlay("qr_warning", qr_warning(contact, self.view, self.look(),
                                                   self._actions(self.generation)))

    def _show_qr(self, contact: ContactView) -> None:
        self.send(Touch("qr"))
        assert self.view is not None
        self._set_overlay("qr", qr_codes(contact, self.view, self.look(), self._actions(self.generation)))

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

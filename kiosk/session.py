"""One visitor's session as a state machine over a pack.

Touch, keys, voice and `kiosk walk` all turn into the same events. The clock
is injected (a function returning seconds) so tests can step time. Ending a
session, by quick exit or idle timeout, forgets everything about it: the only
thing that leaves is a `SessionSummary` of yes/no facts for the daily counts.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Literal

from kiosk.content.model import Pack
from kiosk.view import View, build_view, reading_words

COUNTDOWN_SECONDS = 10
# A long page earns its reader more time before the idle reset: the pack's idle_timeout,
# plus the page's words at a slow reader's pace (about 90 words a minute: low literacy, a
# second language), at most READING_CAP_SECONDS more.
READING_WORDS_PER_SECOND = 1.5
READING_CAP_SECONDS = 120


@dataclass(frozen=True)
class Choose:
    """The visitor picked option `number` (1-based) of the current screen."""
    number: int


@dataclass(frozen=True)
class GoTo:
    """Jump to a node by id (voice: "hotline", "emergency", "help")."""
    node_id: str


@dataclass(frozen=True)
class Back:
    pass


@dataclass(frozen=True)
class Home:
    pass


@dataclass(frozen=True)
class QuickExit:
    pass


@dataclass(frozen=True)
class SetLanguage:
    tag: str


@dataclass(frozen=True)
class Touch:
    """Activity that changes nothing (a scroll, a read-aloud tap): keeps the session alive."""
    feature: str | None = None  # "voice", "read_aloud", "qr" for the daily counts


@dataclass(frozen=True)
class Tick:
    """Time passed; the session may time out."""


Event = Choose | GoTo | Back | Home | QuickExit | SetLanguage | Touch | Tick
EndReason = Literal["quick_exit", "idle"]


@dataclass(frozen=True)
class SessionSummary:
    """What a finished session adds to the day's counts: facts, no order, no times."""
    reason: EndReason
    help_opened: bool
    hotline_shown: bool
    contact_shown: bool
    languages: frozenset[str]
    features: frozenset[str]


@dataclass
class _Visit:
    """Everything remembered about the current visitor; dropped whole at the end."""
    node: str
    history: list[str] = field(default_factory=list)
    language: str | None = None
    seen: set[str] = field(default_factory=set)
    features: set[str] = field(default_factory=set)
    languages: set[str] = field(default_factory=set)
    active: bool = False


class Session:
    def __init__(self, pack: Pack, clock: Callable[[], float] = time.monotonic,
                 on_end: Callable[[SessionSummary], None] | None = None,
                 hotline_node: str = "hotline") -> None:
        self.pack = pack
        self.clock = clock
        self.on_end = on_end
        self.hotline_node = hotline_node
        self._exit_turn = 0
        self._visit = _Visit(pack.manifest.neutral)
        self._last_activity = clock()
        self._last_view: tuple[tuple[object, ...], View] | None = None
        self._reading: dict[tuple[str, str], float] = {}  # (node, language) -> extra idle seconds

    # --- reading -------------------------------------------------------
    @property
    def node_id(self) -> str:
        return self._visit.node

    @property
    def language(self) -> str:
        return self._visit.language or self.pack.manifest.default_language

    @property
    def history(self) -> tuple[str, ...]:
        return tuple(self._visit.history)

    @property
    def active(self) -> bool:
        """True while a visitor's session is in progress (something to forget)."""
        return self._visit.active

    def idle_timeout(self) -> float:
        """Seconds without a touch before this screen resets: longer for a longer page."""
        key = (self._visit.node, self.language)
        extra = self._reading.get(key)
        if extra is None:
            node = self.pack.nodes[key[0]]
            words = reading_words(build_view(self.pack, node, key[1], can_go_back=False).speech)
            extra = self._reading[key] = min(READING_CAP_SECONDS, words / READING_WORDS_PER_SECOND)
        return self.pack.manifest.idle_timeout + extra

    def idle_seconds_left(self) -> int | None:
        if not self._visit.active:
            return None
        left = self.idle_timeout() - (self.clock() - self._last_activity)
        return max(0, int(left + 0.999)) if left <= COUNTDOWN_SECONDS else None

    def view(self) -> View:
        node = self.pack.nodes[self._visit.node]
        key = (node.id, self.language, bool(self._visit.history), self.idle_seconds_left())
        # The kiosk asks again every second (Tick); an unchanged screen is not built again.
        if self._last_view is not None and self._last_view[0] == key:
            return self._last_view[1]
        view = build_view(self.pack, node, self.language, can_go_back=key[2], idle_seconds_left=key[3])
        self._last_view = (key, view)
        return view

    # --- events --------------------------------------------------------
    def handle(self, event: Event) -> View:
        if isinstance(event, Tick):
            self._tick()
            return self.view()
        self._last_activity = self.clock()
        match event:
            case Choose(number):
                options = self.pack.nodes[self._visit.node].options
                if 1 <= number <= len(options):
                    self._go(options[number - 1].to)
            case GoTo(node_id):
                if node_id in self.pack.nodes and node_id != self._visit.node:
                    self._go(node_id)
            case Back():
                if self._visit.history:
                    self._visit.node = self._visit.history.pop()
            case Home():
                self._visit.history.clear()
                self._visit.node = self.pack.manifest.neutral
            case QuickExit():
                self._end("quick_exit", self._next_exit_node())
            case SetLanguage(tag):
                if tag in self.pack.manifest.languages:
                    self._visit.language = tag
                    self._visit.languages.add(tag)
                    self._visit.active = True
            case Touch(feature):
                if feature:
                    self._visit.features.add(feature)
                    self._visit.active = True
        return self.view()

    def _go(self, target: str) -> None:
        visit = self._visit
        if target in visit.history:
            # Going round a loop: cut history back so Back never replays the loop.
            del visit.history[visit.history.index(target):]
        else:
            visit.history.append(visit.node)
        visit.node = target
        visit.seen.add(target)
        if not self.pack.nodes[target].neutral:
            visit.active = True

    def forget(self) -> None:
        """End the visit without counting it (staff took over the kiosk): the neutral
        screen, nothing of the visit kept."""
        self._visit = _Visit(self.pack.manifest.neutral)
        self._reading.clear()
        self._last_activity = self.clock()

    def _tick(self) -> None:
        if self._visit.active and self.clock() - self._last_activity >= self.idle_timeout():
            self._end("idle", self.pack.manifest.neutral)

    def _next_exit_node(self) -> str:
        targets = self.pack.manifest.exit_to
        node = targets[self._exit_turn % len(targets)]
        self._exit_turn += 1
        return node

    def _end(self, reason: EndReason, land_on: str) -> None:
        visit = self._visit
        if visit.active and self.on_end is not None:
            kinds = {self.pack.nodes[n].kind for n in visit.seen}
            self.on_end(SessionSummary(
                reason=reason,
                help_opened=any(not self.pack.nodes[n].neutral for n in visit.seen),
                hotline_shown=self.hotline_node in visit.seen,
                contact_shown="contact" in kinds,
                languages=frozenset(visit.languages),
                features=frozenset(visit.features),
            ))
        self._visit = _Visit(land_on)
        self._reading.clear()  # which pages were read is the visit's, and goes with it
        self._last_activity = self.clock()

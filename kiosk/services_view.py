"""A services screen's results: local services (directory records) as the visitor reads them.

The engine never reads the directory. The screen controller (kiosk.screen)
owns a `ServicesState` with a query (an injected callable with
`find_services`' signature, bound to the pack's directory database), asks it
with `look_up`, and lays the records into the screen's View with
`with_results`. Both are pure functions of what they are given (the moment
"now" included), so tests check them without Kivy or a clock.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from kiosk.content.builtin import language_chain
from kiosk.content.hours import ALWAYS, DAYS, HoursError, parse_hours
from kiosk.content.model import INTERPRETERS, SERVICE_CATEGORIES, Pack
from kiosk.content.phones import digits_of
from kiosk.i18n.names import language_name
from kiosk.view import (ContactView, ServicesView, ServiceView, Strings, View, _format_day, _join, _tel_uri,
                        contact_lines, speech_for, spoken_digits)

log = logging.getLogger("lantern.services")

if TYPE_CHECKING:  # the directory and babel's dates load when a services screen first needs them
    from kiosk.content.directory import Service

# A screenful: a statewide directory is thousands of services, and a visitor
# narrows by category rather than scrolling past the first few.
SCREENFUL = 5

# find_services(category=, language=, open_at=, limit=) with the database bound.
Query = Callable[..., "list[Service]"]
Now = Callable[[], dt.datetime]


def directory_query(db_path: Path | None) -> Query | None:
    """The query a Kiosk is given: find_services on the pack's directory database (each
    question opens it read-only and closes it: a pack update never meets an open handle)."""
    if db_path is None:
        return None
    from kiosk.content.directory import find_services
    return functools.partial(find_services, Path(db_path))


@dataclass(frozen=True)
class Filters:
    """What the visitor has chosen on a services screen."""

    category: str | None  # None: every category the screen offers
    language: str | None  # None: any language
    open_now: bool


@dataclass(frozen=True)
class Found:
    services: tuple[Service, ...]
    more: bool  # more matched than the limit


# --- looking up --------------------------------------------------------------

def look_up(query: Query, offered: Sequence[str], restricted: bool, filters: Filters,
            now: dt.datetime, limit: int = SCREENFUL) -> Found:
    """At most `limit` services for the filters, in name order (speakers of the language first).

    `restricted`: the screen offers only `offered` categories, so "all" means
    each of those (one query per category, merged) rather than the whole directory.
    """
    open_at = now if filters.open_now else None
    if filters.category is not None or not restricted:
        found = query(category=filters.category, language=filters.language, open_at=open_at,
                      limit=limit + 1)
        return Found(tuple(found[:limit]), len(found) > limit)
    merged: dict[str, Service] = {}
    for category in offered:
        for service in query(category=category, language=filters.language, open_at=open_at, limit=limit + 1):
            merged.setdefault(service.id, service)
    # The order find_services gives within one query: services that speak the language,
    # then those that offer interpreters, each by name.
    ordered = sorted(merged.values(), key=lambda x: (not _speaks(x, filters.language), x.name.casefold(), x.id))
    return Found(tuple(ordered[:limit]), len(ordered) > limit)


def _speaks(service: Service, language: str | None) -> bool:
    """As find_services matches a language: its broader and narrower tags."""
    if language is None:
        return True
    chain = language_chain(language)
    return any(t in chain or t.startswith(language + "-") for t in service.languages)


def categories_present(query: Query, offered: Sequence[str]) -> frozenset[str]:
    """The offered categories that have at least one service (the others get no chip)."""
    return frozenset(c for c in offered if query(category=c, language=None, open_at=None, limit=1))


# --- words ---------------------------------------------------------------------

def _babel_locale(tag: str) -> str:
    return tag.replace("-", "_")


def day_name(day: int, s: Strings) -> str:
    """Monday is 0. The pack's `ui.day.mon` (for a language CLDR lacks) wins over babel's."""
    own = s.get(f"ui.day.{DAYS[day]}")
    if own:
        return own
    from babel.dates import get_day_names

    try:
        return str(get_day_names("abbreviated", locale=_babel_locale(s.tag))[day])
    except Exception:  # babel raises several types for unknown locales; English is still readable
        return str(get_day_names("abbreviated", locale="en")[day])


# Korean in CLDR's short format writes "AM 9:00"; Korean readers expect 오전 9:00.
_TIME_PATTERNS = {"ko": "aaaa h:mm"}


def clock_time(minutes: int, tag: str) -> str:
    """Minutes after midnight (24:00 is midnight) as the language writes a time of day."""
    moment = dt.time((minutes // 60) % 24, minutes % 60)
    pattern = _TIME_PATTERNS.get(tag.split("-")[0], "short")
    from babel.dates import format_time

    try:
        text = format_time(moment, pattern, locale=_babel_locale(tag))
    except Exception:  # unknown locale: a 24-hour time is understood everywhere
        return moment.strftime("%H:%M")
    # CLDR puts a narrow no-break space before "AM"; not every script's font has it,
    # and the plain no-break space keeps "9:00 AM" on one line just as well.
    return text.replace("\u202f", "\u00a0")


def _days_text(spec: str, s: Strings) -> str:
    if spec == "daily":
        return s("ui.every_day")
    parts = []
    for part in spec.split(","):
        first, _, last = part.partition("-")
        name = day_name(DAYS.index(first), s)
        parts.append(f"{name}–{day_name(DAYS.index(last), s)}" if last else name)
    return ", ".join(parts)


def _rule_text(rule: str, s: Strings) -> str:
    text = " ".join(rule.lower().split())
    days_part, _, ranges_part = text.partition(" ")
    times = []
    for piece in ranges_part.replace(" ", "").split(","):
        start, end = piece.split("-")
        times.append(f"{clock_time(_minutes(start), s.tag)}–{clock_time(_minutes(end), s.tag)}")
    shown = f"{_days_text(days_part.replace(' ', ''), s)} {', '.join(times)}"
    return shown[:1].upper() + shown[1:]


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def hours_text(rules: Sequence[str], s: Strings) -> str:
    """Opening hours in the visitor's words: "Mon–Fri 9:00 AM–5:00 PM; Sat 9:00 AM–1:00 PM"."""
    if any(" ".join(r.lower().split()) in ALWAYS for r in rules):
        return s("ui.always_open")
    try:
        parse_hours(list(rules))  # the directory was checked when built; this is belt and braces
    except HoursError:
        return "; ".join(rules)
    return "; ".join(_rule_text(rule, s) for rule in rules)


def open_at(service: Service, moment: dt.datetime) -> bool | None:
    try:
        return parse_hours(list(service.hours)).open_at(moment)
    except HoursError:
        return None


def service_view(service: Service, s: Strings, region: str, now: dt.datetime | None) -> ServiceView:
    """One service's card, in the visitor's language, open or closed at `now`."""
    is_open = open_at(service, now) if now is not None else None
    status = "" if is_open is None else s("ui.open_now") if is_open else s("ui.closed_now")
    free = "" if service.free is None else s("ui.service_free") if service.free else s("ui.service_fee")
    names = [s.get(f"lang.{t}") or language_name(t, s.tag, capitalize=False)
             for t in service.languages if t != INTERPRETERS]
    text_line = text_spoken = sms = None
    if service.text:
        text_line = f"{s('ui.text')}: {service.text}"
        text_spoken = f"{s('ui.text')}: {spoken_digits(service.text)}"
        sms = f"sms:{digits_of(service.text)}"
    contact = ContactView(
        id=service.id, name=service.name, about="", call=service.phone, call_display=service.phone,
        call_spoken=spoken_digits(service.phone) if service.phone else None, text_line=text_line,
        text_spoken=text_spoken, tty=None, chat=None, hours="", languages="", interpreters="",
        verified="", tel_uri=_tel_uri(service.phone, region) if service.phone else None, sms_uri=sms)
    return ServiceView(
        id=service.id, name=service.name,
        categories=", ".join(s(f"ui.cat_{c}") for c in service.categories),
        open_now=is_open, status=status, hours=hours_text(service.hours, s), free=free,
        languages=_join(names, s.tag, s.get("lang.and")),
        interpreters=s("ui.service_interpreters") if INTERPRETERS in service.languages else "",
        address=service.address or "", contact=contact,
        checked=s("ui.service_checked", date=_format_day(service.verified, s.tag, s)) if service.verified else "",
    )


def with_results(view: View, pack: Pack, filters: Filters, found: Found | None, now: dt.datetime,
                 present: frozenset[str] | None = None) -> View:
    """The services screen `view` with the visitor's filters and what was found.

    `found` None: the directory could not be read. `present`: the categories that
    have services (the others are not offered); None keeps them all.
    """
    panel = view.services
    if panel is None:
        return view
    s = Strings(pack, view.language)
    results = None if found is None else tuple(service_view(x, s, pack.manifest.region, now)
                                                for x in found.services)
    categories = panel.categories if present is None else tuple(c for c in panel.categories
                                                               if c.id in present)
    panel = ServicesView(categories=categories, category=filters.category, language=filters.language,
                         open_now=filters.open_now, results=results, more=bool(found and found.more))
    return dataclasses.replace(view, services=panel, speech=services_speech(view, panel))


def services_speech(view: View, panel: ServicesView) -> tuple[str, ...]:
    """Read aloud: the page's words, each service found (number digit by digit), then the options."""
    ui = view.ui
    out = list(speech_for(view.title, view.body, view.items, view.contacts, view.staff_phrase, (), ui))
    chosen = next((c.label for c in panel.categories if c.id == panel.category), None)
    if chosen:
        out.append(chosen)
    if panel.results is None:
        out.append(ui["services_unavailable"])
    elif not panel.results:
        out.append(ui["no_services"])
    for x in panel.results or ():
        out.append(x.name)
        out.extend(line for line in (x.status, x.hours, x.free) if line)
        out += contact_lines(x.contact, ui, spoken=True)[1:]  # the number and text line (the name is said)
        if x.address:
            out.append(x.address)
        if x.languages:
            out.append(f"{ui['languages']}: {x.languages}")
    if panel.more:
        out.append(ui["services_more"])
    out.extend(speech_for("", (), (), (), None, view.options, ui))
    return tuple(x for x in out if x)


# --- one visitor's choices -------------------------------------------------------

class ServicesState:
    """One visitor's choices on a services screen, and the look-ups that answer them.

    Owned by the screen controller (kiosk.screen): the filters are forgotten as
    soon as the visitor leaves the screen, and so with any exit or timeout.
    """

    def __init__(self, pack: Pack, query: Query | None, now: Now | None = None) -> None:
        self.pack = pack
        self.query = query
        self.now = now or dt.datetime.now  # local time: "open now" is about where the device is
        self.filters: Filters | None = None
        self._screen: tuple[str, str] | None = None  # (node id, language) the filters belong to
        self._cache: tuple[View, Filters, View] | None = None
        self._last: View | None = None  # what fill() last returned: filling it again changes nothing
        # Which categories have services never changes while the kiosk runs (not visitor data).
        self._present: dict[str, frozenset[str]] = {}
        self.lookups = 0  # how many times the directory was asked (tests, benchmarks)

    def forget(self) -> None:
        self.filters, self._screen, self._cache, self._last = None, None, None, None

    def fill(self, view: View) -> View:
        """The view with results when it is a services screen; any other view unchanged."""
        panel = view.services
        if view is self._last:
            return view
        if panel is None:
            self.forget()
            return view
        if self._screen is None or self._screen[0] != view.node_id or self.filters is None:
            self.filters = Filters(panel.category, panel.language, panel.open_now)
        elif self._screen[1] != view.language and self.filters.language is not None:
            self.filters = dataclasses.replace(self.filters, language=view.language)
        self._screen = (view.node_id, view.language)
        base = dataclasses.replace(view, idle_seconds_left=None)  # the countdown changes every second
        if self._cache is not None and self._cache[0] == base and self._cache[1] == self.filters:
            filled = self._cache[2]
        else:
            filled = self._look_up(base, self.filters)
            self._cache = (base, self.filters, filled)
        self._last = dataclasses.replace(filled, idle_seconds_left=view.idle_seconds_left)
        return self._last

    def choose(self, **changes: object) -> None:
        """Change filters by name (category=, language=, open_now=); the others stay."""
        if self.filters is not None:
            self.filters = dataclasses.replace(self.filters, **changes)  # type: ignore[arg-type]

    def _look_up(self, view: View, filters: Filters) -> View:
        assert view.services is not None
        now = self.now()
        offered = tuple(c.id for c in view.services.categories)
        if self.query is None:
            return with_results(view, self.pack, filters, None, now)
        try:
            present = self._present.get(view.node_id)
            if present is None:
                present = self._present[view.node_id] = categories_present(self.query, offered)
                self.lookups += len(offered)
            restricted = set(offered) != set(SERVICE_CATEGORIES)
            found: Found | None = look_up(self.query, [c for c in offered if c in present], restricted,
                                          filters, now)
            self.lookups += 1
        except (sqlite3.Error, OSError) as exc:  # a damaged database: say so on screen, keep running
            log.warning("the services directory cannot be read: %s", exc)
            return with_results(view, self.pack, filters, None, now)
        return with_results(view, self.pack, filters, found, now, present)

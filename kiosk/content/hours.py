"""Weekly opening hours, as a facility writes them, and "is it open at this moment?".

A service's `hours:` is `always` or a list of rules such as

    mon-fri 09:00-17:00
    sat,sun 10:00-14:00
    daily 08:00-12:00, 13:00-17:00
    fri 20:00-02:00          (an end at or before the start runs past midnight)

Each rule becomes intervals in minutes of the week (Monday 00:00 is 0), which
is what the directory stores and queries. Times are the device's local time:
the device and the services it lists are in the same place.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEK = 7 * 24 * 60
ALWAYS = ("always", "24/7")
_RANGE_RE = re.compile(r"^([0-2][0-9]):([0-5][0-9])-([0-2][0-9]):([0-5][0-9])$")

Interval = tuple[int, int]  # [start, end) in minutes of the week, end <= WEEK


class HoursError(ValueError):
    """A rule that cannot be read; the message says what to write instead."""


@dataclass(frozen=True)
class Hours:
    rules: tuple[str, ...]  # as written, for display
    intervals: tuple[Interval, ...]

    @property
    def always(self) -> bool:
        return self.intervals == ((0, WEEK),)

    def open_at(self, moment: dt.datetime) -> bool:
        minute = minute_of_week(moment)
        return any(start <= minute < end for start, end in self.intervals)


def minute_of_week(moment: dt.datetime) -> int:
    """Minutes since Monday 00:00 in the device's local time (aware times are converted)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.weekday() * 1440 + moment.hour * 60 + moment.minute


def _days(spec: str) -> list[int]:
    if spec == "daily":
        return list(range(7))
    out: list[int] = []
    for part in spec.split(","):
        first, _, last = part.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise HoursError(f"'{part}' is not a day or a range of days; use mon, tue, wed, thu, fri, "
                             "sat, sun, a range like mon-fri, or daily")
        a = DAYS.index(first)
        b = DAYS.index(last) if last else a
        out.extend(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
    return out


def _minutes(hh: str, mm: str, text: str) -> int:
    value = int(hh) * 60 + int(mm)
    if value > 24 * 60:
        raise HoursError(f"'{text}': hours go from 00:00 to 24:00")
    return value


def parse_rule(rule: str) -> list[Interval]:
    """One rule, e.g. 'mon-fri 09:00-17:00', as week intervals (merged later)."""
    text = " ".join(rule.lower().split())
    if text in ALWAYS:
        return [(0, WEEK)]
    days_part, _, ranges_part = text.partition(" ")
    if not ranges_part:
        raise HoursError(f"'{rule}': write days and times, like 'mon-fri 09:00-17:00', or 'always'")
    days = _days(days_part.replace(" ", ""))
    out: list[Interval] = []
    for piece in ranges_part.replace(" ", "").split(","):
        m = _RANGE_RE.match(piece)
        if not m:
            raise HoursError(f"'{piece}' in '{rule}' is not a time range; write it like 09:00-17:00")
        start, end = _minutes(m[1], m[2], piece), _minutes(m[3], m[4], piece)
        if start == 24 * 60:
            raise HoursError(f"'{piece}' starts at 24:00; start at 00:00 instead")
        if start == end:
            raise HoursError(f"'{piece}' opens and closes at the same time; for all day write 00:00-24:00")
        for day in days:
            base = day * 1440
            if end > start:
                out.append((base + start, base + end))
            else:  # runs past midnight into the next day (Sunday night wraps to Monday)
                out.append((base + start, base + 1440))
                nxt = (day + 1) % 7 * 1440
                if end:
                    out.append((nxt, nxt + end))
    return out


def merge_intervals(intervals: list[Interval]) -> tuple[Interval, ...]:
    merged: list[list[int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((a, b) for a, b in merged)


def parse_hours(rules: list[str] | tuple[str, ...]) -> Hours:
    """All of a service's rules; raises HoursError naming the first bad one."""
    intervals: list[Interval] = []
    for rule in rules:
        intervals.extend(parse_rule(rule))
    return Hours(tuple(rules), merge_intervals(intervals))

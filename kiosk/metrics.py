"""Privacy-preserving daily counts: what a facility may learn, and no more.

A session adds to per-day counters when it ends, never as it happens, and a
device writes them on the hour (HourlyCounts), not when a visit ends. Rows
hold a calendar date, a counter name and a number: no times, no session ids,
no sequences of screens. The table has no rowid, the file is rewritten in key
order after every write (so not even its bytes record which counter was touched
first) and SQLite's secure_delete zeroes old pages.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from collections import Counter
from typing import Callable, Iterable, Mapping

from kiosk.session import SessionSummary

log = logging.getLogger("lantern.metrics")

KEEP_MONTHS = 13
SMALL_COUNT = 5  # counts below this are shown as "<5"
QUIET_DAY = 5  # days with fewer sessions are folded into their week

COUNTERS = ("sessions", "help_opened", "hotline_shown", "contact_shown", "quick_exit",
            "idle_reset", "voice_used", "read_aloud_used", "qr_shown")
LANGUAGE_PREFIX = "language:"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS daily_counts (
    day TEXT NOT NULL,
    counter TEXT NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (day, counter)
) WITHOUT ROWID
"""


def counters_for(summary: SessionSummary) -> list[str]:
    """The counters one finished session adds 1 to."""
    out = ["sessions", "quick_exit" if summary.reason == "quick_exit" else "idle_reset"]
    flags = {"help_opened": summary.help_opened, "hotline_shown": summary.hotline_shown,
             "contact_shown": summary.contact_shown,
             "voice_used": "voice" in summary.features,
             "read_aloud_used": "read_aloud" in summary.features,
             "qr_shown": "qr" in summary.features}
    out += [name for name, on in flags.items() if on]
    out += [LANGUAGE_PREFIX + tag for tag in sorted(summary.languages)]
    return out


def months_before(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, 1)


def connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=5, isolation_level=None)
    conn.execute("PRAGMA secure_delete = ON")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute(_SCHEMA)
    return conn


def _is_corrupt(exc: sqlite3.DatabaseError) -> bool:
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text or "file is encrypted" in text


class Metrics:
    """The daily counters in SQLite. Failures never reach a visitor: they are logged and skipped."""

    def __init__(self, path: Path, today: Callable[[], dt.date] = dt.date.today) -> None:
        self.path = path
        self.today = today
        self.last_error: str | None = None

    def _open(self) -> sqlite3.Connection:
        try:
            conn = connect(self.path)
            conn.execute("SELECT count(*) FROM daily_counts").fetchone()
            return conn
        except sqlite3.DatabaseError as exc:
            if not _is_corrupt(exc):
                raise
            # A corrupt counts file is worth less than a working kiosk: start afresh, but
            # keep the damaged file (daily counts only) for a technician to recover from.
            # One copy: a later corruption replaces it, so the disk cannot fill up with them.
            aside = self.path.with_name(self.path.name + ".corrupt")
            log.warning("metrics database was corrupt (%s); kept as %s, counting afresh", exc, aside.name)
            os.replace(self.path, aside)
            journal = self.path.with_name(self.path.name + "-journal")
            if journal.exists():  # a stale journal must not be played into the fresh file
                os.replace(journal, aside.with_name(aside.name + "-journal"))
            return connect(self.path)

    def record(self, summary: SessionSummary) -> bool:
        """Add one finished session to today's counts. False (and logged) if it could not be stored."""
        return self.add(counters_for(summary))

    def add(self, counters: Iterable[str]) -> bool:
        day = self.today().isoformat()
        return self.add_counts({(day, c): 1 for c in counters})

    def add_counts(self, counts: Mapping[tuple[str, str], int]) -> bool:
        """Add (day, counter) -> n, in one transaction. With nothing to add the file is
        still rewritten (see HourlyCounts). False (and logged) if it could not be stored."""
        try:
            conn = self._open()
            try:
                with conn:
                    conn.execute("BEGIN IMMEDIATE")
                    conn.executemany(
                        "INSERT INTO daily_counts (day, counter, value) VALUES (?, ?, ?) "
                        "ON CONFLICT (day, counter) DO UPDATE SET value = value + excluded.value",
                        [(day, c, n) for (day, c), n in sorted(counts.items())])
                    conn.execute("DELETE FROM daily_counts WHERE day < ?",
                                 (months_before(self.today(), KEEP_MONTHS).isoformat(),))
                # Within a page SQLite puts a new or grown row wherever there is room, so
                # the bytes of the file would tell which counter was written first and
                # which last. VACUUM rewrites the file in key order: the same counts give
                # the same bytes whatever order the visits came in (a few ms for 13 months).
                conn.execute("VACUUM")
            finally:
                conn.close()
            self._blur_file_times()
            self.last_error = None
            return True
        except (sqlite3.Error, OSError) as exc:
            # Log the first failure only: a journal line at every session end would
            # record when each visit ended. Admin and doctor show last_error.
            if self.last_error is None:
                log.warning("daily counts cannot be stored (%s); the kiosk keeps serving",
                            type(exc).__name__)
            self.last_error = f"{type(exc).__name__}: {exc}"
            return False

    def _blur_file_times(self) -> None:
        """A file's modification time would tell when the last visit ended: set it,
        and its folder's (the journal file comes and goes there), to midnight."""
        midnight = dt.datetime.combine(self.today(), dt.time()).timestamp()
        for path in (self.path, self.path.parent):
            try:
                os.utime(path, (midnight, midnight))
            except OSError:
                pass

    def rows(self, since: dt.date | None = None) -> list[tuple[str, str, int]]:
        """(day, counter, value) sorted by day and counter name."""
        if not self.path.exists():
            return []
        conn = self._open()
        try:
            return [tuple(r) for r in conn.execute(  # type: ignore[misc]
                "SELECT day, counter, value FROM daily_counts WHERE day >= ? ORDER BY day, counter",
                ((since or dt.date.min).isoformat(),))]
        finally:
            conn.close()


class HourlyCounts:
    """Finished sessions held in memory and written on the hour, every hour.

    The file's modification time is blurred to midnight, but its change time
    (ctime) cannot be: the kernel sets it on every write, the blurring's
    included. Written at the end of each session, the file (and its folder)
    would tell to the second when the last visit ended. Written on every hour
    whether or not anyone came, they tell only that the kiosk was running.
    The price: a power cut loses the counts of the hour under way.
    """

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics
        self._pending: Counter[tuple[str, str]] = Counter()  # (day, counter) -> n: bounded

    def record(self, summary: SessionSummary) -> None:
        day = self.metrics.today().isoformat()
        self._pending.update((day, c) for c in counters_for(summary))

    @property
    def pending(self) -> int:
        """Sessions not yet written."""
        return sum(n for (_day, c), n in self._pending.items() if c == "sessions")

    def flush(self) -> bool:
        """Write what is pending (or, with nothing pending, rewrite the file all the same).
        Kept for the next hour if it cannot be written: a full disk may be freed."""
        if self.metrics.add_counts(self._pending):
            self._pending.clear()
            return True
        return False


def seconds_to_next_hour(now: dt.datetime) -> float:
    """From `now` to the next whole hour of the wall clock."""
    next_hour = now.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    return max(1.0, (next_hour - now).total_seconds())


@dataclass(frozen=True)
class ExportRow:
    period: str  # "2026-11-20" for a day, "2026-W47" for a week's quiet days
    counter: str
    value: int

    @property
    def shown(self) -> str:
        return f"<{SMALL_COUNT}" if 0 < self.value < SMALL_COUNT else str(self.value)


def export_rows(rows: Iterable[tuple[str, str, int]]) -> list[ExportRow]:
    """Days with fewer than QUIET_DAY sessions are summed into their ISO week,
    so that one visit on a quiet day cannot be singled out."""
    by_day: dict[str, dict[str, int]] = {}
    for day, counter, value in rows:
        by_day.setdefault(day, {})[counter] = value
    out: dict[tuple[str, str], int] = {}
    for day, counts in sorted(by_day.items()):
        if counts.get("sessions", 0) >= QUIET_DAY:
            period = day
        else:
            year, week, _ = dt.date.fromisoformat(day).isocalendar()
            period = f"{year}-W{week:02d}"
        for counter, value in counts.items():
            out[(period, counter)] = out.get((period, counter), 0) + value
    return [ExportRow(p, c, v) for (p, c), v in sorted(out.items())]

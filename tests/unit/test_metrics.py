"""Daily counts: date-level rows only, nothing per visitor, small counts suppressed."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.content.packs import open_pack
from kiosk.metrics import KEEP_MONTHS, Metrics, counters_for, export_rows, months_before
from kiosk.session import Choose, GoTo, QuickExit, Session, SessionSummary, SetLanguage, Tick, Touch


class Day:
    def __init__(self, day: dt.date) -> None:
        self.day = day

    def __call__(self) -> dt.date:
        return self.day


def summary(**kw) -> SessionSummary:
    base = dict(reason="quick_exit", help_opened=True, hotline_shown=False, contact_shown=False,
                languages=frozenset(), features=frozenset())
    return SessionSummary(**{**base, **kw})


def test_counters_for_a_session() -> None:
    names = counters_for(summary(hotline_shown=True, contact_shown=True, languages=frozenset({"es"}),
                                 features=frozenset({"voice", "read_aloud"})))
    assert set(names) == {"sessions", "quick_exit", "help_opened", "hotline_shown", "contact_shown",
                          "voice_used", "read_aloud_used", "language:es"}


def test_a_day_of_sessions_through_the_engine(tmp_path: Path) -> None:
    """Drive real sessions, then read the raw database: only dates, counters and numbers."""
    pack = open_pack().pack
    assert pack is not None
    day = Day(dt.date(2026, 11, 20))
    metrics = Metrics(tmp_path / "m.sqlite", today=day)
    now = [0.0]
    session = Session(pack, clock=lambda: now[0], on_end=metrics.record)
    for i in range(30):
        session.handle(GoTo("safety"))
        if i % 2:
            session.handle(GoTo("hotline"))
        if i % 3 == 0:
            session.handle(SetLanguage("es"))
        if i % 5 == 0:
            session.handle(Touch("read_aloud"))
        if i % 4 == 0:
            now[0] += 10_000
            session.handle(Tick())
        else:
            session.handle(QuickExit())
    conn = sqlite3.connect(tmp_path / "m.sqlite")
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    assert tables == ["daily_counts"]
    columns = [r[1] for r in conn.execute("PRAGMA table_info(daily_counts)")]
    assert columns == ["day", "counter", "value"]
    with pytest.raises(sqlite3.OperationalError):
        conn.execute("SELECT rowid FROM daily_counts")  # no insertion order kept
    rows = dict(((c, v) for d, c, v in conn.execute("SELECT day, counter, value FROM daily_counts")))
    days = {d for (d,) in conn.execute("SELECT DISTINCT day FROM daily_counts")}
    assert days == {"2026-11-20"}
    assert rows["sessions"] == 30 and rows["help_opened"] == 30
    assert rows["hotline_shown"] == 15
    assert rows["idle_reset"] == 8 and rows["quick_exit"] == 22
    assert rows["language:es"] == 10 and rows["read_aloud_used"] == 6
    raw = (tmp_path / "m.sqlite").read_bytes()
    for secret in (b"safety", b"hotline\x00", b"signs"):
        assert secret not in raw


def test_file_times_do_not_tell_when_a_visit_ended(tmp_path: Path) -> None:
    folder = tmp_path / "counts"
    metrics = Metrics(folder / "daily.sqlite", today=Day(dt.date(2026, 11, 18)))
    metrics.record(summary())
    midnight = dt.datetime(2026, 11, 18).timestamp()
    assert (folder / "daily.sqlite").stat().st_mtime == midnight
    assert folder.stat().st_mtime == midnight
    assert [p.name for p in folder.iterdir()] == ["daily.sqlite"]


def test_counts_are_written_only_when_a_session_ends(tmp_path: Path) -> None:
    pack = open_pack().pack
    metrics = Metrics(tmp_path / "m.sqlite", today=Day(dt.date(2026, 1, 5)))
    session = Session(pack, on_end=metrics.record)
    session.handle(GoTo("hotline"))
    assert metrics.rows() == []
    session.handle(QuickExit())
    assert ("2026-01-05", "hotline_shown", 1) in metrics.rows()


def test_old_days_are_deleted_after_13_months(tmp_path: Path) -> None:
    day = Day(dt.date(2025, 1, 10))
    metrics = Metrics(tmp_path / "m.sqlite", today=day)
    metrics.record(summary())
    day.day = dt.date(2026, 2, 1)
    metrics.record(summary())
    assert {d for d, _, _ in metrics.rows()} == {"2025-01-10", "2026-02-01"}
    day.day = dt.date(2026, 2, 11)
    metrics.record(summary())
    assert months_before(day.day, KEEP_MONTHS) == dt.date(2025, 1, 1)
    day.day = dt.date(2026, 3, 1)
    metrics.record(summary())
    assert "2025-01-10" not in {d for d, _, _ in metrics.rows()}


def test_export_suppresses_small_counts_and_folds_quiet_days() -> None:
    rows = [("2026-11-16", "sessions", 2), ("2026-11-16", "hotline_shown", 1),
            ("2026-11-17", "sessions", 1),
            ("2026-11-18", "sessions", 12), ("2026-11-18", "hotline_shown", 3)]
    out = {(r.period, r.counter): r.shown for r in export_rows(rows)}
    assert out == {("2026-W47", "sessions"): "<5", ("2026-W47", "hotline_shown"): "<5",
                   ("2026-11-18", "sessions"): "12", ("2026-11-18", "hotline_shown"): "<5"}


def test_corrupt_database_is_rebuilt_and_counting_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    metrics = Metrics(path, today=Day(dt.date(2026, 3, 3)))
    assert metrics.record(summary())
    assert metrics.rows() == [("2026-03-03", "help_opened", 1), ("2026-03-03", "quick_exit", 1),
                              ("2026-03-03", "sessions", 1)]


def test_unwritable_database_is_reported_not_raised(tmp_path: Path) -> None:
    metrics = Metrics(tmp_path / "no" / "such" / "dir" / "m.sqlite")
    (tmp_path / "no").write_text("a file where a folder should be")
    assert metrics.record(summary()) is False
    assert metrics.last_error


def test_export_command(tmp_path: Path) -> None:
    import os
    (tmp_path / "counts").mkdir()
    metrics = Metrics(tmp_path / "counts" / "daily.sqlite", today=Day(dt.date(2026, 11, 18)))
    for _ in range(7):
        metrics.record(summary(hotline_shown=True))
    env = {**os.environ, "LANTERN_DATA": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "kiosk.cli", "metrics", "export", "--csv"],
                         capture_output=True, text=True, env=env, check=True).stdout
    lines = out.splitlines()
    assert lines[0] == "period,counter,count"
    assert "2026-11-18,sessions,7" in lines and "2026-11-18,hotline_shown,7" in lines
    since = subprocess.run([sys.executable, "-m", "kiosk.cli", "metrics", "export", "--since",
                            "2026-12-01"], capture_output=True, text=True, env=env, check=True)
    assert since.stdout.strip() == "no counts yet"
    bad = subprocess.run([sys.executable, "-m", "kiosk.cli", "metrics", "export", "--since", "soon"],
                         capture_output=True, text=True, env=env)
    assert bad.returncode == 2 and "not a date" in bad.stderr


# --- written on the hour, not when a visit ends ---------------------------------------

def test_sessions_wait_in_memory_until_the_hour_and_then_add_up(tmp_path: Path) -> None:
    from kiosk.metrics import HourlyCounts
    day = Day(dt.date(2026, 11, 20))
    path = tmp_path / "counts" / "daily.sqlite"
    counts = HourlyCounts(Metrics(path, today=day))
    for i in range(7):
        counts.record(summary(hotline_shown=bool(i % 2), languages=frozenset({"es"} if i < 3 else set())))
    day.day = dt.date(2026, 11, 21)  # a visit after midnight belongs to the new day
    counts.record(summary(reason="idle", help_opened=False))
    assert not path.exists() and counts.pending == 8  # nothing on disk when the visits end
    assert counts.flush() and counts.pending == 0
    rows = {(d, c): v for d, c, v in Metrics(path).rows()}
    assert rows[("2026-11-20", "sessions")] == 7 and rows[("2026-11-20", "hotline_shown")] == 3
    assert rows[("2026-11-20", "language:es")] == 3 and rows[("2026-11-21", "idle_reset")] == 1
    counts.record(summary())
    assert counts.flush()
    assert {(d, c): v for d, c, v in Metrics(path).rows()}[("2026-11-21", "sessions")] == 2


def test_the_file_is_rewritten_every_hour_even_when_nobody_came(tmp_path: Path) -> None:
    """Its change time cannot be blurred, so it must change whether or not there were visits."""
    import os
    import time

    from kiosk.metrics import HourlyCounts
    path = tmp_path / "daily.sqlite"
    counts = HourlyCounts(Metrics(path, today=Day(dt.date(2026, 11, 20))))
    assert counts.flush()
    before = os.stat(path).st_ctime_ns
    time.sleep(0.02)
    assert counts.flush()  # nothing pending
    assert os.stat(path).st_ctime_ns > before
    assert Metrics(path).rows() == []


def test_counts_that_cannot_be_written_wait_for_the_next_hour(tmp_path: Path) -> None:
    from kiosk.metrics import HourlyCounts
    blocker = tmp_path / "counts"
    blocker.write_text("a file where the folder should be")  # as good as a full or broken disk
    path = blocker / "daily.sqlite"
    metrics = Metrics(path, today=Day(dt.date(2026, 11, 20)))
    counts = HourlyCounts(metrics)
    counts.record(summary())
    counts.record(summary())
    assert not counts.flush() and counts.pending == 2 and metrics.last_error
    blocker.unlink()  # room again
    assert counts.flush() and counts.pending == 0
    assert {(d, c): v for d, c, v in Metrics(path).rows()}[("2026-11-20", "sessions")] == 2


@pytest.mark.parametrize("now, expected", [
    (dt.datetime(2026, 11, 20, 14, 14, 30), 45 * 60 + 30),
    (dt.datetime(2026, 11, 20, 23, 59, 59, 500_000), 1.0),  # never a busy loop at the boundary
    (dt.datetime(2026, 11, 20, 15, 0, 0), 3600),
])
def test_seconds_to_the_next_hour(now: dt.datetime, expected: float) -> None:
    from kiosk.metrics import seconds_to_next_hour
    assert seconds_to_next_hour(now) == pytest.approx(expected)

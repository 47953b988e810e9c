"""Three days of visitors through the real kiosk, then the counts file read with sqlite3 itself.

Every visit is made of real touches on the drawn widgets (and the Escape key
through the window's keyboard event): the language list, help tiles, the
hotline card, read aloud, the QR warning and code, Close, three fingers, and
the idle timeout on the stepped clock. Each visit's end reaches the real
`kiosk.metrics.Metrics` exactly as `kiosk run` wires it (`Session(on_end=
metrics.record)`, kiosk/ui/device.py), on a real SQLite file whose day comes
from an injected `today`.

Then the file is opened with sqlite3 directly, as someone who took the device
would, and `kiosk metrics export` runs as a subprocess: what docs/privacy.md
promises is checked against what is really on disk and on the export.

For "nothing tells the order", the session summaries the kiosk handed over are
replayed, shuffled within each day and all reversed, through the same
`Metrics.record` into two more files, which must be byte for byte the same.
(Touching the visits through again in another order would double the test's
time; the order can only reach the file through `Metrics.record`.)
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import io
import os
import random
import re
import sqlite3
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from tests.ui.conftest import RecordingSpeaker
from tests.ui.uihelp import GATE_CLEAR, tap, widgets
from tests.ui.uihelp import three_fingers as touch_three_fingers

KIOSK_SCRIPT = Path(sys.executable).parent / "kiosk"  # the venv's console script
ROOT = Path(__file__).resolve().parents[2]
MONDAY, TUESDAY, WEDNESDAY = dt.date(2026, 11, 16), dt.date(2026, 11, 17), dt.date(2026, 11, 18)
WEEK = "2026-W47"  # the ISO week of all three days


# --- a visitor's hands -----------------------------------------------------------------------

def tiles(kiosk, where: Callable[[object], bool]) -> list:
    from kiosk.ui.widgets import Tile
    return widgets(kiosk.root, Tile, where)


def one_tile(kiosk, where: Callable[[object], bool], what: str):
    found = tiles(kiosk, where)
    assert found, f"no {what} on {kiosk.view.node_id} ({kiosk.view.language}, overlay {kiosk.overlay})"
    return found[0]


def header(env, kiosk, role: str) -> None:
    tap(env, one_tile(kiosk, lambda t: getattr(t, "role", None) == role, f"{role!r} control"))


def choose(env, kiosk, target: str) -> None:
    """Tap the option tile that leads to `target`, whatever the language's words for it."""
    number = next((o.number for o in kiosk.view.options if o.target == target), None)
    assert number is not None, f"{kiosk.view.node_id} has no option to {target}"
    tap(env, one_tile(kiosk, lambda t: getattr(t, "option_number", None) == number, f"option to {target}"))
    assert kiosk.view.node_id == target


def language(env, kiosk, tag: str) -> None:
    header(env, kiosk, "language")
    assert kiosk.overlay == "languages"
    tap(env, one_tile(kiosk, lambda t: getattr(t, "language_tag", None) == tag, f"{tag} in the list"))
    assert kiosk.view.language == tag and kiosk.overlay is None


def button(env, kiosk, ui_key: str) -> None:
    """A button under a contact card, found by the kiosk's own words in the current language."""
    words = kiosk.view.ui[ui_key]
    tap(env, one_tile(kiosk, lambda t: t.label_widget is not None and t.label_widget.source == words, words))


def read_aloud(env, kiosk) -> None:
    header(env, kiosk, "read_aloud")


def say_number_again(env, kiosk) -> None:
    button(env, kiosk, "say_again")


def show_qr(env, kiosk) -> None:
    button(env, kiosk, "show_qr")
    assert kiosk.overlay == "qr_warning"
    tap(env, one_tile(kiosk, lambda t: getattr(t, "qr_role", None) == "confirm", "the QR confirm button"))
    assert kiosk.overlay == "qr"


def close(env, kiosk) -> None:
    tap(env, kiosk.header.exit_button)


def three_fingers(env, kiosk) -> None:
    touch_three_fingers(env)


def escape(env, kiosk) -> None:
    from kivy.core.window import Window
    from kiosk.ui.kiosk import KEY_ESCAPE
    Window.dispatch("on_keyboard", KEY_ESCAPE, 41, None, [])  # as SDL reports a key press
    env.step(GATE_CLEAR, frames=2)


def walk_away(env, kiosk) -> None:
    # The kiosk's 1 s timer sends Tick; the session times out.
    env.step(kiosk.session.idle_timeout() + 1.0, frames=2)  # this page's wait (longer for a longer page)
    env.step(GATE_CLEAR)  # the next visitor comes along later than the reset's press gate


def to_start(env, kiosk) -> None:
    """The next visitor finds the screen the last one left (a health tip): they tap Start."""
    if kiosk.view.node_id != kiosk.session.pack.manifest.neutral:
        header(env, kiosk, "home")
    assert kiosk.view.neutral and not kiosk.session.active


# --- the visits ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Visit:
    """One visitor: what their hands do, and the counters docs/privacy.md says they add 1 to."""
    name: str
    hands: Callable[[object, object], None]
    counts: frozenset[str]


def visit(name: str, *counts: str):
    def wrap(hands: Callable[[object, object], None]) -> Visit:
        return Visit(name, hands, frozenset(counts))
    return wrap


HELP_HOTLINE = ("sessions", "help_opened", "hotline_shown", "contact_shown")


@visit("hotline, then Close", *HELP_HOTLINE, "quick_exit")
def hotline_close(env, kiosk) -> None:
    choose(env, kiosk, "safety")
    choose(env, kiosk, "hotline")
    close(env, kiosk)


@visit("signs, then three fingers", "sessions", "help_opened", "quick_exit")
def signs_fingers(env, kiosk) -> None:
    choose(env, kiosk, "safety")
    choose(env, kiosk, "signs")
    three_fingers(env, kiosk)


@visit("rights, then walks away", "sessions", "help_opened", "idle_reset")
def rights_idle(env, kiosk) -> None:
    choose(env, kiosk, "safety")
    choose(env, kiosk, "signs")  # the rights screen is one of the signs screen's ways on
    choose(env, kiosk, "rights")
    walk_away(env, kiosk)


@visit("hotline read aloud, then Escape", *HELP_HOTLINE, "read_aloud_used", "quick_exit")
def hotline_read_aloud_escape(env, kiosk) -> None:
    choose(env, kiosk, "safety")
    choose(env, kiosk, "hotline")
    read_aloud(env, kiosk)
    say_number_again(env, kiosk)
    escape(env, kiosk)


@visit("hotline QR code, then Close", *HELP_HOTLINE, "qr_shown", "quick_exit")
def hotline_qr_close(env, kiosk) -> None:
    choose(env, kiosk, "safety")
    choose(env, kiosk, "hotline")
    show_qr(env, kiosk)
    close(env, kiosk)


@visit("other lines (not the hotline), then Escape", "sessions", "help_opened", "contact_shown", "quick_exit")
def other_line_escape(env, kiosk) -> None:
    choose(env, kiosk, "safety")
    choose(env, kiosk, "who_help")
    choose(env, kiosk, "line_dv")
    escape(env, kiosk)


@visit("reads a tip aloud on the health screen, walks away", "sessions", "read_aloud_used", "idle_reset")
def tip_read_aloud_idle(env, kiosk) -> None:
    read_aloud(env, kiosk)
    walk_away(env, kiosk)


@visit("only health tips: not a visit")
def tips_only(env, kiosk) -> None:
    choose(env, kiosk, "tip_sleep")
    header(env, kiosk, "home")
    choose(env, kiosk, "tip_water")
    walk_away(env, kiosk)  # nothing to forget: no timeout, no count


def in_language(tag: str, then_exit: Callable[[object, object], None], exit_count: str) -> Visit:
    def hands(env, kiosk) -> None:
        language(env, kiosk, tag)
        choose(env, kiosk, "safety")
        choose(env, kiosk, "hotline")
        then_exit(env, kiosk)
    return Visit(f"hotline in {tag}", hands, frozenset({*HELP_HOTLINE, f"language:{tag}", exit_count}))


def language_only(tag: str) -> Visit:
    def hands(env, kiosk) -> None:
        language(env, kiosk, tag)
        walk_away(env, kiosk)
    return Visit(f"switches to {tag}, reads the tips, walks away", hands,
                 frozenset({"sessions", f"language:{tag}", "idle_reset"}))


def two_languages(first: str, second: str) -> Visit:
    def hands(env, kiosk) -> None:
        language(env, kiosk, first)
        choose(env, kiosk, "safety")
        language(env, kiosk, second)
        choose(env, kiosk, "signs")
        read_aloud(env, kiosk)
        three_fingers(env, kiosk)
    return Visit(f"{first}, then {second}, signs read aloud, three fingers", hands,
                 frozenset({"sessions", "help_opened", f"language:{first}", f"language:{second}",
                            "read_aloud_used", "quick_exit"}))


def the_days() -> dict[dt.date, list[Visit]]:
    """A busy Monday (shown on its own in the export) and two quiet days (folded into the week)."""
    monday = ([hotline_close] * 3 + [signs_fingers] * 2 + [rights_idle] * 2 + [hotline_read_aloud_escape] * 2
              + [hotline_qr_close] * 2 + [other_line_escape, tip_read_aloud_idle, tips_only]
              + [in_language("es", close, "quick_exit"), in_language("es", escape, "quick_exit"),
                 in_language("es", walk_away, "idle_reset"), in_language("zh-Hans", close, "quick_exit"),
                 in_language("ar", three_fingers, "quick_exit"), in_language("vi", escape, "quick_exit"),
                 language_only("ko"), language_only("es"), two_languages("ru", "fr"),
                 two_languages("es", "en")])
    tuesday = [hotline_close, in_language("es", escape, "quick_exit"), rights_idle, tips_only]
    wednesday = [hotline_qr_close, language_only("ht"), signs_fingers]
    return {MONDAY: monday, TUESDAY: tuesday, WEDNESDAY: wednesday}


def expected_counts(days: dict[dt.date, list[Visit]]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for day, visits in days.items():
        counts = Counter(name for v in visits for name in v.counts)
        out[day.isoformat()] = dict(counts)
    return out


# --- the kiosk as `kiosk run` wires it -------------------------------------------------------

class Today:
    """The calendar day the counts go to (Metrics' injected `today`)."""

    def __init__(self, day: dt.date) -> None:
        self.day = day

    def __call__(self) -> dt.date:
        return self.day


@dataclass(frozen=True)
class DayRun:
    data: Path  # LANTERN_DATA of the run
    db: Path
    expected: dict[str, dict[str, int]]  # day -> counter -> what the visitors did
    ended: list[tuple[dt.date, object]]  # (day, SessionSummary) as the kiosk handed them over


def drive(env, pack, data: Path, days: dict[dt.date, list[Visit]]) -> DayRun:
    """Run every visit through one kiosk whose sessions end into data/counts/daily.sqlite."""
    from kiosk.metrics import Metrics
    from kiosk.session import Session
    from kiosk.ui.kiosk import Kiosk
    from kiosk.ui.memory import freeze_startup_heap

    db = data / "counts" / "daily.sqlite"  # where kiosk.system.paths.metrics_path() puts it
    today = Today(min(days))
    metrics = Metrics(db, today=today)
    ended: list[tuple[dt.date, object]] = []

    def on_session_end(summary) -> None:  # noqa: ANN001 - kiosk.session.SessionSummary
        ended.append((today.day, summary))  # kept only to replay them in other orders
        metrics.record(summary)

    session = Session(pack, clock=env.time, on_end=on_session_end)  # as LanternApp wires on_session_end
    kiosk = Kiosk(session, clock=env.time, speaker=RecordingSpeaker())
    # As LanternApp.on_start does: what lives as long as the process (here: pytest's, too) is
    # left out of the full collection after each screen. Undone at the end, for later tests.
    freeze_startup_heap()
    kiosk.attach()
    try:
        env.step(GATE_CLEAR, frames=3)
        for day in sorted(days):
            today.day = day
            for v in days[day]:
                to_start(env, kiosk)
                v.hands(env, kiosk)
                assert not kiosk.session.active, f"{v.name}: the visit did not end"
                assert metrics.last_error is None, metrics.last_error
    finally:
        kiosk.detach()
        env.step(1.0)
        gc.unfreeze()
    return DayRun(data, db, expected_counts(days), ended)


@pytest.fixture(scope="module")
def day_run(kivy_env, built_in_pack, tmp_path_factory) -> DayRun:
    return drive(kivy_env, built_in_pack, tmp_path_factory.mktemp("lantern-data"), the_days())


def replay(ended: list[tuple[dt.date, object]], db: Path) -> Path:
    """The same finished visits, in the given order, through the same Metrics.record."""
    from kiosk.metrics import Metrics
    today = Today(ended[0][0])
    metrics = Metrics(db, today=today)
    for day, summary in ended:
        today.day = day
        assert metrics.record(summary), metrics.last_error  # type: ignore[arg-type]
    return db


def read_rows(db: Path, order_by: str = "ORDER BY day, counter") -> list[tuple]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)  # read-only: no journal, no new file
    try:
        return conn.execute(f"SELECT day, counter, value FROM daily_counts {order_by}").fetchall()
    finally:
        conn.close()


def by_day(rows: list[tuple]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for day, counter, value in rows:
        out.setdefault(day, {})[counter] = value
    return out


def midnight(day: dt.date) -> float:
    return dt.datetime.combine(day, dt.time()).timestamp()


# --- what is on disk -------------------------------------------------------------------------

def test_the_file_holds_dates_counter_names_and_numbers_and_nothing_else(day_run: DayRun, built_in_pack):
    from kiosk.metrics import COUNTERS, LANGUAGE_PREFIX
    data = day_run.db.read_bytes()
    conn = sqlite3.connect(f"file:{day_run.db}?mode=ro", uri=True)
    try:
        objects = conn.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
        assert [(kind, name) for kind, name, _ in objects] == [("table", "daily_counts")], objects
        assert "WITHOUT ROWID" in objects[0][2].upper()  # no hidden row numbers
        columns = [(name, kind, pk) for _, name, kind, _, _, pk in conn.execute("PRAGMA table_info(daily_counts)")]
        assert columns == [("day", "TEXT", 1), ("counter", "TEXT", 2), ("value", "INTEGER", 0)]
        with pytest.raises(sqlite3.OperationalError, match="no such column"):
            conn.execute("SELECT rowid FROM daily_counts")
        types = set(conn.execute("SELECT typeof(day), typeof(counter), typeof(value) FROM daily_counts"))
        assert types == {("text", "text", "integer")}
        rows = conn.execute("SELECT day, counter, value FROM daily_counts").fetchall()
    finally:
        conn.close()
    days = {day for day, _, _ in rows}
    assert days == {MONDAY.isoformat(), TUESDAY.isoformat(), WEDNESDAY.isoformat()}
    for day in days:  # a plain calendar date: YYYY-MM-DD and nothing finer
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", day) and dt.date.fromisoformat(day).isoformat() == day
    languages = set(built_in_pack.manifest.languages)
    for _, counter, value in rows:
        assert counter in COUNTERS or counter.removeprefix(LANGUAGE_PREFIX) in languages, counter
        assert value > 0
    assert re.search(rb"\d\d:\d\d", data) is None  # no clock time anywhere in the file's bytes


def test_the_counts_are_what_the_visitors_did_on_each_day(day_run: DayRun):
    got = by_day(read_rows(day_run.db))
    assert got == day_run.expected
    monday = got[MONDAY.isoformat()]
    assert monday["sessions"] == len(the_days()[MONDAY]) - 1  # the one who only read tips is no visit
    assert monday["sessions"] == monday["quick_exit"] + monday["idle_reset"]
    assert {c for c in monday if c.startswith("language:")} == {
        f"language:{t}" for t in ("es", "zh-Hans", "ar", "vi", "ko", "ru", "fr", "en")}
    assert len(day_run.ended) == sum(day["sessions"] for day in got.values())


def test_nothing_in_the_file_tells_the_order_the_visits_came_in(day_run: DayRun, tmp_path: Path):
    """The same visits, shuffled within each day, and all reversed: the same bytes on disk."""
    rows = read_rows(day_run.db, order_by="")  # the table's own order, as stored
    assert rows == sorted(rows)  # by day and counter name, not by when anything happened
    ended = day_run.ended
    rng = random.Random(47)
    shuffled = [e for day in sorted({d for d, _ in ended})
                for e in rng.sample([e for e in ended if e[0] == day], k=sum(1 for d, _ in ended if d == day))]
    assert shuffled != ended
    for name, order in (("shuffled", shuffled), ("reversed", ended[::-1])):
        other = replay(order, tmp_path / name / "daily.sqlite")
        assert read_rows(other) == read_rows(day_run.db), name
        # Not only the same rows: the same bytes. Within a page SQLite puts each new or
        # grown row where there is room; kiosk.metrics rewrites the file in key order.
        assert other.read_bytes() == day_run.db.read_bytes(), f"{name}: the layout depends on the order"
    conn = sqlite3.connect(f"file:{day_run.db}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA freelist_count").fetchone()[0] == 0  # no old pages kept
    finally:
        conn.close()


def test_the_file_times_say_only_the_day(day_run: DayRun):
    """The file's and its folder's modification times are midnight of the last day written.

    (Their inode change times cannot be set by any program: docs/privacy.md says so.)"""
    folder = day_run.db.parent
    assert sorted(p.name for p in folder.iterdir()) == ["daily.sqlite"]  # no journal left behind
    for path in (day_run.db, folder):
        assert path.stat().st_mtime == midnight(WEDNESDAY), path


# --- what a facility can export --------------------------------------------------------------

def export_as_documented(expected: dict[str, dict[str, int]]) -> list[tuple[str, str, str]]:
    """docs/privacy.md: a day with fewer than 5 visits is added to its ISO week's row;
    any count from 1 to 4 shows as <5."""
    totals: Counter[tuple[str, str]] = Counter()
    for day, counts in expected.items():
        year, week, _ = dt.date.fromisoformat(day).isocalendar()
        period = day if counts["sessions"] >= 5 else f"{year}-W{week:02d}"
        for counter, value in counts.items():
            totals[(period, counter)] += value
    return sorted((p, c, "<5" if 1 <= v <= 4 else str(v)) for (p, c), v in totals.items())


def kiosk_cli(data: Path, *args: str) -> str:
    command = [str(KIOSK_SCRIPT)] if KIOSK_SCRIPT.is_file() else [sys.executable, "-m", "kiosk.cli"]
    env = {**os.environ, "LANTERN_DATA": str(data)}
    done = subprocess.run([*command, *args], capture_output=True, text=True, timeout=60, env=env, cwd=ROOT)
    assert done.returncode == 0 and not done.stderr, done.stderr
    return done.stdout


def test_export_hides_small_counts_and_folds_quiet_days_into_their_week(day_run: DayRun):
    expected = export_as_documented(day_run.expected)
    periods = {p for p, _, _ in expected}
    assert periods == {MONDAY.isoformat(), WEEK}  # the test's days are one busy and two quiet
    shown = {(p, c): v for p, c, v in expected}
    # The week's row: 3 + 3 visits is "6"; help opened 3 + 2 is "5"; hotline 2 + 1 is "<5".
    assert (shown[(WEEK, "sessions")], shown[(WEEK, "help_opened")], shown[(WEEK, "hotline_shown")]) == (
        "6", "5", "<5")
    assert shown[(MONDAY.isoformat(), "language:ko")] == "<5"

    table = kiosk_cli(day_run.data, "metrics", "export").splitlines()
    assert table[0].split() == ["period", "counter", "count"]
    assert sorted(tuple(line.split()) for line in table[1:]) == expected

    text = kiosk_cli(day_run.data, "metrics", "export", "--csv")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == ["period", "counter", "count"]
    assert sorted(tuple(line) for line in lines[1:]) == expected
    for _, _, count in lines[1:]:
        assert count == "<5" or int(count) >= 5
    assert TUESDAY.isoformat() not in text and WEDNESDAY.isoformat() not in text

    since = list(csv.reader(io.StringIO(kiosk_cli(day_run.data, "metrics", "export", "--csv",
                                                  "--since", TUESDAY.isoformat()))))
    assert sorted(tuple(line) for line in since[1:]) == [r for r in expected if r[0] == WEEK]
    # Reading the counts changes nothing on disk, not even the file's time.
    assert day_run.db.stat().st_mtime == midnight(WEDNESDAY)
    assert sorted(p.name for p in day_run.db.parent.iterdir()) == ["daily.sqlite"]


def test_docs_privacy_lists_the_counters_and_rules_this_test_checks():
    """The export rules above are written from docs/privacy.md: keep the two in step."""
    from kiosk.metrics import COUNTERS, LANGUAGE_PREFIX, QUIET_DAY, SMALL_COUNT
    doc = (ROOT / "docs" / "privacy.md").read_text()
    table = set(re.findall(r"^\| `([a-z_:A-Z]+)` \|", doc, flags=re.MULTILINE))
    assert table == set(COUNTERS) | {LANGUAGE_PREFIX + "XX"}
    assert (SMALL_COUNT, QUIET_DAY) == (5, 5)
    assert "any count from 1 to 4 is shown as `<5`" in doc
    assert "a day with fewer than 5 visits" in doc and "ISO week" in doc

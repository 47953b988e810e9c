"""The local services directory: hours, checks, the SQLite database and the query API."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest

from kiosk.content.directory import (
    CATEGORIES, build_directory, ensure_directory, find_services, fingerprint, load_services,
    stored_fingerprint,
)
from kiosk.content.hours import WEEK, HoursError, parse_hours
from kiosk.content.packs import open_pack

ROOT = Path(__file__).resolve().parents[2]
MS = ROOT / "examples" / "packs" / "mississippi"
TODAY = dt.date(2026, 11, 22)
# 2026-11-23 is a Monday.
MON = dt.date(2026, 11, 23)


def at(day_offset: int, hhmm: str) -> dt.datetime:
    h, m = map(int, hhmm.split(":"))
    return dt.datetime.combine(MON + dt.timedelta(days=day_offset), dt.time(h, m))


# --- hours ---------------------------------------------------------------------

def test_weekday_hours() -> None:
    hours = parse_hours(["mon-fri 09:00-17:00", "sat 10:00-14:00"])
    assert hours.open_at(at(0, "09:00")) and hours.open_at(at(4, "16:59"))
    assert not hours.open_at(at(0, "17:00")) and not hours.open_at(at(0, "08:59"))
    assert hours.open_at(at(5, "12:00")) and not hours.open_at(at(6, "12:00"))


def test_overnight_and_week_wrap() -> None:
    hours = parse_hours(["sun 22:00-06:00"])
    assert hours.open_at(at(6, "23:30")) and hours.open_at(at(0, "05:59"))  # Sunday night into Monday
    assert not hours.open_at(at(0, "06:00")) and not hours.open_at(at(5, "23:00"))
    assert parse_hours(["fri,sat 23:00-02:00"]).open_at(at(5, "01:00"))


def test_always_lists_and_merging() -> None:
    assert parse_hours(["always"]).always
    assert parse_hours(["daily 00:00-24:00"]).intervals == ((0, WEEK),)
    split = parse_hours(["daily 08:00-12:00, 13:00-17:00"])
    assert split.open_at(at(2, "11:00")) and not split.open_at(at(2, "12:30"))
    assert parse_hours(["sat-mon 10:00-11:00"]).open_at(at(0, "10:30"))  # ranges wrap the week


@pytest.mark.parametrize("rule, message", [
    ("mon-fry 09:00-17:00", "'mon-fry' is not a day"),
    ("mon-fri 9-5", "'9-5' in 'mon-fri 9-5' is not a time range"),
    ("mon 10:00-10:00", "opens and closes at the same time"),
    ("weekdays", "write days and times"),
    ("mon 25:00-26:00", "hours go from 00:00 to 24:00"),
])
def test_bad_rules_say_what_to_write(rule: str, message: str) -> None:
    with pytest.raises(HoursError, match=message):
        parse_hours([rule])


def test_aware_times_are_read_in_device_local_time() -> None:
    hours = parse_hours(["mon 09:00-10:00"])
    local = at(0, "09:30").astimezone()  # aware, same moment
    assert hours.open_at(local)


# --- checks ----------------------------------------------------------------------

def write_services(root: Path, body: str, name: str = "services.yaml") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("services:\n" + body)
    return root


def test_sample_directory_is_clean() -> None:
    loaded = load_services([MS], "US-MS", sample=True, today=TODAY)
    assert loaded.problems == []
    assert len(loaded.services) >= 7
    used = {c for s in loaded.services.values() for c in s.categories}
    assert used == set(CATEGORIES)


def test_bad_services_are_reported_with_place(tmp_path: Path) -> None:
    root = write_services(tmp_path / "ms", """\
  - id: one
    name: Sample One
    categories: [shelter, legel]
    languages: [en, Spanish]
    hours: ["mon-fri 09:00-17:00", "sunday 10:00-12:00"]
    phone: "601-555-9"
    verified: 2027-01-01
  - id: two
    name: Sample Two
    categories: [medical]
    hours: always
    phone: "601-555-0123"
  - id: one
    name: Again
    categories: [youth]
    hours: always
    address: Somewhere
    verified: 2024-01-01
""")
    loaded = load_services([root], "US-MS", sample=False, today=TODAY)
    lines = [p.format() for p in loaded.problems]
    expect = [
        "ms/services.yaml:4:27: error: service 'one': unknown category 'legel'; did you mean 'legal'?",
        "ms/services.yaml:5:21: error: 'Spanish' in 'languages'",
        "ms/services.yaml:6:36: error: service 'one': 'sunday' is not a day",
        "ms/services.yaml:7:12: error: service 'one': phone number '601-555-9' is not valid",
        "ms/services.yaml:8:15: error: service 'one': verified date 2027-01-01 is in the future",
        "ms/services.yaml:13:12: warning: service 'two': phone number '601-555-0123' is a fictional",
        "ms/services.yaml:9:5: error: service 'two' has no 'verified:' date",
        "ms/services.yaml:14:5: error: service id 'one' is used twice",
    ]
    for start in expect:
        assert any(line.startswith(start) for line in lines), (start, lines)


def test_stale_service_is_a_warning(tmp_path: Path) -> None:
    root = write_services(tmp_path / "p", """\
  - id: old
    name: Sample Old
    categories: [legal]
    hours: always
    phone: "601-555-0100"
    verified: 2025-01-01
""")
    (problem,) = load_services([root], "US", sample=True, today=TODAY).problems
    assert problem.severity == "warning" and "more than a year ago" in problem.message


def test_validate_reports_services_problems(tmp_path: Path) -> None:
    from kiosk.content.validate import validate_path
    pack = tmp_path / "mississippi"
    shutil.copytree(MS, pack)
    text = (pack / "services.yaml").read_text().replace("categories: [medical]", "categories: [clinic]")
    (pack / "services.yaml").write_text(text)
    found = [p.format() for p in validate_path(pack) if p.severity == "error"]
    assert len(found) == 1 and found[0].startswith("mississippi/services.yaml:")
    assert "unknown category 'clinic'" in found[0]


# --- the database and the query ---------------------------------------------------------

@pytest.fixture(scope="module")
def ms_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("dir") / "directory.sqlite"
    loaded = load_services([MS], "US-MS", sample=True, today=TODAY)
    build_directory(loaded, db, fingerprint([MS]) or "")
    return db


def ids(services: list) -> list[str]:  # type: ignore[type-arg]
    return [s.id for s in services]


def test_find_by_category_language_and_time(ms_db: Path) -> None:
    assert ids(find_services(ms_db, category="medical")) == ["sample_clinic_delta"]
    assert set(ids(find_services(ms_db, category="shelter"))) == {"sample_shelter_jackson",
                                                                   "sample_youth_drop_in"}
    # Vietnamese: those who speak it first, then those offering interpreters.
    assert ids(find_services(ms_db, language="vi")) == ["sample_counseling_coast", "sample_immigrant_help",
                                                        "sample_legal_aid"]
    # Broader and narrower tags match: es-MX finds es.
    assert "sample_worker_center" in ids(find_services(ms_db, language="es-MX"))
    # Monday 10:00: the 24-hour shelter and weekday services; Monday 03:00: only the shelter.
    monday_10 = set(ids(find_services(ms_db, open_at=at(0, "10:00"))))
    assert {"sample_shelter_jackson", "sample_legal_aid", "sample_clinic_delta"} <= monday_10
    assert "sample_worker_center" not in monday_10  # tue-sat
    assert ids(find_services(ms_db, open_at=at(0, "03:00"))) == ["sample_shelter_jackson"]
    # Saturday 01:00: the youth drop-in's Friday-night hours run past midnight.
    assert "sample_youth_drop_in" in ids(find_services(ms_db, open_at=at(5, "01:00")))
    both = find_services(ms_db, category="legal", language="es", open_at=at(1, "12:00"))
    assert ids(both) == ["sample_legal_aid", "sample_worker_center"]


def test_limit_keeps_the_first_in_order(ms_db: Path) -> None:
    everything = ids(find_services(ms_db))
    assert everything == sorted(everything, key=lambda i: [s.name for s in find_services(ms_db)
                                                           if s.id == i][0].casefold())
    assert ids(find_services(ms_db, limit=3)) == everything[:3]
    vi = ids(find_services(ms_db, language="vi"))
    assert [ids(find_services(ms_db, language="vi", limit=n)) for n in (1, 2, 3)] == [vi[:1], vi[:2], vi[:3]]


def test_services_come_back_whole(ms_db: Path) -> None:
    (svc,) = [s for s in find_services(ms_db) if s.id == "sample_legal_aid"]
    assert svc.name == "Sample Legal Aid Project"
    assert svc.categories == ("legal", "immigration_legal")
    assert svc.languages == ("en", "es", "interpreters")
    assert svc.hours == ("mon-fri 09:00-17:00",)
    assert (svc.free, svc.phone, svc.text) == (True, "601-555-0103", "601-555-0104")
    assert svc.verified == dt.date(2026, 11, 1)
    assert find_services(ms_db, category="youth", language="ko") == []


def test_query_uses_the_indexes(ms_db: Path) -> None:
    conn = sqlite3.connect(ms_db)
    plan = " ".join(row[3] for row in conn.execute(
        "EXPLAIN QUERY PLAN SELECT n FROM service_categories WHERE category = ?", ["legal"]))
    assert "USING" in plan and "INDEX" in plan, plan
    plan = " ".join(row[3] for row in conn.execute(
        "EXPLAIN QUERY PLAN SELECT n FROM service_languages WHERE tag IN ('es')"))
    assert "INDEX" in plan, plan
    conn.close()


def test_directory_is_built_once_and_rebuilt_when_services_change(tmp_path: Path) -> None:
    pack_dir = tmp_path / "mississippi"
    shutil.copytree(MS, pack_dir)
    pack = open_pack(pack_dir).pack
    assert pack is not None
    db = tmp_path / "d.sqlite"
    first = ensure_directory(pack, db, TODAY)
    assert first.rebuilt and first.path == db and stored_fingerprint(db) == fingerprint(pack.layers)
    again = ensure_directory(pack, db, TODAY)
    assert not again.rebuilt and again.path == db
    services = pack_dir / "services.yaml"
    services.write_text(services.read_text().replace("Sample Safe House (Jackson)", "Sample Safe House"))
    changed = ensure_directory(pack, db, TODAY)
    assert changed.rebuilt
    assert "Sample Safe House" in [s.name for s in find_services(db, category="shelter")]


def test_a_damaged_database_is_rebuilt(tmp_path: Path) -> None:
    pack = open_pack(MS).pack
    assert pack is not None
    db = tmp_path / "d.sqlite"
    db.write_bytes(b"not a database at all" * 100)
    status = ensure_directory(pack, db, TODAY)
    assert status.rebuilt and len(find_services(db)) >= 7


def test_services_split_across_files_and_layers(tmp_path: Path) -> None:
    base = write_services(tmp_path / "base", """\
  - id: a
    name: Sample A
    categories: [legal]
    hours: always
    phone: "601-555-0100"
    verified: 2026-11-01
""")
    over = write_services(tmp_path / "over", """\
  - id: a
    name: Sample A (moved)
    categories: [legal]
    hours: always
    phone: "601-555-0101"
    verified: 2026-11-01
""", name="services/north.yaml")
    write_services(over, """\
  - id: b
    name: Sample B
    categories: [youth]
    hours: always
    phone: "601-555-0102"
    verified: 2026-11-01
""", name="services/south.yaml")
    loaded = load_services([base, over], "US", sample=True, today=TODAY)
    assert loaded.problems == []
    assert {s.id: s.name for s in loaded.services.values()} == {"a": "Sample A (moved)", "b": "Sample B"}


def test_services_command(kiosk_cmd: list[str], tmp_path: Path) -> None:
    import json
    import os
    import subprocess
    env = {**os.environ, "LANTERN_DATA": str(tmp_path / "data")}
    run = subprocess.run([*kiosk_cmd, "services", "--pack", str(MS), "--category", "legal", "--lang", "es",
                          "--json"], capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr
    assert [s["id"] for s in json.loads(run.stdout)] == ["sample_legal_aid", "sample_worker_center"]
    text = subprocess.run([*kiosk_cmd, "services", "--pack", str(MS), "--category", "youth"],
                          capture_output=True, text=True, env=env)
    assert "Sample Youth Drop-In  [youth, shelter]" in text.stdout
    assert "call 601-555-0140" in text.stdout
    bad = subprocess.run([*kiosk_cmd, "services", "--pack", str(MS), "--category", "food"],
                         capture_output=True, text=True, env=env)
    assert bad.returncode == 1 and bad.stderr.startswith("kiosk: unknown category 'food'")

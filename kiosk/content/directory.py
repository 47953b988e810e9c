"""The local services directory: `services.yaml` in a pack, kept in SQLite.

A pack may list local services (shelters, legal aid, clinics...) in
`services.yaml` and/or `services/*.yaml` (split a statewide directory across
files: each file obeys the 1 MiB pack-file limit). They are checked like
contacts, then loaded with sqlite-utils into `directory.sqlite` when a pack is
installed. At start-up the YAML is not parsed again: the database records a
fingerprint of the files it was built from, and only a mismatch rebuilds it.

`find_services()` is the one query the UI needs: by category, by language, and
open at a given moment (the device's local time).
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import hashlib
import os
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Protocol

import yaml

from kiosk.content.builtin import language_chain
from kiosk.content.hours import HoursError, merge_intervals, minute_of_week, parse_hours
from kiosk.content.layout import services_files
from kiosk.content.load import ID_RE, LANG_HINT, LANG_RE, Reader, describe, display_path
from kiosk.content.model import INTERPRETERS, SERVICE_CATEGORIES, Pack
from kiosk.content.phones import check_number
from kiosk.content.problems import Problem, Where, has_errors
from kiosk.content.yamlpos import LMap, LScalar, LSeq, YamlError, load_yaml
from kiosk.system.paths import data_dir

CATEGORIES: tuple[str, ...] = SERVICE_CATEGORIES
MAX_SERVICES = 50_000
STALE_AFTER_DAYS = 365
SCHEMA = "lantern-directory-3"
_SEP = "\x1f"  # joins list columns: no pack text contains it (YAML refuses control characters)
DB_NAME = "directory.sqlite"
_LANGUAGE_RE = re.compile(LANG_RE.pattern + r"|^interpreters$")
# A statewide directory is thousands of entries: libyaml parses it several times faster
# than pure-Python PyYAML, with the same line and column marks.
_FAST_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Service:
    """One local service, as a visitor's screen needs it."""

    id: str
    name: str
    categories: tuple[str, ...]
    languages: tuple[str, ...]
    hours: tuple[str, ...]  # rules as written ("always", "mon-fri 09:00-17:00")
    free: bool | None = None  # None: the pack does not say
    address: str | None = None
    phone: str | None = None
    text: str | None = None
    verified: dt.date | None = None
    source: str | None = None
    where: Where | None = field(default=None, compare=False)


@dataclass(frozen=True)
class ServicesLoad:
    services: dict[str, Service]
    intervals: dict[str, tuple[tuple[int, int], ...]]  # service id -> open minutes of the week
    problems: list[Problem]


@dataclass(frozen=True)
class DirectoryStatus:
    path: Path | None  # None: the pack lists no services, or they have errors
    problems: list[Problem]
    rebuilt: bool = False


# --- reading services.yaml ---------------------------------------------------


def pack_layers(pack: Pack) -> tuple[Path, ...]:
    return pack.layers or (pack.root,)


def _read_service(item: object, region: str, sample: bool, today: dt.date,
                  problems: list[Problem]) -> tuple[Service, tuple[tuple[int, int], ...]] | None:
    if not isinstance(item, LMap):
        where = getattr(item, "where", Where("services.yaml"))
        problems.append(Problem.error(where, "a service must be a mapping"))
        return None
    r = Reader(item, problems, "a service")
    sid = r.text("id", True, ID_RE, "service ids use a-z, 0-9 and '_' and start with a letter")
    if sid:
        r.what = f"service '{sid}'"
    name = r.text("name", True)
    cats = r.text_list("categories", True)
    langs = r.text_list("languages", False, _LANGUAGE_RE, LANG_HINT + " or 'interpreters'")
    hours_value = item.get("hours")
    r.seen.add("hours")
    free_raw = item.get("free")
    free = r.boolean("free") if free_raw is not None else None
    address = r.text("address")
    phone = r.text("phone")
    text = r.text("text")
    verified = r.date("verified")
    source = r.text("source")
    r.finish()
    if not sid or not name:
        return None
    label = f"service '{sid}'"
    for cat, where in cats:
        if cat not in CATEGORIES:
            guess = difflib.get_close_matches(cat, CATEGORIES, n=1)
            hint = f"; did you mean '{guess[0]}'?" if guess else f" (one of: {', '.join(CATEGORIES)})"
            problems.append(Problem.error(where, f"{label}: unknown category '{cat}'{hint}"))
    if not cats and "categories" in item.items:
        problems.append(Problem.error(r.where("categories"), f"{label} lists no categories"))
    rules: list[tuple[str, Where]] = []
    if hours_value is None:
        problems.append(Problem.error(item.where, f"{label} needs 'hours' (e.g. 'always' or "
                                      "['mon-fri 09:00-17:00'])"))
    elif isinstance(hours_value, LScalar) and isinstance(hours_value.value, str):
        rules.append((hours_value.value, hours_value.where))
    elif isinstance(hours_value, LSeq):
        if not hours_value.items:
            problems.append(Problem.error(hours_value.where, f"{label}: 'hours' is empty"))
        for rule in hours_value.items:
            if isinstance(rule, LScalar) and isinstance(rule.value, str):
                rules.append((rule.value, rule.where))
            else:
                problems.append(Problem.error(rule.where, f"{label}: an hours rule must be text like "
                                              f"'mon-fri 09:00-17:00', not {describe(rule)}"))
    else:
        problems.append(Problem.error(hours_value.where, f"{label}: 'hours' must be 'always' or a list "
                                      f"of rules, not {describe(hours_value)}"))
    intervals: list[tuple[int, int]] = []
    for rule, where in rules:
        try:
            intervals.extend(parse_hours([rule]).intervals)
        except HoursError as exc:
            problems.append(Problem.error(where, f"{label}: {exc}"))
    for key, raw in (("phone", phone), ("text", text)):
        if not raw:
            continue
        verdict = check_number(raw, region)
        if verdict.verdict == "invalid":
            problems.append(Problem.error(r.where(key), f"{label}: {key} number '{raw}' is not valid: "
                                          f"{verdict.reason}"))
        elif verdict.verdict == "fictional" and not sample:
            problems.append(Problem.warning(r.where(key), f"{label}: {key} number '{raw}' is a fictional "
                                            "555-01xx number in a pack not marked 'sample: true'"))
    if not (phone or text or address):
        problems.append(Problem.error(item.where, f"{label} has no phone, text or address"))
    if verified is None and "verified" not in item.items:
        problems.append(Problem.error(item.where, f"{label} has no 'verified:' date (the day someone "
                                      "checked it)"))
    elif verified is not None and verified > today:
        problems.append(Problem.error(r.where("verified"), f"{label}: verified date {verified} is in the "
                                      "future"))
    elif verified is not None and (today - verified).days > STALE_AFTER_DAYS:
        problems.append(Problem.warning(r.where("verified"), f"{label} was last verified on {verified}, "
                                        "more than a year ago; check it again"))
    service = Service(id=sid, name=name, categories=tuple(c for c, _ in cats),
                      languages=tuple(t for t, _ in langs), hours=tuple(r for r, _ in rules), free=free,
                      address=address, phone=phone, text=text, verified=verified, source=source,
                      where=item.where)
    return service, merge_intervals(intervals)


def load_services(layers: Iterable[Path], region: str, sample: bool,
                  today: dt.date | None = None) -> ServicesLoad:
    """Every service of every layer (a later layer's id replaces an earlier one), checked."""
    today = today or dt.date.today()
    problems: list[Problem] = []
    services: dict[str, Service] = {}
    intervals: dict[str, tuple[tuple[int, int], ...]] = {}
    origin: dict[str, int] = {}
    for depth, root in enumerate(layers):
        own: set[str] = set()
        for path in services_files(root):
            shown = display_path(path, Path(root))
            try:
                value = load_yaml(path, shown, _FAST_LOADER)
            except YamlError as exc:
                problems.append(exc.problem)
                continue
            if value is None:
                continue
            if not isinstance(value, LMap):
                problems.append(Problem.error(value.where, "the file must be a mapping with 'services:'"))
                continue
            r = Reader(value, problems, f"services file {path.name}")
            seq = r.seq("services", True)
            r.finish()
            for item in seq.items if seq else ():
                read = _read_service(item, region, sample, today, problems)
                if read is None:
                    continue
                service, opens = read
                if service.id in own:
                    problems.append(Problem.error(service.where or Where(shown), f"service id "
                                                  f"'{service.id}' is used twice (first at "
                                                  f"{services[service.id].where})"))
                    continue
                own.add(service.id)
                origin[service.id] = depth
                services[service.id] = service
                intervals[service.id] = opens
                if len(services) > MAX_SERVICES:
                    problems.append(Problem.error(service.where or Where(shown), f"more than {MAX_SERVICES} "
                                                  "services; split the directory by region"))
                    return ServicesLoad(services, intervals, problems)
    return ServicesLoad(services, intervals, problems)


# --- the database --------------------------------------------------------------

def fingerprint(layers: Iterable[Path]) -> str | None:
    """What the database was built from: the services files' names and bytes."""
    digest = hashlib.sha256(SCHEMA.encode())
    found = False
    for i, root in enumerate(layers):
        for path in services_files(root):
            found = True
            digest.update(f"\0{i}\0{path.relative_to(root).as_posix()}\0".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest() if found else None


def directory_path(pack_root: Path) -> Path:
    """An installed pack keeps its database next to its files (packs/<slot>/directory.sqlite);
    a pack run from a folder keeps one in the data directory's cache."""
    root = Path(pack_root).resolve()
    packs = (data_dir() / "packs").resolve()
    if root.parent.parent == packs:
        return root.parent / DB_NAME
    key = hashlib.sha256(str(root).encode()).hexdigest()[:16]
    return data_dir() / "cache" / f"directory-{key}.sqlite"


def build_directory(loaded: ServicesLoad, db_path: Path, print_: str) -> None:
    """Write the database next to `db_path`, then move it into place in one step."""
    import sqlite_utils  # only when building: it is slow to import, and start-up does not need it
    db_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = db_path.with_name(f".{db_path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    conn = sqlite3.connect(tmp)
    # A scratch file until it is renamed into place, so no journal and no syncs while
    # writing: the whole file is fsynced once at the end.
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    try:
        db = sqlite_utils.Database(conn)
        # `n` numbers the services in name order: queries walk it and stop at their limit,
        # and the link tables join on small integers.
        db["services"].create({"n": int, "id": str, "name": str, "categories": str, "languages": str,
                               "hours": str, "free": int, "address": str, "phone": str, "text": str,
                               "verified": str, "source": str}, pk="n")
        db["service_categories"].create({"category": str, "n": int}, pk=("category", "n"))
        db["service_languages"].create({"tag": str, "n": int}, pk=("tag", "n"))
        db["service_hours"].create({"n": int, "start": int, "end": int})
        db["meta"].create({"key": str, "value": str}, pk="key")
        services = sorted(loaded.services.values(), key=lambda s: (s.name.casefold(), s.id))
        numbered = list(enumerate(services, start=1))
        db["services"].insert_all(({
            "n": n, "id": s.id, "name": s.name, "categories": _SEP.join(s.categories),
            "languages": _SEP.join(s.languages), "hours": _SEP.join(s.hours),
            "free": None if s.free is None else int(s.free), "address": s.address, "phone": s.phone,
            "text": s.text, "verified": s.verified.isoformat() if s.verified else None,
            "source": s.source} for n, s in numbered), batch_size=1000)
        db["service_categories"].insert_all(({"category": c, "n": n}
                                             for n, s in numbered for c in dict.fromkeys(s.categories)),
                                            batch_size=2000)
        db["service_languages"].insert_all(({"tag": t, "n": n}
                                            for n, s in numbered for t in dict.fromkeys(s.languages)),
                                           batch_size=2000)
        db["service_hours"].insert_all(({"n": n, "start": a, "end": b}
                                        for n, s in numbered for a, b in loaded.intervals[s.id]),
                                       batch_size=2000)
        db["service_hours"].create_index(["n", "start", "end"])
        db["service_languages"].create_index(["n", "tag"])
        db["services"].create_index(["id"], unique=True)
        db["meta"].insert_all([{"key": "schema", "value": SCHEMA}, {"key": "fingerprint", "value": print_},
                               {"key": "count", "value": str(len(services))}])
        conn.commit()
        conn.execute("ANALYZE")
        conn.commit()
    finally:
        conn.close()
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, db_path)
    from kiosk.content.install import fsync_dir  # the installer's, only on this slow path
    fsync_dir(db_path.parent)


def connect(db_path: Path) -> sqlite3.Connection:
    """Open a directory read-only with the standard library (quick to import at start-up)."""
    return sqlite3.connect(f"file:{Path(db_path).resolve()}?mode=ro", uri=True)


def stored_fingerprint(db_path: Path) -> str | None:
    if not Path(db_path).is_file():
        return None
    try:
        conn = connect(db_path)
        try:
            rows = conn.execute("SELECT key, value FROM meta WHERE key IN ('schema', 'fingerprint')").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return None
    meta = {row[0]: row[1] for row in rows}
    return meta.get("fingerprint") if meta.get("schema") == SCHEMA else None


def ensure_directory(pack: Pack, db_path: Path | None = None, today: dt.date | None = None) -> DirectoryStatus:
    """The pack's directory database, ready to query; rebuilt only when its files changed."""
    layers = pack_layers(pack)
    print_ = fingerprint(layers)
    if print_ is None:
        return DirectoryStatus(None, [])
    db_path = db_path or directory_path(pack.root)
    if stored_fingerprint(db_path) == print_:
        return DirectoryStatus(db_path, [])
    loaded = load_services(layers, pack.manifest.region, pack.manifest.sample, today)
    if has_errors(loaded.problems):
        return DirectoryStatus(None, loaded.problems)
    build_directory(loaded, db_path, print_)
    return DirectoryStatus(db_path, loaded.problems, rebuilt=True)


# --- the query ---------------------------------------------------------------

class _HasConn(Protocol):
    conn: sqlite3.Connection  # a sqlite_utils.Database


_COLUMNS = "s.id, s.name, s.categories, s.languages, s.hours, s.free, s.address, s.phone, s.text, " \
           "s.verified, s.source"


# Rows repeat the same few category, language, hours and date values: caching their
# parsed form halves the time to turn a long result list into Services.
@functools.lru_cache(maxsize=4096)
def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split(_SEP)) if text else ()


@functools.lru_cache(maxsize=1024)
def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _row_to_service(row: tuple) -> Service:  # type: ignore[type-arg]
    sid, name, cats, langs, hours, free, address, phone, text, verified, source = row
    return Service(sid, name, _split(cats), _split(langs), _split(hours),
                   None if free is None else bool(free), address, phone, text, _date(verified), source)


def find_services(db: sqlite3.Connection | _HasConn | Path | str,
                  category: str | None = None, language: str | None = None,
                  open_at: dt.datetime | None = None, limit: int | None = None) -> list[Service]:
    """Services in `category`, speaking `language`, open at `open_at` (device local time).

    A language matches its broader and narrower tags (es-MX finds es; zh finds
    zh-Hans); services that offer interpreters come after those that speak it.
    Results are in name order; `limit` keeps the first ones (a screenful). Pure: reads
    the database and nothing else.
    """
    own = isinstance(db, (str, Path))
    conn: sqlite3.Connection = connect(Path(db)) if own else getattr(db, "conn", db)  # type: ignore[arg-type]
    where: list[str] = []
    params: list[object] = []
    if category is not None:
        where.append("s.n IN (SELECT n FROM service_categories WHERE category = ?)")
        params.append(category)
    if open_at is not None:
        minute = minute_of_week(open_at)
        where.append("EXISTS (SELECT 1 FROM service_hours h WHERE h.n = s.n AND h.start <= ? AND ? < h.end)")
        params.extend([minute, minute])
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples, whatever the connection's factory
    try:
        if language is None:
            return _select(cursor, where, params, limit)
        chain = language_chain(language)
        speaks = (f"SELECT n FROM service_languages WHERE tag IN ({', '.join('?' for _ in chain)}) "
                  "OR (tag >= ? AND tag < ?)")
        speaks_params = [*chain, language + "-", language + "."]
        found = _select(cursor, [*where, f"s.n IN ({speaks})"], [*params, *speaks_params], limit)
        if limit is not None and len(found) >= limit:
            return found
        rest = None if limit is None else limit - len(found)
        interpreters = [*where, "s.n IN (SELECT n FROM service_languages WHERE tag = ?)",
                        f"s.n NOT IN ({speaks})"]
        return found + _select(cursor, interpreters, [*params, INTERPRETERS, *speaks_params], rest)
    finally:
        cursor.close()
        if own:
            conn.close()


def _select(cursor: sqlite3.Cursor, where: list[str], params: list[object], limit: int | None) -> list[Service]:
    sql = f"SELECT {_COLUMNS} FROM services s" + (" WHERE " + " AND ".join(where) if where else "") \
        + " ORDER BY s.n" + (" LIMIT ?" if limit is not None else "")
    return [_row_to_service(row) for row in cursor.execute(sql, [*params, *([limit] if limit is not None else [])])]


def service_count(db_path: Path) -> int:
    conn = connect(db_path)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM services").fetchone()[0])
    finally:
        conn.close()

"""Reading a pack folder into the content model.

Loading never raises for bad content: it returns what it could read plus the
problems it met, each with FILE:LINE:COL. Cross-file checks (links, strings,
numbers) live in `validate.py`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from kiosk.content.model import (
    NODE_KINDS, REVIEW_STATUSES, Review,
    DEFAULT_IDLE_TIMEOUT, Contact, Locale, Manifest, Node, Option, Pack,
)
from kiosk.content.problems import Problem, Where
from kiosk.content.yamlpos import LMap, LScalar, LSeq, LValue, YamlError, load_yaml

from kiosk.content.layout import MAX_FILES  # noqa: E402 - also used by directory.py
ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
PACK_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
KEY_RE = re.compile(r"^[a-z0-9_]+(\.[a-zA-Z0-9_]+)+$")


@dataclass
class Reader:
    """Typed access to one YAML mapping, collecting problems as it goes."""

    lmap: LMap
    problems: list[Problem]
    what: str  # "the manifest", "node 'home'": used in messages
    seen: set[str] = field(default_factory=set)

    def where(self, key: str) -> Where:
        pair = self.lmap.items.get(key)
        return pair[1].where if pair else self.lmap.where

    def _raw(self, key: str, required: bool) -> LValue | None:
        self.seen.add(key)
        value = self.lmap.get(key)
        if value is None and required:
            self.problems.append(Problem.error(self.lmap.where, f"{self.what} needs '{key}'"))
        if isinstance(value, LScalar) and value.value is None:
            if required:
                self.problems.append(Problem.error(value.where, f"'{key}' is empty"))
            return None
        return value

    def _typed(self, key: str, required: bool, kinds: tuple[type, ...], noun: str) -> Any:
        value = self._raw(key, required)
        if value is None:
            return None
        if not isinstance(value, LScalar) or isinstance(value.value, bool) and bool not in kinds \
                or not isinstance(value.value, kinds):
            self.problems.append(Problem.error(value.where, f"'{key}' must be {noun}, not {describe(value)}"))
            return None
        return value.value

    def text(self, key: str, required: bool = False, pattern: re.Pattern[str] | None = None,
             hint: str = "") -> str | None:
        value = self._typed(key, required, (str, int), "text")
        if value is None:
            return None
        value = str(value)
        if required and not value.strip():
            self.problems.append(Problem.error(self.where(key), f"'{key}' is empty"))
            return None
        if pattern and not pattern.match(value):
            self.problems.append(Problem.error(self.where(key), f"'{key}' is '{value}'; {hint}"))
            return None
        return value

    def integer(self, key: str, required: bool = False, lo: int | None = None,
                hi: int | None = None) -> int | None:
        value = self._typed(key, required, (int,), "a whole number")
        if value is None:
            return None
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            self.problems.append(Problem.error(self.where(key), f"'{key}' is {value}; it must be "
                                               f"between {lo} and {hi}"))
            return None
        return int(value)

    def boolean(self, key: str) -> bool:
        return bool(self._typed(key, False, (bool,), "true or false"))

    def date(self, key: str) -> dt.date | None:
        value = self._typed(key, False, (dt.date, str), "a date like 2026-01-31")
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                self.problems.append(Problem.error(self.where(key), f"'{key}' is '{value}'; write a "
                                                   "date like 2026-01-31"))
                return None
        return value

    def seq(self, key: str, required: bool = False) -> LSeq | None:
        value = self._raw(key, required)
        if value is None:
            return None
        if not isinstance(value, LSeq):
            self.problems.append(Problem.error(value.where, f"'{key}' must be a list, not {describe(value)}"))
            return None
        return value

    def text_list(self, key: str, required: bool = False, pattern: re.Pattern[str] | None = None,
                  hint: str = "") -> list[tuple[str, Where]]:
        seq = self.seq(key, required)
        out: list[tuple[str, Where]] = []
        for item in seq.items if seq else ():
            if not isinstance(item, LScalar) or not isinstance(item.value, (str, int)) \
                    or isinstance(item.value, bool):
                self.problems.append(Problem.error(item.where, f"items of '{key}' must be text, "
                                                   f"not {describe(item)}"))
                continue
            text = str(item.value)
            if pattern and not pattern.match(text):
                self.problems.append(Problem.error(item.where, f"'{text}' in '{key}': {hint}"))
                continue
            out.append((text, item.where))
        return out

    def mapping(self, key: str) -> LMap | None:
        value = self._raw(key, False)
        if value is None:
            return None
        if not isinstance(value, LMap):
            self.problems.append(Problem.error(value.where, f"'{key}' must be a mapping, not {describe(value)}"))
            return None
        return value

    def finish(self) -> None:
        """Report keys nobody asked for, with a guess at what was meant."""
        for key, (where, _value) in self.lmap.items.items():
            if key not in self.seen:
                self.problems.append(Problem.error(where, unknown_key_message(key, self.seen, self.what)))


def unknown_key_message(key: str, known: set[str] | list[str], what: str) -> str:
    guess = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
    hint = f"; did you mean '{guess[0]}'?" if guess else f" (known: {', '.join(sorted(known))})"
    return f"unknown key '{key}' in {what}{hint}"


def describe(value: LValue) -> str:
    if isinstance(value, LMap):
        return "a mapping"
    if isinstance(value, LSeq):
        return "a list"
    v = value.value
    if v is None:
        return "an empty value"
    if isinstance(v, bool):
        return f"{'true' if v else 'false'} (true/false)"
    if isinstance(v, (int, float)):
        return f"the number {v}"
    if isinstance(v, dt.date):
        return f"the date {v}"
    return f"'{v}'"


# --- files ----------------------------------------------------------------

def _read_mapping(path: Path, root: Path, problems: list[Problem], required: bool = True,
                  broken: set[str] | None = None) -> LMap | None:
    """The file's top-level mapping; None (with a problem, and the file added to
    `broken`) when it cannot be read as one."""
    shown = display_path(path, root)
    if not path.exists():
        if required:
            problems.append(Problem.error(Where(shown), "file is missing"))
        return None
    value: LValue | None = None
    try:
        value = load_yaml(path, shown)
    except YamlError as exc:
        problems.append(exc.problem)
    else:
        if value is None:
            problems.append(Problem.error(Where(shown), "file is empty"))
        elif not isinstance(value, LMap):
            problems.append(Problem.error(value.where, f"the file must be a mapping of keys, "
                                          f"not {describe(value)}"))
    if isinstance(value, LMap):
        return value
    if broken is not None:
        broken.add(shown)
    return None


def display_path(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent if root.parent != root else root))
    except ValueError:
        return str(path)


LANG_RE = re.compile(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$")
LANG_HINT = "use a BCP 47 tag such as en, es, zh-Hans, es-MX"


def load_manifest(root: Path, problems: list[Problem]) -> Manifest | None:
    lmap = _read_mapping(root / "pack.yaml", root, problems)
    if lmap is None:
        return None
    r = Reader(lmap, problems, "the manifest")
    pack_id = r.text("id", True, PACK_ID_RE, "use lower-case letters, digits and '-'")
    name = r.text("name", True)
    region = r.text("region", True, re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$"),
                    "use an ISO 3166 code such as US or US-MS")
    version = r.integer("version", True, 1, 10**9)
    languages = r.text_list("languages", True, LANG_RE, LANG_HINT)
    default_language = r.text("default_language", True)
    mode = r.text("mode", True)
    neutral = r.text("neutral", True)
    help_entry = r.text("help_entry", True)
    exit_list = r.text_list("exit_to")
    idle = r.integer("idle_timeout", False, 15, 600)
    sample = r.boolean("sample")
    phrases: dict[str, str] = {}
    phrase_map = r.mapping("staff_phrase")
    if phrase_map is not None:
        for tag, (where, value) in phrase_map.items.items():
            if not isinstance(value, LScalar) or not isinstance(value.value, str):
                problems.append(Problem.error(where, f"staff_phrase for '{tag}' must be text"))
            else:
                phrases[tag] = value.value
    r.seen.add("notice")  # a state-notice claim: read and checked by kiosk/content/notice.py
    r.finish()
    if None in (pack_id, name, region, version, default_language, mode, neutral, help_entry):
        return None
    wheres = {key: r.where(key) for key in lmap.items}
    for i, (_tag, where) in enumerate(languages):
        wheres[f"languages.{i}"] = where
    for tag, (where, _v) in (phrase_map.items.items() if phrase_map else ()):
        wheres[f"staff_phrase.{tag}"] = where
    for i, (_n, where) in enumerate(exit_list):
        wheres[f"exit_to.{i}"] = where
    assert pack_id and name and region and version and default_language and mode and neutral and help_entry
    return Manifest(
        id=pack_id, name=name, region=region, version=version,
        languages=tuple(t for t, _ in languages), default_language=default_language,
        mode=mode, neutral=neutral, help_entry=help_entry,
        exit_to=tuple(n for n, _ in exit_list) or (neutral,),
        idle_timeout=idle if idle is not None else DEFAULT_IDLE_TIMEOUT,
        sample=sample, staff_phrase=phrases, where=lmap.where, wheres=wheres,
    )


ICON_RE = re.compile(r"^[a-z0-9_-]{1,40}$")


def _read_option(item: LValue, problems: list[Problem], node_id: str) -> Option | None:
    if isinstance(item, LScalar) and isinstance(item.value, str) and not isinstance(item.value, bool):
        return Option(item.value, None, None, item.where)
    if not isinstance(item, LMap):
        problems.append(Problem.error(item.where, f"an option of node '{node_id}' must be a node id "
                                      f"or a mapping with 'to', not {describe(item)}"))
        return None
    r = Reader(item, problems, f"an option of node '{node_id}'")
    to = r.text("to", True)
    label = r.text("label", False, KEY_RE, "a label is a string key such as 'safety.opt_call'")
    icon = r.text("icon", False, ICON_RE, "icon names use a-z, 0-9, '_' and '-'")
    r.finish()
    return Option(to, label, icon, item.where) if to else None


def _read_node(item: LValue, problems: list[Problem]) -> Node | None:
    if not isinstance(item, LMap):
        problems.append(Problem.error(item.where, f"a node must be a mapping, not {describe(item)}"))
        return None
    r = Reader(item, problems, "a node")
    node_id = r.text("id", True, ID_RE, "node ids use a-z, 0-9 and '_' and start with a letter")
    if node_id:
        r.what = f"node '{node_id}'"
    kind = r.text("kind", True)
    if kind is not None and kind not in NODE_KINDS:
        guess = difflib.get_close_matches(kind, NODE_KINDS, n=1)
        hint = f"; did you mean '{guess[0]}'?" if guess else f" (one of: {', '.join(NODE_KINDS)})"
        problems.append(Problem.error(r.where("kind"), f"unknown node kind '{kind}'{hint}"))
        kind = None
    icon = r.text("icon", False, ICON_RE, "icon names use a-z, 0-9, '_' and '-'")
    neutral = r.boolean("neutral")
    staff = r.boolean("staff_phrase")
    options_seq = r.seq("options")
    options = tuple(o for o in (_read_option(i, problems, node_id or "?")
                                for i in (options_seq.items if options_seq else ())) if o)
    contacts = r.text_list("contacts", False, ID_RE, "contact ids use a-z, 0-9 and '_'")
    items = r.text_list("items", False, ID_RE, "item names use a-z, 0-9 and '_'")
    # Which categories are known is the directory's business: validate.py checks them.
    categories = r.text_list("categories")
    r.finish()
    if not node_id or not kind:
        return None
    wheres = {key: r.where(key) for key in item.items}
    wheres.update({f"items.{name}": where for name, where in items})
    wheres.update({f"contacts.{cid}": where for cid, where in contacts})
    wheres.update({f"categories.{i}": where for i, (_c, where) in enumerate(categories)})
    return Node(id=node_id, kind=kind, where=item.where, icon=icon, neutral=neutral,
                options=options, contacts=tuple(c for c, _ in contacts),
                items=tuple(i for i, _ in items), staff_phrase=staff,
                categories=tuple(c for c, _ in categories), wheres=wheres)


def load_nodes(root: Path, problems: list[Problem], broken: set[str] | None = None) -> dict[str, Node]:
    flow_dir = root / "flows"
    files = sorted(flow_dir.glob("*.yaml")) + sorted(flow_dir.glob("*.yml"))
    if not files:
        shown = display_path(flow_dir, root)
        problems.append(Problem.error(Where(shown), "no flow files (flows/*.yaml)"))
        if broken is not None:
            broken.add(shown)
    nodes: dict[str, Node] = {}
    for path in files[:MAX_FILES]:
        lmap = _read_mapping(path, root, problems, broken=broken)
        if lmap is None:
            continue
        r = Reader(lmap, problems, f"flow file {path.name}")
        seq = r.seq("nodes", True)
        r.finish()
        for item in seq.items if seq else ():
            node = _read_node(item, problems)
            if node is None:
                continue
            if node.id in nodes:
                first = nodes[node.id].where
                problems.append(Problem.error(node.at("id"), f"node id '{node.id}' is used twice "
                                              f"(first at {first})"))
                continue
            nodes[node.id] = node
    return nodes


def _read_contact(item: LValue, problems: list[Problem]) -> Contact | None:
    if not isinstance(item, LMap):
        problems.append(Problem.error(item.where, f"a contact must be a mapping, not {describe(item)}"))
        return None
    r = Reader(item, problems, "a contact")
    cid = r.text("id", True, ID_RE, "contact ids use a-z, 0-9 and '_' and start with a letter")
    if cid:
        r.what = f"contact '{cid}'"
    call = r.text("call")
    display = r.text("call_display")
    text = r.text("text")
    keyword = r.text("text_keyword")
    tty = r.text("tty")
    chat = r.text("chat")
    languages = r.text_list("languages", False,
                            re.compile(LANG_RE.pattern + r"|^interpreters$"), LANG_HINT + " or 'interpreters'")
    # No `hours` means nobody checked them: show nothing rather than guess "always open".
    hours = r.text("hours")
    if hours is not None and hours not in ("always", "custom"):
        problems.append(Problem.error(r.where("hours"), f"'hours' is '{hours}'; use 'always' or 'custom' "
                                      f"(and write the hours in contact.{cid}.hours)"))
    verified = r.date("verified")
    source = r.text("source")
    r.finish()
    if not cid:
        return None
    if not (call or text or tty or chat):
        problems.append(Problem.error(item.where, f"contact '{cid}' has no way to reach it "
                                      "(call, text, tty or chat)"))
    wheres = {key: r.where(key) for key in item.items}
    return Contact(id=cid, call=call, where=item.where, call_display=display, text=text,
                   text_keyword=keyword or None, tty=tty, chat=chat,
                   languages=tuple(t for t, _ in languages), hours=hours, verified=verified,
                   source=source, wheres=wheres)


def load_contacts(root: Path, problems: list[Problem], broken: set[str] | None = None) -> dict[str, Contact]:
    lmap = _read_mapping(root / "contacts.yaml", root, problems, required=False, broken=broken)
    contacts: dict[str, Contact] = {}
    if lmap is None:
        return contacts
    r = Reader(lmap, problems, "contacts.yaml")
    seq = r.seq("contacts", True)
    r.finish()
    for item in seq.items if seq else ():
        contact = _read_contact(item, problems)
        if contact is None:
            continue
        if contact.id in contacts:
            problems.append(Problem.error(contact.at("id"), f"contact id '{contact.id}' is used twice "
                                          f"(first at {contacts[contact.id].where})"))
            continue
        contacts[contact.id] = contact
    return contacts


def load_locale(path: Path, root: Path, problems: list[Problem],
                broken: set[str] | None = None) -> Locale | None:
    lmap = _read_mapping(path, root, problems, broken=broken)
    if lmap is None:
        return None
    r = Reader(lmap, problems, f"locale file {path.name}")
    tag = r.text("language", True)
    record = _read_review(r, problems)
    smap = r.mapping("strings")
    # Voice templates live in the same file; voice/ reads them.
    r.seen.update({"intents", "lists", "voice"})
    r.finish()
    if tag is None:
        return None
    if tag != path.stem:
        problems.append(Problem.error(r.where("language"), f"file {path.name} says language '{tag}'; "
                                      f"name the file {tag}.yaml or fix the tag"))
        # Which language the words are in is unknown, so they are not used.
        if broken is not None:
            broken.add(display_path(path, root))
        return None
    strings: dict[str, str] = {}
    wheres: dict[str, Where] = {}
    for key, (kwhere, value) in (smap.items.items() if smap else ()):
        if not KEY_RE.match(key):
            problems.append(Problem.error(kwhere, f"string key '{key}' should look like 'node.title'"))
            continue
        if not isinstance(value, LScalar) or value.value is None or isinstance(value.value, bool) \
                or not isinstance(value.value, (str, int, float)):
            problems.append(Problem.error(value.where, f"string '{key}' must be text, not {describe(value)}"))
            continue
        strings[key] = str(value.value)
        wheres[key] = value.where
    return Locale(tag=tag, review=record.status, strings=strings, where=lmap.where, wheres=wheres,
                  review_record=record)


def _review_status(value: str | None, key: str, where: Where, problems: list[Problem]) -> str | None:
    if value is not None and value not in REVIEW_STATUSES:
        problems.append(Problem.error(where, f"'{key}' is '{value}'; use one of "
                                      f"{', '.join(REVIEW_STATUSES)}"))
        return None
    return value


def _read_review(r: Reader, problems: list[Problem]) -> Review:
    """`review:` is a bare status (`review: machine`) or a record:
    `{status: reviewed, by: "...", date: 2026-12-03, safety_critical: reviewed}`.
    Missing or unreadable, it counts as `draft`: nobody vouches for the words."""
    raw = r.lmap.get("review")
    r.seen.add("review")
    if isinstance(raw, LMap):
        rr = Reader(raw, problems, "the review record")
        status = _review_status(rr.text("status", True), "status", rr.where("status"), problems)
        by = rr.text("by")
        day = rr.date("date")
        safety = _review_status(rr.text("safety_critical"), "safety_critical", rr.where("safety_critical"),
                                problems)
        rr.finish()
        return Review(status or "draft", raw.where, by=by, date=day, safety_critical=safety)
    status = _review_status(r.text("review"), "review", r.where("review"), problems)
    return Review(status or "draft", r.where("review"))


def load_locales(root: Path, problems: list[Problem], broken: set[str] | None = None) -> dict[str, Locale]:
    loc_dir = root / "locales"
    locales: dict[str, Locale] = {}
    for path in sorted(loc_dir.glob("*.yaml"))[:MAX_FILES]:
        loc = load_locale(path, root, problems, broken)
        if loc is not None:
            locales[loc.tag] = loc
    return locales


@dataclass(frozen=True)
class LoadResult:
    pack: Pack | None
    problems: list[Problem]


def load_pack(root: Path, ui_defaults: Callable[[str], dict[str, str]] | None = None) -> LoadResult:
    """Read a pack folder. `pack` is None when the manifest or any other file cannot
    be read: checks across files would then report things missing that are only
    unreadable ("neutral 'home' is not a node"), burying the one real problem."""
    problems: list[Problem] = []
    root = Path(root)
    if not root.is_dir():
        problems.append(Problem.error(Where(str(root)), "not a folder (a pack is a folder with pack.yaml)"))
        return LoadResult(None, problems)
    broken: set[str] = set()
    manifest = load_manifest(root, problems)
    nodes = load_nodes(root, problems, broken)
    contacts = load_contacts(root, problems, broken)
    locales = load_locales(root, problems, broken)
    if manifest is None or broken:
        return LoadResult(None, problems)
    if ui_defaults is not None:
        locales = {tag: _with_defaults(loc, ui_defaults(tag)) for tag, loc in locales.items()}
    return LoadResult(Pack(root, manifest, nodes, contacts, locales), problems)


def _with_defaults(loc: Locale, defaults: dict[str, str]) -> Locale:
    missing = {k: v for k, v in defaults.items() if k not in loc.strings}
    if not missing:
        return loc
    return Locale(loc.tag, loc.review, {**missing, **loc.strings}, loc.where, loc.wheres,
                  review_record=loc.review_record)

"""Regional overlay packs: a small pack that `extends` the built-in one.

A regional pack's `pack.yaml` says `extends: us-national`. It needs only its own
id, name, region and version; everything else is inherited and may be
overridden. The rules, also in docs/content-format.md:

- manifest: `languages`, `default_language`, `mode`, `neutral`, `help_entry`,
  `exit_to`, `idle_timeout` replace the base's values when given;
  `staff_phrase` is merged per language.
- nodes: new ids are added; a node with a base node's id REPLACES that node
  whole (that is how a region adds an option to an existing screen: it copies
  the node and adds the option).
- contacts: new ids are added; a base id is replaced, with a warning, because
  a changed number must be a deliberate act.
- strings: per language, the overlay's strings are laid over the base's.
- services (`services.yaml`, `services/*.yaml`): see directory.py.

Every value keeps the file it came from, so a problem in the merged pack is
reported against the pack folder that is responsible for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from kiosk.content.builtin import builtin_root
from kiosk.content.load import (
    LANG_HINT, LANG_RE, PACK_ID_RE, LoadResult, Reader, display_path, load_contacts, load_locales,
    load_nodes, load_pack,
)
from kiosk.content.model import MODES, Locale, Manifest, Pack
from kiosk.content.problems import Problem, Where
from kiosk.content.yamlpos import LMap, LScalar, YamlError, load_yaml

UiDefaults = Callable[[str], dict[str, str]]

REGION_RE = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")
_REVIEW_RANK = {"draft": 0, "machine": 1, "reviewed": 2, "native": 3}
# Keys whose value is a list or map: their per-item wheres are `key.N` / `key.TAG`.
_ITEMISED = ("languages", "exit_to", "staff_phrase")


@dataclass(frozen=True)
class OverlayManifest:
    """What an overlay's `pack.yaml` says; None means "inherit from the base"."""

    id: str
    name: str
    region: str
    version: int
    extends: str
    sample: bool
    languages: tuple[str, ...] | None
    default_language: str | None
    mode: str | None
    neutral: str | None
    help_entry: str | None
    exit_to: tuple[str, ...] | None
    idle_timeout: int | None
    staff_phrase: dict[str, str]
    where: Where
    wheres: dict[str, Where] = field(default_factory=dict)


@dataclass(frozen=True)
class Loaded:
    """A pack ready for checks: merged when the folder is an overlay."""

    pack: Pack | None
    problems: list[Problem]


def is_overlay(root: Path) -> bool:
    """Does the folder's pack.yaml have an `extends:` key? (False for an unreadable file:
    the plain loader then reports what is wrong with it.)"""
    try:
        value = load_yaml(Path(root) / "pack.yaml", "pack.yaml")
    except YamlError:
        return False
    return isinstance(value, LMap) and "extends" in value.items


def load_any(root: Path, ui_defaults: UiDefaults | None = None) -> Loaded:
    """Load a pack folder; an overlay is merged over the built-in pack."""
    root = Path(root)
    if (root / "pack.yaml").is_file() and is_overlay(root):
        return load_overlay(root, ui_defaults)
    result: LoadResult = load_pack(root, ui_defaults)
    return Loaded(result.pack, list(result.problems))


def read_overlay_manifest(root: Path, problems: list[Problem]) -> OverlayManifest | None:
    shown = display_path(root / "pack.yaml", root)
    try:
        lmap = load_yaml(root / "pack.yaml", shown)
    except YamlError as exc:
        problems.append(exc.problem)
        return None
    if not isinstance(lmap, LMap):
        problems.append(Problem.error(Where(shown), "pack.yaml must be a mapping of keys"))
        return None
    r = Reader(lmap, problems, "the manifest")
    pack_id = r.text("id", True, PACK_ID_RE, "use lower-case letters, digits and '-'")
    name = r.text("name", True)
    region = r.text("region", True, REGION_RE, "use an ISO 3166 code such as US or US-MS")
    version = r.integer("version", True, 1, 10**9)
    extends = r.text("extends", True)
    sample = r.boolean("sample")
    languages = r.text_list("languages", False, LANG_RE, LANG_HINT) if "languages" in lmap.items else None
    default_language = r.text("default_language")
    mode = r.text("mode")
    neutral = r.text("neutral")
    help_entry = r.text("help_entry")
    exit_to = r.text_list("exit_to") if "exit_to" in lmap.items else None
    idle = r.integer("idle_timeout", False, 15, 600)
    phrases: dict[str, str] = {}
    wheres: dict[str, Where] = {key: r.where(key) for key in lmap.items}
    phrase_map = r.mapping("staff_phrase")
    for tag, (where, value) in (phrase_map.items.items() if phrase_map else ()):
        if not isinstance(value, LScalar) or not isinstance(value.value, str):
            problems.append(Problem.error(where, f"staff_phrase for '{tag}' must be text"))
        else:
            phrases[tag] = value.value
            wheres[f"staff_phrase.{tag}"] = where
    r.seen.add("notice")  # a state-notice claim: read and checked by kiosk/content/notice.py
    r.finish()
    for key, listed in (("languages", languages), ("exit_to", exit_to)):
        for i, (_v, where) in enumerate(listed or ()):
            wheres[f"{key}.{i}"] = where
    if mode is not None and mode not in MODES:
        problems.append(Problem.error(r.where("mode"), f"'mode' is '{mode}'; use one of {', '.join(MODES)}"))
    if pack_id is None or name is None or region is None or version is None or extends is None:
        return None
    return OverlayManifest(
        id=pack_id, name=name, region=region, version=version, extends=extends, sample=sample,
        languages=tuple(t for t, _ in languages) if languages is not None else None,
        default_language=default_language, mode=mode, neutral=neutral, help_entry=help_entry,
        exit_to=tuple(n for n, _ in exit_to) if exit_to is not None else None,
        idle_timeout=idle, staff_phrase=phrases, where=lmap.where, wheres=wheres)


def merge_manifest(base: Manifest, over: OverlayManifest) -> Manifest:
    wheres = dict(base.wheres)

    def take(key: str, value: object) -> None:
        if value is None:
            return
        if key in _ITEMISED:
            for k in [k for k in wheres if k.startswith(key + ".")]:
                del wheres[k]
        wheres.update({k: w for k, w in over.wheres.items() if k == key or k.startswith(key + ".")})

    for key in ("id", "name", "region", "version", "sample", "extends"):
        wheres.update({k: w for k, w in over.wheres.items() if k == key})
    for key in ("languages", "default_language", "mode", "neutral", "help_entry", "exit_to",
                "idle_timeout"):
        take(key, getattr(over, key))
    wheres.update({k: w for k, w in over.wheres.items() if k.startswith("staff_phrase.")})
    neutral = over.neutral or base.neutral
    # exit_to defaults to the neutral screen; a new neutral screen without its own
    # exit_to keeps the base's exit targets, which are neutral tips too.
    return Manifest(
        id=over.id, name=over.name, region=over.region, version=over.version,
        languages=over.languages if over.languages is not None else base.languages,
        default_language=over.default_language or base.default_language,
        mode=over.mode or base.mode, neutral=neutral,
        help_entry=over.help_entry or base.help_entry,
        exit_to=(over.exit_to or (neutral,)) if over.exit_to is not None else base.exit_to,
        idle_timeout=over.idle_timeout if over.idle_timeout is not None else base.idle_timeout,
        sample=over.sample, staff_phrase={**base.staff_phrase, **over.staff_phrase},
        extends=base.id, where=over.where, wheres=wheres,
    )


def merge_locale(tag: str, base: Locale | None, over: Locale | None, missing_at: Where) -> Locale:
    """The overlay's strings over the base's. Problems about the merged locale (a missing
    string) point at the overlay's file for this language: that is where to add it."""
    if base is None:
        assert over is not None
        return over
    if over is None:
        return Locale(tag, base.review, dict(base.strings), missing_at, dict(base.wheres))
    review = min(base.review, over.review, key=lambda r: _REVIEW_RANK.get(r, 0))
    return Locale(tag, review, {**base.strings, **over.strings}, over.where,
                  {**base.wheres, **over.wheres})


def load_overlay(root: Path, ui_defaults: UiDefaults | None = None,
                 base_root: Path | None = None) -> Loaded:
    """Merge the overlay at `root` over the built-in pack (or `base_root`)."""
    problems: list[Problem] = []
    root = Path(root)
    over = read_overlay_manifest(root, problems)
    broken: set[str] = set()
    flow_dir = root / "flows"
    has_flows = flow_dir.is_dir() and any(flow_dir.glob("*.y*ml"))
    nodes = load_nodes(root, problems, broken) if has_flows else {}
    contacts = load_contacts(root, problems, broken)
    locales = load_locales(root, problems, broken)
    if over is None or broken:
        return Loaded(None, problems)

    base_root = Path(base_root) if base_root is not None else builtin_root()
    based = load_pack(base_root, ui_defaults)
    problems.extend(based.problems)
    if based.pack is None:
        problems.append(Problem.error(over.wheres.get("extends", over.where),
                                      f"the base pack at {base_root} cannot be read"))
        return Loaded(None, problems)
    base = based.pack
    if over.extends != base.manifest.id:
        problems.append(Problem.error(over.wheres.get("extends", over.where),
                                      f"extends '{over.extends}', but this device's built-in pack is "
                                      f"'{base.manifest.id}'"))
        return Loaded(None, problems)
    if over.id == base.manifest.id:
        problems.append(Problem.error(over.wheres.get("id", over.where),
                                      f"a regional pack needs its own id, not the base's '{over.id}'"))

    manifest = merge_manifest(base.manifest, over)
    for cid, contact in contacts.items():
        if cid in base.contacts:
            problems.append(Problem.warning(contact.where, f"contact '{cid}' replaces the built-in "
                                            f"contact of the same id (from {base.contacts[cid].where})"))
    over_dir = display_path(root / "locales", root)
    merged_locales: dict[str, Locale] = {}
    for tag in manifest.languages:
        mine = locales.get(tag)
        theirs = base.locales.get(tag)
        if mine is None and theirs is None:
            continue  # check_manifest reports the declared language without strings
        if mine is not None and ui_defaults is not None:
            mine = _with_ui_defaults(mine, ui_defaults(tag)) if theirs is None else mine
        merged_locales[tag] = merge_locale(tag, theirs, mine, Where(f"{over_dir}/{tag}.yaml"))
    # Overlay locales it does not show stay, so that the "not declared" warning
    # points at them; the base's other languages are simply not offered.
    for tag, loc in locales.items():
        merged_locales.setdefault(tag, loc)
    pack = Pack(root=root, manifest=manifest, nodes={**base.nodes, **nodes},
                contacts={**base.contacts, **contacts}, locales=merged_locales,
                layers=(*(base.layers or (base.root,)), root))
    return Loaded(pack, problems)


def _with_ui_defaults(loc: Locale, defaults: dict[str, str]) -> Locale:
    missing = {k: v for k, v in defaults.items() if k not in loc.strings}
    return replace(loc, strings={**missing, **loc.strings}) if missing else loc

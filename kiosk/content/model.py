"""The content model: what a pack is, as typed, immutable data.

Every value keeps the place it was written (`Where`) so that checks made long
after loading can still point an author at FILE:LINE:COL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from kiosk.content.problems import Where

NodeKind = Literal["menu", "info", "contact", "checklist", "services"]
NODE_KINDS: tuple[str, ...] = ("menu", "info", "contact", "checklist", "services")
Mode = Literal["waiting_room", "restroom"]
MODES: tuple[str, ...] = ("waiting_room", "restroom")
ReviewStatus = Literal["native", "machine", "draft", "reviewed"]
# native: written by a native speaker; reviewed: a translation checked by a fluent reviewer who
# did not write it; machine: machine translation nobody has checked; draft: unchecked work.
REVIEW_STATUSES: tuple[str, ...] = ("native", "machine", "draft", "reviewed")
# Statuses that mean nobody fluent has checked the words.
UNCHECKED_STATUSES: tuple[str, ...] = ("machine", "draft")

DEFAULT_IDLE_TIMEOUT = 60
INTERPRETERS = "interpreters"
# The local services directory's categories (services.yaml, and a services screen's `categories`).
SERVICE_CATEGORIES: tuple[str, ...] = ("shelter", "legal", "medical", "mental_health", "labour_rights",
                                       "immigration_legal", "youth")


@dataclass(frozen=True)
class Manifest:
    """`pack.yaml`: who the pack is for and where its screens start."""

    id: str
    name: str
    region: str
    version: int
    languages: tuple[str, ...]
    default_language: str
    mode: Mode
    neutral: str
    help_entry: str
    exit_to: tuple[str, ...]
    idle_timeout: int = DEFAULT_IDLE_TIMEOUT
    sample: bool = False
    staff_phrase: dict[str, str] = field(default_factory=dict)
    extends: str | None = None  # the base pack's id when this is a merged regional overlay
    where: Where = Where("pack.yaml")
    wheres: dict[str, Where] = field(default_factory=dict, compare=False)

    def at(self, key: str) -> Where:
        return self.wheres.get(key, self.where)


@dataclass(frozen=True)
class Option:
    """A button on a screen that leads to another node."""

    to: str
    label: str | None  # string key; None means the target's `<to>.label`
    icon: str | None
    where: Where


@dataclass(frozen=True)
class Node:
    """One screen. Its words live in the locales under `<id>.title` etc."""

    id: str
    kind: NodeKind
    where: Where
    icon: str | None = None
    neutral: bool = False
    options: tuple[Option, ...] = ()
    contacts: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    staff_phrase: bool = False
    # A services screen: the directory categories it offers (empty: all of them).
    categories: tuple[str, ...] = ()
    wheres: dict[str, Where] = field(default_factory=dict, compare=False)

    def at(self, key: str) -> Where:
        return self.wheres.get(key, self.where)


@dataclass(frozen=True)
class Contact:
    """A phone line or service, with the day someone checked it."""

    id: str
    call: str | None
    where: Where
    call_display: str | None = None
    text: str | None = None
    text_keyword: str | None = None
    tty: str | None = None
    chat: str | None = None
    languages: tuple[str, ...] = ()
    hours: str | None = None  # "always", "custom" (see contact.<id>.hours) or unknown
    verified: dt.date | None = None
    source: str | None = None
    wheres: dict[str, Where] = field(default_factory=dict, compare=False)

    def at(self, key: str) -> Where:
        return self.wheres.get(key, self.where)


@dataclass(frozen=True)
class Review:
    """Who has checked a locale's words: its `review:`, a bare status or a record.

    `safety_critical` is the status of the safety-critical strings (kiosk.content.review
    says which those are) when it differs from the file's; None means the same as `status`.
    """

    status: str
    where: Where
    by: str | None = None
    date: dt.date | None = None
    safety_critical: str | None = None

    @property
    def safety_status(self) -> str:
        return self.safety_critical or self.status


@dataclass(frozen=True)
class Locale:
    """One language's words for the pack."""

    tag: str
    review: str  # the file's review status (Review.status), kept as a word for older callers
    strings: dict[str, str]
    where: Where
    wheres: dict[str, Where] = field(default_factory=dict, compare=False)
    # The full review record; None where a locale was built without one (e.g. merged).
    review_record: Review | None = None

    @property
    def reviewed(self) -> Review:
        return self.review_record or Review(self.review, self.where)


@dataclass(frozen=True)
class Pack:
    root: Path
    manifest: Manifest
    nodes: dict[str, Node]
    contacts: dict[str, Contact]
    locales: dict[str, Locale]
    # The folders this pack was merged from, base first (overlay.py); empty for one folder.
    layers: tuple[Path, ...] = ()

    def node(self, node_id: str) -> Node:
        return self.nodes[node_id]

    def string(self, tag: str, key: str) -> str | None:
        loc = self.locales.get(tag)
        return loc.strings.get(key) if loc else None


def option_label_key(option: Option) -> str:
    return option.label or f"{option.to}.label"


def required_string_keys(node: Node, targeted_without_label: bool) -> list[tuple[str, Where]]:
    """The string keys a node needs in every language, with where the need comes from."""
    keys = [(f"{node.id}.title", node.where)]
    if node.kind == "info":
        keys.append((f"{node.id}.body", node.where))
    if targeted_without_label:
        keys.append((f"{node.id}.label", node.where))
    keys.extend((f"{node.id}.item.{name}", node.at(f"items.{name}")) for name in node.items)
    keys.extend((option.label, option.where) for option in node.options if option.label)
    return keys

"""Checks across a loaded pack: links, reachability, strings, numbers, dates.

Pure functions over the model; each returns problems and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections import deque
from pathlib import Path
from typing import Iterable

from kiosk.content.directory import CATEGORIES, Service, load_services, pack_layers, services_files
from kiosk.content.icons import icon_exists
from kiosk.content.load import display_path, load_pack
from kiosk.content.model import INTERPRETERS, MODES, Node, Pack, option_label_key, required_string_keys
from kiosk.content.notice import check_notice
from kiosk.content.phones import check_number
from kiosk.content.problems import Problem, Where, sort_problems
from kiosk.content.review import review_warnings
from kiosk.content.ui_keys import UI_KEYS

PLACEHOLDER_RE = re.compile(r"\{([a-zA-Z_][a-zA-Z0-9_]*)\}")
STALE_AFTER_DAYS = 365


def _guess(name: str, known: list[str]) -> str:
    guess = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return f"; did you mean '{guess[0]}'?" if guess else ""


def check_manifest(pack: Pack) -> list[Problem]:
    m, out = pack.manifest, []
    if m.mode not in MODES:
        out.append(Problem.error(m.at("mode"), f"'mode' is '{m.mode}'; use one of {', '.join(MODES)}"
                                 + _guess(m.mode, list(MODES))))
    seen: set[str] = set()
    for i, tag in enumerate(m.languages):
        if tag in seen:
            out.append(Problem.error(m.at(f"languages.{i}"), f"language '{tag}' is listed twice"))
        seen.add(tag)
        if tag not in pack.locales:
            out.append(Problem.error(m.at(f"languages.{i}"), f"language '{tag}' is declared but "
                                     f"locales/{tag}.yaml is missing"))
    if m.default_language not in m.languages:
        out.append(Problem.error(m.at("default_language"), f"default_language '{m.default_language}' "
                                 "is not in 'languages'"))
    for tag in m.staff_phrase:
        if tag not in m.languages:
            out.append(Problem.error(m.at(f"staff_phrase.{tag}"), f"staff_phrase for '{tag}', "
                                     "which is not in 'languages'"))
    for key, node_id in (("neutral", m.neutral), ("help_entry", m.help_entry)):
        if node_id not in pack.nodes:
            out.append(Problem.error(m.at(key), f"{key} '{node_id}' is not a node"
                                     + _guess(node_id, list(pack.nodes))))
    neutral = pack.nodes.get(m.neutral)
    if neutral is not None and not neutral.neutral:
        out.append(Problem.error(neutral.where, f"node '{m.neutral}' is the neutral screen, so it needs "
                                 "'neutral: true'"))
    for i, node_id in enumerate(m.exit_to):
        node = pack.nodes.get(node_id)
        if node is None:
            out.append(Problem.error(m.at(f"exit_to.{i}"), f"exit_to '{node_id}' is not a node"
                                     + _guess(node_id, list(pack.nodes))))
        elif not node.neutral:
            out.append(Problem.error(m.at(f"exit_to.{i}"), f"exit_to '{node_id}' must be a neutral "
                                     "screen (neutral: true): quick exit must land on health information"))
    for tag in pack.locales:
        if tag not in m.languages:
            loc = pack.locales[tag]
            out.append(Problem.warning(loc.where, f"locales/{tag}.yaml is not declared in pack.yaml "
                                       "'languages'; it is not shown"))
    return out


def check_nodes(pack: Pack) -> list[Problem]:
    out: list[Problem] = []
    known = list(pack.nodes)
    for node in pack.nodes.values():
        for option in node.options:
            if option.to not in pack.nodes:
                out.append(Problem.error(option.where, f"node '{node.id}' links to '{option.to}', "
                                         "which is not a node" + _guess(option.to, known)))
            elif option.to == node.id:
                out.append(Problem.error(option.where, f"node '{node.id}' links to itself"))
        for cid in node.contacts:
            if cid not in pack.contacts:
                out.append(Problem.error(node.at(f"contacts.{cid}"), f"node '{node.id}' shows contact "
                                         f"'{cid}', which is not in contacts.yaml"
                                         + _guess(cid, list(pack.contacts))))
        if node.kind == "menu" and not node.options:
            out.append(Problem.error(node.where, f"menu '{node.id}' has no options"))
        if node.kind == "contact" and not node.contacts:
            out.append(Problem.error(node.where, f"contact screen '{node.id}' lists no contacts"))
        if node.kind == "checklist" and not node.items:
            out.append(Problem.error(node.where, f"checklist '{node.id}' has no items"))
        out.extend(_check_services_node(pack, node))
        if len(set(node.items)) != len(node.items):
            out.append(Problem.error(node.at("items"), f"checklist '{node.id}' lists an item twice"))
        targets = [o.to for o in node.options]
        if len(set(targets)) != len(targets):
            out.append(Problem.error(node.at("options"), f"node '{node.id}' links to the same node twice"))
        for icon, where in [(node.icon, node.at("icon"))] + [(o.icon, o.where) for o in node.options]:
            if icon and not icon_exists(icon, pack.root):
                out.append(Problem.error(where, f"no icon named '{icon}' (add assets/icons/{icon}.png "
                                         "or use a built-in icon)"))
    return out


def _check_services_node(pack: Pack, node: Node) -> list[Problem]:
    """A services screen needs a directory to show, and only categories the directory knows."""
    out: list[Problem] = []
    if node.kind != "services":
        if node.categories:
            out.append(Problem.error(node.at("categories"), f"node '{node.id}' is a {node.kind}; only a "
                                     "services screen (kind: services) takes 'categories'"))
        return out
    if node.neutral:
        out.append(Problem.error(node.at("neutral"), f"services screen '{node.id}' cannot be neutral: it "
                                 "lists places to get help, and the neutral face shows only health tips"))
    seen: set[str] = set()
    for i, category in enumerate(node.categories):
        where = node.at(f"categories.{i}")
        if category not in CATEGORIES:
            hint = _guess(category, list(CATEGORIES)) or f" (one of: {', '.join(CATEGORIES)})"
            out.append(Problem.error(where, f"services screen '{node.id}': unknown category "
                                     f"'{category}'{hint}"))
        elif category in seen:
            out.append(Problem.error(where, f"services screen '{node.id}' lists category "
                                     f"'{category}' twice"))
        seen.add(category)
    if "categories" in node.wheres and not node.categories:
        out.append(Problem.error(node.at("categories"), f"services screen '{node.id}': 'categories' is "
                                 "empty; leave it out to offer every category"))
    if not any(services_files(root) for root in pack_layers(pack)):
        out.append(Problem.error(node.where, f"services screen '{node.id}' needs a services directory, "
                                 "but the pack has no services.yaml (or services/*.yaml)"))
    return out


def check_services_offered(pack: Pack, services: Iterable[Service]) -> list[Problem]:
    """Warn about a services screen's category that no service in the directory has: its
    visitors would find nothing there. (The screen hides such categories when it offers all.)"""
    screens = [n for n in pack.nodes.values() if n.kind == "services"]
    if not screens:
        return []
    present = {c for s in services for c in s.categories}
    out: list[Problem] = []
    for node in screens:
        if not present and any(services_files(root) for root in pack_layers(pack)):
            out.append(Problem.warning(node.where, f"services screen '{node.id}': the directory lists "
                                       "no services"))
            continue
        for i, category in enumerate(node.categories):
            if category in CATEGORIES and category not in present:
                out.append(Problem.warning(node.at(f"categories.{i}"), f"services screen '{node.id}' "
                                           f"offers '{category}', but no service in the directory has "
                                           "that category"))
    return out


def _graph(pack: Pack) -> dict[str, list[str]]:
    return {nid: [o.to for o in n.options if o.to in pack.nodes] for nid, n in pack.nodes.items()}


def _reachable(graph: dict[str, list[str]], roots: list[str]) -> set[str]:
    seen, queue = set(), deque(r for r in roots if r in graph)
    seen.update(queue)
    while queue:
        for nxt in graph[queue.popleft()]:
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def tap_depths(pack: Pack, start: str) -> dict[str, int]:
    """Fewest taps from `start` to every node it reaches."""
    graph, depth = _graph(pack), {start: 0}
    queue = deque([start])
    while queue:
        cur = queue.popleft()
        for nxt in graph.get(cur, []):
            if nxt not in depth:
                depth[nxt] = depth[cur] + 1
                queue.append(nxt)
    return depth


def _cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """Strongly connected components that contain a loop (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            succ = graph[node]
            if i < len(succ):
                work.append((node, i + 1))
                nxt = succ[i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                if len(comp) > 1 or node in graph[node]:
                    result.append(comp)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return result


def check_graph(pack: Pack) -> list[Problem]:
    m, out = pack.manifest, []
    graph = _graph(pack)
    if m.neutral not in graph:
        return out
    reached = _reachable(graph, [m.neutral, *m.exit_to])
    for node in pack.nodes.values():
        if node.id not in reached:
            out.append(Problem.error(node.where, f"node '{node.id}' cannot be reached from the neutral "
                                     f"screen '{m.neutral}'"))
    # A loop is fine as long as it can lead back to the neutral screen or the help hub.
    anchors = {m.neutral, m.help_entry}
    reverse: dict[str, list[str]] = {n: [] for n in graph}
    for src, dsts in graph.items():
        for dst in dsts:
            reverse[dst].append(src)
    back_home = _reachable(reverse, [a for a in anchors if a in reverse])
    for comp in _cycles(graph):
        if not any(n in back_home for n in comp):
            order = sorted(comp, key=lambda n: pack.nodes[n].where)
            first = pack.nodes[order[0]]
            out.append(Problem.error(first.where, "nodes " + " -> ".join(order + [order[0]])
                                     + f" loop with no way back to '{m.neutral}' or '{m.help_entry}'"))
    return out


def _targeted_without_label(pack: Pack) -> set[str]:
    return {o.to for n in pack.nodes.values() for o in n.options if not o.label}


def required_keys(pack: Pack) -> list[tuple[str, Where]]:
    needs_label = _targeted_without_label(pack)
    keys: list[tuple[str, Where]] = []
    for node in pack.nodes.values():
        keys.extend(required_string_keys(node, node.id in needs_label))
    for contact in pack.contacts.values():
        keys.append((f"contact.{contact.id}.name", contact.where))
        if contact.hours == "custom":
            keys.append((f"contact.{contact.id}.hours", contact.at("hours")))
    keys.extend((key, pack.manifest.where) for key in UI_KEYS)
    return keys


def check_strings(pack: Pack) -> list[Problem]:
    m, out = pack.manifest, []
    keys = required_keys(pack)
    base = pack.locales.get(m.default_language)
    for tag in m.languages:
        loc = pack.locales.get(tag)
        if loc is None:
            continue
        for key, needed_at in keys:
            value = loc.strings.get(key)
            if value is None:
                out.append(Problem.error(loc.where, f"{tag}: missing string '{key}' "
                                         f"(needed by {display_at(needed_at)})"))
            elif not value.strip():
                out.append(Problem.error(loc.wheres.get(key, loc.where), f"{tag}: string '{key}' is empty"))
        if base is None or loc is base:
            continue
        for key, value in loc.strings.items():
            ref = base.strings.get(key)
            if ref is None:
                continue
            mine, theirs = set(PLACEHOLDER_RE.findall(value)), set(PLACEHOLDER_RE.findall(ref))
            if mine != theirs:
                out.append(Problem.error(loc.wheres.get(key, loc.where),
                                         f"{tag}: '{key}' has placeholders {fmt_set(mine)} but "
                                         f"{m.default_language} has {fmt_set(theirs)}"))
    for loc in pack.locales.values():
        for key in loc.strings:
            owner = key.split(".", 1)[0]
            if owner not in ("ui", "contact", "lang") and owner not in pack.nodes \
                    and key in loc.wheres:
                out.append(Problem.warning(loc.wheres[key], f"string '{key}' belongs to no node "
                                           f"('{owner}' is not a node)" + _guess(owner, list(pack.nodes))))
    return out


def check_discreet_titles(pack: Pack) -> list[Problem]:
    """In a waiting room, a help screen's heading is its `<node>.discreet_title` (a calm
    heading a passer-by reads as health information), so every language needs one."""
    m, out = pack.manifest, []
    if m.mode != "waiting_room":
        return out
    help_nodes = [node for node in pack.nodes.values() if not node.neutral]
    for tag in m.languages:
        loc = pack.locales.get(tag)
        if loc is None:
            continue
        for node in help_nodes:
            key = f"{node.id}.discreet_title"
            value = loc.strings.get(key)
            if value is None:
                out.append(Problem.error(loc.where, f"{tag}: missing string '{key}': help screen "
                                         f"'{node.id}' needs a calm heading because mode is "
                                         f"waiting_room (needed by {display_at(node.where)})"))
            elif not value.strip():
                out.append(Problem.error(loc.wheres.get(key, loc.where), f"{tag}: string '{key}' is empty"))
    return out


def display_at(where: Where) -> str:
    return f"{where.file}:{where.line}"


def fmt_set(items: set[str]) -> str:
    return "{" + ", ".join(sorted(items)) + "}" if items else "none"


def check_contacts(pack: Pack, today: dt.date) -> list[Problem]:
    m, out = pack.manifest, []
    for c in pack.contacts.values():
        for key in ("call", "text", "tty"):
            raw = getattr(c, key)
            if not raw:
                continue
            verdict = check_number(raw, m.region)
            if verdict.verdict == "invalid":
                out.append(Problem.error(c.at(key), f"contact '{c.id}': {key} number '{raw}' is not "
                                         f"valid: {verdict.reason}"))
            elif verdict.verdict == "fictional" and not m.sample:
                out.append(Problem.warning(c.at(key), f"contact '{c.id}': {key} number '{raw}' is a "
                                           "fictional 555-01xx number in a pack not marked 'sample: true'"))
        if c.call_display and c.call and _digits(c.call_display) != _digits(c.call):
            out.append(Problem.error(c.at("call_display"), f"contact '{c.id}': call_display "
                                     f"'{c.call_display}' is not the same number as call '{c.call}'"))
        if c.verified is None:
            out.append(Problem.error(c.where, f"contact '{c.id}' has no 'verified:' date (the day "
                                     "someone checked the number at its source)"))
        elif c.verified > today:
            out.append(Problem.error(c.at("verified"), f"contact '{c.id}': verified date {c.verified} "
                                     "is in the future"))
        elif (today - c.verified).days > STALE_AFTER_DAYS:
            out.append(Problem.warning(c.at("verified"), f"contact '{c.id}' was last verified on "
                                       f"{c.verified}, more than a year ago; check it again"))
        if not c.source:
            out.append(Problem.warning(c.where, f"contact '{c.id}' has no 'source:' (where the number "
                                       "was checked)"))
        for tag in c.languages:
            if tag != INTERPRETERS and not re.match(r"^[a-z]{2,3}", tag):
                out.append(Problem.error(c.at("languages"), f"contact '{c.id}': bad language '{tag}'"))
    return out


def _digits(raw: str) -> str:
    return re.sub(r"\D", "", raw)


def check_pack(pack: Pack, today: dt.date | None = None) -> list[Problem]:
    today = today or dt.date.today()
    return (check_manifest(pack) + check_nodes(pack) + check_graph(pack)
            + check_strings(pack) + check_contacts(pack, today) + check_notice(pack)
            + check_discreet_titles(pack) + review_warnings(pack))


def check_fit(pack: Pack) -> list[Problem]:
    """Text that will not fit the screen (kiosk.content.overflow); warnings only."""
    from kiosk.content.overflow import check_overflow
    from kiosk.i18n.fonts import FontMissing
    try:
        return check_overflow(pack)
    except FontMissing as exc:
        return [Problem.warning(pack.manifest.where, f"cannot check that text fits the screen: {exc}")]


def validate_path(root: Path, today: dt.date | None = None) -> list[Problem]:
    """Everything wrong with the pack at `root`, sorted; never raises for bad content."""
    from kiosk.content.builtin import ui_defaults
    from kiosk.content.overlay import load_any
    result = load_any(root, ui_defaults)  # a regional overlay is checked merged with its base
    problems = list(result.problems)
    if result.pack is not None:
        problems.extend(check_pack(result.pack, today))
        problems.extend(check_fit(result.pack))
        m = result.pack.manifest
        loaded = load_services(pack_layers(result.pack), m.region, m.sample, today)
        problems.extend(loaded.problems)
        problems.extend(check_services_offered(result.pack, loaded.services.values()))
    return sort_problems(problems)


__all__ = ["check_pack", "validate_path", "tap_depths", "required_keys", "display_path",
           "option_label_key", "Node"]

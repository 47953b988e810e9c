"""The shape of the built-in pack's help (issues #15 and #16): how far each help screen is
from the quiet entry, where 911 is, and how ordinary that entry looks among the health
topics."""

from __future__ import annotations

from functools import lru_cache

from kiosk.content.builtin import builtin_root
from kiosk.content.icons import icon_exists
from kiosk.content.model import Pack
from kiosk.content.packs import open_pack
from kiosk.content.validate import tap_depths


@lru_cache(maxsize=1)
def pack() -> Pack:
    opened = open_pack(builtin_root())
    assert opened.pack is not None
    return opened.pack


def test_every_help_screen_is_within_three_taps_of_the_help_entry() -> None:
    p = pack()
    depth = tap_depths(p, p.manifest.help_entry)
    far = {n.id: depth.get(n.id) for n in p.nodes.values()
           if not n.neutral and (depth.get(n.id) is None or depth[n.id] > 3)}
    assert far == {}


def test_911_is_one_tap_from_the_help_entry_and_on_the_hotline_screen() -> None:
    p = pack()
    assert "emergency" in [o.to for o in p.node(p.manifest.help_entry).options]
    assert p.node("hotline").contacts[:2] == ("nhth", "emergency")
    assert p.contacts["emergency"].call == "911"


def test_the_new_screens_are_one_tap_from_the_help_entry() -> None:
    p = pack()
    depth = tap_depths(p, p.manifest.help_entry)
    assert depth["young"] == depth["someone_else"] == depth["hotline"] == 1
    assert depth["phone_safe"] == 2


def test_the_help_entry_is_one_ordinary_health_topic_among_8_to_12() -> None:
    p = pack()
    home = p.node(p.manifest.neutral)
    targets = [o.to for o in home.options]
    assert 8 <= len(targets) <= 12
    entry = p.manifest.help_entry
    assert entry in targets and targets[0] != entry and targets[-1] != entry
    # Same kind of label as the tips: a short noun phrase, no "Your ...", no trafficking words.
    label = p.string("en", f"{entry}.label") or ""
    assert len(label.split()) <= 4 and not label.lower().startswith("your")
    assert not any(w in label.lower() for w in ("traffick", "abuse", "help", "hotline"))
    # Same icon style: an icon of the built-in set, like every tip's.
    for node_id in targets:
        icon = p.node(node_id).icon
        assert icon and icon_exists(icon, p.root), node_id


def test_distinct_screens_have_distinct_icons() -> None:
    # One picture, one meaning: e.g. the partner-abuse line does not use the house of "Start".
    p = pack()
    icons = [n.icon for n in p.nodes.values()]
    assert len(icons) == len(set(icons))
    assert p.node("line_dv").icon != "home"


def test_quick_exit_lands_on_any_of_the_health_tips() -> None:
    p = pack()
    tips = {n.id for n in p.nodes.values() if n.neutral and n.id != p.manifest.neutral}
    assert set(p.manifest.exit_to) == tips


def test_every_english_help_screen_has_its_own_calm_waiting_room_title() -> None:
    p = pack()
    same = [n.id for n in p.nodes.values() if not n.neutral
            and p.string("en", f"{n.id}.discreet_title") == p.string("en", f"{n.id}.title")]
    assert same == []

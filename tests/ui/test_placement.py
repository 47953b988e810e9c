"""Placement modes through the real window (issue 15): in a waiting room no large-type text on
any help screen names trafficking, abuse, violence... in any of the twelve languages; the
organisation's name is small print inside its card; a restroom may be explicit."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml

from tests.ui.uihelp import texts, widgets

ALARMING: dict[str, list[str]] = yaml.safe_load(
    (Path(__file__).resolve().parents[1] / "data" / "ui" / "alarming.yaml").read_text("utf-8"))


def large_texts(kiosk) -> list[tuple[str, float]]:  # noqa: ANN001
    """Every text drawn larger than body text, or bold (a heading), in the header and the stage."""
    from kivy.uix.label import Label
    from kiosk.ui.text import TextBlock
    body = kiosk.look().sizes.body
    found = []
    for root in (kiosk.header.widget, kiosk.stage):
        for w in widgets(root, Label):
            text = w.source if isinstance(w, TextBlock) else w.text
            bold = w.is_bold if isinstance(w, TextBlock) else w.bold
            if text and (w.font_size > body or bold):
                found.append((text, w.font_size))
    return found


def test_the_word_list_covers_every_language(built_in_pack) -> None:
    assert set(ALARMING) == set(built_in_pack.manifest.languages)


def test_no_help_screen_shouts_in_a_waiting_room_in_any_language(make_kiosk, built_in_pack) -> None:
    from kiosk.session import GoTo, SetLanguage
    pack = built_in_pack
    assert pack.manifest.mode == "waiting_room"
    help_nodes = [n for n, node in pack.nodes.items() if not node.neutral]
    assert len(help_nodes) >= 10
    kiosk = make_kiosk()
    shouted = []
    checked = 0
    for tag in pack.manifest.languages:
        words = ALARMING[tag] + ALARMING["en"]  # English still waiting for a translator, too
        kiosk.send(SetLanguage(tag))
        for node_id in help_nodes:
            kiosk.send(GoTo(node_id))
            assert kiosk.view.node_id == node_id and kiosk.view.language == tag
            big = large_texts(kiosk)
            assert any(text == kiosk.view.title for text, _ in big), (tag, node_id)  # the heading is checked
            checked += len(big)
            for text, size in big:
                hits = [w for w in words if w.casefold() in text.casefold()]
                if hits:
                    shouted.append(f"{tag} {node_id}: {text!r} ({size:.0f} px) has {hits}")
    assert checked > 12 * len(help_nodes)
    assert not shouted, "\n".join(shouted)


def test_the_organisation_name_is_small_print_inside_the_card(make_kiosk, built_in_pack) -> None:
    from kiosk.session import GoTo
    kiosk = make_kiosk()
    kiosk.send(GoTo("hotline"))
    names = widgets(kiosk.page, where=lambda w: getattr(w, "is_contact_name", False))
    assert names and names[0].source == "National Human Trafficking Hotline"
    sizes = kiosk.look().sizes
    assert names[0].font_size < sizes.body and not names[0].is_bold
    numbers = widgets(kiosk.page, where=lambda w: getattr(w, "is_phone_number", False))
    card = names[0].parent
    assert numbers[0].parent is card  # in the same card, the number first
    assert card.children.index(numbers[0]) > card.children.index(names[0])
    assert "Human Trafficking Hotline" not in texts(kiosk.header.widget)
    title = widgets(kiosk.page, where=lambda w: getattr(w, "source", None) == kiosk.view.title)
    assert title and title[0].font_size == sizes.title and kiosk.view.title == "Phone numbers"


def test_a_restroom_shows_the_explicit_title_and_a_named_card(make_kiosk, built_in_pack) -> None:
    from kiosk.session import GoTo
    restroom = dataclasses.replace(built_in_pack,
                                   manifest=dataclasses.replace(built_in_pack.manifest, mode="restroom"))
    kiosk = make_kiosk(pack=restroom)
    kiosk.send(GoTo("hotline"))
    big = [text for text, _ in large_texts(kiosk)]
    assert "Human Trafficking Hotline" in big  # the explicit title, large: the check above can fail
    names = widgets(kiosk.page, where=lambda w: getattr(w, "is_contact_name", False))
    assert names[0].is_bold and names[0].font_size == kiosk.look().sizes.body

"""A translated contact card, through the real window: the local name first, the English one after, smaller."""

from __future__ import annotations

import pytest

from tests.ui.uihelp import GATE_CLEAR, widgets


@pytest.mark.parametrize("tag", ("ar", "vi", "zh-Hans"))
def test_local_name_then_the_english_name_smaller(kivy_env, make_kiosk, built_in_pack, tag: str) -> None:
    from kiosk.session import GoTo, SetLanguage
    from kiosk.ui.text import TextBlock
    kiosk = make_kiosk()
    kiosk.send(SetLanguage(tag))
    kiosk.send(GoTo("hotline"))
    kivy_env.step(GATE_CLEAR, frames=2)
    card = next(w for w in widgets(kiosk.root) if getattr(w, "contact_id", None) == "nhth")
    blocks = list(reversed([w for w in card.children if isinstance(w, TextBlock)]))  # top to bottom
    name = next(i for i, b in enumerate(blocks) if getattr(b, "is_contact_name", False))
    english = blocks[name + 1]
    assert getattr(english, "is_english_name", False) and english.source == "National Human Trafficking Hotline"
    assert "National" not in blocks[name].source and blocks[name].source in \
        built_in_pack.string(tag, "contact.nhth.name")
    assert english.font_size < blocks[name].font_size or english.font_size <= kiosk.look().sizes.small
    assert english.top <= blocks[name].y + 1  # drawn below it

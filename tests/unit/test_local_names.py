"""Translated contact cards put the visitor's own name for an organisation first (kiosk.view)."""

from __future__ import annotations

import pytest

from kiosk.content.builtin import builtin_root
from kiosk.view import Strings, contact_view, local_name_first

LANGUAGES = ("es", "zh-Hans", "zh-Hant", "vi", "tl", "ko", "ar", "ru", "ht", "fr", "pt")


def test_english_first_with_the_local_name_in_brackets_is_turned_round() -> None:
    assert local_name_first("National Human Trafficking Hotline (الخط الساخن لمكافحة الاتجار بالبشر)",
                            "National Human Trafficking Hotline") == \
        ("الخط الساخن لمكافحة الاتجار بالبشر", "National Human Trafficking Hotline")
    assert local_name_first("National Runaway Safeline (línea para jóvenes)", "National Runaway Safeline") == \
        ("Línea para jóvenes", "National Runaway Safeline")
    assert local_name_first("全国人口贩卖热线", "National Human Trafficking Hotline") == \
        ("全国人口贩卖热线", "National Human Trafficking Hotline")
    assert local_name_first("Childhelp", "Childhelp") == ("Childhelp", "")  # nothing to add
    assert local_name_first("Lantern", "") == ("Lantern", "")  # no English in the pack


@pytest.mark.parametrize("tag", LANGUAGES)
def test_every_translated_card_leads_with_the_local_name(tag: str) -> None:
    from kiosk.content.packs import open_pack
    pack = open_pack(builtin_root()).pack
    for cid, contact in pack.contacts.items():
        english = pack.string("en", f"contact.{cid}.name")
        view = contact_view(contact, Strings(pack, tag), "US")
        assert not view.name.startswith(english + " ("), f"{tag}: {cid} still leads with English"
        assert view.name_english in ("", english)
    english_view = contact_view(pack.contacts["nhth"], Strings(pack, "en"), "US")
    assert (english_view.name, english_view.name_english) == ("National Human Trafficking Hotline", "")

"""Dates, numbers and lists as each language writes them, in every locale of the
built-in pack (issue #16: Haitian Creole showed a date as "2026 M11 1").
Expected forms: tests/data/content/formats.yaml."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

from kiosk.content.builtin import builtin_root
from kiosk.content.model import Pack
from kiosk.content.packs import open_pack
from kiosk.view import Strings, _format_day, _join, contact_view, spoken_digits

ROOT = Path(__file__).resolve().parent.parent.parent
FORMATS = yaml.safe_load((ROOT / "tests" / "data" / "content" / "formats.yaml").read_text("utf-8"))
DAY = dt.date(2026, 11, 1)


@lru_cache(maxsize=1)
def pack() -> Pack:
    opened = open_pack(builtin_root())
    assert opened.pack is not None
    return opened.pack


TAGS = list(pack().manifest.languages)


def test_every_language_has_expected_forms() -> None:
    for table in FORMATS.values():
        assert sorted(table) == sorted(TAGS)


@pytest.mark.parametrize("tag", TAGS)
def test_a_day_is_written_as_the_language_writes_it(tag: str) -> None:
    s = Strings(pack(), tag)
    shown = _format_day(DAY, tag, s)
    assert not re.search(r"\bM\d", shown), f"{tag}: CLDR's placeholder pattern: {shown!r}"
    assert shown == FORMATS["date_2026_11_01"][tag]


@pytest.mark.parametrize("tag", TAGS)
def test_the_verified_line_of_a_contact_card_uses_that_form(tag: str) -> None:
    p = pack()
    s = Strings(p, tag)
    view = contact_view(p.contacts["nhth"], s, p.manifest.region)
    assert FORMATS["date_2026_11_01"][tag] in view.verified
    assert view.languages == FORMATS["hotline_languages"][tag]


@pytest.mark.parametrize("tag", TAGS)
def test_a_list_is_joined_as_the_language_joins_it(tag: str) -> None:
    s = Strings(pack(), tag)
    assert _join(["A", "B", "C"], tag, s.get("lang.and")) == FORMATS["list_of_three"][tag]


@pytest.mark.parametrize("tag", TAGS)
def test_haitian_style_month_names_are_complete_where_given(tag: str) -> None:
    # A language that names its months must name all twelve, or some days fall back to CLDR.
    strings = pack().locales[tag].strings
    given = [m for m in range(1, 13) if f"ui.month.{m}" in strings]
    assert given in ([], list(range(1, 13))), f"{tag}: ui.month.* for months {given} only"


@pytest.mark.parametrize("tag", TAGS)
def test_phone_numbers_stay_as_dialled_in_every_language(tag: str) -> None:
    # Numbers are never localised: Western digits, the hotline's own grouping, every language.
    p = pack()
    s = Strings(p, tag)
    assert "1-888-3737-888" in (p.string(tag, "with_you.body") or "")
    view = contact_view(p.contacts["nhth"], s, p.manifest.region)
    assert view.call_display == "1-888-3737-888" and "233733" in (view.text_line or "")
    assert view.call_spoken == spoken_digits("1-888-3737-888") == "1, 8 8 8, 3 7 3 7, 8 8 8"
    assert s("ui.option_n", n=3).count("3") == 1
    assert s("ui.idle_countdown", seconds=10).count("10") == 1


def test_every_month_has_a_haitian_name() -> None:
    s = Strings(pack(), "ht")
    shown = {_format_day(dt.date(2026, m, 15), "ht", s) for m in range(1, 13)}
    assert len(shown) == 12 and not any(re.search(r"\bM\d", d) for d in shown)

"""Right-to-left layout: shaping, logical wrapping, numbers and brackets."""

from __future__ import annotations

import unicodedata

from kiosk.i18n.bidi import layout_lines, shape, visual_line, wrap_logical
from kiosk.i18n.names import autonym, is_rtl


def latin_only(text: str) -> str:
    """Keep what is not Arabic, so the order of digits and brackets can be read."""
    return "".join(ch if not ("\u0600" <= ch <= "\u06ff" or "\ufb50" <= ch <= "\ufeff") else "A"
                   for ch in text)


def test_number_reads_left_to_right_inside_arabic() -> None:
    line = visual_line("اتصل على الرقم 1-888-373-7888 الآن", rtl=True)
    assert "1-888-373-7888" in line
    assert "1-888-3737-888" in visual_line("تذكر 1-888-3737-888", rtl=True)


def test_brackets_are_mirrored() -> None:
    # Logical "(free)": in display order the closing bracket comes first, drawn as "(".
    shown = latin_only(visual_line("اتصل (مجاني)", rtl=True))
    assert shown.startswith("(") and ")" in shown
    assert shown.index("(") < shown.index(")")


def test_arabic_letters_are_shaped() -> None:
    shaped = shape("مرحبا")
    assert all("\ufb50" <= ch <= "\ufeff" for ch in shaped)
    assert unicodedata.normalize("NFKC", shaped) == "مرحبا"


def test_wrap_keeps_logical_order_then_reverses_each_line() -> None:
    words = ["one", "two", "three", "four", "five"]
    measure = lambda s: float(len(s))  # noqa: E731
    assert wrap_logical(" ".join(words), 9, measure) == ["one two", "three", "four five"]
    # Hebrew-free test of ordering: an RTL paragraph's first words stay on the first line.
    text = "كلمة أولى ثم كلمة ثانية ثم كلمة ثالثة"
    lines = layout_lines(text, 12, measure, rtl=True)
    assert len(lines) > 1
    first_logical = wrap_logical(text, 12, lambda s: float(len(shape(s))))[0]
    assert unicodedata.normalize("NFKC", lines[0])[::-1].replace(" ", "") == \
        first_logical.replace(" ", "")


def test_long_word_is_split() -> None:
    assert wrap_logical("abcdefghij", 4, lambda s: float(len(s))) == ["abcd", "efgh", "ij"]


def test_ltr_untouched() -> None:
    assert visual_line("Call 1-888-373-7888 (free)", rtl=False) == "Call 1-888-373-7888 (free)"


def test_language_names() -> None:
    assert is_rtl("ar") and not is_rtl("en") and not is_rtl("zh-Hant")
    assert autonym("ko") == "한국어"
    assert autonym("ar") == "العربية"
    assert autonym("tl") == "Tagalog"
    assert autonym("zh-Hant").startswith("中文")

"""`kiosk print notice` and `kiosk print card`, read back as a reader would.

Each PDF is made by the real command in a subprocess, then read with poppler
(pdftotext, pdffonts, pdftoppm) and a real QR decoder. Expected words come
from the pack itself, so the tests follow the translators' latest strings.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.paper import reader

pytest.importorskip("weasyprint")

SETS = (("en", "es"), ("en", "es", "zh-Hant"), ("en", "ar"), ("en", "ko", "vi"))
HOTLINE = "1-888-3737-888"
NUMBERS = (HOTLINE, "233733", "711", "911")
PAYLOADS = {"tel:+18883737888", "sms:233733"}
NOTICE_MARGIN = 36.0  # 0.5 in, in points
CARD_MARGIN = 3.5 / 25.4 * 72  # 3.5 mm
CARD_SIZE = (85 / 25.4 * 72, 55 / 25.4 * 72)
# Words a discreet card must not carry, in the languages the sets use.
TRAFFICKING_WORDS = ("traffick", "trata", "販運", "贩运", "인신매매", "buôn người", "الاتجار", "abuse", "slavery")


@pytest.fixture(scope="module")
def strings():
    from kiosk.content.packs import open_pack
    from kiosk.view import Strings
    pack = open_pack(None).pack
    assert pack is not None
    return lambda tag: Strings(pack, tag)


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every notice and card of the issue's language sets, made once for the module."""
    tmp = tmp_path_factory.mktemp("paper")
    out: dict[str, Path] = {}
    for tags in SETS:
        name = "-".join(tags)
        for kind, args in (("notice", ("notice", "--size", "letter")), ("card", ("card",)),
                           ("discreet", ("card", "--discreet"))):
            pdf = tmp / f"{kind}-{name}.pdf"
            done = reader.kiosk(tmp, "print", *args, "--lang", ",".join(tags), "--out", str(pdf))
            assert done.returncode == 0, done.stderr
            assert done.stdout.strip() == str(pdf)
            out[f"{kind}-{name}"] = pdf
    return out


@pytest.mark.parametrize("tags", SETS, ids="-".join)
def test_notice_has_every_number_and_each_language(made, strings, tags) -> None:
    pdf = made[f"notice-{'-'.join(tags)}"]
    assert reader.page_count(pdf) == 1  # a poster: one sheet
    text = reader.text(pdf)
    flat = reader.squeeze(text)
    for number in NUMBERS:
        assert number in text, f"{number} not found in the notice's text"
    for tag in tags:
        s = strings(tag)
        for key in ("hotline.title", "signs.item.leave", "signs.item.debt", "contact.nhth.about"):
            for part in reader.sentences(s(key)):
                if reader.has_marks(part):
                    continue  # vowel marks: the known gap test_arabic_marks_inside_ligatures_extract
                assert part in flat, f"{tag}: {key}: {part!r} not in the extracted text"
        from kiosk.view import contact_view
        verified = contact_view(s.pack.contacts["nhth"], s, s.pack.manifest.region).verified
        assert verified, "the hotline has a verified date"
        if s.tag == "ar":
            # The date is right-to-left itself (01/11/2026 read from the right): its words and
            # each part of the date must be there; their order is the bidi algorithm's.
            assert reader.squeeze(s("ui.verified", date="")) in flat
            assert all(part in flat for part in ("2026", "11", "01"))
        else:
            assert reader.squeeze(verified) in flat, f"{tag}: {verified!r} (the checked date)"


@pytest.mark.parametrize("tags", SETS, ids="-".join)
def test_notice_fonts_are_embedded_and_subset(made, tags) -> None:
    found = reader.fonts(made[f"notice-{'-'.join(tags)}"])
    assert found, "no fonts: the text would not be selectable"
    for font in found:
        assert font.embedded and font.subset and font.unicode, font
    names = " ".join(f.name for f in found)
    expected = {"ar": "Noto-Sans-Arabic", "zh-Hant": "Noto-Sans-CJK-TC", "ko": "Noto-Sans-CJK-KR"}
    for tag, face in expected.items():
        if tag in tags:
            assert face in names, f"{tag} is not set in its own face: {names}"


@pytest.mark.parametrize("tags", SETS, ids="-".join)
def test_notice_qr_codes_decode(made, tags, tmp_path) -> None:
    pdf = made[f"notice-{'-'.join(tags)}"]
    assert reader.qr_payloads(pdf, tmp_path, dpi=80) == PAYLOADS


@pytest.mark.parametrize("tags", SETS, ids="-".join)
def test_no_text_outside_the_margins_or_over_other_text(made, tags) -> None:
    name = "-".join(tags)
    for key, margin in ((f"notice-{name}", NOTICE_MARGIN), (f"card-{name}", CARD_MARGIN),
                        (f"discreet-{name}", CARD_MARGIN)):
        assert reader.pages(made[key]), key
        assert reader.outside(made[key], margin) == [], key
        assert reader.overlaps(made[key]) == [], key


@pytest.mark.xfail(strict=True, reason="known gap: WeasyPrint maps text per glyph, so a mark inside a "
                   "lam-alef ligature (ليلًا) loses its letters when extracted; needs ActualText spans")
def test_arabic_marks_inside_ligatures_extract(made, strings) -> None:
    flat = reader.squeeze(reader.text(made["notice-en-ar"]))
    assert "ليلًا" in strings("ar")("ui.always_open") and "ليلًا" in flat


def test_arabic_is_extracted_in_logical_order(made, strings) -> None:
    text = reader.text(made["notice-en-ar"])
    s = strings("ar")
    title = s("hotline.title")
    assert "لا" in title or "ال" in title  # the lam-alef ligature is what extraction gets wrong
    assert title in text, f"{title!r} not found as written in:\n{text}"
    lines = [line for line in text.splitlines() if s("ui.call") in line]
    assert any(HOTLINE in line for line in lines), lines  # the number keeps its order inside Arabic


@pytest.mark.parametrize("tags", SETS, ids="-".join)
def test_card_is_a_double_sided_business_card(made, strings, tags, tmp_path) -> None:
    pdf = made[f"card-{'-'.join(tags)}"]
    assert reader.page_count(pdf) == 2
    width, height = reader.page_size(pdf)
    assert abs(width - CARD_SIZE[0]) < 0.5 and abs(height - CARD_SIZE[1]) < 0.5
    front, back = reader.pages(pdf)
    assert HOTLINE in " ".join(w.text for w in front.words)  # in plain sight, on the front
    flat = reader.squeeze(reader.text(pdf))
    for tag in tags:
        assert reader.squeeze(strings(tag)("hotline.title")) in flat, tag
    for font in reader.fonts(pdf):
        assert font.embedded and font.subset, font
    assert reader.qr_payloads(pdf, tmp_path, dpi=300) == {"tel:+18883737888"}


@pytest.mark.parametrize("tags", SETS, ids="-".join)
def test_discreet_card_names_no_trafficking(made, strings, tags) -> None:
    pdf = made[f"discreet-{'-'.join(tags)}"]
    text = reader.text(pdf)
    assert HOTLINE in text
    for tag in tags:
        s = strings(tag)
        for key in ("hotline.title", "contact.nhth.name"):
            assert reader.squeeze(s(key)) not in reader.squeeze(text), f"{tag}: {key} on a discreet card"
        assert reader.squeeze(s("hotline.label")) in reader.squeeze(text)
    lowered = text.lower()
    assert not [w for w in TRAFFICKING_WORDS if w in lowered]


def test_sizes_change_the_page(tmp_path) -> None:
    sizes = {"letter": (612, 792), "a4": (595.3, 841.9), "tabloid": (792, 1224)}
    for size, (width, height) in sizes.items():
        pdf = tmp_path / f"{size}.pdf"
        done = reader.kiosk(tmp_path, "print", "notice", "--lang", "en,es", "--size", size, "--out", str(pdf))
        assert done.returncode == 0, done.stderr
        got = reader.page_size(pdf)
        assert abs(got[0] - width) < 1 and abs(got[1] - height) < 1, (size, got)
        assert reader.outside(pdf, 36.0) == []


def test_state_notice_uses_the_claimed_languages_and_numbers(tmp_path) -> None:
    """The California sample pack claims Civil Code 52.6: no --lang needed."""
    from kiosk.content.notice import read_claim
    from kiosk.content.packs import open_pack
    from kiosk.view import Strings
    pack_dir = reader.ROOT / "examples" / "packs" / "california"
    pdf = tmp_path / "ca.pdf"
    done = reader.kiosk(tmp_path, "print", "notice", "--pack", str(pack_dir), "--out", str(pdf))
    assert done.returncode == 0, done.stderr
    text = reader.text(pdf)
    assert "California Civil Code 52.6" in reader.squeeze(text) or "California Civil Code 52.6" in text
    assert "1-888-539-2373" in text and HOTLINE in text
    assert "SAMPLE PACK: NOT FOR POSTING" in text  # the sample pack's paper says it is one
    pack = open_pack(pack_dir).pack
    claim = read_claim(pack).claim
    assert claim is not None
    for tag in claim.languages:
        assert reader.squeeze(Strings(pack, tag)("contact.cast.name")) in reader.squeeze(text), tag


def test_state_notice_in_other_languages_warns_which_are_missing(tmp_path) -> None:
    pack_dir = reader.ROOT / "examples" / "packs" / "california"
    pdf = tmp_path / "ca-en-ko.pdf"
    done = reader.kiosk(tmp_path, "print", "notice", "--pack", str(pack_dir), "--lang", "en,ko", "--out", str(pdf))
    assert done.returncode == 0, done.stderr
    warning = done.stderr.strip().splitlines()
    assert len(warning) == 1 and "warning: California Civil Code 52.6" in warning[0], done.stderr
    assert "lacks es, zh-Hans" in warning[0]
    assert pdf.exists()

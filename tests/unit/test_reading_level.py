"""The built-in English text reads at about a 6th-grade level."""

from kiosk.content.packs import open_pack
from kiosk.content.reading import grade_screens, summary


def test_english_reading_grade() -> None:
    pack = open_pack().pack
    assert pack is not None
    grades = grade_screens(pack, "en")
    assert len(grades) == len(pack.nodes)
    too_hard = [(g.node_id, g.grade) for g in grades if g.grade > 7]
    assert not too_hard, f"screens above grade 7: {too_hard}"
    median, _worst = summary(grades)
    assert median <= 6
    # Prose screens really were measured (not empty text scoring zero).
    assert all(g.words >= 3 for g in grades)

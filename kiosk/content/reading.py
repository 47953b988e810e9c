"""Reading level of a pack's screens (Flesch-Kincaid grade, English only).

A screen's prose is its title, body, checklist items and contacts' `about`
lines. Button labels are left out: counted as one-word "sentences" they would
pull the grade down without making the prose any easier.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

import textstat

from kiosk.content.model import Node, Pack


@dataclass(frozen=True)
class ScreenGrade:
    node_id: str
    grade: float
    words: int


def screen_prose(pack: Pack, node: Node, tag: str = "en") -> str:
    def s(key: str) -> str:
        return (pack.string(tag, key) or "").strip()
    parts = [s(f"{node.id}.title"), s(f"{node.id}.body")]
    parts += [s(f"{node.id}.item.{name}") for name in node.items]
    parts += [s(f"contact.{cid}.about") for cid in node.contacts]
    sentences = [p if p.endswith((".", "?", "!", ":")) else p + "." for p in parts if p]
    return " ".join(sentences)


def grade_screens(pack: Pack, tag: str = "en") -> list[ScreenGrade]:
    textstat.set_lang("en_US")
    out = []
    for node in pack.nodes.values():
        prose = screen_prose(pack, node, tag)
        out.append(ScreenGrade(node.id, round(textstat.flesch_kincaid_grade(prose), 1),
                               textstat.lexicon_count(prose)))
    return out


def summary(grades: list[ScreenGrade]) -> tuple[float, float]:
    """(median, max) grade."""
    values = [g.grade for g in grades]
    return round(statistics.median(values), 1), max(values)

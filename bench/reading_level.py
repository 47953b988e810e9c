"""Print the reading grade of every English screen of the built-in pack.

    .venv/bin/python bench/reading_level.py
"""

from kiosk.content.packs import open_pack
from kiosk.content.reading import grade_screens, summary


def main() -> None:
    pack = open_pack().pack
    assert pack is not None, "the built-in pack has errors: run kiosk validate"
    grades = grade_screens(pack)
    print("| screen | grade | words |\n|---|---|---|")
    for g in sorted(grades, key=lambda g: -g.grade):
        print(f"| {g.node_id} | {g.grade} | {g.words} |")
    median, worst = summary(grades)
    print(f"\nmedian grade {median}, highest {worst}, screens {len(grades)}")


if __name__ == "__main__":
    main()

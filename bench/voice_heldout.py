"""Text accuracy of the voice matcher on the held-out sentence set (tests/voice/heldout).

    .venv/bin/python bench/voice_heldout.py [--misses]

The held-out set was written, like tests/voice/blind, by a session that never
saw the templates, but after the matcher was finished; it is measured, never
tuned to (so it is not asserted by the suite). Same scoring as
tests/voice/test_blind.py: right, missed (no intent: the visitor tries again),
wrong (another intent), and intents given to negatives.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.voice import blind_set  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="also list what was missed or wrong")
    args = parser.parse_args()
    blind_set.BLIND_DIR = ROOT / "tests" / "voice" / "heldout"
    right = commands = 0
    print("held-out set, text (a perfect transcript):")
    for lang in blind_set.blind_languages():
        score = blind_set.score(lang, blind_set.load_blind(lang))
        right, commands = right + score.right, commands + score.commands
        print(f"  {lang:8} {score.accuracy:6.1%}  right {score.right}/{score.commands}  missed {score.missed}  "
              f"wrong {len(score.wrong)}  negatives with an intent {len(score.false)}/{score.negatives}")
        if args.misses:
            for line in score.wrong + score.false:
                print(f"      {line}")
    print(f"  all      {right / commands:6.1%}")


if __name__ == "__main__":
    main()

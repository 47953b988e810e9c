"""Prepare every language's fonts once, at set-up: `python -m kiosk.i18n.prepare [DIR]`.

Run by `lantern.sh` and by the Debian package's postinst, so that neither a
first boot nor a facility's first `kiosk validate` waits for fontTools
(8 to 11 s here, over a minute on a Pi). Writes the extracted CJK faces, the
Arabic font with Latin merged in, and the width tables `kiosk validate` reads,
into DIR (default: the environment's `share/lantern/fonts`), then the READY
mark that makes `kiosk.i18n.fonts.font_cache_dir` use them.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Sequence

from kiosk.i18n import fonts
from kiosk.i18n.measure import font_widths

# One tag per distinct font choice is enough; the twelve are listed so that a
# new language's script is not forgotten.
LANGUAGES = ("en", "es", "zh-Hans", "zh-Hant", "vi", "tl", "ko", "ar", "ru", "ht", "fr", "pt")


def prepare(folder: Path, tags: Sequence[str] = LANGUAGES) -> list[str]:
    """Prepare into `folder`; returns one line per problem (a missing system font)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / fonts.READY_MARK).unlink(missing_ok=True)
    os.environ["LANTERN_FONT_CACHE"] = str(folder)  # font_for and the width tables write here
    fonts.font_for.cache_clear()
    problems = []
    for tag in tags:
        try:
            fonts.font_for(tag)
            for bold in (False, True):
                font_widths(tag, bold)
        except fonts.FontMissing as exc:
            problems.append(f"{tag}: {exc}")
    if not problems:
        (folder / fonts.READY_MARK).write_text("prepared by kiosk.i18n.prepare\n", "utf-8")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiosk.i18n.prepare",
                                     description="prepare every language's fonts once, at set-up")
    parser.add_argument("folder", nargs="?", type=Path, default=None,
                        help=f"where to write (default: {fonts.prepared_dir()})")
    args = parser.parse_args(argv)
    folder = args.folder or fonts.prepared_dir()
    try:
        problems = prepare(folder)
    except OSError as exc:
        print(f"kiosk.i18n.prepare: cannot write {folder}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    for line in problems:
        print(f"kiosk.i18n.prepare: {line}", file=sys.stderr)
    if not problems:
        print(f"fonts prepared in {folder}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

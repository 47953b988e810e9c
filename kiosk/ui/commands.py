"""`kiosk run` and `kiosk preview` (one screen, or `--all`: the contact sheet). Kivy is imported inside the commands, never here."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

LANGS_HELP = "BCP 47 language tag: en, es, zh-Hans, zh-Hant, vi, tl, ko, ar, ru, ht, fr, pt"
_SIZE = re.compile(r"^\s*(\d{2,5})\s*[xX]\s*(\d{2,5})\s*$")


def _err(message: str) -> None:
    print(f"kiosk: {message}", file=sys.stderr)


def parse_size(text: str) -> tuple[int, int]:
    """'800x480' -> (800, 480); argparse turns the ValueError into a usage message."""
    match = _SIZE.match(text)
    if not match:
        raise argparse.ArgumentTypeError(f"'{text}' is not a size like 800x480")
    width, height = int(match.group(1)), int(match.group(2))
    if not (200 <= width <= 8192 and 200 <= height <= 8192):
        raise argparse.ArgumentTypeError(f"'{text}': width and height must be 200..8192 pixels")
    return width, height


def cmd_run(args: argparse.Namespace) -> int:
    import importlib.util

    from kiosk.system.display import display_problem
    if importlib.util.find_spec("kivy") is None:  # before any start-up work: kiosk.cli names the extra
        raise ModuleNotFoundError("No module named 'kivy'", name="kivy")
    problem = display_problem()
    if problem is not None:
        _err(problem)
        return 1
    from kiosk.ui.app import StartError
    from kiosk.ui.device import start_device
    try:
        return start_device(args.pack, args.lang, windowed=args.windowed)
    except StartError as exc:
        _err(str(exc))
        return 1


def cmd_preview(args: argparse.Namespace) -> int:
    from kiosk.ui.app import StartError, render_preview
    if args.all:
        return _preview_all(args)
    if args.lang and "," in args.lang:
        _err("preview: several languages (--lang a,b) need --all")
        return 2
    if Path(args.out).is_dir():
        _err(f"preview: {args.out} is a folder; name a PNG file, or add --all to fill the folder")
        return 2
    try:
        out = render_preview(Path(args.out), pack_path=args.pack, node=args.node, lang=args.lang,
                             size=args.size)
    except StartError as exc:
        _err(str(exc))
        return 1
    print(out)
    return 0


def _preview_all(args: argparse.Namespace) -> int:
    from kiosk.ui.app import StartError, render_all
    if args.node:
        _err("preview: --all draws every screen; leave out --node")
        return 2
    langs = [tag.strip() for tag in args.lang.split(",") if tag.strip()] if args.lang else None
    try:
        sheet = render_all(Path(args.out), pack_path=args.pack, langs=langs, size=args.size)
    except StartError as exc:
        _err(str(exc))
        return 1
    for failure in sheet.failed:
        _err(f"preview: {failure}")
    print(f"{sheet.count} images in {len(sheet.images)} languages at {args.size[0]}x{args.size[1]} "
          f"in {sheet.seconds:.1f} s")
    print(sheet.index)
    return 1 if sheet.failed else 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("run", help="run the kiosk full screen (the built-in pack by default)")
    p.add_argument("--pack", help="pack folder (default: the built-in pack)")
    p.add_argument("--lang", help=f"the language of the neutral screen; {LANGS_HELP}")
    p.add_argument("--windowed", action="store_true", help="an 800x480 window instead of full screen")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("preview", help="draw one screen offscreen to a PNG, or every screen with --all "
                                          "(for content authors)")
    p.add_argument("--node", help="screen id (default: the neutral screen)")
    p.add_argument("--lang", help=f"{LANGS_HELP}; with --all, a comma-separated list (default: all)")
    p.add_argument("--all", action="store_true",
                   help="every screen and overlay in every language into the folder --out, as LANG/NODE.png "
                        "and LANG/NODE+OVERLAY.png, with an index.html contact sheet")
    p.add_argument("--out", required=True, help="PNG file to write (with --all: a folder)")
    p.add_argument("--size", type=parse_size, default=(800, 480), help="window size WxH (default 800x480)")
    p.add_argument("--pack", help="pack folder (default: the built-in pack)")
    p.set_defaults(func=cmd_preview)

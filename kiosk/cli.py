"""The `kiosk` command: the public face for facilities and automated checks.

Commands that draw nothing import neither Kivy nor audio libraries, so they
start fast; heavy modules are imported inside the command that needs them.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path
from typing import Callable, Sequence

from kiosk import __version__

# Modules that add sub-commands: each has `register(subparsers) -> None` and must
# import nothing heavy at module level (Kivy, Vosk and audio load inside commands).
COMMAND_MODULES: tuple[str, ...] = (
    "kiosk.cli_local",
    "kiosk.ui.commands",
    "kiosk.content.commands",
    "voice.commands",
    "kiosk.system.commands",
    "kiosk.paper.commands",
)

LANGS_HELP = "BCP 47 language tag: en, es, zh-Hans, zh-Hant, vi, tl, ko, ar, ru, ht, fr, pt"


# A command that needs an optional part of Lantern which is not installed exits
# with this code after one line saying which extra to install (see `kiosk --help`).
EXIT_MISSING_EXTRA = 3
# Top-level module -> the extra that brings it.
EXTRAS: dict[str, str] = {
    "kivy": "ui", "vosk": "voice", "sounddevice": "voice", "weasyprint": "print",
}
EPILOG = (f"exit codes: 0 done; 1 a problem the message describes; 2 usage; "
          f"{EXIT_MISSING_EXTRA} an optional part is not installed (the message names the extra, "
          "e.g. pip install 'lantern-kiosk[ui]'); 69 admin chose 'leave to the desktop'; "
          "70 an unexpected problem")


def missing_extra(exc: ModuleNotFoundError) -> str | None:
    """The extra that would bring the module `exc` could not import, if it is one of ours."""
    name = (exc.name or "").split(".")[0]
    return EXTRAS.get(name)


def _err(message: str) -> None:
    print(f"kiosk: {message}", file=sys.stderr)


def cmd_validate(args: argparse.Namespace) -> int:
    from kiosk.content.builtin import builtin_root
    from kiosk.content.problems import has_errors
    from kiosk.content.validate import validate_path
    root = Path(args.path) if args.path else builtin_root()
    problems = validate_path(root)
    for p in problems:
        print(p.format())
    if has_errors(problems):
        return 1
    if not args.quiet:
        warnings = len(problems)
        print(f"{root}: pack is valid" + (f" ({warnings} warning{'s' * (warnings != 1)})" if warnings else ""),
              file=sys.stderr)
    return 0


def cmd_samples(args: argparse.Namespace) -> int:
    from kiosk.content.builtin import builtin_root, sample_packs
    packs = sample_packs()
    if args.name:
        if args.name not in packs:
            _err(f"no sample pack '{args.name}'; there are: {', '.join(packs) or 'none'}")
            return 1
        print(packs[args.name])
        return 0
    print(f"{'built-in':<12} {builtin_root()}")
    for name, path in packs.items():
        print(f"{name:<12} {path}")
    return 0


def _open_or_report(path: str | None):
    from kiosk.content.packs import open_pack
    opened = open_pack(Path(path) if path else None)
    if opened.pack is None:
        for p in opened.problems:
            print(p.format(), file=sys.stderr)
        _err("the pack has errors; fix them (see `kiosk validate`)")
    return opened.pack


def cmd_walk(args: argparse.Namespace) -> int:
    from kiosk.walk import walk
    pack = _open_or_report(args.pack)
    if pack is None:
        return 1
    return walk(pack, sys.stdin, sys.stdout, args.lang)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk",
        description="Lantern help kiosk. With no --pack or PATH, commands use the built-in "
                    "national pack.",
        epilog=EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"lantern {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("validate", help="check a pack; exit 1 with FILE:LINE:COL: error: lines")
    p.add_argument("path", nargs="?", help="pack folder (default: the built-in pack)")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing when valid")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("walk", help="click through the flows in a terminal (reads stdin)")
    p.add_argument("--pack", help="pack folder (default: the built-in pack)")
    p.add_argument("--lang", help=LANGS_HELP)
    p.set_defaults(func=cmd_walk)

    p = sub.add_parser("samples", help="where the built-in pack and the sample regional packs are")
    p.add_argument("name", nargs="?", help="print only this sample pack's folder")
    p.set_defaults(func=cmd_samples)

    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] | None = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    try:
        return func(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except ModuleNotFoundError as exc:
        extra = missing_extra(exc)
        if extra is None:
            _err(f"unexpected problem in '{args.command}': {type(exc).__name__}: {exc}")
            return 70
        _err(f"'{args.command}' needs Lantern's '{extra}' extra, which is not installed: "
             f"pip install 'lantern-kiosk[{extra}]'")
        return EXIT_MISSING_EXTRA
    except Exception as exc:  # the last line of defence: a facility never sees a traceback
        _err(f"unexpected problem in '{args.command}': {type(exc).__name__}: {exc}")
        return 70


if __name__ == "__main__":
    sys.exit(main())

"""`kiosk print notice|card|review`: the pack on paper.

Nothing heavy is imported here: WeasyPrint loads inside the command that makes a
PDF, Kivy only inside `review`. Every bad input is one line on stderr, exit 1,
and no file (or the old file, untouched) at the output path.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

SIZE_NAMES = ("letter", "a4", "tabloid")
REVIEW_SIZES = ("letter", "a4")
NOTICE_SHRINKS = (1.0, 0.92, 0.85, 0.78, 0.72)


def _err(message: str) -> None:
    print(f"kiosk: {message}", file=sys.stderr)


def _langs(text: str | None) -> tuple[str, ...]:
    return tuple(t.strip() for t in (text or "").split(",") if t.strip())


def open_checked(path: str | None):  # type: ignore[no-untyped-def]
    """The checked pack, or PaperError with the first problem on one line."""
    from kiosk.content.packs import open_pack
    from kiosk.paper.model import PaperError

    root = Path(path) if path else None
    if root is not None and not (root / "pack.yaml").is_file():
        raise PaperError(f"{root}: no pack here (a pack is a folder with pack.yaml at its root)")
    opened = open_pack(root)
    if opened.pack is None:
        errors = [p for p in opened.problems if p.severity == "error"]
        first = errors[0].format() if errors else "it cannot be read"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise PaperError(f"the pack does not validate: {first}{more}; see `kiosk validate`")
    return opened.pack


def _make(args: argparse.Namespace) -> int:
    from kiosk.paper.model import PaperError
    try:
        out = Path(args.out)
        from kiosk.paper.render import check_writable
        check_writable(out)
        if args.what == "review":
            from kiosk.paper.review import make_review
            make_review(out, pack_path=args.pack, tags=_langs(args.lang), size=args.size)
        else:
            pack = open_checked(args.pack)
            data = _paper(args, pack)
            from kiosk.paper.render import write_atomic
            write_atomic(out, data)
    except PaperError as exc:
        _err(str(exc))
        return 1
    print(out)
    return 0


def _paper(args: argparse.Namespace, pack) -> bytes:  # type: ignore[no-untyped-def]
    from kiosk.content.notice import read_claim
    from kiosk.paper.html import card_html, notice_html
    from kiosk.paper.model import PaperError, build_card, build_notice
    from kiosk.paper.render import pdf_bytes, pdf_fitted

    tags = _langs(args.lang)
    if args.what == "notice":
        claim = read_claim(pack).claim
        if not tags and claim is None:
            raise PaperError("no language given; use --lang with tags such as en,es "
                             "(or claim a state's notice in the pack: docs/print.md)")
        notice = build_notice(pack, tags, args.size, claim)
        if claim is not None:
            missing = [t for t in claim.languages if t not in [b.tag for b in notice.blocks]]
            if missing:
                print(f"kiosk: warning: {claim.law.citation} asks for {', '.join(claim.languages)}; "
                      f"this notice lacks {', '.join(missing)}", file=sys.stderr)
        # Shrink the language blocks step by step until the notice fits one sheet.
        return pdf_fitted(lambda shrink: notice_html(notice, shrink), NOTICE_SHRINKS)
    return pdf_bytes(card_html(build_card(pack, tags or (pack.manifest.default_language,), args.discreet)))


class _Size(argparse.Action):
    """--size checked here, not by argparse `choices`: a one-line error, not a usage screen."""

    def __call__(self, parser, namespace, values, option_string=None):  # type: ignore[no-untyped-def]
        setattr(namespace, self.dest, str(values).lower())


def cmd_print(args: argparse.Namespace) -> int:
    allowed = REVIEW_SIZES if args.what == "review" else SIZE_NAMES
    if args.what != "card" and args.size not in allowed:
        _err(f"unknown size '{args.size}'; use one of: {', '.join(allowed)}")
        return 1
    return _make(args)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("print", help="the pack on paper: a restroom notice, a wallet card, a review sheet")
    what = p.add_subparsers(dest="what", metavar="WHAT", required=True)

    n = what.add_parser("notice", help="a notice to post, from the pack's own numbers and words")
    n.add_argument("--lang", help="languages in order, e.g. en,es,zh-Hant (default: the pack's "
                                  "state-notice languages)")
    n.add_argument("--size", action=_Size, default="letter", help="letter (default), a4 or tabloid")

    c = what.add_parser("card", help="a double-sided wallet card, 85 x 55 mm")
    c.add_argument("--lang", help="languages, e.g. en,es: the first on the front, all on the back "
                                  "(default: the pack's default language)")
    c.add_argument("--discreet", action="store_true",
                   help="no words about trafficking or abuse: for waiting rooms")

    r = what.add_parser("review", help="every screen in every language, for signing off a pack "
                                       "(needs the 'ui' extra)")
    r.add_argument("--lang", help="only these languages (default: all the pack's)")
    r.add_argument("--size", action=_Size, default="letter", help="letter (default) or a4")

    for q in (n, c, r):
        q.add_argument("--pack", help="pack folder (default: the built-in pack)")
        q.add_argument("--out", required=True, help="PDF file to write")
        q.set_defaults(func=cmd_print)
    c.set_defaults(size="card")
    n.set_defaults(discreet=False)
    r.set_defaults(discreet=False)

"""`kiosk walk`: the flows in a terminal, for content authors and tests.

It drives the same screen controller the kiosk does (kiosk.screen) and prints
the same `Screen`: services results, the language list, the QR warning and
"Did you mean ...?" included. Effects (speech, the microphone) have no place in
a terminal and are left out.
"""

from __future__ import annotations

import logging
import sqlite3
import textwrap
from typing import IO, Iterable

from kiosk.content.model import Pack
from kiosk.screen import (Answer, AskQr, ChooseFilter, CloseOverlay, Controller, Input, Listen,
                          OpenLanguages, Say, Screen, ShowQr, Speak, VoiceHeard)
from kiosk.services_view import Query, directory_query
from kiosk.session import Back, Choose, Home, QuickExit, Session, SetLanguage
from kiosk.speech import Heard
from kiosk.view import View, contact_lines

HELP = ("commands: a number, back, home, exit, lang [TAG], close, qr N, show, "
        "cat ID|all, speaks own|any, open on|off, say WORDS (as if spoken), yes, no, quit")


def render_text(view: View, width: int = 72) -> str:
    """A view as plain text: what a screen shows, top to bottom."""
    lines = [f"[{view.node_id}] ({view.kind}, {view.language})", "", view.title.upper(), ""]
    for para in view.body:
        lines += textwrap.wrap(para, width) + [""]
    for item in view.items:
        lines += textwrap.wrap(item, width, initial_indent="  - ", subsequent_indent="    ")
    if view.items:
        lines.append("")
    for c in view.contacts:
        name, *rest = contact_lines(c, view.ui, spoken=False)
        lines.append(f"  {name}")
        for line in rest:
            lines += textwrap.wrap(line, width, initial_indent="    ", subsequent_indent="    ")
        lines.append("")
    lines += _services_text(view, width)
    if view.staff_phrase:
        lines += textwrap.wrap(view.staff_phrase, width) + [""]
    for o in view.options:
        lines.append(f"  {o.number}. {o.label}")
    controls = [view.ui["back"]] if view.can_go_back else []
    if not view.neutral:
        controls.append(view.ui["exit"])
    if controls:
        lines += ["", "  [" + "] [".join(controls) + "]"]
    return "\n".join(lines).rstrip() + "\n"


def _services_text(view: View, width: int) -> list[str]:
    """A services screen's filters (the chosen one starred) and the services found."""
    panel = view.services
    if panel is None:
        return []
    ui = view.ui

    def chip(label: str, chosen: bool) -> str:
        return f"*{label}*" if chosen else label

    cats = [chip(ui["services_all"], panel.category is None)] if len(panel.categories) > 1 else []
    cats += [chip(f"{c.label} ({c.id})", panel.category == c.id) for c in panel.categories]
    lines = [f"  {ui['help_type']}: " + " | ".join(cats),
             "  " + " | ".join([chip(ui["language_name"], panel.language is not None),
                                chip(ui["any_language"], panel.language is None),
                                chip(ui["open_now"], panel.open_now)]), ""]
    if not panel.results:
        lines += [f"  {ui['services_unavailable'] if panel.results is None else ui['no_services']}", ""]
    for n, x in enumerate(panel.results or (), start=1):
        lines.append(f"  {n}) {x.name}")
        rest = [x.categories, f"{x.status}: {x.hours}" if x.status else x.hours,
                *contact_lines(x.contact, ui, spoken=False)[1:], x.address,
                f"{ui['languages']}: {x.languages}" if x.languages else "", x.interpreters, x.free, x.checked]
        for line in rest:
            if line:
                lines += textwrap.wrap(line, width, initial_indent="     ", subsequent_indent="     ")
        lines.append("")
    if panel.more:
        lines += [f"  {ui['services_more']}", ""]
    return lines


def render_screen(screen: Screen, width: int = 72) -> str:
    """A Screen as plain text: the overlay when one covers the page, else the page."""
    overlay, view = screen.overlay, screen.view
    if overlay is None:
        text = render_text(view, width)
    elif overlay.kind == "languages":
        lines = [f"[{view.node_id}: {overlay.kind}]", "", view.ui["language"].upper(), ""]
        lines += [f"  {c.tag:8} {c.name}{'  *' if c.current else ''}" for c in overlay.languages]
        text = "\n".join(lines) + "\n"
    elif overlay.kind == "did_you_mean":
        text = f"[{view.node_id}: {overlay.kind}]\n\n{overlay.question}\n  [{view.ui['yes']}] [{view.ui['no']}]\n"
    else:
        assert overlay.contact is not None
        lines = [f"[{view.node_id}: {overlay.kind}]", "", overlay.contact.name.upper(), ""]
        if overlay.kind == "qr_warning":
            lines += textwrap.wrap(view.ui["qr_warning"], width) + ["", f"  [{view.ui['qr_confirm']}]"]
        else:
            lines += [f"  {uri}" for uri in (overlay.contact.tel_uri, overlay.contact.sms_uri) if uri]
        text = "\n".join(lines) + "\n"
    if screen.countdown is not None:
        text += f"  ({screen.countdown})\n"
    return text


def parse_command(line: str, screen: Screen | None = None) -> Input | Heard | str | None:
    """A typed line as an event (typed words after `say`: what a voice turn heard); a string
    for quit/help/errors; None for blank."""
    words = line.strip().split()
    if not words:
        return None
    cmd, args = words[0].lower(), words[1:]
    if cmd.isdigit() and not args:
        return Choose(int(cmd))
    simple: dict[str, Input] = {"back": Back(), "home": Home(), "exit": QuickExit(), "close": CloseOverlay(),
                                "yes": Answer(True), "no": Answer(False)}
    if cmd in simple and not args:
        return simple[cmd]
    if cmd == "lang":
        return SetLanguage(args[0]) if len(args) == 1 else OpenLanguages() if not args else "help"
    if cmd in ("quit", "q"):
        return "quit"
    if cmd == "cat" and len(args) == 1:
        return ChooseFilter("category", None if args[0] == "all" else args[0])
    if cmd == "speaks" and args in (["own"], ["any"]):
        own = screen.view.language if screen is not None else None
        return ChooseFilter("language", own if args == ["own"] else None)
    if cmd == "open" and args in (["on"], ["off"]):
        return ChooseFilter("open_now", args == ["on"])
    if cmd == "qr" and len(args) == 1 and args[0].isdigit() and screen is not None:
        panel = screen.view.services
        contacts = list(screen.view.contacts) + [x.contact for x in (panel.results or () if panel else ())]
        n = int(args[0])
        return AskQr(contacts[n - 1].id) if 1 <= n <= len(contacts) else f"no contact {n} here"
    if cmd == "say" and args and screen is not None:
        return _heard(" ".join(args), screen)
    if cmd == "show" and screen is not None and screen.overlay is not None and screen.overlay.contact:
        return ShowQr(screen.overlay.contact.id)
    return "help"


def _heard(text: str, screen: Screen) -> Heard:
    """Typed words as a voice turn would hear them: matched against the language's templates
    (nothing to compare a typed sentence against, so only the match itself can be doubtful)."""
    from voice.intents import matcher_for
    found = matcher_for(screen.view.language).recognize(text, [o.label for o in screen.view.options])
    return Heard(text, found.intent, dict(found.slots), score=found.score, sentence=found.sentence,
                 rivals=found.rivals)


def _speak(ctl: Controller, heard: Heard) -> Screen:
    """One push-to-talk turn that hears `heard`; what the kiosk would say is shown too."""
    ctl.handle(Speak())
    turn = next((e.turn for e in ctl.effects if isinstance(e, Listen)), ctl.turn)
    return ctl.handle(VoiceHeard(turn, heard))


def _query(pack: Pack) -> Query | None:
    """The pack's services directory, built if needed; None (the screen says so) if it cannot be."""
    try:
        from kiosk.content.directory import ensure_directory
        from kiosk.content.layout import services_files
        if not any(services_files(root) for root in pack.layers or (pack.root,)):
            return None
        return directory_query(ensure_directory(pack).path)
    except (OSError, sqlite3.Error) as exc:
        logging.getLogger("lantern.services").warning("the services directory cannot be built: %s", exc)
        return None


def walk(pack: Pack, lines: Iterable[str], out: IO[str], language: str | None = None,
         directory: Query | None = None) -> int:
    """Read commands from `lines`, print each Screen to `out`. `directory`: the services
    query (default: the pack's own directory)."""
    # Typed words stand in for the microphone in every language (`say ...`).
    ctl = Controller(Session(pack), directory=directory if directory is not None else _query(pack),
                     listens=lambda _tag: True)
    unknown = "unknown language '{}'; this pack has: " + ", ".join(pack.manifest.languages) + "\n"
    if language:
        if language not in pack.manifest.languages:
            out.write(unknown.format(language))
            return 2
        ctl.handle(SetLanguage(language))
    out.write(render_screen(ctl.screen))
    out.write("> ")
    out.flush()
    for line in lines:
        parsed = parse_command(line, ctl.screen)
        if parsed == "quit":
            break
        if parsed == "help":
            out.write(HELP + "\n")
        elif isinstance(parsed, str):
            out.write(parsed + "\n")
        elif isinstance(parsed, SetLanguage) and parsed.tag not in pack.manifest.languages:
            out.write(unknown.format(parsed.tag))
        elif isinstance(parsed, Choose) and ctl.screen.overlay is None and \
                not 1 <= parsed.number <= len(ctl.screen.view.options):
            out.write(f"no option {parsed.number} here\n")
        elif parsed is not None:
            screen = _speak(ctl, parsed) if isinstance(parsed, Heard) else ctl.handle(parsed)
            said = [" ".join(e.sentences) for e in ctl.effects if isinstance(e, Say)]
            out.write("\n" + render_screen(screen) + "".join(f"  (says: {x})\n" for x in said))
        out.write("> ")
        out.flush()
    out.write("\n")
    return 0

"""`kiosk walk`: the flows in a terminal, for content authors and tests."""

from __future__ import annotations

import textwrap
from typing import IO, Iterable

from kiosk.content.model import Pack
from kiosk.session import Back, Choose, Event, Home, QuickExit, Session, SetLanguage
from kiosk.view import View

HELP = "commands: a number, back, home, exit, lang TAG, quit"


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
        lines.append(f"  {c.name}")
        if c.call_display:
            lines.append(f"    {view.ui['call']}: {c.call_display}")
        if c.text_line:
            lines.append(f"    {c.text_line}")
        if c.tty:
            lines.append(f"    {view.ui['tty']}: {c.tty}")
        if c.chat:
            lines.append(f"    {view.ui['chat']}: {c.chat}")
        if c.hours:
            lines.append(f"    {c.hours}")
        if c.languages:
            lines.append(f"    {view.ui['languages']}: {c.languages}")
        if c.interpreters:
            lines.append(f"    {c.interpreters}")
        if c.about:
            lines += textwrap.wrap(c.about, width, initial_indent="    ", subsequent_indent="    ")
        if c.verified:
            lines.append(f"    ({c.verified})")
        lines.append("")
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


def parse_command(line: str) -> Event | str | None:
    """A typed line as an event; a string for quit/help/errors; None for blank."""
    words = line.strip().split()
    if not words:
        return None
    cmd = words[0].lower()
    if cmd.isdigit():
        return Choose(int(cmd))
    if cmd == "back":
        return Back()
    if cmd == "home":
        return Home()
    if cmd == "exit":
        return QuickExit()
    if cmd == "lang" and len(words) == 2:
        return SetLanguage(words[1])
    if cmd in ("quit", "q"):
        return "quit"
    return "help"


def walk(pack: Pack, lines: Iterable[str], out: IO[str], language: str | None = None) -> int:
    session = Session(pack)
    if language:
        if language not in pack.manifest.languages:
            out.write(f"unknown language '{language}'; this pack has: "
                      f"{', '.join(pack.manifest.languages)}\n")
            return 2
        session.handle(SetLanguage(language))
    out.write(render_text(session.view()))
    out.write("> ")
    out.flush()
    for line in lines:
        parsed = parse_command(line)
        if parsed == "quit":
            break
        if parsed == "help":
            out.write(HELP + "\n")
        elif isinstance(parsed, SetLanguage) and parsed.tag not in pack.manifest.languages:
            out.write(f"unknown language '{parsed.tag}'; this pack has: "
                      f"{', '.join(pack.manifest.languages)}\n")
        elif isinstance(parsed, Choose) and not 1 <= parsed.number <= len(session.view().options):
            out.write(f"no option {parsed.number} here\n")
        elif parsed is not None:
            out.write("\n" + render_text(session.handle(parsed)))
        out.write("> ")
        out.flush()
    out.write("\n")
    return 0

"""What a recognised command does: a session event, or a UI action.

Voice and touch become the same events (kiosk/session.py). Commands that act
on the kiosk itself rather than on the flow (repeat, stop, yes, no, opening
the language picker) come back as a `UiAction` for the UI to carry out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from kiosk.content.model import Pack
from kiosk.session import Back, Choose, Event, GoTo, Home, QuickExit, SetLanguage

UiName = Literal["repeat", "stop", "yes", "no", "pick_language"]


@dataclass(frozen=True)
class UiAction:
    name: UiName


def action_for(intent: str | None, slots: dict[str, str], pack: Pack,
               hotline_node: str = "hotline", emergency_node: str = "emergency") -> Event | UiAction | None:
    """The event or UI action for a command; None when it means nothing here."""
    match intent:
        case "help":
            return GoTo(pack.manifest.help_entry)
        case "hotline":
            return GoTo(hotline_node) if hotline_node in pack.nodes else None
        case "emergency":
            return GoTo(emergency_node) if emergency_node in pack.nodes else None
        case "back":
            return Back()
        case "home":
            return Home()
        case "exit":
            return QuickExit()
        case "change_language":
            tag = slots.get("language")
            if tag is None:
                return UiAction("pick_language")
            return SetLanguage(tag) if tag in pack.manifest.languages else None
        case "choose":
            option = slots.get("option", "")
            return Choose(int(option)) if option.isdigit() else None
        case "repeat" | "stop" | "yes" | "no":
            return UiAction(intent)
    return None

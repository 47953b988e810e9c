"""Commands become the same session events as touch."""

from __future__ import annotations

from kiosk.content.packs import open_pack
from kiosk.session import Back, Choose, GoTo, Home, QuickExit, Session, SetLanguage
from voice.actions import UiAction, action_for
from voice.intents import matcher_for


def test_spoken_commands_drive_the_session() -> None:
    pack = open_pack().pack
    assert pack is not None
    session = Session(pack)
    en = matcher_for("en")

    def say(text: str, options: list[str] | None = None) -> object:
        view = session.view()
        labels = options if options is not None else [o.label for o in view.options]
        r = en.recognize(text, labels)
        return action_for(r.intent, r.slots, pack)

    assert say("I need help") == GoTo(pack.manifest.help_entry)
    session.handle(say("I need help"))
    assert session.node_id == pack.manifest.help_entry
    assert say("call the hotline") == GoTo("hotline")
    assert say("option 2") == Choose(2)
    label = session.view().options[1].label
    assert say(label) == Choose(2)
    assert say("Spanish") == SetLanguage("es")
    assert say("Korean") is None or "ko" in pack.manifest.languages
    assert say("change language") == UiAction("pick_language")
    assert say("go back") == Back() and say("home") == Home() and say("exit") == QuickExit()
    assert say("stop") == UiAction("stop") and say("yes") == UiAction("yes")
    assert say("what time is it") is None

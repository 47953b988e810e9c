"""When a recognised command acts at once, is asked about, or is dropped: the one place this is decided.

Voice is for people who may not be able to read the screen, and a wrong
action can hurt them: a quick exit while someone asks for emergency help makes
the screen vanish; a language change to one they do not read strands them.
So a command acts at once only when it is clear; a doubtful command is asked
about ("Did you mean ...?", spoken and shown), except where a question would
itself do harm or mean nothing, and then it is dropped. The table in
docs/voice.md is this module in words; tests/voice/test_policy.py checks every
case.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from kiosk.speech import Heard

Decision = Literal["act", "ask", "drop"]

# "Clear": the words are exactly an allowed sentence (score 1.0, filler aside),
# no alternative pointed to another intent, and the chosen alternative stood at
# least this far above both the next alternative meaning something else and the
# filler model (voice.pipeline.interpret). On the Korean test model, wrong
# commands reached at most about 0.6, right ones mostly 0.9 to 1.0.
CLEAR_MARGIN = 0.7
# Quick exit hides the screen and forgets the session: it needs a wider margin.
EXIT_MARGIN = 0.85
EXACT = 1.0

# The node whose screen is the emergency screen (the pack's convention, as in voice/actions.py).
EMERGENCY_NODE = "emergency"

# Intents that are only answers to an open "Did you mean ...?".
ANSWERS = frozenset({"yes", "no"})


@dataclass(frozen=True)
class Context:
    asking: bool                       # a "Did you mean ...?" question is open on screen
    node: str                          # the current screen's node id
    emergency: bool = False            # the visitor is on the emergency screen or asked for emergency help in this exchange


def clear(heard: Heard, margin: float = CLEAR_MARGIN) -> bool:
    """An exact match that nothing else heard disputes."""
    others = set(heard.rivals) - {heard.intent}
    return heard.score >= EXACT and not others and heard.margin >= margin


def decide(heard: Heard, ctx: Context) -> Decision:
    """Act, ask "Did you mean ...?", or drop what was heard."""
    intent = heard.intent
    if intent is None or heard.error is not None:
        return "drop"
    if intent == "exit":
        # Never asked: a question would leave the screen up while asking about
        # hiding it, and "no" to it could become something else. Never during
        # an emergency request: that is where a mishearing hurts most.
        emergency = ctx.emergency or ctx.node == EMERGENCY_NODE or "emergency" in heard.rivals
        return "act" if not emergency and clear(heard, EXIT_MARGIN) else "drop"
    if intent in ANSWERS:
        # A yes or no means something only as the answer to an open question,
        # and a doubtful one must not answer it either way.
        return "act" if ctx.asking and clear(heard) else "drop"
    return "act" if clear(heard) else "ask"

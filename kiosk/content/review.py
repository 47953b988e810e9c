"""Who has checked each language's words, and what a facility must be told about it.

A locale's `review:` says how far its words can be trusted (model.Review). The
words that can hurt someone when they are wrong are the *safety-critical*
strings: everything on a help screen, every contact's name and notes, and the
kiosk's own words about leaving, calling and privacy. A production pack (not
`sample: true`) that shows a language whose safety-critical strings nobody
fluent has checked gets a warning: from `kiosk validate`, and on the admin
status screen through `review_warnings`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kiosk.content.model import UNCHECKED_STATUSES, Pack
from kiosk.content.problems import Problem

# The kiosk's own words whose mistranslation changes what a visitor believes about
# leaving the screen, reaching a line or being safe doing so.
SAFETY_UI_KEYS: tuple[str, ...] = (
    "ui.exit", "ui.call", "ui.text", "ui.text_keyword", "ui.tty", "ui.chat", "ui.always_open",
    "ui.languages", "ui.interpreters", "ui.qr_warning", "ui.staff_phrase", "ui.free", "ui.verified",
)


@dataclass(frozen=True)
class LanguageReview:
    """One shown language's review record, as the admin screen lists it."""

    tag: str
    status: str
    safety_status: str
    by: str | None
    date: dt.date | None

    @property
    def unchecked(self) -> bool:
        return self.safety_status in UNCHECKED_STATUSES


def safety_critical_keys(pack: Pack) -> frozenset[str]:
    """The string keys whose review status `safety_critical:` describes."""
    help_nodes = {node_id for node_id, node in pack.nodes.items() if not node.neutral}
    keys: set[str] = set(SAFETY_UI_KEYS)
    for loc in pack.locales.values():
        for key in loc.strings:
            owner = key.split(".", 1)[0]
            if owner == "contact" or owner in help_nodes:
                keys.add(key)
    return frozenset(keys)


def language_reviews(pack: Pack) -> list[LanguageReview]:
    """The review record of every language the pack shows, in the pack's order."""
    out = []
    for tag in pack.manifest.languages:
        loc = pack.locales.get(tag)
        if loc is None:
            continue
        rev = loc.reviewed
        out.append(LanguageReview(tag, rev.status, rev.safety_status, rev.by, rev.date))
    return out


def review_warnings(pack: Pack) -> list[Problem]:
    """A warning for each language of a production pack whose safety-critical strings
    are machine translation or a draft that no fluent reviewer has checked."""
    if pack.manifest.sample:
        return []
    out = []
    for review in language_reviews(pack):
        if not review.unchecked:
            continue
        loc = pack.locales[review.tag]
        kind = "machine translation" if review.safety_status == "machine" else "an unchecked draft"
        out.append(Problem.warning(
            loc.reviewed.where,
            f"{review.tag}: the safety-critical strings (help screens, contacts) are {kind} that "
            "no fluent reviewer has checked, and this pack is for real visitors (sample: false); "
            "have them reviewed, then record it: review: {status: reviewed, by: ..., date: ..., "
            "safety_critical: reviewed}"))
    return out


__all__ = ["LanguageReview", "SAFETY_UI_KEYS", "language_reviews", "review_warnings",
           "safety_critical_keys"]

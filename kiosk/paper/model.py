"""What goes on paper, as plain data built from a pack.

Every word and number comes from the pack through the same views the screen
uses (`kiosk.view.contact_view`, `Strings`), so a poster and the kiosk beside
it cannot disagree. Building a model is a pure function of the pack; drawing
it is `kiosk.paper.html` and `kiosk.paper.render`.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.content.model import Pack
from kiosk.content.notice import HOTLINE_ID, Law, NoticeClaim, indicator_keys, notice_contacts
from kiosk.i18n.names import is_rtl
from kiosk.view import ContactView, Strings, contact_view, language_choices, paragraphs

SIZES: dict[str, str] = {"letter": "letter", "a4": "A4", "tabloid": "11in 17in"}
# Key indicators a notice lists when no law asks for all of them: a poster is read in passing.
NOTICE_INDICATORS = 5


class PaperError(Exception):
    """Input that cannot make a page (unknown language, no hotline in the pack): one line."""


@dataclass(frozen=True)
class Line:
    """One way to reach a line: a label and the number (kept apart so the number can be
    set left-to-right inside right-to-left text)."""

    label: str
    number: str
    kind: str  # "call", "text", "tty", "chat"


@dataclass(frozen=True)
class OtherContact:
    name: str
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Block:
    """One language's words on a notice or a card."""

    tag: str
    rtl: bool
    language_name: str  # in its own words: "Español"
    title: str  # the hotline's name on a notice; on a discreet card, a calm label
    lead: tuple[str, ...]  # short universal-education text
    lines: tuple[Line, ...]  # call, text, TTY, chat of the hotline
    hours: str
    languages: str  # "Languages: English and Spanish. Interpreters for more than 200 other languages"
    indicators_title: str
    indicators: tuple[str, ...]
    others: tuple[OtherContact, ...]  # e.g. the state's line, 911
    wording: tuple[str, ...]  # a state's required wording, from the pack's strings
    verified: str  # "Number checked Nov 1, 2026"
    remember: str  # "Easy to remember"
    free: str
    qr_warning: str


@dataclass(frozen=True)
class Notice:
    size: str  # a key of SIZES
    blocks: tuple[Block, ...]
    call_display: str  # the easy-to-remember pattern, printed large
    text_number: str | None
    tty: str | None
    tel_uri: str
    sms_uri: str | None
    citation: str | None  # the law the notice is made for, when the pack claims one
    pack_label: str  # "us-ca-sample v1": which pack made this paper
    verified_iso: str  # the oldest verified day of the numbers printed
    sample: bool = False  # a sample pack (fictional local data): the paper says so


@dataclass(frozen=True)
class Card:
    discreet: bool
    front: Block
    back: tuple[Block, ...]
    heading: str  # what the card looks like from a distance: a health card
    front_title: str  # a calm invitation above the number: "Talk to someone"
    call_display: str
    tel_uri: str
    pack_label: str
    verified_iso: str
    sample: bool = False


def check_languages(pack: Pack, tags: tuple[str, ...]) -> None:
    if not tags:
        raise PaperError("no language given; use --lang with tags such as en,es")
    for tag in tags:
        if tag not in pack.manifest.languages:
            raise PaperError(f"unknown language '{tag}'; this pack has: {', '.join(pack.manifest.languages)}")
    twice = sorted({t for t in tags if tags.count(t) > 1})
    if twice:
        raise PaperError(f"language given twice: {', '.join(twice)}")


def _hotline(pack: Pack) -> None:
    if HOTLINE_ID not in pack.contacts or not pack.contacts[HOTLINE_ID].call:
        raise PaperError(f"the pack has no '{HOTLINE_ID}' contact with a number to print")


def contact_lines(view: ContactView, s: Strings) -> tuple[Line, ...]:
    lines = []
    if view.call_display:
        lines.append(Line(s("ui.call"), view.call_display, "call"))
    if view.text_line and view.sms_uri:
        number = view.sms_uri.removeprefix("sms:").split("?")[0]
        # "Text START to 88788" keeps its words; the number is set apart from them.
        keyword = "?body=" in view.sms_uri
        label = view.text_line.replace(number, "").strip() if keyword else s("ui.text")
        lines.append(Line(label, number, "text"))
    if view.tty:
        lines.append(Line(s("ui.tty"), view.tty, "tty"))
    if view.chat:
        lines.append(Line(s("ui.chat"), view.chat, "chat"))
    return tuple(lines)


def build_block(pack: Pack, tag: str, law: Law | None, wording: tuple[str, ...], *,
                discreet: bool = False, indicators: int = 0) -> Block:
    """One language's words; `indicators`: how many key indicators to list (-1: all)."""
    s = Strings(pack, tag)
    region = pack.manifest.region
    hotline = contact_view(pack.contacts[HOTLINE_ID], s, region)
    names = dict(language_choices(pack))
    languages = f"{s('ui.languages')}: {hotline.languages}" if hotline.languages else ""
    if hotline.interpreters:
        languages = f"{languages}. {hotline.interpreters}" if languages else hotline.interpreters
    others = []
    extra = [c for c in notice_contacts(pack, law) if c.id != HOTLINE_ID]
    if not discreet and "emergency" in pack.contacts:
        extra.append(pack.contacts["emergency"])
    for contact in extra:
        view = contact_view(contact, s, region)
        others.append(OtherContact(view.name, contact_lines(view, s)))
    keys = indicator_keys(pack) if indicators and not discreet else ()
    if keys and indicators > 0:
        keys = keys[:1 + indicators]  # the title, then the pack's first (its most telling) items
    if discreet:
        # No word about trafficking or abuse: the card must pass for a health card.
        title, lead = s("hotline.label"), ()
    else:
        title = s("hotline.title")
        lead = (*paragraphs(s.get("hotline.body"))[:1], hotline.about)
    return Block(
        tag=tag, rtl=is_rtl(tag), language_name=names.get(tag, tag), title=title,
        lead=tuple(p for p in lead if p), lines=contact_lines(hotline, s), hours=hotline.hours,
        languages="" if discreet else languages,
        indicators_title=s(keys[0]) if keys else "", indicators=tuple(s(k) for k in keys[1:]),
        others=tuple(others), wording=tuple(s(k) for k in wording) if not discreet else (),
        verified=hotline.verified, remember=s("ui.remember"), free=s("ui.free"),
        qr_warning=s("ui.qr_warning"),
    )


def _pack_label(pack: Pack) -> str:
    return f"{pack.manifest.id} v{pack.manifest.version}"


def _verified_iso(pack: Pack, law: Law | None) -> str:
    days = [c.verified for c in notice_contacts(pack, law) if c.verified]
    return min(days).isoformat() if days else ""


def build_notice(pack: Pack, tags: tuple[str, ...], size: str, claim: NoticeClaim | None) -> Notice:
    """A notice in `tags`' languages (the claim's, in its order, when none are given)."""
    if size not in SIZES:
        raise PaperError(f"unknown size '{size}'; use one of: {', '.join(SIZES)}")
    _hotline(pack)
    tags = tags or (claim.languages if claim else ())
    check_languages(pack, tags)
    law = claim.law if claim else None
    wording = claim.wording if claim else ()
    # Key indicators are universal education: a few on every notice, all where a law asks for them.
    count = -1 if law and law.indicators else NOTICE_INDICATORS
    blocks = tuple(build_block(pack, t, law, wording, indicators=count) for t in tags)
    s = Strings(pack, tags[0])
    hotline = contact_view(pack.contacts[HOTLINE_ID], s, pack.manifest.region)
    assert hotline.call_display and hotline.tel_uri  # _hotline() made sure
    text_number = hotline.sms_uri.removeprefix("sms:").split("?")[0] if hotline.sms_uri else None
    return Notice(size=size, blocks=blocks, call_display=hotline.call_display, text_number=text_number,
                  tty=hotline.tty, tel_uri=hotline.tel_uri, sms_uri=hotline.sms_uri,
                  citation=law.citation if law else None, pack_label=_pack_label(pack),
                  verified_iso=_verified_iso(pack, law), sample=pack.manifest.sample)


def build_card(pack: Pack, tags: tuple[str, ...], discreet: bool) -> Card:
    """A wallet card: the first language on the front, every language on the back."""
    _hotline(pack)
    check_languages(pack, tags)
    blocks = tuple(build_block(pack, t, None, (), discreet=discreet) for t in tags)
    s = Strings(pack, tags[0])
    hotline = contact_view(pack.contacts[HOTLINE_ID], s, pack.manifest.region)
    assert hotline.call_display and hotline.tel_uri
    heading = s("home.title") if discreet else hotline.name
    return Card(discreet=discreet, front=blocks[0], back=blocks, heading=heading,
                front_title=s("hotline.label"),
                call_display=hotline.call_display, tel_uri=hotline.tel_uri,
                pack_label=_pack_label(pack), verified_iso=_verified_iso(pack, None),
                sample=pack.manifest.sample)

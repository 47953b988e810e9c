"""What one screen shows and says: immutable views built from a pack.

The Kivy UI draws a `View`, the TTS reads its `speech`, `kiosk walk` prints
it and the tests assert on it. Building a view is a pure function of the pack,
the node and the language.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping


from kiosk.content.builtin import language_chain
from kiosk.content.model import INTERPRETERS, SERVICE_CATEGORIES, Contact, Node, Pack, option_label_key
from kiosk.content.phones import digits_of
from kiosk.content.ui_keys import UI_KEYS
from kiosk.i18n.names import autonym, is_rtl, language_name

_PLACEHOLDER = re.compile(r"\{([a-zA-Z_][a-zA-Z0-9_]*)\}")


def fill(template: str, **values: object) -> str:
    """Put values into {placeholders}; an unknown placeholder stays as written."""
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0),
                            template)


@dataclass(frozen=True)
class OptionView:
    number: int  # 1-based, as spoken ("option 2") and typed in `kiosk walk`
    target: str
    label: str
    icon: str | None


@dataclass(frozen=True)
class ContactView:
    id: str
    name: str
    about: str
    call: str | None  # as written in the pack
    call_display: str | None  # grouped for memory: 1-888-3737-888
    call_spoken: str | None  # digit by digit: "1, 8 8 8, 3 7 3 7, 8 8 8"
    text_line: str | None  # "Text 233733" or "Text START to 88788"
    text_spoken: str | None
    tty: str | None
    chat: str | None
    hours: str  # empty when the pack does not say
    languages: str  # "English and Spanish", in the visitor's language
    interpreters: str  # "Interpreters for more than 200 other languages", or empty
    verified: str
    tel_uri: str | None
    sms_uri: str | None
    # The English name, shown after the local one and smaller (a hotline answers with it);
    # empty in English, or when the translation is the English name itself.
    name_english: str = ""


@dataclass(frozen=True)
class CategoryView:
    """A category chip on a services screen."""

    id: str  # a directory category, e.g. "shelter"
    label: str
    icon: str  # a built-in icon of the same name


@dataclass(frozen=True)
class ServiceView:
    """One local service on a services screen, in the visitor's language."""

    id: str
    name: str
    categories: str  # "Legal help, Immigration help"
    open_now: bool | None  # None: no moment was given to check against
    status: str  # "Open now", "Closed now", or empty
    hours: str  # "Mon–Fri 9:00 AM–5:00 PM", or "Open all day and night, every day"
    free: str  # "Free", "May cost money", or empty when the pack does not say
    languages: str  # "English and Spanish"
    interpreters: str  # "Interpreters available", or empty
    address: str
    contact: ContactView  # the phone and text lines, as a contact screen draws them (QR, say again)
    checked: str  # "Checked Nov 1, 2026"


@dataclass(frozen=True)
class ServicesView:
    """A services screen's filters and results.

    `build_view` gives the filters' starting point and no results: the engine
    does not read the directory. The UI looks services up (an injected query,
    kiosk.ui.services_ui) and fills `results` with kiosk.services_view.with_results.
    """

    categories: tuple[CategoryView, ...]  # what the screen offers, in the directory's order
    category: str | None  # the chosen one; None: all the screen offers
    language: str | None  # services that speak it (then those with interpreters); None: any
    open_now: bool  # only services open at the moment of the query
    results: tuple[ServiceView, ...] | None = None  # None: not looked up, or no directory
    more: bool = False  # more services match than one screenful


@dataclass(frozen=True)
class View:
    node_id: str
    kind: str
    language: str
    rtl: bool
    title: str
    body: tuple[str, ...]  # paragraphs
    options: tuple[OptionView, ...]
    contacts: tuple[ContactView, ...]
    items: tuple[str, ...]
    staff_phrase: str | None
    neutral: bool  # part of the health-information face: no quick-exit button
    can_go_back: bool
    idle_seconds_left: int | None  # shown only in the last seconds before a reset
    ui: Mapping[str, str]  # the kiosk's own words, keys without the "ui." prefix
    speech: tuple[str, ...]  # what read-aloud says, sentence by sentence
    services: ServicesView | None = None  # a services screen's filters and results
    # The placement (pack.yaml `mode`). In a waiting room a help screen's `title` is its
    # discreet title and organisation names are drawn small inside their cards
    # (`discreet`); `explicit_title` is always the node's own `X.title`, for reviewers.
    explicit_title: str = ""
    discreet: bool = False


@dataclass(frozen=True)
class Strings:
    """String lookup for one visitor language with its fallback chain."""

    pack: Pack
    tag: str

    def chain(self) -> list[str]:
        chain = language_chain(self.tag)
        default = self.pack.manifest.default_language
        return chain + ([default] if default not in chain else [])

    def get(self, key: str) -> str | None:
        for tag in self.chain():
            value = self.pack.string(tag, key)
            if value is not None:
                return value
        return None

    def __call__(self, key: str, **values: object) -> str:
        value = self.get(key)
        return fill(value, **values) if value is not None else key


def spoken_digits(number: str) -> str:
    """Digits one by one, groups separated by commas: how ADA kiosks read numbers."""
    groups = [g for g in re.split(r"[^0-9]+", number) if g]
    return ", ".join(" ".join(g) for g in groups)


def paragraphs(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    return tuple(" ".join(p.split()) for p in re.split(r"\n\s*\n", text.strip()) if p.strip())


def _tel_uri(number: str, region: str) -> str:
    digits = digits_of(number)
    if region.startswith("US") and len(digits) == 10:
        digits = "1" + digits
    return f"tel:+{digits}" if len(digits) >= 10 else f"tel:{digits}"


def contact_view(contact: Contact, s: Strings, region: str) -> ContactView:
    display = contact.call_display or contact.call
    text_line = text_spoken = sms = None
    if contact.text:
        if contact.text_keyword:
            text_line = s("ui.text_keyword", keyword=contact.text_keyword, number=contact.text)
            text_spoken = s("ui.text_keyword", keyword=contact.text_keyword,
                            number=spoken_digits(contact.text))
            sms = f"sms:{digits_of(contact.text)}?body={contact.text_keyword}"
        else:
            text_line = f"{s('ui.text')}: {contact.text}"
            text_spoken = f"{s('ui.text')}: {spoken_digits(contact.text)}"
            sms = f"sms:{digits_of(contact.text)}"
    names = [s.get(f"lang.{t}") or language_name(t, s.tag, capitalize=False)
             for t in contact.languages if t != INTERPRETERS]
    interpreters = s("ui.interpreters") if INTERPRETERS in contact.languages else ""
    hours = {"always": s("ui.always_open"), "custom": s(f"contact.{contact.id}.hours")}.get(
        contact.hours or "", "")
    verified = ""
    if contact.verified:
        verified = s("ui.verified", date=_format_day(contact.verified, s.tag, s))
    english = (s.pack.string("en", f"contact.{contact.id}.name") or "") if s.tag != "en" else ""
    name, name_english = local_name_first(s(f"contact.{contact.id}.name"), english)
    return ContactView(
        id=contact.id, name=name, name_english=name_english,
        about=s.get(f"contact.{contact.id}.about") or "",
        call=contact.call, call_display=display,
        call_spoken=spoken_digits(display) if display else None,
        text_line=text_line, text_spoken=text_spoken, tty=contact.tty, chat=contact.chat,
        hours=hours, languages=_join(names, s.tag, s.get("lang.and")), interpreters=interpreters, verified=verified,
        tel_uri=_tel_uri(contact.call, region) if contact.call else None, sms_uri=sms,
    )


def local_name_first(translated: str, english: str) -> tuple[str, str]:
    """(the name in the visitor's language, the English name to show after it, or "").

    Translators wrote "National Human Trafficking Hotline (الخط الساخن ...)": the
    English name first, the visitor's own in brackets. The visitor's comes first now.
    """
    name, english = translated.strip(), english.strip()
    if not english or name == english:
        return name, ""
    if name.startswith(english):
        rest = name[len(english):].strip()
        if len(rest) > 2 and rest[0] in "(（" and rest[-1] in ")）":
            local = rest[1:-1].strip()
            return local[:1].upper() + local[1:], english  # "línea para jóvenes" starts a line now
        return name, ""  # the English name with words after it: it already says both
    return name, english


def _join(names: list[str], tag: str, and_word: str | None = None) -> str:
    """A list as the language writes it: "A, B and C", "A、B和C".

    `and_word` (the pack's `lang.and`) serves languages CLDR lacks list rules for.
    """
    if not names:
        return ""
    from babel.lists import format_list  # imported when first needed: it slows the kiosk's start

    try:
        if and_word and len(names) > 1:
            joined = f"{', '.join(names[:-1])} {and_word} {names[-1]}"
        else:
            joined = format_list(names, style="standard", locale=tag.replace("-", "_"))
    except Exception:  # unknown locale in babel: a plain comma list is still readable
        joined = ", ".join(names)
    return joined[:1].upper() + joined[1:]


def _format_day(day: dt.date, tag: str, s: Strings | None = None) -> str:
    # CLDR has no dates for some languages (for Haitian Creole babel writes "2026 M11 1"):
    # the pack's `ui.month.1` ... `ui.month.12` then name the months, day month year.
    month = s.get(f"ui.month.{day.month}") if s is not None else None
    if month:
        return f"{day.day} {month} {day.year}"
    from babel.dates import format_date  # imported when first needed: it slows the kiosk's start

    try:
        return format_date(day, format="medium", locale=tag.replace("-", "_"))
    except Exception:  # babel raises several types for unknown locales; a date is never worth a crash
        return day.isoformat()


def language_choices(pack: Pack) -> tuple[tuple[str, str], ...]:
    """(tag, name) for the language picker: each language in its own words.

    The pack's own `ui.language_name` wins (a translator's choice, e.g. "Kreyòl
    ayisyen"); CLDR's autonym via babel is the fallback.
    """
    return tuple((tag, pack.string(tag, "ui.language_name") or autonym(tag))
                 for tag in pack.manifest.languages)


def ui_strings(s: Strings) -> Mapping[str, str]:
    return MappingProxyType({key[3:]: s(key) for key in UI_KEYS})


def build_view(pack: Pack, node: Node, tag: str, *, can_go_back: bool,
               idle_seconds_left: int | None = None) -> View:
    s = Strings(pack, tag)
    options = tuple(
        OptionView(i, o.to, s(option_label_key(o)), o.icon or pack.nodes[o.to].icon)
        for i, o in enumerate(node.options, start=1) if o.to in pack.nodes
    )
    contacts = tuple(contact_view(pack.contacts[c], s, pack.manifest.region)
                     for c in node.contacts if c in pack.contacts)
    items = tuple(s(f"{node.id}.item.{name}") for name in node.items)
    staff = None
    if node.staff_phrase:
        phrase = next((pack.manifest.staff_phrase[t] for t in s.chain()
                       if pack.manifest.staff_phrase.get(t)), None)
        staff = s("ui.staff_phrase", phrase=phrase) if phrase else None
    explicit_title = s(f"{node.id}.title")
    discreet = is_discreet(pack, node)
    # The validator requires a discreet title in waiting_room mode; a pack loaded without
    # one still shows a calm heading (the neutral screen's) rather than the explicit one.
    title = (s.get(f"{node.id}.discreet_title") or s(f"{pack.manifest.neutral}.title")) if discreet \
        else explicit_title
    body = paragraphs(s.get(f"{node.id}.body"))
    ui = ui_strings(s)
    return View(
        node_id=node.id, kind=node.kind, language=tag, rtl=is_rtl(tag), title=title, body=body,
        options=options, contacts=contacts, items=items, staff_phrase=staff, neutral=node.neutral,
        can_go_back=can_go_back, idle_seconds_left=idle_seconds_left, ui=ui,
        speech=speech_for(title, body, items, contacts, staff, options, ui),
        services=services_filters(node, s) if node.kind == "services" else None,
        explicit_title=explicit_title, discreet=discreet,
    )


def is_discreet(pack: Pack, node: Node) -> bool:
    """A help screen in a waiting room: calm heading, organisation names small."""
    return pack.manifest.mode == "waiting_room" and not node.neutral


def services_filters(node: Node, s: Strings) -> ServicesView:
    """Where a services screen starts: its one category, or all it offers; the visitor's language."""
    offered = node.categories or SERVICE_CATEGORIES
    categories = tuple(CategoryView(c, s(f"ui.cat_{c}"), c) for c in offered)
    return ServicesView(categories=categories, category=offered[0] if len(offered) == 1 else None,
                        language=s.tag, open_now=False)


def contact_lines(c: ContactView, ui: Mapping[str, str], spoken: bool) -> list[str]:
    """A contact, line by line, as read aloud (`spoken`: numbers digit by digit) or as printed
    (`kiosk walk`). The one place a contact's parts and their order are written down."""
    call = c.call_spoken if spoken else c.call_display
    text = c.text_spoken if spoken else c.text_line
    lines = [c.name, f"{ui['call']}: {call}" if call else "", text or ""]
    if not spoken:  # a text line or a web address read out is no use; on paper it is
        lines += [f"{ui['tty']}: {c.tty}" if c.tty else "", f"{ui['chat']}: {c.chat}" if c.chat else ""]
    lines += [c.about, c.hours, f"{ui['languages']}: {c.languages}" if c.languages else "", c.interpreters]
    if not spoken and c.verified:
        lines.append(f"({c.verified})")
    return [line for line in lines if line]


_IDEOGRAPH = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
CHARACTERS_PER_WORD = 2.0  # Chinese (no spaces between words): about two characters a word


def reading_words(texts: tuple[str, ...] | list[str]) -> float:
    """How many words a reader reads in these texts: spaced words counted one each, runs of
    Chinese characters by their length (Korean, Arabic and the rest space their words)."""
    total = 0.0
    for text in texts:
        for token in text.split():
            ideographs = len(_IDEOGRAPH.findall(token))
            total += max(1.0, ideographs / CHARACTERS_PER_WORD) if ideographs else 1.0
    return total


def speech_for(title: str, body: tuple[str, ...], items: tuple[str, ...],
               contacts: tuple[ContactView, ...], staff: str | None,
               options: tuple[OptionView, ...], ui: Mapping[str, str]) -> tuple[str, ...]:
    out = [title, *body, *items]
    for c in contacts:
        out += contact_lines(c, ui, spoken=True)
    if staff:
        out.append(staff)
    for o in options:
        out.append(f"{fill(ui['option_n'], n=o.number)}: {o.label}")
    return tuple(x for x in out if x)

"""A pack's claim to make its state's required trafficking notice, and the check of it.

Many US states require businesses such as hospitals and clinics to post a
human-trafficking notice in set languages (facts: /work/shared/FACTS.md). A
pack may say in `pack.yaml` that `kiosk print notice` makes the notice of one
of the laws below:

    notice:
      law: ca-civil-52.6
      languages: [en, es, zh-Hans]   # the notice's languages, in order
      wording: [notice.ca_extra]     # optional: strings every notice language must have

`check_notice` (run by the validator) makes sure such a pack can keep its word:
the law's required languages are among the notice's, each notice language is
one the pack shows, the law's required numbers are among the pack's contacts,
and every string the law's wording needs exists in every notice language.
Nothing here reads anything but the pack; the law table holds only what
FACTS.md says.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kiosk.content.model import Contact, Pack
from kiosk.content.phones import digits_of
from kiosk.content.problems import Problem, Where
from kiosk.content.yamlpos import LMap, LScalar, LSeq, LValue, YamlError, load_yaml

HOTLINE_ID = "nhth"  # the National Human Trafficking Hotline, in the built-in pack
HOTLINE_DIGITS = "18883737888"
INDICATOR_NODE = "signs"  # its title and items are the "key indicators" a notice can list


@dataclass(frozen=True)
class Law:
    """What one state's notice law requires (only what FACTS.md says)."""

    id: str
    region: str  # the pack's `region` must be this state
    citation: str
    languages: tuple[str, ...]  # required, besides any the facility adds
    min_languages: int  # e.g. California: English, Spanish and the county's other language
    numbers: tuple[tuple[str, str], ...]  # (what, digits) the notice must list
    indicators: bool  # the notice lists key indicators of trafficking


LAWS: dict[str, Law] = {law.id: law for law in (
    Law("ca-civil-52.6", "US-CA", "California Civil Code 52.6", ("en", "es"), 3,
        (("the National Human Trafficking Hotline", HOTLINE_DIGITS),
         ("the Coalition to Abolish Slavery and Trafficking", "18885392373")), False),
    Law("ga-ocga-16-5-47", "US-GA", "Georgia O.C.G.A. 16-5-47", ("en", "es"), 2,
        (("the National Human Trafficking Hotline", HOTLINE_DIGITS),
         ("the Statewide Georgia Hotline for Domestic Minor Trafficking", "18448423678")), False),
    Law("tx-gov-402.0351", "US-TX", "Texas Government Code 402.0351", ("en", "es"), 2,
        (("the National Human Trafficking Hotline", HOTLINE_DIGITS),), True),
)}


@dataclass(frozen=True)
class NoticeClaim:
    """The `notice:` mapping of a pack's manifest."""

    law: Law
    languages: tuple[str, ...]
    wording: tuple[str, ...]  # string keys printed on every notice, in each language
    where: Where
    wheres: dict[str, Where]

    def at(self, key: str) -> Where:
        return self.wheres.get(key, self.where)


@dataclass(frozen=True)
class ReadClaim:
    claim: NoticeClaim | None  # None: no claim, or one that cannot be read
    problems: list[Problem]


def read_claim(pack: Pack) -> ReadClaim:
    """The pack's notice claim, from the `pack.yaml` of the folder it was opened from."""
    path = Path(pack.root) / "pack.yaml"
    shown = pack.manifest.where.file
    try:
        doc = load_yaml(path, shown)
    except (YamlError, OSError):
        return ReadClaim(None, [])  # the loader has already reported an unreadable manifest
    value = doc.get("notice") if isinstance(doc, LMap) else None
    if value is None:
        return ReadClaim(None, [])
    return _parse(value)


def _text(value: LValue | None) -> str | None:
    if isinstance(value, LScalar) and isinstance(value.value, str) and value.value.strip():
        return value.value.strip()
    return None


def _texts(value: LValue | None, key: str, problems: list[Problem],
           wheres: dict[str, Where]) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, LSeq):
        problems.append(Problem.error(value.where, f"'notice.{key}' must be a list"))
        return ()
    out = []
    for i, item in enumerate(value.items):
        text = _text(item)
        if text is None:
            problems.append(Problem.error(item.where, f"items of 'notice.{key}' must be text"))
            continue
        wheres[f"{key}.{i}"] = item.where
        out.append(text)
    return tuple(out)


def _parse(value: LValue) -> ReadClaim:
    problems: list[Problem] = []
    if not isinstance(value, LMap):
        return ReadClaim(None, [Problem.error(value.where, "'notice' must be a mapping with 'law' "
                                              "and 'languages'")])
    for key, (where, _v) in value.items.items():
        if key not in ("law", "languages", "wording"):
            problems.append(Problem.error(where, f"unknown key '{key}' in 'notice' "
                                          "(known: languages, law, wording)"))
    law_value = value.get("law")
    law_id = _text(law_value)
    wheres: dict[str, Where] = {k: w for k, (w, _v) in value.items.items()}
    if law_id is None:
        problems.append(Problem.error(value.where, "'notice' needs 'law': one of " + ", ".join(LAWS)))
        return ReadClaim(None, problems)
    law = LAWS.get(law_id)
    if law is None:
        problems.append(Problem.error(wheres["law"], f"unknown notice law '{law_id}'; "
                                      f"known: {', '.join(LAWS)}"))
        return ReadClaim(None, problems)
    languages = _texts(value.get("languages"), "languages", problems, wheres)
    if not languages:
        problems.append(Problem.error(value.where, "'notice' needs 'languages': the notice's "
                                      "languages, in order"))
        return ReadClaim(None, problems)
    wording = _texts(value.get("wording"), "wording", problems, wheres)
    return ReadClaim(NoticeClaim(law, languages, wording, value.where, wheres), problems)


def indicator_keys(pack: Pack) -> tuple[str, ...]:
    """The strings of the key indicators: the `signs` screen's title and items."""
    node = pack.nodes.get(INDICATOR_NODE)
    if node is None:
        return ()
    return (f"{node.id}.title", *(f"{node.id}.item.{name}" for name in node.items))


def check_claim(pack: Pack, claim: NoticeClaim) -> list[Problem]:
    law = claim.law
    problems: list[Problem] = []
    if pack.manifest.region != law.region:
        problems.append(Problem.error(claim.at("law"), f"{law.citation} is for {law.region}, but this "
                                      f"pack's region is {pack.manifest.region}"))
    for i, tag in enumerate(claim.languages):
        if tag not in pack.manifest.languages:
            problems.append(Problem.error(claim.at(f"languages.{i}"), f"notice language '{tag}' is not "
                                          f"one of the pack's languages ({', '.join(pack.manifest.languages)})"))
    missing = [t for t in law.languages if t not in claim.languages]
    if missing:
        problems.append(Problem.error(claim.at("languages"), f"{law.citation} requires the notice in "
                                      f"{', '.join(law.languages)}; missing: {', '.join(missing)}"))
    if len(set(claim.languages)) < law.min_languages:
        problems.append(Problem.error(claim.at("languages"), f"{law.citation} requires at least "
                                      f"{law.min_languages} languages on the notice"))
    have = {digits_of(c.call) for c in pack.contacts.values() if c.call}
    for what, digits in law.numbers:
        if digits not in have:
            problems.append(Problem.error(claim.at("law"), f"{law.citation} requires {what} "
                                          f"({digits}); no contact in the pack has that number"))
    needed = list(claim.wording)
    if law.indicators:
        keys = indicator_keys(pack)
        if not keys:
            problems.append(Problem.error(claim.at("law"), f"{law.citation} requires key indicators; "
                                          f"the pack has no '{INDICATOR_NODE}' screen to take them from"))
        needed.extend(keys)
    needed.extend(f"contact.{c.id}.name" for c in notice_contacts(pack, law))
    for tag in claim.languages:
        if tag not in pack.locales:
            continue  # reported above, or by the pack's own language checks
        for key in dict.fromkeys(needed):
            if pack.string(tag, key) is None:
                where = claim.wheres.get(f"wording.{claim.wording.index(key)}") if key in claim.wording \
                    else claim.at("law")
                problems.append(Problem.error(where or claim.where, f"the {law.citation} notice needs "
                                              f"the string '{key}' in '{tag}'"))
    return problems


def notice_contacts(pack: Pack, law: Law | None) -> list[Contact]:
    """The contacts a notice lists: the hotline first, then the law's other numbers."""
    out = [pack.contacts[HOTLINE_ID]] if HOTLINE_ID in pack.contacts else []
    for _what, digits in law.numbers if law else ():
        match = next((c for c in pack.contacts.values() if c.call and digits_of(c.call) == digits), None)
        if match is not None and match not in out:
            out.append(match)
    return out


def check_notice(pack: Pack) -> list[Problem]:
    """Problems with the pack's notice claim (none when it makes no claim)."""
    read = read_claim(pack)
    if read.claim is None:
        return read.problems
    return read.problems + check_claim(pack, read.claim)

"""Language names from CLDR (babel): each language in its own script, or in the visitor's."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError

RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur", "ps", "yi"})


def base_language(tag: str) -> str:
    return tag.split("-", 1)[0].lower()


def is_rtl(tag: str) -> bool:
    return base_language(tag) in RTL_LANGUAGES


@lru_cache(maxsize=256)
def _locale(tag: str) -> Locale | None:
    try:
        return Locale.parse(tag.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


@lru_cache(maxsize=1024)
def language_name(tag: str, in_tag: str, capitalize: bool = True) -> str:
    """The name of `tag` as a reader of `in_tag` would write it (falls back to the tag).

    capitalize=False keeps CLDR's casing for use inside a sentence ("inglés").
    """
    target, reader = _locale(tag), _locale(in_tag)
    if target is None or reader is None:
        return tag
    name = target.get_display_name(reader) or tag
    return name[:1].upper() + name[1:] if capitalize else name


# CLDR folds Tagalog into Filipino; speakers looking for their language read "Tagalog".
_AUTONYM_OVERRIDES = {"tl": "Tagalog", "ht": "Kreyòl ayisyen"}


def autonym(tag: str) -> str:
    """The language's own name for itself, for the language picker."""
    return _AUTONYM_OVERRIDES.get(tag) or language_name(tag, tag)

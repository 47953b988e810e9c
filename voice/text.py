"""Text normalisation shared by template matching, fuzzy snapping and the ASR grammar.

Typed text, Vosk transcripts and templates must meet in one form: same case,
no punctuation, and for scripts written without spaces (Chinese; Korean, whose
spacing varies from writer to writer and from one speech model to another) no
spaces at all, so that "도움이 필요해요" and the model's "도움이 필요 해요" are one.
"""

from __future__ import annotations

import re
import unicodedata

# Languages matched without regard to spaces.
NO_SPACE_LANGUAGES = frozenset({"zh", "ko", "ja"})

_ARABIC_MARKS = re.compile("[\u064b-\u0652\u0670\u0640]")  # harakat, dagger alef, tatweel
# Alef forms, alef maqsura and ta marbuta: spelled either way by writers and models.
_ARABIC_ALEF = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
_SPACES = re.compile(r"\s+")
# Characters that mean something in a hassil template.
TEMPLATE_CHARS = frozenset("()[]{}<>|@")


def base_language(tag: str) -> str:
    return tag.split("-", 1)[0].lower()


def no_spaces(tag: str) -> bool:
    return base_language(tag) in NO_SPACE_LANGUAGES


def fold(text: str, tag: str) -> str:
    """Character folding that applies to templates as well as to input: case,
    Unicode composition, and spellings a keyboard or a model may vary on."""
    # Hyphens split words for some speech models and not for others ("aidez-moi").
    text = unicodedata.normalize("NFC", text).casefold().replace("’", "'").replace("-", " ")
    lang = base_language(tag)
    if lang == "ar":
        text = _ARABIC_MARKS.sub("", text).translate(_ARABIC_ALEF)
    elif lang == "ru":
        text = text.replace("ё", "е")
    return text


def _is_punctuation(ch: str) -> bool:
    # Apostrophes and hyphens live inside words ("what's", "t-shirt").
    return ch not in "'-" and unicodedata.category(ch)[0] in "PS"


def normalize(text: str, tag: str) -> str:
    """The form both sides of a comparison are reduced to."""
    text = fold(text, tag)
    text = "".join(" " if _is_punctuation(ch) else ch for ch in text)
    text = _SPACES.sub(" ", text).strip()
    if no_spaces(tag):
        text = text.replace(" ", "")
    return text


# Latin-script languages whose accents a speaker, a keyboard or a speech model
# may leave out ("sòti" / "soti", "está" / "esta"). Vietnamese is among them:
# its marks are tones, and people type it without them ("toi can giup do");
# the few commands do not collide once the tones are gone.
ACCENT_FREE_LANGUAGES = frozenset({"en", "es", "fr", "pt", "ht", "tl", "vi"})
_BARRED = str.maketrans({"đ": "d", "Đ": "d"})  # no combining mark to take off


def strip_accents(text: str, tag: str) -> str:
    """Accents off, for comparing, in the languages where they are optional."""
    if base_language(tag) not in ACCENT_FREE_LANGUAGES:
        return text
    decomposed = unicodedata.normalize("NFD", text.translate(_BARRED))
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def match_key(text: str, tag: str) -> str:
    """`normalize`, then accents off where they are optional: what matching compares."""
    return strip_accents(normalize(text, tag), tag)


def words(text: str) -> list[str]:
    """Words as a speech model sees them: split on spaces, punctuation dropped."""
    return [w for w in "".join(" " if _is_punctuation(c) else c for c in text).split() if w]


def plain_phrase(text: str) -> str:
    """A label or name made safe to put inside a template: template characters and
    bracketed asides ("Chinese (Simplified)") removed."""
    text = re.sub(r"\([^)]*\)", " ", text)
    text = "".join(" " if c in TEMPLATE_CHARS else c for c in text)
    return _SPACES.sub(" ", text).strip()

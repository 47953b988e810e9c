"""The blind sentence sets, on text: zero wrong intents, at least 90% per language.

A wrong intent (or a wrong option or language) is worse than none: none makes
the visitor try again, a wrong one acts. Accuracy per language is printed at
the end of the run (tests/voice/conftest.py's terminal summary), not by a test.
"""

from __future__ import annotations

import pytest

from tests.voice.blind_set import blind_languages, load_blind, score

MIN_ACCURACY = 0.9
RESULTS: dict[str, tuple[int, int, int]] = {}  # lang -> (right, commands, negatives)


def test_every_language_has_a_blind_set() -> None:
    from voice import LANGUAGES
    assert set(blind_languages()) == set(LANGUAGES)


@pytest.mark.parametrize("lang", blind_languages())
def test_blind_set(lang: str) -> None:
    cases = load_blind(lang)
    result = score(lang, cases)
    RESULTS[lang] = (result.right, result.commands, result.negatives)
    assert result.commands >= 40 and result.negatives >= 15, f"{lang}: the blind set is too small"
    assert not result.false, f"{lang}: negatives given an intent:\n" + "\n".join(result.false)
    assert not result.wrong, f"{lang}: wrong intents:\n" + "\n".join(result.wrong)
    assert result.accuracy >= MIN_ACCURACY, \
        f"{lang}: {result.right}/{result.commands} = {result.accuracy:.0%} < {MIN_ACCURACY:.0%}"

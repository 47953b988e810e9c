"""A pack that claims its state's notice must have that notice's languages, numbers and words.

The California sample pack claims Civil Code 52.6; each test copies it, breaks
one thing in its `notice:` claim (or its strings), and runs the real validator.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from kiosk.content.validate import validate_path

CALIFORNIA = Path(__file__).resolve().parents[2] / "examples" / "packs" / "california"
CLAIM = "notice:\n  law: ca-civil-52.6\n  languages: [en, es, zh-Hans]\n"


def errors(root: Path) -> list[str]:
    return [p.format() for p in validate_path(root) if p.severity == "error"]


def with_claim(tmp_path: Path, claim: str) -> Path:
    """A copy of the California pack whose `notice:` block is `claim`."""
    root = tmp_path / "california"
    shutil.copytree(CALIFORNIA, root)
    manifest = root / "pack.yaml"
    text = manifest.read_text("utf-8")
    assert CLAIM in text, "the sample pack's claim changed; update this test"
    manifest.write_text(text.replace(CLAIM, claim), "utf-8")
    return root


def test_the_sample_claim_is_valid() -> None:
    assert errors(CALIFORNIA) == []


def test_a_pack_without_a_claim_needs_nothing(tmp_path: Path) -> None:
    assert errors(with_claim(tmp_path, "")) == []


def test_required_language_missing(tmp_path: Path) -> None:
    found = errors(with_claim(tmp_path, "notice:\n  law: ca-civil-52.6\n  languages: [en, zh-Hans, ko]\n"))
    assert any(re.search(r"pack\.yaml:\d+:\d+: error: .*52\.6 requires the notice in en, es; missing: es", e)
               for e in found), found


def test_too_few_languages(tmp_path: Path) -> None:
    found = errors(with_claim(tmp_path, "notice:\n  law: ca-civil-52.6\n  languages: [en, es]\n"))
    assert any("at least 3 languages" in e for e in found), found


def test_language_the_pack_does_not_show(tmp_path: Path) -> None:
    found = errors(with_claim(tmp_path, "notice:\n  law: ca-civil-52.6\n  languages: [en, es, ar]\n"))
    assert any("notice language 'ar' is not one of the pack's languages" in e for e in found), found


def test_law_of_another_state(tmp_path: Path) -> None:
    found = errors(with_claim(tmp_path, "notice:\n  law: ga-ocga-16-5-47\n  languages: [en, es]\n"))
    assert any("is for US-GA, but this pack's region is US-CA" in e for e in found), found
    # Georgia's notice lists the state hotline, which this pack does not have.
    assert any("18448423678" in e for e in found), found


def test_unknown_law_and_keys(tmp_path: Path) -> None:
    found = errors(with_claim(tmp_path, "notice:\n  law: ca-civil-99\n  languages: [en]\n  colour: red\n"))
    assert any("unknown notice law 'ca-civil-99'; known: ca-civil-52.6" in e for e in found), found
    assert any("unknown key 'colour' in 'notice'" in e for e in found), found


def test_required_number_missing(tmp_path: Path) -> None:
    root = with_claim(tmp_path, CLAIM)
    contacts = root / "contacts.yaml"
    contacts.write_text(contacts.read_text("utf-8").replace("1-888-539-2373", "1-888-373-7889"), "utf-8")
    found = errors(root)
    assert any("requires the Coalition to Abolish Slavery and Trafficking (18885392373)" in e
               for e in found), found


def test_wording_missing_in_one_language(tmp_path: Path) -> None:
    root = with_claim(tmp_path, CLAIM.replace("\n  languages", "\n  wording: [notice.ca_extra]\n  languages"))
    for tag in ("en", "zh-Hans"):  # Spanish is left without it
        loc = root / "locales" / f"{tag}.yaml"
        loc.write_text(loc.read_text("utf-8").rstrip("\n") + "\n  notice.ca_extra: Sample wording.\n", "utf-8")
    found = errors(root)
    assert [e for e in found if "needs the string 'notice.ca_extra' in 'es'" in e], found
    assert not [e for e in found if "notice.ca_extra' in 'en'" in e]


@pytest.mark.parametrize("claim", ["notice: yes\n", "notice:\n  languages: [en, es, ko]\n",
                                   "notice:\n  law: ca-civil-52.6\n  languages: en\n"])
def test_malformed_claims_are_errors_with_a_place(tmp_path: Path, claim: str) -> None:
    found = errors(with_claim(tmp_path, claim))
    assert found and all(re.match(r"^[^:]+:\d+:\d+: error: ", e) for e in found), found

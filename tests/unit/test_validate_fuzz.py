"""Fuzzing the validator: whatever is in a pack's files, it only ever reports problems.

Three kinds of input: random YAML documents, random bytes, and the valid tiny pack
with one value swapped for a random one (which gets past the YAML layer and into
the checks across files, where pure noise rarely reaches).
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.content.problems import Problem
from kiosk.content.validate import validate_path

TINY = Path(__file__).resolve().parent.parent / "fixtures" / "packs" / "tiny"
TINY_FILES = {rel: (TINY / rel).read_text("utf-8")
              for rel in ("pack.yaml", "contacts.yaml", "flows/main.yaml", "locales/en.yaml")}
PACK_FILES = tuple(TINY_FILES)
LINE_RE = re.compile(r"^[^:]+:\d+:\d+: (error|warning): .+$")

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Words the validator knows, so that random documents sometimes hit real keys.
WORDS = ["id", "name", "region", "version", "languages", "default_language", "mode", "neutral",
         "help_entry", "exit_to", "idle_timeout", "sample", "staff_phrase", "nodes", "kind", "menu",
         "info", "contact", "checklist", "options", "to", "label", "icon", "contacts", "items",
         "call", "call_display", "text", "tty", "chat", "hours", "verified", "source", "language",
         "review", "strings", "home", "safety", "en", "es", "US", "restroom", "always", "custom",
         "home.title", "ui.exit", "{n}", "1-888-373-7888", "555-0142", "911", "2026-11-01"]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30), st.sampled_from(WORDS), st.dates(),
)
keys = st.one_of(st.sampled_from(WORDS), st.text(max_size=12), st.integers(-5, 5))
documents = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=5),
                               st.dictionaries(keys, children, max_size=6)),
    max_leaves=30,
)


def _dump(doc: Any) -> str:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


def _digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def check_pack_files(files: dict[str, bytes]) -> list[Problem]:
    """Write the files as a pack, validate it, and check the problems' shape."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "fuzzed"
        for rel, data in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(data)
        (root / "flows").mkdir(parents=True, exist_ok=True)
        before = _digest(root)
        problems = validate_path(root, today=dt.date(2026, 11, 22))
        assert _digest(root) == before
    shown = {f"fuzzed/{rel}" for rel in files} | {"fuzzed/flows"}
    for p in problems:
        assert isinstance(p, Problem)
        assert p.severity in ("error", "warning")
        assert p.where.file in shown, p
        assert p.where.line >= 1 and p.where.col >= 1, p
        line = p.format()
        assert len(line.splitlines()) == 1 and LINE_RE.match(line), repr(line)
    return problems


def with_tiny(rel: str, data: bytes) -> dict[str, bytes]:
    files = {r: t.encode("utf-8") for r, t in TINY_FILES.items()}
    files[rel] = data
    return files


@FUZZ
@given(rel=st.sampled_from(PACK_FILES), doc=documents)
def test_random_yaml_document(rel: str, doc: Any) -> None:
    check_pack_files(with_tiny(rel, _dump(doc).encode("utf-8")))


@FUZZ
@given(rel=st.sampled_from(PACK_FILES), data=st.binary(max_size=400))
def test_random_bytes(rel: str, data: bytes) -> None:
    check_pack_files(with_tiny(rel, data))


# Text built from YAML's own punctuation finds the parser's corners faster than bytes.
yaml_soup = st.lists(st.sampled_from(list(":-[]{},&*!|>'\"#%@`?<=~ \n\t\\") + WORDS[:10]
                                     + ["\x00", "\x85", "\u2028", "\ufeff", "é", "\r", "  ", "\n  "]),
                     max_size=40).map("".join)


@FUZZ
@given(rel=st.sampled_from(PACK_FILES), text=yaml_soup)
def test_yaml_punctuation_soup(rel: str, text: str) -> None:
    check_pack_files(with_tiny(rel, text.encode("utf-8")))


def _paths(doc: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out.extend(_paths(v, prefix + (k,)))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out.extend(_paths(v, prefix + (i,)))
    return out


TINY_DOCS = {rel: yaml.safe_load(text) for rel, text in TINY_FILES.items()}
TINY_PATHS = {rel: _paths(doc) for rel, doc in TINY_DOCS.items()}


@st.composite
def mutated_tiny(draw: st.DrawFn) -> dict[str, bytes]:
    """The tiny pack with one value (or one key) replaced by something random."""
    rel = draw(st.sampled_from(PACK_FILES))
    doc = copy.deepcopy(TINY_DOCS[rel])
    path = draw(st.sampled_from(TINY_PATHS[rel]))
    new = draw(documents)
    if not path:
        doc = new
    else:
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        if isinstance(parent, dict) and draw(st.booleans()):
            parent[draw(keys)] = parent.pop(path[-1])  # rename the key instead
        else:
            parent[path[-1]] = new
    return with_tiny(rel, _dump(doc).encode("utf-8"))


@FUZZ
@given(files=mutated_tiny())
def test_tiny_pack_with_one_random_value(files: dict[str, bytes]) -> None:
    check_pack_files(files)


# Plain scalars that the YAML resolver turns into something odd, written raw (a
# dumper would quote them): impossible dates, 5000-digit numbers, tags, anchors.
RAW_TOKENS = ["2026-02-30", "2026-11-01 25:61:00", "1" * 5000, "0x" + "f" * 4000, ".nan", "-.inf",
              "0o17", "1_000", "~", "!!python/name:os.system", "!!binary ???", "!!set {a}",
              "!!omap [a: 1]", "&a [*a]", "*nowhere", "!!timestamp x", "!!int x", "!!float x",
              "!!bool maybe", "!local x", "<<", "{<<: {}}", "[[[[[[]]]]]]", "'", '"\\x"', "|", ">-"]


@st.composite
def tiny_with_raw_token(draw: st.DrawFn) -> dict[str, bytes]:
    """The tiny pack with the value on one `key: value` line replaced by raw YAML."""
    rel = draw(st.sampled_from(PACK_FILES))
    lines = TINY_FILES[rel].splitlines(keepends=True)
    candidates = [i for i, line in enumerate(lines) if ": " in line]
    i = draw(st.sampled_from(candidates))
    token = draw(st.one_of(st.sampled_from(RAW_TOKENS), st.text(max_size=20).filter(lambda t: "\n" not in t)))
    lines[i] = lines[i].split(": ", 1)[0] + ": " + token + "\n"
    return with_tiny(rel, "".join(lines).encode("utf-8"))


@FUZZ
@given(files=tiny_with_raw_token())
def test_tiny_pack_with_one_raw_token(files: dict[str, bytes]) -> None:
    check_pack_files(files)


def test_the_unmutated_tiny_pack_is_clean() -> None:
    # The mutation test is only meaningful if the starting point has no problems.
    assert check_pack_files(with_tiny("pack.yaml", TINY_FILES["pack.yaml"].encode("utf-8"))) == []

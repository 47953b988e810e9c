"""YAML loading that remembers where every value came from.

PyYAML's safe loader builds a node graph with marks; we turn that graph into
small located values so that every later check can say FILE:LINE:COL. The
conversion counts values as it goes, which is what stops "billion laughs"
alias bombs: the graph is small, its expansion is not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kiosk.content.problems import Problem, Where

# libyaml's parser gives the same marks about ten times faster; pure Python where it is missing.
DEFAULT_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_FILE_BYTES = 1024 * 1024
MAX_VALUES = 100_000
MAX_DEPTH = 64
MAX_INT_CHARS = 64


@dataclass(frozen=True)
class LScalar:
    value: Any
    where: Where


@dataclass(frozen=True)
class LSeq:
    items: tuple["LValue", ...]
    where: Where


@dataclass(frozen=True)
class LMap:
    # key -> (where the key is, the value)
    items: dict[str, tuple[Where, "LValue"]]
    where: Where

    def get(self, key: str) -> "LValue | None":
        pair = self.items.get(key)
        return pair[1] if pair else None


LValue = LScalar | LSeq | LMap


class YamlError(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _where(path: str, mark: yaml.Mark | None) -> Where:
    if mark is None:
        return Where(path, 1, 1)
    return Where(path, mark.line + 1, mark.column + 1)


_PLAIN_TAGS = ("tag:yaml.org,2002:seq", "tag:yaml.org,2002:map")
_SCALAR_KINDS = {"timestamp": "a date", "int": "a whole number", "float": "a number",
                 "bool": "true or false"}


@dataclass
class _Converter:
    path: str
    loader: yaml.SafeLoader
    count: int = 0
    stack: set[int] = field(default_factory=set)

    def convert(self, node: yaml.Node, depth: int = 0) -> LValue:
        self.count += 1
        where = _where(self.path, node.start_mark)
        if self.count > MAX_VALUES:
            raise YamlError(Problem.error(where, f"file expands to more than {MAX_VALUES} values "
                                                 "(repeated aliases?); refusing to load it"))
        if depth > MAX_DEPTH or id(node) in self.stack:
            raise YamlError(Problem.error(where, "values nest too deeply or refer to themselves"))
        if isinstance(node, yaml.ScalarNode):
            if node.tag == "tag:yaml.org,2002:int" and len(node.value) > MAX_INT_CHARS:
                # Python refuses to convert integers past 4300 digits to or from text.
                raise YamlError(Problem.error(where, "number has too many digits"))
            try:
                value = self.loader.construct_object(node, deep=True)
            except yaml.MarkedYAMLError as exc:
                raise YamlError(Problem.error(where, f"bad value: {exc.problem or exc.context}")) from None
            except Exception:
                # PyYAML's constructors let ValueError, KeyError and AttributeError escape
                # for impossible dates (2026-02-30) and tagged junk (!!bool maybe).
                tag = node.tag.rsplit(":", 1)[-1]
                raise YamlError(Problem.error(where, f"bad value: '{node.value}' cannot be read as "
                                              f"{_SCALAR_KINDS.get(tag, '!!' + tag)}")) from None
            return LScalar(value, where)
        if node.tag not in _PLAIN_TAGS:
            # The safe constructor vets scalars' tags; lists and mappings never reach
            # it, so their tags (!!python/object/apply, !!set) must be refused here.
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            raise YamlError(Problem.error(where, f"YAML tag '{tag}' is not supported"))
        self.stack.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return LSeq(tuple(self.convert(n, depth + 1) for n in node.value), where)
            if isinstance(node, yaml.MappingNode):
                items: dict[str, tuple[Where, LValue]] = {}
                for key_node, value_node in node.value:
                    key_where = _where(self.path, key_node.start_mark)
                    if key_node.tag == "tag:yaml.org,2002:merge":
                        raise YamlError(Problem.error(key_where, "merge keys (<<) are not supported"))
                    key = self.convert(key_node, depth + 1)
                    if not isinstance(key, LScalar) or isinstance(key.value, (list, dict)):
                        raise YamlError(Problem.error(key_where, "a key must be plain text"))
                    name = str(key.value)
                    if name in items:
                        raise YamlError(Problem.error(key_where, f"key '{name}' appears twice "
                                                      f"(first at line {items[name][0].line})"))
                    items[name] = (key_where, self.convert(value_node, depth + 1))
                return LMap(items, where)
        finally:
            self.stack.discard(id(node))
        raise YamlError(Problem.error(where, "unsupported YAML node"))


def _offset_to_where(path: str, data: bytes, offset: int) -> Where:
    before = data[:offset]
    line = before.count(b"\n") + 1
    col = offset - (before.rfind(b"\n") + 1) + 1
    return Where(path, line, col)


def read_text(path: Path, shown: str) -> str:
    """Read a pack file as UTF-8 with the limits every pack file obeys."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise YamlError(Problem.error(Where(shown, 1, 1), f"cannot read file: {exc.strerror}")) from None
    if size > MAX_FILE_BYTES:
        raise YamlError(Problem.error(Where(shown, 1, 1),
                                      f"file is {size} bytes; the limit is {MAX_FILE_BYTES} (1 MiB)"))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise YamlError(Problem.error(Where(shown, 1, 1), f"cannot read file: {exc.strerror}")) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise YamlError(Problem.error(_offset_to_where(shown, data, exc.start),
                                      "file is not UTF-8 text (save it as UTF-8)")) from None
    if "\x00" in text:
        raise YamlError(Problem.error(_offset_to_where(shown, data, data.index(b"\x00")),
                                      "file contains a NUL byte"))
    return text.removeprefix("\ufeff")


def parse_yaml(text: str, shown: str, loader_class: type = DEFAULT_LOADER) -> LValue | None:
    """Parse one YAML document; None for an empty file. `loader_class` may be
    yaml.CSafeLoader for big data files (directory.py): same marks, far faster."""
    loader: yaml.SafeLoader | None = None
    try:
        loader = loader_class(text)  # checks for control characters right away
        node = loader.get_single_node()
        if node is None:
            return None
        return _Converter(shown, loader).convert(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        reason = exc.problem or exc.context or "invalid YAML"
        raise YamlError(Problem.error(_where(shown, mark), f"YAML syntax: {reason}")) from None
    except yaml.reader.ReaderError as exc:
        # Control characters: PyYAML gives a character offset, not a mark.
        before = text[:exc.position]
        where = Where(shown, before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1)
        char = f"U+{exc.character:04X}" if isinstance(exc.character, int) else repr(exc.character)
        raise YamlError(Problem.error(where, f"character {char} is not allowed in YAML "
                                      "(a control character?)")) from None
    except yaml.YAMLError as exc:
        raise YamlError(Problem.error(Where(shown, 1, 1), f"YAML: {exc}")) from None
    except RecursionError:
        raise YamlError(Problem.error(Where(shown, 1, 1), "YAML nests too deeply")) from None
    finally:
        if loader is not None:
            loader.dispose()


def load_yaml(path: Path, shown: str, loader_class: type = DEFAULT_LOADER) -> LValue | None:
    text = read_text(path, shown)
    try:
        return parse_yaml(text, shown, loader_class)
    except YamlError:
        if loader_class is yaml.SafeLoader:
            raise
        # libyaml's messages are terser ("cannot start any token"): say it the clearer way.
        return parse_yaml(text, shown, yaml.SafeLoader)

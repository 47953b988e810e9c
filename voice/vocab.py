"""Which words a Vosk model knows, read from the model folder without loading it.

Big models ship `graph/words.txt` ("word id" per line). Small lookahead models
(the ones with runtime grammars) often ship none, but their `graph/Gr.fst`
carries the word list as an OpenFst symbol table right after its header. The
file is memory-mapped and searched per word, so a 500,000-word list costs no
resident memory: a grammar needs a few hundred lookups, each a byte search.
"""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

_FST_MAGIC = 2125659606
_SYMBOLS_MAGIC = 2125658996
_FLAG_ISYMBOLS = 1
_FLAG_OSYMBOLS = 2
# Words a grammar may use for "anything else", depending on how the model was built.
UNKNOWN_WORDS = ("[unk]", "<unk>", "<UNK>")


class VocabularyError(Exception):
    pass


@dataclass
class Vocabulary:
    """Membership tests against a model's word list; `source` says where it came from."""
    source: Path
    _map: mmap.mmap
    _start: int
    _end: int
    _text: bool  # words.txt (text) rather than an OpenFst symbol table
    _cache: dict[str, bool] = field(default_factory=dict)

    def __contains__(self, word: str) -> bool:
        hit = self._cache.get(word)
        if hit is None:
            hit = self._find(word)
            self._cache[word] = hit
        return hit

    def _find(self, word: str) -> bool:
        data = word.encode("utf-8")
        if not data or b"\n" in data or b" " in data:
            return False
        if self._text:
            if self._map[:len(data) + 1] == data + b" ":
                return True
            return self._map.find(b"\n" + data + b" ", self._start, self._end) >= 0
        # An entry is int32 length, bytes, int64 key. Keys are far below 2**32, so
        # the four bytes before an entry (the previous key's high half) are zero, and
        # UTF-8 text never holds a zero byte: the pattern only matches a whole entry.
        pattern = b"\x00\x00\x00\x00" + struct.pack("<i", len(data)) + data
        return self._map.find(pattern, self._start, self._end) >= 0

    def missing(self, words: Iterable[str]) -> list[str]:
        return sorted({w for w in words if w not in self})

    def unknown_word(self) -> str | None:
        """The model's symbol for out-of-grammar speech, if it has one."""
        return next((w for w in UNKNOWN_WORDS if w in self), None)

    def close(self) -> None:
        self._map.close()


def _read_string(m: mmap.mmap, pos: int) -> tuple[str, int]:
    (n,) = struct.unpack_from("<i", m, pos)
    if n < 0 or n > 1 << 20:
        raise VocabularyError("bad string length")
    return m[pos + 4:pos + 4 + n].decode("utf-8", "replace"), pos + 4 + n


def _symbol_table_span(m: mmap.mmap) -> tuple[int, int]:
    """(start, end) of the output symbol table entries in an OpenFst binary file."""
    (magic,) = struct.unpack_from("<i", m, 0)
    if magic != _FST_MAGIC:
        raise VocabularyError("not an OpenFst file")
    _, pos = _read_string(m, 4)  # fst type
    _, pos = _read_string(m, pos)  # arc type
    _version, flags = struct.unpack_from("<ii", m, pos)
    pos += 8 + 8 + 8 + 8 + 8  # properties, start, num states, num arcs
    if not flags & (_FLAG_ISYMBOLS | _FLAG_OSYMBOLS):
        raise VocabularyError("the graph carries no word list")
    # With both tables present the input table comes first; on a G/Gr graph both
    # are the word list, so the first one serves.
    (magic,) = struct.unpack_from("<i", m, pos)
    if magic != _SYMBOLS_MAGIC:
        raise VocabularyError("unexpected symbol table header")
    _, pos = _read_string(m, pos + 4)  # table name
    _available, size = struct.unpack_from("<qq", m, pos)
    pos += 16
    start = pos - 4  # so the first entry is preceded by four zero bytes too (size's high half)
    # Walk to the end once to bound the searches; entries are short, this is quick.
    for _ in range(size):
        (n,) = struct.unpack_from("<i", m, pos)
        pos += 4 + n + 8
    return start, pos


def open_vocabulary(model_dir: Path) -> Vocabulary:
    """The model's word list; raises VocabularyError when the model has none."""
    candidates = [model_dir / "graph" / "words.txt", model_dir / "words.txt",
                  model_dir / "graph" / "Gr.fst", model_dir / "graph" / "HCLG.fst"]
    reasons = []
    for path in candidates:
        if not path.is_file():
            continue
        try:
            with path.open("rb") as fh:
                m = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError) as exc:
            reasons.append(f"{path.name}: {exc}")
            continue
        if path.suffix == ".txt":
            return Vocabulary(path, m, 0, len(m), True)
        try:
            start, end = _symbol_table_span(m)
        except (VocabularyError, struct.error) as exc:
            m.close()
            reasons.append(f"{path.name}: {exc}")
            continue
        return Vocabulary(path, m, start, end, False)
    detail = f" ({'; '.join(reasons)})" if reasons else ""
    raise VocabularyError(f"the model in {model_dir} has no word list (no graph/words.txt, "
                          f"and no symbol table in its graph){detail}: grammar words cannot be checked")
